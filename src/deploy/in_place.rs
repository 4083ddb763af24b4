//! In-place upgrades on a target (acts): a running statement replaced by a
//! new one that starts from its offsets, in Confluent's order: the old
//! statement is stopped first, then the new one is created with
//! `sql.tables.initial-offset-from` naming it (Confluent starts it once the
//! old one has stopped, and refuses a statement that keeps state). Once
//! the new statement runs, the old one is deleted: one statement writes the
//! table at any time. A rollback does the same with the blue SQL, from the
//! new statement's offsets.
use std::time::{Duration, Instant};

use anyhow::{Result, bail};

use super::config::Poll;
use super::run::{Log, Outcome, create_or_adopt, statements_of, wait_for, wait_gone, writes};
use super::{Decision, DeployStatement, OFFSETS_FROM, decide};
use crate::flink::{NewStatement, Phase, RemoteStatement, Target};

fn running(s: &RemoteStatement) -> bool {
    matches!(s.phase, Phase::Running | Phase::Pending | Phase::Degraded) && !s.stopped
}

/// The statement an in-place upgrade of `table` starts from: the one
/// statement writing it that runs (by its deterministic name, else found by
/// its SQL), else the one that was stopped (an upgrade interrupted after
/// the stop). `exclude` is the new statement. None when nothing writes the
/// table; an error when several statements could be it.
pub fn reference(
    t: &mut dyn Target,
    prefix: &str,
    table: &str,
    exclude: &str,
) -> Result<Option<RemoteStatement>> {
    let mut found: Vec<RemoteStatement> = statements_of(t, prefix, table)?
        .into_iter()
        .filter(|s| writes(s, table))
        .collect();
    if !found.iter().any(running) {
        for s in t.list()?.into_iter().filter(|s| writes(s, table)) {
            if !found.iter().any(|f| f.name == s.name) {
                found.push(s);
            }
        }
    }
    found.retain(|s| s.name != exclude && !matches!(s.phase, Phase::Failed | Phase::Completed));
    let live: Vec<&RemoteStatement> = found.iter().filter(|s| running(s)).collect();
    let pick = if live.is_empty() {
        found.iter().collect()
    } else {
        live
    };
    match pick[..] {
        [] => Ok(None),
        [one] => Ok(Some(one.clone())),
        _ => {
            let names: Vec<&str> = pick.iter().map(|s| s.name.as_str()).collect();
            bail!(
                "cannot upgrade `{table}` in place: several statements write it ({})\n  hint: stop and delete the extra ones, or deploy `{table}` blue/green (upgrade.tables: {{{table}: blue_green}})",
                names.join(", ")
            )
        }
    }
}

/// Waits until `name` no longer runs after a stop.
fn wait_stopped(t: &mut dyn Target, name: &str, poll: &Poll) -> Result<()> {
    let start = Instant::now();
    loop {
        match t.get(name)? {
            None => return Ok(()),
            Some(s) if s.phase == Phase::Stopped || s.phase.is_failure() => return Ok(()),
            Some(s) if start.elapsed() >= Duration::from_secs(poll.timeout_secs) => bail!(
                "statement `{name}` is still {} {}s after it was stopped\n  hint: raise poll.timeout_secs, or look at the statement in the console",
                s.phase,
                poll.timeout_secs
            ),
            Some(_) => std::thread::sleep(Duration::from_millis(poll.interval_ms.max(1))),
        }
    }
}

/// Deploys an in-place statement: skipped when it runs already, else the
/// running statement of its table stopped and replaced by it.
pub fn apply(
    t: &mut dyn Target,
    st: &DeployStatement,
    prefix: &str,
    poll: &Poll,
    dry_run: bool,
    log: Log<'_>,
) -> Result<Outcome> {
    let table = st.replaces.as_deref().unwrap_or(&st.table);
    let existing = t.get(&st.name)?;
    let decision = decide(st, existing.as_ref())?;
    let out = |action: &str, phase: &str| Outcome {
        name: st.name.clone(),
        table: st.table.clone(),
        action: action.into(),
        phase: phase.into(),
    };
    let old = reference(t, prefix, table, &st.name)?;
    if decision == Decision::Skip {
        log(&format!(
            "  {} already RUNNING with the same SQL: skipped",
            st.name
        ));
        // An upgrade interrupted after the switch: the old statement goes.
        if let Some(o) = old.filter(|o| !running(o)) {
            log(&format!("  delete the replaced statement {}", o.name));
            t.delete(&o.name)?;
        }
        return Ok(out("skipped", "RUNNING"));
    }
    if dry_run {
        let from = old.as_ref().map_or("nothing", |o| o.name.as_str());
        log(&format!(
            "  would_upgrade {} in place of {from} ({}, {})",
            st.name, st.action, st.source
        ));
        return Ok(out("would_upgrade", ""));
    }
    let Some(old) = old else {
        bail!(
            "cannot upgrade `{table}` in place: no statement writes it on the target, so there are no offsets to carry over\n  hint: start its blue statement first, or deploy `{table}` blue/green (upgrade.tables: {{{table}: blue_green}})"
        );
    };
    if decision == Decision::Replace {
        log(&format!(
            "  {} is {}: delete and create again",
            st.name,
            existing.map(|e| e.phase.to_string()).unwrap_or_default()
        ));
        t.delete(&st.name)?;
        wait_gone(t, &st.name, poll)?;
    }
    let phase = carry_over(t, st, &old, decision == Decision::Wait, poll, log)?;
    Ok(out("upgraded", &phase))
}

/// Replaces `old` with `st`: stops `old`, creates `st` from its offsets
/// (unless `created`), waits for `st` to run, deletes `old`. On a failure
/// after the stop, `old` is resumed where it stopped. Returns `st`'s phase.
pub fn carry_over(
    t: &mut dyn Target,
    st: &DeployStatement,
    old: &RemoteStatement,
    created: bool,
    poll: &Poll,
    log: Log<'_>,
) -> Result<String> {
    let stopped_here = running(old);
    if stopped_here {
        log(&format!(
            "  stop {} (replaced in place by {})",
            old.name, st.name
        ));
        t.stop(&old.name)?;
        wait_stopped(t, &old.name, poll)?;
    }
    let mut properties = st.properties.clone();
    properties.insert(OFFSETS_FROM.into(), old.name.clone());
    let new = NewStatement {
        name: st.name.clone(),
        sql: st.sql.clone(),
        properties,
    };
    let started = (|| -> Result<RemoteStatement> {
        if !created {
            log(&format!(
                "  create {} from the offsets of {} ({}, {})",
                st.name, old.name, st.action, st.source
            ));
            create_or_adopt(t, st, &new, poll)?;
        }
        wait_for(t, &st.name, true, poll, log)
    })();
    match started {
        Ok(s) => {
            log(&format!("  delete the replaced statement {}", old.name));
            t.delete(&old.name)?;
            Ok(s.phase.to_string())
        }
        Err(e) => {
            let what = if stopped_here {
                log(&format!("  resume {}", old.name));
                match t.resume(&old.name) {
                    Ok(()) => format!("`{}` was resumed where it stopped", old.name),
                    Err(r) => format!("`{}` is stopped and could not be resumed: {r}", old.name),
                }
            } else {
                format!("`{}` was not running", old.name)
            };
            bail!(
                "cannot replace `{}` in place of `{}`: {e:#}\n  hint: {what}; if the target refuses to carry the offsets over (a statement that keeps state, an upsert sink), deploy `{}` blue/green (upgrade.tables: {{{}: blue_green}})",
                st.name,
                old.name,
                st.table,
                st.table
            )
        }
    }
}
