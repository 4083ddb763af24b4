//! `greenlight rewrite`: rename impacted tables in the SQL files, all or nothing.
use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, bail};

use super::{Outcome, ProjectArgs, ReleaseArgs};
use crate::git::Repo;
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
    if !opts.check && !opts.allow_dirty {
        let dirty = Repo::open(&args.project)?.dirty_files()?;
        if !dirty.is_empty() {
            let shown: Vec<&str> = dirty.iter().take(10).map(String::as_str).collect();
            bail!(
                "the working tree has uncommitted changes ({}{}): refusing to rewrite\n  hint: commit or stash them first, or pass --allow-dirty",
                shown.join(", "),
                if dirty.len() > 10 {
                    format!(" and {} more", dirty.len() - 10)
                } else {
                    String::new()
                }
            );
        }
    }
    let release = super::analyze_release(args, rel)?;
    let rewrites = compute(&args.project, &release.head, &release.impact.renames)?;
    if opts.diff {
        print!("{}", unified_diff(&rewrites));
    }
    if rewrites.is_empty() {
        eprintln!("nothing to rewrite: every impacted table already has its green name");
        return Ok(Outcome::Ok);
    }
    let summary: Vec<String> = release
        .impact
        .renames
        .iter()
        .map(|(a, b)| format!("{a} -> {b}"))
        .collect();
    if opts.check {
        eprintln!(
            "{} file(s) need rewriting: {}",
            rewrites.len(),
            summary.join(", ")
        );
        return Ok(Outcome::Pending);
    }
    write_all(&args.project, &rewrites)?;
    eprintln!("rewrote {} file(s): {}", rewrites.len(), summary.join(", "));
    Ok(Outcome::Ok)
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
        project::analyze_texts(&texts)?
            .into_iter()
            .map(|f| (f.path.clone(), f))
            .collect();
    let files: Vec<crate::project::SqlFile> = head
        .files
        .iter()
        .map(|f| analysed.remove(&f.path).unwrap_or_else(|| f.clone()))
        .collect();
    let after = Project::build(files)?;
    rewrite::verify(head, &after, renames)?;
    Ok(rewrites)
}

/// Writes every file through a temporary beside it, then renames them all;
/// a failure before the renames leaves every file untouched.
pub fn write_all(dir: &Path, rewrites: &[FileRewrite]) -> anyhow::Result<()> {
    let mut temps = Vec::new();
    for r in rewrites {
        let target = dir.join(&r.path);
        let tmp = target.with_extension("sql.greenlight-tmp");
        if let Err(e) = std::fs::write(&tmp, &r.after) {
            for t in &temps {
                let _ = std::fs::remove_file(t);
            }
            return Err(e)
                .with_context(|| format!("cannot write {}; nothing was changed", tmp.display()));
        }
        temps.push(tmp);
    }
    for (r, tmp) in rewrites.iter().zip(&temps) {
        std::fs::rename(tmp, dir.join(&r.path))
            .with_context(|| format!("cannot replace {}", r.path))?;
    }
    Ok(())
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
