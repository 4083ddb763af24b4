//! The core's error type: every variant names where and what to do.
use std::fmt;

/// A problem located in one file of the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    /// Path relative to the project directory.
    pub path: String,
    /// 1-based line of the problem.
    pub line: u32,
    /// 1-based column of the problem, in characters.
    pub col: u32,
    /// What is wrong.
    pub message: String,
    /// What to do about it; empty when there is no hint.
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

/// Every error of the core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// One or more files could not be read or understood.
    #[error("{}", join_lines(.0))]
    Files(Vec<FileError>),
    /// The config cannot be read or is not valid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A path was refused (outside the repository, not a file) or cannot be read.
    #[error(transparent)]
    Path(#[from] crate::paths::PathError),
    /// A report template cannot be read, compiled or rendered.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// The project folder cannot be listed.
    #[error(transparent)]
    Project(#[from] ProjectError),
    /// Two CREATE statements define the same table.
    #[error(
        "table `{name}` is defined twice: {first} and {second}\n  hint: keep one CREATE statement per table"
    )]
    DuplicateTable {
        /// The table's full name.
        name: String,
        /// Where the first definition is (`file:line:col`).
        first: String,
        /// Where the second definition is (`file:line:col`).
        second: String,
    },
    /// Tables read (or copy with `LIKE`) each other in a loop; holds the tables
    /// along it, each after the first with where it reads the one before.
    #[error("dependency cycle: {}\n  hint: a table cannot read itself through other tables", .0.join(" -> "))]
    Cycle(Vec<String>),
    /// The impact of a release cannot be computed.
    #[error(transparent)]
    Version(#[from] VersionError),
    /// A rewrite cannot be made.
    #[error(transparent)]
    Rewrite(#[from] RewriteError),
}

/// The config cannot be read or is not valid.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The config file exists but cannot be read.
    #[error("{}: cannot read the config: {source}", .file.display())]
    Read {
        /// The config file.
        file: std::path::PathBuf,
        /// Why it cannot be read.
        #[source]
        source: std::io::Error,
    },
    /// A required config file does not exist.
    #[error("{}: cannot read the config: it does not exist", .file.display())]
    Missing {
        /// The config file.
        file: std::path::PathBuf,
    },
    /// The config does not parse, or has an unknown key or a bad value.
    /// `file:line:col: message` when the parser gives a position.
    #[error(
        "{}{}{message}\n  hint: fix or remove that key; greenlight.yaml is checked strictly (see the README's configuration section)",
        .file.display(),
        if message.starts_with(|c: char| c.is_ascii_digit()) { ":" } else { ": " }
    )]
    Invalid {
        /// The config file.
        file: std::path::PathBuf,
        /// The parser's message.
        message: String,
    },
    /// A pattern of `exclude` is not a valid glob.
    #[error("invalid exclude pattern `{pattern}`: {reason}")]
    Exclude {
        /// The pattern, as written.
        pattern: String,
        /// Why it is not valid.
        reason: String,
    },
    /// The exclude patterns, each valid, cannot be built into one set.
    #[error("invalid exclude patterns: {0}")]
    Excludes(String),
}

/// A report template that cannot be read, compiled or rendered.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// A template file named in the config does not exist; holds its path.
    #[error("cannot read template {0}: it does not exist")]
    Missing(String),
    /// A template file named in the config is not in the base branch's tree.
    #[error("{key}: `{path}` is not a file of the base branch")]
    NotInBase {
        /// The config key naming the template (`templates.pr_comment`, ...).
        key: String,
        /// The template's path, as the config gives it.
        path: String,
    },
    /// A template file read from the base branch is not valid UTF-8.
    #[error("{key}: not UTF-8")]
    NotUtf8 {
        /// The config key naming the template.
        key: String,
    },
    /// A template file cannot be read from the base branch.
    #[error("{key}: {reason}")]
    Unreadable {
        /// The config key naming the template.
        key: String,
        /// Why it cannot be read.
        reason: String,
    },
    /// A template does not compile.
    #[error("template {name}: {reason}")]
    Invalid {
        /// The override's path, or the embedded template's name.
        name: String,
        /// The template engine's message.
        reason: String,
    },
    /// No template has the name asked for; holds the engine's message.
    #[error("{0}")]
    Unknown(String),
    /// A template fails while rendering.
    #[error("cannot render {name}: {reason}")]
    Render {
        /// The template's name.
        name: String,
        /// The template engine's message.
        reason: String,
    },
}

/// The project folder cannot be listed.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    /// The project path is not a directory.
    #[error(
        "{}: not a directory\n  hint: pass the folder holding the project's SQL files with --project",
        .0.display()
    )]
    NotADirectory(std::path::PathBuf),
    /// A folder of the project cannot be listed.
    #[error("cannot list {}: {source}\n  hint: check the folder's permissions", .folder.display())]
    CannotList {
        /// The folder.
        folder: std::path::PathBuf,
        /// Why it cannot be listed.
        #[source]
        source: std::io::Error,
    },
    /// Every `.sql` file under the project is excluded: an empty graph would
    /// look like a project without tables.
    #[error(
        "none of the project's {count} .sql file(s) is read: all are excluded, e.g. `{example}`\n  hint: {hint}"
    )]
    AllExcluded {
        /// The project folder.
        dir: std::path::PathBuf,
        /// How many `.sql` files are there (up to the walk's bound).
        count: usize,
        /// One of them, relative to the project, escaped for display.
        example: String,
        /// Where the pipelines may be instead.
        hint: String,
    },
}

/// The impact of a release cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    /// A table asked to be re-versioned, or impacted by a schema change, is
    /// not a table of the project; holds its name, shortened.
    #[error(
        "`{0}` is not a table of the project\n  hint: name a table defined in the project (see `greenlight graph`)"
    )]
    NotATable(String),
    /// An entry of `upgrade.tables` is not a table of the project; holds it,
    /// shortened.
    #[error(
        "upgrade.tables: `{0}` is not a table of the project\n  hint: name a table (or its name without the version suffix) defined in the project, or remove the entry"
    )]
    UnknownUpgradeTable(String),
    /// Two tables would get the same next version.
    #[error(
        "tables `{first}` and `{second}` would both be renamed to `{green}`\n  hint: bump one of them by hand to a free version"
    )]
    SameGreen {
        /// One of the tables.
        first: String,
        /// The other table.
        second: String,
        /// The name both would get.
        green: String,
    },
    /// A table's next version is already the name of an external table the
    /// project reads.
    #[error(
        "the next version of `{table}` is `{green}`, which is already read as an external table{reader}; after the rewrite it would read the new `{green}`\n  hint: rename that external table in the SQL, or bump `{table}` by hand to a free version"
    )]
    ReadAsExternal {
        /// The table to re-version.
        table: String,
        /// Its next version.
        green: String,
        /// ` by `reader` at file:line:col`, or empty.
        reader: String,
    },
    /// A table's next version is already a table of the working tree or the base.
    #[error(
        "the next version of `{table}` is `{green}`, which already exists in {side}{at}\n  hint: drop or rename the old `{green}`, or bump `{table}` by hand to a free version"
    )]
    Exists {
        /// The table to re-version.
        table: String,
        /// Its next version.
        green: String,
        /// Where it exists: `the working tree` or `the base`.
        side: &'static str,
        /// ` (file:line:col)`, or empty.
        at: String,
    },
    /// A table of the base is deleted but tables of the working tree still read it.
    #[error(
        "table `{table}` was deleted but is still read by: {}\n  hint: remove those reads, or keep the table's DDL and DML",
        .readers.join(", ")
    )]
    DeletedStillRead {
        /// The deleted table.
        table: String,
        /// The tables still reading it, each with where it reads it when known.
        readers: Vec<String>,
    },
    /// No name tells two tables apart, even fully qualified.
    #[error(
        "tables `{first}` and `{second}` cannot be told apart by their names\n  hint: rename one of them"
    )]
    Indistinct {
        /// One of the tables, fully qualified.
        first: String,
        /// The other table, fully qualified.
        second: String,
    },
}

/// A rewrite that cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RewriteError {
    /// A table name cannot be written as its new name.
    #[error(
        "{}:{line}:{col}: cannot rename `{from}` to `{to}`: {reason}\n  hint: quote the name with backquotes in the SQL, or bump it by hand",
        shown_path(path)
    )]
    CannotRename {
        /// The file, relative to the project directory.
        path: String,
        /// 1-based line of the name.
        line: u32,
        /// 1-based column of the name, in characters.
        col: u32,
        /// The name as written.
        from: String,
        /// The new name.
        to: String,
        /// Why it cannot be written.
        reason: crate::sql::RenameError,
    },
    /// The edits of a file cannot be applied.
    #[error("{}: {reason}", shown_path(path))]
    Spans {
        /// The file, relative to the project directory.
        path: String,
        /// Why they cannot be applied.
        reason: crate::sql::RenameError,
    },
    /// The rewritten project differs from the original in more than table
    /// names; holds what differs.
    #[error(
        "the rewrite would change more than table names: {0}; nothing was written\n  hint: this is a greenlight bug: please report it with the SQL involved"
    )]
    BeyondNames(String),
}

fn join_lines(errors: &[FileError]) -> String {
    let lines: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    lines.join("\n")
}

/// A result whose error is [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
