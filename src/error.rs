//! The core's error type: every variant names where and what to do.
use std::fmt;

/// A problem located in one file of the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    /// Path relative to the project directory.
    pub path: String,
    pub line: u32,
    pub col: u32,
    pub message: String,
    pub hint: String,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            shown_path(&self.path),
            self.line,
            self.col,
            self.message
        )?;
        if !self.hint.is_empty() {
            write!(f, "\n  hint: {}", self.hint)?;
        }
        Ok(())
    }
}

/// A file name as shown in a message: control characters (a newline in a
/// name) escaped, so that no text of a file name starts a line.
pub fn shown_path(path: &str) -> std::borrow::Cow<'_, str> {
    if path.chars().any(char::is_control) {
        path.chars()
            .flat_map(|c| {
                let escaped: Vec<char> = if c.is_control() {
                    c.escape_default().collect()
                } else {
                    vec![c]
                };
                escaped
            })
            .collect::<String>()
            .into()
    } else {
        path.into()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// One or more files could not be read or understood.
    #[error("{}", join_lines(.0))]
    Files(Vec<FileError>),
    #[error("{0}")]
    Config(String),
    #[error("{0}")]
    Io(String),
    #[error(
        "table `{name}` is defined twice: {first} and {second}\n  hint: keep one CREATE statement per table"
    )]
    DuplicateTable {
        name: String,
        first: String,
        second: String,
    },
    #[error("dependency cycle: {}\n  hint: a table cannot read itself, directly or through other tables", .0.join(" -> "))]
    Cycle(Vec<String>),
    #[error("{0}")]
    Version(String),
    #[error("{0}")]
    Rewrite(String),
}

fn join_lines(errors: &[FileError]) -> String {
    let lines: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    lines.join("\n")
}

pub type Result<T> = std::result::Result<T, Error>;
