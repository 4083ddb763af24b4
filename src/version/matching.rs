//! Which head table is which base table.
use std::collections::{BTreeMap, HashMap};

use crate::project::Project;
use crate::sql::version_stem;

/// Head name -> base name. A table keeps its identity when its qualified
/// name is unchanged, or when only the version suffix of its own name
/// changed (`x` -> `x_v2`, an earlier rewrite or a bump by hand) in the
/// same catalog and database; ties prefer the same DDL file.
pub fn match_tables(base: &Project, head: &Project) -> HashMap<String, String> {
    let mut out = HashMap::new();
    type Key<'a> = (Option<&'a str>, Option<&'a str>, &'a str);
    let mut free_base: BTreeMap<Key<'_>, Vec<&str>> = BTreeMap::new();
    for b in &base.tables {
        if head.table_by_id(&b.id).is_none() {
            let key = (
                b.id.catalog.as_deref(),
                b.id.database.as_deref(),
                version_stem(&b.id.table),
            );
            free_base.entry(key).or_default().push(&b.name);
        }
    }
    for h in &head.tables {
        if let Some(b) = base.table_by_id(&h.id) {
            out.insert(h.name.clone(), b.name.clone());
            continue;
        }
        let key = (
            h.id.catalog.as_deref(),
            h.id.database.as_deref(),
            version_stem(&h.id.table),
        );
        let Some(candidates) = free_base.get_mut(&key) else {
            continue;
        };
        if candidates.is_empty() {
            continue;
        }
        let ddl_of = |p: &Project, name: &str| {
            p.table(name)
                .and_then(|t| t.ddl.map(|l| p.path(l).to_string()))
        };
        let h_ddl = ddl_of(head, &h.name);
        let pick = candidates
            .iter()
            .position(|b| ddl_of(base, b) == h_ddl)
            .unwrap_or(0);
        let b = candidates.remove(pick);
        out.insert(h.name.clone(), b.to_string());
    }
    out
}
