//! The project: discovery of SQL files and the tables they define.
mod layout;
mod load;
mod model;
mod names;

pub use layout::{FileLayout, TableKind, layout_of};
pub use load::{
    DEFAULT_EXCLUDES, SqlFile, analyze_bytes, analyze_bytes_with, analyze_texts,
    analyze_texts_with, collect_files, discover, exclusion_set, is_sql_path, read_files,
    read_files_with, relative, too_large, unreadable, walk_sql,
};
pub use model::{Loc, Project, Resolved, Table};
pub use names::{DEFAULT_MAX_SQL_FILE_BYTES, Settings, TableId, display_names};

use std::path::Path;

use crate::error::Result;

/// Discovers, reads and models the project under `dir` (default settings).
pub fn load(dir: &Path, excludes: &[String]) -> Result<Project> {
    load_with(dir, excludes, &Settings::default())
}

/// Discovers, reads and models the project under `dir` with `settings`
/// (default catalog and database, size limit: [`Settings::from_config`]).
pub fn load_with(dir: &Path, excludes: &[String], settings: &Settings) -> Result<Project> {
    let set = exclusion_set(excludes)?;
    let paths = discover(dir, &set)?;
    let files = read_files_with(dir, &paths, settings)?;
    Project::build_with(files, settings)
}
