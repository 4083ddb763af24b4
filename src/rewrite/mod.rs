//! Rewrites (pure): the span edits that rename tables, and the check that a
//! rewritten project is the old one with the renames applied, nothing else.
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashSet};

use crate::error::{Result, RewriteError};
use crate::graph::Graph;
use crate::project::{Project, Resolved};
use crate::sql::{RefRole, rename_spans, render_name};

/// A byte-span replacement in one file.
pub type Edit = (usize, usize, String);

/// One rewritten file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRewrite {
    /// Relative to the project directory.
    pub path: String,
    /// The file's text before the rewrite.
    pub before: String,
    /// The file's text after the rewrite.
    pub after: String,
}

/// The edits per file (project-relative path) that apply `renames`
/// (table name -> new name) to every reference in the project.
pub fn plan_edits(
    project: &Project,
    renames: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, Vec<Edit>>> {
    // Only names equal to a renamed table's own name, or to an earlier name
    // a reference may still use, can need an edit: resolve those alone.
    let mut wanted: HashSet<&str> = renames
        .keys()
        .filter_map(|n| project.table(n))
        .map(|t| t.id.table.as_str())
        .collect();
    wanted.extend(project.alias_parts());
    let mut out: BTreeMap<String, Vec<Edit>> = BTreeMap::new();
    for file in &project.files {
        for s in &file.statements {
            let resolve = |n: &crate::sql::TableName| match project.resolve(s, n) {
                Resolved::Table(i) => Some(&project.tables[i]),
                Resolved::External(_) => None,
            };
            for (k, part) in s.name_sequence().enumerate() {
                if !wanted.contains(part.value.as_str()) {
                    continue;
                }
                let name = match k.checked_sub(usize::from(s.target.is_some())) {
                    None => s.target.as_ref().expect("the target comes first"),
                    Some(r) => match s.refs[r].role {
                        RefRole::Qualifier { of } => &s.refs[of].name,
                        _ => &s.refs[r].name,
                    },
                };
                let Some(t) = resolve(name) else {
                    continue;
                };
                // The table's final name (its own part, qualifiers kept as
                // written); a reference that still uses an earlier name (a
                // bump by hand) follows it too.
                let full = renames.get(&t.name).unwrap_or(&t.name);
                let new = t.id.table_part(&t.name, full);
                if new == part.value {
                    continue;
                }
                let text =
                    render_name(new, part.quote).map_err(|reason| RewriteError::CannotRename {
                        path: file.path.clone(),
                        line: part.line,
                        col: part.col,
                        from: part.value.to_string(),
                        to: new.to_string(),
                        reason,
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
    Ok(
        rename_spans(text, &mut edits).map_err(|reason| RewriteError::Spans {
            path: path.to_string(),
            reason,
        })?,
    )
}

/// Checks that `after` is `before` with `renames` applied: same files and
/// statements (equal fingerprints: only table-name spans differ), same
/// tables, kinds and files, and the same graph under the renames. Tables
/// are compared by identity (their display names may change with renames).
/// `before_graph` is `before`'s graph, built once by the caller.
pub fn verify(
    before: &Project,
    before_graph: &Graph,
    after: &Project,
    renames: &BTreeMap<String, String>,
) -> Result<()> {
    let fail = |what: String| Err(RewriteError::BeyondNames(what).into());
    // A name of `before` -> the identity it has after the rewrite.
    let map = |n: &str| {
        let id = before.id_of(n)?;
        Some(match renames.get(n) {
            Some(g) => Cow::Owned(id.renamed(id.table_part(n, g))),
            None => Cow::Borrowed(id),
        })
    };
    let id = |n: &str| after.id_of(n).map(Cow::Borrowed);
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
    let bg = before_graph;
    let ag = Graph::build(after)?;
    let (b_names, a_names) = (bg.names(), ag.names());
    let names: BTreeSet<_> = b_names.iter().map(|n| map(n)).collect();
    let after_names: BTreeSet<_> = a_names.iter().map(|n| id(n)).collect();
    if names != after_names {
        return fail("the tables differ".into());
    }
    let (b_edges, a_edges) = (bg.edges(), ag.edges());
    let mapped: BTreeSet<_> = b_edges.iter().map(|(p, c)| (map(p), map(c))).collect();
    let actual: BTreeSet<_> = a_edges.iter().map(|(p, c)| (id(p), id(c))).collect();
    if mapped != actual {
        return fail("the dependencies differ".into());
    }
    let (b_likes, a_likes) = (bg.like_edges(), ag.like_edges());
    let mapped: BTreeSet<_> = b_likes.iter().map(|(p, c)| (map(p), map(c))).collect();
    let actual: BTreeSet<_> = a_likes.iter().map(|(p, c)| (id(p), id(c))).collect();
    if mapped != actual {
        return fail("the LIKE dependencies differ".into());
    }
    if before.external_ids() != after.external_ids() {
        return fail("the external tables differ".into());
    }
    for t in &before.tables {
        let Some(a) = map(&t.name).and_then(|id| after.table_by_id(id.as_ref())) else {
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
