//! The upgrade strategy of each table of a release (pure): blue/green (a
//! new `_vN` table, replayed from the earliest offsets, its descendants
//! re-versioned) or in place (the statement replaced by one that carries
//! the old one's offsets over; the table keeps its name and its readers are
//! not re-versioned because of it).
//!
//! A table is eligible for an in-place upgrade, from the SQL alone, when
//! its upgrade policy is `auto`, the deploy targets can carry offsets over,
//! only its DML changed, one stateless `INSERT` writes it (before and
//! after the change: a rollback carries the offsets back), its DDL is a
//! `CREATE TABLE` of an append-only sink, and it reads no table that is
//! re-versioned. What makes a statement stateless is `sql::state`'s rule.
use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, IntoDeserializer, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::project::{Loc, Project, Table};
use crate::sql::{Construct, StatementKind, version_stem};

/// How a table of the release is upgraded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// A new versioned table beside the old one, switched at promotion.
    #[default]
    BlueGreen,
    /// The statement replaced in place, from the old one's offsets.
    InPlace,
}

impl Strategy {
    /// Its name, as serialized (`blue_green`, `in_place`).
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::BlueGreen => "blue_green",
            Strategy::InPlace => "in_place",
        }
    }
}

/// The upgrade policy of a table (`upgrade:` in greenlight.yaml).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Policy {
    /// Every changed table gets a new version (the default).
    #[default]
    BlueGreen,
    /// In place where eligible, blue/green elsewhere.
    Auto,
}

/// `upgrade:` in greenlight.yaml: `blue_green` or `auto`, or
/// `{default: auto, tables: {int_x: blue_green}}` with per-table overrides
/// (a table's name, or its name without the version suffix).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpgradePolicy {
    /// The policy of the tables with no entry of their own.
    pub default: Policy,
    /// Per-table overrides, by table name (or name without version suffix).
    pub tables: BTreeMap<String, Policy>,
}

/// The policy every release has without `upgrade:`.
pub static BLUE_GREEN: UpgradePolicy = UpgradePolicy {
    default: Policy::BlueGreen,
    tables: BTreeMap::new(),
};

impl UpgradePolicy {
    /// The policy of a table: its own entry (by its name at the head or at
    /// the base, or its name without version suffix), else the default.
    pub fn for_table(&self, head: &str, blue: Option<&str>) -> Policy {
        [Some(head), blue, Some(version_stem(head))]
            .into_iter()
            .flatten()
            .find_map(|n| self.tables.get(n))
            .copied()
            .unwrap_or(self.default)
    }

    /// Whether some table may be upgraded in place (the reports then show
    /// each table's strategy).
    pub fn any_auto(&self) -> bool {
        self.default == Policy::Auto || self.tables.values().any(|p| *p == Policy::Auto)
    }

    /// The override keys that name no table of `project` (by name or by
    /// name without version suffix).
    pub fn unknown_tables<'a>(&'a self, project: &Project) -> Vec<&'a str> {
        self.tables
            .keys()
            .filter(|k| {
                !project
                    .tables
                    .iter()
                    .any(|t| &t.name == *k || version_stem(&t.name) == k.as_str())
            })
            .map(String::as_str)
            .collect()
    }
}

impl<'de> Deserialize<'de> for UpgradePolicy {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Form;
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Full {
            #[serde(default)]
            default: Policy,
            #[serde(default)]
            tables: BTreeMap<String, Policy>,
        }
        impl<'de> Visitor<'de> for Form {
            type Value = UpgradePolicy;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "`blue_green`, `auto`, or `{default: auto, tables: {TABLE: blue_green}}`",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<UpgradePolicy, E> {
                let default = Policy::deserialize(v.into_deserializer())?;
                Ok(UpgradePolicy {
                    default,
                    tables: BTreeMap::new(),
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<UpgradePolicy, A::Error> {
                let f = Full::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(UpgradePolicy {
                    default: f.default,
                    tables: f.tables,
                })
            }
        }
        d.deserialize_any(Form)
    }
}

/// Whether the deploy targets can replace a statement from the offsets of
/// the one it replaces.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum InPlaceTarget {
    /// Confluent Cloud (`sql.tables.initial-offset-from`).
    #[default]
    Supported,
    /// Why not (e.g. an environment on open-source Flink).
    Unsupported(String),
}

/// What the strategies are chosen from, beside the impact's input.
#[derive(Debug, Clone, Copy)]
pub struct UpgradeInput<'a> {
    /// The upgrade policy (`upgrade:` in greenlight.yaml).
    pub policy: &'a UpgradePolicy,
    /// Whether the deploy targets can carry offsets over.
    pub target: &'a InPlaceTarget,
}

static SUPPORTED: InPlaceTarget = InPlaceTarget::Supported;

impl Default for UpgradeInput<'_> {
    /// `blue_green` for every table: today's behaviour.
    fn default() -> Self {
        UpgradeInput {
            policy: &BLUE_GREEN,
            target: &SUPPORTED,
        }
    }
}

/// What an in-place upgrade means, said wherever one is shown.
pub const IN_PLACE_MEANS: &str = "stateless, DDL unchanged: its statement is replaced in place from the old one's offsets (carry-over); records written before the switch came from the old logic";

/// `path:line:col` of a statement, or of a construct in it.
fn at(project: &Project, loc: Loc, line: u32, col: u32) -> String {
    format!("{}:{line}:{col}", project.path(loc))
}

fn statement_at(project: &Project, loc: Loc) -> String {
    let s = project.statement(loc);
    at(project, loc, s.line, s.col)
}

/// Why a changed table cannot be upgraded in place on its own account (its
/// policy, the targets, its SQL), each with where; empty when it can.
/// `changed` says what changed (`ddl`, `dml`); `blue` is its base table.
pub fn own_blockers(
    input: &UpgradeInput<'_>,
    base: &Project,
    blue: &Table,
    head: &Project,
    table: &Table,
    changed: &[&str],
) -> Vec<String> {
    let mut out = Vec::new();
    if input.policy.for_table(&table.name, Some(&blue.name)) == Policy::BlueGreen {
        out.push("upgrade policy `blue_green`".to_string());
    }
    if let InPlaceTarget::Unsupported(why) = input.target {
        out.push(why.clone());
    }
    if changed.contains(&"ddl") {
        let where_ = table
            .ddl
            .map(|l| format!(" at {}", statement_at(head, l)))
            .unwrap_or_default();
        out.push(format!("its DDL changed{where_}"));
    }
    out.extend(ddl_blockers(head, table));
    // A view, a CTAS or a materialized table: what its DML would be is
    // beside the point.
    let not_a_table = table
        .ddl
        .is_some_and(|l| head.statement(l).kind != StatementKind::CreateTable);
    let dml = if not_a_table {
        Vec::new()
    } else {
        dml_blockers(head, table, "")
    };
    // A rollback replaces the new statement back from its offsets: the
    // blue statement must be stateless too.
    if dml.is_empty() && blue.dml.len() == 1 && table.dml.len() == 1 {
        out.extend(dml_blockers(base, blue, "the blue statement's "));
    }
    out.extend(dml);
    out
}

/// What in a table's DDL rules an in-place upgrade out.
fn ddl_blockers(project: &Project, table: &Table) -> Vec<String> {
    let Some(l) = table.ddl else {
        return vec!["no DDL in the project: its sink's changelog mode is unknown".into()];
    };
    let s = project.statement(l);
    let kind = match s.kind {
        StatementKind::CreateTable => None,
        StatementKind::Ctas => Some("CREATE TABLE AS (the table and its query are one statement)"),
        StatementKind::CreateView => Some("a view (its readers compiled the old definition)"),
        StatementKind::CreateMaterializedTable | StatementKind::CreateMaterializedTableSchema => {
            Some("a materialized table")
        }
        _ => Some("not a CREATE TABLE"),
    };
    let mut out = Vec::new();
    if let Some(k) = kind {
        out.push(format!("{k} at {}", statement_at(project, l)));
    }
    if let Some(src) = table.like.iter().next() {
        out.push(format!(
            "its DDL copies `{src}` with LIKE at {}: the sink's key and changelog mode come from there",
            statement_at(project, l)
        ));
    }
    for u in s
        .state_uses
        .iter()
        .filter(|u| u.construct == Construct::UpsertSink)
    {
        out.push(format!(
            "{} at {}",
            u.construct,
            at(project, l, u.line, u.col)
        ));
    }
    out
}

/// What in a table's DML rules an in-place upgrade out; `whose` prefixes
/// the reasons (`the blue statement's `).
fn dml_blockers(project: &Project, table: &Table, whose: &str) -> Vec<String> {
    let [l] = table.dml[..] else {
        return match table.dml.len() {
            0 if table
                .ddl
                .is_some_and(|l| project.statement(l).kind.runs_continuously()) =>
            {
                Vec::new()
            }
            0 => vec![format!("{whose}no INSERT writes it")],
            n => {
                let at: Vec<String> = table
                    .dml
                    .iter()
                    .map(|l| statement_at(project, *l))
                    .collect();
                vec![format!(
                    "{whose}{n} INSERT statements write it, each a job of its own (at {})",
                    at.join(", ")
                )]
            }
        };
    };
    let s = project.statement(l);
    let mut out = Vec::new();
    if s.in_statement_set {
        out.push(format!(
            "{whose}INSERT is in a statement set at {} (one job with other tables)",
            statement_at(project, l)
        ));
    }
    if s.declared.is_some() {
        out.push(format!(
            "{whose}lineage is declared by an annotation at {} (not analysed)",
            statement_at(project, l)
        ));
    }
    for u in &s.state_uses {
        out.push(format!(
            "{whose}{} at {}",
            u.construct,
            at(project, l, u.line, u.col)
        ));
    }
    out
}
