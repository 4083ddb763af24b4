//! Golden SQL fixtures: `tests/golden/<case>.sql` beside its expected lineage
//! (`.lineage`) and the text after renaming every table (`.rewrite.sql`);
//! `tests/golden/errors/<case>.sql` beside `LINE:COL` and a phrase.
use std::path::Path;

use greenlight::sql::{self, RefRole, Statement, next_version, rename_spans, render_name};

use crate::common::{read, root};

/// `kind target <- reads [like sources] [arg names] [(declared)]`: the
/// `LIKE` sources and the table-function arguments read as tables (`TABLE(f(a))`
/// where nothing else is in scope) apart from the reads.
fn lineage_lines(stmts: &[Statement]) -> String {
    let sorted = |v: Vec<String>| {
        let mut v = v;
        v.sort();
        v.dedup();
        v
    };
    let mut out = String::new();
    for s in stmts {
        let reads = sorted(s.reads().map(|n| n.display()).collect());
        let likes = sorted(s.likes().map(|n| n.display()).collect());
        let args = sorted(
            s.refs
                .iter()
                .filter(|r| r.role == RefRole::TableArg { uncorrelated: true })
                .map(|r| r.name.display())
                .collect(),
        );
        let target = s.target.as_ref().map_or("-".to_string(), |t| t.display());
        let mut line = format!("{} {} <- {}", s.kind.as_str(), target, reads.join(" "));
        if !likes.is_empty() {
            line = format!("{} like {}", line.trim_end(), likes.join(" "));
        }
        if !args.is_empty() {
            line = format!("{} arg {}", line.trim_end(), args.join(" "));
        }
        if s.declared.is_some() {
            line = format!("{} (declared)", line.trim_end());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The project made of the case alone (its `<case>.yaml` config when there
/// is one): one line per table, `name (catalog.database.table) <- parents
/// [like sources]`, then the external tables and the warnings.
fn project_lines(case: &Path, name: &str, src: &str) -> Result<String, String> {
    let yaml = case.with_extension("yaml");
    let config = if yaml.exists() {
        greenlight::config::Config::parse(&read(&yaml)).map_err(|e| e.to_string())?
    } else {
        greenlight::config::Config::default()
    };
    let settings = greenlight::project::Settings::from_config(&config);
    let file =
        greenlight::project::analyze_bytes_with(&format!("{name}.sql"), src.as_bytes(), &settings)
            .map_err(|e| e.to_string())?;
    let project = greenlight::project::Project::build_with(vec![file], &settings)
        .map_err(|e| e.to_string())?;
    let graph = greenlight::graph::Graph::build(&project).map_err(|e| e.to_string())?;
    let mut out = String::new();
    for t in &project.tables {
        let parents = graph.parents(&t.name);
        let like = graph.like_sources(&t.name);
        out.push_str(&format!(
            "{} ({}) <- {}",
            t.name,
            t.id.at_level(3),
            if parents.is_empty() {
                "(nothing)".to_string()
            } else {
                parents.join(", ")
            }
        ));
        if !like.is_empty() {
            out.push_str(&format!(" like {}", like.join(", ")));
        }
        out.push('\n');
    }
    if !project.external.is_empty() {
        let ext: Vec<&str> = project.external.iter().map(String::as_str).collect();
        out.push_str(&format!("external: {}\n", ext.join(", ")));
    }
    for w in &project.warnings {
        out.push_str(&format!("warning: {}:{}: {}\n", w.line, w.col, w.message));
    }
    Ok(out)
}

/// Renames every table name occurrence to its next version (a bare
/// table-function argument where a column may be in scope is a table only
/// when the project has one by that name: left as is here).
fn rename_all(src: &str, stmts: &[Statement]) -> String {
    let mut edits = Vec::new();
    for s in stmts {
        let column_maybe = s
            .refs
            .iter()
            .filter(|r| {
                r.role
                    == RefRole::TableArg {
                        uncorrelated: false,
                    }
            })
            .map(|r| r.name.last().start)
            .collect::<Vec<_>>();
        for part in s
            .name_sequence()
            .filter(|p| !column_maybe.contains(&p.start))
        {
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
        let graph_file = case.with_extension("graph");
        if graph_file.exists() {
            let expected = read(&graph_file);
            match project_lines(case, &name, &src) {
                Ok(got) if got.trim_end() == expected.trim_end() => {}
                Ok(got) => failures.push(format!(
                    "{name}: project graph\n--- expected\n{expected}--- got\n{got}"
                )),
                Err(e) => failures.push(format!("{name}: project: {e}")),
            }
        }
        let rewritten = rename_all(&src, &stmts);
        let rw_file = case.with_extension("rewrite.sql");
        if !rw_file.exists() && std::env::var_os("GOLDEN_BLESS").is_some() {
            // A new case: write its rewrite for review.
            std::fs::write(&rw_file, &rewritten).unwrap();
        }
        let expected_rw = read(&rw_file);
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
