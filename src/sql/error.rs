//! The error the SQL core returns: a position, what went wrong, what to do.
use std::fmt;

/// A problem in one SQL text, at a 1-based line and column (in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlError {
    pub line: u32,
    pub col: u32,
    pub message: String,
    pub hint: String,
}

impl SqlError {
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
