//! The error the SQL core returns: a position, what went wrong, what to do.
use std::fmt;

/// A problem in one SQL text, at a 1-based line and column (in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlError {
    /// 1-based line of the problem's first character.
    pub line: u32,
    /// 1-based column, in characters.
    pub col: u32,
    /// What went wrong.
    pub message: String,
    /// What to do about it (empty when there is nothing to add).
    pub hint: String,
}

impl SqlError {
    /// An error at `line:col`.
    pub fn new(line: u32, col: u32, message: impl Into<String>, hint: impl Into<String>) -> Self {
        SqlError {
            line,
            col,
            message: message.into(),
            hint: hint.into(),
        }
    }
}

impl fmt::Display for SqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.col, self.message)?;
        if !self.hint.is_empty() {
            write!(f, " (hint: {})", self.hint)?;
        }
        Ok(())
    }
}

impl std::error::Error for SqlError {}
