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
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Path(#[from] crate::paths::PathError),
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error(transparent)]
    Project(#[from] ProjectError),
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
    #[error(transparent)]
    Version(#[from] VersionError),
    #[error(transparent)]
    Rewrite(#[from] RewriteError),
}

/// The config cannot be read or is not valid.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{}: cannot read the config: {source}", .file.display())]
    Read {
        file: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: cannot read the config: it does not exist", .file.display())]
    Missing { file: std::path::PathBuf },
    /// `file:line:col: message` when the parser gives a position.
    #[error(
        "{}{}{message}\n  hint: fix or remove that key; greenlight.yaml is checked strictly (see the README's configuration section)",
        .file.display(),
        if message.starts_with(|c: char| c.is_ascii_digit()) { ":" } else { ": " }
    )]
    Invalid {
        file: std::path::PathBuf,
        message: String,
    },
    #[error("invalid exclude pattern `{pattern}`: {reason}")]
    Exclude { pattern: String, reason: String },
    #[error("invalid exclude patterns: {0}")]
    Excludes(String),
}

/// A report template that cannot be read, compiled or rendered.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("cannot read template {0}: it does not exist")]
    Missing(String),
    #[error("{key}: `{path}` is not a file of the base branch")]
    NotInBase { key: String, path: String },
    #[error("{key}: not UTF-8")]
    NotUtf8 { key: String },
    #[error("{key}: {reason}")]
    Unreadable { key: String, reason: String },
    #[error("template {name}: {reason}")]
    Invalid { name: String, reason: String },
    #[error("{0}")]
    Unknown(String),
    #[error("cannot render {name}: {reason}")]
    Render { name: String, reason: String },
}

/// The project folder cannot be listed.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error(
        "{}: not a directory\n  hint: pass the folder holding the project's SQL files with --project",
        .0.display()
    )]
    NotADirectory(std::path::PathBuf),
    #[error("cannot list {}: {source}\n  hint: check the folder's permissions", .folder.display())]
    CannotList {
        folder: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The impact of a release cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    #[error(
        "`{0}` is not a table of the project\n  hint: name a table defined in the project (see `greenlight graph`)"
    )]
    NotATable(String),
    #[error(
        "upgrade.tables: `{0}` is not a table of the project\n  hint: name a table (or its name without the version suffix) defined in the project, or remove the entry"
    )]
    UnknownUpgradeTable(String),
    #[error(
        "tables `{first}` and `{second}` would both be renamed to `{green}`\n  hint: bump one of them by hand to a free version"
    )]
    SameGreen {
        first: String,
        second: String,
        green: String,
    },
    #[error(
        "the next version of `{table}` is `{green}`, which is already read as an external table{reader}; after the rewrite it would read the new `{green}`\n  hint: rename that external table in the SQL, or bump `{table}` by hand to a free version"
    )]
    ReadAsExternal {
        table: String,
        green: String,
        /// ` by `reader` at file:line:col`, or empty.
        reader: String,
    },
    #[error(
        "the next version of `{table}` is `{green}`, which already exists in {side}{at}\n  hint: drop or rename the old `{green}`, or bump `{table}` by hand to a free version"
    )]
    Exists {
        table: String,
        green: String,
        side: &'static str,
        /// ` (file:line:col)`, or empty.
        at: String,
    },
    #[error(
        "table `{table}` was deleted but is still read by: {}\n  hint: remove those reads, or keep the table's DDL and DML",
        .readers.join(", ")
    )]
    DeletedStillRead { table: String, readers: Vec<String> },
    #[error(
        "tables `{first}` and `{second}` cannot be told apart by their names\n  hint: rename one of them"
    )]
    Indistinct { first: String, second: String },
}

/// A rewrite that cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RewriteError {
    #[error(
        "{}:{line}:{col}: cannot rename `{from}` to `{to}`: {reason}\n  hint: quote the name with backquotes in the SQL, or bump it by hand",
        shown_path(path)
    )]
    CannotRename {
        path: String,
        line: u32,
        col: u32,
        from: String,
        to: String,
        reason: crate::sql::RenameError,
    },
    #[error("{}: {reason}", shown_path(path))]
    Spans {
        path: String,
        reason: crate::sql::RenameError,
    },
    #[error(
        "the rewrite would change more than table names: {0}; nothing was written\n  hint: this is a greenlight bug: please report it with the SQL involved"
    )]
    BeyondNames(String),
}

fn join_lines(errors: &[FileError]) -> String {
    let lines: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    lines.join("\n")
}

pub type Result<T> = std::result::Result<T, Error>;
