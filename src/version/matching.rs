//! Which head table is which base table.
use std::collections::{BTreeMap, HashMap};

use crate::project::Project;
use crate::sql::version_stem;

/// Head name -> base name. A table keeps its identity when its name is
/// unchanged, or when only its version suffix changed (`x` -> `x_v2`, an
/// earlier rewrite or a bump by hand); ties prefer the same DDL file.
pub fn match_tables(base: &Project, head: &Project) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let mut free_base: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for b in &base.tables {
        if head.table(&b.name).is_none() {
            free_base
                .entry(version_stem(&b.name))
                .or_default()
                .push(&b.name);
        }
    }
    for h in &head.tables {
        if base.table(&h.name).is_some() {
            out.insert(h.name.clone(), h.name.clone());
            continue;
        }
        let Some(candidates) = free_base.get_mut(version_stem(&h.name)) else {
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
