//! The action's deploy commands (`command: deploy|validate|promote|...`),
//! run as the runner runs the docker action on a push to a release branch,
//! against the Confluent stand-in; each step leaves its status line in the
//! merged pull request's sticky comment.
use crate::action::{TOKEN, git, text};
use crate::deploy_confluent::{catalog_server, config, seed_blue};
use crate::fixture::TempRepo;
use crate::github_server::FakeGitHub;
use crate::runner::Runner;

const DML: &str =
    "pipelines/intermediates/sales/int_orders_enriched/sql-scripts/dml.int_orders_enriched.sql";
const FLINK_SECRET: &str = "s3cr3t-Flink-Value-do-not-print";

/// The example released as v1.0.0 with `greenlight.yaml`, and pull request
/// #7 (a change, rewritten) merged into `release/1.1` with GitHub's merge
/// commit message.
fn merged_release(yaml: &str) -> (TempRepo, String) {
    let repo = TempRepo::from_dir(&crate::common::root().join("testdata/example"));
    repo.write("greenlight.yaml", yaml);
    repo.commit("config");
    repo.tag("v1.0.0");
    repo.git(&["checkout", "-q", "-b", "release/1.1"]);
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.edit(DML, |s| {
        s.replace("<> 'DRAFT'", "NOT IN ('DRAFT', 'CANCELLED')")
    });
    repo.commit("exclude cancelled orders");
    repo.ok(&["rewrite"], 0);
    repo.commit("greenlight: re-version");
    repo.git(&["checkout", "-q", "release/1.1"]);
    repo.git(&[
        "merge",
        "-q",
        "--no-ff",
        "feature",
        "-m",
        "Merge pull request #7 from someone/feature\n\nExclude cancelled orders",
    ]);
    let sha = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    (repo, sha)
}

fn runner(repo: &TempRepo, gh: &FakeGitHub, command: &str) -> Runner {
    let mut r = Runner::new(repo.path(), TOKEN, &gh.url, "Codertocat/Hello-World");
    let payload = serde_json::from_str(
        &std::fs::read_to_string(
            crate::common::root().join("tests/fixtures/github/push.payload.json"),
        )
        .unwrap(),
    )
    .unwrap();
    r.event("push", &payload);
    r.with.insert("command".into(), command.into());
    r.with.insert("environment".into(), "stage".into());
    for (k, v) in [
        ("FLINK_API_KEY", "FLINKKEY0001"),
        ("FLINK_API_SECRET", FLINK_SECRET),
        ("CONFLUENT_CLOUD_API_KEY", "CLOUDKEY"),
        ("CONFLUENT_CLOUD_API_SECRET", FLINK_SECRET),
    ] {
        r.env.insert(k.into(), v.into());
    }
    r
}

#[test]
fn deploy_validate_promote_leave_their_status_in_the_merged_pull_requests_comment() {
    let server = catalog_server();
    seed_blue(&server);
    // Green has caught up: no duplicates, equal counts, fresh events.
    server.with(|st| {
        st.answers = vec![
            ("COUNT(*) AS n FROM (".into(), vec![vec!["0".into()]]),
            ("COUNT(*)".into(), vec![vec!["100".into()]]),
            ("MAX(".into(), vec![vec!["2026-01-01 00:00:00.000".into()]]),
        ];
    });
    let (repo, sha) = merged_release(&config(&server, ""));
    let gh = FakeGitHub::start(TOKEN);
    let sticky = gh.add_comment(
        "github-actions[bot]",
        "Bot",
        "<!-- greenlight:plan -->\n## plan\n",
    );
    gh.state.lock().unwrap().merged_as = Some(sha.clone());
    let mut said = Vec::new();
    for (command, status) in [
        ("deploy", "deployed"),
        ("validate", "validated"),
        ("promote", "promoted"),
    ] {
        let r = runner(&repo, &gh, command);
        let out = r.run();
        let all = text(&out);
        assert!(out.status.success(), "{command}: {all}");
        assert!(
            !all.contains(FLINK_SECRET),
            "{command}: a secret in the log"
        );
        let body = gh.comments()[&sticky].clone();
        let line = body
            .lines()
            .find(|l| l.starts_with("- **stage**:"))
            .unwrap_or_else(|| panic!("{command}: {body}"))
            .to_string();
        assert!(
            line.starts_with(&format!("- **stage**: {status} · ")),
            "{line}"
        );
        assert!(
            line.ends_with(
                "· [run](https://github.example.com/Codertocat/Hello-World/actions/runs/4242)"
            ),
            "{line}"
        );
        assert_eq!(body.matches("- **stage**:").count(), 1, "{body}");
        assert_eq!(r.outputs()["plan-json"], ".greenlight/plan.json");
        said.push(line);
        if command == "validate" {
            assert!(r.summary().contains("| count |"), "{}", r.summary());
        }
    }
    assert_eq!(gh.violations(), Vec::<String>::new());
    // A pull request's code never deploys.
    let mut r = runner(&repo, &gh, "deploy");
    let payload: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            crate::common::root().join("tests/fixtures/github/pull_request.opened.payload.json"),
        )
        .unwrap(),
    )
    .unwrap();
    r.event("pull_request", &payload);
    let out = r.run();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("never on a pull request's code"),
        "{}",
        text(&out)
    );
    let _ = git;
}

#[test]
fn a_failed_step_says_so_and_a_commit_that_merged_no_pull_request_is_left_alone() {
    let server = catalog_server();
    let (repo, sha) = merged_release(&config(&server, ""));
    let gh = FakeGitHub::start(TOKEN);
    let sticky = gh.add_comment(
        "github-actions[bot]",
        "Bot",
        "<!-- greenlight:plan -->\n## plan\n",
    );
    gh.state.lock().unwrap().merged_as = Some(sha);
    // Promote before any validation: refused by the gate.
    let out = runner(&repo, &gh, "promote").run();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(gh.comments()[&sticky].contains("- **stage**: promote failed · "));
    // A commit on top of the merge: no pull request is named.
    repo.git(&["commit", "-q", "--allow-empty", "-m", "bump"]);
    let out = runner(&repo, &gh, "deploy").run();
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("no pull request's merge"),
        "{}",
        text(&out)
    );
    assert!(!gh.comments()[&sticky].contains("deployed"));
}

/// The documented deploy workflow: every deploy step is the action (never
/// `cargo install`), and a manual run on prod does not depend on stage,
/// which that run skips (a job whose `needs` was skipped is skipped unless
/// its condition says `always()`).
#[test]
fn the_deploy_workflow_uses_the_action_and_runs_prod_by_hand() {
    let text =
        std::fs::read_to_string(crate::common::root().join("docs/workflows/deploy.yml")).unwrap();
    assert!(!text.contains("cargo install"));
    let doc: serde_norway::Value = serde_norway::from_str(&text).unwrap();
    let jobs = &doc["jobs"];
    for job in ["stage", "prod"] {
        let steps = jobs[job]["steps"].as_sequence().unwrap();
        let commands: Vec<&str> = steps
            .iter()
            .filter_map(|s| s["with"]["command"].as_str())
            .collect();
        assert_eq!(
            commands,
            [
                "deploy", "await", "validate", "promote", "rollback", "cleanup"
            ],
            "{job}"
        );
        for s in steps.iter().filter(|s| s["with"]["command"].is_string()) {
            assert!(
                s["uses"].as_str().unwrap().contains("/greenlight@"),
                "{s:?}"
            );
            assert_eq!(s["with"]["environment"].as_str(), Some(job));
        }
    }
    let prod_if = jobs["prod"]["if"].as_str().unwrap();
    assert_eq!(jobs["prod"]["needs"].as_str(), Some("stage"));
    assert!(prod_if.contains("always()"), "{prod_if}");
    assert!(
        prod_if.contains("needs.stage.result == 'success'"),
        "{prod_if}"
    );
    assert!(
        prod_if.contains("inputs.environment == 'prod'"),
        "{prod_if}"
    );
}
