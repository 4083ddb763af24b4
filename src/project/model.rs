//! The project model: tables, their DDL and DML statements, and what they read.
use std::collections::{BTreeSet, HashMap};

use super::layout::{TableKind, layout_of};
use super::load::SqlFile;
use crate::error::{Error, FileError, Result};
use crate::sql::{StatementKind, TableName};

/// Where a statement is: `files[file].statements[stmt]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Loc {
    pub file: usize,
    pub stmt: usize,
}

#[derive(Debug, Clone)]
pub struct Table {
    /// The table's identity: the unquoted last part of its name.
    pub name: String,
    /// Qualifier parts of its DDL name (catalog, database), if any.
    pub qualifier: Vec<String>,
    pub kind: TableKind,
    pub product: Option<String>,
    /// The defining statement (CREATE TABLE/VIEW/MATERIALIZED TABLE, CTAS).
    pub ddl: Option<Loc>,
    /// The statements that write it (INSERT).
    pub dml: Vec<Loc>,
    /// Names of the tables it reads (project or external), sorted.
    pub parents: BTreeSet<String>,
}

/// What a table reference resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    Table(usize),
    External(String),
}

#[derive(Debug, Clone)]
pub struct Project {
    pub files: Vec<SqlFile>,
    /// Sorted by name.
    pub tables: Vec<Table>,
    index: HashMap<String, usize>,
    /// Earlier names of tables renamed since the base (`int_b` -> index of
    /// `int_b_v5`): references that still use them resolve to the table.
    aliases: HashMap<String, usize>,
    /// Names read but defined nowhere in the project.
    pub external: BTreeSet<String>,
    /// Statements understood but outside the lineage (a query with no target).
    pub warnings: Vec<FileError>,
}

impl Project {
    /// Builds the model from analysed files (sorted by path).
    pub fn build(mut files: Vec<SqlFile>) -> Result<Project> {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let mut tables: Vec<Table> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut warnings = Vec::new();
        let mut table_of = |name: &TableName, file: &SqlFile, tables: &mut Vec<Table>| -> usize {
            let key = name.key();
            if let Some(&i) = index.get(key) {
                return i;
            }
            let layout = layout_of(&file.path);
            tables.push(Table {
                name: key.to_string(),
                qualifier: name.qualifier().into_iter().map(String::from).collect(),
                kind: layout.kind.unwrap_or_else(|| TableKind::from_prefix(key)),
                product: layout.product,
                ddl: None,
                dml: Vec::new(),
                parents: BTreeSet::new(),
            });
            index.insert(key.to_string(), tables.len() - 1);
            tables.len() - 1
        };
        // Definitions first, so a table's kind and product come from its DDL.
        for (f, file) in files.iter().enumerate() {
            for (s, stmt) in file.statements.iter().enumerate() {
                let Some(target) = stmt.target.as_ref().filter(|_| stmt.kind.defines_table())
                else {
                    continue;
                };
                let t = table_of(target, file, &mut tables);
                let loc = Loc { file: f, stmt: s };
                if let Some(first) = tables[t].ddl {
                    return Err(Error::DuplicateTable {
                        name: target.key().to_string(),
                        first: position(&files, first),
                        second: position(&files, loc),
                    });
                }
                let layout = layout_of(&file.path);
                let table = &mut tables[t];
                table.ddl = Some(loc);
                table.qualifier = target.qualifier().into_iter().map(String::from).collect();
                table.kind = layout
                    .kind
                    .unwrap_or_else(|| TableKind::from_prefix(target.key()));
                table.product = layout.product;
            }
        }
        for (f, file) in files.iter().enumerate() {
            for (s, stmt) in file.statements.iter().enumerate() {
                match stmt.kind {
                    StatementKind::Insert => {
                        let target = stmt.target.as_ref().expect("an INSERT has a target");
                        let t = table_of(target, file, &mut tables);
                        tables[t].dml.push(Loc { file: f, stmt: s });
                    }
                    StatementKind::Query => warnings.push(FileError {
                        path: file.path.clone(),
                        line: stmt.line,
                        col: stmt.col,
                        message: "a query with no target is not part of the lineage".into(),
                        hint: "write it as INSERT INTO <table> SELECT ..., or move it to a tests/ folder".into(),
                    }),
                    _ => {}
                }
            }
        }
        let mut project = Project {
            files,
            tables,
            index: HashMap::new(),
            aliases: HashMap::new(),
            external: BTreeSet::new(),
            warnings,
        };
        project.sort_tables();
        project.resolve_parents();
        Ok(project)
    }

    /// Makes references to an earlier name (`old` -> current table name)
    /// resolve to the table; parents and externals are resolved again.
    pub fn set_aliases(&mut self, aliases: impl IntoIterator<Item = (String, String)>) {
        self.aliases = aliases
            .into_iter()
            .filter(|(old, _)| !self.index.contains_key(old))
            .filter_map(|(old, new)| self.index.get(&new).map(|&i| (old, i)))
            .collect();
        self.resolve_parents();
    }

    fn sort_tables(&mut self) {
        self.tables.sort_by(|a, b| a.name.cmp(&b.name));
        self.index = self
            .tables
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name.clone(), i))
            .collect();
    }

    fn resolve_parents(&mut self) {
        let mut external = BTreeSet::new();
        let mut parents: Vec<BTreeSet<String>> = vec![BTreeSet::new(); self.tables.len()];
        for (t, table) in self.tables.iter().enumerate() {
            for loc in table.ddl.iter().chain(table.dml.iter()) {
                for name in self.statement(*loc).reads() {
                    let parent = match self.resolve(name) {
                        Resolved::Table(p) => self.tables[p].name.clone(),
                        Resolved::External(e) => {
                            external.insert(e.clone());
                            e
                        }
                    };
                    parents[t].insert(parent);
                }
            }
        }
        for (table, p) in self.tables.iter_mut().zip(parents) {
            table.parents = p;
        }
        self.external = external;
    }

    pub fn statement(&self, loc: Loc) -> &crate::sql::Statement {
        &self.files[loc.file].statements[loc.stmt]
    }

    pub fn table(&self, name: &str) -> Option<&Table> {
        self.index.get(name).map(|&i| &self.tables[i])
    }

    pub fn table_index(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// Resolves a reference by its last part; qualifiers must agree where
    /// both the reference and the definition have them.
    pub fn resolve(&self, name: &TableName) -> Resolved {
        if let Some(&i) = self.index.get(name.key()) {
            let def = &self.tables[i].qualifier;
            let used = name.qualifier();
            let agree = def.iter().rev().zip(used.iter().rev()).all(|(a, b)| a == b);
            if agree {
                return Resolved::Table(i);
            }
            return Resolved::External(name.display());
        }
        if let Some(&i) = self.aliases.get(name.key()) {
            return Resolved::Table(i);
        }
        Resolved::External(name.key().to_string())
    }

    /// The file holding a table's DML, else its DDL.
    pub fn statement_file(&self, table: &Table) -> Option<&str> {
        table
            .dml
            .first()
            .or(table.ddl.as_ref())
            .map(|l| self.files[l.file].path.as_str())
    }

    pub fn path(&self, loc: Loc) -> &str {
        &self.files[loc.file].path
    }

    /// Where `reader`'s statements first read the table or external name
    /// `name`, as `path:line:col`.
    pub fn read_position(&self, reader: &Table, name: &str) -> Option<String> {
        for loc in reader.ddl.iter().chain(reader.dml.iter()) {
            for n in self.statement(*loc).reads() {
                let resolved = match self.resolve(n) {
                    Resolved::Table(i) => self.tables[i].name.as_str() == name,
                    Resolved::External(e) => e == name,
                };
                if resolved {
                    let part = &n.parts[0];
                    return Some(format!("{}:{}:{}", self.path(*loc), part.line, part.col));
                }
            }
        }
        None
    }
}

fn position(files: &[SqlFile], loc: Loc) -> String {
    let f = &files[loc.file];
    let s = &f.statements[loc.stmt];
    format!("{}:{}:{}", f.path, s.line, s.col)
}
