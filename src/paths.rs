//! Paths named by the config or the pull request (force file, templates,
//! schema files, the config itself): the one owner of "paths stay inside
//! the repository". A path is relative, has no `..`, and resolves (after
//! following every symbolic link) to a regular file inside the repository's
//! work tree and outside its git directory, or it is refused with the key
//! that named it.
use std::path::{Component, Path, PathBuf};

/// Why a path was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error(
        "`{key}`: `{shown}` must be a path relative to the project, inside the repository\n  hint: give a relative path without `..`, such as `greenlight-force.txt`"
    )]
    NotRelative { key: String, shown: String },
    #[error(
        "`{key}`: `{shown}` resolves outside the repository (through a symbolic link): refused\n  hint: keep the file in the repository, as a regular file, not a link to elsewhere"
    )]
    Outside { key: String, shown: String },
    #[error(
        "`{key}`: `{shown}` is inside the git directory: refused\n  hint: name a file of the work tree"
    )]
    GitDir { key: String, shown: String },
    #[error("`{key}`: `{shown}` is not a regular file\n  hint: name a file of the repository")]
    NotAFile { key: String, shown: String },
    #[error("`{key}`: cannot read `{shown}`: {reason}")]
    Io {
        key: String,
        shown: String,
        reason: String,
    },
}

/// The repository a project lives in: its work tree and git directory,
/// canonical.
#[derive(Debug, Clone)]
pub struct Repository {
    work_tree: PathBuf,
    git_dir: Option<PathBuf>,
}

impl Repository {
    /// The repository holding `dir` (found with git's discovery); a
    /// directory outside any repository is its own root.
    pub fn around(dir: &Path) -> Repository {
        let canonical = |p: &Path| {
            p.canonicalize()
                .or_else(|_| std::path::absolute(p))
                .unwrap_or_else(|_| p.to_path_buf())
        };
        match git2::Repository::discover(dir) {
            Ok(r) => Repository {
                work_tree: canonical(r.workdir().unwrap_or(dir)),
                git_dir: Some(canonical(r.path())),
            },
            Err(_) => Repository {
                work_tree: canonical(dir),
                git_dir: None,
            },
        }
    }

    pub fn work_tree(&self) -> &Path {
        &self.work_tree
    }

    /// Resolves `value` (named by `key`) relative to `base`, a directory of
    /// the repository. A path that does not exist yet is checked as far as
    /// it exists.
    pub fn resolve(&self, base: &Path, value: &str, key: &str) -> Result<PathBuf, PathError> {
        let shown = excerpt(value, 120);
        let relative = Path::new(value);
        let lexical_ok = !value.is_empty()
            && !value.contains('\0')
            && relative
                .components()
                .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
        if !lexical_ok {
            return Err(PathError::NotRelative {
                key: key.into(),
                shown,
            });
        }
        let joined = base.join(relative);
        // The longest existing prefix, canonical (links followed), then the
        // rest as written.
        let mut existing = joined.as_path();
        let mut rest: Vec<&std::ffi::OsStr> = Vec::new();
        let canonical = loop {
            let probe = if existing.as_os_str().is_empty() {
                Path::new(".")
            } else {
                existing
            };
            match probe.canonicalize() {
                Ok(c) => break c,
                Err(_) => {
                    let Some(parent) = existing.parent() else {
                        return Err(PathError::Outside {
                            key: key.into(),
                            shown,
                        });
                    };
                    if let Some(name) = existing.file_name() {
                        rest.push(name);
                    }
                    existing = parent;
                }
            }
        };
        let mut full = canonical;
        for part in rest.iter().rev() {
            full.push(part);
        }
        if !full.starts_with(&self.work_tree) {
            return Err(PathError::Outside {
                key: key.into(),
                shown,
            });
        }
        let in_git_dir = self.git_dir.as_ref().is_some_and(|g| full.starts_with(g))
            || full
                .strip_prefix(&self.work_tree)
                .is_ok_and(|r| r.components().any(|c| c.as_os_str() == ".git"));
        if in_git_dir {
            return Err(PathError::GitDir {
                key: key.into(),
                shown,
            });
        }
        Ok(full)
    }

    /// Reads the file `value` names, or None when it does not exist.
    pub fn read(&self, base: &Path, value: &str, key: &str) -> Result<Option<String>, PathError> {
        let path = self.resolve(base, value, key)?;
        let shown = || excerpt(value, 120);
        match std::fs::metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(PathError::Io {
                    key: key.into(),
                    shown: shown(),
                    reason: e.to_string(),
                });
            }
            Ok(m) if !m.is_file() => {
                return Err(PathError::NotAFile {
                    key: key.into(),
                    shown: shown(),
                });
            }
            Ok(_) => {}
        }
        std::fs::read_to_string(&path)
            .map(Some)
            .map_err(|e| PathError::Io {
                key: key.into(),
                shown: shown(),
                reason: e.to_string(),
            })
    }
}

/// At most `max` characters of untrusted text, control characters and
/// backquotes escaped, for quoting in an error: never the content of a
/// file beyond a short, inert excerpt.
pub(crate) fn excerpt(text: &str, max: usize) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        match c {
            '`' => out.push('\''),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> (tempfile::TempDir, Repository) {
        let dir = tempfile::TempDir::new().unwrap();
        git2::Repository::init(dir.path()).unwrap();
        std::fs::create_dir_all(dir.path().join("p/sub")).unwrap();
        std::fs::write(dir.path().join("p/force.txt"), "t\n").unwrap();
        let r = Repository::around(&dir.path().join("p"));
        (dir, r)
    }

    #[test]
    fn relative_paths_inside_the_work_tree_are_read() {
        let (dir, r) = repo();
        let base = dir.path().join("p");
        assert_eq!(
            r.read(&base, "force.txt", "force_file").unwrap().as_deref(),
            Some("t\n")
        );
        assert_eq!(r.read(&base, "./sub/none.txt", "force_file").unwrap(), None);
    }

    #[test]
    fn absolute_dotdot_and_git_paths_are_refused_with_the_key() {
        let (dir, r) = repo();
        let base = dir.path().join("p");
        for (value, want) in [
            (
                "/proc/self/environ",
                "must be a path relative to the project",
            ),
            ("../.git/config", "must be a path relative to the project"),
            ("", "must be a path relative to the project"),
        ] {
            let e = r.read(&base, value, "force_file").unwrap_err().to_string();
            assert!(e.starts_with("`force_file`: "), "{e}");
            assert!(e.contains(want), "{e}");
        }
        std::os::unix::fs::symlink("../.git/config", base.join("cfg")).unwrap();
        let e = r.read(&base, "cfg", "templates.pr_comment").unwrap_err();
        assert!(matches!(e, PathError::GitDir { .. }), "{e}");
        let e = r.read(dir.path(), ".git/config", "k").unwrap_err();
        assert!(matches!(e, PathError::GitDir { .. }), "{e}");
    }

    #[test]
    fn links_out_of_the_repository_are_refused() {
        let (dir, r) = repo();
        let base = dir.path().join("p");
        std::os::unix::fs::symlink("/proc/self/environ", base.join("env.txt")).unwrap();
        std::os::unix::fs::symlink("/etc", base.join("etc")).unwrap();
        for v in ["env.txt", "etc/passwd", "etc/missing/x"] {
            let e = r.read(&base, v, "force_file").unwrap_err();
            assert!(matches!(e, PathError::Outside { .. }), "{v}: {e}");
            assert!(e.to_string().contains("outside the repository"), "{e}");
        }
    }

    #[test]
    fn excerpts_are_short_and_inert() {
        assert_eq!(excerpt("a\nb`c", 10), "a\\nb'c");
        assert_eq!(excerpt("abcdef", 3), "abc…");
    }
}
