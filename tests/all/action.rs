//! `greenlight action` end to end, as the runner would run it: its
//! environment variables, a recorded webhook payload, a local bare
//! repository as origin, a shallow tagless checkout, and every GitHub API
//! request checked against the published spec by a fake GitHub.
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use tempfile::TempDir;

use crate::common::root;
use crate::fixture::TempRepo;
use crate::git_http::GitHttp;
use crate::github_server::{FakeGitHub, Fault};

const TOKEN: &str = "ghs_SECRETtokenVALUE0123456789";
const DML: &str =
    "pipelines/intermediates/sales/int_orders_enriched/sql-scripts/dml.int_orders_enriched.sql";
const BRANCH: &str = "feature/exclude-cancelled";

struct World {
    dev: TempRepo,
    /// Holds `origin.git`, served over smart HTTP (kept alive).
    _repos: TempDir,
    origin: PathBuf,
    http: GitHttp,
    workspace: TempDir,
    runner: TempDir,
    gh: FakeGitHub,
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Ada")
        .env("GIT_AUTHOR_EMAIL", "ada@example.com")
        .env("GIT_COMMITTER_NAME", "Ada")
        .env("GIT_COMMITTER_EMAIL", "ada@example.com")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The example released as v1.0.0 on `release/1.1`, and a pull request
/// branch changing one intermediate; the workspace is a shallow clone of
/// the branch without tags.
fn world() -> World {
    let dev = TempRepo::from_dir(&root().join("testdata/example"));
    dev.tag("v1.0.0");
    dev.git(&["branch", "release/1.1"]);
    dev.git(&["checkout", "-q", "-b", BRANCH]);
    dev.edit(DML, |s| {
        s.replace(
            "WHERE o.order_status <> 'DRAFT'",
            "WHERE o.order_status NOT IN ('DRAFT', 'CANCELLED')",
        )
    });
    dev.commit("exclude cancelled orders");
    let repos = TempDir::new().unwrap();
    let origin = repos.path().join("origin.git");
    std::fs::create_dir(&origin).unwrap();
    git(&origin, &["init", "-q", "--bare"]);
    git(&origin, &["config", "http.receivepack", "true"]);
    dev.git(&["remote", "add", "origin", origin.to_str().unwrap()]);
    dev.git(&[
        "push",
        "-q",
        "origin",
        "main",
        "release/1.1",
        BRANCH,
        "--tags",
    ]);
    let http = GitHttp::start(repos.path(), TOKEN);
    // As actions/checkout does: shallow, no tags, the token in a header only.
    let workspace = TempDir::new().unwrap();
    let auth = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("x-access-token:{TOKEN}"),
    );
    let url = format!("{}origin.git", http.url);
    git(
        workspace.path(),
        &[
            "-c",
            &format!("http.extraHeader=Authorization: Basic {auth}"),
            "clone",
            "-q",
            "--depth",
            "1",
            "--no-tags",
            "-b",
            BRANCH,
            &url,
            ".",
        ],
    );
    World {
        dev,
        _repos: repos,
        origin,
        http,
        workspace,
        runner: TempDir::new().unwrap(),
        gh: FakeGitHub::start(TOKEN),
    }
}

impl World {
    fn origin_sha(&self, branch: &str) -> String {
        git(
            &self.origin,
            &["rev-parse", &format!("refs/heads/{branch}")],
        )
    }

    /// A recorded payload patched to this pull request.
    fn event(&self, file: &str, base: &str, fork: bool) -> PathBuf {
        let text =
            std::fs::read_to_string(root().join("tests/fixtures/github").join(file)).unwrap();
        let mut e: Value = serde_json::from_str(&text).unwrap();
        let repo = e["repository"]["full_name"].as_str().unwrap().to_string();
        e["number"] = 7.into();
        let pr = &mut e["pull_request"];
        pr["number"] = 7.into();
        pr["head"]["ref"] = BRANCH.into();
        pr["head"]["sha"] = self.origin_sha(BRANCH).into();
        pr["base"]["ref"] = base.into();
        pr["base"]["repo"]["full_name"] = repo.clone().into();
        pr["head"]["repo"]["full_name"] = if fork {
            "someone/fork".into()
        } else {
            repo.into()
        };
        let path = self.runner.path().join("event.json");
        std::fs::write(&path, serde_json::to_string(&e).unwrap()).unwrap();
        path
    }

    fn run(&self, event: &Path, extra: &[(&str, &str)]) -> Output {
        let text = std::fs::read_to_string(event).unwrap();
        let e: Value = serde_json::from_str(&text).unwrap();
        // With GREENLIGHT_RUN_IN_IMAGE (scripts/run-in-image.sh), the same
        // flow runs in the action's container image.
        let mut cmd = match std::env::var("GREENLIGHT_RUN_IN_IMAGE") {
            Ok(wrapper) => {
                let mut c = Command::new(root().join(wrapper));
                c.env_clear();
                for k in ["HOME", "GREENLIGHT_IMAGE", "BUILDAH_ROOT"] {
                    if let Ok(v) = std::env::var(k) {
                        c.env(k, v);
                    }
                }
                c
            }
            Err(_) => {
                let mut c = Command::new(env!("CARGO_BIN_EXE_greenlight"));
                c.env_clear();
                c
            }
        };
        cmd.arg("action")
            .current_dir(self.workspace.path())
            .env("PATH", std::env::var("PATH").unwrap())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GITHUB_EVENT_NAME", "pull_request")
            .env("GITHUB_EVENT_PATH", event)
            .env("GITHUB_API_URL", &self.gh.url)
            .env("GITHUB_SERVER_URL", "https://github.example.com")
            .env(
                "GITHUB_REPOSITORY",
                e["repository"]["full_name"].as_str().unwrap(),
            )
            .env("GITHUB_WORKSPACE", self.workspace.path())
            .env("GITHUB_OUTPUT", self.runner.path().join("output"))
            .env("GITHUB_STEP_SUMMARY", self.runner.path().join("summary.md"))
            .env("RUNNER_TEMP", self.runner.path())
            .env("INPUT_GITHUB-TOKEN", TOKEN)
            .env("INPUT_PROJECT-DIR", ".")
            .env("INPUT_MODE", "rewrite");
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !all.contains(TOKEN),
            "the token leaked into the output:\n{all}"
        );
        for body in self.gh.comments().values() {
            assert!(!body.contains(TOKEN), "the token leaked into a comment");
        }
        out
    }

    fn outputs(&self) -> String {
        std::fs::read_to_string(self.runner.path().join("output")).unwrap_or_default()
    }
}

fn text(out: &Output) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn first_run_commits_and_comments_then_rerun_commits_nothing_and_edits_the_same_comment() {
    let w = world();
    let before = w.origin_sha(BRANCH);
    // What earlier steps of the job leave in the workspace stays out of the
    // bot's commit.
    std::fs::write(w.workspace.path().join("build.log"), "not for the commit\n").unwrap();
    let out = w.run(
        &w.event("pull_request.opened.payload.json", "release/1.1", false),
        &[],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(w.gh.violations(), Vec::<String>::new());
    // One bot commit on the branch, on top of the author's.
    let after = w.origin_sha(BRANCH);
    assert_ne!(before, after);
    assert_eq!(git(&w.origin, &["rev-parse", &format!("{after}^")]), before);
    let log = git(&w.origin, &["log", "-1", "--format=%an <%ae>%n%B", &after]);
    assert!(
        log.starts_with("greenlight[bot] <greenlight[bot]@users.noreply.github.com>"),
        "{log}"
    );
    assert!(
        log.contains("- int_orders_enriched -> int_orders_enriched_v2")
            && log.contains("Greenlight-Rewrite: v1.0.0"),
        "{log}"
    );
    let files = git(&w.origin, &["diff", "--name-only", &before, &after]);
    assert_eq!(files.lines().count(), 13, "{files}");
    assert!(!files.contains("build.log"), "{files}");
    // One sticky comment with the plan and the commit.
    let comments = w.gh.comments();
    assert_eq!(comments.len(), 1);
    let (id, body) = comments.iter().next().unwrap();
    assert!(body.starts_with("<!-- greenlight:plan -->"));
    assert!(
        body.contains("| `int_orders_enriched` → `int_orders_enriched_v2` | 1 |"),
        "{body}"
    );
    assert!(
        body.contains(&format!("Rewrite commit {}", &after[..12])),
        "{body}"
    );
    let outputs = w.outputs();
    assert!(
        outputs.contains(&format!("rewrite-commit={after}\n")),
        "{outputs}"
    );
    assert!(
        outputs.contains("impacted-tables=[\"int_orders_enriched_v2\","),
        "{outputs}"
    );
    let plan_path = outputs
        .lines()
        .find_map(|l| l.strip_prefix("plan-json="))
        .unwrap();
    let plan: Value = serde_json::from_str(&std::fs::read_to_string(plan_path).unwrap()).unwrap();
    assert_eq!(plan["base"], "v1.0.0");
    // The git server asked for credentials; greenlight answered with the token.
    assert!(
        w.http
            .unauthorized
            .load(std::sync::atomic::Ordering::SeqCst)
            > 0
    );
    assert!(w.gh.requests().iter().all(|r| !r.body.contains(TOKEN)));
    let summary = std::fs::read_to_string(w.runner.path().join("summary.md")).unwrap();
    assert!(
        summary.contains("| `int_orders_enriched` → `int_orders_enriched_v2` | 1 |"),
        "{summary}"
    );

    // The bot's commit triggers a synchronize: nothing to commit, same comment.
    let out = w.run(
        &w.event(
            "pull_request.synchronize.payload.json",
            "release/1.1",
            false,
        ),
        &[],
    );
    assert!(
        out.status.success(),
        "{}\n{:?}\n{:?}",
        text(&out),
        w.gh.requests(),
        w.gh.violations()
    );
    assert_eq!(w.origin_sha(BRANCH), after);
    let again = w.gh.comments();
    assert_eq!(again.keys().collect::<Vec<_>>(), vec![id]);
    assert!(
        w.gh.requests()
            .iter()
            .any(|r| r.method == "PATCH" && r.path.ends_with(&format!("/issues/comments/{id}")))
    );
    assert!(again[id].contains("| `int_orders_enriched` → `int_orders_enriched_v2` | 1 |"));
    assert_eq!(w.gh.violations(), Vec::<String>::new());
}

#[test]
fn a_push_race_is_retried_on_the_new_tip() {
    let w = world();
    // While greenlight works, someone pushes to the branch.
    let other = TempDir::new().unwrap();
    git(
        other.path(),
        &["clone", "-q", "-b", BRANCH, w.origin.to_str().unwrap(), "."],
    );
    let dir = other.path().to_path_buf();
    w.gh.state.lock().unwrap().on_first_list = Some(Box::new(move || {
        std::fs::write(dir.join("NOTES.md"), "racing commit\n").unwrap();
        git(&dir, &["add", "-A"]);
        git(&dir, &["commit", "-q", "-m", "racing commit"]);
        git(&dir, &["push", "-q", "origin", BRANCH]);
    }));
    let out = w.run(
        &w.event("pull_request.opened.payload.json", "release/1.1", false),
        &[],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("moved while rewriting"),
        "{}",
        text(&out)
    );
    let tip = w.origin_sha(BRANCH);
    assert_eq!(
        git(&w.origin, &["log", "-1", "--format=%s", &format!("{tip}^")]),
        "racing commit"
    );
    assert!(
        git(&w.origin, &["log", "-1", "--format=%s", &tip])
            .starts_with("greenlight: re-version 7 table(s)")
    );
}

#[test]
fn a_fork_gets_a_comment_with_the_diff_and_no_push() {
    let w = world();
    // A fork's head is only reachable as refs/pull/N/head on the base repo.
    git(
        &w.origin,
        &["update-ref", "refs/pull/7/head", &w.origin_sha(BRANCH)],
    );
    let before = w.origin_sha(BRANCH);
    let out = w.run(
        &w.event("pull_request.opened.payload.json", "release/1.1", true),
        &[],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(w.origin_sha(BRANCH), before);
    let body = w.gh.comments().into_values().next().unwrap();
    assert!(body.contains("Renames to apply (13 file(s))"), "{body}");
    assert!(body.contains("```diff\n--- a/pipelines/"), "{body}");
    assert!(
        body.contains("+INSERT INTO int_orders_enriched_v2"),
        "{body}"
    );
    assert!(body.contains("comes from a fork"), "{body}");
    assert!(body.len() < 65_536);
    assert!(w.outputs().contains("rewrite-commit=\n"));
}

#[test]
fn api_errors_fail_clearly_with_nothing_half_done() {
    for (status, times) in [(403, 1), (500, 1)] {
        let w = world();
        let before = w.origin_sha(BRANCH);
        w.gh.fault(Fault {
            method: "GET",
            operation: "issues/list-comments",
            status,
            times,
        });
        let out = w.run(
            &w.event("pull_request.opened.payload.json", "release/1.1", false),
            &[],
        );
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!(
                "GitHub API: cannot list the comments of pull request #7: {status}"
            )),
            "{err}"
        );
        assert!(err.contains("hint:"), "{err}");
        assert_eq!(w.origin_sha(BRANCH), before, "nothing pushed");
        assert!(w.gh.comments().is_empty(), "no comment");
    }
    // A refused comment (422) fails the job with the reason.
    let w = world();
    w.gh.fault(Fault {
        method: "POST",
        operation: "issues/create-comment",
        status: 422,
        times: 1,
    });
    let out = w.run(
        &w.event("pull_request.opened.payload.json", "release/1.1", false),
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("422 Validation Failed"),
        "{}",
        text(&out)
    );
    assert!(w.gh.comments().is_empty());
}

#[test]
fn other_base_branches_and_events_are_skipped_in_one_line() {
    let w = world();
    let out = w.run(
        &w.event("pull_request.opened.payload.json", "main", false),
        &[],
    );
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "greenlight: base branch `main` is not a release branch (release/*): skipped\n"
    );
    let out = w.run(
        &w.event("pull_request.opened.payload.json", "main", false),
        &[("GITHUB_EVENT_NAME", "push")],
    );
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .starts_with("greenlight: nothing to do for a `push` event")
    );
    assert!(w.gh.requests().is_empty());
}

#[test]
fn sql_errors_become_annotations_and_the_comment_says_why() {
    let w = world();
    w.dev.edit(DML, |s| {
        s.replace("FROM src_orders AS o", "FROM src_orders AS o WHERE 'oops")
    });
    w.dev.commit("broken");
    w.dev.git(&["push", "-q", "origin", BRANCH]);
    let out = w.run(
        &w.event(
            "pull_request.synchronize.payload.json",
            "release/1.1",
            false,
        ),
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("::error file=./{DML},line=35,col=49,")),
        "{stdout}"
    );
    let body = w.gh.comments().into_values().next().unwrap();
    assert!(
        body.contains("could not analyse this pull request")
            && body.contains("unterminated string literal"),
        "{body}"
    );
}
