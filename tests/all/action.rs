//! `greenlight action` end to end, as the runner runs it (tests/all/runner.rs:
//! every input of action.yml, the docker action's mounts and paths), on a
//! recorded webhook payload, a local bare repository served over smart HTTP
//! as origin, the shallow tagless merge-commit checkout actions/checkout
//! makes, and every GitHub API request checked against the published spec
//! by a fake GitHub.
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::Value;
use tempfile::TempDir;

use crate::common::root;
use crate::fixture::TempRepo;
use crate::git_http::GitHttp;
use crate::github_server::{FakeGitHub, Fault, TokenKind};
use crate::runner::{RUNTIME_TOKEN, Runner};

pub(crate) const TOKEN: &str = "ghs_SECRETtokenVALUE0123456789";
pub(crate) const DML: &str =
    "pipelines/intermediates/sales/int_orders_enriched/sql-scripts/dml.int_orders_enriched.sql";
pub(crate) const BRANCH: &str = "feature/exclude-cancelled";

pub(crate) struct World {
    pub dev: TempRepo,
    /// Holds `origin.git`, served over smart HTTP (kept alive).
    _repos: TempDir,
    pub origin: PathBuf,
    pub http: GitHttp,
    pub gh: FakeGitHub,
    /// Whether the pull request's head lives in a fork (GitHub then moves
    /// `refs/pull/7/head` only when the fork pushes).
    fork: Arc<AtomicBool>,
}

/// One job of a workflow run: a fresh machine with a checkout and a runner.
pub(crate) struct Job {
    _workspace: TempDir,
    pub runner: Runner,
}

pub(crate) fn git(dir: &Path, args: &[&str]) -> String {
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
/// branch changing one intermediate, pushed to an origin served over HTTP.
pub(crate) fn world() -> World {
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
    let gh = FakeGitHub::start(TOKEN);
    let fork = Arc::new(AtomicBool::new(false));
    // The pull request's head as GitHub reports it: the branch's tip, or
    // refs/pull/7/head for a fork.
    let (o, f) = (origin.clone(), fork.clone());
    gh.state.lock().unwrap().pull_head = Some(Box::new(move || {
        let r = if f.load(Ordering::SeqCst) {
            "refs/pull/7/head".to_string()
        } else {
            format!("refs/heads/{BRANCH}")
        };
        git(&o, &["rev-parse", &r])
    }));
    World {
        dev,
        _repos: repos,
        origin,
        http,
        gh,
        fork,
    }
}

impl World {
    pub(crate) fn origin_sha(&self, branch: &str) -> String {
        git(
            &self.origin,
            &["rev-parse", &format!("refs/heads/{branch}")],
        )
    }

    /// What GitHub keeps for pull request 7: `refs/pull/7/head` at `head`
    /// and `refs/pull/7/merge`, the test merge into `base`. Returns the
    /// merge commit.
    fn pull_refs(&self, head: &str, base: &str) -> String {
        let o = &self.origin;
        git(o, &["update-ref", "refs/pull/7/head", head]);
        let base_sha = git(o, &["rev-parse", &format!("refs/heads/{base}")]);
        let tree = git(o, &["merge-tree", "--write-tree", &base_sha, head]);
        let merge = git(
            o,
            &[
                "commit-tree",
                tree.lines().next().unwrap(),
                "-p",
                &base_sha,
                "-p",
                head,
                "-m",
                "Merge into the base",
            ],
        );
        git(o, &["update-ref", "refs/pull/7/merge", &merge]);
        merge
    }

    /// A new job: actions/checkout of the pull request's merge commit
    /// (shallow, detached, no tags, the token persisted as an extra header
    /// in .git/config), and a runner for the step.
    pub(crate) fn job(&self, event_file: &str, base: &str, fork: bool) -> Job {
        self.fork.store(fork, Ordering::SeqCst);
        let head = if fork {
            git(&self.origin, &["rev-parse", "refs/pull/7/head"])
        } else {
            self.origin_sha(BRANCH)
        };
        let merge = self.pull_refs(&head, base);
        let ws = TempDir::new().unwrap();
        let workspace = ws.path().join("example");
        std::fs::create_dir(&workspace).unwrap();
        let url = format!("{}origin.git", self.http.url);
        let auth = base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            format!("x-access-token:{TOKEN}"),
        );
        git(&workspace, &["init", "-q"]);
        git(&workspace, &["remote", "add", "origin", &url]);
        git(
            &workspace,
            &[
                "config",
                "--local",
                &format!("http.{url}.extraheader"),
                &format!("AUTHORIZATION: basic {auth}"),
            ],
        );
        git(
            &workspace,
            &[
                "-c",
                "protocol.version=2",
                "fetch",
                "-q",
                "--no-tags",
                "--depth=1",
                "origin",
                "+refs/pull/7/merge:refs/remotes/pull/7/merge",
            ],
        );
        git(
            &workspace,
            &["checkout", "-q", "--force", "refs/remotes/pull/7/merge"],
        );
        let repository = "Codertocat/Hello-World";
        let mut runner = Runner::new(&workspace, TOKEN, &self.gh.url, repository);
        runner.context.insert("GITHUB_SHA".into(), merge.clone());
        runner.event(
            if event_file.contains("target") {
                "pull_request_target"
            } else {
                "pull_request"
            },
            &self.payload(event_file, base, fork, &head),
        );
        Job {
            _workspace: ws,
            runner,
        }
    }

    /// A recorded payload patched to this pull request.
    fn payload(&self, file: &str, base: &str, fork: bool, head: &str) -> Value {
        let file = file.replace("target.", "");
        let text =
            std::fs::read_to_string(root().join("tests/fixtures/github").join(file)).unwrap();
        let mut e: Value = serde_json::from_str(&text).unwrap();
        let repo = e["repository"]["full_name"].as_str().unwrap().to_string();
        e["number"] = 7.into();
        let pr = &mut e["pull_request"];
        pr["number"] = 7.into();
        pr["head"]["ref"] = BRANCH.into();
        pr["head"]["sha"] = head.into();
        pr["base"]["ref"] = base.into();
        pr["base"]["repo"]["full_name"] = repo.clone().into();
        pr["head"]["repo"]["full_name"] = if fork {
            "someone/fork".into()
        } else {
            repo.into()
        };
        e
    }

    /// Runs the job's step; checks that no secret leaked anywhere.
    pub(crate) fn run(&self, job: &Job) -> Output {
        let out = job.runner.run();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let mut places: Vec<(String, String)> = vec![("the output".into(), all)];
        places.extend(
            self.gh
                .comments()
                .into_values()
                .map(|b| ("a comment".to_string(), b)),
        );
        places.extend(
            self.gh
                .requests()
                .into_iter()
                .map(|r| (format!("{} {}", r.method, r.path), r.body)),
        );
        places.push(("the summary".into(), job.runner.summary()));
        places.extend(
            job.runner
                .outputs()
                .into_iter()
                .map(|(k, v)| (format!("output {k}"), v)),
        );
        assert_no_secret(&places);
        out
    }
}

/// The token, the runner's own token and their base64 forms appear in no
/// place given.
pub(crate) fn assert_no_secret(places: &[(String, String)]) {
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let secrets = [
        TOKEN.to_string(),
        RUNTIME_TOKEN.to_string(),
        b64(&format!("x-access-token:{TOKEN}")),
        b64(TOKEN),
    ];
    for (place, text) in places {
        for s in &secrets {
            assert!(
                !text.contains(s.as_str()),
                "a secret leaked into {place}:\n{text}"
            );
        }
    }
}

pub(crate) fn text(out: &Output) -> String {
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
    let job = w.job("pull_request.opened.payload.json", "release/1.1", false);
    std::fs::write(
        job.runner.workspace.join("build.log"),
        "not for the commit\n",
    )
    .unwrap();
    let out = w.run(&job);
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
    // The green name links to its SQL file at the commit the comment is about.
    assert!(
        body.contains(&format!("| `int_orders_enriched` → [`int_orders_enriched_v2`](https://github.example.com/Codertocat/Hello-World/blob/{after}/{DML}) | 1 |")),
        "{body}"
    );
    assert!(
        body.contains(&format!(
            "greenlight committed the renames of 7 tables to `{BRANCH}` in [`{}`]",
            &after[..12]
        )),
        "{body}"
    );
    let outputs = job.runner.outputs();
    assert_eq!(outputs["rewrite-commit"], after, "{outputs:?}");
    assert!(
        outputs["impacted-tables"].starts_with("[\"int_orders_enriched_v2\","),
        "{outputs:?}"
    );
    // A later step on the host reads the plan where the output says.
    let plan_path = job.runner.host_path(&outputs["plan-json"]);
    let plan: Value = serde_json::from_str(&std::fs::read_to_string(&plan_path).unwrap()).unwrap();
    assert_eq!(plan["base"], "v1.0.0");
    // The git server asked for credentials; greenlight answered with the token.
    assert!(
        w.http
            .unauthorized
            .load(std::sync::atomic::Ordering::SeqCst)
            > 0
    );
    assert!(w.gh.requests().iter().all(|r| !r.body.contains(TOKEN)));
    let summary = job.runner.summary();
    assert!(
        summary.contains("| `int_orders_enriched` → [`int_orders_enriched_v2`]("),
        "{summary}"
    );
    // A `greenlight` check on the bot's commit (the pull request's new
    // head, which no workflow run will check) and on the author's.
    let verdicts = w.gh.verdicts();
    let on = |sha: &str| verdicts.iter().filter(|v| v.sha == sha).count();
    assert_eq!((on(&after), on(&before)), (1, 1), "{verdicts:?}");
    for v in &verdicts {
        assert_eq!(
            (v.name.as_str(), v.conclusion.as_str()),
            ("greenlight", "success")
        );
        assert!(
            v.details_url.ends_with(&format!("#issuecomment-{id}")),
            "{v:?}"
        );
        assert!(v.summary.contains("int_orders_enriched_v2"), "{v:?}");
    }

    // The bot's commit triggers a synchronize: nothing to commit, same comment.
    let job = w.job(
        "pull_request.synchronize.payload.json",
        "release/1.1",
        false,
    );
    let out = w.run(&job);
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
    assert!(again[id].contains("| `int_orders_enriched` → [`int_orders_enriched_v2`]("));
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
    *w.http.before_first_push.lock().unwrap() = Some(Box::new(move || {
        std::fs::write(dir.join("NOTES.md"), "racing commit\n").unwrap();
        git(&dir, &["add", "-A"]);
        git(&dir, &["commit", "-q", "-m", "racing commit"]);
        git(&dir, &["push", "-q", "origin", BRANCH]);
    }));
    let job = w.job("pull_request.opened.payload.json", "release/1.1", false);
    let out = w.run(&job);
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
            .starts_with("greenlight: re-version 7 tables since v1.0.0")
    );
}

#[test]
fn a_fork_on_pull_request_is_analysed_without_writing_anything() {
    let w = world();
    // A fork's head is only reachable as refs/pull/N/head on the base repo,
    // and its `pull_request` token is read-only.
    git(
        &w.origin,
        &["update-ref", "refs/pull/7/head", &w.origin_sha(BRANCH)],
    );
    w.gh.state.lock().unwrap().token_kind = TokenKind::ReadOnly;
    let before = w.origin_sha(BRANCH);
    let job = w.job("pull_request.opened.payload.json", "release/1.1", true);
    let out = w.run(&job);
    // The job's own status is the verdict: renames are pending.
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("13 file(s) need the renames"),
        "{}",
        text(&out)
    );
    assert_eq!(w.origin_sha(BRANCH), before);
    assert!(w.gh.comments().is_empty());
    assert!(
        w.gh.requests().iter().all(|r| r.method == "GET"),
        "{:?}",
        w.gh.requests()
    );
    assert!(text(&out).contains("comes from a fork"), "{}", text(&out));
    assert!(job.runner.summary().contains("int_orders_enriched_v2"));
    assert_eq!(job.runner.outputs()["rewrite-commit"], "");
}

#[test]
fn api_errors_fail_clearly_with_nothing_half_done() {
    // 403 is final; 500 is retried, then final.
    for (status, times) in [(403, 1), (500, 10)] {
        let w = world();
        let before = w.origin_sha(BRANCH);
        w.gh.fault(Fault {
            method: "GET",
            operation: "issues/list-comments",
            status,
            times,
        });
        let job = w.job("pull_request.opened.payload.json", "release/1.1", false);
        let out = w.run(&job);
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
    let job = w.job("pull_request.opened.payload.json", "release/1.1", false);
    let out = w.run(&job);
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
    let job = w.job("pull_request.opened.payload.json", "main", false);
    let out = w.run(&job);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "greenlight: base branch `main` is not a release branch (release/*): skipped\n"
    );
    let mut job = w.job("pull_request.opened.payload.json", "main", false);
    job.runner
        .context
        .insert("GITHUB_EVENT_NAME".into(), "push".into());
    let out = w.run(&job);
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
    let job = w.job(
        "pull_request.synchronize.payload.json",
        "release/1.1",
        false,
    );
    let out = w.run(&job);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!(
            "::error file={DML},line=35,col=49,title=greenlight::"
        )),
        "{stdout}"
    );
    let body = w.gh.comments().into_values().next().unwrap();
    assert!(
        body.contains("could not analyse this pull request")
            && body.contains("unterminated string literal"),
        "{body}"
    );
    // The runner's paths are not shown.
    assert!(
        !body.contains(&job.runner.workspace.display().to_string()),
        "{body}"
    );
    let head = w.origin_sha(BRANCH);
    let verdicts = w.gh.verdicts();
    assert_eq!(verdicts.len(), 1, "{verdicts:?}");
    assert_eq!(
        (
            verdicts[0].sha.as_str(),
            verdicts[0].conclusion.as_str(),
            verdicts[0].annotations
        ),
        (head.as_str(), "failure", 1)
    );
}

/// What a pull request adds on its branch, pushed.
fn pr_config(w: &World, yaml: &str) {
    w.dev.write("greenlight.yaml", yaml);
    w.dev.commit("config");
    w.dev.git(&["push", "-q", "origin", BRANCH]);
}

#[test]
fn inputs_win_over_the_config_which_wins_over_the_defaults() {
    // Default: release/* (every input empty, no config).
    let w = world();
    let job = w.job("pull_request.opened.payload.json", "release/1.1", false);
    assert!(w.run(&job).status.success());
    assert_eq!(w.gh.comments().len(), 1);
    // The config's release_branches, with the input at its empty default.
    let w = world();
    pr_config(&w, "release_branches: [\"rel-*\"]\n");
    let job = w.job("pull_request.opened.payload.json", "release/1.1", false);
    let out = w.run(&job);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "greenlight: base branch `release/1.1` is not a release branch (rel-*): skipped\n"
    );
    // The input over the config.
    let mut job = w.job("pull_request.opened.payload.json", "release/1.1", false);
    job.runner
        .with
        .insert("release-branches".into(), "rel-*, release/*".into());
    assert!(w.run(&job).status.success());
    assert_eq!(w.gh.comments().len(), 1);
    // tag-pattern: the config's pattern matches no tag; the input's does.
    let w = world();
    pr_config(&w, "tag_pattern: \"prod-*\"\n");
    let job = w.job("pull_request.opened.payload.json", "release/1.1", false);
    let out = w.run(&job);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("no tag matching `prod-*`"),
        "{}",
        text(&out)
    );
    let mut job = w.job("pull_request.opened.payload.json", "release/1.1", false);
    job.runner.with.insert("tag-pattern".into(), "v*".into());
    let out = w.run(&job);
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn a_repository_without_a_release_tag_says_how_to_start() {
    let w = world();
    git(&w.origin, &["tag", "-d", "v1.0.0"]);
    let job = w.job("pull_request.opened.payload.json", "release/1.1", false);
    let out = w.run(&job);
    assert_eq!(out.status.code(), Some(1));
    let body = w.gh.comments().into_values().next().unwrap();
    for said in [text(&out), body] {
        assert!(said.contains("no release to compare with"), "{said}");
        assert!(said.contains("`since` input"), "{said}");
        assert!(
            !said.contains("--since"),
            "an action user cannot pass flags: {said}"
        );
    }
    assert_eq!(w.gh.verdicts()[0].conclusion, "failure");
    // The `since` input: compare with the release branch until the first tag.
    let mut job = w.job("pull_request.opened.payload.json", "release/1.1", false);
    job.runner
        .with
        .insert("since".into(), "origin/release/1.1".into());
    let out = w.run(&job);
    assert!(out.status.success(), "{}", text(&out));
    let body = w.gh.comments().into_values().next().unwrap();
    assert!(body.contains("since `origin/release/1.1`"), "{body}");
}

#[test]
fn an_app_token_rerun_on_the_bots_commit_is_a_no_op_that_reports_success() {
    let w = world();
    let job = w.job("pull_request.opened.payload.json", "release/1.1", false);
    assert!(w.run(&job).status.success());
    let bot = w.origin_sha(BRANCH);
    let first = w.gh.comments();
    // With an App token, the bot's push starts a `synchronize` run.
    let job = w.job(
        "pull_request.synchronize.payload.json",
        "release/1.1",
        false,
    );
    let out = w.run(&job);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(w.origin_sha(BRANCH), bot, "no second commit");
    let second = w.gh.comments();
    assert_eq!(
        second.keys().collect::<Vec<_>>(),
        first.keys().collect::<Vec<_>>()
    );
    let body = second.values().next().unwrap();
    // The rewrite note stays, naming the bot's commit.
    assert!(body.contains(&format!("[`{}`]", &bot[..12])), "{body}");
    assert!(
        body.contains("An earlier run of greenlight committed the renames"),
        "{body}"
    );
    let on_bot: Vec<_> =
        w.gh.verdicts()
            .into_iter()
            .filter(|v| v.sha == bot)
            .collect();
    assert_eq!(on_bot.len(), 2, "one check per run on the bot's commit");
    assert!(on_bot.iter().all(|v| v.conclusion == "success"));
    assert_eq!(job.runner.outputs()["rewrite-commit"], "");
}
