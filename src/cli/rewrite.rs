//! `greenlight rewrite`: rename impacted tables in the SQL files, all or nothing.
use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;

use super::{Outcome, ProjectArgs, ReleaseArgs};
use crate::project::{self, Project};
use crate::rewrite::{self, FileRewrite};

pub struct RewriteOptions {
    pub check: bool,
    pub diff: bool,
    pub allow_dirty: bool,
}

pub fn run(
    args: &ProjectArgs,
    rel: &ReleaseArgs,
    opts: &RewriteOptions,
) -> anyhow::Result<Outcome> {
    let require_clean = !opts.check && !opts.allow_dirty;
    let config = crate::config::Config::load(&args.project, args.config.as_deref())?;
    let release = super::analyze_release_with(args, rel, &config, require_clean)?;
    let rewrites = compute(&args.project, &release.head, &release.impact.renames)?;
    if opts.diff {
        print!("{}", unified_diff(&rewrites));
    }
    if rewrites.is_empty() {
        eprintln!("nothing to rewrite: every impacted table already has its green name");
        return Ok(Outcome::Ok);
    }
    let summary = renames_summary(&release.impact.renames);
    if opts.check {
        eprintln!("{} file(s) need rewriting: {summary}", rewrites.len());
        return Ok(Outcome::Pending);
    }
    write_all(&args.project, &rewrites)?;
    eprintln!("rewrote {} file(s): {summary}", rewrites.len());
    Ok(Outcome::Ok)
}

/// The renames for a one-line message: the first few, then how many more.
fn renames_summary(renames: &BTreeMap<String, String>) -> String {
    const SHOWN: usize = 10;
    let mut summary: Vec<String> = renames
        .iter()
        .take(SHOWN)
        .map(|(a, b)| format!("{a} -> {b}"))
        .collect();
    if renames.len() > SHOWN {
        summary.push(format!(
            "and {} more (`greenlight changes` lists them all)",
            renames.len() - SHOWN
        ));
    }
    summary.join(", ")
}

/// The rewritten files, verified: re-analysing the project with them gives
/// the old graph with the renames applied.
pub fn compute(
    dir: &Path,
    head: &Project,
    renames: &BTreeMap<String, String>,
) -> anyhow::Result<Vec<FileRewrite>> {
    let edits = rewrite::plan_edits(head, renames)?;
    let mut rewrites = Vec::new();
    for (path, edits) in &edits {
        let full = dir.join(path);
        let before = std::fs::read_to_string(&full)
            .with_context(|| format!("cannot read {}", full.display()))?;
        let after = rewrite::apply(path, &before, edits)?;
        if after != before {
            rewrites.push(FileRewrite {
                path: path.clone(),
                before,
                after,
            });
        }
    }
    if rewrites.is_empty() {
        return Ok(rewrites);
    }
    let texts: Vec<(String, Vec<u8>)> = rewrites
        .iter()
        .map(|r| (r.path.clone(), r.after.clone().into_bytes()))
        .collect();
    let mut analysed: std::collections::HashMap<String, crate::project::SqlFile> =
        project::analyze_texts_with(&texts, head.settings())?
            .into_iter()
            .map(|f| (f.path.clone(), f))
            .collect();
    let files: Vec<crate::project::SqlFile> = head
        .files
        .iter()
        .map(|f| analysed.remove(&f.path).unwrap_or_else(|| f.clone()))
        .collect();
    let after = Project::build_with(files, head.settings())?;
    rewrite::verify(head, &after, renames)?;
    Ok(rewrites)
}

/// Writes every rewritten file in place, all or nothing. Every file is first
/// opened for writing, so a file that cannot be written stops the rewrite
/// before anything changes; then each is overwritten (in parallel, without
/// truncating first: on ext4 that is ten times faster than replacing the
/// file, and it keeps the file's mode and links). If a write fails, every
/// file gets its old text back.
pub fn write_all(dir: &Path, rewrites: &[FileRewrite]) -> anyhow::Result<()> {
    use rayon::prelude::*;
    rewrites.par_iter().try_for_each(|r| {
        open_for_writing(&dir.join(&r.path))
            .map(drop)
            .with_context(|| format!("cannot write {}; nothing was changed", r.path))
    })?;
    let written: Vec<std::io::Result<()>> = rewrites
        .par_iter()
        .map(|r| overwrite(&dir.join(&r.path), &r.after))
        .collect();
    let Some((failed, error)) = rewrites
        .iter()
        .zip(written)
        .find_map(|(r, w)| w.err().map(|e| (r, e)))
    else {
        return Ok(());
    };
    let unrestored: Vec<&str> = rewrites
        .par_iter()
        .filter(|r| overwrite(&dir.join(&r.path), &r.before).is_err())
        .map(|r| r.path.as_str())
        .collect();
    let context = if unrestored.is_empty() {
        format!(
            "cannot write {}; every file was given back its old text, nothing was changed",
            failed.path
        )
    } else {
        format!(
            "cannot write {}, and {} file(s) could not be given back their old text: {}\n  hint: restore them from git (git checkout -- FILE) before running greenlight again",
            failed.path,
            unrestored.len(),
            unrestored.join(", ")
        )
    };
    Err(error).context(context)
}

fn open_for_writing(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new().write(true).open(path)
}

/// Overwrites a file with `text`, then cuts what is left of the old text.
fn overwrite(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = open_for_writing(path)?;
    file.write_all(text.as_bytes())?;
    file.set_len(text.len() as u64)
}

pub fn unified_diff(rewrites: &[FileRewrite]) -> String {
    let mut out = String::new();
    for r in rewrites {
        let diff = similar::TextDiff::from_lines(&r.before, &r.after);
        out.push_str(
            &diff
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{}", r.path), &format!("b/{}", r.path))
                .to_string(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewrite(path: &str, before: &str, after: &str) -> FileRewrite {
        FileRewrite {
            path: path.into(),
            before: before.into(),
            after: after.into(),
        }
    }

    #[test]
    fn long_rename_lists_are_cut() {
        let renames: BTreeMap<String, String> = (0..12)
            .map(|i| (format!("t{i:02}"), format!("t{i:02}_v2")))
            .collect();
        let summary = renames_summary(&renames);
        assert!(
            summary.starts_with("t00 -> t00_v2, t01 -> t01_v2, "),
            "{summary}"
        );
        assert!(
            summary.ends_with("t09 -> t09_v2, and 2 more (`greenlight changes` lists them all)"),
            "{summary}"
        );
        let two: BTreeMap<String, String> = renames.into_iter().take(2).collect();
        assert_eq!(renames_summary(&two), "t00 -> t00_v2, t01 -> t01_v2");
    }

    #[test]
    fn writes_every_file_and_cuts_shorter_texts() {
        let dir = tempfile::TempDir::new().unwrap();
        std::fs::write(dir.path().join("a.sql"), "FROM t").unwrap();
        std::fs::write(dir.path().join("b.sql"), "FROM t_v2 -- long").unwrap();
        write_all(
            dir.path(),
            &[
                rewrite("a.sql", "FROM t", "FROM t_v2"),
                rewrite("b.sql", "FROM t_v2 -- long", "FROM t_v3"),
            ],
        )
        .unwrap();
        let read = |p: &str| std::fs::read_to_string(dir.path().join(p)).unwrap();
        assert_eq!(read("a.sql"), "FROM t_v2");
        assert_eq!(read("b.sql"), "FROM t_v3");
    }

    #[test]
    fn a_file_that_cannot_be_opened_changes_nothing() {
        let dir = tempfile::TempDir::new().unwrap();
        std::fs::write(dir.path().join("a.sql"), "FROM t").unwrap();
        std::fs::create_dir(dir.path().join("b.sql")).unwrap();
        let error = write_all(
            dir.path(),
            &[
                rewrite("a.sql", "FROM t", "FROM t_v2"),
                rewrite("b.sql", "", "x"),
            ],
        )
        .unwrap_err();
        assert_eq!(error.to_string(), "cannot write b.sql; nothing was changed");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a.sql")).unwrap(),
            "FROM t"
        );
    }

    #[test]
    fn a_failed_write_gives_every_file_its_old_text_back() {
        // /dev/full opens for writing and fails every write (ENOSPC).
        let dir = tempfile::TempDir::new().unwrap();
        std::fs::write(dir.path().join("a.sql"), "FROM t").unwrap();
        let error = write_all(
            dir.path(),
            &[
                rewrite("a.sql", "FROM t", "FROM t_v2"),
                rewrite("/dev/full", "old", "new"),
            ],
        )
        .unwrap_err();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a.sql")).unwrap(),
            "FROM t"
        );
        let message = format!("{error:#}");
        assert!(
            message.starts_with("cannot write /dev/full, and 1 file(s) could not be given back their old text: /dev/full"),
            "{message}"
        );
        assert!(message.contains("No space left on device"), "{message}");
    }
}
