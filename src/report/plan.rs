//! The plan as the PR comment, the job summary, text and JSON.
//!
//! The comment and the job summary come from one template and one size
//! ladder: the comment shows the summary, a graph that fits one screen and
//! the first rows; the job summary shows everything. Every value from the
//! pull request is escaped by the renderer (see `escape.rs`).
use serde::Serialize;

use crate::error::Result;
use crate::graph::Graph;
use crate::plan::{Plan, fmt_cfu};

use super::escape::{safe_url, url_path};
use super::facts::{self, TableFacts};
use super::mermaid::{self, Diagram};
use super::templates::{JOB_SUMMARY, PR_COMMENT, Renderer, TEXT};

pub use super::failure::{Failure, failure_comment};

/// The hidden marker that identifies greenlight's sticky PR comment.
pub const COMMENT_MARKER: &str = "<!-- greenlight:plan -->";
/// GitHub refuses comments over 65,536 bytes; keep a margin.
pub const COMMENT_LIMIT: usize = 60_000;
/// GitHub's limit for one step's job summary is 1 MiB.
pub const SUMMARY_LIMIT: usize = 900_000;
/// Above this many tables the comment draws the condensed graph (the job
/// summary has the full one).
pub const FULL_GRAPH_TABLES: usize = 40;
/// The comment's graph starts open up to this many tables.
const OPEN_GRAPH_TABLES: usize = 12;
/// Above this many rows the impact table sits in `<details>`.
pub const OPEN_ROWS: usize = 30;

/// A section an adapter adds to the comment (e.g. the diff to apply).
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// Plain text (escaped).
    pub title: String,
    /// Plain text (escaped), or the content of a code block when `code` is
    /// set (fenced safely).
    pub body: String,
    /// A code block language (`diff`), or empty for text.
    pub code: String,
}

/// Links to the SQL files at the head commit.
#[derive(Debug, Clone, Serialize)]
pub struct FileLinks {
    /// `https://github.com/OWNER/REPO/blob/HEAD_SHA`
    pub blob_url: String,
    /// The project's folder in the repository (`""` at the root).
    pub project_prefix: String,
}

/// The commit in which greenlight renamed the tables: this run's, or an
/// earlier run's (the caller finds it in the branch's history), so the note
/// stays when greenlight's own commit triggers the next run.
#[derive(Debug, Clone, Serialize)]
pub struct RewriteNote {
    /// The full commit id.
    pub commit: String,
    /// Its page (`https://github.com/OWNER/REPO/commit/SHA`).
    pub url: Option<String>,
    /// The branch it was pushed to (the pull request's head branch).
    pub branch: String,
    /// How many tables it renamed.
    pub tables: usize,
    /// Made by an earlier run.
    pub earlier: bool,
}

/// What the caller knows beyond the plan.
#[derive(Debug, Clone, Default)]
pub struct CommentContext {
    /// Links to the SQL files (None: file names are not linked).
    pub files: Option<FileLinks>,
    /// Where the full report is (the workflow run's job summary).
    pub details_url: Option<String>,
    /// The commit that renamed the tables, when there is one.
    pub rewrite: Option<RewriteNote>,
    /// Notes (plain text, escaped).
    pub notes: Vec<String>,
    /// Sections added to the comment (left out when the comment would not
    /// fit otherwise).
    pub sections: Vec<Section>,
}

#[derive(Debug, Serialize)]
struct Listed<T> {
    items: Vec<T>,
    more: usize,
}

fn listed<T>(items: impl IntoIterator<Item = T>, limit: usize) -> Listed<T> {
    let mut items: Vec<T> = items.into_iter().collect();
    let more = items.len().saturating_sub(limit);
    items.truncate(limit);
    Listed { items, more }
}

#[derive(Debug, Serialize)]
struct Counts {
    tables: usize,
    /// Roots that existed at the base (changed, forced, schema).
    changed: usize,
    new: usize,
    descendants: usize,
    stateful: usize,
    waves: usize,
    keep_running: usize,
    runs: usize,
    blue_runs: usize,
    versioned: usize,
    /// Upgraded in place (their statements replaced, names kept).
    in_place: usize,
    /// Green tables and statements a rollback removes (not in place).
    green_tables: usize,
    green_runs: usize,
}

#[derive(Debug, Serialize)]
struct RootView {
    name: String,
    green: String,
    why: String,
    new: bool,
    tables: usize,
    stateful: usize,
    in_place: bool,
}

#[derive(Debug, Serialize)]
struct Row {
    blue: Option<String>,
    green: String,
    wave: usize,
    stateful: bool,
    state: Vec<&'static str>,
    /// Why a root is here (`changed (dml)`, `new`, ...); empty for a
    /// descendant.
    why: String,
    /// The changed tables it comes from (other than itself).
    causes: Vec<String>,
    causes_more: usize,
    file: Option<String>,
    url: Option<String>,
    /// The statement id (its file).
    statement: String,
    /// The green statements deploy creates in the first environment.
    statements: Vec<String>,
    in_place: bool,
    /// Why its upgrade strategy; shown when `show_strategy` is set.
    strategy_why: String,
}

#[derive(Debug, Serialize)]
struct GraphView {
    mermaid: String,
    condensed: bool,
    /// The group this graph draws (per-product graphs of the job summary).
    group: Option<String>,
    nodes: usize,
    tables: usize,
    open: bool,
    /// What a condensed graph's nodes are: `product` or `wave`.
    by: &'static str,
}

#[derive(Debug, Serialize)]
struct Pair {
    blue: String,
    green: String,
}

#[derive(Debug, Serialize)]
struct ConnectorView {
    name: String,
    action: String,
    topics: Vec<Pair>,
}

#[derive(Debug, Serialize)]
struct LifecycleView {
    retention: String,
    connectors: Vec<ConnectorView>,
    retargets: bool,
    /// Leaves: nothing in the project reads them, so their consumers are
    /// outside greenlight and must move to green.
    consumers: Listed<Pair>,
    /// Replaced tables read only inside the release.
    inside: usize,
    deleted: Listed<String>,
}

#[derive(Debug, Serialize)]
struct WaveView {
    index: usize,
    tables: Vec<String>,
    more: usize,
    stateful: usize,
}

#[derive(Debug, Serialize)]
struct TextLists {
    promotion: Vec<String>,
    rollback: Vec<String>,
    cleanup: Vec<String>,
}

#[derive(Debug, Serialize)]
struct View<'a> {
    marker: &'a str,
    job_summary: bool,
    base: &'a str,
    counts: Counts,
    roots: Listed<RootView>,
    warnings: Listed<String>,
    cosmetic: Listed<String>,
    deleted: Listed<String>,
    keep_running: Listed<String>,
    rewrite: Option<RewriteNote>,
    notes: &'a [String],
    graphs: Vec<GraphView>,
    /// Tables drawn in no graph of this report (too big).
    graph_omitted: bool,
    rows: Vec<Row>,
    rows_more: usize,
    rows_folded: bool,
    /// The environment whose statement names the table shows, if any.
    statement_column: Option<String>,
    /// Some table may be upgraded in place: show each table's strategy.
    show_strategy: bool,
    details_url: Option<String>,
    lifecycle: LifecycleView,
    capacity: Option<String>,
    waves: Vec<WaveView>,
    text: TextLists,
    sections: Vec<Section>,
}

/// How much of each part to show.
#[derive(Debug, Clone, Copy)]
struct Limits {
    rows: usize,
    roots: usize,
    list: usize,
    /// Graphs: 2 full (per product if needed), 1 fitted to a comment, 0 none.
    graph: u8,
}

const ALL: usize = usize::MAX;

/// The job summary starts at the first rung, the comment at the second.
const LADDER: &[Limits] = &[
    Limits {
        rows: ALL,
        roots: ALL,
        list: ALL,
        graph: 2,
    },
    Limits {
        rows: 300,
        roots: 8,
        list: 12,
        graph: 1,
    },
    Limits {
        rows: 100,
        roots: 8,
        list: 12,
        graph: 1,
    },
    Limits {
        rows: 30,
        roots: 5,
        list: 5,
        graph: 1,
    },
    Limits {
        rows: 10,
        roots: 3,
        list: 3,
        graph: 0,
    },
    Limits {
        rows: 0,
        roots: 0,
        list: 0,
        graph: 0,
    },
];

fn counts(plan: &Plan, facts: &[TableFacts]) -> Counts {
    let roots = facts.iter().filter(|t| t.is_root());
    Counts {
        tables: facts.len(),
        changed: roots.clone().filter(|t| t.blue.is_some()).count(),
        new: roots.filter(|t| t.blue.is_none()).count(),
        descendants: facts.iter().filter(|t| !t.is_root()).count(),
        stateful: facts.iter().filter(|t| t.stateful).count(),
        waves: plan.waves.len(),
        keep_running: plan.keep_running.len(),
        runs: facts.iter().filter(|t| t.runs).count(),
        blue_runs: facts
            .iter()
            .filter(|t| t.runs && t.blue.is_some() && !t.in_place)
            .count(),
        versioned: facts
            .iter()
            .filter(|t| t.blue.is_some() && !t.in_place)
            .count(),
        in_place: facts.iter().filter(|t| t.in_place).count(),
        green_tables: facts.iter().filter(|t| !t.in_place).count(),
        green_runs: facts.iter().filter(|t| t.runs && !t.in_place).count(),
    }
}

/// The changed tables, those that re-version the most first.
fn roots(facts: &[TableFacts], limit: usize) -> Listed<RootView> {
    let reach = facts::reach(facts);
    let mut list: Vec<RootView> = facts
        .iter()
        .enumerate()
        .filter(|(_, t)| t.is_root())
        .map(|(k, t)| {
            let (tables, stateful) = reach.get(&k).copied().unwrap_or((1, 0));
            RootView {
                name: t.name().to_string(),
                green: t.green.clone(),
                why: t.why(),
                new: t.blue.is_none(),
                tables,
                stateful,
                in_place: t.in_place,
            }
        })
        .collect();
    list.sort_by_key(|r| std::cmp::Reverse(r.tables));
    listed(list, limit)
}

fn file_url(links: Option<&FileLinks>, file: Option<&str>) -> Option<String> {
    let (l, f) = (links?, file?);
    let prefix = l.project_prefix.trim_matches('/');
    let path = if prefix.is_empty() {
        f.to_string()
    } else {
        format!("{prefix}/{f}")
    };
    safe_url(&format!(
        "{}/{}",
        l.blob_url.trim_end_matches('/'),
        url_path(&path)
    ))
}

fn rows(facts: &[TableFacts], limit: usize, links: Option<&FileLinks>) -> Vec<Row> {
    const CAUSES: usize = 3;
    facts
        .iter()
        .take(limit)
        .map(|t| {
            let others: Vec<String> = t
                .causes
                .iter()
                .filter(|&&c| facts[c].green != t.green)
                .map(|&c| facts[c].name().to_string())
                .collect();
            Row {
                blue: t.blue.clone(),
                green: t.green.clone(),
                wave: t.wave,
                stateful: t.stateful,
                state: t.state.clone(),
                why: if t.is_root() { t.why() } else { String::new() },
                causes_more: others.len().saturating_sub(CAUSES),
                causes: others.into_iter().take(CAUSES).collect(),
                url: file_url(links, t.file.as_deref()),
                file: t.file.clone(),
                statement: t.statement.clone(),
                statements: t.statements.clone(),
                in_place: t.in_place,
                strategy_why: t.strategy_why.clone().unwrap_or_default(),
            }
        })
        .collect()
}

fn graph_view(d: Diagram, condensed: bool, group: Option<String>, tables: usize) -> GraphView {
    GraphView {
        by: "",
        open: !condensed && group.is_none() && tables <= OPEN_GRAPH_TABLES,
        nodes: d.nodes,
        mermaid: d.text,
        condensed,
        group,
        tables,
    }
}

/// The graphs of a report, and whether some tables are in none of them.
/// Up to FULL_GRAPH_TABLES tables: one graph of every table. Above: the
/// condensed graph, and in the job summary every table too, one graph per
/// product (one graph of all when the release has no products).
fn graphs(facts: &[TableFacts], level: u8) -> (Vec<GraphView>, bool) {
    let n = facts.len();
    if n == 0 || level == 0 {
        return (Vec::new(), n > 0);
    }
    if n <= FULL_GRAPH_TABLES {
        let d = mermaid::full(facts, None);
        if d.renders() {
            return (vec![graph_view(d, false, None, n)], false);
        }
    }
    let mut out = Vec::new();
    let by_product = mermaid::by_product(facts);
    let c = mermaid::condensed(facts);
    if c.renders() {
        let mut g = graph_view(c, true, None, n);
        g.by = if by_product { "product" } else { "wave" };
        out.push(g);
    }
    if level < 2 {
        return (out, false);
    }
    let parts = if by_product {
        mermaid::groups(facts)
            .into_iter()
            .map(|(name, members)| (Some(name), Some(members)))
            .collect()
    } else {
        vec![(None, None)]
    };
    let mut omitted = false;
    for (name, members) in parts {
        let d = mermaid::full(facts, members.as_ref());
        let tables = members.as_ref().map_or(n, |m| m.len());
        if d.renders() {
            out.push(graph_view(d, false, name, tables));
        } else {
            omitted = true;
        }
    }
    (out, omitted)
}

fn lifecycle(plan: &Plan, facts: &[TableFacts], limit: usize) -> LifecycleView {
    let connectors: Vec<ConnectorView> = plan
        .connectors
        .iter()
        .map(|c| ConnectorView {
            name: c.connector.clone(),
            action: facts::action_str(&c.action),
            topics: c
                .topics
                .iter()
                .map(|(a, b)| Pair {
                    blue: a.clone(),
                    green: b.clone(),
                })
                .collect(),
        })
        .collect();
    let replaced = facts.iter().filter(|t| t.blue.is_some() && !t.in_place);
    let consumers = replaced.clone().filter(|t| t.leaf).map(|t| Pair {
        blue: t.blue.clone().unwrap_or_default(),
        green: t.green.clone(),
    });
    LifecycleView {
        retention: plan.retention.clone(),
        retargets: connectors.iter().any(|c| c.action == "retarget"),
        connectors,
        consumers: listed(consumers, limit),
        inside: replaced.filter(|t| !t.leaf).count(),
        deleted: listed(plan.deleted.iter().map(|d| d.name.clone()), limit),
    }
}

fn capacity(plan: &Plan) -> Option<String> {
    plan.capacity.as_ref().map(|c| {
        format!(
            "{} CFU running + {} CFU green = {} CFU at peak, pool maximum {} CFU",
            fmt_cfu(c.running_cfu),
            fmt_cfu(c.green_cfu),
            fmt_cfu(c.peak_cfu),
            fmt_cfu(c.max_cfu),
        )
    })
}

fn waves(plan: &Plan, limit: usize) -> Vec<WaveView> {
    plan.steps
        .iter()
        .map(|w| WaveView {
            index: w.index,
            tables: w.tables.iter().take(limit).cloned().collect(),
            more: w.tables.len().saturating_sub(limit),
            stateful: w.steps.iter().filter(|s| s.stateful).count(),
        })
        .collect()
}

struct Input<'a> {
    plan: &'a Plan,
    facts: &'a [TableFacts],
    ctx: &'a CommentContext,
    job_summary: bool,
}

fn view<'a>(input: &Input<'a>, limits: Limits, sections: &[Section]) -> View<'a> {
    let (plan, facts, ctx) = (input.plan, input.facts, input.ctx);
    let rows = rows(facts, limits.rows, ctx.files.as_ref());
    let (graphs, graph_omitted) = graphs(facts, limits.graph);
    View {
        marker: COMMENT_MARKER,
        job_summary: input.job_summary,
        base: &plan.base,
        counts: counts(plan, facts),
        roots: roots(facts, limits.roots),
        warnings: listed(plan.warnings.iter().cloned(), limits.list.max(5)),
        cosmetic: listed(plan.cosmetic.iter().cloned(), limits.list),
        deleted: listed(plan.deleted.iter().map(|d| d.name.clone()), limits.list),
        keep_running: listed(plan.keep_running.iter().cloned(), limits.list),
        rewrite: ctx.rewrite.clone(),
        notes: &ctx.notes,
        graphs,
        graph_omitted,
        rows_more: facts.len().saturating_sub(rows.len()),
        rows_folded: facts.len() > OPEN_ROWS,
        rows,
        statement_column: plan
            .impacted
            .iter()
            .find_map(|i| i.statements.keys().next().cloned()),
        show_strategy: plan.show_strategy,
        details_url: ctx.details_url.as_deref().and_then(safe_url),
        lifecycle: lifecycle(plan, facts, limits.roots),
        capacity: capacity(plan),
        waves: waves(plan, limits.list),
        text: TextLists {
            promotion: plan.promotion.clone(),
            rollback: plan.rollback.clone(),
            cleanup: plan.cleanup.clone(),
        },
        sections: sections.to_vec(),
    }
}

/// Renders with the most detail that fits in `limit` bytes, from rung
/// `first` of the ladder down; the extra sections (a diff) go last.
fn fitted(
    r: &Renderer,
    name: &str,
    input: &Input<'_>,
    first: usize,
    limit: usize,
) -> Result<String> {
    let mut last = String::new();
    for sections in [&input.ctx.sections[..], &[]] {
        for limits in &LADDER[first..] {
            last = r.render(name, &view(input, *limits, sections))?;
            if last.len() <= limit {
                return Ok(last);
            }
        }
    }
    Ok(last)
}

/// The sticky PR comment, always under GitHub's size limit and starting
/// with the marker.
pub fn comment(r: &Renderer, plan: &Plan, graph: &Graph, ctx: &CommentContext) -> Result<String> {
    let facts = facts::derive(plan, graph);
    let input = Input {
        plan,
        facts: &facts,
        ctx,
        job_summary: false,
    };
    let body = fitted(r, PR_COMMENT, &input, 1, COMMENT_LIMIT)?;
    Ok(with_marker(body))
}

/// The job summary: the same template with everything (the full graph, all
/// rows), under GitHub's limit for a step's summary.
pub fn summary(r: &Renderer, plan: &Plan, graph: &Graph, ctx: &CommentContext) -> Result<String> {
    let facts = facts::derive(plan, graph);
    let input = Input {
        plan,
        facts: &facts,
        ctx,
        job_summary: true,
    };
    fitted(r, JOB_SUMMARY, &input, 0, SUMMARY_LIMIT)
}

/// The marker first, whatever a custom template does; the body cut (at a
/// line) if a custom template still makes it too long.
pub(super) fn with_marker(body: String) -> String {
    let body = if body.starts_with(COMMENT_MARKER) {
        body
    } else {
        format!("{COMMENT_MARKER}\n{body}")
    };
    if body.len() <= COMMENT_LIMIT {
        return body;
    }
    super::escape::truncate_lines(&body, COMMENT_LIMIT - 100)
}

/// The sticky PR comment with extra sections (no links, no rewrite note).
pub fn pr_comment(r: &Renderer, plan: &Plan, graph: &Graph, extra: &[Section]) -> Result<String> {
    let ctx = CommentContext {
        sections: extra.to_vec(),
        ..CommentContext::default()
    };
    comment(r, plan, graph, &ctx)
}

/// The GitHub job summary without links.
pub fn job_summary(r: &Renderer, plan: &Plan, graph: &Graph) -> Result<String> {
    summary(r, plan, graph, &CommentContext::default())
}

/// Plain text for terminals: everything.
pub fn text(r: &Renderer, plan: &Plan, graph: &Graph) -> Result<String> {
    let facts = facts::derive(plan, graph);
    let input = Input {
        plan,
        facts: &facts,
        ctx: &CommentContext::default(),
        job_summary: false,
    };
    let mut all = LADDER[0];
    all.graph = 0;
    r.render(TEXT, &view(&input, all, &[]))
}
