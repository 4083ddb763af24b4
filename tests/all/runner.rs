//! A runner-faithful harness for the action's tests: runs `greenlight
//! action` the way the GitHub runner runs a docker action
//! (actions/runner, `ContainerActionHandler`).
//!
//! - Every input declared in `action.yml` is set as `INPUT_<NAME>` (upper
//!   case, spaces to `_`), with its default when the workflow gives none
//!   (possibly empty), `${{ github.token }}` substituted.
//! - The runner's temp directory holds `_github_home` (HOME),
//!   `_github_workflow/event.json` and `_runner_file_commands` (the output
//!   and summary files). In the container they are mounted at
//!   `/github/home`, `/github/workflow` and `/github/file_commands`, the
//!   workspace at `/github/workspace` (the working directory), and every
//!   variable holding one of those host paths is translated. `RUNNER_TEMP`
//!   itself keeps its host path and is NOT mounted (actions/runner#1984).
//! - Without an image (`GREENLIGHT_RUN_IN_IMAGE` unset), the binary runs on
//!   the host with the host paths, and `RUNNER_TEMP` names a directory that
//!   does not exist, as it does not in the container.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use tempfile::TempDir;

use crate::common::root;

/// The inputs `action.yml` declares, with their defaults.
pub(crate) fn declared_inputs() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let action: serde_norway::Value = serde_norway::from_str(&text).unwrap();
    let inputs = action["inputs"]
        .as_mapping()
        .expect("action.yml has inputs");
    inputs
        .iter()
        .map(|(k, v)| {
            let default = match &v["default"] {
                serde_norway::Value::String(s) => s.clone(),
                serde_norway::Value::Null => String::new(),
                other => serde_norway::to_string(other).unwrap().trim().to_string(),
            };
            (k.as_str().unwrap().to_string(), default)
        })
        .collect()
}

/// `${{ github.token }}` and friends, as the runner evaluates them in
/// input defaults.
fn evaluate(default: &str, token: &str) -> String {
    let mut out = default.to_string();
    for expr in ["${{ github.token }}", "${{github.token}}"] {
        out = out.replace(expr, token);
    }
    assert!(
        !out.contains("${{"),
        "the harness cannot evaluate the default `{default}`: add it here"
    );
    out
}

/// One job's runner: its temp directory and the step's environment.
pub(crate) struct Runner {
    pub temp: TempDir,
    pub workspace: PathBuf,
    pub token: String,
    /// `with:` values of the step; the other inputs get their defaults.
    pub with: BTreeMap<String, String>,
    /// The `github` context as the runner exports it (host view).
    pub context: BTreeMap<String, String>,
    /// Extra variables of the step (`env:`).
    pub env: BTreeMap<String, String>,
}

/// Stands for the GUID suffix of the runner's file-command files.
const GUID: &str = "7c0a7a5e-1f5b-4a4e-9c3c-2b4d7f0c9e11";

impl Runner {
    pub(crate) fn new(workspace: &Path, token: &str, api_url: &str, repository: &str) -> Runner {
        let temp = TempDir::new().unwrap();
        for d in ["_github_home", "_github_workflow", "_runner_file_commands"] {
            std::fs::create_dir_all(temp.path().join(d)).unwrap();
        }
        for f in [
            "set_output",
            "step_summary",
            "set_env",
            "add_path",
            "save_state",
        ] {
            std::fs::write(
                temp.path()
                    .join("_runner_file_commands")
                    .join(format!("{f}_{GUID}")),
                "",
            )
            .unwrap();
        }
        let t = temp.path();
        let mut context = BTreeMap::new();
        let mut set = |k: &str, v: String| {
            context.insert(k.to_string(), v);
        };
        set("CI", "true".into());
        set("GITHUB_ACTIONS", "true".into());
        set("GITHUB_API_URL", api_url.into());
        set("GITHUB_SERVER_URL", "https://github.example.com".into());
        set("GITHUB_GRAPHQL_URL", format!("{api_url}/graphql"));
        set("GITHUB_REPOSITORY", repository.into());
        set(
            "GITHUB_REPOSITORY_OWNER",
            repository.split('/').next().unwrap().into(),
        );
        set("GITHUB_ACTOR", "octocat".into());
        set("GITHUB_RUN_ID", "4242".into());
        set("GITHUB_RUN_NUMBER", "17".into());
        set("GITHUB_RUN_ATTEMPT", "1".into());
        set("GITHUB_JOB", "plan".into());
        set("GITHUB_ACTION", "greenlight".into());
        set("GITHUB_WORKFLOW", "greenlight".into());
        set("GITHUB_WORKSPACE", workspace.display().to_string());
        let file = |name: &str| {
            t.join("_runner_file_commands")
                .join(format!("{name}_{GUID}"))
                .display()
                .to_string()
        };
        set("GITHUB_OUTPUT", file("set_output"));
        set("GITHUB_STEP_SUMMARY", file("step_summary"));
        set("GITHUB_ENV", file("set_env"));
        set("GITHUB_PATH", file("add_path"));
        set("GITHUB_STATE", file("save_state"));
        set(
            "GITHUB_EVENT_PATH",
            t.join("_github_workflow/event.json").display().to_string(),
        );
        set("RUNNER_OS", "Linux".into());
        set("RUNNER_ARCH", "X64".into());
        set("RUNNER_NAME", "GitHub Actions 2".into());
        set("RUNNER_TEMP", t.display().to_string());
        set("RUNNER_TOOL_CACHE", "/opt/hostedtoolcache".into());
        set(
            "RUNNER_WORKSPACE",
            workspace.parent().unwrap().display().to_string(),
        );
        set(
            "ACTIONS_RUNTIME_URL",
            "https://pipelines.example.com/".into(),
        );
        set("ACTIONS_RUNTIME_TOKEN", RUNTIME_TOKEN.into());
        set("HOME", t.join("_github_home").display().to_string());
        Runner {
            temp,
            workspace: workspace.to_path_buf(),
            token: token.to_string(),
            with: BTreeMap::new(),
            context,
            env: BTreeMap::new(),
        }
    }

    /// Writes the event payload where the runner does, and names it.
    pub(crate) fn event(&mut self, name: &str, payload: &Value) {
        std::fs::write(
            self.temp.path().join("_github_workflow/event.json"),
            serde_json::to_string(payload).unwrap(),
        )
        .unwrap();
        self.context
            .insert("GITHUB_EVENT_NAME".into(), name.to_string());
        if let Some(pr) = payload.get("pull_request") {
            let n = payload["number"].as_u64().unwrap_or(0);
            self.context
                .insert("GITHUB_REF".into(), format!("refs/pull/{n}/merge"));
            self.context.insert(
                "GITHUB_HEAD_REF".into(),
                pr["head"]["ref"].as_str().unwrap_or("").into(),
            );
            self.context.insert(
                "GITHUB_BASE_REF".into(),
                pr["base"]["ref"].as_str().unwrap_or("").into(),
            );
        }
    }

    /// Every `INPUT_*` variable of the step.
    pub(crate) fn inputs(&self) -> BTreeMap<String, String> {
        let declared = declared_inputs();
        for k in self.with.keys() {
            assert!(
                declared.contains_key(k),
                "action.yml declares no input `{k}`"
            );
        }
        declared
            .into_iter()
            .map(|(name, default)| {
                let value = self
                    .with
                    .get(&name)
                    .cloned()
                    .unwrap_or_else(|| evaluate(&default, &self.token));
                (
                    format!("INPUT_{}", name.replace(' ', "_").to_uppercase()),
                    value,
                )
            })
            .collect()
    }

    fn host_env(&self) -> BTreeMap<String, String> {
        let mut env = self.context.clone();
        env.extend(self.env.clone());
        env.extend(self.inputs());
        env
    }

    /// The host paths mounted in the container, and where.
    fn mounts(&self) -> Vec<(String, String)> {
        let t = self.temp.path();
        vec![
            (t.join("_github_home"), "/github/home"),
            (t.join("_github_workflow"), "/github/workflow"),
            (t.join("_runner_file_commands"), "/github/file_commands"),
            (self.workspace.clone(), "/github/workspace"),
        ]
        .into_iter()
        .map(|(h, c)| (h.display().to_string(), c.to_string()))
        .collect()
    }

    /// The step's environment as the container sees it: mounted host paths
    /// translated (`TranslateToContainerPath`), anything else as is.
    fn container_env(&self) -> BTreeMap<String, String> {
        let mounts = self.mounts();
        self.host_env()
            .into_iter()
            .map(|(k, v)| {
                let translated = mounts
                    .iter()
                    .find_map(|(h, c)| {
                        let rest = v.strip_prefix(h.as_str())?;
                        (rest.is_empty() || rest.starts_with('/')).then(|| format!("{c}{rest}"))
                    })
                    .unwrap_or(v);
                (k, translated)
            })
            .collect()
    }

    /// Runs the action's entry point (`args: ["action"]`).
    pub(crate) fn run(&self) -> Output {
        let mut cmd = match std::env::var("GREENLIGHT_RUN_IN_IMAGE") {
            Ok(wrapper) => {
                let mut c = Command::new(root().join(wrapper));
                c.env_clear();
                for k in ["GREENLIGHT_IMAGE", "BUILDAH_ROOT"] {
                    if let Ok(v) = std::env::var(k) {
                        c.env(k, v);
                    }
                }
                c.env("PATH", std::env::var("PATH").unwrap());
                for (h, ct) in self.mounts() {
                    c.arg("--volume").arg(format!("{h}:{ct}"));
                }
                c.arg("--workdir").arg("/github/workspace").arg("--");
                c.envs(self.container_env());
                c
            }
            Err(_) => {
                let mut c = Command::new(env!("CARGO_BIN_EXE_greenlight"));
                c.env_clear();
                c.env("PATH", std::env::var("PATH").unwrap());
                c.current_dir(&self.workspace);
                c.envs(self.host_env());
                // Not mounted in the container: not there at all.
                c.env(
                    "RUNNER_TEMP",
                    self.temp.path().join("host-only-runner-temp"),
                );
                c
            }
        };
        cmd.arg("action");
        cmd.output().unwrap()
    }

    /// What the step wrote to `GITHUB_OUTPUT`, parsed (`k=v` and
    /// `k<<DELIM` forms).
    pub(crate) fn outputs(&self) -> BTreeMap<String, String> {
        parse_file_command(&self.read_file_command("set_output"))
    }

    pub(crate) fn summary(&self) -> String {
        self.read_file_command("step_summary")
    }

    fn read_file_command(&self, name: &str) -> String {
        std::fs::read_to_string(
            self.temp
                .path()
                .join("_runner_file_commands")
                .join(format!("{name}_{GUID}")),
        )
        .unwrap()
    }

    /// A path an output names, as a later step on the host reads it:
    /// relative paths are relative to the workspace.
    pub(crate) fn host_path(&self, output_path: &str) -> PathBuf {
        match output_path.strip_prefix("/github/workspace") {
            Some(rest) => self.workspace.join(rest.trim_start_matches('/')),
            None => self.workspace.join(output_path),
        }
    }
}

/// A secret the runner hands every docker action: it must leak nowhere.
pub(crate) const RUNTIME_TOKEN: &str = "ACTIONSruntimeTOKEN0987654321";

/// The runner's parser of `GITHUB_OUTPUT`: `name=value` lines, or
/// `name<<DELIMITER` / lines / `DELIMITER`.
pub(crate) fn parse_file_command(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.is_empty() {
            continue;
        }
        let heredoc = line.find("<<");
        let equals = line.find('=');
        match (heredoc, equals) {
            (Some(h), e) if e.is_none_or(|e| h < e) => {
                let (name, delim) = (&line[..h], &line[h + 2..]);
                let mut value = Vec::new();
                loop {
                    let l = lines
                        .next()
                        .unwrap_or_else(|| panic!("no closing `{delim}` for output `{name}`"));
                    if l == delim {
                        break;
                    }
                    value.push(l);
                }
                out.insert(name.to_string(), value.join("\n"));
            }
            (_, Some(e)) => {
                out.insert(line[..e].to_string(), line[e + 1..].to_string());
            }
            _ => panic!("invalid file command line: {line}"),
        }
    }
    out
}
