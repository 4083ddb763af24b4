//! Versioning (pure): which tables changed between the base and the head
//! project, which are impacted, and the green name of each.
mod matching;
pub mod upgrade;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

pub use matching::match_tables;
pub use upgrade::{InPlaceTarget, Policy, Strategy, UpgradeInput, UpgradePolicy};

use crate::error::{Result, VersionError};
use crate::graph::Graph;
use crate::project::{Project, Resolved, Table, TableId};
use crate::sql::{RefRole, Statement, next_version};

/// Why a table is in the release (its JSON `reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Its DDL or DML changed semantically, or its name was bumped by hand.
    Modified,
    /// Downstream of a re-versioned table (reads it, or is created LIKE a
    /// table whose DDL changed).
    Descendant,
    /// Defined at the head and matched to no table of the base.
    New,
    /// Impacted by a source schema change.
    Schema,
    /// Asked for by the author (`--also` or the force file).
    Forced,
    /// Written by the same statement set (one job) as a re-versioned
    /// table: the green job must write only green tables. Its JSON
    /// `reason` is `forced` (the contract's values), with
    /// `forced_by: "statement_set"`.
    #[serde(rename = "forced")]
    StatementSet,
}

impl Reason {
    /// Its name in the reports (`forced` for a statement set).
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Modified => "modified",
            Reason::Descendant => "descendant",
            Reason::New => "new",
            Reason::Schema => "schema",
            Reason::Forced => "forced",
            Reason::StatementSet => "forced",
        }
    }
}

/// One table of the release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Impacted {
    /// Its name at the base ref (None for a new table).
    pub blue: Option<String>,
    /// The name it is deployed under.
    pub green: String,
    /// The statement's identity (its SQL file's name).
    pub statement: String,
    /// Why it is in the release.
    pub reason: Reason,
    /// What forced it when it is not in `--also` or the force file:
    /// `statement_set` (a statement set writing it writes a re-versioned
    /// table).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forced_by: Option<&'static str>,
    /// How it is upgraded: `blue_green` (a new version) or `in_place` (its
    /// statement replaced from the old one's offsets, its name kept).
    pub strategy: Strategy,
    /// Why that strategy: what made it ineligible for an in-place upgrade
    /// (with `file:line:col`), or what in place means. Set when the
    /// upgrade policy lets some table be upgraded in place.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strategy_reason: Option<String>,
    /// Its name in the working tree before any rewrite.
    #[serde(skip)]
    pub head: String,
    /// Its kind (`source`, `fact`, ...).
    pub kind: &'static str,
    /// Its shift_left product folder (None outside a product).
    pub product: Option<String>,
    /// The project-relative path of its DDL's file (None without a DDL).
    pub ddl: Option<String>,
    /// The project-relative path of its first DML's file (None without one).
    pub dml: Option<String>,
    /// What changed semantically: `ddl`, `dml` (modified tables only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changed: Vec<&'static str>,
    /// Green names of the tables it reads.
    pub parents: Vec<String>,
    /// The names deploy gives its statements, per environment of the
    /// config (filled by the plan; empty without environments).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub statements: BTreeMap<String, StatementNames>,
}

/// A table's statements in one environment: blue's (what promotion stops)
/// and green's (what deploy creates), in deployment order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StatementNames {
    /// Blue's statement names: what promotion stops.
    pub blue: Vec<String>,
    /// Green's statement names: what deploy creates.
    pub green: Vec<String>,
}

/// A table defined at the base and gone from the head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deleted {
    /// Its name at the base.
    pub name: String,
    /// The project-relative path of its DDL's file at the base (None without
    /// a DDL).
    pub ddl: Option<String>,
}

/// What a release changes: the tables to deploy, those left running and
/// those to clean up.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Impact {
    /// Sorted by green name.
    pub impacted: Vec<Impacted>,
    /// Tables whose files changed only in comments or whitespace.
    pub cosmetic: Vec<String>,
    /// Tables to clean up after promotion.
    pub deleted: Vec<Deleted>,
    /// Head name -> green name, for the rewrite (only names that change).
    pub renames: BTreeMap<String, String>,
    /// Tables not impacted: they keep running.
    pub unchanged: Vec<String>,
    /// Whether the upgrade policy lets some table be upgraded in place:
    /// the reports then show each table's strategy.
    #[serde(skip)]
    pub show_strategy: bool,
}

/// What the impact is computed from.
pub struct ImpactInput<'a> {
    /// The project at the base.
    pub base: &'a Project,
    /// The project at the head.
    pub head: &'a Project,
    /// Head table -> its base table ([`match_tables`], computed once).
    pub head_to_base: &'a HashMap<String, String>,
    /// The head project's lineage graph.
    pub head_graph: &'a Graph,
    /// Project-relative paths of files changed since the base (both sides).
    pub changed_paths: &'a BTreeSet<String>,
    /// Tables (head names) the author asked to re-version.
    pub forced: &'a BTreeSet<String>,
    /// Tables (head names) impacted by a source schema change.
    pub schema: &'a BTreeSet<String>,
}

/// The impact with every table upgraded blue/green (no `upgrade:` policy).
pub fn compute(input: &ImpactInput<'_>) -> Result<Impact> {
    compute_with(input, &UpgradeInput::default())
}

/// The impact under an upgrade policy: tables eligible for an in-place
/// upgrade keep their names, and are no reason to re-version their
/// descendants.
pub fn compute_with(input: &ImpactInput<'_>, up: &UpgradeInput<'_>) -> Result<Impact> {
    check_named_tables(input)?;
    let show = up.policy.any_auto();
    if show && let Some(k) = up.policy.unknown_tables(input.head).first() {
        return Err(VersionError::UnknownUpgradeTable(crate::paths::excerpt(k, 80)).into());
    }
    let (mut modified, mut cosmetic) = modified_tables(input);
    let blockers = if show {
        own_blockers(input, up, &modified)
    } else {
        BTreeMap::new()
    };
    // A table renamed since the base (by hand, or by an earlier rewrite of
    // this release) is a new table: blue/green.
    let candidates: BTreeSet<String> = modified
        .keys()
        .filter(|n| show && blockers.get(*n).is_none_or(Vec::is_empty) && !renamed(input, n))
        .cloned()
        .collect();
    let (impacted_names, in_place, same_job) = impacted_tables(input, &mut modified, &candidates);
    // An impacted table's files may differ only by renames: not cosmetic.
    cosmetic.retain(|n| !impacted_names.contains(n));
    let green_of = green_names(input, &impacted_names, &in_place);
    check_collisions(input.base, input.head, &green_of)?;
    let deleted = deleted_tables(input.base, input.head, input.head_to_base)?;
    let renames: BTreeMap<String, String> = green_of
        .iter()
        .filter(|(h, g)| h != g)
        .map(|(h, g)| (h.clone(), g.clone()))
        .collect();
    let strategies = Strategies {
        show,
        same_job: &same_job,
        in_place: &in_place,
        blockers: &blockers,
        impacted: &impacted_names,
    };
    let mut impacted: Vec<Impacted> = impacted_names
        .iter()
        .map(|name| impacted_row(input, name, &modified, &green_of, &strategies))
        .collect();
    impacted.sort_by(|a, b| a.green.cmp(&b.green));
    let unchanged = input
        .head
        .tables
        .iter()
        .filter(|t| !impacted_names.contains(&t.name))
        .map(|t| t.name.clone())
        .collect();
    Ok(Impact {
        impacted,
        cosmetic,
        deleted,
        renames,
        unchanged,
        show_strategy: show,
    })
}

/// The upgrade strategies chosen, for the rows.
struct Strategies<'a> {
    show: bool,
    /// Tables impacted only because a statement set writing them is.
    same_job: &'a BTreeSet<String>,
    in_place: &'a BTreeSet<String>,
    /// Why each modified table cannot be upgraded in place on its own
    /// account (empty: eligible).
    blockers: &'a BTreeMap<String, Vec<String>>,
    impacted: &'a BTreeSet<String>,
}

/// Whether a table's name differs from its base table's.
fn renamed(input: &ImpactInput<'_>, name: &str) -> bool {
    let base = input
        .head_to_base
        .get(name)
        .and_then(|b| input.base.table(b));
    base.map(|b| &b.id) != input.head.table(name).map(|t| &t.id)
}

/// Each modified table's own reasons not to be upgraded in place.
fn own_blockers(
    input: &ImpactInput<'_>,
    up: &UpgradeInput<'_>,
    modified: &BTreeMap<String, Vec<&'static str>>,
) -> BTreeMap<String, Vec<String>> {
    modified
        .iter()
        .filter_map(|(name, changed)| {
            let head = input.head.table(name)?;
            let blue = input
                .head_to_base
                .get(name)
                .and_then(|b| input.base.table(b))?;
            let why = upgrade::own_blockers(up, input.base, blue, input.head, head, changed);
            Some((name.clone(), why))
        })
        .collect()
}

/// Why a table is upgraded the way it is (None when no table may be
/// upgraded in place).
fn strategy_reason(
    input: &ImpactInput<'_>,
    name: &str,
    reason: Reason,
    s: &Strategies<'_>,
) -> Option<String> {
    if !s.show {
        return None;
    }
    if s.in_place.contains(name) {
        return Some(upgrade::IN_PLACE_MEANS.to_string());
    }
    if let Some(b) = s.blockers.get(name).filter(|b| !b.is_empty()) {
        return Some(b.join("; "));
    }
    let reread = || {
        input
            .head
            .table(name)
            .into_iter()
            .flat_map(|t| &t.parents)
            .find(|p| s.impacted.contains(*p) && !s.in_place.contains(*p))
            // Its blue name: the same before and after the rewrite.
            .map(|p| input.head_to_base.get(p).unwrap_or(p))
            .map(|p| format!("reads `{p}`, which is re-versioned"))
    };
    Some(match reason {
        Reason::New => "a new table: deployed under its own name".to_string(),
        Reason::Forced => "forced (--also or the force file)".to_string(),
        Reason::StatementSet => {
            "its statement set (one job) writes a re-versioned table".to_string()
        }
        Reason::Schema => "a source schema changed: replayed from the earliest offsets".to_string(),
        _ if input.forced.contains(name) => "forced (--also or the force file)".to_string(),
        _ if input.schema.contains(name) => {
            "a source schema changed: replayed from the earliest offsets".to_string()
        }
        _ => reread().unwrap_or_else(|| {
            if renamed(input, name) {
                "renamed since the base (by hand or by an earlier rewrite): a new name is a new table".to_string()
            } else {
                "its schema comes from a table whose DDL changed (LIKE)".to_string()
            }
        }),
    })
}

/// Forced and schema-impacted tables must be tables of the project.
fn check_named_tables(input: &ImpactInput<'_>) -> Result<()> {
    for name in input.forced.iter().chain(input.schema.iter()) {
        if input.head.table(name).is_none() {
            return Err(VersionError::NotATable(crate::paths::excerpt(name, 80)).into());
        }
    }
    Ok(())
}

/// What changed per table: `ddl` and/or `dml` for the modified tables
/// (head names), and the tables whose own statements changed only
/// cosmetically.
fn modified_tables(input: &ImpactInput<'_>) -> (BTreeMap<String, Vec<&'static str>>, Vec<String>) {
    let (base, head, head_to_base) = (input.base, input.head, input.head_to_base);
    // Head table index -> base table index.
    let to_base: Vec<Option<usize>> = head
        .tables
        .iter()
        .map(|t| head_to_base.get(&t.name).and_then(|b| base.table_index(b)))
        .collect();
    let mut modified: BTreeMap<String, Vec<&'static str>> = BTreeMap::new();
    let mut cosmetic = Vec::new();
    for h in &head.tables {
        let Some(b_name) = head_to_base.get(&h.name) else {
            continue;
        };
        let b = base.table(b_name).expect("matched tables exist");
        let mut changed = Vec::new();
        if !same_opt(
            base,
            b.ddl.map(|l| base.statement(l)),
            head,
            h.ddl.map(|l| head.statement(l)),
            &to_base,
        ) {
            changed.push("ddl");
        }
        let same_dml = b.dml.len() == h.dml.len()
            && b.dml.iter().zip(&h.dml).all(|(bl, hl)| {
                same_statement(
                    base,
                    base.statement(*bl),
                    head,
                    head.statement(*hl),
                    &to_base,
                )
            });
        if !same_dml {
            changed.push("dml");
        }
        if !changed.is_empty() {
            modified.insert(h.name.clone(), changed);
        } else if own_text_changed(base, b, head, h, input.changed_paths) {
            cosmetic.push(h.name.clone());
        }
    }
    (modified, cosmetic)
}

/// The tables to deploy: the modified, forced and schema-impacted tables,
/// the tables created LIKE a table whose DDL changed, names bumped by hand
/// (added to `modified`), everything downstream of them, and new tables.
///
/// `in_place` candidates are no roots: those that are not downstream of a
/// re-versioned table are upgraded in place (the second set returned), the
/// others are re-versioned with their parents.
fn impacted_tables(
    input: &ImpactInput<'_>,
    modified: &mut BTreeMap<String, Vec<&'static str>>,
    in_place: &BTreeSet<String>,
) -> (BTreeSet<String>, BTreeSet<String>, BTreeSet<String>) {
    let (base, head, head_to_base) = (input.base, input.head, input.head_to_base);
    let mut roots: BTreeSet<String> = modified
        .keys()
        .filter(|n| !in_place.contains(*n))
        .cloned()
        .collect();
    // A changed DDL changes the schema of the tables created LIKE it.
    let schema_changed = modified
        .iter()
        .filter(|(_, c)| c.contains(&"ddl"))
        .map(|(n, _)| n.as_str());
    roots.extend(input.head_graph.like_descendants(schema_changed));
    roots.extend(input.forced.iter().cloned());
    roots.extend(input.schema.iter().cloned());
    let mut closure = input.head_graph.closure(roots.iter().map(String::as_str));
    // A name bumped by hand with no other change still makes a new version.
    let hand_bumped: Vec<String> = head
        .tables
        .iter()
        .filter(|t| {
            head_to_base
                .get(&t.name)
                .is_some_and(|b| base.table(b).map(|b| &b.id) != Some(&t.id))
                && !closure.contains(&t.name)
        })
        .map(|t| t.name.clone())
        .collect();
    for name in &hand_bumped {
        modified.entry(name.clone()).or_default();
    }
    if !hand_bumped.is_empty() {
        roots.extend(hand_bumped.iter().cloned());
        closure = input.head_graph.closure(roots.iter().map(String::as_str));
    }
    // A statement set is one job: when it writes an impacted table, every
    // table it writes is impacted (bounded: each round adds a table).
    let jobs = statement_sets(head);
    let mut same_job = BTreeSet::new();
    for _ in 0..=head.tables.len() {
        let pulled: Vec<String> = jobs
            .iter()
            .filter(|tables| tables.iter().any(|t| closure.contains(t)))
            .flatten()
            .filter(|t| !closure.contains(*t))
            .cloned()
            .collect();
        if pulled.is_empty() {
            break;
        }
        same_job.extend(pulled.iter().cloned());
        roots.extend(pulled);
        closure = input.head_graph.closure(roots.iter().map(String::as_str));
    }
    let in_place: BTreeSet<String> = in_place
        .iter()
        .filter(|n| !closure.contains(*n))
        .cloned()
        .collect();
    let mut names: BTreeSet<String> = closure
        .into_iter()
        .filter(|n| head.table(n).is_some())
        .collect();
    names.extend(in_place.iter().cloned());
    names.extend(
        head.tables
            .iter()
            .filter(|t| !head_to_base.contains_key(&t.name))
            .map(|t| t.name.clone()),
    );
    (names, in_place, same_job)
}

/// The tables each statement set of the project writes (sets writing one
/// table left out).
fn statement_sets(head: &Project) -> Vec<BTreeSet<String>> {
    let mut sets: BTreeMap<(usize, u32), BTreeSet<String>> = BTreeMap::new();
    for t in &head.tables {
        for loc in &t.dml {
            if let Some(set) = head.statement(*loc).statement_set {
                sets.entry((loc.file, set))
                    .or_default()
                    .insert(t.name.clone());
            }
        }
    }
    sets.into_values().filter(|s| s.len() > 1).collect()
}

/// Each impacted table's green name: its own for a new table or one bumped
/// by hand, else the next version of its blue name.
fn green_names(
    input: &ImpactInput<'_>,
    impacted: &BTreeSet<String>,
    in_place: &BTreeSet<String>,
) -> BTreeMap<String, String> {
    let (base, head) = (input.base, input.head);
    impacted
        .iter()
        .map(|name| {
            let green = match input.head_to_base.get(name) {
                None => name.clone(),
                Some(_) if in_place.contains(name) => name.clone(),
                Some(blue)
                    if base.table(blue).map(|b| &b.id) != head.table(name).map(|h| &h.id) =>
                {
                    name.clone()
                }
                Some(blue) => {
                    let b = base.table(blue).expect("matched tables exist");
                    head.with_table_part(name, &next_version(&b.id.table))
                }
            };
            (name.clone(), green)
        })
        .collect()
}

/// One impacted table of the release, with why.
fn impacted_row(
    input: &ImpactInput<'_>,
    name: &str,
    modified: &BTreeMap<String, Vec<&'static str>>,
    green_of: &BTreeMap<String, String>,
    strategies: &Strategies<'_>,
) -> Impacted {
    let head = input.head;
    let t = head
        .table(name)
        .expect("impacted tables are project tables");
    let blue = input.head_to_base.get(name).cloned();
    let reason = if blue.is_none() {
        Reason::New
    } else if modified.contains_key(name) {
        Reason::Modified
    } else if input.schema.contains(name) {
        Reason::Schema
    } else if input.forced.contains(name) {
        Reason::Forced
    } else if strategies.same_job.contains(name) {
        Reason::StatementSet
    } else {
        Reason::Descendant
    };
    Impacted {
        statement: statement_name(head, t, blue.as_deref()),
        blue,
        green: green_of[name].clone(),
        reason,
        forced_by: (reason == Reason::StatementSet).then_some("statement_set"),
        strategy: if strategies.in_place.contains(name) {
            Strategy::InPlace
        } else {
            Strategy::BlueGreen
        },
        strategy_reason: strategy_reason(input, name, reason, strategies),
        head: name.to_string(),
        kind: t.kind.as_str(),
        product: t.product.clone(),
        ddl: t.ddl.map(|l| head.path(l).to_string()),
        dml: t.dml.first().map(|l| head.path(*l).to_string()),
        changed: modified.get(name).cloned().unwrap_or_default(),
        parents: t
            .parents
            .iter()
            .map(|p| green_of.get(p).unwrap_or(p).clone())
            .collect(),
        statements: BTreeMap::new(),
    }
}

/// Whether a table's own statements (DDL and DMLs, with the comments and
/// blanks before them) differ in their text, in a file that changed:
/// equal statements with different texts are a cosmetic change. A table
/// merely sharing a changed file is not.
fn own_text_changed(
    base: &Project,
    b: &Table,
    head: &Project,
    h: &Table,
    changed_paths: &BTreeSet<String>,
) -> bool {
    let files = |p: &Project, t: &Table| -> Vec<String> {
        t.ddl
            .iter()
            .chain(t.dml.iter())
            .map(|l| p.path(*l).to_string())
            .collect()
    };
    let in_changed_file = files(head, h)
        .iter()
        .chain(files(base, b).iter())
        .any(|p| changed_paths.contains(p));
    let texts = |p: &Project, t: &Table| -> Vec<u64> {
        t.ddl
            .iter()
            .chain(t.dml.iter())
            .map(|l| p.statement(*l).text_hash)
            .collect()
    };
    in_changed_file && texts(base, b) != texts(head, h)
}

/// The statement identity of a table: its DML file's name (else its DDL's),
/// without `.sql`; `file:table` when that file holds several tables.
/// A table is named by its blue name when it has one, so that the id
/// stays the same across runs (before and after the rewrite).
pub fn statement_name(project: &Project, table: &Table, blue: Option<&str>) -> String {
    let name = blue.unwrap_or(&table.name);
    let Some(loc) = table.dml.first().or(table.ddl.as_ref()) else {
        return name.to_string();
    };
    let file = &project.files[loc.file];
    let stem = file
        .path
        .rsplit('/')
        .next()
        .unwrap_or(&file.path)
        .trim_end_matches(".sql");
    let targets: BTreeSet<String> = file
        .statements
        .iter()
        .filter_map(|s| {
            s.target
                .as_ref()
                .map(|t| project.settings().qualify(s.scope(), t))
                .map(|id| id.full())
        })
        .collect();
    if targets.len() > 1 {
        format!("{stem}:{name}")
    } else {
        stem.to_string()
    }
}

fn same_opt(
    base: &Project,
    b: Option<&Statement>,
    head: &Project,
    h: Option<&Statement>,
    to_base: &[Option<usize>],
) -> bool {
    match (b, h) {
        (None, None) => true,
        (Some(b), Some(h)) => same_statement(base, b, head, h, to_base),
        _ => false,
    }
}

/// Equal tokens (comments and whitespace aside) and the same tables, once
/// head tables are mapped back to their base tables (`to_base`: head table
/// index -> base table index).
fn same_statement(
    base: &Project,
    b: &Statement,
    head: &Project,
    h: &Statement,
    to_base: &[Option<usize>],
) -> bool {
    if b.kind != h.kind || b.fingerprint != h.fingerprint {
        return false;
    }
    let (bn, hn) = (targets(base, b), targets(head, h));
    bn.len() == hn.len()
        && bn.iter().zip(&hn).all(|(bt, ht)| match (bt, ht) {
            (Target::Table(j), Target::Table(i)) => match to_base[*i] {
                Some(m) => m == *j,
                None => base.tables[*j].id == head.tables[*i].id,
            },
            (Target::External(a), Target::External(b)) => a == b,
            (Target::Table(j), Target::External(id)) => base.tables[*j].id == *id,
            (Target::External(id), Target::Table(i)) => {
                to_base[*i].is_none() && head.tables[*i].id == *id
            }
        })
}

/// What a name of a statement resolves to.
enum Target {
    Table(usize),
    External(TableId),
}

/// The target of every renamable name in the statement, in the order of
/// [`Statement::name_sequence`] (a name that still uses a table's earlier
/// name gives the table).
fn targets(project: &Project, s: &Statement) -> Vec<Target> {
    let resolve = |n: &crate::sql::TableName| match project.resolve(s, n) {
        Resolved::Table(i) => Target::Table(i),
        Resolved::External(_) => Target::External(project.settings().qualify(s.scope(), n)),
    };
    let mut out: Vec<Target> = s.target.iter().map(resolve).collect();
    for r in &s.refs {
        out.push(match r.role {
            RefRole::Qualifier { of } => resolve(&s.refs[of].name),
            _ => resolve(&r.name),
        });
    }
    out
}

/// The resolved table of every renamable name in the statement, in the
/// order of [`Statement::name_sequence`].
pub fn resolved_names(project: &Project, s: &Statement) -> Vec<String> {
    let resolve = |n: &crate::sql::TableName| match project.resolve(s, n) {
        Resolved::Table(i) => project.tables[i].name.clone(),
        Resolved::External(e) => e,
    };
    let mut out: Vec<String> = s.target.iter().map(resolve).collect();
    for r in &s.refs {
        out.push(match r.role {
            RefRole::Qualifier { of } => resolve(&s.refs[of].name),
            _ => resolve(&r.name),
        });
    }
    out
}

fn check_collisions(
    base: &Project,
    head: &Project,
    green_of: &BTreeMap<String, String>,
) -> Result<()> {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for (h, g) in green_of {
        if h == g {
            continue;
        }
        if let Some(other) = seen.insert(g, h) {
            return Err(VersionError::SameGreen {
                first: other.to_string(),
                second: h.to_string(),
                green: g.to_string(),
            }
            .into());
        }
        // The green table's identity: the head table's, renamed.
        let Some(table) = head.table(h) else { continue };
        let green_id = table.id.renamed(table.id.table_part(h, g));
        if let Some(ext) = head.external_name(&green_id) {
            let reader = head
                .tables
                .iter()
                .find(|t| t.parents.contains(ext) || t.like.contains(ext))
                .map(|t| {
                    let at = head
                        .read_position(t, ext)
                        .or_else(|| head.like_position(t, ext))
                        .map(|a| format!(" at {a}"))
                        .unwrap_or_default();
                    format!(" by `{}`{at}", t.name)
                })
                .unwrap_or_default();
            return Err(VersionError::ReadAsExternal {
                table: h.to_string(),
                green: g.to_string(),
                reader,
            }
            .into());
        }
        for (side, p) in [("the working tree", head), ("the base", base)] {
            if let Some(t) = p.table_by_id(&green_id) {
                let at = t.ddl.map(|l| {
                    let s = p.statement(l);
                    format!(" ({}:{}:{})", p.path(l), s.line, s.col)
                });
                return Err(VersionError::Exists {
                    table: h.to_string(),
                    green: g.to_string(),
                    side,
                    at: at.unwrap_or_default(),
                }
                .into());
            }
        }
    }
    Ok(())
}

fn deleted_tables(
    base: &Project,
    head: &Project,
    head_to_base: &HashMap<String, String>,
) -> Result<Vec<Deleted>> {
    let matched: BTreeSet<&String> = head_to_base.values().collect();
    let mut out = Vec::new();
    for b in &base.tables {
        if matched.contains(&b.name) {
            continue;
        }
        // Readers name it by its display name in the head, where it is an
        // external table now.
        let gone = head.external_name(&b.id).unwrap_or(&b.name).to_string();
        let readers: Vec<String> = head
            .tables
            .iter()
            .filter(|t| t.parents.contains(&gone) || t.like.contains(&gone))
            .map(|t| {
                match head
                    .read_position(t, &gone)
                    .or_else(|| head.like_position(t, &gone))
                {
                    Some(at) => format!("{} ({at})", t.name),
                    None => t.name.clone(),
                }
            })
            .collect();
        if !readers.is_empty() {
            return Err(VersionError::DeletedStillRead {
                table: b.name.to_string(),
                readers,
            }
            .into());
        }
        out.push(Deleted {
            name: b.name.clone(),
            ddl: b.ddl.map(|l| base.path(l).to_string()),
        });
    }
    Ok(out)
}
