//! What the reports say about each table of a release, derived once from
//! the plan and the head's graph: its wave, whether it keeps state, which
//! changed tables caused it, what it reads outside the release.
use std::collections::{BTreeMap, BTreeSet};

use crate::graph::Graph;
use crate::plan::Plan;
use crate::version::Reason;

/// One table of the release, in the plan's order (by wave, then name).
#[derive(Debug, Clone)]
pub struct TableFacts {
    pub blue: Option<String>,
    pub green: String,
    pub reason: Reason,
    /// `ddl`, `dml` for a modified table.
    pub changed: Vec<&'static str>,
    /// 1-based.
    pub wave: usize,
    pub stateful: bool,
    /// Why it keeps state (`join`, `aggregation`, ...), without repeats.
    pub state: Vec<&'static str>,
    /// Starts a statement (DML or CTAS), not only a CREATE.
    pub runs: bool,
    /// Indexes of the changed tables (roots) it comes from, itself first
    /// when it is one.
    pub causes: Vec<usize>,
    /// Indexes of the release's tables it reads.
    pub parents: Vec<usize>,
    /// Tables it reads that the release leaves running, and external topics.
    pub untouched: usize,
    pub topics: usize,
    /// No table of the project reads it.
    pub leaf: bool,
    pub product: Option<String>,
    /// Project-relative SQL file (DML, else DDL).
    pub file: Option<String>,
    /// The statement's identity today (see `Impacted::statement`).
    pub statement: String,
    /// The green statements of the first environment (none without one).
    pub statements: Vec<String>,
    /// Upgraded in place: its statement replaced, its name kept.
    pub in_place: bool,
    /// Why that strategy (None when the policy allows no in-place upgrade).
    pub strategy_why: Option<String>,
}

impl TableFacts {
    /// A root: changed, new, forced or changed schema (not a descendant).
    pub fn is_root(&self) -> bool {
        self.reason != Reason::Descendant
    }

    /// Why a root is in the release: `changed (dml)`, `new`, `forced`,
    /// `schema change`.
    pub fn why(&self) -> String {
        match self.reason {
            Reason::Modified if !self.changed.is_empty() => {
                format!("changed ({})", self.changed.join(", "))
            }
            Reason::Modified => "changed".into(),
            Reason::Descendant => "descendant".into(),
            Reason::New => "new".into(),
            Reason::Schema => "schema change".into(),
            Reason::Forced => "forced".into(),
            Reason::StatementSet => "same statement set (one job)".into(),
        }
    }

    /// The name a reviewer knows it by: blue, or green for a new table.
    pub fn name(&self) -> &str {
        self.blue.as_deref().unwrap_or(&self.green)
    }
}

/// A state reason as short as a table cell wants it.
fn short_state(reason: &'static str) -> &'static str {
    match reason {
        "ROW_NUMBER dedup" => "dedup",
        other => other,
    }
}

/// A step's action as its JSON string (the plan's enum or string alike).
pub(super) fn action_str<T: serde::Serialize>(action: &T) -> String {
    serde_json::to_value(action)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

pub(super) fn derive(plan: &Plan, graph: &Graph) -> Vec<TableFacts> {
    let index: BTreeMap<&str, usize> = plan
        .impacted
        .iter()
        .enumerate()
        .map(|(k, i)| (i.head.as_str(), k))
        .collect();
    let wave_of: BTreeMap<&str, usize> = plan
        .waves
        .iter()
        .enumerate()
        .flat_map(|(k, w)| w.iter().map(move |g| (g.as_str(), k + 1)))
        .collect();
    let mut steps: BTreeMap<&str, Vec<&crate::plan::Step>> = BTreeMap::new();
    for s in plan.steps.iter().flat_map(|w| &w.steps) {
        steps.entry(s.table.as_str()).or_default().push(s);
    }
    let mut out: Vec<TableFacts> = Vec::with_capacity(plan.impacted.len());
    for i in &plan.impacted {
        let own = steps.get(i.green.as_str()).cloned().unwrap_or_default();
        let mut state: Vec<&'static str> = Vec::new();
        for r in own.iter().flat_map(|s| &s.state) {
            let word = short_state(r.as_str());
            if !state.contains(&word) {
                state.push(word);
            }
        }
        let (mut parents, mut untouched, mut topics) = (Vec::new(), 0, 0);
        for p in graph.parents(&i.head) {
            match index.get(p.as_str()) {
                Some(&k) => parents.push(k),
                None if graph.is_external(&p) => topics += 1,
                None => untouched += 1,
            }
        }
        out.push(TableFacts {
            blue: i.blue.clone(),
            green: i.green.clone(),
            reason: i.reason,
            changed: i.changed.clone(),
            wave: wave_of.get(i.green.as_str()).copied().unwrap_or(0),
            stateful: own.iter().any(|s| s.stateful),
            state,
            runs: own.iter().any(|s| {
                matches!(
                    action_str(&s.action).as_str(),
                    "start_dml" | "create_table_as" | "replace_dml"
                )
            }),
            causes: Vec::new(),
            parents,
            untouched,
            topics,
            leaf: graph.children(&i.head).is_empty(),
            product: i.product.clone(),
            file: i.dml.clone().or_else(|| i.ddl.clone()),
            statement: i.statement.clone(),
            statements: i
                .statements
                .values()
                .next()
                .map(|n| n.green.clone())
                .unwrap_or_default(),
            in_place: i.strategy == crate::version::Strategy::InPlace,
            strategy_why: i.strategy_reason.clone(),
        });
    }
    // Causes follow the waves: a parent's causes are known before its
    // children's (the plan lists tables by wave).
    let mut order: Vec<usize> = (0..out.len()).collect();
    order.sort_by_key(|&k| out[k].wave);
    for k in order {
        let mut causes: BTreeSet<usize> = BTreeSet::new();
        // A table upgraded in place re-versions nothing below it.
        for &p in out[k].parents.iter().filter(|&&p| !out[p].in_place) {
            causes.extend(out[p].causes.iter().copied());
        }
        let mut list: Vec<usize> = Vec::new();
        if out[k].is_root() {
            list.push(k);
            causes.remove(&k);
        }
        list.extend(causes);
        out[k].causes = list;
    }
    out
}

/// For each root, how many tables it re-versions (itself included) and how
/// many of those keep state.
pub(super) fn reach(facts: &[TableFacts]) -> BTreeMap<usize, (usize, usize)> {
    let mut out: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
    for t in facts {
        for &c in &t.causes {
            let e = out.entry(c).or_default();
            e.0 += 1;
            e.1 += usize::from(t.stateful);
        }
    }
    out
}
