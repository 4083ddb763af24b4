//! Real git repositories in temp dirs, with fixed authors and dates.
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

pub(crate) struct TempRepo {
    pub dir: TempDir,
}

fn git_env(cmd: &mut Command) -> &mut Command {
    cmd.env("GIT_AUTHOR_NAME", "Ada Engineer")
        .env("GIT_AUTHOR_EMAIL", "ada@example.com")
        .env("GIT_COMMITTER_NAME", "Ada Engineer")
        .env("GIT_COMMITTER_EMAIL", "ada@example.com")
        .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
}

pub(crate) fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

impl TempRepo {
    /// A repository with `files` committed on `main`.
    pub(crate) fn new(files: &[(&str, &str)]) -> TempRepo {
        let repo = TempRepo {
            dir: TempDir::new().unwrap(),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        for (p, c) in files {
            repo.write(p, c);
        }
        repo.commit("initial");
        repo
    }

    /// A repository holding a copy of a folder of this project.
    pub(crate) fn from_dir(src: &Path) -> TempRepo {
        let repo = TempRepo {
            dir: TempDir::new().unwrap(),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        copy_tree(src, repo.path());
        repo.commit("initial");
        repo
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    pub(crate) fn git(&self, args: &[&str]) -> String {
        let out = git_env(Command::new("git").args(args).current_dir(self.path()))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub(crate) fn write(&self, rel: &str, content: &str) {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }

    pub(crate) fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path().join(rel)).unwrap()
    }

    pub(crate) fn edit(&self, rel: &str, f: impl FnOnce(&str) -> String) {
        let new = f(&self.read(rel));
        self.write(rel, &new);
    }

    pub(crate) fn remove(&self, rel: &str) {
        std::fs::remove_file(self.path().join(rel)).unwrap();
    }

    pub(crate) fn commit(&self, msg: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", msg]);
    }

    pub(crate) fn tag(&self, name: &str) {
        self.git(&["tag", name]);
    }

    /// Runs greenlight in the repository.
    pub(crate) fn run(&self, args: &[&str]) -> Output {
        greenlight_in(self.path(), args)
    }

    /// Runs greenlight and returns stdout, asserting the exit code.
    pub(crate) fn ok(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "greenlight {args:?}\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs greenlight expecting exit 1; returns stderr.
    pub(crate) fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "expected failure, stdout: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    /// `changes --format json`, parsed.
    pub(crate) fn changes(&self, extra: &[&str]) -> serde_json::Value {
        let mut args = vec!["changes", "--format", "json"];
        args.extend_from_slice(extra);
        serde_json::from_str(&self.ok(&args, 0)).unwrap()
    }

    /// Tracked files and their contents.
    pub(crate) fn snapshot(&self) -> Vec<(PathBuf, String)> {
        let mut v: Vec<_> = walkdir::WalkDir::new(self.path())
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| {
                e.file_type().is_file() && !e.path().components().any(|c| c.as_os_str() == ".git")
            })
            .map(|e| {
                (
                    e.path().to_path_buf(),
                    std::fs::read_to_string(e.path()).unwrap_or_default(),
                )
            })
            .collect();
        v.sort();
        v
    }
}

pub(crate) fn greenlight_in(dir: &Path, args: &[&str]) -> Output {
    git_env(&mut Command::new(env!("CARGO_BIN_EXE_greenlight")))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}
