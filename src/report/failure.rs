//! The comment of a failed analysis: the files with problems as a table,
//! the error in a code block, repository-relative paths only, under
//! GitHub's size limit however many files are broken.
use serde::Serialize;

use crate::error::{FileError, Result};

use super::escape::{relative_paths, truncate_lines};
use super::plan::{COMMENT_LIMIT, COMMENT_MARKER, with_marker};
use super::templates::{FAILURE, Renderer};

/// What went wrong.
#[derive(Debug, Clone, Copy)]
pub struct Failure<'a> {
    /// The error as `{e:#}` prints it.
    pub error: &'a str,
    /// The files with problems (`Error::Files`), paths relative to the
    /// project; empty for another error.
    pub files: &'a [FileError],
    /// The project's folder in the repository (`""` at the root): prefixed
    /// to the files' paths.
    pub project_prefix: &'a str,
    /// Absolute directories to strip from the error text (the runner's
    /// workspace, its temp folder): what is left is repository-relative.
    pub strip: &'a [&'a str],
}

#[derive(Debug, Serialize)]
struct FileRow {
    path: String,
    line: u32,
    col: u32,
    message: String,
    hint: String,
}

#[derive(Debug, Serialize)]
struct FailureView<'a> {
    marker: &'a str,
    error: String,
    files: Vec<FileRow>,
    files_more: usize,
    files_total: usize,
    file_count: usize,
}

/// (rows, bytes of the error text) per rung: a screenful of problems
/// (the job's annotations and log have every one).
const LADDER: &[(usize, usize)] = &[(50, 20_000), (30, 8_000), (10, 2_000), (0, 1_000)];

/// The failure comment: always under GitHub's size limit, starting with
/// the sticky comment's marker.
pub fn failure_comment(r: &Renderer, f: &Failure<'_>) -> Result<String> {
    let error = relative_paths(f.error, f.strip);
    let prefix = f.project_prefix.trim_matches('/');
    let rel = |p: &str| {
        let p = relative_paths(p, f.strip);
        if prefix.is_empty() || p.starts_with('/') {
            p
        } else {
            format!("{prefix}/{p}")
        }
    };
    let mut paths: Vec<&str> = f.files.iter().map(|e| e.path.as_str()).collect();
    paths.sort_unstable();
    paths.dedup();
    let mut last = String::new();
    for &(rows, bytes) in LADDER {
        let view = FailureView {
            marker: COMMENT_MARKER,
            error: truncate_lines(&error, bytes),
            files: f
                .files
                .iter()
                .take(rows)
                .map(|e| FileRow {
                    path: rel(&e.path),
                    line: e.line,
                    col: e.col,
                    message: relative_paths(&e.message, f.strip),
                    hint: relative_paths(&e.hint, f.strip),
                })
                .collect(),
            files_more: f.files.len().saturating_sub(rows),
            files_total: f.files.len(),
            file_count: paths.len(),
        };
        last = r.render(FAILURE, &view)?;
        if last.len() <= COMMENT_LIMIT {
            break;
        }
    }
    Ok(with_marker(last))
}
