//! The bad-input matrix: every kind of bad input, run through the real
//! binary, with its exact stderr and exit code under a snapshot
//! (`tests/all/snapshots/`; `INSTA_UPDATE=always` rewrites them). Each
//! message must say where (file:line:col when a file is at fault) and how
//! to fix it (a hint), and nothing may panic.
use std::path::Path;
use std::process::Output;

use crate::fixture::{TempRepo, greenlight_in};

const SRC_A: &str =
    "CREATE TABLE src_a (id INT, v INT);\nINSERT INTO src_a SELECT id, v FROM raw_a;\n";
const INT_B: &str =
    "CREATE TABLE int_b (id INT, v INT);\nINSERT INTO int_b SELECT id, v * 2 AS v FROM src_a;\n";
const FCT_C: &str = "CREATE TABLE fct_c (id INT, total INT);\nINSERT INTO fct_c\nSELECT int_b.id, int_b.v + a.v\nFROM int_b JOIN src_a AS a ON a.id = int_b.id;\n";

/// A tagged repository: src_a -> int_b -> fct_c, src_a -> fct_c.
fn tagged() -> TempRepo {
    let repo = TempRepo::new(&[
        ("sql/src_a.sql", SRC_A),
        ("sql/int_b.sql", INT_B),
        ("sql/fct_c.sql", FCT_C),
    ]);
    repo.tag("v1.0.0");
    repo
}

/// Exit code and stderr, temp paths replaced by `[DIR]`.
fn report(dir: &Path, out: &Output) -> String {
    let mut err = String::from_utf8_lossy(&out.stderr).into_owned();
    let canonical = dir.canonicalize().unwrap();
    for d in [canonical.as_path(), dir] {
        err = err.replace(&d.display().to_string(), "[DIR]");
    }
    format!("exit code: {:?}\n{err}", out.status.code())
}

/// Checks the common rules, then snapshots.
#[track_caller]
fn check(name: &str, dir: &Path, out: &Output, position: Option<&str>) {
    let text = report(dir, out);
    assert!(!text.contains("panicked"), "{name}: {text}");
    assert_eq!(out.status.code(), Some(1), "{name}: {text}");
    assert!(text.contains("hint:"), "{name}: no hint: {text}");
    if let Some(pos) = position {
        assert!(text.contains(pos), "{name}: expected {pos} in: {text}");
    }
    insta::assert_snapshot!(name, text);
}

/// A project (no git needed) with `files`; runs `graph`.
fn graph_of(name: &str, files: &[(&str, &[u8])], position: Option<&str>) {
    let dir = tempfile::TempDir::new().unwrap();
    for (p, c) in files {
        let path = dir.path().join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, c).unwrap();
    }
    let out = greenlight_in(dir.path(), &["graph"]);
    check(name, dir.path(), &out, position);
}

const OK: &[u8] = b"CREATE TABLE src_a (id INT);\nINSERT INTO src_a SELECT id FROM raw_a;\n";

#[test]
fn unreadable_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::TempDir::new().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(dir.path().join("a.sql"), OK).unwrap();
    let secret = dir.path().join("b.sql");
    std::fs::write(&secret, "SELECT 1;").unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
    // Root reads any file: run as nobody then.
    let root = std::fs::read(&secret).is_ok();
    let out = if root {
        let setpriv = Path::new("/usr/bin/setpriv");
        if !setpriv.exists() {
            eprintln!("skipped: running as root without setpriv");
            return;
        }
        std::process::Command::new(setpriv)
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(env!("CARGO_BIN_EXE_greenlight"))
            .arg("graph")
            .current_dir(dir.path())
            .output()
            .unwrap()
    } else {
        greenlight_in(dir.path(), &["graph"])
    };
    check("unreadable_file", dir.path(), &out, Some("b.sql:1:1"));
}

#[test]
fn invalid_utf8() {
    graph_of(
        "invalid_utf8",
        &[(
            "a.sql",
            b"SELECT 1;\nINSERT INTO t SELECT 'caf\xe9' FROM s;\n",
        )],
        Some("a.sql:2:26"),
    );
}

#[test]
fn unterminated_string() {
    graph_of(
        "unterminated_string",
        &[(
            "a.sql",
            b"INSERT INTO t\nSELECT id FROM s WHERE name = 'oops;\n",
        )],
        Some("a.sql:2:31"),
    );
}

#[test]
fn unterminated_comment() {
    graph_of(
        "unterminated_comment",
        &[(
            "a.sql",
            b"INSERT INTO t SELECT id FROM s; /* never closed\n",
        )],
        Some("a.sql:1:33"),
    );
}

#[test]
fn unterminated_backquote() {
    graph_of(
        "unterminated_backquote",
        &[("a.sql", b"INSERT INTO t SELECT id FROM `s;\n")],
        Some("a.sql:1:30"),
    );
}

#[test]
fn dml_without_target() {
    graph_of(
        "dml_without_target",
        &[("a.sql", b"INSERT INTO SELECT id FROM s;\n")],
        Some("a.sql:1:13"),
    );
}

#[test]
fn statement_not_understood() {
    graph_of(
        "statement_not_understood",
        &[("a.sql", b"-- what is this?\n  FROBNICATE THE TABLES;\n")],
        Some("a.sql:2:3"),
    );
}

#[test]
fn unclosed_parenthesis() {
    graph_of(
        "unclosed_parenthesis",
        &[(
            "a.sql",
            b"INSERT INTO t\nSELECT COUNT(id FROM s;\nINSERT INTO u SELECT 1;\n",
        )],
        Some("a.sql:2:13"),
    );
}

#[test]
fn extra_parenthesis() {
    graph_of(
        "extra_parenthesis",
        &[("a.sql", b"INSERT INTO t SELECT COUNT(id)) FROM s;\n")],
        Some("a.sql:1:31"),
    );
}

#[test]
fn several_bad_files_are_all_reported() {
    graph_of(
        "several_bad_files",
        &[
            ("a.sql", b"INSERT INTO t SELECT 'x FROM s;\n"),
            ("b.sql", OK),
            ("c.sql", b"CREATE TABLE (id INT);\n"),
        ],
        Some("c.sql:1:14"),
    );
}

#[test]
fn duplicate_table_definition() {
    graph_of(
        "duplicate_table",
        &[
            ("a/one.sql", b"CREATE TABLE t (id INT);\n"),
            ("b/two.sql", b"-- again\nCREATE TABLE t (id BIGINT);\n"),
        ],
        Some("b/two.sql:2:1"),
    );
}

#[test]
fn dependency_cycle() {
    graph_of(
        "dependency_cycle",
        &[
            (
                "a.sql",
                b"CREATE TABLE int_a (id INT);\nINSERT INTO int_a SELECT id FROM int_c;\n",
            ),
            (
                "b.sql",
                b"CREATE TABLE int_b (id INT);\nINSERT INTO int_b SELECT id FROM int_a;\n",
            ),
            (
                "c.sql",
                b"CREATE TABLE int_c (id INT);\nINSERT INTO int_c\nSELECT x.id FROM src AS x JOIN int_b ON int_b.id = x.id;\n",
            ),
        ],
        Some("c.sql:3:32"),
    );
}

#[test]
fn unknown_config_field() {
    // `file:line:col: message`, the accepted fields, and a hint.
    let dir = tempfile::TempDir::new().unwrap();
    std::fs::write(dir.path().join("a.sql"), OK).unwrap();
    std::fs::write(dir.path().join("greenlight.yaml"), "tag_patern: 'v*'\n").unwrap();
    let out = greenlight_in(dir.path(), &["graph"]);
    let text = report(dir.path(), &out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("greenlight.yaml:1:1: unknown field `tag_patern`, expected one of"),
        "{text}"
    );
    assert!(text.contains("\n  hint: "), "{text}");
    insta::assert_snapshot!("unknown_config_field", text);
}

#[test]
fn project_dir_does_not_exist() {
    let dir = tempfile::TempDir::new().unwrap();
    let out = greenlight_in(dir.path(), &["graph", "--project", "no/such/dir"]);
    check("project_dir_missing_graph", dir.path(), &out, None);
    let out = greenlight_in(dir.path(), &["changes", "--project", "no/such/dir"]);
    check("project_dir_missing_changes", dir.path(), &out, None);
}

#[test]
fn not_a_git_repository() {
    let dir = tempfile::TempDir::new().unwrap();
    std::fs::write(dir.path().join("a.sql"), OK).unwrap();
    let out = greenlight_in(dir.path(), &["changes"]);
    check("not_a_git_repository", dir.path(), &out, None);
}

#[test]
fn no_tag() {
    let repo = TempRepo::new(&[("sql/src_a.sql", SRC_A)]);
    check("no_tag", repo.path(), &repo.run(&["changes"]), None);
}

#[test]
fn unknown_ref() {
    let repo = tagged();
    check(
        "unknown_ref",
        repo.path(),
        &repo.run(&["changes", "--since", "v9.9.9"]),
        None,
    );
}

#[test]
fn shallow_clone_without_tags() {
    let repo = tagged();
    repo.edit("sql/int_b.sql", |s| s.replace("v * 2", "v * 3"));
    repo.commit("edit");
    let clone = tempfile::TempDir::new().unwrap();
    let url = format!("file://{}", repo.path().display());
    let out = std::process::Command::new("git")
        .args(["clone", "-q", "--depth", "1", "--no-tags", &url, "."])
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .current_dir(clone.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let out = greenlight_in(clone.path(), &["changes"]);
    check("shallow_clone_without_tags", clone.path(), &out, None);
    let out = greenlight_in(clone.path(), &["changes", "--since", "v1.0.0"]);
    check("shallow_clone_unknown_tag", clone.path(), &out, None);
}

#[test]
fn dirty_working_tree_for_rewrite() {
    let repo = tagged();
    repo.edit("sql/int_b.sql", |s| s.replace("v * 2", "v * 3"));
    repo.write("sql/new.sql", "CREATE TABLE n (id INT);\n");
    check(
        "dirty_tree_rewrite",
        repo.path(),
        &repo.run(&["rewrite"]),
        None,
    );
}

#[test]
fn changed_file_does_not_parse() {
    let repo = tagged();
    repo.edit("sql/int_b.sql", |s| {
        s.replace("FROM src_a", "FROM src_a WHERE (v > 1")
    });
    repo.commit("broken");
    check(
        "changed_file_does_not_parse",
        repo.path(),
        &repo.run(&["changes"]),
        Some("sql/int_b.sql:2:58"),
    );
}

#[test]
fn deleted_table_still_read() {
    let repo = tagged();
    repo.remove("sql/int_b.sql");
    repo.commit("drop int_b");
    check(
        "deleted_table_still_read",
        repo.path(),
        &repo.run(&["changes"]),
        Some("sql/fct_c.sql:4:6"),
    );
}

#[test]
fn green_name_collision() {
    let repo = tagged();
    repo.write(
        "sql/int_b_v2.sql",
        "CREATE TABLE int_b_v2 (id INT);\nINSERT INTO int_b_v2 SELECT id FROM raw_x;\n",
    );
    repo.commit("a table already named int_b_v2");
    repo.tag("v2");
    repo.edit("sql/int_b.sql", |s| s.replace("v * 2", "v * 5"));
    repo.commit("edit");
    check(
        "green_name_collision",
        repo.path(),
        &repo.run(&["changes"]),
        Some("sql/int_b_v2.sql:1:1"),
    );
}

#[test]
fn green_name_collides_with_an_external_table() {
    // int_b's green name is read as an external table by another statement:
    // after the rewrite that reader would read the new table.
    let repo = tagged();
    repo.write(
        "sql/fct_d.sql",
        "CREATE TABLE fct_d (id INT);\nINSERT INTO fct_d SELECT id FROM int_b_v2;\n",
    );
    repo.commit("a reader of an external int_b_v2");
    repo.tag("v2");
    repo.edit("sql/int_b.sql", |s| s.replace("v * 2", "v * 5"));
    repo.commit("edit");
    check(
        "green_name_external_collision",
        repo.path(),
        &repo.run(&["changes"]),
        Some("sql/fct_d.sql:2:34"),
    );
}

#[test]
fn unknown_also_table() {
    let repo = tagged();
    check(
        "unknown_also_table",
        repo.path(),
        &repo.run(&["changes", "--also", "int_nope"]),
        None,
    );
}

#[test]
fn misspelt_from_is_an_error_not_a_smaller_graph() {
    graph_of(
        "misspelt_from",
        &[
            ("a.sql", OK),
            (
                "b.sql",
                b"CREATE TABLE fct_b (id INT);\nINSERT INTO fct_b\nSELECT id\nFORM src_a;\n",
            ),
        ],
        Some("b.sql:4:6"),
    );
}

#[test]
fn misspelt_join_is_an_error_not_a_smaller_graph() {
    graph_of(
        "misspelt_join",
        &[(
            "a.sql",
            b"INSERT INTO fct_b\nSELECT a.id FROM src_a AS a\nLEFT JION src_c AS c ON c.id = a.id;\n",
        )],
        Some("a.sql:3:6"),
    );
}

#[test]
fn annotation_not_understood() {
    graph_of(
        "bad_annotation",
        &[(
            "a.sql",
            b"-- greenlight: writes fct_b from src_a\nINSERT INTO fct_b SELECT * FROM VENDOR(src_a);\n",
        )],
        Some("a.sql:1:4"),
    );
}

#[test]
fn a_name_that_may_be_two_tables() {
    graph_of(
        "name_may_be_two_tables",
        &[
            ("a.sql", b"CREATE TABLE orders (id INT);\n"),
            (
                "b.sql",
                b"INSERT INTO lake.db.orders_copy SELECT * FROM lake.db.orders;\n",
            ),
        ],
        Some("b.sql:1:47"),
    );
}

#[test]
fn sql_file_over_the_size_limit() {
    graph_of(
        "sql_file_too_large",
        &[
            ("greenlight.yaml", b"max_sql_file_bytes: 80\n"),
            ("a.sql", OK),
            (
                "big.sql",
                b"-- a file over the limit\nINSERT INTO t SELECT a, b, c, d, e, f FROM a_source_table;\n",
            ),
        ],
        Some("big.sql:1:1"),
    );
}

/// The default limit (4 MiB) refuses a larger file before analysing it.
#[test]
fn sql_file_over_the_default_size_limit() {
    let stmt = "INSERT INTO t SELECT a, b, c FROM s;\n";
    let big = stmt.repeat((4 << 20) / stmt.len() + 1);
    let dir = tempfile::TempDir::new().unwrap();
    std::fs::write(dir.path().join("big.sql"), &big).unwrap();
    let out = greenlight_in(dir.path(), &["graph"]);
    let text = report(dir.path(), &out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let expected = format!(
        "big.sql:1:1: the file is {} bytes, over the limit of 4194304 bytes",
        big.len()
    );
    assert!(text.contains(&expected), "{text}");
    assert!(text.contains("max_sql_file_bytes"), "{text}");
}

/// 10,000 nested parentheses: an error with its position, not a stack
/// overflow (which would abort the process).
#[test]
fn deeply_nested_parentheses() {
    let sql = format!(
        "INSERT INTO t\nSELECT * FROM {}s{};\n",
        "(SELECT * FROM ".repeat(10_000),
        ")".repeat(10_000)
    );
    graph_of(
        "deep_nesting",
        &[("a.sql", sql.as_bytes())],
        Some("a.sql:2:1515"),
    );
}

#[test]
fn every_sql_file_under_an_excluded_folder() {
    // shift_left's own repository: its pipelines are test data, under
    // `tests/`. A graph of 0 tables would look like success.
    graph_of(
        "every_sql_file_under_an_excluded_folder",
        &[
            ("src/tool/tests/data/proj/pipelines/a/ddl.a.sql", OK),
            (".github/x.sql", b"SELECT 1;\n"),
        ],
        Some("`src/tool/tests`"),
    );
    // Pointed below that folder, the same files are a project.
    let dir = tempfile::TempDir::new().unwrap();
    let sql = dir.path().join("tests/data/a.sql");
    std::fs::create_dir_all(sql.parent().unwrap()).unwrap();
    std::fs::write(&sql, OK).unwrap();
    let out = greenlight_in(&dir.path().join("tests"), &["graph"]);
    assert!(out.status.success(), "{}", report(dir.path(), &out));
    // A folder without any SQL is still an empty project.
    let empty = tempfile::TempDir::new().unwrap();
    assert!(greenlight_in(empty.path(), &["graph"]).status.success());
}
