//! Embedded templates, overridable by files named in the config.
use std::path::Path;

use minijinja::Environment;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Paths (relative to the project) of templates replacing the embedded ones.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TemplateOverrides {
    pub pr_comment: Option<String>,
    pub job_summary: Option<String>,
    pub text: Option<String>,
}

pub const PR_COMMENT: &str = "pr_comment.md";
pub const JOB_SUMMARY: &str = "job_summary.md";
pub const TEXT: &str = "plan.txt";

const EMBEDDED: &[(&str, &str)] = &[
    (PR_COMMENT, include_str!("templates/pr_comment.md.j2")),
    (JOB_SUMMARY, include_str!("templates/job_summary.md.j2")),
    (TEXT, include_str!("templates/plan.txt.j2")),
];

pub struct Renderer {
    env: Environment<'static>,
}

impl Renderer {
    /// The embedded templates, with overrides read from `project_dir`
    /// (inside its repository only).
    pub fn new(project_dir: &Path, overrides: &TemplateOverrides) -> Result<Renderer> {
        let repo = crate::paths::Repository::around(project_dir);
        Renderer::with_reader(overrides, |key, p| {
            repo.read(project_dir, p, key)
                .map_err(|e| Error::Config(e.to_string()))?
                .ok_or_else(|| {
                    Error::Config(format!("cannot read template {p}: it does not exist"))
                })
        })
    }

    /// The embedded templates, with overrides read by `read(key, path)`.
    pub fn with_reader(
        overrides: &TemplateOverrides,
        read: impl Fn(&str, &str) -> Result<String>,
    ) -> Result<Renderer> {
        let mut env = Environment::new();
        env.set_syntax(
            minijinja::syntax::SyntaxConfig::builder()
                .trim_blocks(true)
                .lstrip_blocks(true)
                .build()
                .expect("the default delimiters are valid"),
        );
        env.add_filter("cell", cell);
        for (name, source) in EMBEDDED {
            let (key, custom) = match *name {
                PR_COMMENT => ("templates.pr_comment", overrides.pr_comment.as_deref()),
                JOB_SUMMARY => ("templates.job_summary", overrides.job_summary.as_deref()),
                _ => ("templates.text", overrides.text.as_deref()),
            };
            let text = match custom {
                Some(p) => read(key, p)?,
                None => source.to_string(),
            };
            env.add_template_owned(name.to_string(), text)
                .map_err(|e| {
                    Error::Config(format!("template {}: {e:#}", custom.unwrap_or(name)))
                })?;
        }
        Ok(Renderer { env })
    }

    /// The embedded templates only.
    pub fn embedded() -> Renderer {
        Renderer::new(Path::new("."), &TemplateOverrides::default())
            .expect("embedded templates are valid")
    }

    pub fn render<S: Serialize>(&self, name: &str, ctx: &S) -> Result<String> {
        let tmpl = self
            .env
            .get_template(name)
            .map_err(|e| Error::Config(format!("{e:#}")))?;
        tmpl.render(minijinja::value::Serde(ctx))
            .map_err(|e| Error::Config(format!("cannot render {name}: {e:#}")))
    }
}

/// Escapes text for a markdown table cell.
fn cell(s: String) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\n', " ")
}
