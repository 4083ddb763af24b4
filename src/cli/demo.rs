//! `greenlight demo`: the pull-request flow, offline, on a bundled
//! example, told for a terminal: the SQL change, the files greenlight
//! rewrites (as a diff), the impact and the waves. `--format markdown`
//! prints the raw pull request comment instead, `--format json` the plan.
//! `--scenario clickstream` runs a release mixing both upgrade strategies
//! (in place and blue/green) on a second example.
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
static CLICKSTREAM: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/testdata/clickstream");

/// The projects the demo can run on.
#[derive(Debug, Clone, Copy, Default, clap::ValueEnum)]
pub enum Scenario {
    /// The e-commerce example: one stateful intermediate changes, and
    /// everything below it is re-versioned (blue/green).
    #[default]
    Example,
    /// The clickstream example with `upgrade: auto`: a stateless fix above
    /// every click table is upgraded in place, a windowed aggregation is
    /// re-versioned.
    Clickstream,
}

/// One file the demo changes, and how.
struct Edit {
    path: &'static str,
    change: fn(&str) -> Option<String>,
}

/// What a scenario is made of.
struct Story {
    project: &'static Dir<'static>,
    intro: &'static str,
    change: &'static str,
    edits: &'static [Edit],
    rewrite: &'static str,
}

/// The intermediate the demo changes, and how.
const CHANGED: &str =
    "pipelines/intermediates/sales/int_orders_enriched/sql-scripts/dml.int_orders_enriched.sql";

const EXAMPLE_STORY: Story = Story {
    project: &EXAMPLE,
    intro: "1. The example pipeline (23 Flink SQL tables) is released and tagged v1.0.0.\n",
    change: "2. A pull request changes one intermediate's query:\n",
    edits: &[Edit {
        path: CHANGED,
        change: change_intermediate,
    }],
    rewrite: "3. greenlight re-versions the changed table and its descendants",
};

const CLICKSTREAM_STORY: Story = Story {
    project: &CLICKSTREAM,
    intro: "1. The clickstream pipeline (13 Flink SQL tables, `upgrade: auto` in greenlight.yaml) is released and tagged v1.0.0.\n",
    change: "2. A pull request fixes the filter of the stateless source every click table reads, and changes a windowed aggregation:\n",
    edits: &[
        Edit {
            path: "pipelines/sources/web/src_clicks/sql-scripts/dml.src_clicks.sql",
            change: skip_agentless_clicks,
        },
        Edit {
            path: "pipelines/facts/web/fct_slow_pages_daily/sql-scripts/dml.fct_slow_pages_daily.sql",
            change: hourly_windows,
        },
    ],
    rewrite: "3. greenlight upgrades the stateless source in place (no new name, nothing below it re-versioned) and re-versions the windowed fact",
};

/// How many rewritten files the terminal story shows in full.
const SHOWN_FILES: usize = 3;

pub(super) fn run(keep: Option<&Path>, format: PlanFormat, scenario: Scenario) -> Result<Outcome> {
    let story = match scenario {
        Scenario::Example => &EXAMPLE_STORY,
        Scenario::Clickstream => &CLICKSTREAM_STORY,
    };
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
    let tell = matches!(format, PlanFormat::Text);
    let say = |text: &str| {
        if tell {
            println!("{text}");
        }
    };
    story
        .project
        .extract(&dir)
        .with_context(|| format!("cannot write the example into {}", dir.display()))?;
    let repo = init(&dir)?;
    commit_all(&repo, "Release 1.0: the example pipeline", &author)?;
    tag_head(&repo, "v1.0.0")?;
    say(story.intro);

    let mut edits = Vec::new();
    for e in story.edits {
        let path = dir.join(e.path);
        let before = std::fs::read_to_string(&path)?;
        let after = (e.change)(&before)
            .context("the bundled example changed: the demo edit no longer applies")?;
        std::fs::write(&path, &after)?;
        edits.push(FileRewrite {
            path: e.path.into(),
            before,
            after,
        });
    }
    commit_all(&repo, "The pull request's change", &author)?;
    say(story.change);
    say(&rewrite::unified_diff(&edits));

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
        "{}: it rewrote {} files and committed them as the bot would. The first {SHOWN_FILES}:\n",
        story.rewrite,
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

/// Skips clicks without a user agent: a stateless filter fix.
fn skip_agentless_clicks(sql: &str) -> Option<String> {
    sql.contains("WHERE id IS NOT NULL;").then(|| {
        sql.replace(
            "WHERE id IS NOT NULL;",
            "WHERE id IS NOT NULL AND agent IS NOT NULL;",
        )
    })
}

/// Hourly instead of daily windows: a change of a stateful statement.
fn hourly_windows(sql: &str) -> Option<String> {
    sql.contains("INTERVAL '1' DAY")
        .then(|| sql.replace("INTERVAL '1' DAY", "INTERVAL '1' HOUR"))
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
