//! Golden SQL fixtures: `tests/golden/<case>.sql` beside its expected lineage
//! (`.lineage`) and the text after renaming every table (`.rewrite.sql`);
//! `tests/golden/errors/<case>.sql` beside `LINE:COL` and a phrase.
use std::path::Path;

use greenlight::sql::{self, Statement, next_version, rename_spans, render_name};

use crate::common::{read, root};

fn lineage_lines(stmts: &[Statement]) -> String {
    let mut out = String::new();
    for s in stmts {
        let mut reads: Vec<String> = s.reads().map(|n| n.display()).collect();
        reads.sort();
        reads.dedup();
        let target = s.target.as_ref().map_or("-".to_string(), |t| t.display());
        let line = format!("{} {} <- {}", s.kind.as_str(), target, reads.join(" "));
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Renames every table name occurrence to its next version.
fn rename_all(src: &str, stmts: &[Statement]) -> String {
    let mut edits = Vec::new();
    for s in stmts {
        for part in s.name_sequence() {
            let new = render_name(&next_version(&part.value), part.quote).expect("valid name");
            edits.push((part.start, part.end, new));
        }
    }
    rename_spans(src, &mut edits).expect("no overlapping edits")
}

fn cases(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "sql")
                && !p.to_string_lossy().ends_with(".rewrite.sql")
        })
        .collect();
    v.sort();
    v
}

#[test]
fn golden_lineage_and_rewrites() {
    let dir = root().join("tests/golden");
    let all = cases(&dir);
    assert!(
        all.len() >= 40,
        "expected the golden cases, found {}",
        all.len()
    );
    let mut failures = Vec::new();
    for case in &all {
        let name = case.file_stem().unwrap().to_string_lossy().to_string();
        let src = read(case);
        let stmts = match sql::analyze(&src) {
            Ok(s) => s,
            Err(e) => {
                failures.push(format!("{name}: analysis failed: {e}"));
                continue;
            }
        };
        let expected = read(&case.with_extension("lineage"));
        let got = lineage_lines(&stmts);
        if got.trim_end() != expected.trim_end() {
            failures.push(format!(
                "{name}: lineage\n--- expected\n{expected}--- got\n{got}"
            ));
        }
        let rewritten = rename_all(&src, &stmts);
        let expected_rw = read(&case.with_extension("rewrite.sql"));
        if rewritten != expected_rw {
            let diff = similar::TextDiff::from_lines(&expected_rw, &rewritten)
                .unified_diff()
                .header("expected", "got")
                .to_string();
            failures.push(format!("{name}: rewrite\n{diff}"));
            continue;
        }
        // The rewrite changes names only: same statements, same fingerprints.
        let again = sql::analyze(&rewritten).expect("rewritten SQL analyses");
        let fp = |v: &[Statement]| {
            v.iter()
                .map(|s| (s.kind, s.fingerprint))
                .collect::<Vec<_>>()
        };
        if fp(&again) != fp(&stmts) {
            failures.push(format!("{name}: the rewrite changed more than names"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

#[test]
fn golden_errors_name_line_column_and_problem() {
    let dir = root().join("tests/golden/errors");
    let all = cases(&dir);
    assert!(
        all.len() >= 9,
        "expected the error cases, found {}",
        all.len()
    );
    let mut failures = Vec::new();
    for case in &all {
        let name = case.file_stem().unwrap().to_string_lossy().to_string();
        let bytes = std::fs::read(case).unwrap();
        let spec = read(&case.with_extension("error"));
        let mut lines = spec.lines();
        let pos = lines.next().unwrap().trim().to_string();
        let phrase = lines.next().unwrap().trim().to_lowercase();
        match greenlight::project::analyze_bytes(&name, &bytes) {
            Ok(_) => failures.push(format!("{name}: no error")),
            Err(e) => {
                let got = format!("{}:{}", e.line, e.col);
                if got != pos || !e.message.to_lowercase().contains(&phrase) || e.hint.is_empty() {
                    failures.push(format!(
                        "{name}: expected {pos} `{phrase}` with a hint, got {got}: {} (hint: {})",
                        e.message, e.hint
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
