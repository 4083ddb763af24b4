//! The plan as the PR comment, the job summary, text and JSON.
use serde::Serialize;

use crate::error::Result;
use crate::graph::Graph;
use crate::plan::{Plan, fmt_cfu};
use crate::version::Reason;

use super::templates::{JOB_SUMMARY, PR_COMMENT, Renderer, TEXT};

/// The hidden marker that identifies greenlight's sticky PR comment.
pub const COMMENT_MARKER: &str = "<!-- greenlight:plan -->";
/// GitHub refuses comments over 65,536 bytes; keep a margin.
pub const COMMENT_LIMIT: usize = 60_000;

#[derive(Debug, Serialize)]
struct Row {
    blue: String,
    green: String,
    statement: String,
    why: String,
    stateful: bool,
}

#[derive(Debug, Serialize)]
struct WaveView {
    index: usize,
    tables: Vec<String>,
    more: usize,
    stateful: usize,
}

#[derive(Debug, Serialize)]
struct Listed {
    items: Vec<String>,
    more: usize,
}

fn listed(items: impl IntoIterator<Item = String>, limit: usize) -> Listed {
    let all: Vec<String> = items.into_iter().collect();
    let more = all.len().saturating_sub(limit);
    Listed {
        items: all.into_iter().take(limit).collect(),
        more,
    }
}

#[derive(Debug, Serialize)]
struct View<'a> {
    marker: &'a str,
    summary: String,
    base: &'a str,
    total: usize,
    rows: Vec<Row>,
    rows_more: usize,
    waves: Vec<WaveView>,
    waves_more: usize,
    wave_count: usize,
    mermaid: Option<String>,
    keep_running: Listed,
    blue_until_promotion: Listed,
    promotion: Listed,
    rollback: Listed,
    cleanup: Listed,
    warnings: Listed,
    cosmetic: Listed,
    deleted: Listed,
    capacity: Option<String>,
    extra: Vec<Section>,
}

/// A section an adapter adds to the comment (e.g. the diff to apply).
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub title: String,
    pub body: String,
    /// A code block language (`diff`), or empty for markdown.
    pub code: String,
}

/// How much of each list to show.
#[derive(Debug, Clone, Copy)]
struct Limits {
    rows: usize,
    per_wave: usize,
    waves: usize,
    list: usize,
    mermaid_nodes: usize,
}

fn summary(plan: &Plan) -> String {
    if plan.impacted.is_empty() {
        return format!(
            "No table to re-version since `{}`; {} keep running.",
            plan.base,
            plan.keep_running.len()
        );
    }
    let count = |r: Reason| plan.impacted.iter().filter(|i| i.reason == r).count();
    let mut parts = Vec::new();
    for (r, word) in [
        (Reason::Modified, "modified"),
        (Reason::Descendant, "descendant"),
        (Reason::New, "new"),
        (Reason::Schema, "schema change"),
        (Reason::Forced, "forced"),
    ] {
        let n = count(r);
        if n > 0 {
            parts.push(format!("{n} {word}"));
        }
    }
    let versioned = plan.impacted.iter().filter(|i| i.blue.is_some()).count();
    format!(
        "**{}** table(s) to deploy ({}), **{versioned}** re-versioned, in **{}** wave(s); {} untouched table(s) keep running.",
        plan.impacted.len(),
        parts.join(", "),
        plan.waves.len(),
        plan.keep_running.len()
    )
}

fn view<'a>(plan: &'a Plan, graph: &Graph, limits: Limits, extra: &[Section]) -> View<'a> {
    let rows: Vec<Row> = plan
        .impacted
        .iter()
        .take(limits.rows)
        .map(|i| {
            let stateful = plan
                .steps
                .iter()
                .flat_map(|w| &w.steps)
                .any(|s| s.table == i.green && s.stateful);
            let why = match (i.reason, i.changed.is_empty()) {
                (Reason::Modified, false) => format!("modified ({})", i.changed.join(", ")),
                (Reason::Descendant, _) => {
                    let parents: Vec<&str> = i
                        .parents
                        .iter()
                        .filter(|p| plan.impacted.iter().any(|x| &x.green == *p))
                        .map(String::as_str)
                        .take(3)
                        .collect();
                    format!("descendant of {}", parents.join(", "))
                }
                (r, _) => r.as_str().to_string(),
            };
            Row {
                blue: i.blue.clone().unwrap_or_else(|| "(new)".into()),
                green: i.green.clone(),
                statement: i.statement.clone(),
                why,
                stateful,
            }
        })
        .collect();
    let waves: Vec<WaveView> = plan
        .steps
        .iter()
        .take(limits.waves)
        .map(|w| WaveView {
            index: w.index,
            tables: w.tables.iter().take(limits.per_wave).cloned().collect(),
            more: w.tables.len().saturating_sub(limits.per_wave),
            stateful: w.steps.iter().filter(|s| s.stateful).count(),
        })
        .collect();
    let capacity = plan.capacity.as_ref().map(|c| {
        format!(
            "{} CFU running + {} CFU green = {} CFU at peak, pool maximum {} CFU{}",
            fmt_cfu(c.running_cfu),
            fmt_cfu(c.green_cfu),
            fmt_cfu(c.peak_cfu),
            fmt_cfu(c.max_cfu),
            if c.over_capacity {
                ": **over capacity**"
            } else {
                ""
            }
        )
    });
    View {
        marker: COMMENT_MARKER,
        summary: summary(plan),
        base: &plan.base,
        total: plan.impacted.len(),
        rows_more: plan.impacted.len().saturating_sub(rows.len()),
        rows,
        waves_more: plan.steps.len().saturating_sub(waves.len()),
        waves,
        wave_count: plan.steps.len(),
        mermaid: if limits.mermaid_nodes == 0 {
            None
        } else {
            super::mermaid::release_mermaid(&plan.impacted, graph, limits.mermaid_nodes)
        },
        keep_running: listed(plan.keep_running.iter().cloned(), limits.list),
        blue_until_promotion: listed(plan.blue_until_promotion.iter().cloned(), limits.list),
        promotion: listed(plan.promotion.iter().cloned(), limits.list),
        rollback: listed(plan.rollback.iter().cloned(), limits.list),
        cleanup: listed(plan.cleanup.iter().cloned(), limits.list),
        warnings: listed(plan.warnings.iter().cloned(), limits.list.max(5)),
        cosmetic: listed(plan.cosmetic.iter().cloned(), limits.list),
        deleted: listed(plan.deleted.iter().map(|d| d.name.clone()), limits.list),
        capacity,
        extra: extra.to_vec(),
    }
}

const LADDER: &[Limits] = &[
    Limits {
        rows: 300,
        per_wave: 100,
        waves: 50,
        list: 100,
        mermaid_nodes: 80,
    },
    Limits {
        rows: 150,
        per_wave: 40,
        waves: 30,
        list: 40,
        mermaid_nodes: 50,
    },
    Limits {
        rows: 60,
        per_wave: 20,
        waves: 20,
        list: 20,
        mermaid_nodes: 30,
    },
    Limits {
        rows: 25,
        per_wave: 10,
        waves: 10,
        list: 10,
        mermaid_nodes: 0,
    },
    Limits {
        rows: 10,
        per_wave: 5,
        waves: 5,
        list: 5,
        mermaid_nodes: 0,
    },
    Limits {
        rows: 0,
        per_wave: 0,
        waves: 0,
        list: 0,
        mermaid_nodes: 0,
    },
];

/// Renders with the most detail that fits in `limit` bytes.
fn fitted(
    r: &Renderer,
    name: &str,
    plan: &Plan,
    graph: &Graph,
    extra: &[Section],
    limit: usize,
) -> Result<String> {
    let mut last = String::new();
    for limits in LADDER {
        last = r.render(name, &view(plan, graph, *limits, extra))?;
        if last.len() <= limit {
            return Ok(last);
        }
    }
    // Extra sections (a diff) are what can still be too long: drop them.
    if !extra.is_empty() {
        return fitted(r, name, plan, graph, &[], limit);
    }
    Ok(last)
}

/// The sticky PR comment: always under GitHub's size limit.
pub fn pr_comment(r: &Renderer, plan: &Plan, graph: &Graph, extra: &[Section]) -> Result<String> {
    fitted(r, PR_COMMENT, plan, graph, extra, COMMENT_LIMIT)
}

/// The GitHub job summary (limit 1 MiB).
pub fn job_summary(r: &Renderer, plan: &Plan, graph: &Graph) -> Result<String> {
    fitted(r, JOB_SUMMARY, plan, graph, &[], 900_000)
}

/// Plain text for terminals: everything.
pub fn text(r: &Renderer, plan: &Plan, graph: &Graph) -> Result<String> {
    let all = Limits {
        rows: usize::MAX,
        per_wave: usize::MAX,
        waves: usize::MAX,
        list: usize::MAX,
        mermaid_nodes: 0,
    };
    r.render(TEXT, &view(plan, graph, all, &[]))
}
