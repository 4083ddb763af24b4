//! Reading SQL files: discovery on disk and parallel analysis.
use std::path::Path;

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;

use super::names::Settings;
use crate::error::{ConfigError, Error, FileError, ProjectError, Result};
use crate::sql::{self, Statement};

/// One analysed SQL file.
#[derive(Debug, Clone)]
pub struct SqlFile {
    /// Relative to the project directory, `/`-separated.
    pub path: String,
    /// Its statements, in file order.
    pub statements: Vec<Statement>,
}

/// Default exclusions: test SQL beside `sql-scripts/` and build folders.
pub const DEFAULT_EXCLUDES: &[&str] = &[
    "**/tests/**",
    "**/target/**",
    "**/node_modules/**",
    "**/.*/**",
];

/// The default exclusions plus `patterns` (the config's `exclude`), as one
/// glob set.
pub fn exclusion_set(patterns: &[String]) -> Result<GlobSet> {
    let mut b = GlobSetBuilder::new();
    for p in DEFAULT_EXCLUDES
        .iter()
        .copied()
        .chain(patterns.iter().map(String::as_str))
    {
        let glob = Glob::new(p).map_err(|e| ConfigError::Exclude {
            pattern: p.to_string(),
            reason: e.to_string(),
        })?;
        b.add(glob);
    }
    b.build()
        .map_err(|e| Error::from(ConfigError::Excludes(e.to_string())))
}

/// Relative paths of the `.sql` files under `dir`, sorted, exclusions applied.
pub fn discover(dir: &Path, excludes: &GlobSet) -> Result<Vec<String>> {
    Ok(walk_sql(dir, excludes, |_| ())?
        .into_iter()
        .map(|(path, ())| path)
        .collect())
}

/// Walks `dir` in parallel and calls `visit` on each `.sql` file (with its
/// relative, `/`-separated path) as soon as it is found, so reading and
/// analysing overlap the walk. Sorted by path. Symbolic links are not
/// followed; folders that the default exclusions drop entirely (`.git/`,
/// `tests/`, ...) are not walked.
pub fn walk_sql<T: Send>(
    dir: &Path,
    excludes: &GlobSet,
    visit: impl Fn(&str) -> T + Sync,
) -> Result<Vec<(String, T)>> {
    if !dir.is_dir() {
        return Err(ProjectError::NotADirectory(dir.to_path_buf()).into());
    }
    let mut out = walk_folder(dir, "", excludes, &visit)?;
    if out.is_empty() {
        all_excluded(dir)?;
    }
    out.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// The folders and files [`all_excluded`] looks at, at most.
const EXCLUDED_WALK_BOUND: usize = 100_000;

/// An error when `dir` holds `.sql` files though none is read (all under
/// `tests/`, hidden folders... or matched by `exclude`): pointed at a
/// repository whose pipelines sit below such a folder, greenlight would
/// otherwise report a project without tables.
fn all_excluded(dir: &Path) -> Result<()> {
    let mut pending = vec![(dir.to_path_buf(), String::new())];
    let (mut count, mut example, mut seen) = (0usize, None::<String>, 0usize);
    while let Some((folder, rel)) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            seen += 1;
            if seen > EXCLUDED_WALK_BOUND {
                break;
            }
            let name = entry.file_name();
            let path = if rel.is_empty() {
                name.to_string_lossy().into_owned()
            } else {
                format!("{rel}/{}", name.to_string_lossy())
            };
            match entry.file_type() {
                Ok(t) if t.is_dir() => pending.push((entry.path(), path)),
                Ok(t) if t.is_file() && is_sql_name(&name) => {
                    count += 1;
                    // Rather a file of `tests/` than of a hidden folder.
                    let rank = |p: &str| (p.starts_with('.') || p.contains("/."), p.to_string());
                    if example.as_ref().is_none_or(|e| rank(&path) < rank(e)) {
                        example = Some(path);
                    }
                }
                _ => {}
            }
        }
    }
    let Some(example) = example else {
        return Ok(());
    };
    Err(ProjectError::AllExcluded {
        dir: dir.to_path_buf(),
        count,
        hint: excluded_hint(&example),
        example: crate::error::shown_path(&example).into_owned(),
    }
    .into())
}

/// What to do about an excluded file: point `--project` below the folder
/// the default exclusions drop, or check `exclude`.
fn excluded_hint(example: &str) -> String {
    let parts: Vec<&str> = example.split('/').collect();
    let dropped = parts[..parts.len() - 1]
        .iter()
        .position(|p| pruned(std::ffi::OsStr::new(p)));
    match dropped {
        Some(k) => format!(
            "files under tests/, target/, node_modules/ and hidden folders are never read; if the pipelines are there, pass that folder with --project (the action's `project-dir` input): `{}`",
            crate::error::shown_path(&parts[..=k].join("/"))
        ),
        None => "`exclude` in greenlight.yaml matches every .sql file: narrow it".into(),
    }
}

fn walk_folder<T: Send>(
    folder: &Path,
    rel: &str,
    excludes: &GlobSet,
    visit: &(impl Fn(&str) -> T + Sync),
) -> Result<Vec<(String, T)>> {
    let cannot_list = |source: std::io::Error| {
        Error::from(ProjectError::CannotList {
            folder: folder.to_path_buf(),
            source,
        })
    };
    let entries = std::fs::read_dir(folder)
        .map_err(cannot_list)?
        .collect::<std::io::Result<Vec<_>>>()
        .map_err(cannot_list)?;
    let found: Vec<Vec<(String, T)>> = entries
        .into_par_iter()
        .map(|entry| -> Result<Vec<(String, T)>> {
            let kind = entry.file_type().map_err(cannot_list)?;
            let name = entry.file_name();
            let path = if rel.is_empty() {
                name.to_string_lossy().into_owned()
            } else {
                format!("{rel}/{}", name.to_string_lossy())
            };
            if kind.is_dir() && !pruned(&name) {
                walk_folder(&entry.path(), &path, excludes, visit)
            } else if kind.is_file() && is_sql_name(&name) && !excludes.is_match(&path) {
                let result = visit(&path);
                Ok(vec![(path, result)])
            } else {
                Ok(Vec::new())
            }
        })
        .collect::<Result<_>>()?;
    Ok(found.into_iter().flatten().collect())
}

/// Folders whose files [`DEFAULT_EXCLUDES`] always exclude: `tests`,
/// `target`, `node_modules` and hidden folders (`**/.*/**`).
fn pruned(name: &std::ffi::OsStr) -> bool {
    let name = name.as_encoded_bytes();
    name.first() == Some(&b'.') || name == b"tests" || name == b"target" || name == b"node_modules"
}

/// `Path::extension() == "sql"` without parsing the path: `x.sql`, not `.sql`.
fn is_sql_name(name: &std::ffi::OsStr) -> bool {
    is_sql_bytes(name.as_encoded_bytes())
}

fn is_sql_bytes(name: &[u8]) -> bool {
    name.len() > 4 && name.ends_with(b".sql")
}

/// Whether a `/`-separated relative path names a SQL file, as [`discover`]
/// finds them (exclusions aside).
pub fn is_sql_path(path: &str) -> bool {
    is_sql_bytes(path.rsplit('/').next().unwrap_or(path).as_bytes())
}

/// `path` relative to `dir`, `/`-separated (`path` itself when not under
/// `dir`).
pub fn relative(dir: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(dir).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// Reads and analyses files from disk in parallel.
pub fn read_files(dir: &Path, paths: &[String]) -> Result<Vec<SqlFile>> {
    read_files_with(dir, paths, &Settings::default())
}

/// [`read_files`] with the project's settings (the size limit): a file
/// over the limit is refused before it is read.
pub fn read_files_with(dir: &Path, paths: &[String], settings: &Settings) -> Result<Vec<SqlFile>> {
    let results: Vec<std::result::Result<SqlFile, FileError>> = paths
        .par_iter()
        .map(
            |p| match read_limited(&dir.join(p), settings.max_file_bytes) {
                Ok(Ok(bytes)) => analyze_bytes_with(p, &bytes, settings),
                Ok(Err(len)) => Err(too_large(p, len, settings.max_file_bytes)),
                Err(e) => Err(unreadable(p, &e)),
            },
        )
        .collect();
    collect_files(results)
}

/// A file's bytes, or its length when it is over `max` (then not read).
/// As `std::fs::read`: one open, one fstat, the reads.
fn read_limited(path: &Path, max: u64) -> std::io::Result<std::result::Result<Vec<u8>, u64>> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    if len > max {
        return Ok(Err(len));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.read_to_end(&mut bytes)?;
    Ok(Ok(bytes))
}

/// The error of a SQL file over `max_sql_file_bytes`.
pub fn too_large(path: &str, len: u64, max: u64) -> FileError {
    FileError {
        path: path.to_string(),
        line: 1,
        col: 1,
        message: format!(
            "the file is {len} bytes, over the limit of {max} bytes for a SQL file (max_sql_file_bytes)"
        ),
        hint: "split it into smaller files, or raise `max_sql_file_bytes` in greenlight.yaml"
            .into(),
    }
}

/// The error of a file that cannot be read.
pub fn unreadable(path: &str, e: &std::io::Error) -> FileError {
    FileError {
        path: path.to_string(),
        line: 1,
        col: 1,
        message: format!("cannot read the file: {e}"),
        hint: "check the file's permissions".into(),
    }
}

/// Analyses in-memory texts (files from a git tree, rewritten texts).
pub fn analyze_texts(texts: &[(String, Vec<u8>)]) -> Result<Vec<SqlFile>> {
    analyze_texts_with(texts, &Settings::default())
}

/// [`analyze_texts`] with the project's settings.
pub fn analyze_texts_with(
    texts: &[(String, Vec<u8>)],
    settings: &Settings,
) -> Result<Vec<SqlFile>> {
    let results: Vec<_> = texts
        .par_iter()
        .map(|(p, b)| analyze_bytes_with(p, b, settings))
        .collect();
    collect_files(results)
}

/// The analysed files, or every error among them.
pub fn collect_files(
    results: Vec<std::result::Result<SqlFile, FileError>>,
) -> Result<Vec<SqlFile>> {
    let mut files = Vec::with_capacity(results.len());
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(f) => files.push(f),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(files)
    } else {
        Err(Error::Files(errors))
    }
}

/// Decodes and analyses one file's bytes.
pub fn analyze_bytes(path: &str, bytes: &[u8]) -> std::result::Result<SqlFile, FileError> {
    analyze_bytes_with(path, bytes, &Settings::default())
}

/// [`analyze_bytes`] with the project's settings: a file over the size
/// limit is refused.
pub fn analyze_bytes_with(
    path: &str,
    bytes: &[u8],
    settings: &Settings,
) -> std::result::Result<SqlFile, FileError> {
    if bytes.len() as u64 > settings.max_file_bytes {
        return Err(too_large(path, bytes.len() as u64, settings.max_file_bytes));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let valid = &bytes[..e.valid_up_to()];
        let line = valid.iter().filter(|b| **b == b'\n').count() as u32 + 1;
        let line_start = valid.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
        let col = String::from_utf8_lossy(&valid[line_start..])
            .chars()
            .count() as u32
            + 1;
        FileError {
            path: path.to_string(),
            line,
            col,
            message: "the file is not valid UTF-8".into(),
            hint: "save the file as UTF-8".into(),
        }
    })?;
    let statements = sql::analyze(text).map_err(|e| FileError {
        path: path.to_string(),
        line: e.line,
        col: e.col,
        message: e.message,
        hint: e.hint,
    })?;
    Ok(SqlFile {
        path: path.to_string(),
        statements,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_over_the_size_limit_are_refused() {
        let settings = Settings {
            max_file_bytes: 16,
            ..Settings::default()
        };
        let e = analyze_bytes_with("big.sql", b"SELECT 1 FROM some_table;", &settings).unwrap_err();
        assert_eq!((e.path.as_str(), e.line, e.col), ("big.sql", 1, 1));
        assert!(e.message.contains("max_sql_file_bytes"), "{e}");
        assert!(e.hint.contains("greenlight.yaml"), "{e}");
        assert!(analyze_bytes_with("ok.sql", b"SELECT 1;", &settings).is_ok());
        let dir = tempfile::TempDir::new().unwrap();
        std::fs::write(dir.path().join("big.sql"), "SELECT 1 FROM some_table;").unwrap();
        let e = read_files_with(dir.path(), &["big.sql".to_string()], &settings).unwrap_err();
        assert!(
            e.to_string().contains("big.sql:1:1: the file is 25 bytes"),
            "{e}"
        );
    }

    #[test]
    fn invalid_utf8_names_line_and_column() {
        let e = analyze_bytes("a.sql", b"SELECT 1;\nSELECT '\xff'").unwrap_err();
        assert_eq!((e.line, e.col), (2, 9));
        assert!(e.message.contains("UTF-8"));
    }
}
