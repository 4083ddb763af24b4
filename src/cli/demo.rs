//! `greenlight demo`: the pull-request flow, offline, on the bundled example.
use std::path::Path;

use anyhow::{Context, Result};
use include_dir::{Dir, include_dir};

use super::plan::{PlanFormat, render_plan};
use super::{Outcome, ProjectArgs, ReleaseArgs};
use crate::app::publish::rewrite_and_commit;
use crate::app::rewrite;
use crate::git::local::{Author, commit_all, init, tag_head};
use crate::report::Renderer;

static EXAMPLE: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/testdata/example");

/// The intermediate the demo changes, and how.
const CHANGED: &str =
    "pipelines/intermediates/sales/int_orders_enriched/sql-scripts/dml.int_orders_enriched.sql";

pub fn run(keep: Option<&Path>, format: PlanFormat) -> Result<Outcome> {
    let temp = tempfile::TempDir::new().context("cannot create a temporary directory")?;
    let dir = match keep {
        Some(d) => {
            std::fs::create_dir_all(d).with_context(|| format!("cannot create {}", d.display()))?;
            d.to_path_buf()
        }
        None => temp.path().to_path_buf(),
    };
    let author = Author {
        name: "Demo Engineer".into(),
        email: "demo@example.com".into(),
    };
    EXAMPLE
        .extract(&dir)
        .with_context(|| format!("cannot write the example into {}", dir.display()))?;
    let repo = init(&dir)?;
    commit_all(&repo, "Release 1.0: the example pipeline", &author)?;
    tag_head(&repo, "v1.0.0")?;
    eprintln!(
        "demo: example project committed and tagged v1.0.0 in {}",
        dir.display()
    );

    let path = dir.join(CHANGED);
    let sql = std::fs::read_to_string(&path)?;
    let changed = change_intermediate(&sql)
        .context("the bundled example changed: the demo edit no longer applies")?;
    std::fs::write(&path, changed)?;
    commit_all(
        &repo,
        "Exclude cancelled orders from int_orders_enriched",
        &author,
    )?;
    eprintln!("demo: a pull request changes {CHANGED}");

    let args = ProjectArgs {
        project: dir.clone(),
        config: None,
    };
    let rel = ReleaseArgs {
        since: None,
        also: Vec::new(),
    };
    let (_, release) = super::analyze_release(&args, &rel, true)?;
    let rewrites = rewrite::prepare(
        &dir,
        &release.head,
        &release.head_graph,
        &release.impact.renames,
    )?;
    rewrite_and_commit(&repo, &dir, &release, &rewrites, &author)?;
    eprintln!(
        "demo: greenlight rewrote {} file(s) and committed them as the bot would",
        rewrites.len()
    );
    // After the rewrite the plan is the same: green names are derived from
    // the blue names at the tag.
    let (config, release) = super::analyze_release(&args, &rel, false)?;
    let plan = crate::app::plan(&release, &config);
    let renderer = Renderer::new(&dir, &config.templates)?;
    eprintln!("demo: the comment the pull request gets:\n");
    print!("{}", render_plan(&renderer, &plan, &release, format)?);
    Ok(Outcome::Ok)
}

/// Adds a filter to the intermediate's query: a semantic change.
fn change_intermediate(sql: &str) -> Option<String> {
    let at = sql.rfind("WHERE ")?;
    Some(format!(
        "{}WHERE o.order_status <> 'CANCELLED' AND {}",
        &sql[..at],
        &sql[at + 6..]
    ))
}
