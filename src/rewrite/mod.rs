//! Rewrites (pure): the span edits that rename tables, and the check that a
//! rewritten project is the old one with the renames applied, nothing else.
use std::collections::{BTreeMap, BTreeSet};

use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::project::{Project, TableId};
use crate::sql::{next_version, rename_spans, render_name};
use crate::version::resolved_names;

/// A byte-span replacement in one file.
pub type Edit = (usize, usize, String);

/// One rewritten file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRewrite {
    pub path: String,
    pub before: String,
    pub after: String,
}

/// The edits per file (project-relative path) that apply `renames`
/// (table name -> new name) to every reference in the project.
pub fn plan_edits(
    project: &Project,
    renames: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, Vec<Edit>>> {
    let mut out: BTreeMap<String, Vec<Edit>> = BTreeMap::new();
    for file in &project.files {
        for s in &file.statements {
            let names = resolved_names(project, s);
            for (part, table) in s.name_sequence().zip(names) {
                let Some(t) = project.table(&table) else {
                    continue;
                };
                // The table's final name (its own part, qualifiers kept as
                // written); a reference that still uses an earlier name (a
                // bump by hand) follows it too.
                let full = renames.get(&table).unwrap_or(&table);
                let new = t.id.table_part(&table, full);
                if new == part.value {
                    continue;
                }
                let text = render_name(new, part.quote).map_err(|e| {
                    Error::Rewrite(format!(
                        "{}:{}:{}: cannot rename `{}` to `{new}`: {e}\n  hint: quote the name with backquotes in the SQL, or bump it by hand",
                        file.path, part.line, part.col, part.value
                    ))
                })?;
                out.entry(file.path.clone())
                    .or_default()
                    .push((part.start, part.end, text));
            }
        }
    }
    Ok(out)
}

/// Applies edits to a text.
pub fn apply(path: &str, text: &str, edits: &[Edit]) -> Result<String> {
    let mut edits = edits.to_vec();
    rename_spans(text, &mut edits).map_err(|e| Error::Rewrite(format!("{path}: {e}")))
}

/// Checks that `after` is `before` with `renames` applied: same files and
/// statements (equal fingerprints: only table-name spans differ), same
/// tables, kinds and files, and the same graph under the renames. Tables
/// are compared by identity (their display names may change with renames).
pub fn verify(before: &Project, after: &Project, renames: &BTreeMap<String, String>) -> Result<()> {
    let fail = |what: String| {
        Err(Error::Rewrite(format!(
            "the rewrite would change more than table names: {what}; nothing was written\n  hint: this is a greenlight bug: please report it with the SQL involved"
        )))
    };
    // A name of `before` -> the identity it has after the rewrite.
    let map = |n: &str| -> Option<TableId> {
        let id = before.id_of(n)?;
        Some(match renames.get(n) {
            Some(g) => id.renamed(id.table_part(n, g)),
            None => id.clone(),
        })
    };
    let id = |p: &Project, n: &str| p.id_of(n).cloned();
    if before.files.len() != after.files.len() {
        return fail("the set of files differs".into());
    }
    for (b, a) in before.files.iter().zip(&after.files) {
        let fp = |f: &crate::project::SqlFile| {
            f.statements
                .iter()
                .map(|s| (s.kind, s.fingerprint))
                .collect::<Vec<_>>()
        };
        if b.path != a.path || fp(b) != fp(a) {
            return fail(format!("{} changed beyond names", a.path));
        }
    }
    let bg = Graph::build(before)?;
    let ag = Graph::build(after)?;
    let names: BTreeSet<Option<TableId>> = bg.names().iter().map(|n| map(n)).collect();
    let after_names: BTreeSet<Option<TableId>> = ag.names().iter().map(|n| id(after, n)).collect();
    if names != after_names {
        return fail("the tables differ".into());
    }
    type Edges = BTreeSet<(Option<TableId>, Option<TableId>)>;
    let mapped = |e: BTreeSet<(String, String)>| -> Edges {
        e.iter().map(|(p, c)| (map(p), map(c))).collect()
    };
    let actual = |e: BTreeSet<(String, String)>| -> Edges {
        e.iter()
            .map(|(p, c)| (id(after, p), id(after, c)))
            .collect()
    };
    if mapped(bg.edges()) != actual(ag.edges()) {
        return fail("the dependencies differ".into());
    }
    if mapped(bg.like_edges()) != actual(ag.like_edges()) {
        return fail("the LIKE dependencies differ".into());
    }
    if before.external_ids() != after.external_ids() {
        return fail("the external tables differ".into());
    }
    for t in &before.tables {
        let Some(a) = map(&t.name).and_then(|id| after.table_by_id(&id)) else {
            return fail(format!("table {} is missing", t.name));
        };
        let paths = |p: &Project, t: &crate::project::Table| {
            (
                t.ddl.map(|l| p.path(l).to_string()),
                t.dml
                    .iter()
                    .map(|l| p.path(*l).to_string())
                    .collect::<Vec<_>>(),
            )
        };
        if a.kind != t.kind || paths(before, t) != paths(after, a) {
            return fail(format!("table {} moved or changed kind", t.name));
        }
    }
    Ok(())
}

/// Renames every table of a project to its next version: used to check that
/// rewrites on a whole project touch only table-name spans.
pub fn next_version_of_all(project: &Project) -> BTreeMap<String, String> {
    project
        .tables
        .iter()
        .map(|t| (t.name.clone(), next_version(&t.name)))
        .collect()
}
