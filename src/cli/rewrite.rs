//! `greenlight rewrite`: rename impacted tables in the SQL files, all or
//! nothing.
use super::{Outcome, ProjectArgs, ReleaseArgs};
use crate::app::rewrite;

pub(super) struct RewriteOptions {
    pub check: bool,
    pub diff: bool,
    pub allow_dirty: bool,
}

pub(super) fn run(
    args: &ProjectArgs,
    rel: &ReleaseArgs,
    opts: &RewriteOptions,
) -> anyhow::Result<Outcome> {
    let preview = opts.check || opts.diff;
    if !preview && let Some(r) = rewrite::recover(&args.project)? {
        eprintln!(
            "greenlight: an interrupted rewrite was undone ({} file(s) given back their old text); rewriting again",
            r.files.len()
        );
    }
    let (_, release) = super::analyze_release(args, rel, !preview && !opts.allow_dirty)?;
    let renames = &release.impact.renames;
    let rewrites = rewrite::prepare(&args.project, &release.head, &release.head_graph, renames)?;
    if opts.diff {
        print!("{}", rewrite::unified_diff(&rewrites));
    }
    for line in crate::report::changes::strategy_summary(&release.impact) {
        eprintln!("upgrade {line}");
    }
    if rewrites.is_empty() {
        if release.impact.impacted.is_empty() {
            eprintln!(
                "nothing to rewrite: no table is impacted since {}",
                release.base.name
            );
        } else if renames.is_empty()
            && release
                .impact
                .impacted
                .iter()
                .any(|i| i.strategy == crate::version::Strategy::InPlace)
        {
            eprintln!(
                "nothing to rewrite: the impacted tables are upgraded in place and keep their names"
            );
        } else {
            eprintln!("nothing to rewrite: every impacted table already has its green name");
        }
        return Ok(Outcome::Ok);
    }
    let summary = rewrite::renames_summary(renames);
    if preview {
        eprintln!("{} file(s) need rewriting: {summary}", rewrites.len());
        return Ok(if opts.check {
            Outcome::Pending
        } else {
            Outcome::Ok
        });
    }
    rewrite::apply(&args.project, &rewrites)?;
    eprintln!("rewrote {} file(s): {summary}", rewrites.len());
    Ok(Outcome::Ok)
}
