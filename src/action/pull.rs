//! A pull request into a release branch: analyse it, commit the rewrites as
//! the bot (same repository, `pull_request`), comment, and leave the
//! `greenlight` check on the head and on the bot's commit.
//!
//! - `pull_request` from the same repository: the head is fetched and
//!   checked out in the workspace; the settings that send data elsewhere
//!   come from the base branch's config.
//! - `pull_request` from a fork: the token is read-only. The analysis runs
//!   (the job's status and annotations are the verdict); nothing is written
//!   through the API.
//! - `pull_request_target`: the workspace holds the base branch and stays
//!   untouched; the head is analysed in an isolated checkout outside the
//!   workspace, with the base branch's config, comment only.
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use git2::{Oid, Repository};

use super::event::Pull;
use super::workflow::{self, Level};
use super::{Inputs, Mode, Outputs, PLAN_JSON, RunnerEnv, repo_path, say, warn};
use crate::app::Outcome;
use crate::app::publish::{self, PublishError, PublishRequest, Published, Pushed, TRAILER};
use crate::app::{self, ReleaseRequest, rewrite};
use crate::config::{CONFIG_FILE, Config};
use crate::error::{Error, TemplateError};
use crate::git::remote;
use crate::github::{Annotation, Check, CheckConclusion, GitHub, Limits};
use crate::report::Renderer;
use crate::report::plan::{
    COMMENT_MARKER, CommentContext, Failure, FileLinks, RewriteNote, Section, comment,
    failure_comment, summary,
};

const REMOTE: &str = "origin";
const ATTEMPTS: usize = 3;

/// The config file's path relative to the workspace.
fn config_path(inputs: &Inputs) -> String {
    match &inputs.config {
        Some(c) => c.to_string_lossy().replace('\\', "/"),
        None => repo_path(&inputs.project_dir, CONFIG_FILE),
    }
}

/// The config as the workspace holds it now (inside the workspace only).
pub(super) fn workspace_config(
    inputs: &Inputs,
    env: &RunnerEnv,
    _project: &Path,
) -> Result<Config> {
    let repo = crate::paths::Repository::around(&env.workspace);
    Ok(Config::load_confined(
        &repo,
        &env.workspace,
        &config_path(inputs),
        inputs.config.is_some(),
    )?)
}

/// The analysis of the pull request, ready to present.
struct Analysed {
    published: Published,
    renderer: Renderer,
    config: Config,
    /// Notes for the comment (fork, trusted settings, refusals).
    notes: Vec<String>,
    /// The pull request's tip as fetched (the author's commit).
    tip: Oid,
}

/// Where the run analyses, and what it may do.
struct Run<'a> {
    inputs: &'a Inputs,
    env: &'a RunnerEnv,
    pr: &'a Pull,
    repo: &'a Repository,
    token: &'a str,
    /// The work tree analysed: the workspace, or the isolated checkout.
    root: PathBuf,
    /// The analysed project, under `root`.
    project: PathBuf,
    /// Text to hide from messages: absolute paths of the runner.
    prefixes: Vec<String>,
}

pub(super) fn run(
    inputs: &Inputs,
    env: &RunnerEnv,
    pr: &Pull,
    config: Result<Config>,
) -> Result<Outcome> {
    let token = inputs.token.as_deref().ok_or_else(|| {
        anyhow!(
            "no GitHub token\n  hint: pass `github-token: ${{{{ github.token }}}}` to the action"
        )
    })?;
    remote::trust_workspace_owner()?;
    let repo = Repository::open(&env.workspace).with_context(|| {
        format!(
            "{} is not a git checkout\n  hint: run actions/checkout first",
            env.workspace.display()
        )
    })?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    // The client's middleware spawns onto the runtime: build it inside.
    let _entered = rt.enter();
    // A `pull_request_target` head is analysed outside the workspace.
    let isolated = if pr.target {
        Some(
            tempfile::Builder::new()
                .prefix("greenlight-pr-")
                .tempdir_in(temp_base())
                .context("cannot create a temporary directory")?,
        )
    } else {
        None
    };
    let root = match &isolated {
        Some(t) => t.path().to_path_buf(),
        None => env.workspace.clone(),
    };
    let cx = Run {
        inputs,
        env,
        pr,
        repo: &repo,
        token,
        project: root.join(&inputs.project_dir),
        root,
        prefixes: [env.workspace.as_path()]
            .into_iter()
            .chain(isolated.as_ref().map(|t| t.path()))
            .flat_map(|p| [format!("{}/", p.display()), p.display().to_string()])
            .collect(),
    };
    // A fork's `pull_request` token is read-only: no API call at all.
    let github = if pr.fork && !pr.target {
        warn(&format!(
            "greenlight: pull request #{} comes from a fork: its token is read-only, so greenlight only analyses it (annotations, job summary); for the comment, add the pull_request_target workflow of docs/github-action.md",
            pr.number
        ));
        None
    } else {
        let gh = GitHub::new(&env.api_url, token, &env.repository, Limits::from_env())?;
        // Before anything is written: an API error stops the run here.
        rt.block_on(gh.sticky_comments(pr.number, COMMENT_MARKER))?;
        Some(gh)
    };
    let analysed = config.map_err(PublishError::Analysis).and_then(|c| {
        if pr.target {
            isolated_analysis(&cx, c)
        } else {
            publish(&cx, c)
        }
    });
    match analysed {
        Ok(a) => present(&cx, &rt, github.as_ref(), a),
        Err(PublishError::Analysis(e)) => fail(&cx, &rt, github.as_ref(), e),
        Err(e) => Err(e.into()),
    }
}

/// Where a temporary directory can be made: the system's, else HOME (a
/// docker action's `/github/home`; a `FROM scratch` image may have no /tmp).
fn temp_base() -> PathBuf {
    let tmp = std::env::temp_dir();
    if tmp.is_dir() {
        return tmp;
    }
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .filter(|h| h.is_dir())
        .unwrap_or(tmp)
}

/// The settings of a `pull_request` run: the head's config, with the
/// settings that send data elsewhere from the base branch's.
fn trusted_config(cx: &Run<'_>, head: Config) -> Result<(Config, Vec<String>)> {
    let base_ref = format!("refs/remotes/{REMOTE}/{}", cx.pr.base_branch);
    let path = config_path(cx.inputs);
    let base = match remote::read_at_ref(cx.repo, &base_ref, &path)? {
        Some(bytes) => Config::from_text(&String::from_utf8_lossy(&bytes), Path::new(&path))
            .with_context(|| format!("the config of the base branch `{}`", cx.pr.base_branch))?,
        None => Config::default(),
    };
    let (config, changed) = head.with_trusted(&base);
    let notes = changed
        .iter()
        .map(|key| {
            format!(
                "This pull request changes `{key}` in the config: until it is merged, greenlight uses the base branch's `{key}`."
            )
        })
        .collect();
    Ok((config, notes))
}

/// Templates come from the base branch's tree, as its config names them.
fn base_renderer(cx: &Run<'_>, config: &Config) -> Result<Renderer> {
    let base_ref = format!("refs/remotes/{REMOTE}/{}", cx.pr.base_branch);
    let repo = cx.repo;
    Ok(Renderer::with_reader(&config.templates, |key, p| {
        let path = repo_path(&cx.inputs.project_dir, p);
        let bytes = remote::read_at_ref(repo, &base_ref, &path)
            .map_err(|e| TemplateError::Unreadable {
                key: key.into(),
                reason: format!("{e:#}"),
            })?
            .ok_or_else(|| TemplateError::NotInBase {
                key: key.into(),
                path: crate::paths::excerpt(p, 120),
            })?;
        String::from_utf8(bytes).map_err(|_| TemplateError::NotUtf8 { key: key.into() }.into())
    })?)
}

fn apply_inputs(inputs: &Inputs, mut config: Config) -> Config {
    if let Some(t) = &inputs.tag_pattern {
        config.tag_pattern = t.clone();
    }
    config
}

/// Where the pull request's head is fetched to: its branch's remote-tracking
/// ref, or a private ref for a fork's head and a `pull_request_target` run.
fn tracking_ref(pr: &Pull) -> String {
    if pr.fork || pr.target {
        format!("refs/remotes/{REMOTE}/greenlight-pr-{}", pr.number)
    } else {
        format!("refs/remotes/{REMOTE}/{}", pr.head_branch)
    }
}

/// `pull_request`: fetch, check out, rewrite, commit and push as the bot.
fn publish(cx: &Run<'_>, _workspace_config: Config) -> Result<Analysed, PublishError> {
    let git = PublishError::Git;
    let pr = cx.pr;
    let tracking = tracking_ref(pr);
    let head_spec = if pr.fork {
        format!("+refs/pull/{}/head:{tracking}", pr.number)
    } else {
        format!("+refs/heads/{}:{tracking}", pr.head_branch)
    };
    let specs = vec![
        head_spec,
        format!(
            "+refs/heads/{b}:refs/remotes/{REMOTE}/{b}",
            b = pr.base_branch
        ),
    ];
    remote::fetch(cx.repo, REMOTE, &specs, Some(cx.token)).map_err(git)?;
    let tip = remote::resolve(cx.repo, &tracking).map_err(git)?;
    remote::checkout_detached(cx.repo, tip).map_err(git)?;
    // The head's config, now that the head is checked out.
    let head = super::pull::workspace_config(cx.inputs, cx.env, &cx.project)
        .map_err(PublishError::Analysis)?;
    let (config, mut notes) = trusted_config(cx, head).map_err(PublishError::Analysis)?;
    let config = apply_inputs(cx.inputs, config);
    let renderer = base_renderer(cx, &config).map_err(PublishError::Analysis)?;
    let push = !pr.fork && cx.inputs.mode == Mode::Rewrite;
    let published = publish::publish(
        &PublishRequest {
            repo: cx.repo,
            project_dir: &cx.project,
            config: &config,
            since: cx.inputs.since.as_deref(),
            remote: REMOTE,
            fetch: &specs,
            tracking: &tracking,
            push_to: push.then_some(pr.head_branch.as_str()),
            token: Some(cx.token),
            author: &cx.inputs.bot,
            attempts: ATTEMPTS,
        },
        &mut |line| warn(line),
    )?;
    if cx.inputs.mode == Mode::CommentOnly {
        notes.push("`mode: comment-only`: greenlight does not push; apply the diff below, or run `greenlight rewrite` and push.".into());
    }
    Ok(Analysed {
        published,
        renderer,
        config,
        notes,
        tip,
    })
}

/// `pull_request_target`: the head, untrusted, is analysed in an isolated
/// checkout with the workspace's (the base branch's) config; the workspace
/// is never changed.
fn isolated_analysis(cx: &Run<'_>, config: Config) -> Result<Analysed, PublishError> {
    let git = PublishError::Git;
    let pr = cx.pr;
    let tracking = tracking_ref(pr);
    let specs = vec![format!("+refs/pull/{}/head:{tracking}", pr.number)];
    remote::fetch(cx.repo, REMOTE, &specs, Some(cx.token)).map_err(git)?;
    let tip = remote::resolve(cx.repo, &tracking).map_err(git)?;
    remote::isolated_checkout(cx.repo, tip, &cx.root).map_err(git)?;
    let config = apply_inputs(cx.inputs, config);
    let renderer = Renderer::new(
        &cx.env.workspace.join(&cx.inputs.project_dir),
        &config.templates,
    )
    .map_err(|e| PublishError::Analysis(e.into()))?;
    let release = app::analyze(&ReleaseRequest {
        project_dir: &cx.project,
        config: &config,
        since: cx.inputs.since.as_deref(),
        also: &[],
        require_clean: false,
    })
    .map_err(PublishError::Analysis)?;
    let rewrites = rewrite::prepare(
        &cx.project,
        &release.head,
        &release.head_graph,
        &release.impact.renames,
    )
    .map_err(PublishError::Analysis)?;
    let pushed = if rewrites.is_empty() {
        Pushed::UpToDate
    } else {
        Pushed::Pending {
            rewrites,
            refused: None,
        }
    };
    let mut notes = Vec::new();
    if pr.fork {
        notes.push("This pull request comes from a fork: greenlight cannot push to it, so it only comments.".into());
    }
    Ok(Analysed {
        published: Published {
            release,
            head: tip,
            pushed,
        },
        renderer,
        config,
        notes,
        tip,
    })
}

/// What the comment says of the rewrite: the bot's commit (this run's, or
/// an earlier run's found in the branch's history), or the diff to apply
/// and why it was not pushed.
fn comment_context(cx: &Run<'_>, a: &Analysed) -> CommentContext {
    let release = &a.published.release;
    let server = cx.env.server_url.trim_end_matches('/');
    let repo = &cx.env.repository;
    let note = |c: Oid, earlier: bool| RewriteNote {
        commit: c.to_string(),
        url: Some(format!("{server}/{repo}/commit/{c}")),
        branch: cx.pr.head_branch.clone(),
        tables: release
            .impact
            .impacted
            .iter()
            .filter(|i| i.blue.as_ref().is_some_and(|b| *b != i.green))
            .count(),
        earlier,
    };
    let mut ctx = CommentContext {
        files: Some(FileLinks {
            blob_url: format!("{server}/{repo}/blob/{}", a.published.head),
            project_prefix: repo_path(&cx.inputs.project_dir, ""),
        }),
        details_url: cx.env.run_url(),
        notes: a.notes.clone(),
        ..CommentContext::default()
    };
    match &a.published.pushed {
        Pushed::Committed(c) => ctx.rewrite = Some(note(*c, false)),
        Pushed::UpToDate => {
            let earlier = remote::last_trailer_commit(
                cx.repo,
                a.tip,
                release.base.commit,
                TRAILER,
                &release.base.name,
                1000,
            )
            .ok()
            .flatten();
            ctx.rewrite = earlier.map(|c| note(c, true));
        }
        Pushed::Pending { rewrites, refused } => {
            if let Some(reason) = refused {
                ctx.notes.push(format!(
                    "greenlight could not push the renames to `{}`: {}. Apply the diff below, or run `greenlight rewrite` and push.",
                    cx.pr.head_branch,
                    crate::paths::excerpt(reason, 300)
                ));
            }
            ctx.sections.push(Section {
                title: format!("Renames to apply ({} file(s))", rewrites.len()),
                body: rewrite::unified_diff(rewrites),
                code: "diff".into(),
            });
        }
    }
    ctx
}

/// The comment, the check, the summary and the outputs of an analysed pull
/// request. Local files first: a failure there leaves nothing posted.
fn present(
    cx: &Run<'_>,
    rt: &tokio::runtime::Runtime,
    github: Option<&GitHub>,
    a: Analysed,
) -> Result<Outcome> {
    let release = &a.published.release;
    // Statements outside the lineage, table-function arguments read as
    // tables: warnings at their file:line:col.
    for w in &release.head.warnings {
        super::command(&workflow::annotation(
            Level::Warning,
            &repo_path(&cx.inputs.project_dir, &w.path),
            w.line,
            w.col,
            "greenlight",
            &w.message,
        ));
    }
    let plan = app::plan(release, &a.config);
    let ctx = comment_context(cx, &a);
    let body = comment(&a.renderer, &plan, &release.head_graph, &ctx)?;
    let plan_file = cx.env.workspace.join(PLAN_JSON);
    if let Some(dir) = plan_file.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {PLAN_JSON}"))?;
    }
    std::fs::write(&plan_file, serde_json::to_string_pretty(&plan)? + "\n")
        .with_context(|| format!("cannot write {PLAN_JSON}"))?;
    if let Some(path) = &cx.env.summary {
        workflow::append(
            path,
            &summary(&a.renderer, &plan, &release.head_graph, &ctx)?,
        )?;
    }
    let committed = match &a.published.pushed {
        Pushed::Committed(c) => Some(c.to_string()),
        _ => None,
    };
    Outputs {
        impacted: plan.impacted.iter().map(|i| i.green.clone()).collect(),
        plan: Some(PLAN_JSON.into()),
        commit: committed,
    }
    .write(cx.env)?;
    let schemas = release.schemas_passed();
    let pending = match &a.published.pushed {
        Pushed::Pending { rewrites, .. } => rewrites.len(),
        _ => 0,
    };
    let check = Check {
        conclusion: if schemas && pending == 0 {
            CheckConclusion::Success
        } else {
            CheckConclusion::Failure
        },
        title: check_title(&plan, schemas, pending),
        summary: body.replacen(COMMENT_MARKER, "", 1),
        details_url: None,
        annotations: Vec::new(),
    };
    if let Some(gh) = github {
        post(cx, rt, gh, &body, check, &a)?;
    }
    if !schemas {
        anyhow::bail!(
            "a source schema change is not compatible: see the warnings in the pull request comment"
        );
    }
    if pending > 0 {
        anyhow::bail!(
            "{pending} file(s) need the renames: apply the diff of the pull request comment, or run `greenlight rewrite` and push"
        );
    }
    Ok(Outcome::Ok)
}

fn check_title(plan: &crate::plan::Plan, schemas: bool, pending: usize) -> String {
    if !schemas {
        return "A source schema change is not compatible".into();
    }
    if pending > 0 {
        return format!("Renames to apply in {pending} file(s)");
    }
    match plan.impacted.len() {
        0 => "Nothing to re-version".into(),
        1 => "1 table to deploy".into(),
        n => format!("{n} tables to deploy in {} waves", plan.waves.len()),
    }
}

/// Writes the comment and the checks, unless the pull request moved on
/// since this run fetched it (a newer run writes them then).
fn post(
    cx: &Run<'_>,
    rt: &tokio::runtime::Runtime,
    gh: &GitHub,
    body: &str,
    mut check: Check,
    a: &Analysed,
) -> Result<()> {
    let head = a.published.head.to_string();
    let now = rt.block_on(gh.pull_head(cx.pr.number))?;
    if now != head && now != a.tip.to_string() {
        say(&format!(
            "greenlight: pull request #{} moved on to {}: its newer run writes the comment",
            cx.pr.number,
            &now[..now.len().min(12)]
        ));
        return Ok(());
    }
    let action = rt.block_on(gh.upsert_sticky(cx.pr.number, COMMENT_MARKER, body))?;
    say(&format!(
        "greenlight: {action:?} the comment on pull request #{}",
        cx.pr.number
    ));
    check.details_url = comment_url(cx, action.id());
    // The verdict on the analysed commit and, when the bot committed on
    // top of it, on the author's commit too.
    let mut shas = vec![head];
    if matches!(a.published.pushed, Pushed::Committed(_)) {
        shas.push(a.tip.to_string());
    }
    for sha in &shas {
        rt.block_on(gh.report_check(sha, &check))?;
    }
    Ok(())
}

fn comment_url(cx: &Run<'_>, id: u64) -> Option<String> {
    Some(format!(
        "{}/{}/pull/{}#issuecomment-{id}",
        cx.env.server_url.trim_end_matches('/'),
        cx.env.repository,
        cx.pr.number
    ))
}

/// Text with the runner's absolute paths taken out.
fn relative(cx: &Run<'_>, text: &str) -> String {
    let mut out = text.to_string();
    for p in &cx.prefixes {
        out = out.replace(p.as_str(), "");
    }
    out
}

/// A failed analysis: annotations at file:line:col, the failure comment,
/// a failed check, exit 1.
fn fail(
    cx: &Run<'_>,
    rt: &tokio::runtime::Runtime,
    github: Option<&GitHub>,
    e: anyhow::Error,
) -> Result<Outcome> {
    let files: &[crate::error::FileError] = match e.downcast_ref::<Error>() {
        Some(Error::Files(errors)) => errors,
        _ => &[],
    };
    let mut annotations = Vec::new();
    for f in files {
        let file = repo_path(&cx.inputs.project_dir, &f.path);
        let message = if f.hint.is_empty() {
            f.message.clone()
        } else {
            format!("{} (hint: {})", f.message, f.hint)
        };
        super::command(&workflow::annotation(
            Level::Error,
            &file,
            f.line,
            f.col,
            "greenlight",
            &message,
        ));
        annotations.push(Annotation {
            path: file,
            start_line: f.line.max(1),
            end_line: f.line.max(1),
            start_column: None,
            end_column: None,
            annotation_level: "failure",
            message,
            title: "greenlight".into(),
        });
    }
    let text = match e.downcast_ref::<crate::git::BaseRefError>() {
        // No release tag yet: the action's way out, not the CLI's.
        Some(b) => first_release_message(b),
        None => relative(cx, &format!("{e:#}")),
    };
    let strip: Vec<&str> = cx.prefixes.iter().map(String::as_str).collect();
    let body = failure_comment(
        &Renderer::embedded(),
        &Failure {
            error: &text,
            files,
            project_prefix: &repo_path(&cx.inputs.project_dir, ""),
            strip: &strip,
        },
    )?;
    Outputs::default().write(cx.env)?;
    if let Some(gh) = github {
        let action = rt.block_on(gh.upsert_sticky(cx.pr.number, COMMENT_MARKER, &body))?;
        let head = remote::resolve(cx.repo, &tracking_ref(cx.pr))
            .map(|o| o.to_string())
            .unwrap_or_else(|_| cx.pr.head_sha.clone());
        rt.block_on(gh.report_check(
            &head,
            &Check {
                conclusion: CheckConclusion::Failure,
                title: "greenlight could not analyse this pull request".into(),
                summary: body.replacen(COMMENT_MARKER, "", 1),
                details_url: comment_url(cx, action.id()),
                annotations,
            },
        ))?;
    }
    Err(anyhow!(text))
}

/// The message of a first adoption, before any release tag.
fn first_release_message(e: &crate::git::BaseRefError) -> String {
    let what = match e {
        crate::git::BaseRefError::NoTags { .. } => "this repository has no tag yet".to_string(),
        crate::git::BaseRefError::NoMatchingTag { pattern, .. } => {
            format!("no tag matching `{pattern}` is reachable from the pull request")
        }
    };
    format!(
        "no release to compare with: {what}; greenlight compares a pull request with the last release tag\n  hint: tag the state that runs in production (`git tag v0.0.0 <commit> && git push origin v0.0.0`), or, until the first release is tagged, set the action's `since` input to a branch, commit or date (YYYY-MM-DD)"
    )
}
