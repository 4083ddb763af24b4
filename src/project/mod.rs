//! The project: discovery of SQL files and the tables they define.
mod layout;
mod load;
mod model;

pub use layout::{FileLayout, TableKind, layout_of};
pub use load::{
    DEFAULT_EXCLUDES, SqlFile, analyze_bytes, analyze_texts, collect_files, discover,
    exclusion_set, is_sql_path, read_files, relative, unreadable, walk_sql,
};
pub use model::{Loc, Project, Resolved, Table};

use std::path::Path;

use crate::error::Result;

/// Discovers, reads and models the project under `dir`.
pub fn load(dir: &Path, excludes: &[String]) -> Result<Project> {
    let set = exclusion_set(excludes)?;
    let paths = discover(dir, &set)?;
    let files = read_files(dir, &paths)?;
    Project::build(files)
}
