//! `greenlight demo` tells the pull request's flow for a terminal.
use std::process::Command;

/// What `greenlight demo ARGS` prints; it must succeed.
fn demo(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_greenlight"))
        .arg("demo")
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_demo_shows_the_change_the_rewrite_and_the_plan() {
    let text = demo(&[]);
    // The SQL change, as a diff.
    assert!(
        text.contains("+WHERE o.order_status <> 'CANCELLED' AND"),
        "{text}"
    );
    // The rewritten files, as a diff.
    assert!(text.contains("it rewrote 13 files"), "{text}");
    assert!(
        text.contains("+CREATE TABLE IF NOT EXISTS dim_customers_v2 ("),
        "{text}"
    );
    // The impact and the waves, as text (no markdown, no HTML, no mermaid).
    assert!(
        text.contains("int_orders_enriched -> int_orders_enriched_v2"),
        "{text}"
    );
    assert!(text.contains("1. int_orders_enriched_v2"), "{text}");
    for raw in ["<details>", "```mermaid", "| --- |"] {
        assert!(!text.contains(raw), "{raw} in the terminal story");
    }
    // No path of a temporary directory that is gone when the demo ends.
    assert!(!text.contains("/tmp/"), "{text}");
}

/// The second scenario: a release mixing both upgrade strategies.
#[test]
fn the_clickstream_demo_mixes_in_place_and_blue_green() {
    let text = demo(&["--scenario", "clickstream"]);
    assert!(
        text.contains("+WHERE id IS NOT NULL AND agent IS NOT NULL;"),
        "{text}"
    );
    // Only the windowed fact is renamed: its DDL and DML.
    assert!(text.contains("it rewrote 2 files"), "{text}");
    assert!(
        text.contains("src_clicks changed (dml) -> upgraded in place"),
        "{text}"
    );
    assert!(
        text.contains("fct_slow_pages_daily -> fct_slow_pages_daily_v2"),
        "{text}"
    );
    assert!(text.contains("blue/green: aggregation at "), "{text}");
    assert!(
        text.contains("records written before the switch came from the old logic"),
        "{text}"
    );
    let md = demo(&["--scenario", "clickstream", "--format", "markdown"]);
    assert!(md.contains("| Upgrade |"), "{md}");
    assert!(md.contains("**in place**"), "{md}");
}
