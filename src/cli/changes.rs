//! `greenlight changes`.
use std::path::Path;

use anyhow::{Context, bail};

use super::{Outcome, ProjectArgs, ReleaseArgs, TextOrJson};
use crate::app::Release;
use crate::report::changes::{
    ChangesJson, ShiftLeftFile, ShiftLeftModified, changes_text, schema_text,
};

pub(super) fn run(
    args: &ProjectArgs,
    rel: &ReleaseArgs,
    format: TextOrJson,
    shift_left_out: Option<&Path>,
) -> anyhow::Result<Outcome> {
    let (_, release) = super::analyze_release(args, rel, false)?;
    let files: Vec<_> = release.sql_changes().cloned().collect();
    match format {
        TextOrJson::Text => print!(
            "{}{}",
            changes_text(&release.base.name, &files, &release.impact),
            schema_text(&release.schema_checks)
        ),
        TextOrJson::Json => {
            let json = ChangesJson {
                base: &release.base.name,
                base_commit: release.base.commit.to_string(),
                files: &files,
                impacted: &release.impact.impacted,
                cosmetic: &release.impact.cosmetic,
                deleted: &release.impact.deleted,
                forced: release.forced.iter().map(String::as_str).collect(),
                renames: &release.impact.renames,
                schema: &release.schema_checks,
                schema_warnings: &release.schema_warnings,
            };
            println!("{}", serde_json::to_string_pretty(&json)?);
        }
    }
    if let Some(out) = shift_left_out {
        let doc = shift_left_modified(&release);
        std::fs::write(out, serde_json::to_string_pretty(&doc)? + "\n")
            .with_context(|| format!("cannot write {}", out.display()))?;
    }
    if !release.schemas_passed() {
        let failed: Vec<String> = release
            .schema_checks
            .iter()
            .filter(|c| !c.passed())
            .flat_map(|c| {
                c.violations
                    .iter()
                    .map(move |v| format!("\n  {}: {}", c.file, v.message))
            })
            .collect();
        bail!(
            "source schema check failed:{}\n  hint: make the change compatible (new and removed fields need a default), or change the schema's `compatibility` in greenlight.yaml",
            failed.concat()
        );
    }
    Ok(Outcome::Ok)
}

fn shift_left_modified(release: &Release) -> ShiftLeftModified {
    let mut list = Vec::new();
    for change in release.sql_changes() {
        for t in &release.head.tables {
            let files: Vec<&str> = t
                .ddl
                .iter()
                .chain(t.dml.iter())
                .map(|l| release.head.path(*l))
                .collect();
            if !files.contains(&change.path.as_str()) {
                continue;
            }
            let impacted = release.impact.impacted.iter().find(|i| i.head == t.name);
            list.push(ShiftLeftFile {
                table_name: impacted
                    .and_then(|i| i.blue.clone())
                    .unwrap_or_else(|| t.name.clone()),
                file_modified_url: change.path.clone(),
                same_sql_content: release.impact.cosmetic.contains(&t.name),
                running: false,
                new_table_name: impacted.map_or_else(|| t.name.clone(), |i| i.green.clone()),
            });
        }
    }
    ShiftLeftModified {
        description: format!(
            "Modified files since {} ({}); total files: {}",
            release.base.name,
            release.base.commit,
            list.len()
        ),
        file_list: list,
    }
}
