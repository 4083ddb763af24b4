//! What a file's path says about its table: kind, product, DDL or DML.
use serde::Serialize;

/// A table's role in the pipeline, from its folder or name prefix; shown
/// in snake case in the output (`source`, `fact`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TableKind {
    /// A source table: `sources/` folder or `src_` prefix.
    Source,
    /// An intermediate table: `intermediates/` folder or `int_` prefix.
    Intermediate,
    /// A fact table: `facts/` folder or `fct_` prefix.
    Fact,
    /// A dimension table: `dimensions/` folder or `dim_` prefix.
    Dimension,
    /// A view: `views/` folder.
    View,
    /// A seed table: `seeds/` folder.
    Seed,
    /// Neither its folders nor its name prefix tell.
    Unknown,
}

impl TableKind {
    /// The kind's name, as serialized (`source`, `fact`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            TableKind::Source => "source",
            TableKind::Intermediate => "intermediate",
            TableKind::Fact => "fact",
            TableKind::Dimension => "dimension",
            TableKind::View => "view",
            TableKind::Seed => "seed",
            TableKind::Unknown => "unknown",
        }
    }

    /// The kind a folder name stands for (`sources`, `facts`, ...).
    pub fn from_folder(name: &str) -> Option<TableKind> {
        Some(match name {
            "sources" => TableKind::Source,
            "intermediates" => TableKind::Intermediate,
            "facts" => TableKind::Fact,
            "dimensions" => TableKind::Dimension,
            "views" => TableKind::View,
            "seeds" => TableKind::Seed,
            _ => return None,
        })
    }

    /// The kind a table-name prefix stands for (`src_`, `int_`, ...).
    /// The version suffix is ignored (`fct_v2` is not a fact table).
    pub fn from_prefix(name: &str) -> TableKind {
        let name = crate::sql::version_stem(name);
        let prefixes = [
            ("src_", TableKind::Source),
            ("int_", TableKind::Intermediate),
            ("fct_", TableKind::Fact),
            ("dim_", TableKind::Dimension),
        ];
        prefixes
            .iter()
            .find(|(p, _)| name.starts_with(p))
            .map_or(TableKind::Unknown, |(_, k)| *k)
    }
}

/// What the path of a SQL file tells.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileLayout {
    /// Kind from the folders (`pipelines/facts/...` or any `facts/` folder).
    pub kind: Option<TableKind>,
    /// shift_left product folder: `pipelines/<kind>/<product>/<table>/sql-scripts`.
    pub product: Option<String>,
    /// Whether this is shift_left's `sql-scripts/` layout.
    pub shift_left: bool,
}

/// Reads the layout from a relative path with `/` separators.
pub fn layout_of(rel: &str) -> FileLayout {
    let parts: Vec<&str> = rel.split('/').collect();
    let dirs = &parts[..parts.len().saturating_sub(1)];
    if let Some(p) = dirs.iter().position(|d| *d == "pipelines") {
        let rest = &dirs[p + 1..];
        // <kind>/<product>/<table>/sql-scripts or <kind>/<table>/sql-scripts
        if rest.last() == Some(&"sql-scripts")
            && let Some(kind) = rest.first().and_then(|k| TableKind::from_folder(k))
        {
            let product = (rest.len() == 4).then(|| rest[1].to_string());
            return FileLayout {
                kind: Some(kind),
                product,
                shift_left: true,
            };
        }
    }
    FileLayout {
        kind: dirs.iter().rev().find_map(|d| TableKind::from_folder(d)),
        product: None,
        shift_left: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shift_left_paths() {
        let l = layout_of("pipelines/facts/sales/fct_orders/sql-scripts/dml.fct_orders.sql");
        assert_eq!(l.kind, Some(TableKind::Fact));
        assert_eq!(l.product.as_deref(), Some("sales"));
        assert!(l.shift_left);
        let l = layout_of("pipelines/sources/src_a/sql-scripts/ddl.src_a.sql");
        assert_eq!((l.kind, l.product), (Some(TableKind::Source), None));
    }

    #[test]
    fn other_paths() {
        assert_eq!(layout_of("sql/facts/x.sql").kind, Some(TableKind::Fact));
        assert_eq!(layout_of("x.sql"), FileLayout::default());
        assert_eq!(TableKind::from_prefix("dim_users"), TableKind::Dimension);
        assert_eq!(TableKind::from_prefix("users"), TableKind::Unknown);
        assert_eq!(TableKind::from_prefix("fct_v2"), TableKind::Unknown);
        assert_eq!(TableKind::from_prefix("fct_orders_v2"), TableKind::Fact);
    }
}
