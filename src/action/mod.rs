//! `greenlight action`: the GitHub Action entry point. A pull request into a
//! release branch gets its `_vN` rewrites committed by a bot and one sticky
//! comment with the impact and the plan.
pub mod event;

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use git2::Repository;

use crate::cli::{Outcome, PlanFormat, ProjectArgs, ReleaseArgs};
use crate::config::Config;
use crate::error::Error;
use crate::git::local::{Author, commit_files};
use crate::git::remote::{self, PushError};
use crate::github::GitHub;
use crate::report::Renderer;
use crate::report::plan::{COMMENT_MARKER, Section, job_summary, pr_comment};
use event::{Decision, decide};

/// What the run does with pending rewrites.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// Commit the rewrites to the pull request's branch.
    Rewrite,
    /// Only comment, with the diff the author must apply.
    CommentOnly,
}

/// The action's inputs (from `action.yml`). The runner sets every declared
/// input, with its default when the workflow gives none, so an empty value
/// means "not given": the config's value, else the built-in default.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub token: Option<String>,
    pub project_dir: PathBuf,
    pub release_branches: Option<Vec<String>>,
    pub tag_pattern: Option<String>,
    pub mode: Mode,
    pub config: Option<PathBuf>,
    pub bot: Author,
}

impl Inputs {
    /// Reads the `INPUT_*` variables the runner sets.
    pub fn from_env() -> Result<Inputs> {
        Inputs::from_vars(|k| std::env::var(k).ok())
    }

    /// Reads the inputs from `var` (a variable's value by name).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Inputs> {
        let input = |name: &str| {
            var(&format!("INPUT_{}", name.to_uppercase())).filter(|v| !v.trim().is_empty())
        };
        let mode = match input("mode").as_deref().map(str::trim) {
            None | Some("rewrite") => Mode::Rewrite,
            Some("comment-only") => Mode::CommentOnly,
            Some(other) => bail!(
                "input `mode`: `{other}` is not a mode\n  hint: use `rewrite` or `comment-only`"
            ),
        };
        Ok(Inputs {
            token: input("github-token").or_else(|| var("GITHUB_TOKEN").filter(|t| !t.is_empty())),
            project_dir: PathBuf::from(input("project-dir").unwrap_or_else(|| ".".into())),
            release_branches: input("release-branches").map(|b| {
                b.split(',')
                    .map(|p| p.trim().to_string())
                    .filter(|p| !p.is_empty())
                    .collect()
            }),
            tag_pattern: input("tag-pattern"),
            mode,
            config: input("config").map(PathBuf::from),
            bot: Author {
                name: input("bot-name").unwrap_or_else(|| "greenlight[bot]".into()),
                email: input("bot-email")
                    .unwrap_or_else(|| "greenlight[bot]@users.noreply.github.com".into()),
            },
        })
    }
}

/// What the runner provides in the environment.
#[derive(Debug, Clone)]
pub struct RunnerEnv {
    pub event_name: String,
    pub event_path: PathBuf,
    pub api_url: String,
    pub repository: String,
    pub workspace: PathBuf,
    pub output: Option<PathBuf>,
    pub summary: Option<PathBuf>,
}

impl RunnerEnv {
    pub fn from_env() -> Result<RunnerEnv> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let need = |k: &str| {
            var(k).ok_or_else(|| {
                anyhow!("{k} is not set: `greenlight action` runs inside a GitHub Actions job")
            })
        };
        let workspace = var("GITHUB_WORKSPACE")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("."));
        Ok(RunnerEnv {
            event_name: need("GITHUB_EVENT_NAME")?,
            event_path: PathBuf::from(need("GITHUB_EVENT_PATH")?),
            api_url: var("GITHUB_API_URL").unwrap_or_else(|| "https://api.github.com".into()),
            repository: need("GITHUB_REPOSITORY")?,
            workspace,
            output: var("GITHUB_OUTPUT").map(PathBuf::from),
            summary: var("GITHUB_STEP_SUMMARY").map(PathBuf::from),
        })
    }
}

const REMOTE: &str = "origin";
const ATTEMPTS: usize = 3;
pub const TRAILER: &str = "Greenlight-Rewrite";
/// Where the plan JSON is written, relative to the workspace.
pub const PLAN_JSON: &str = ".greenlight/plan.json";

pub fn run(inputs: &Inputs, env: &RunnerEnv) -> Result<Outcome> {
    let project = env.workspace.join(&inputs.project_dir);
    let mut config = Config::load(
        &project,
        inputs
            .config
            .as_deref()
            .map(|c| env.workspace.join(c))
            .as_deref(),
    )?;
    if let Some(t) = &inputs.tag_pattern {
        config.tag_pattern = t.clone();
    }
    if let Some(b) = &inputs.release_branches {
        config.release_branches = b.clone();
    }
    let payload = std::fs::read_to_string(&env.event_path)
        .with_context(|| format!("cannot read the event payload {}", env.event_path.display()))?;
    let decision =
        decide(&env.event_name, &payload, &config.release_branches).map_err(|e| anyhow!(e))?;
    let Decision::Run {
        pr,
        head_branch,
        fork,
        ..
    } = decision
    else {
        if let Decision::Skip(line) = decision {
            println!("{line}");
        }
        write_outputs(env, &[], None, None)?;
        return Ok(Outcome::Ok);
    };
    let token = inputs
        .token
        .as_deref()
        .ok_or_else(|| anyhow!("no GitHub token\n  hint: pass `github-token: ${{{{ secrets.GITHUB_TOKEN }}}}` to the action"))?;
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
    let github = GitHub::new(&env.api_url, token, &env.repository)?;
    let mode = if fork { Mode::CommentOnly } else { inputs.mode };
    let mut notes: Vec<String> = Vec::new();
    if fork && inputs.mode == Mode::Rewrite {
        notes.push("This pull request comes from a fork: greenlight cannot push to it, so it only comments.".into());
    }
    let tracking = if fork {
        format!("refs/remotes/{REMOTE}/greenlight-pr-{pr}")
    } else {
        format!("refs/remotes/{REMOTE}/{head_branch}")
    };
    let spec = if fork {
        format!("+refs/pull/{pr}/head:{tracking}")
    } else {
        format!("+refs/heads/{head_branch}:{tracking}")
    };
    let args = ProjectArgs {
        project: project.clone(),
        config: inputs.config.as_ref().map(|c| env.workspace.join(c)),
    };
    let rel = ReleaseArgs {
        since: None,
        also: Vec::new(),
    };
    let renderer = Renderer::new(&project, &config.templates)?;
    let mut existing: Option<Option<u64>> = None;
    let mut attempt = 0;
    let (release, plan, pending, commit) = loop {
        attempt += 1;
        remote::fetch(&repo, REMOTE, std::slice::from_ref(&spec), Some(token))?;
        let tip = remote::resolve(&repo, &tracking)?;
        remote::checkout_detached(&repo, tip)?;
        let release = match crate::cli::analyze_release_with(&args, &rel, &config, false) {
            Ok(r) => r,
            Err(e) => {
                return fail_with_comment(&rt, &github, pr, existing, env, &inputs.project_dir, e);
            }
        };
        let plan = crate::cli::build_plan(&release, &config);
        let rewrites =
            crate::cli::compute_rewrites(&project, &release.head, &release.impact.renames)?;
        if existing.is_none() {
            // Before anything is written: an API error stops the run here.
            existing = Some(rt.block_on(github.find_comment(pr, COMMENT_MARKER))?);
        }
        if rewrites.is_empty() || mode == Mode::CommentOnly {
            break (release, plan, rewrites, None);
        }
        crate::cli::write_rewrites(&project, &rewrites)?;
        let message = commit_message(&release.base.name, &release.impact.renames);
        let paths: Vec<&str> = rewrites.iter().map(|r| r.path.as_str()).collect();
        let commit = commit_files(&repo, &project, &paths, &message, &inputs.bot)?;
        match remote::push(&repo, REMOTE, commit, &head_branch, Some(token)) {
            Ok(()) => break (release, plan, Vec::new(), Some(commit)),
            Err(PushError::NonFastForward) if attempt < ATTEMPTS => {
                eprintln!(
                    "greenlight: `{head_branch}` moved while rewriting; fetching it again (attempt {})",
                    attempt + 1
                );
            }
            Err(PushError::NonFastForward) => {
                bail!(
                    "`{head_branch}` kept moving: {ATTEMPTS} pushes were rejected as non-fast-forward\n  hint: re-run the job once the branch is quiet"
                )
            }
            Err(PushError::Other(e)) if is_permission_error(&e) => {
                eprintln!("greenlight: cannot push ({e:#}); commenting the diff instead");
                notes.push("The token cannot push to this branch (read-only): apply the diff below, or run `greenlight rewrite` and push.".into());
                remote::checkout_detached(&repo, tip)?;
                break (release, plan, rewrites, None);
            }
            Err(PushError::Other(e)) => return Err(e),
        }
    };
    let mut sections = Vec::new();
    if let Some(c) = commit {
        let renames: Vec<String> = release
            .impact
            .renames
            .iter()
            .map(|(a, b)| format!("`{a}` → `{b}`"))
            .collect();
        sections.push(Section {
            title: format!("Rewrite commit {}", &c.to_string()[..12]),
            body: format!(
                "greenlight committed the renames to `{head_branch}`: {}.",
                renames.join(", ")
            ),
            code: String::new(),
        });
    }
    if !pending.is_empty() {
        sections.push(Section {
            title: format!("Renames to apply ({} file(s))", pending.len()),
            body: crate::cli::unified_diff(&pending),
            code: "diff".into(),
        });
    }
    for n in &notes {
        sections.push(Section {
            title: "Note".into(),
            body: n.clone(),
            code: String::new(),
        });
    }
    let body = pr_comment(&renderer, &plan, &release.head_graph, &sections)?;
    let action = rt.block_on(github.upsert_comment(pr, existing.flatten(), &body))?;
    println!("greenlight: {action:?} the comment on pull request #{pr}");
    if let Some(path) = &env.summary {
        append(path, &job_summary(&renderer, &plan, &release.head_graph)?)?;
    }
    // A docker action can write only to the workspace and the file-command
    // files (RUNNER_TEMP is not mounted): the plan goes to the workspace,
    // and the output names it relative to the workspace, where later steps
    // run.
    let plan_path = Path::new(PLAN_JSON);
    let full = env.workspace.join(plan_path);
    if let Some(dir) = full.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(
        &full,
        crate::cli::render_plan_to(&renderer, &plan, &release, PlanFormat::Json)?,
    )
    .with_context(|| format!("cannot write {}", full.display()))?;
    let greens: Vec<String> = plan.impacted.iter().map(|i| i.green.clone()).collect();
    write_outputs(env, &greens, Some(plan_path), commit.map(|c| c.to_string()))?;
    if !release.schemas_passed() {
        bail!(
            "a source schema change is not compatible: see the warnings in the pull request comment"
        );
    }
    Ok(Outcome::Ok)
}

fn is_permission_error(e: &anyhow::Error) -> bool {
    let m = format!("{e:#}").to_lowercase();
    [
        "403",
        "401",
        "permission",
        "authentication",
        "denied",
        "not allowed",
        "read-only",
    ]
    .iter()
    .any(|k| m.contains(k))
}

/// The bot's commit message: the tables, and a trailer marking the commit.
pub fn commit_message(base: &str, renames: &std::collections::BTreeMap<String, String>) -> String {
    let mut m = format!(
        "greenlight: re-version {} table(s) since {base}\n\n",
        renames.len()
    );
    for (a, b) in renames {
        m.push_str(&format!("- {a} -> {b}\n"));
    }
    m.push_str(&format!("\n{TRAILER}: {base}\n"));
    m
}

/// A failed analysis: annotations at file:line, the error in the sticky
/// comment, exit 1.
fn fail_with_comment(
    rt: &tokio::runtime::Runtime,
    github: &GitHub,
    pr: u64,
    existing: Option<Option<u64>>,
    env: &RunnerEnv,
    project_dir: &Path,
    e: anyhow::Error,
) -> Result<Outcome> {
    if let Some(Error::Files(errors)) = e.downcast_ref::<Error>() {
        for f in errors {
            let file = project_dir.join(&f.path);
            println!(
                "::error file={},line={},col={},title=greenlight::{}",
                file.display(),
                f.line,
                f.col,
                escape_annotation(&format!("{} ({})", f.message, f.hint))
            );
        }
    }
    let body = format!(
        "{COMMENT_MARKER}\n## 🚦 greenlight release plan\n\n:x: greenlight could not analyse this pull request:\n\n````text\n{e:#}\n````\n"
    );
    let existing = match existing {
        Some(x) => x,
        None => rt.block_on(github.find_comment(pr, COMMENT_MARKER))?,
    };
    rt.block_on(github.upsert_comment(pr, existing, &body))?;
    write_outputs(env, &[], None, None)?;
    Err(e)
}

fn escape_annotation(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn append(path: &Path, text: &str) -> Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    f.write_all(text.as_bytes())?;
    Ok(())
}

fn write_outputs(
    env: &RunnerEnv,
    greens: &[String],
    plan: Option<&Path>,
    commit: Option<String>,
) -> Result<()> {
    let Some(path) = &env.output else {
        return Ok(());
    };
    let text = format!(
        "impacted-tables={}\nplan-json={}\nrewrite-commit={}\n",
        serde_json::to_string(greens)?,
        plan.map(|p| p.display().to_string()).unwrap_or_default(),
        commit.unwrap_or_default()
    );
    append(path, &text)
}
