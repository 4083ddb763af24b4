//! `greenlight demo`: the pull-request flow, offline, on the bundled
//! example, told for a terminal: the SQL change, the files greenlight
//! rewrites (as a diff), the impact and the waves. `--format markdown`
//! prints the raw pull request comment instead, `--format json` the plan.
use std::path::Path;

use anyhow::{Context, Result};
use include_dir::{Dir, include_dir};

use super::plan::{PlanFormat, render_plan};
use super::{Outcome, ProjectArgs, ReleaseArgs};
use crate::app::publish::rewrite_and_commit;
use crate::app::rewrite;
use crate::git::local::{Author, commit_all, init, tag_head};
use crate::report::Renderer;
use crate::rewrite::FileRewrite;

static EXAMPLE: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/testdata/example");

/// The intermediate the demo changes, and how.
const CHANGED: &str =
    "pipelines/intermediates/sales/int_orders_enriched/sql-scripts/dml.int_orders_enriched.sql";

/// How many rewritten files the terminal story shows in full.
const SHOWN_FILES: usize = 3;

pub(super) fn run(keep: Option<&Path>, format: PlanFormat) -> Result<Outcome> {
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
    let story = matches!(format, PlanFormat::Text);
    let say = |text: &str| {
        if story {
            println!("{text}");
        }
    };
    EXAMPLE
        .extract(&dir)
        .with_context(|| format!("cannot write the example into {}", dir.display()))?;
    let repo = init(&dir)?;
    commit_all(&repo, "Release 1.0: the example pipeline", &author)?;
    tag_head(&repo, "v1.0.0")?;
    say("1. The example pipeline (23 Flink SQL tables) is released and tagged v1.0.0.\n");

    let path = dir.join(CHANGED);
    let before = std::fs::read_to_string(&path)?;
    let changed = change_intermediate(&before)
        .context("the bundled example changed: the demo edit no longer applies")?;
    std::fs::write(&path, &changed)?;
    commit_all(
        &repo,
        "Exclude cancelled orders from int_orders_enriched",
        &author,
    )?;
    say("2. A pull request changes one intermediate's query:\n");
    say(&rewrite::unified_diff(&[FileRewrite {
        path: CHANGED.into(),
        before,
        after: changed,
    }]));

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
    say(&format!(
        "3. greenlight re-versions the changed table and its descendants: it rewrote {} files and committed them as the bot would. The first {SHOWN_FILES}:\n",
        rewrites.len()
    ));
    say(&rewrite::unified_diff(
        &rewrites[..rewrites.len().min(SHOWN_FILES)],
    ));
    // After the rewrite the plan is the same: green names are derived from
    // the blue names at the tag.
    let (config, release) = super::analyze_release(&args, &rel, false)?;
    let plan = crate::app::plan(&release, &config);
    let renderer = Renderer::new(&dir, &config.templates)?;
    say(
        "4. The impact and the plan (the pull request comment says the same; `greenlight demo --format markdown` prints it):\n",
    );
    print!("{}", render_plan(&renderer, &plan, &release, format)?);
    if let Some(d) = keep {
        eprintln!("demo: the repository is kept in {}", d.display());
    }
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
