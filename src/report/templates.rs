//! Embedded templates, overridable by files named in the config.
use std::path::Path;

use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, State};
use serde::{Deserialize, Serialize};

use super::escape;
use crate::error::{Result, TemplateError};

/// Paths (relative to the project) of templates replacing the embedded ones.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TemplateOverrides {
    /// The PR comment's template (`templates.pr_comment`).
    pub pr_comment: Option<String>,
    /// The job summary's template (`templates.job_summary`).
    pub job_summary: Option<String>,
    /// The text plan's template (`templates.text`).
    pub text: Option<String>,
}

pub(super) const PR_COMMENT: &str = "pr_comment.md";
pub(super) const JOB_SUMMARY: &str = "job_summary.md";
pub(super) const TEXT: &str = "plan.txt";
/// The comment of a failed analysis (embedded only).
pub(super) const FAILURE: &str = "failure.md";

/// The comment and the job summary share one template.
const PLAN_MD: &str = include_str!("templates/pr_comment.md.j2");

const EMBEDDED: &[(&str, &str)] = &[
    (PR_COMMENT, PLAN_MD),
    (JOB_SUMMARY, PLAN_MD),
    (TEXT, include_str!("templates/plan.txt.j2")),
    (FAILURE, include_str!("templates/failure.md.j2")),
];

/// The report templates (embedded or overridden), ready to render.
pub struct Renderer {
    env: Environment<'static>,
}

impl Renderer {
    /// The embedded templates, with overrides read from `project_dir`
    /// (inside its repository only).
    pub fn new(project_dir: &Path, overrides: &TemplateOverrides) -> Result<Renderer> {
        let repo = crate::paths::Repository::around(project_dir);
        Renderer::with_reader(overrides, |key, p| {
            repo.read(project_dir, p, key)?
                .ok_or_else(|| TemplateError::Missing(p.to_string()).into())
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
        // Markdown templates escape every value they print (`md_message`)
        // unless a filter made it safe (`code`, `cell`, `fence`, `html`, `url`, `count`).
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".md") {
                AutoEscape::Custom("markdown".into())
            } else {
                AutoEscape::None
            }
        });
        env.set_formatter(format_value);
        env.add_filter("code", |v: Value| safe(escape::code_span(&plain(&v))));
        env.add_filter("cell", |v: Value| {
            let text = if v.is_safe() {
                plain(&v)
            } else {
                escape::md_message(&plain(&v))
            };
            safe(escape::cell(&text))
        });
        env.add_filter("fence", |v: Value, lang: Option<String>| {
            safe(escape::fence(&plain(&v), lang.as_deref().unwrap_or("")))
        });
        env.add_filter("html", |v: Value| safe(escape::html_text(&plain(&v))));
        env.add_filter("url", |v: Value| {
            safe(escape::safe_url(&plain(&v)).unwrap_or_default())
        });
        env.add_filter("count", count);
        for (name, source) in EMBEDDED {
            let (key, custom) = match *name {
                PR_COMMENT => ("templates.pr_comment", overrides.pr_comment.as_deref()),
                JOB_SUMMARY => ("templates.job_summary", overrides.job_summary.as_deref()),
                TEXT => ("templates.text", overrides.text.as_deref()),
                _ => ("", None),
            };
            let text = match custom {
                Some(p) => read(key, p)?,
                None => source.to_string(),
            };
            env.add_template_owned(name.to_string(), text)
                .map_err(|e| TemplateError::Invalid {
                    name: custom.unwrap_or(name).to_string(),
                    reason: format!("{e:#}"),
                })?;
        }
        Ok(Renderer { env })
    }

    /// The embedded templates only.
    pub fn embedded() -> Renderer {
        Renderer::new(Path::new("."), &TemplateOverrides::default())
            .expect("embedded templates are valid")
    }

    /// Renders the template `name` with `ctx`.
    pub fn render<S: Serialize>(&self, name: &str, ctx: &S) -> Result<String> {
        let tmpl = self
            .env
            .get_template(name)
            .map_err(|e| TemplateError::Unknown(format!("{e:#}")))?;
        tmpl.render(minijinja::value::Serde(ctx)).map_err(|e| {
            TemplateError::Render {
                name: name.to_string(),
                reason: format!("{e:#}"),
            }
            .into()
        })
    }
}

fn plain(v: &Value) -> String {
    if v.is_undefined() || v.is_none() {
        String::new()
    } else {
        v.to_string()
    }
}

fn safe(s: String) -> Value {
    Value::from_safe_string(s)
}

/// `{{ n | count("table") }}`: `1 table`, `3 tables` (or the given plural).
fn count(n: usize, word: String, plural: Option<String>) -> Value {
    let word = match (n, plural) {
        (1, _) => word,
        (_, Some(p)) => p,
        (_, None) => format!("{word}s"),
    };
    safe(format!("{n} {}", escape::md_text(&word)))
}

/// Prints a value: in markdown templates as an escaped message (text, and
/// code spans for what greenlight's messages quote in backticks) unless
/// safe.
fn format_value(
    out: &mut minijinja::Output,
    state: &mut State,
    value: &Value,
) -> std::result::Result<(), minijinja::Error> {
    match state.auto_escape() {
        AutoEscape::Custom(_) => {
            let text = if value.is_safe() {
                plain(value)
            } else {
                escape::md_message(&plain(value))
            };
            out.write_str(&text).map_err(|e| {
                minijinja::Error::new(minijinja::ErrorKind::WriteFailure, e.to_string())
            })
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(template: &str, ctx: serde_json::Value) -> String {
        let mut env = Renderer::embedded();
        env.env
            .add_template_owned("t.md", template.to_string())
            .unwrap();
        env.render("t.md", &ctx).unwrap()
    }

    #[test]
    fn markdown_templates_escape_every_value() {
        let ctx = serde_json::json!({"n": "<b>x</b> @someone *y*", "k": 3, "t": "a`b|c"});
        assert_eq!(
            render("{{ n }} {{ k }}", ctx.clone()),
            "&lt;b&gt;x&lt;/b&gt; @\u{2060}someone \\*y\\* 3"
        );
        assert_eq!(render("{{ t | code }}", ctx.clone()), "``a`b|c``");
        assert_eq!(render("{{ t | code | cell }}", ctx.clone()), "``a`b\\|c``");
        assert_eq!(render("{{ t | cell }}", ctx.clone()), "a\\`b\\|c");
        assert_eq!(render("{{ k | count('table') }}", ctx.clone()), "3 tables");
        assert_eq!(render("{{ 1 | count('table') }}", ctx), "1 table");
    }

    #[test]
    fn text_templates_print_values_as_they_are() {
        let mut r = Renderer::embedded();
        r.env
            .add_template_owned("t.txt", "{{ n }}".to_string())
            .unwrap();
        let out = r
            .render("t.txt", &serde_json::json!({"n": "<b>*x*</b>"}))
            .unwrap();
        assert_eq!(out, "<b>*x*</b>");
    }
}
