//! The attack matrix of a hostile pull request (issue 13): each attack runs
//! through the runner-faithful harness against the spec-validating GitHub
//! stand-in, and `World::run` checks every time that the token (and its
//! base64 forms) is in no request, log line, output, summary or comment.
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::action::{BRANCH, DML, Job, TOKEN, World, git, text, world};
use crate::github_server::{Fault, TokenKind};

/// Commits what `change` does on the pull request's branch and pushes it.
fn pr_change(w: &World, what: &str, change: impl FnOnce(&Path)) {
    change(w.dev.path());
    w.dev.git(&["add", "-A"]);
    w.dev.git(&["commit", "-q", "-m", what]);
    w.dev.git(&["push", "-q", "-f", "origin", BRANCH]);
}

fn symlink(target: &str, at: &Path) {
    if let Some(dir) = at.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::os::unix::fs::symlink(target, at).unwrap();
}

fn comment(w: &World) -> String {
    let comments = w.gh.comments();
    assert_eq!(comments.len(), 1, "{comments:?}");
    comments.into_values().next().unwrap()
}

/// A fork's head, as GitHub keeps it: refs/pull/7/head on the base repo.
fn fork_head(w: &World) {
    git(
        &w.origin,
        &["update-ref", "refs/pull/7/head", &w.origin_sha(BRANCH)],
    );
}

fn target_job(w: &World) -> Job {
    fork_head(w);
    // pull_request_target: the workflow and the workspace are the base's.
    let job = w.job(
        "target.pull_request.opened.payload.json",
        "release/1.1",
        true,
    );
    git(
        &job.runner.workspace,
        &["fetch", "-q", "--depth=1", "origin", "release/1.1"],
    );
    git(
        &job.runner.workspace,
        &["checkout", "-q", "--force", "FETCH_HEAD"],
    );
    job
}

#[test]
fn a1_force_file_linked_to_the_environment_is_refused() {
    for target in [false, true] {
        let w = world();
        pr_change(&w, "force via a link", |d| {
            symlink("/proc/self/environ", &d.join("greenlight-force.txt"));
        });
        let job = if target {
            target_job(&w)
        } else {
            w.job("pull_request.opened.payload.json", "release/1.1", false)
        };
        let out = w.run(&job);
        let all = text(&out);
        if target {
            // In the isolated checkout a link is a file holding its path.
            assert_eq!(out.status.code(), Some(1), "{all}");
            assert!(all.contains("`/proc/self/environ` is not a table"), "{all}");
        } else {
            assert_eq!(out.status.code(), Some(1), "{all}");
            assert!(
                all.contains(
                    "`force_file`: `greenlight-force.txt` resolves outside the repository"
                ),
                "{all}"
            );
        }
        assert!(comment(&w).contains("could not analyse"));
    }
    // The config naming the environment directly.
    let w = world();
    pr_change(&w, "force file elsewhere", |d| {
        std::fs::write(
            d.join("greenlight.yaml"),
            "force_file: /proc/self/environ\n",
        )
        .unwrap();
    });
    let job = w.job("pull_request.opened.payload.json", "release/1.1", false);
    let out = w.run(&job);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("must be a path relative to the project"),
        "{}",
        text(&out)
    );
}

#[test]
fn a2_templates_outside_the_project_never_reach_the_comment() {
    for path in [
        "/proc/self/environ",
        "../.git/config",
        ".git/config",
        "linked.j2",
    ] {
        let w = world();
        pr_change(&w, "custom template", |d| {
            std::fs::write(
                d.join("greenlight.yaml"),
                format!("templates:\n  pr_comment: {path}\n  job_summary: {path}\n"),
            )
            .unwrap();
            if path == "linked.j2" {
                symlink(".git/config", &d.join(path));
            }
        });
        let job = w.job("pull_request.opened.payload.json", "release/1.1", false);
        let out = w.run(&job);
        // The base branch's templates are used; the change is noted.
        assert!(out.status.success(), "{path}: {}", text(&out));
        let body = comment(&w);
        assert!(body.contains("changes `templates`"), "{body}");
        assert!(!body.contains("extraheader"), "{body}");
    }
    // On the CLI too, a template is read only inside the repository.
    let repo = crate::fixture::TempRepo::new(&[(
        "greenlight.yaml",
        "templates:\n  pr_comment: ../../../../proc/self/environ\n",
    )]);
    repo.tag("v1");
    let err = repo.fails(&["plan", "--format", "markdown"]);
    assert!(err.contains("`templates.pr_comment`"), "{err}");
}

#[test]
fn a3_credentials_are_never_sent_to_a_url_the_pull_request_names() {
    let hits = Arc::new(AtomicUsize::new(0));
    let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
    let url = format!("http://{}", server.server_addr().to_ip().unwrap());
    let (srv, h) = (server.clone(), hits.clone());
    std::thread::spawn(move || {
        for r in srv.incoming_requests() {
            h.fetch_add(1, Ordering::SeqCst);
            let _ = r.respond(tiny_http::Response::from_string("[]"));
        }
    });
    let schemas = "schemas:\n  - table: raw_orders\n    file: raw_orders.avsc\n";
    let avsc = r#"{"type":"record","name":"R","fields":[{"name":"id","type":"string"}]}"#;
    // A runner variable as the credential: refused outright.
    let w = world();
    pr_change(&w, "registry", |d| {
        std::fs::write(d.join("raw_orders.avsc"), avsc).unwrap();
        std::fs::write(
            d.join("greenlight.yaml"),
            format!("{schemas}schema_registry:\n  url: {url}\n  api_key_env: GITHUB_REPOSITORY\n  api_secret_env: INPUT_GITHUB-TOKEN\n"),
        )
        .unwrap();
    });
    let job = w.job("pull_request.opened.payload.json", "release/1.1", false);
    let out = w.run(&job);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("is a variable of the GitHub runner"),
        "{}",
        text(&out)
    );
    // Any other variable: the base branch's registry (none) is used.
    let w = world();
    pr_change(&w, "registry", |d| {
        std::fs::write(d.join("raw_orders.avsc"), avsc).unwrap();
        std::fs::write(
            d.join("greenlight.yaml"),
            format!("{schemas}schema_registry:\n  url: {url}\n  api_key_env: HOME\n  api_secret_env: PATH\n"),
        )
        .unwrap();
    });
    let job = w.job("pull_request.opened.payload.json", "release/1.1", false);
    let out = w.run(&job);
    assert!(out.status.success(), "{}", text(&out));
    assert!(comment(&w).contains("changes `schema_registry`"));
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "a request reached the pull request's URL"
    );
}

/// Every workflow command the runner would see in the output: `::` lines
/// and legacy `##[` anywhere.
fn commands(out: &std::process::Output) -> Vec<String> {
    let all = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    all.lines()
        .filter(|l| l.trim_start().starts_with("::") || l.contains("##["))
        .map(String::from)
        .collect()
}

#[test]
fn a4_file_names_form_no_workflow_command() {
    let names = [
        "pipelines/x,line=1::add-mask::SECRET.sql",
        "pipelines/a:b ##[set-output name=impacted-tables]pwned.sql",
        "pipelines/new\n::stop-commands::tok\n.sql",
        "pipelines/%0A::error::spoofed.sql",
    ];
    let w = world();
    pr_change(&w, "hostile names", |d| {
        for n in names {
            let p = d.join(n);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "INSERT INTO t SELECT * FROM 'unterminated").unwrap();
        }
    });
    let job = w.job("pull_request.opened.payload.json", "release/1.1", false);
    let out = w.run(&job);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let found = commands(&out);
    assert_eq!(
        found.len(),
        names.len(),
        "one annotation per file: {found:#?}\n{}",
        text(&out)
    );
    for c in &found {
        assert!(c.starts_with("::error file=pipelines/"), "{c}");
        // A `::` line is parsed as one command: a `##[` inside its data is
        // not looked at (actions/runner ActionCommandManager).
        assert!(!c.contains('\n'), "{c}");
        let props = &c[2..c[2..].find("::").unwrap() + 2];
        assert_eq!(props.matches(',').count(), 3, "four properties: {c}");
    }
    assert!(!job.runner.outputs().contains_key("pwned"));
    // No line of the log starts with text of a file name.
    for line in text(&out).lines() {
        assert!(
            !line.starts_with("::stop") && !line.starts_with(".sql"),
            "{line}"
        );
    }
}

#[test]
fn a5_documented_workflows_never_expand_expressions_in_shell() {
    let dir = crate::common::root().join("docs/workflows");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let doc: serde_norway::Value = serde_norway::from_str(&text).unwrap();
        for (_, job) in doc["jobs"].as_mapping().unwrap() {
            for step in job["steps"].as_sequence().into_iter().flatten() {
                if let Some(run) = step["run"].as_str() {
                    checked += 1;
                    assert!(
                        !run.contains("${{"),
                        "{}: an expression inside `run:` is shell injection: {run}",
                        path.display()
                    );
                }
            }
        }
    }
    assert!(checked > 0, "no `run:` step was checked");
}

#[test]
fn a6_pull_request_target_never_touches_the_workspace() {
    let w = world();
    pr_change(&w, "fork adds a table", |d| {
        std::fs::write(d.join("pipelines/evil.sql"), "CREATE TABLE evil (a INT);").unwrap();
    });
    let job = target_job(&w);
    let ws = &job.runner.workspace;
    let head_before = git(ws, &["rev-parse", "HEAD"]);
    let config_before = std::fs::read_to_string(ws.join(".git/config")).unwrap();
    let branch_before = w.origin_sha(BRANCH);
    let out = w.run(&job);
    assert!(out.status.code().is_some(), "{}", text(&out));
    // The base checkout is as it was: same commit, nothing of the fork in
    // the work tree, no new credential, nothing pushed.
    assert_eq!(git(ws, &["rev-parse", "HEAD"]), head_before);
    assert!(!ws.join("pipelines/evil.sql").exists());
    assert_eq!(
        git(ws, &["status", "--porcelain", "--untracked-files=no"]),
        ""
    );
    assert_eq!(
        std::fs::read_to_string(ws.join(".git/config")).unwrap(),
        config_before
    );
    assert_eq!(w.origin_sha(BRANCH), branch_before);
    // The comment has the diff to apply; the verdict is on the fork's head.
    let body = comment(&w);
    assert!(body.contains("Renames to apply"), "{body}");
    assert!(body.contains("comes from a fork"), "{body}");
    let verdicts = w.gh.verdicts();
    assert_eq!(verdicts.len(), 1);
    assert_eq!(verdicts[0].sha, branch_before);
    assert_eq!(verdicts[0].conclusion, "failure", "renames are pending");
}

#[test]
fn a7_the_failure_comment_is_fenced_sized_and_relative() {
    let w = world();
    pr_change(&w, "many broken files", |d| {
        let dir = d.join("pipelines/broken");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("````.sql"), "SELECT 'x").unwrap();
        for i in 0..1500 {
            std::fs::write(dir.join(format!("f{i:04}.sql")), "SELECT 'unterminated").unwrap();
        }
    });
    let job = w.job("pull_request.opened.payload.json", "release/1.1", false);
    let out = w.run(&job);
    assert_eq!(out.status.code(), Some(1));
    let body = comment(&w);
    assert!(body.len() <= 65_536, "{} bytes", body.len());
    assert!(body.contains("more"), "says what was cut");
    assert!(!body.contains(&job.runner.workspace.display().to_string()));
    // The fence is longer than any backquote run inside it.
    let lines: Vec<&str> = body.lines().collect();
    let open = lines.iter().position(|l| l.starts_with("`````")).unwrap();
    let fence = lines[open].trim_end_matches("text");
    assert!(fence.len() > 4, "{}", lines[open]);
    assert!(
        lines[open + 1..].contains(&fence),
        "the fence is closed by the same run: {}",
        &body[body.len() - 200..]
    );
    // The hostile name is a code span longer than its own backquotes.
    assert!(
        body.contains("| `````pipelines/broken/````.sql````` |"),
        "{}",
        &body[..2000]
    );
}

#[test]
fn a8_a_refused_push_still_comments_with_the_diff_and_the_reason() {
    let w = world();
    let hook = w.origin.join("hooks/pre-receive");
    std::fs::write(
        &hook,
        "#!/bin/sh\necho 'protected branch: changes need a review' >&2\nexit 1\n",
    )
    .unwrap();
    std::os::unix::fs::PermissionsExt::set_mode(
        &mut std::fs::metadata(&hook).unwrap().permissions(),
        0o755,
    );
    std::fs::set_permissions(&hook, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let before = w.origin_sha(BRANCH);
    let job = w.job("pull_request.opened.payload.json", "release/1.1", false);
    let out = w.run(&job);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("need the renames"), "{}", text(&out));
    assert_eq!(w.origin_sha(BRANCH), before);
    let body = comment(&w);
    assert!(body.contains("could not push the renames"), "{body}");
    assert!(
        body.contains("protected branch: changes need a review"),
        "{body}"
    );
    assert!(body.contains("Renames to apply"), "{body}");
    let verdicts = w.gh.verdicts();
    assert_eq!(verdicts.len(), 1);
    assert_eq!(
        (verdicts[0].sha.as_str(), verdicts[0].conclusion.as_str()),
        (before.as_str(), "failure")
    );
}

#[test]
fn a8_concurrent_runs_end_with_one_comment() {
    let w = Arc::new(world());
    let jobs: Vec<Job> = (0..3)
        .map(|_| w.job("pull_request.opened.payload.json", "release/1.1", false))
        .collect();
    let outs: Vec<std::process::Output> = std::thread::scope(|s| {
        let handles: Vec<_> = jobs.iter().map(|j| s.spawn(|| j.runner.run())).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for o in &outs {
        assert!(o.status.success(), "{}", text(o));
    }
    assert_eq!(w.gh.comments().len(), 1, "{:?}", w.gh.comments().keys());
    // One bot commit on the branch, whoever won.
    let tip = w.origin_sha(BRANCH);
    assert!(
        git(&w.origin, &["log", "-1", "--format=%s", &tip]).starts_with("greenlight: re-version")
    );
    assert!(
        !git(&w.origin, &["log", "-1", "--format=%s", &format!("{tip}^")])
            .starts_with("greenlight:")
    );
}

#[test]
fn a8_a_marker_comment_by_a_person_is_not_taken_over() {
    let w = world();
    let theirs = w.gh.add_comment(
        "mallory",
        "User",
        "<!-- greenlight:plan -->\nall good, merge it",
    );
    let job = w.job("pull_request.opened.payload.json", "release/1.1", false);
    let out = w.run(&job);
    assert!(out.status.success(), "{}", text(&out));
    let comments = w.gh.comments();
    assert_eq!(comments.len(), 2);
    assert_eq!(
        comments[&theirs],
        "<!-- greenlight:plan -->\nall good, merge it"
    );
}

#[test]
fn a9_a_hanging_api_times_out_and_rate_limits_are_waited_for() {
    let w = world();
    w.gh.state.lock().unwrap().hang =
        Some(("issues/list-comments", std::time::Duration::from_secs(30)));
    let mut job = w.job("pull_request.opened.payload.json", "release/1.1", false);
    job.runner
        .env
        .insert("GREENLIGHT_HTTP_TIMEOUT".into(), "1".into());
    let started = std::time::Instant::now();
    let out = w.run(&job);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("no answer within 1s"), "{}", text(&out));
    assert!(started.elapsed() < std::time::Duration::from_secs(25));
    // A secondary rate limit with Retry-After, then a 502: both retried.
    let w = world();
    {
        let mut s = w.gh.state.lock().unwrap();
        s.retry_after = Some(1);
    }
    w.gh.fault(Fault {
        method: "GET",
        operation: "issues/list-comments",
        status: 403,
        times: 1,
    });
    w.gh.fault(Fault {
        method: "POST",
        operation: "issues/create-comment",
        status: 502,
        times: 1,
    });
    let job = w.job("pull_request.opened.payload.json", "release/1.1", false);
    let out = w.run(&job);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(w.gh.comments().len(), 1);
}

#[test]
fn a9_a_personal_token_leaves_a_commit_status() {
    let w = world();
    w.gh.state.lock().unwrap().token_kind = TokenKind::Personal;
    let job = w.job("pull_request.opened.payload.json", "release/1.1", false);
    let out = w.run(&job);
    assert!(out.status.success(), "{}", text(&out));
    let v = w.gh.verdicts();
    assert!(
        !v.is_empty()
            && v.iter()
                .all(|v| v.status && v.name == "greenlight" && v.conclusion == "success"),
        "{v:?}"
    );
}

#[test]
fn a11_an_interrupted_rewrite_is_completed_by_the_next_run() {
    let repo = crate::fixture::TempRepo::from_dir(&crate::common::root().join("testdata/example"));
    repo.tag("v1.0.0");
    repo.edit(DML, |s| s.replace("<> 'DRAFT'", "NOT IN ('DRAFT', 'X')"));
    repo.commit("change");
    // What a complete rewrite gives.
    repo.ok(&["rewrite"], 0);
    let expected = repo.snapshot();
    repo.git(&["checkout", "-q", "--", "."]);
    let bin = env!("CARGO_BIN_EXE_greenlight");
    for delay_ms in [0u64, 2, 5, 10, 20, 40] {
        let mut child = std::process::Command::new(bin)
            .arg("rewrite")
            .current_dir(repo.path())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        // Whatever the kill left, the next run ends rewritten: it completes
        // an interrupted rewrite, or finds the complete one (uncommitted,
        // so it refuses to rewrite again, with nothing left to do).
        let out = repo.run(&["rewrite"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() || err.contains("the working tree has uncommitted changes"),
            "after {delay_ms} ms: {err}"
        );
        assert_eq!(repo.snapshot(), expected, "after {delay_ms} ms: {err}");
        repo.git(&["checkout", "-q", "--", "."]);
    }
    let _ = TOKEN;
}

#[test]
fn a1_schema_files_and_deploy_settings_stay_inside_and_never_name_runner_secrets() {
    let repo = crate::fixture::TempRepo::new(&[
        (
            "a.sql",
            "CREATE TABLE a (x INT) WITH ('connector' = 'kafka');\nINSERT INTO a SELECT * FROM raw_a;",
        ),
        (
            "greenlight.yaml",
            "schemas:\n  - table: raw_a\n    file: raw_a.avsc\n",
        ),
    ]);
    symlink("/etc/passwd", &repo.path().join("raw_a.avsc"));
    repo.commit("schema is a link");
    repo.tag("v1");
    let err = repo.fails(&["changes"]);
    assert!(
        err.contains("`schemas[raw_a].file`: `raw_a.avsc` resolves outside the repository"),
        "{err}"
    );
    assert!(!err.contains("root:"), "{err}");
    // A deploy environment naming a runner variable as a credential.
    for (key, extra) in [
        (
            "flink.api_secret_env",
            "    flink:\n      compute_pool_id: p\n      api_secret_env: INPUT_GITHUB-TOKEN\n",
        ),
        ("sql_gateway.state_file", ""),
    ] {
        let yaml = if key.starts_with("flink") {
            format!(
                "environments:\n  stage:\n    confluent_cloud: {{organization_id: o, environment_id: e, provider: aws, region: r}}\n{extra}"
            )
        } else {
            "environments:\n  stage:\n    target: sql_gateway\n    sql_gateway: {url: 'http://127.0.0.1:1', state_file: /etc/cron.d/x}\n".to_string()
        };
        repo.write("greenlight.yaml", &yaml);
        let _ = std::fs::remove_file(repo.path().join("raw_a.avsc"));
        repo.commit("deploy settings");
        let err = repo.fails(&["deploy", "--env", "stage", "--dry-run"]);
        assert!(err.contains(&format!("environments.stage.{key}")), "{err}");
    }
}

#[test]
fn a1_sql_files_linked_out_of_the_repository_are_never_read() {
    let w = world();
    pr_change(&w, "a SQL file that is a link", |d| {
        symlink("/proc/self/environ", &d.join("pipelines/environ.sql"));
        symlink("../../.git/config", &d.join("pipelines/config.sql"));
    });
    let job = w.job("pull_request.opened.payload.json", "release/1.1", false);
    // World::run checks that no secret reached any output or request.
    let out = w.run(&job);
    assert!(out.status.success(), "{}", text(&out));
    assert!(!comment(&w).contains("environ.sql"));
}
