//! Property tests (proptest): no panic on any input, and rewrites that change
//! table names only.
//!
//! Each target runs a bounded number of cases (a few seconds in all); set
//! `PROPTEST_CASES=N` to run N cases per target, e.g. for a long run:
//! `PROPTEST_CASES=20000 cargo test --release --test all fuzz::`.
use std::collections::{BTreeMap, BTreeSet};

use crate::common::next_version_of_all;
use greenlight::graph::Graph;
use greenlight::project::{
    Project, Settings, TableId, analyze_bytes, analyze_texts, analyze_texts_with,
};
use greenlight::rewrite::{apply, plan_edits, verify};
use greenlight::sql;
use proptest::prelude::*;
use proptest::test_runner::Config;

use crate::common::root;

/// `PROPTEST_CASES` when set, else `default`.
fn config(default: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// The golden inputs (valid and invalid SQL), read once.
fn golden() -> &'static [Vec<u8>] {
    static GOLDEN: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    GOLDEN.get_or_init(|| {
        let mut out = Vec::new();
        for dir in ["tests/golden", "tests/golden/errors"] {
            let mut paths: Vec<_> = std::fs::read_dir(root().join(dir))
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "sql"))
                .collect();
            paths.sort();
            out.extend(paths.iter().map(|p| std::fs::read(p).unwrap()));
        }
        out
    })
}

/// Analyses one file's bytes as a whole project and, when it is a valid
/// project, renames every table and checks the rewrite. Returns why the
/// rewrite check failed, if it did; panics are the test harness's to catch.
fn analyse_and_rewrite(bytes: &[u8]) -> Result<(), String> {
    let Ok(file) = analyze_bytes("f.sql", bytes) else {
        return Ok(());
    };
    let Ok(project) = Project::build(vec![file]) else {
        return Ok(());
    };
    if Graph::build(&project).is_err() {
        return Ok(());
    }
    let renames = free_renames(&project, next_version_of_all(&project));
    let text = std::str::from_utf8(bytes).expect("analysed text is UTF-8");
    let Ok(edits) = plan_edits(&project, &renames) else {
        // A name that cannot be written unquoted: refused, nothing written.
        return Ok(());
    };
    let after_text = match edits.get("f.sql") {
        Some(e) => apply("f.sql", text, e).map_err(|e| format!("apply: {e}"))?,
        None => text.to_string(),
    };
    let after_files = analyze_texts(&[("f.sql".to_string(), after_text.clone().into_bytes())])
        .map_err(|e| format!("the rewritten text does not analyse: {e}\n{after_text}"))?;
    let after = Project::build(after_files).map_err(|e| format!("rebuild: {e}"))?;
    verify(
        &project,
        &greenlight::graph::Graph::build(&project).unwrap(),
        &after,
        &renames,
    )
    .map_err(|e| format!("{e}\n--- rewritten:\n{after_text}"))
}

/// Drops renames whose new table is already taken (by a table or an
/// external table of the same catalog and database), or that two renames
/// share: greenlight refuses those before rewriting.
fn free_renames(project: &Project, renames: BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut taken: BTreeSet<TableId> = project.tables.iter().map(|t| t.id.clone()).collect();
    taken.extend(project.external_ids().into_iter().cloned());
    renames
        .into_iter()
        .filter(|(old, new)| {
            let Some(id) = project.id_of(old) else {
                return false;
            };
            taken.insert(id.renamed(id.table_part(old, new)))
        })
        .collect()
}

/// Bytes that open or close SQL constructs, and some that break UTF-8.
const INTERESTING: &[&[u8]] = &[
    b"'",
    b"`",
    b"\"",
    b"(",
    b")",
    b";",
    b"/*",
    b"*/",
    b"--",
    b"\n",
    b" ",
    b".",
    b",",
    b"$",
    b"*",
    b"\xff",
    b"\xc3",
    b"\xe2\x98",
    b"\r\n",
    b"=>",
    b"''",
    b"``",
];

/// Words that steer the analysis.
const WORDS: &[&str] = &[
    "SELECT",
    "FROM",
    "WITH",
    "AS",
    "JOIN",
    "LEFT JOIN",
    "ON",
    "TABLE",
    "INSERT INTO",
    "INSERT OVERWRITE",
    "CREATE TABLE",
    "CREATE VIEW",
    "CREATE TEMPORARY VIEW",
    "CREATE MATERIALIZED TABLE",
    "EXECUTE STATEMENT SET BEGIN",
    "BEGIN STATEMENT SET",
    "END",
    "END;",
    "LATERAL",
    "UNNEST",
    "FOR SYSTEM_TIME AS OF",
    "MATCH_RECOGNIZE",
    "LIKE",
    "VALUES",
    "UNION ALL",
    "IS DISTINCT FROM",
    "EXTRACT(YEAR FROM ts)",
    "PARTITION",
    "IF NOT EXISTS",
    "DROP TABLE",
    "ALTER TABLE",
    "RENAME TO",
    "SET",
    "WHERE",
    "IN",
    "EXECUTE",
    "DESCRIPTOR(ts)",
    "TUMBLE",
    "x.y",
    "`a-b`",
    "t",
];

#[derive(Debug, Clone)]
enum Mutation {
    DeleteByte(usize),
    InsertBytes(usize, usize),
    DuplicateToken(usize),
    DeleteToken(usize),
    InsertWord(usize, usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::DeleteByte),
        (any::<usize>(), 0..INTERESTING.len()).prop_map(|(a, b)| Mutation::InsertBytes(a, b)),
        any::<usize>().prop_map(Mutation::DuplicateToken),
        any::<usize>().prop_map(Mutation::DeleteToken),
        (any::<usize>(), 0..WORDS.len()).prop_map(|(a, b)| Mutation::InsertWord(a, b)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

/// Token spans of a text (empty when it does not tokenize).
fn spans(bytes: &[u8]) -> Vec<(usize, usize)> {
    std::str::from_utf8(bytes)
        .ok()
        .and_then(|s| sql::tokenize(s).ok())
        .map(|toks| toks.iter().map(|t| (t.start, t.end)).collect())
        .unwrap_or_default()
}

fn mutate(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = bytes.len();
        match *m {
            Mutation::DeleteByte(p) if len > 0 => {
                bytes.remove(p % len);
            }
            Mutation::InsertBytes(p, k) => {
                let at = p % (len + 1);
                bytes.splice(at..at, INTERESTING[k].iter().copied());
            }
            Mutation::DuplicateToken(k) | Mutation::DeleteToken(k) => {
                let toks = spans(&bytes);
                if toks.is_empty() {
                    continue;
                }
                let (s, e) = toks[k % toks.len()];
                if matches!(m, Mutation::DuplicateToken(_)) {
                    let mut copy = vec![b' '];
                    copy.extend_from_slice(&bytes[s..e]);
                    bytes.splice(e..e, copy);
                } else {
                    bytes.drain(s..e);
                }
            }
            Mutation::InsertWord(k, w) => {
                // Between tokens, so that the word stays a word.
                let toks = spans(&bytes);
                let at = if toks.is_empty() {
                    k % (len + 1)
                } else {
                    toks[k % toks.len()].0
                };
                let text = format!(" {} ", WORDS[w]);
                bytes.splice(at..at, text.bytes());
            }
            Mutation::Truncate(p) if len > 0 => bytes.truncate(p % len),
            _ => {}
        }
    }
    bytes
}

/// SQL-looking token soup.
fn soup() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        (0..WORDS.len()).prop_map(|w| WORDS[w].to_string()),
        (0..INTERESTING.len()).prop_map(|k| String::from_utf8_lossy(INTERESTING[k]).into_owned()),
        "[a-z_][a-z0-9_]{0,6}",
        "'[^']{0,5}'",
        "[0-9]{1,3}",
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|v| v.join(" "))
}

proptest! {
    #![proptest_config(config(256))]

    /// Any text: the analysis returns a value or an error, never panics.
    #[test]
    fn analyze_never_panics_on_any_text(s in any::<String>()) {
        let _ = sql::analyze(&s);
        let _ = analyze_bytes("f.sql", s.as_bytes());
    }

    /// Any bytes, including invalid UTF-8.
    #[test]
    fn analyze_bytes_never_panics(b in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = analyze_bytes("f.sql", &b);
    }

    /// SQL-looking soup through analysis and the whole-project rewrite.
    #[test]
    fn token_soup_never_panics(s in soup()) {
        let _ = analyse_and_rewrite(s.as_bytes());
    }

    /// Golden SQL with bytes and tokens deleted, inserted and duplicated:
    /// no panic, and a rewrite of every table either is refused or changes
    /// table names only.
    #[test]
    fn mutated_golden_sql_never_panics_and_rewrites_verify(
        file in 0..64usize,
        mutations in proptest::collection::vec(mutation(), 1..6),
    ) {
        let all = golden();
        let bytes = mutate(all[file % all.len()].clone(), &mutations);
        if let Err(e) = analyse_and_rewrite(&bytes) {
            prop_assert!(false, "{}\n--- input:\n{}", e, String::from_utf8_lossy(&bytes));
        }
    }
}

// ---------------------------------------------------------------------------
// Generated projects: the analysed graph is the generated one, and analysing
// the rewritten project gives the analysed graph with the renames applied.
//
// Tables live in catalogs and databases (placements); each file sets its
// current catalog and database with `USE` or `SET 'sql.current-*'` (or
// relies on the project's defaults, known or not), and names the tables of
// other placements qualified, in several spellings. Some tables copy a
// schema with `LIKE`, and the faker pattern (a LIKE table feeding its
// source) appears too.

/// How one table is written.
#[derive(Debug, Clone)]
struct TableSpec {
    /// Index into NAMES (made unique in its placement).
    name: usize,
    /// Index into PLACES: its catalog and database.
    place: usize,
    /// Indexes of earlier tables it reads (taken modulo its position).
    parents: Vec<usize>,
    /// The query's shape (and whether a table without parents reads a topic).
    template: usize,
    /// Bits: quote the DDL name; quote references; qualify references
    /// more than needed; DDL and DML in one file; a CTAS/view instead of DDL
    /// + DML (bits 5-6: which); set the scope with SET, not USE.
    style: u8,
    /// 1: created `LIKE` its first parent; 2: a faker: created LIKE an
    /// earlier table and feeding it; else neither.
    like: u8,
}

/// Names with version suffixes, case differences, unicode and characters
/// that need quotes.
const NAMES: &[&str] = &[
    "src_orders",
    "orders",
    "Orders",
    "int_x_v9",
    "fct_v2_sales",
    "dim_kunden_münchen",
    "raw-events",
    "int_a",
    "fct_b",
    "dim_c",
    "t",
    "x_v",
];

/// Catalogs and databases; the first is the project's default.
const PLACES: &[(&str, &str)] = &[
    ("dc", "dd"),
    ("lake", "sales"),
    ("lake", "ops"),
    ("kafka-prod", "sales"),
];

fn table_spec() -> impl Strategy<Value = TableSpec> {
    (
        0..NAMES.len(),
        0..PLACES.len() + 2,
        proptest::collection::vec(any::<usize>(), 0..4),
        0..8usize,
        any::<u8>(),
        0..6u8,
    )
        .prop_map(|(name, place, parents, template, style, like)| TableSpec {
            name,
            // The default placement twice as often.
            place: place.saturating_sub(2),
            parents,
            template,
            style,
            like,
        })
}

struct Generated {
    files: Vec<(String, Vec<u8>)>,
    settings: Settings,
    /// Table -> expected data parents (tables and external topics).
    expected: BTreeMap<TableId, BTreeSet<TableId>>,
    /// Table -> the tables it is created LIKE.
    expected_like: BTreeMap<TableId, BTreeSet<TableId>>,
}

fn needs_quotes(name: &str) -> bool {
    !name.chars().all(|c| c.is_alphanumeric() || c == '_')
}

fn quoted(name: &str, quote: bool) -> String {
    if quote || needs_quotes(name) {
        format!("`{name}`")
    } else {
        name.to_string()
    }
}

/// The catalog and database a file of placement `place` is in: None where
/// the project's defaults are unknown.
fn scope(place: usize, known: bool) -> (Option<&'static str>, Option<&'static str>) {
    let (c, d) = PLACES[place];
    if place == 0 && !known {
        (None, None)
    } else {
        (Some(c), Some(d))
    }
}

/// How a file of placement `place` names table `name` of placement
/// `target`: unqualified in its own scope, else as qualified as needed (or
/// more, with `qualify`). None when it cannot (an unknown default catalog
/// is not nameable from elsewhere).
fn reference(
    from: usize,
    target: usize,
    name: &str,
    known: bool,
    quote: bool,
    qualify: bool,
) -> Option<String> {
    let here = scope(from, known);
    let there = scope(target, known);
    let table = quoted(name, quote);
    let (Some(c), Some(d)) = there else {
        return (here == there).then_some(table);
    };
    let db = quoted(d, quote);
    let cat = quoted(c, quote);
    Some(if here == there && !qualify {
        table
    } else if here.0 == there.0 && !(qualify && quote) {
        format!("{db}.{table}")
    } else {
        format!("{cat}.{db}.{table}")
    })
}

/// The statements that put a file of placement `place` in its scope.
fn preamble(place: usize, known: bool, set: bool) -> String {
    let (Some(c), Some(d)) = scope(place, known) else {
        return String::new();
    };
    if place == 0 && !set {
        // The project's default: nothing to say.
        return String::new();
    }
    if set {
        format!("SET 'sql.current-catalog' = '{c}';\nSET 'sql.current-database' = '{d}';\n")
    } else {
        format!("USE CATALOG `{c}`;\nUSE `{d}`;\n")
    }
}

/// The query of a table reading `reads` (already rendered references);
/// `plain` are the unquoted table names (for CTE shadowing and column
/// qualifiers).
fn query(template: usize, reads: &[String], plain: &[String]) -> String {
    let r = |k: usize| reads[k % reads.len()].clone();
    // Column qualifiers by table name, and a CTE shadowing a table, need
    // distinct table names (the same name may live in two catalogs).
    let distinct = plain.iter().collect::<BTreeSet<_>>().len() == plain.len();
    let template = if matches!(template, 1 | 2) && !distinct {
        0
    } else {
        template
    };
    match (template, reads.len()) {
        (_, 0) => "SELECT * FROM (VALUES (1, 'a FROM b')) AS v (id, s)".to_string(),
        (0, 1) | (1, 1) => format!(
            "SELECT id, '-- FROM not_a_table' AS note /* JOIN nope */ FROM {}",
            r(0)
        ),
        (0, _) => {
            // Comma join with aliases, then the others joined.
            let mut q = format!("SELECT a0.id FROM {} AS a0", r(0));
            for k in 1..reads.len() {
                q.push_str(&format!(", {} AS a{k}", r(k)));
            }
            q
        }
        (1, _) => {
            // Un-aliased joins with table-name qualifiers (renamed with them).
            let last = |k: usize| quoted(&plain[k], false);
            let mut q = format!("SELECT {}.id FROM {}", last(0), r(0));
            for k in 1..reads.len() {
                q.push_str(&format!(
                    "\nLEFT JOIN {} ON {}.id = {}.id",
                    r(k),
                    last(k),
                    last(0)
                ));
            }
            q
        }
        (2, _) => {
            // CTE named like its own source (shadowing), then the rest.
            let cte = quoted(&plain[0], false);
            let mut q = format!(
                "WITH {cte} AS (SELECT id FROM {})\nSELECT {cte}.id FROM {cte}",
                r(0)
            );
            if reads.len() > 1 {
                q.push_str(&format!("\nWHERE id IN (SELECT id FROM {})", r(1)));
            }
            for k in 2..reads.len() {
                q.push_str(&format!("\nUNION ALL SELECT id FROM {}", r(k)));
            }
            q
        }
        (3, _) => {
            let mut q = format!(
                "SELECT window_start, COUNT(*) AS n\nFROM TABLE(TUMBLE(TABLE {}, DESCRIPTOR(ts), INTERVAL '1' MINUTE))",
                r(0)
            );
            if reads.len() > 1 {
                q.push_str(&format!(
                    "\nWHERE EXISTS (SELECT 1 FROM {} AS e WHERE EXTRACT(DAY FROM e.ts) = 1)",
                    r(1)
                ));
            }
            q.push_str("\nGROUP BY window_start");
            for k in 2..reads.len() {
                q.push_str(&format!("\nUNION ALL SELECT 1, 1 FROM {}", r(k)));
            }
            q
        }
        (4, _) => {
            let mut q = format!("SELECT o.id FROM {} AS o", r(0));
            for k in 1..reads.len() {
                q.push_str(&format!(
                    "\nJOIN {} FOR SYSTEM_TIME AS OF o.ts AS d{k} ON d{k}.id = o.id",
                    r(k)
                ));
            }
            q
        }
        (5, _) => {
            let mut q = format!(
                "SELECT id FROM (\n  SELECT *, ROW_NUMBER() OVER (PARTITION BY id ORDER BY $rowtime DESC) AS rn\n  FROM {}\n) WHERE rn = 1",
                r(0)
            );
            for k in 1..reads.len() {
                q.push_str(&format!("\nUNION ALL SELECT id FROM {}", r(k)));
            }
            q
        }
        _ => {
            let mut q = format!(
                "SELECT un.tag FROM {} CROSS JOIN UNNEST(tags) AS un (tag)",
                r(0)
            );
            if reads.len() > 1 {
                q.push_str(&format!(
                    "\nWHERE TRIM(BOTH ' ' FROM un.s) IS DISTINCT FROM (SELECT MAX(s) FROM {})",
                    r(1)
                ));
            }
            for k in 2..reads.len() {
                q.push_str(&format!("\nUNION ALL SELECT id FROM {}", r(k)));
            }
            q
        }
    }
}

fn id_of(place: usize, name: &str, known: bool) -> TableId {
    let (c, d) = scope(place, known);
    TableId {
        catalog: c.map(std::sync::Arc::from),
        database: d.map(std::sync::Arc::from),
        table: name.to_string(),
    }
}

fn generate(specs: &[TableSpec], known: bool) -> Generated {
    // Names unique in their placement; with unknown defaults, unique
    // overall (the default catalog may be any of the others).
    let mut names: Vec<String> = Vec::new();
    for (i, s) in specs.iter().enumerate() {
        let base = NAMES[s.name];
        let clash = specs[..i]
            .iter()
            .zip(&names)
            .any(|(o, n)| n == base && (o.place == s.place || !known));
        names.push(if clash {
            format!("{}_{i}", base.replace('-', "_"))
        } else {
            base.to_string()
        });
    }
    let settings = Settings {
        default_catalog: known.then(|| PLACES[0].0.into()),
        default_database: known.then(|| PLACES[0].1.into()),
        ..Settings::default()
    };
    let mut files = Vec::new();
    let mut expected: BTreeMap<TableId, BTreeSet<TableId>> = BTreeMap::new();
    let mut expected_like: BTreeMap<TableId, BTreeSet<TableId>> = BTreeMap::new();
    for (i, s) in specs.iter().enumerate() {
        let name = &names[i];
        let me = id_of(s.place, name, known);
        let rf = |k: usize, quote: bool, qualify: bool| {
            reference(s.place, specs[k].place, &names[k], known, quote, qualify)
        };
        let mut parents: Vec<usize> = Vec::new();
        if i > 0 {
            for p in &s.parents {
                let p = p % i;
                if !parents.contains(&p) && rf(p, false, false).is_some() {
                    parents.push(p);
                }
            }
        }
        let mut reads: Vec<String> = parents
            .iter()
            .enumerate()
            .map(|(k, &p)| rf(p, s.style & 2 != 0, s.style & 4 != 0 && k % 2 == 0).unwrap())
            .collect();
        let mut plain: Vec<String> = parents.iter().map(|&p| names[p].clone()).collect();
        let mut parent_ids: BTreeSet<TableId> = parents
            .iter()
            .map(|&p| id_of(specs[p].place, &names[p], known))
            .collect();
        if parents.is_empty() && s.template % 2 == 0 {
            let topic = format!("raw_topic_{i}");
            reads.push(format!("`{topic}`"));
            plain.push(topic.clone());
            parent_ids.insert(id_of(s.place, &topic, known));
        }
        expected.entry(me.clone()).or_default().extend(parent_ids);
        let target = reference(s.place, s.place, name, known, s.style & 1 != 0, false).unwrap();
        let pre = preamble(s.place, known, s.style & 128 != 0);
        let q = query(s.template, &reads, &plain);
        // LIKE: the first parent's schema (a table of the project).
        let like = (s.like == 1)
            .then(|| parents.first().copied())
            .flatten()
            .map(|p| (p, rf(p, s.style & 2 != 0, s.style & 4 != 0).unwrap()));
        let ddl_cols = match &like {
            Some((p, source)) => {
                expected_like.entry(me.clone()).or_default().insert(id_of(
                    specs[*p].place,
                    &names[*p],
                    known,
                ));
                format!(
                    "-- {name}: shaped like its source\nCREATE TABLE {target} WITH ('connector' = 'kafka', 'topic' = '{name}')\nLIKE {source} (EXCLUDING OPTIONS)"
                )
            }
            None => format!(
                "-- {name}: the table FROM which others read\nCREATE TABLE {target} (\n  id BIGINT,\n  s STRING COMMENT 'SELECT * FROM nowhere',\n  ts TIMESTAMP(3),\n  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND,\n  PRIMARY KEY (id) NOT ENFORCED\n) WITH ('connector' = 'kafka', 'topic' = '{name}')"
            ),
        };
        let safe = name.replace(['-', '`'], "_");
        let file = |kind: &str| format!("{kind}{safe}_{i}.sql");
        if s.style & 16 != 0 && like.is_none() {
            let kind = ["TABLE", "VIEW", "MATERIALIZED TABLE"][(s.style as usize >> 5) % 3];
            files.push((
                file(""),
                format!("{pre}CREATE {kind} {target} AS\n{q};\n").into_bytes(),
            ));
        } else {
            let dml = format!("SET 'table.exec.state.ttl' = '1 h';\nINSERT INTO {target}\n{q};\n");
            if s.style & 8 != 0 {
                files.push((file(""), format!("{pre}{ddl_cols};\n\n{dml}").into_bytes()));
            } else {
                files.push((file("ddl."), format!("{pre}{ddl_cols};\n").into_bytes()));
                files.push((file("dml."), format!("{pre}{dml}").into_bytes()));
            }
        }
        // The faker pattern: a table shaped like an earlier one (in this
        // placement, defined by a DDL), which it feeds.
        if s.like == 2
            && let Some(p) = (0..i).rev().find(|&p| {
                specs[p].place == s.place
                    && specs[p].style & 16 == 0
                    && rf(p, false, false).is_some()
            })
        {
            let faker = format!("{safe}_faker_{i}");
            let faker_id = id_of(s.place, &faker, known);
            let source = rf(p, s.style & 2 != 0, false).unwrap();
            expected_like
                .entry(faker_id.clone())
                .or_default()
                .insert(id_of(specs[p].place, &names[p], known));
            expected.entry(faker_id).or_default();
            expected
                .entry(id_of(specs[p].place, &names[p], known))
                .or_default()
                .insert(id_of(s.place, &faker, known));
            files.push((
                format!("faker_{i}.sql"),
                format!(
                    "{pre}CREATE TEMPORARY TABLE {faker} WITH ('connector' = 'faker') LIKE {source} (EXCLUDING OPTIONS);\nINSERT INTO {source} SELECT * FROM {faker};\n"
                )
                .into_bytes(),
            ));
        }
    }
    Generated {
        files,
        settings,
        expected,
        expected_like,
    }
}

/// Each table's data parents, by identity.
fn parents_of(p: &Project) -> BTreeMap<TableId, BTreeSet<TableId>> {
    let id = |n: &String| p.id_of(n).cloned().expect("a node has an identity");
    p.tables
        .iter()
        .map(|t| (t.id.clone(), t.parents.iter().map(id).collect()))
        .collect()
}

/// Each table's LIKE sources, by identity (tables without one left out).
fn likes_of(p: &Project) -> BTreeMap<TableId, BTreeSet<TableId>> {
    let id = |n: &String| p.id_of(n).cloned().expect("a node has an identity");
    p.tables
        .iter()
        .filter(|t| !t.like.is_empty())
        .map(|t| (t.id.clone(), t.like.iter().map(id).collect()))
        .collect()
}

fn dump(files: &[(String, Vec<u8>)]) -> String {
    files
        .iter()
        .map(|(p, b)| format!("{p}:\n{}", String::from_utf8_lossy(b)))
        .collect::<Vec<_>>()
        .join("\n")
}

proptest! {
    #![proptest_config(config(96))]

    /// Lineage (data and LIKE edges, by qualified name) is exact on
    /// generated projects, and the rewrite of any subset of tables gives
    /// the renamed graph.
    #[test]
    fn rewritten_project_analyses_to_the_renamed_graph(
        specs in proptest::collection::vec(table_spec(), 1..10),
        known in any::<bool>(),
        pick in any::<u64>(),
    ) {
        let g = generate(&specs, known);
        let fail = |e: String| TestCaseError::fail(format!("{e}\n{}", dump(&g.files)));
        let files = analyze_texts_with(&g.files, &g.settings).map_err(|e| fail(e.to_string()))?;
        let head = Project::build_with(files, &g.settings).map_err(|e| fail(e.to_string()))?;
        prop_assert_eq!(parents_of(&head), g.expected.clone(), "{}", dump(&g.files));
        let expected_like: BTreeMap<_, _> = g.expected_like.clone();
        prop_assert_eq!(likes_of(&head), expected_like, "{}", dump(&g.files));
        let graph = Graph::build(&head).map_err(|e| fail(e.to_string()))?;

        // Rename a subset of the tables (the bits of `pick`).
        let all = next_version_of_all(&head);
        let subset: BTreeMap<String, String> = all
            .into_iter()
            .enumerate()
            .filter(|(k, _)| pick >> (k % 64) & 1 == 1)
            .map(|(_, r)| r)
            .collect();
        let renames = free_renames(&head, subset);
        let edits = plan_edits(&head, &renames).map_err(|e| fail(e.to_string()))?;
        let mut texts = Vec::new();
        for (path, bytes) in &g.files {
            let text = std::str::from_utf8(bytes).unwrap();
            let new = match edits.get(path) {
                Some(e) => apply(path, text, e).map_err(|e| fail(e.to_string()))?,
                None => text.to_string(),
            };
            texts.push((path.clone(), new.into_bytes()));
        }
        let after_files = analyze_texts_with(&texts, &g.settings).map_err(|e| fail(e.to_string()))?;
        let after = Project::build_with(after_files, &g.settings)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{}", dump(&texts))))?;
        let head_graph = greenlight::graph::Graph::build(&head).map_err(|e| fail(e.to_string()))?;
        verify(&head, &head_graph, &after, &renames).map_err(|e| TestCaseError::fail(format!("{e}\n{}", dump(&texts))))?;

        // The same, spelled out by identity: the new graph is the old one
        // renamed.
        let renamed: BTreeMap<TableId, TableId> = renames
            .iter()
            .map(|(old, new)| {
                let id = head.id_of(old).unwrap();
                (id.clone(), id.renamed(id.table_part(old, new)))
            })
            .collect();
        let map = |id: &TableId| renamed.get(id).cloned().unwrap_or_else(|| id.clone());
        let map_all = |m: &BTreeMap<TableId, BTreeSet<TableId>>| -> BTreeMap<TableId, BTreeSet<TableId>> {
            m.iter().map(|(t, ps)| (map(t), ps.iter().map(map).collect())).collect()
        };
        prop_assert_eq!(parents_of(&after), map_all(&g.expected));
        prop_assert_eq!(likes_of(&after), map_all(&g.expected_like));
        let after_graph = Graph::build(&after).map_err(|e| fail(e.to_string()))?;
        let edges = |gr: &Graph, p: &Project, like: bool| -> BTreeSet<(TableId, TableId)> {
            let e = if like { gr.like_edges() } else { gr.edges() };
            e.iter()
                .map(|(a, b)| (p.id_of(a).unwrap().clone(), p.id_of(b).unwrap().clone()))
                .collect()
        };
        let before: BTreeSet<(TableId, TableId)> =
            edges(&graph, &head, false).iter().map(|(a, b)| (map(a), map(b))).collect();
        prop_assert_eq!(edges(&after_graph, &after, false), before);
        let before_like: BTreeSet<(TableId, TableId)> =
            edges(&graph, &head, true).iter().map(|(a, b)| (map(a), map(b))).collect();
        prop_assert_eq!(edges(&after_graph, &after, true), before_like);
    }
}
