//! Table identity: the qualified name a reference resolves to, and the
//! shortest name that tells tables apart in reports.
use std::hash::BuildHasherDefault;
use std::sync::Arc;

use crate::sql::FastHasher;

type HashMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<FastHasher>>;

use crate::sql::{Scope, ScopeDatabase, TableName};

/// How SQL files are read and names resolved (from `greenlight.yaml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The catalog unqualified names resolve in when a file sets none;
    /// None: unknown.
    pub default_catalog: Option<Arc<str>>,
    /// The database unqualified names resolve in when a file sets none;
    /// None: unknown.
    pub default_database: Option<Arc<str>>,
    /// SQL files larger than this are refused.
    pub max_file_bytes: u64,
}

/// The default limit on a SQL file's size (4 MiB; real files are a few KB).
pub const DEFAULT_MAX_SQL_FILE_BYTES: u64 = 4 << 20;

impl Default for Settings {
    fn default() -> Self {
        Settings {
            default_catalog: None,
            default_database: None,
            max_file_bytes: DEFAULT_MAX_SQL_FILE_BYTES,
        }
    }
}

impl Settings {
    /// The settings a config gives.
    pub fn from_config(config: &crate::config::Config) -> Settings {
        Settings {
            default_catalog: config.default_catalog.as_deref().map(Arc::from),
            default_database: config.default_database.as_deref().map(Arc::from),
            max_file_bytes: config.max_sql_file_bytes,
        }
    }

    /// The catalog and database of a name written in `scope` (borrowed:
    /// [`Settings::qualify`] without allocating).
    pub fn qualifiers<'a>(
        &'a self,
        scope: &'a Scope,
        name: &'a TableName,
    ) -> (Option<&'a str>, Option<&'a str>) {
        let parts = &name.parts;
        let n = parts.len();
        let catalog = || scope.catalog.as_deref().or(self.default_catalog.as_deref());
        let database = || match &scope.database {
            ScopeDatabase::Default => self.default_database.as_deref(),
            ScopeDatabase::OfCatalog
                if scope.catalog.as_deref() == self.default_catalog.as_deref() =>
            {
                self.default_database.as_deref()
            }
            ScopeDatabase::OfCatalog => None,
            ScopeDatabase::Named(d) => Some(d.as_str()),
        };
        match n {
            1 => (catalog(), database()),
            2 => (catalog(), Some(parts[0].value.as_str())),
            _ => (
                Some(parts[n - 3].value.as_str()),
                Some(parts[n - 2].value.as_str()),
            ),
        }
    }

    /// The table a name written in `scope` stands for.
    pub fn qualify(&self, scope: &Scope, name: &TableName) -> TableId {
        let parts = &name.parts;
        let n = parts.len();
        let table = parts[n - 1].value.clone();
        let value = |k: usize| Some(Arc::from(parts[k].value.as_str()));
        let catalog = || match &scope.catalog {
            Some(c) => Some(Arc::from(c.as_str())),
            None => self.default_catalog.clone(),
        };
        let database = || match &scope.database {
            ScopeDatabase::Default => self.default_database.clone(),
            ScopeDatabase::OfCatalog
                if scope.catalog.as_deref() == self.default_catalog.as_deref() =>
            {
                self.default_database.clone()
            }
            ScopeDatabase::OfCatalog => None,
            ScopeDatabase::Named(d) => Some(Arc::from(d.as_str())),
        };
        match n {
            1 => TableId {
                catalog: catalog(),
                database: database(),
                table,
            },
            2 => TableId {
                catalog: catalog(),
                database: value(0),
                table,
            },
            _ => TableId {
                catalog: value(n - 3),
                database: value(n - 2),
                table,
            },
        }
    }
}

/// A table's identity: catalog, database and name. `None` is the current
/// catalog or database where greenlight does not know it (no default
/// configured, no `USE` in the file): one value for the whole project.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TableId {
    /// The catalog; None: the unknown current one.
    pub catalog: Option<Arc<str>>,
    /// The database; None: the unknown current one.
    pub database: Option<Arc<str>>,
    /// The table's own name, unqualified.
    pub table: String,
}

/// An identity as borrowed parts, to look a [`TableId`] up in a map
/// without building one.
pub(super) type IdParts<'a> = (Option<&'a str>, Option<&'a str>, &'a str);

/// What a map keyed by [`TableId`] can be asked with: an id or its parts.
pub trait IdKey {
    fn parts(&self) -> IdParts<'_>;
}

impl IdKey for TableId {
    fn parts(&self) -> IdParts<'_> {
        (
            self.catalog.as_deref(),
            self.database.as_deref(),
            self.table.as_str(),
        )
    }
}

impl IdKey for IdParts<'_> {
    fn parts(&self) -> IdParts<'_> {
        *self
    }
}

impl<'a> std::borrow::Borrow<dyn IdKey + 'a> for TableId {
    fn borrow(&self) -> &(dyn IdKey + 'a) {
        self
    }
}

impl std::hash::Hash for dyn IdKey + '_ {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.parts().hash(state);
    }
}

impl PartialEq for dyn IdKey + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.parts() == other.parts()
    }
}

impl Eq for dyn IdKey + '_ {}

/// Hashed as its parts, like `dyn IdKey` (as `Borrow` requires).
impl std::hash::Hash for TableId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.parts().hash(state);
    }
}

impl TableId {
    /// Whether both may be one table: equal names, and equal catalogs and
    /// databases where both are known.
    pub fn may_equal(&self, other: &TableId) -> bool {
        let part = |a: &Option<Arc<str>>, b: &Option<Arc<str>>| match (a, b) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        self.table == other.table
            && part(&self.catalog, &other.catalog)
            && part(&self.database, &other.database)
    }

    /// The name with its last `level` parts (1: table, 2: database.table,
    /// 3: catalog.database.table); an unknown part shows as `<catalog>` or
    /// `<database>`.
    pub fn at_level(&self, level: u8) -> String {
        let db = self.database.as_deref().unwrap_or("<database>");
        let cat = self.catalog.as_deref().unwrap_or("<catalog>");
        match level {
            1 => self.table.clone(),
            2 => format!("{db}.{}", self.table),
            _ => format!("{cat}.{db}.{}", self.table),
        }
    }

    /// The fullest name, for messages: known parts only when the rest is
    /// unknown (`orders` in the current catalog and database).
    pub fn full(&self) -> String {
        match (&self.catalog, &self.database) {
            (None, None) => self.table.clone(),
            (None, Some(d)) => format!("{d}.{}", self.table),
            _ => self.at_level(3),
        }
    }

    /// This table under another name (same catalog and database).
    pub fn renamed(&self, table: &str) -> TableId {
        TableId {
            table: table.to_string(),
            ..self.clone()
        }
    }

    /// The table part of `renamed`, a new name of this table written like
    /// `display` (this table's name): `orders_v2` for `db.orders` renamed
    /// `db.orders_v2`.
    pub fn table_part<'a>(&self, display: &str, renamed: &'a str) -> &'a str {
        if display == self.table {
            return renamed;
        }
        renamed
            .strip_prefix(self.display_prefix(display).as_str())
            .unwrap_or(renamed)
    }

    /// The part of `display` (a name of this table at some level) before
    /// its table part, with the dot: `db.` for `db.t`.
    pub fn display_prefix(&self, display: &str) -> String {
        if display.len() <= self.table.len() {
            return String::new();
        }
        (2..=3)
            .rev()
            .map(|l| self.at_level(l))
            .find(|full| display == full.as_str())
            .map(|full| full[..full.len() - self.table.len()].to_string())
            .unwrap_or_default()
    }
}

/// The shortest name of each id (its table part, else with its database,
/// else fully qualified) that no other id shares. `Err` holds two ids no
/// name tells apart.
pub fn display_names(ids: &[&TableId]) -> Result<Vec<String>, (usize, usize)> {
    // Most names are unique by their table part: only the others are
    // qualified further.
    let mut count: HashMap<&str, u32> =
        HashMap::with_capacity_and_hasher(ids.len(), Default::default());
    for id in ids {
        *count.entry(id.table.as_str()).or_default() += 1;
    }
    let mut names: Vec<String> = ids.iter().map(|id| id.table.clone()).collect();
    let clashing: Vec<usize> = (0..ids.len())
        .filter(|&k| count[ids[k].table.as_str()] > 1)
        .collect();
    if clashing.is_empty() {
        return Ok(names);
    }
    // A qualified name may also equal a table part with a dot in it.
    let mut watch = clashing.clone();
    watch.extend(
        (0..ids.len()).filter(|&k| count[ids[k].table.as_str()] == 1 && names[k].contains('.')),
    );
    let mut level: HashMap<usize, u8> = watch.iter().map(|&k| (k, 1)).collect();
    loop {
        let mut seen: HashMap<&str, Vec<usize>> = HashMap::default();
        for &k in &watch {
            seen.entry(names[k].as_str()).or_default().push(k);
        }
        let groups: Vec<Vec<usize>> = seen.into_values().filter(|g| g.len() > 1).collect();
        let Some(first) = groups.first() else {
            return Ok(names);
        };
        let clash = (first[0], first[1]);
        let mut bumped = false;
        for k in groups.into_iter().flatten() {
            let l = level.entry(k).or_insert(1);
            if *l < 3 {
                *l += 1;
                names[k] = ids[k].at_level(*l);
                bumped = true;
            }
        }
        if !bumped {
            return Err(clash);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(c: Option<&str>, d: Option<&str>, t: &str) -> TableId {
        TableId {
            catalog: c.map(Arc::from),
            database: d.map(Arc::from),
            table: t.to_string(),
        }
    }

    #[test]
    fn shortest_unambiguous_names() {
        let a = id(Some("cat_a"), Some("db"), "orders");
        let b = id(Some("cat_b"), Some("db"), "orders");
        let c = id(None, None, "users");
        let d = id(Some("x"), Some("sales"), "items");
        let e = id(Some("x"), Some("ops"), "items");
        let names = display_names(&[&a, &b, &c, &d, &e]).unwrap();
        assert_eq!(
            names,
            [
                "cat_a.db.orders",
                "cat_b.db.orders",
                "users",
                "sales.items",
                "ops.items"
            ]
        );
        let f = id(Some("c1"), None, "t");
        let g = id(Some("c2"), None, "t");
        assert_eq!(
            display_names(&[&f, &g]).unwrap(),
            ["c1.<database>.t", "c2.<database>.t"]
        );
    }

    #[test]
    fn may_equal_where_parts_are_unknown() {
        let known = id(Some("lake"), Some("db"), "orders");
        assert!(id(None, None, "orders").may_equal(&known));
        assert!(id(None, Some("db"), "orders").may_equal(&known));
        assert!(!id(None, Some("other"), "orders").may_equal(&known));
        assert!(!id(None, None, "users").may_equal(&known));
    }

    #[test]
    fn qualify_with_scope_and_defaults() {
        use crate::sql::analyze;
        let s = Settings {
            default_catalog: Some("dc".into()),
            default_database: Some("dd".into()),
            ..Settings::default()
        };
        let stmts = analyze(
            "INSERT INTO a SELECT 1;\nUSE CATALOG lake;\nINSERT INTO b SELECT 1;\nUSE sales;\nINSERT INTO c SELECT 1;\nUSE CATALOG dc;\nINSERT INTO d SELECT 1;\nSET 'sql.current-database' = 'x';\nINSERT INTO e.f SELECT 1;\nRESET;\nINSERT INTO g SELECT 1;",
        )
        .unwrap();
        let got: Vec<String> = stmts
            .iter()
            .filter_map(|st| {
                st.target
                    .as_ref()
                    .map(|t| s.qualify(st.scope(), t).at_level(3))
            })
            .collect();
        assert_eq!(
            got,
            [
                "dc.dd.a",
                "lake.<database>.b",
                "lake.sales.c",
                "dc.dd.d",
                "dc.e.f",
                "dc.dd.g"
            ]
        );
    }
}
