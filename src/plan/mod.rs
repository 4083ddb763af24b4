//! The execution plan (pure): what is created in which order, what keeps
//! running, how to promote, roll back and clean up, sink connectors and
//! capacity.
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::graph::Graph;
use crate::project::{Loc, Project, Table};
use crate::sql::{StateReason, StatementKind};
use crate::version::{Deleted, Impact, Impacted, Reason, Strategy};

/// What deploying one statement of a green table does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepAction {
    /// `CREATE TABLE` with a schema: completes.
    CreateTable,
    /// `CREATE VIEW`: completes.
    CreateView,
    /// CTAS or `CREATE MATERIALIZED TABLE ... AS`: creates the table and
    /// starts the job that fills it.
    CreateTableAs,
    /// An `INSERT` (alone or in a statement set): starts a job.
    StartDml,
    /// An in-place upgrade: a new `INSERT` statement replaces the running
    /// one of the same table, from its offsets (the old one stopped
    /// first).
    ReplaceDml,
}

impl StepAction {
    /// The action deploying a statement of `kind` takes.
    pub fn of(kind: StatementKind) -> StepAction {
        match kind {
            StatementKind::Insert => StepAction::StartDml,
            StatementKind::CreateView => StepAction::CreateView,
            k if k.runs_continuously() => StepAction::CreateTableAs,
            _ => StepAction::CreateTable,
        }
    }

    /// Whether the statement keeps running (a job) rather than completes.
    pub fn runs(self) -> bool {
        matches!(
            self,
            StepAction::CreateTableAs | StepAction::StartDml | StepAction::ReplaceDml
        )
    }

    /// Whether it is a DML (deployed after the DDLs of its wave).
    pub fn is_dml(self) -> bool {
        matches!(self, StepAction::StartDml | StepAction::ReplaceDml)
    }

    /// The action's name in the JSON (`create_table`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            StepAction::CreateTable => "create_table",
            StepAction::CreateView => "create_view",
            StepAction::CreateTableAs => "create_table_as",
            StepAction::StartDml => "start_dml",
            StepAction::ReplaceDml => "replace_dml",
        }
    }
}

impl std::fmt::Display for StepAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a table has a statement that runs a job (its DML, or a CTAS or
/// materialized table's query).
pub fn runs_job(project: &Project, table: &Table) -> bool {
    table
        .ddl
        .iter()
        .chain(&table.dml)
        .any(|l| project.statement(*l).kind.runs_continuously())
}

/// One statement to run in a wave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// The green table the statement belongs to.
    pub table: String,
    /// What deploying the statement does.
    pub action: StepAction,
    /// Project-relative SQL file holding the statement.
    pub file: String,
    /// The statement in the project the plan was built from.
    #[serde(skip)]
    pub loc: Loc,
    /// Whether it runs a job that keeps state.
    pub stateful: bool,
    /// Why its job keeps state (empty when it runs no job).
    pub state: Vec<StateReason>,
    /// Green statements that read a Kafka-backed table start from the
    /// earliest offsets and rebuild their state.
    pub from_earliest: bool,
}

/// The statements of one wave: they deploy in parallel, after the previous wave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Wave {
    /// Its position in the deployment order, from 1.
    pub index: usize,
    /// The green tables it deploys.
    pub tables: Vec<String>,
    /// Its statements, table by table.
    pub steps: Vec<Step>,
}

/// What promotion does to a sink connector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectorAction {
    /// Its topics move to the green tables.
    Retarget,
    /// A new leaf table gets its own connector.
    Add,
}

impl ConnectorAction {
    /// The action's name in the JSON (`retarget`, `add`).
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectorAction::Retarget => "retarget",
            ConnectorAction::Add => "add",
        }
    }
}

impl std::fmt::Display for ConnectorAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A sink connector whose topics change at promotion, or one to add.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConnectorChange {
    /// The connector's name (one to add: `sink-` and the table's name, `_` as `-`).
    pub connector: String,
    /// What promotion does to it.
    pub action: ConnectorAction,
    /// (from, to) topic pairs for a retarget.
    pub topics: Vec<(String, String)>,
}

/// The compute pool's CFU against what blue and green need while they overlap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapacityCheck {
    /// The pool's maximum (from the config).
    pub max_cfu: f64,
    /// CFU of the statements running now (blue and untouched).
    pub running_cfu: f64,
    /// CFU of the green statements.
    pub green_cfu: f64,
    /// While blue and green overlap.
    pub peak_cfu: f64,
    /// Whether `peak_cfu` is over `max_cfu`.
    pub over_capacity: bool,
}

/// The execution plan of a release (the plan JSON).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// The base ref changes are measured against (its tag, or the ref given).
    pub base: String,
    /// The impacted tables, in deployment order.
    pub impacted: Vec<Impacted>,
    /// Green names, in deployment order; each wave runs in parallel after
    /// the previous one.
    pub waves: Vec<Vec<String>>,
    /// The statements to run, wave by wave.
    pub steps: Vec<Wave>,
    /// Tables not impacted: untouched, they keep running.
    pub keep_running: Vec<String>,
    /// Blue names that keep running until promotion.
    pub blue_until_promotion: Vec<String>,
    /// Promotion's steps, in order (one line each).
    pub promotion: Vec<String>,
    /// Rollback's steps, in order.
    pub rollback: Vec<String>,
    /// Cleanup's steps after the retention, in order.
    pub cleanup: Vec<String>,
    /// Sink connectors to retarget or add at promotion.
    pub connectors: Vec<ConnectorChange>,
    /// The CFU check; None when the config sets no `capacity`.
    pub capacity: Option<CapacityCheck>,
    /// Tables whose files changed only in comments or whitespace.
    pub cosmetic: Vec<String>,
    /// Tables deleted from the project, dropped at cleanup.
    pub deleted: Vec<Deleted>,
    /// Warnings every report shows (over capacity, the project's analysis).
    pub warnings: Vec<String>,
    /// How long blue is kept after promotion (the reports' cleanup line;
    /// not in the JSON contract).
    #[serde(skip)]
    pub retention: String,
    /// Whether the reports show each table's upgrade strategy (some table's
    /// policy is `auto`).
    #[serde(skip)]
    pub show_strategy: bool,
}

/// What the plan is built from.
pub struct PlanInput<'a> {
    /// The base ref's name.
    pub base: &'a str,
    /// The project being released.
    pub head: &'a Project,
    /// The dependency graph of `head`.
    pub head_graph: &'a Graph,
    /// The impacted, unchanged and deleted tables.
    pub impact: &'a Impact,
    /// Sink connectors from the config.
    pub connectors: &'a [Connector],
    /// Compute pool capacity from the config; None when it sets none.
    pub capacity: Option<&'a Capacity>,
    /// How long blue tables are kept after promotion (e.g. `7d`).
    pub retention: &'a str,
}

/// Builds the plan of a release.
pub fn build(input: &PlanInput<'_>) -> Plan {
    let (head, impact) = (input.head, input.impact);
    let by_head: BTreeMap<&str, &Impacted> = impact
        .impacted
        .iter()
        .map(|i| (i.head.as_str(), i))
        .collect();
    let impacted_heads: BTreeSet<String> = by_head.keys().map(|s| s.to_string()).collect();
    let head_waves = input.head_graph.waves(&impacted_heads);
    let mut steps = Vec::new();
    let mut waves = Vec::new();
    for (index, wave) in head_waves.iter().enumerate() {
        let mut wave_steps = Vec::new();
        let mut names = Vec::new();
        for h in wave {
            let imp = by_head[h.as_str()];
            names.push(imp.green.clone());
            wave_steps.extend(table_steps(head, h, imp));
        }
        steps.push(Wave {
            index: index + 1,
            tables: names.clone(),
            steps: wave_steps,
        });
        waves.push(names);
    }
    // Rows follow the deployment order.
    let wave_of: BTreeMap<&str, usize> = waves
        .iter()
        .enumerate()
        .flat_map(|(k, w)| w.iter().map(move |g| (g.as_str(), k)))
        .collect();
    let mut impacted = impact.impacted.clone();
    impacted.sort_by(|a, b| {
        (wave_of.get(a.green.as_str()), &a.green).cmp(&(wave_of.get(b.green.as_str()), &b.green))
    });
    // Tables upgraded in place switch at deploy.
    let blue_until_promotion: Vec<String> = impacted
        .iter()
        .filter(|i| i.strategy == Strategy::BlueGreen)
        .filter_map(|i| i.blue.clone())
        .collect();
    let connectors = connector_changes(input);
    let mut warnings = Vec::new();
    let capacity = input.capacity.map(|c| capacity_check(c, head, impact));
    if let Some(c) = &capacity
        && c.over_capacity
    {
        warnings.push(format!(
            "over capacity: blue and green together need {} CFU at peak, the pool allows {}",
            fmt_cfu(c.peak_cfu),
            fmt_cfu(c.max_cfu)
        ));
    }
    for w in &head.warnings {
        warnings.push(w.to_string());
    }
    let (promotion, rollback, cleanup) = lifecycle(input, &connectors, &head_waves, &by_head);
    Plan {
        base: input.base.to_string(),
        impacted,
        waves,
        steps,
        keep_running: impact.unchanged.clone(),
        blue_until_promotion,
        promotion,
        rollback,
        cleanup,
        connectors,
        capacity,
        cosmetic: impact.cosmetic.clone(),
        deleted: impact.deleted.clone(),
        warnings,
        retention: input.retention.to_string(),
        show_strategy: impact.show_strategy,
    }
}

fn table_steps(head: &Project, name: &str, imp: &Impacted) -> Vec<Step> {
    let t = head.table(name).expect("impacted tables exist");
    let reads_source = !t.parents.is_empty();
    let in_place = imp.strategy == Strategy::InPlace;
    // In place, the table stays: only its DML is replaced, from the old
    // statement's offsets (not the earliest).
    let ddl = t.ddl.iter().filter(|_| !in_place);
    ddl.chain(&t.dml)
        .map(|l| {
            let s = head.statement(*l);
            let action = match StepAction::of(s.kind) {
                StepAction::StartDml if in_place => StepAction::ReplaceDml,
                a => a,
            };
            let runs = action.runs();
            Step {
                table: imp.green.clone(),
                action,
                file: head.path(*l).to_string(),
                loc: *l,
                stateful: runs && !s.state.is_empty(),
                state: if runs { s.state.clone() } else { Vec::new() },
                from_earliest: runs && reads_source && !in_place,
            }
        })
        .collect()
}

fn connector_changes(input: &PlanInput<'_>) -> Vec<ConnectorChange> {
    let green_of: BTreeMap<&str, &str> = input
        .impact
        .impacted
        .iter()
        .filter(|i| i.strategy == Strategy::BlueGreen)
        .filter_map(|i| i.blue.as_deref().map(|b| (b, i.green.as_str())))
        .collect();
    let mut out = Vec::new();
    let mut covered: BTreeSet<&str> = BTreeSet::new();
    for c in input.connectors {
        let topics: Vec<(String, String)> = c
            .topics
            .iter()
            .filter_map(|t| green_of.get(t.as_str()).map(|g| (t.clone(), g.to_string())))
            .collect();
        covered.extend(c.topics.iter().map(String::as_str));
        if !topics.is_empty() {
            out.push(ConnectorChange {
                connector: c.name.clone(),
                action: ConnectorAction::Retarget,
                topics,
            });
        }
    }
    for i in &input.impact.impacted {
        let leaf = input.head_graph.children(&i.head).is_empty();
        if i.reason == Reason::New
            && leaf
            && !covered.contains(i.green.as_str())
            && !input.connectors.is_empty()
        {
            out.push(ConnectorChange {
                connector: format!("sink-{}", i.green.replace('_', "-")),
                action: ConnectorAction::Add,
                topics: vec![(String::new(), i.green.clone())],
            });
        }
    }
    out
}

fn cfu_of(c: &Capacity, names: &[&str]) -> f64 {
    names
        .iter()
        .find_map(|n| {
            c.cfu
                .get(*n)
                .or_else(|| c.cfu.get(crate::sql::version_stem(n)))
        })
        .copied()
        .unwrap_or(c.default_cfu)
}

fn capacity_check(c: &Capacity, head: &Project, impact: &Impact) -> CapacityCheck {
    let running_tables = head.tables.iter().filter(|t| runs_job(head, t));
    let impacted: BTreeMap<&str, &Impacted> = impact
        .impacted
        .iter()
        .map(|i| (i.head.as_str(), i))
        .collect();
    let mut running = 0.0;
    let mut green = 0.0;
    for t in running_tables {
        match impacted.get(t.name.as_str()) {
            // Replaced in place: the old statement stops before the new
            // one starts.
            Some(i) if i.strategy == Strategy::InPlace => running += cfu_of(c, &[&i.green]),
            Some(i) => {
                green += cfu_of(c, &[&i.green]);
                if let Some(b) = &i.blue {
                    running += cfu_of(c, &[b]);
                }
            }
            None => running += cfu_of(c, &[&t.name]),
        }
    }
    let peak = running + green;
    CapacityCheck {
        max_cfu: c.max_cfu,
        running_cfu: running,
        green_cfu: green,
        peak_cfu: peak,
        over_capacity: peak > c.max_cfu,
    }
}

/// A CFU amount for messages: no decimals when whole, else one.
pub fn fmt_cfu(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

type Lifecycle = (Vec<String>, Vec<String>, Vec<String>);

fn lifecycle(
    input: &PlanInput<'_>,
    connectors: &[ConnectorChange],
    head_waves: &[Vec<String>],
    by_head: &BTreeMap<&str, &Impacted>,
) -> Lifecycle {
    // Downstream first, so nothing running loses its input.
    let reversed: Vec<&Impacted> = head_waves
        .iter()
        .rev()
        .flat_map(|w| w.iter().map(|h| by_head[h.as_str()]))
        .collect();
    let runs = |i: &Impacted| {
        input
            .head
            .table(&i.head)
            .is_some_and(|t| runs_job(input.head, t))
    };
    let in_place = input
        .impact
        .impacted
        .iter()
        .any(|i| i.strategy == Strategy::InPlace);
    (
        promotion(input, connectors, &reversed, &runs, in_place),
        rollback(connectors, &reversed, &runs, in_place),
        cleanup(input, &reversed, &runs),
    )
}

/// Promotion: connectors, consumers of the leaves, then the blue
/// statements, downstream first.
fn promotion(
    input: &PlanInput<'_>,
    connectors: &[ConnectorChange],
    reversed: &[&Impacted],
    runs: &dyn Fn(&Impacted) -> bool,
    in_place: bool,
) -> Vec<String> {
    let mut promotion = Vec::new();
    for c in connectors {
        match c.action {
            ConnectorAction::Retarget => {
                let pairs: Vec<String> = c
                    .topics
                    .iter()
                    .map(|(a, b)| format!("{a} -> {b}"))
                    .collect();
                promotion.push(format!(
                    "Point sink connector `{}` at the green topics: {}",
                    c.connector,
                    pairs.join(", ")
                ));
            }
            ConnectorAction::Add => promotion.push(format!(
                "Add sink connector `{}` for the new table `{}`",
                c.connector, c.topics[0].1
            )),
        }
    }
    let leaves = input.impact.impacted.iter().filter(|i| {
        i.blue.is_some()
            && i.strategy == Strategy::BlueGreen
            && input.head_graph.children(&i.head).is_empty()
    });
    for i in leaves {
        promotion.push(format!(
            "Move consumers of `{}` to `{}`",
            i.blue.as_deref().unwrap_or_default(),
            i.green
        ));
    }
    for i in reversed {
        if let Some(b) = &i.blue
            && runs(i)
            && i.strategy == Strategy::BlueGreen
        {
            // Deploy's names per environment are in `impacted[].statements`.
            promotion.push(format!(
                "Stop the blue statement of `{b}` (its SQL file {})",
                i.statement
            ));
        }
    }
    if promotion.is_empty() && in_place {
        promotion
            .push("Nothing to switch: the tables upgraded in place switched at deploy".to_string());
    } else if promotion.is_empty() {
        promotion.push("Nothing to switch: no running table is replaced".to_string());
    }
    promotion
}

/// Rollback: connectors back, then each green table, downstream first.
fn rollback(
    connectors: &[ConnectorChange],
    reversed: &[&Impacted],
    runs: &dyn Fn(&Impacted) -> bool,
    in_place: bool,
) -> Vec<String> {
    let mut rollback = Vec::new();
    if connectors
        .iter()
        .any(|c| c.action == ConnectorAction::Retarget)
    {
        rollback.push(
            "Point the sink connectors back at the blue topics (if they were moved)".to_string(),
        );
    }
    for i in reversed {
        if i.strategy == Strategy::InPlace {
            rollback.push(format!(
                "Replace the statement of `{}` back with its blue SQL, from the new statement's offsets (the table keeps its name)",
                i.green
            ));
        } else if runs(i) {
            rollback.push(format!(
                "Stop and delete the green statement of `{}`, drop table `{}`",
                i.green, i.green
            ));
        } else {
            rollback.push(format!("Drop `{}`", i.green));
        }
    }
    rollback.push(if in_place {
        "The blue tables of the re-versioned ones are untouched: nothing to restart".to_string()
    } else {
        "Blue is untouched: nothing to restart".to_string()
    });
    rollback
}

/// Cleanup after the retention: blue tables, then deleted ones.
fn cleanup(
    input: &PlanInput<'_>,
    reversed: &[&Impacted],
    runs: &dyn Fn(&Impacted) -> bool,
) -> Vec<String> {
    let mut cleanup = Vec::new();
    for i in reversed {
        if i.strategy == Strategy::InPlace {
            cleanup.push(format!(
                "Nothing to drop for `{}`: upgraded in place (its replaced statement is deleted at deploy)",
                i.green
            ));
        } else if let Some(b) = &i.blue {
            let what = if runs(i) {
                "and delete its statements"
            } else {
                "(no statement runs)"
            };
            cleanup.push(format!(
                "After {} of green in production, drop blue `{b}` {what}",
                input.retention
            ));
        }
    }
    for d in &input.impact.deleted {
        cleanup.push(format!(
            "Drop table `{}` (deleted from the project) and delete its statements",
            d.name
        ));
    }
    cleanup
}

/// A sink connector reading some of the project's tables (topics).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Connector {
    /// The connector's name.
    pub name: String,
    /// The tables (topics) it reads, by the names deployed now (blue).
    pub topics: Vec<String>,
}

/// Compute pool capacity in CFU.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capacity {
    /// The pool's maximum.
    pub max_cfu: f64,
    /// CFU of a statement not listed in `cfu`.
    #[serde(default = "one")]
    pub default_cfu: f64,
    /// CFU per table (its name without version suffix, or an exact name).
    #[serde(default)]
    pub cfu: BTreeMap<String, f64>,
}

fn one() -> f64 {
    1.0
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::version::ImpactInput;

    fn project(files: &[(&str, &str)]) -> Project {
        let texts: Vec<(String, Vec<u8>)> = files
            .iter()
            .map(|(p, t)| (p.to_string(), t.as_bytes().to_vec()))
            .collect();
        Project::build(crate::project::analyze_texts(&texts).unwrap()).unwrap()
    }

    /// A changed query counts one CFU however it is written: CTAS,
    /// materialized table or CREATE TABLE + INSERT; the plan stops and
    /// restarts each of their jobs.
    #[test]
    fn every_statement_that_runs_a_job_counts_for_capacity() {
        let files = |filter: &str| {
            vec![
                (
                    "src.sql",
                    "CREATE TABLE src (a INT) WITH ('connector' = 'datagen');".to_string(),
                ),
                (
                    "ctas.sql",
                    format!("CREATE TABLE c AS SELECT a FROM src WHERE {filter};"),
                ),
                (
                    "mat.sql",
                    format!("CREATE MATERIALIZED TABLE m AS SELECT a FROM src WHERE {filter};"),
                ),
                (
                    "ins.sql",
                    format!(
                        "CREATE TABLE i (a INT);\nINSERT INTO i SELECT a FROM src WHERE {filter};"
                    ),
                ),
            ]
        };
        let own = |v: &[(&'static str, String)]| -> Vec<(String, String)> {
            v.iter().map(|(p, t)| (p.to_string(), t.clone())).collect()
        };
        let as_refs = |v: &[(String, String)]| -> Project {
            let refs: Vec<(&str, &str)> = v.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
            project(&refs)
        };
        let base = as_refs(&own(&files("a > 0")));
        let head = as_refs(&own(&files("a > 1")));
        let graph = Graph::build(&head).unwrap();
        let changed: BTreeSet<String> = ["ctas.sql", "mat.sql", "ins.sql"].map(String::from).into();
        let none = BTreeSet::new();
        let impact = crate::version::compute(&ImpactInput {
            base: &base,
            head: &head,
            head_to_base: &crate::version::match_tables(&base, &head),
            head_graph: &graph,
            changed_paths: &changed,
            forced: &none,
            schema: &none,
        })
        .unwrap();
        let capacity = Capacity {
            max_cfu: 10.0,
            default_cfu: 1.0,
            cfu: BTreeMap::new(),
        };
        let plan = build(&PlanInput {
            base: "v1",
            head: &head,
            head_graph: &graph,
            impact: &impact,
            connectors: &[],
            capacity: Some(&capacity),
            retention: "7d",
        });
        let c = plan.capacity.as_ref().unwrap();
        assert_eq!((c.running_cfu, c.green_cfu), (3.0, 3.0), "{c:?}");
        let stops = plan
            .promotion
            .iter()
            .filter(|s| s.starts_with("Stop the blue statement"));
        assert_eq!(stops.count(), 3, "{:?}", plan.promotion);
        let actions: BTreeSet<(String, StepAction)> = plan
            .steps
            .iter()
            .flat_map(|w| &w.steps)
            .map(|s| (s.table.clone(), s.action))
            .collect();
        assert!(actions.contains(&("m_v2".to_string(), StepAction::CreateTableAs)));
        assert!(actions.contains(&("i_v2".to_string(), StepAction::StartDml)));
    }
}
