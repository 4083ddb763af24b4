//! Drives a `flink::Target` with the core's decisions: deploy wave by wave,
//! promote, roll back, clean up, validate. Progress goes to `log`.
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use serde::Serialize;

use super::config::{Environment, Poll};
use super::validate::{self, Pair, Report};
use super::{Decision, DeployStatement, DeployWave, check_capacity, decide, statement_name};
use crate::flink::{NewStatement, Phase, RemoteStatement, Target, TargetError};
use crate::plan::{ConnectorAction, StepAction};

/// Where progress lines go (stderr in the CLI, a buffer in tests).
pub type Log<'a> = &'a mut dyn FnMut(&str);

/// What happened to one statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// The statement's name.
    pub name: String,
    /// The table it creates or fills.
    pub table: String,
    /// `created`, `skipped`, `replaced`, `would_create`, `stopped`, ...
    pub action: String,
    /// Its phase afterwards (`RUNNING`, `COMPLETED`, ...; empty when unknown).
    pub phase: String,
}

/// Waits until `name` is RUNNING (or COMPLETED when `!runs`); the error
/// carries the statement's own error text.
pub fn wait_for(
    t: &mut dyn Target,
    name: &str,
    runs: bool,
    poll: &Poll,
    log: Log<'_>,
) -> Result<RemoteStatement> {
    let start = Instant::now();
    let mut wait = Duration::from_millis(poll.interval_ms.max(1));
    let max = Duration::from_millis(poll.max_interval_ms.max(poll.interval_ms).max(1));
    let mut last = String::new();
    loop {
        let s = t
            .get(name)?
            .ok_or_else(|| anyhow!("statement `{name}` disappeared while starting"))?;
        if s.phase.as_str() != last {
            log(&format!("  {name}: {}", s.phase));
            last = s.phase.as_str().to_string();
        }
        let done = match s.phase {
            Phase::Running | Phase::Degraded => runs && !s.stopped,
            // A DDL completes; a bounded DML may complete too.
            Phase::Completed => true,
            _ => false,
        };
        if done {
            return Ok(s);
        }
        if s.phase.is_failure() || s.phase == Phase::Stopped || s.stopped {
            let ex = t.exceptions(name).unwrap_or_default();
            let mut msg = format!("statement `{name}` is {}", s.phase);
            if !s.detail.is_empty() {
                msg.push_str(&format!(": {}", s.detail));
            }
            if let Some(e) = ex.first()
                && !s.detail.contains(e.as_str())
            {
                msg.push_str(&format!("\n  exception: {e}"));
            }
            bail!(msg);
        }
        if start.elapsed() >= Duration::from_secs(poll.timeout_secs) {
            bail!(
                "statement `{name}` is not {} after {}s (phase {})\n  hint: raise poll.timeout_secs, or look at the statement in the console",
                if runs { "RUNNING" } else { "COMPLETED" },
                poll.timeout_secs,
                s.phase
            );
        }
        std::thread::sleep(wait);
        wait = (wait * 2).min(max);
    }
}

/// Creates one statement (or resumes, skips, replaces it); waits for it.
fn apply(
    t: &mut dyn Target,
    st: &DeployStatement,
    poll: &Poll,
    dry_run: bool,
    log: Log<'_>,
) -> Result<Outcome> {
    let existing = t.get(&st.name)?;
    let decision = decide(st, existing.as_ref())?;
    let out = |action: &str, phase: &str| Outcome {
        name: st.name.clone(),
        table: st.table.clone(),
        action: action.into(),
        phase: phase.into(),
    };
    if dry_run {
        let what = match decision {
            Decision::Create => "would_create",
            Decision::Skip => "would_skip",
            Decision::Wait => "would_wait",
            Decision::Replace => "would_replace",
        };
        log(&format!(
            "  {what} {} ({}, {})",
            st.name, st.action, st.source
        ));
        let phase = existing.map(|e| e.phase.to_string()).unwrap_or_default();
        return Ok(out(what, &phase));
    }
    let new = NewStatement {
        name: st.name.clone(),
        sql: st.sql.clone(),
        properties: st.properties.clone(),
    };
    let action = match decision {
        Decision::Skip => {
            log(&format!(
                "  {} already {} with the same SQL: skipped",
                st.name,
                existing
                    .as_ref()
                    .map(|e| e.phase.to_string())
                    .unwrap_or_default()
            ));
            let phase = existing.map(|e| e.phase.to_string()).unwrap_or_default();
            return Ok(out("skipped", &phase));
        }
        Decision::Wait => "waited",
        Decision::Create => {
            log(&format!(
                "  create {} ({}, {})",
                st.name, st.action, st.source
            ));
            match create_or_adopt(t, st, &new, poll)? {
                Created::New => "created",
                Created::Running => return Ok(out("skipped", "RUNNING")),
                Created::Starting => "waited",
            }
        }
        Decision::Replace => {
            log(&format!(
                "  {} is {}: delete and create again",
                st.name,
                existing
                    .as_ref()
                    .map(|e| e.phase.to_string())
                    .unwrap_or_default()
            ));
            t.delete(&st.name)?;
            wait_gone(t, &st.name, poll)?;
            match create_or_adopt(t, st, &new, poll)? {
                Created::New => "replaced",
                Created::Running => return Ok(out("replaced", "RUNNING")),
                Created::Starting => "replaced",
            }
        }
    };
    let s = wait_for(t, &st.name, st.runs, poll, log)?;
    Ok(out(action, s.phase.as_str()))
}

/// What `create_or_adopt` found in the end.
pub(super) enum Created {
    /// Created by this request.
    New,
    /// There already, running the same SQL (a create whose answer was lost,
    /// or a concurrent run).
    Running,
    /// There already with the same SQL, still starting: wait for it.
    Starting,
}

/// Most creates of one statement (each after its answer was lost).
const CREATE_ATTEMPTS: usize = 3;

/// Creates a statement. When the server says the name is taken (409), or
/// the answer was lost (timeout, a 5xx after which the request may have
/// been processed), decides again from what exists: the same SQL is
/// adopted, other SQL is refused, nothing there is created again, at most
/// [`CREATE_ATTEMPTS`] times.
pub(super) fn create_or_adopt(
    t: &mut dyn Target,
    st: &DeployStatement,
    new: &NewStatement,
    poll: &Poll,
) -> Result<Created> {
    let mut last = None;
    for _ in 0..CREATE_ATTEMPTS {
        match t.create(new) {
            Ok(_) => return Ok(Created::New),
            Err(e @ (TargetError::Conflict { .. } | TargetError::Unavailable { .. })) => {
                let again = t.get(&st.name)?;
                match decide(st, again.as_ref())? {
                    Decision::Skip => return Ok(Created::Running),
                    Decision::Wait => return Ok(Created::Starting),
                    // Nothing there: the request was lost on its way.
                    Decision::Create => last = Some(e),
                    // There, but FAILED or stopped: ours, started and failed;
                    // `wait_for` reports its error.
                    Decision::Replace => return Ok(Created::New),
                }
            }
            Err(e) => return Err(e).with_context(|| format!("cannot create `{}`", st.name)),
        }
        std::thread::sleep(Duration::from_millis(poll.interval_ms.max(1)));
    }
    let e = last.map(|e| e.to_string()).unwrap_or_default();
    bail!(
        "cannot create `{}`: {e} ({CREATE_ATTEMPTS} attempts)\n  hint: the server lost or refused the request each time; run the deploy again when it answers",
        st.name
    )
}

pub(super) fn wait_gone(t: &mut dyn Target, name: &str, poll: &Poll) -> Result<()> {
    let start = Instant::now();
    while t.get(name)?.is_some() {
        if start.elapsed() >= Duration::from_secs(poll.timeout_secs) {
            bail!(
                "statement `{name}` is still there {}s after its deletion",
                poll.timeout_secs
            );
        }
        std::thread::sleep(Duration::from_millis(poll.interval_ms.max(1)));
    }
    Ok(())
}

/// What `deploy` did: the output of `greenlight deploy`.
#[derive(Debug, Clone, Serialize)]
pub struct DeployReport {
    /// The environment's name.
    pub environment: String,
    /// The target, as [`Target::describe`] gives it.
    pub target: String,
    /// Whether this was a dry run (nothing created, deleted or waited for).
    pub dry_run: bool,
    /// The pool's capacity before the deploy (None: the target cannot tell).
    pub capacity: Option<crate::flink::PoolCapacity>,
    /// What the whole release needs, in the pool's unit (CFU or slots).
    pub needed: f64,
    /// What happened to each statement, in deploy order.
    pub statements: Vec<Outcome>,
}

/// Deploys the waves: capacity first, then per wave the DDLs (to
/// COMPLETED) and the DMLs (to RUNNING). Stops at the first failure. Blue
/// statements are never touched.
pub fn deploy(
    t: &mut dyn Target,
    env_name: &str,
    env: &Environment,
    waves: &[DeployWave],
    needed: f64,
    dry_run: bool,
    log: Log<'_>,
) -> Result<DeployReport> {
    log(&format!("deploy to {env_name}: {}", t.describe()));
    // Capacity for what is not running yet.
    let mut missing = 0usize;
    let mut total = 0usize;
    // A statement upgraded in place takes the place of the one it stops.
    for s in waves
        .iter()
        .flat_map(|w| &w.statements)
        .filter(|s| s.runs && s.replaces.is_none())
    {
        total += 1;
        let running = t
            .get(&s.name)?
            .is_some_and(|r| matches!(r.phase, Phase::Running | Phase::Pending) && !r.stopped);
        if !running {
            missing += 1;
        }
    }
    let still = if total == 0 {
        0.0
    } else {
        needed * missing as f64 / total as f64
    };
    let capacity = t.capacity()?;
    if let Some(pool) = &capacity {
        log(&format!(
            "capacity: {} {unit} needed, {} of {} {unit} free",
            crate::plan::fmt_cfu(still),
            crate::plan::fmt_cfu(pool.free()),
            crate::plan::fmt_cfu(pool.max),
            unit = pool.unit
        ));
        check_capacity(pool, still)?;
    }
    let mut report = DeployReport {
        environment: env_name.into(),
        target: t.describe(),
        dry_run,
        capacity,
        needed,
        statements: Vec::new(),
    };
    let prefix = env.prefix(env_name);
    for w in waves {
        log(&format!("wave {}", w.index));
        for phase in [false, true] {
            for st in w.statements.iter().filter(|s| s.action.is_dml() == phase) {
                let outcome = if st.replaces.is_some() {
                    super::in_place::apply(t, st, prefix, &env.poll, dry_run, log)?
                } else {
                    apply(t, st, &env.poll, dry_run, log)?
                };
                report.statements.push(outcome);
            }
        }
    }
    Ok(report)
}

/// Most DMLs of one table looked up by name (`-2`, `-3`, ...).
pub const MAX_DMLS_PER_TABLE: usize = 100;

/// The statements of a table named by the deterministic scheme that exist
/// (DDL first, then DMLs `-2`, `-3`, ... up to [`MAX_DMLS_PER_TABLE`]).
pub(super) fn statements_of(
    t: &mut dyn Target,
    prefix: &str,
    table: &str,
) -> Result<Vec<RemoteStatement>> {
    let mut out = Vec::new();
    if let Some(s) = t.get(&statement_name(prefix, "ddl", table, 1))? {
        out.push(s);
    }
    for n in 1..=MAX_DMLS_PER_TABLE {
        match t.get(&statement_name(prefix, "dml", table, n))? {
            Some(s) => out.push(s),
            None => return Ok(out),
        }
    }
    bail!(
        "more than {MAX_DMLS_PER_TABLE} statements named like `{}-N` exist\n  hint: the server answers every name (a proxy or mock?), or the table has more DMLs than greenlight deploys; look at the statements of `{table}`",
        statement_name(prefix, "dml", table, 1)
    )
}

/// The running statements that write `table`: by name first, else any
/// listed statement whose SQL inserts into it (statements named by hand
/// or by another tool).
pub fn writers_of(t: &mut dyn Target, prefix: &str, table: &str) -> Result<Vec<RemoteStatement>> {
    let named: Vec<RemoteStatement> = statements_of(t, prefix, table)?
        .into_iter()
        .filter(|s| writes(s, table))
        .collect();
    if !named.is_empty() {
        return Ok(named);
    }
    Ok(t.list()?
        .into_iter()
        .filter(|s| writes(s, table) && !matches!(s.phase, Phase::Failed | Phase::Completed))
        .collect())
}

/// Whether a statement inserts into `table` (or creates it with a query).
pub(super) fn writes(s: &RemoteStatement, table: &str) -> bool {
    let Some(sql) = &s.sql else {
        // The target keeps no SQL: trust the deterministic name.
        return s.name.contains("-dml-");
    };
    crate::sql::analyze(sql).is_ok_and(|v| {
        v.iter().any(|st| {
            matches!(
                st.kind,
                crate::sql::StatementKind::Insert | crate::sql::StatementKind::Ctas
            ) && st.target.as_ref().is_some_and(|n| n.key() == table)
        })
    })
}

/// A blue/green pair of the plan in deployment order, with its actions.
#[derive(Debug, Clone)]
pub struct Table {
    /// The blue table (None: a new table).
    pub blue: Option<String>,
    /// The green table.
    pub green: String,
    /// The DDL action, None without DDL.
    pub ddl_action: Option<StepAction>,
    /// The names of its statements in the deployment, DDL first.
    pub statements: Vec<String>,
    /// Upgraded in place: its statement replaced, the table kept.
    pub in_place: bool,
}

/// The plan's tables in deployment order (wave by wave), with their statements
/// in `waves`.
pub fn tables_of(plan: &crate::plan::Plan, waves: &[DeployWave]) -> Vec<Table> {
    let mut out = Vec::new();
    for w in waves {
        for g in plan.waves.get(w.index - 1).into_iter().flatten() {
            let row = plan.impacted.iter().find(|i| &i.green == g);
            let blue = row.and_then(|i| i.blue.clone());
            let mine: Vec<&DeployStatement> =
                w.statements.iter().filter(|s| &s.table == g).collect();
            out.push(Table {
                blue,
                green: g.clone(),
                ddl_action: mine.iter().find(|s| !s.action.is_dml()).map(|s| s.action),
                statements: mine.iter().map(|s| s.name.clone()).collect(),
                in_place: row.is_some_and(|i| i.strategy == crate::version::Strategy::InPlace),
            });
        }
    }
    out
}

/// What `promote`, `rollback` or `cleanup` did.
#[derive(Debug, Clone, Serialize)]
pub struct LifecycleReport {
    /// The environment's name.
    pub environment: String,
    /// `promote`, `rollback` or `cleanup`.
    pub command: &'static str,
    /// What was done, one line each (`would ...` in a dry run).
    pub actions: Vec<String>,
    /// Connector changes to apply (promote) or revert (rollback).
    pub connectors: Vec<crate::plan::ConnectorChange>,
    /// What was left alone, with why.
    pub skipped: Vec<String>,
}

/// The promotion gate: the last validation (kept in the environment's
/// verdict file under `project`) passed on this deployment, after its
/// newest green statement was created.
pub fn promote_gate(
    t: &mut dyn Target,
    project: &std::path::Path,
    env_name: &str,
    env: &Environment,
    waves: &[DeployWave],
) -> Result<()> {
    let file = super::verdict::file(env_name, env);
    let verdict = super::verdict::read(&super::verdict::path(project, &file))?;
    let mut newest: Option<(String, i64)> = None;
    for st in waves.iter().flat_map(|w| &w.statements) {
        if let Some(created) = t.get(&st.name)?.and_then(|s| s.created_at)
            && newest.as_ref().is_none_or(|(_, n)| created > *n)
        {
            newest = Some((st.name.clone(), created));
        }
    }
    super::verdict::gate(
        env_name,
        &file,
        verdict.as_ref(),
        waves,
        newest.as_ref().map(|(n, c)| (n.as_str(), *c)),
    )?;
    Ok(())
}

/// Promotes: every green statement must be RUNNING; then blue DMLs are
/// stopped, downstream first. Connector changes are emitted.
pub fn promote(
    t: &mut dyn Target,
    env_name: &str,
    env: &Environment,
    plan: &crate::plan::Plan,
    waves: &[DeployWave],
    log: Log<'_>,
) -> Result<LifecycleReport> {
    let prefix = env.prefix(env_name);
    for st in waves.iter().flat_map(|w| &w.statements) {
        let s = t.get(&st.name)?;
        let ok = s.as_ref().is_some_and(|s| {
            if st.runs {
                matches!(s.phase, Phase::Running) && !s.stopped
            } else {
                matches!(s.phase, Phase::Completed)
            }
        });
        if !ok {
            bail!(
                "cannot promote: green statement `{}` is {}\n  hint: run `greenlight deploy --env {env_name}` and `greenlight validate --env {env_name}` first",
                st.name,
                s.map(|s| s.phase.to_string())
                    .unwrap_or_else(|| "missing".into())
            );
        }
    }
    let mut report = LifecycleReport {
        environment: env_name.into(),
        command: "promote",
        actions: Vec::new(),
        connectors: plan.connectors.clone(),
        skipped: Vec::new(),
    };
    for c in &plan.connectors {
        let line = format!(
            "connector `{}`: {} {}",
            c.connector,
            c.action,
            c.topics
                .iter()
                .map(|(a, b)| if a.is_empty() {
                    b.clone()
                } else {
                    format!("{a} -> {b}")
                })
                .collect::<Vec<_>>()
                .join(", ")
        );
        log(&line);
        report.actions.push(line);
    }
    for tb in tables_of(plan, waves).iter().rev() {
        if tb.in_place {
            report
                .skipped
                .push(format!("{}: upgraded in place at deploy", tb.green));
            continue;
        }
        let Some(blue) = &tb.blue else { continue };
        for s in writers_of(t, prefix, blue)? {
            if s.stopped || matches!(s.phase, Phase::Stopped) {
                report.skipped.push(format!("{} already stopped", s.name));
                continue;
            }
            log(&format!("stop blue {} (writes {blue})", s.name));
            t.stop(&s.name)?;
            report.actions.push(format!("stopped {}", s.name));
        }
    }
    Ok(report)
}

/// Rolls back: green statements stopped and deleted, green tables dropped
/// (downstream first), blue resumed if a promotion stopped it, connector
/// changes reverted (emitted).
///
/// A table upgraded in place gets its blue SQL back the same way: a
/// statement of `back` (see `deploy::rollback_statements`) replaces the
/// new one from its offsets.
pub fn rollback(
    t: &mut dyn Target,
    env_name: &str,
    env: &Environment,
    plan: &crate::plan::Plan,
    waves: &[DeployWave],
    back: &[DeployStatement],
    log: Log<'_>,
) -> Result<LifecycleReport> {
    let prefix = env.prefix(env_name);
    let mut report = LifecycleReport {
        environment: env_name.into(),
        command: "rollback",
        actions: Vec::new(),
        connectors: plan.connectors.clone(),
        skipped: Vec::new(),
    };
    for c in plan
        .connectors
        .iter()
        .filter(|c| c.action == ConnectorAction::Retarget)
    {
        let line = format!(
            "connector `{}`: back to {}",
            c.connector,
            c.topics
                .iter()
                .map(|(a, _)| a.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        log(&line);
        report.actions.push(line);
    }
    let tables = tables_of(plan, waves);
    for tb in tables.iter().rev() {
        if tb.in_place {
            roll_back_in_place(t, tb, back, &env.poll, log, &mut report)?;
            continue;
        }
        for name in tb.statements.iter().rev() {
            match t.get(name)? {
                None => report.skipped.push(format!("{name} does not exist")),
                Some(s) => {
                    if matches!(s.phase, Phase::Running | Phase::Pending | Phase::Degraded)
                        && !s.stopped
                    {
                        log(&format!("stop green {name}"));
                        t.stop(name)?;
                    }
                    log(&format!("delete green {name}"));
                    t.delete(name)?;
                    report.actions.push(format!("deleted {name}"));
                }
            }
        }
        if tb.ddl_action.is_some() {
            drop_table(t, prefix, &tb.green, tb.ddl_action, &env.poll, log)?;
            report.actions.push(format!("dropped {}", tb.green));
        }
    }
    for tb in tables.iter().filter(|tb| !tb.in_place) {
        let Some(blue) = &tb.blue else { continue };
        for s in writers_of(t, prefix, blue)? {
            if s.stopped || s.phase == Phase::Stopped {
                log(&format!("resume blue {}", s.name));
                t.resume(&s.name)?;
                report.actions.push(format!("resumed {}", s.name));
            }
        }
    }
    if report.actions.iter().all(|a| !a.starts_with("resumed")) {
        report.actions.push("blue untouched".into());
    }
    Ok(report)
}

/// Gives a table upgraded in place its blue SQL back: the statement of
/// `back` for it replaces the in-place one, from its offsets.
fn roll_back_in_place(
    t: &mut dyn Target,
    tb: &Table,
    back: &[DeployStatement],
    poll: &Poll,
    log: Log<'_>,
    report: &mut LifecycleReport,
) -> Result<()> {
    let (Some(current), Some(b)) = (
        tb.statements.first(),
        back.iter().find(|b| b.table == tb.green),
    ) else {
        report
            .skipped
            .push(format!("{}: no blue statement to go back to", tb.green));
        return Ok(());
    };
    let decision = decide(b, t.get(&b.name)?.as_ref())?;
    let Some(cur) = t.get(current)? else {
        report.skipped.push(if decision == Decision::Skip {
            format!("{}: already back to its blue SQL ({})", tb.green, b.name)
        } else {
            format!("{current} does not exist")
        });
        return Ok(());
    };
    log(&format!(
        "replace {current} back with the blue SQL of {} ({})",
        tb.green, b.source
    ));
    match decision {
        Decision::Skip => {
            // Interrupted after the switch: the in-place statement goes.
            if !cur.stopped && matches!(cur.phase, Phase::Running | Phase::Pending) {
                t.stop(current)?;
            }
            t.delete(current)?;
        }
        Decision::Replace => {
            t.delete(&b.name)?;
            wait_gone(t, &b.name, poll)?;
            super::in_place::carry_over(t, b, &cur, false, poll, log)?;
        }
        Decision::Create | Decision::Wait => {
            super::in_place::carry_over(t, b, &cur, decision == Decision::Wait, poll, log)?;
        }
    }
    report
        .actions
        .push(format!("replaced {current} back with {}", b.name));
    report.actions.push(format!("deleted {current}"));
    Ok(())
}

/// Runs `DROP TABLE|VIEW IF EXISTS` as a one-off statement.
fn drop_table(
    t: &mut dyn Target,
    prefix: &str,
    table: &str,
    ddl_action: Option<StepAction>,
    poll: &Poll,
    log: Log<'_>,
) -> Result<()> {
    let what = if ddl_action == Some(StepAction::CreateView) {
        "VIEW"
    } else {
        "TABLE"
    };
    let name = statement_name(prefix, "drop", table, 1);
    if t.get(&name)?.is_some() {
        t.delete(&name)?;
        wait_gone(t, &name, poll)?;
    }
    log(&format!("drop {} {table}", what.to_lowercase()));
    t.create(&NewStatement {
        name: name.clone(),
        sql: format!("DROP {what} IF EXISTS {}", validate::quote(table)),
        properties: Default::default(),
    })?;
    wait_for(t, &name, false, poll, log)?;
    t.delete(&name)?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
/// Cleans up after promotion: blue tables whose green has run longer than
/// `older_than` seconds, and whose blue statements are no longer running,
/// are dropped with their statements.
pub fn cleanup(
    t: &mut dyn Target,
    env_name: &str,
    env: &Environment,
    plan: &crate::plan::Plan,
    waves: &[DeployWave],
    older_than: u64,
    now: i64,
    dry_run: bool,
    log: Log<'_>,
) -> Result<LifecycleReport> {
    let prefix = env.prefix(env_name);
    let mut report = LifecycleReport {
        environment: env_name.into(),
        command: "cleanup",
        actions: Vec::new(),
        connectors: Vec::new(),
        skipped: Vec::new(),
    };
    for tb in tables_of(plan, waves).iter().rev() {
        // The table stays; its replaced statement went at deploy.
        if tb.in_place {
            report
                .skipped
                .push(format!("{}: upgraded in place, nothing to drop", tb.green));
            continue;
        }
        let Some(blue) = &tb.blue else { continue };
        let mut created = None;
        for n in &tb.statements {
            if let Some(s) = t.get(n)? {
                created = created.max(s.created_at);
            }
        }
        let Some(created) = created else {
            report.skipped.push(format!(
                "{blue}: the age of green `{}` is unknown",
                tb.green
            ));
            continue;
        };
        let age = now - created;
        if age < older_than as i64 {
            report.skipped.push(format!(
                "{blue}: green `{}` is {}s old, younger than {}s",
                tb.green, age, older_than
            ));
            continue;
        }
        let mut blues = statements_of(t, prefix, blue)?;
        for w in writers_of(t, prefix, blue)? {
            if !blues.iter().any(|b| b.name == w.name) {
                blues.push(w);
            }
        }
        if let Some(r) = blues
            .iter()
            .find(|s| matches!(s.phase, Phase::Running | Phase::Pending) && !s.stopped)
        {
            report.skipped.push(format!(
                "{blue}: blue statement `{}` still runs (promote first)",
                r.name
            ));
            continue;
        }
        if dry_run {
            report.actions.push(format!("would drop {blue}"));
            continue;
        }
        for s in &blues {
            log(&format!("delete blue {}", s.name));
            t.delete(&s.name)?;
        }
        drop_table(t, prefix, blue, tb.ddl_action, &env.poll, log)?;
        report.actions.push(format!("dropped {blue}"));
    }
    Ok(report)
}

/// How the target's bounded queries read each table, by quoted name.
fn bounded_reads<'a>(
    t: &mut dyn Target,
    tables: impl IntoIterator<Item = &'a str>,
) -> Result<std::collections::BTreeMap<String, String>> {
    let mut out = std::collections::BTreeMap::new();
    for table in tables {
        let q = validate::quote(table);
        let read = t
            .bounded(&q)
            .with_context(|| format!("cannot read `{table}` with a bounded query"))?;
        out.insert(q, read);
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
/// Validates: optional synthetic records through the sources, then the
/// blue/green checks.
pub fn validate(
    t: &mut dyn Target,
    env_name: &str,
    env: &Environment,
    pairs: &[Pair],
    sources: &[(String, super::ddl::Schema)],
    sinks: &[Pair],
    run_id: &str,
    log: Log<'_>,
) -> Result<Report> {
    let s = &env.validate;
    let prefix = env.prefix(env_name).to_string();
    let mut checks = Vec::new();
    let mut qn = 0usize;
    let mut next_name = |what: &str| {
        qn += 1;
        statement_name(&prefix, "validate", &format!("{run_id}-{what}"), qn)
    };
    if s.synthetic_records > 0 {
        let marker = format!("gl-{run_id}");
        for (table, schema) in sources {
            match validate::synthetic_insert(table, schema, &marker, s.synthetic_records) {
                Some(sql) => {
                    log(&format!(
                        "send {} synthetic records to {table}",
                        s.synthetic_records
                    ));
                    t.query(&next_name("synthetic"), &sql)
                        .with_context(|| format!("cannot send synthetic records to {table}"))?;
                }
                None => log(&format!(
                    "{table}: no literal for a NOT NULL nested column, no synthetic records"
                )),
            }
        }
        for p in sinks {
            let Some(schema) = &p.schema else { continue };
            for (side, table) in
                std::iter::once(("green", &p.green)).chain(p.blue.as_ref().map(|b| ("blue", b)))
            {
                let reads = bounded_reads(t, [table.as_str()])?;
                let bounded = |x: &str| reads.get(x).cloned().unwrap_or_else(|| x.to_string());
                let Some(sql) = validate::marker_query(table, schema, &marker, &bounded) else {
                    checks.push(validate::Check {
                        table: p.green.clone(),
                        check: format!("synthetic({side})"),
                        blue: None,
                        green: validate::Value::Null,
                        threshold: "> 0".into(),
                        passed: true,
                        detail: "no string column to trace the records (not checked)".into(),
                    });
                    continue;
                };
                let start = Instant::now();
                let n = loop {
                    let rows = t.query(&next_name("trace"), &sql)?;
                    let v = validate::value_of(&rows);
                    let reached = matches!(v, validate::Value::Number(x) if x > 0.0);
                    if reached || start.elapsed() >= Duration::from_secs(s.synthetic_wait_secs) {
                        break v;
                    }
                    std::thread::sleep(Duration::from_millis(env.poll.interval_ms.max(100)));
                };
                let passed = matches!(n, validate::Value::Number(x) if x > 0.0);
                checks.push(validate::Check {
                    table: p.green.clone(),
                    check: format!("synthetic({side})"),
                    blue: None,
                    green: n,
                    threshold: "> 0".into(),
                    passed,
                    detail: format!("records marked {marker} in `{table}`"),
                });
            }
        }
    }
    for p in pairs {
        let reads = bounded_reads(t, p.tables())?;
        let bounded = |x: &str| reads.get(x).cloned().unwrap_or_else(|| x.to_string());
        let qs = validate::queries(p, s, &bounded);
        let mut figures: Vec<(String, &'static str, validate::Value)> = Vec::new();
        for q in &qs {
            log(&format!("{} {} of {}", q.side, q.figure, p.green));
            let rows = t
                .query(&next_name("q"), &q.sql)
                .with_context(|| format!("validation query failed: {}", q.sql))?;
            figures.push((q.figure.clone(), q.side, validate::value_of(&rows)));
        }
        let fig = |f: &str, side: &str| {
            figures
                .iter()
                .find(|(x, s, _)| x == f && *s == side)
                .map(|(_, _, v)| v.clone())
        };
        checks.extend(validate::verdicts(p, s, &fig));
    }
    Ok(Report {
        environment: env_name.into(),
        passed: checks.iter().all(|c| c.passed),
        checks,
    })
}

/// What `await` saw on its last check.
#[derive(Debug, Clone, Serialize)]
pub struct ReadyReport {
    /// The environment's name.
    pub environment: String,
    /// Whether green caught up on enough checks in a row.
    pub ready: bool,
    /// Checks made (rounds over every table).
    pub checks: usize,
    /// Seconds from the first check to the last.
    pub elapsed_secs: u64,
    /// Tables behind blue on the last check, with why.
    pub behind: Vec<String>,
    /// The last check's comparisons.
    pub last: Vec<validate::Check>,
}

/// One check of every pair with a blue twin: the count and freshness
/// comparisons, and the tables behind (`table (check: detail; ...)`).
fn readiness_check(
    t: &mut dyn Target,
    env: &Environment,
    pairs: &[Pair],
    next_name: &mut dyn FnMut() -> String,
) -> Result<(Vec<validate::Check>, Vec<String>)> {
    let s = &env.validate;
    let mut all = Vec::new();
    let mut behind = Vec::new();
    for p in pairs.iter().filter(|p| p.blue.is_some()) {
        let reads = bounded_reads(t, p.tables())?;
        let bounded = |x: &str| reads.get(x).cloned().unwrap_or_else(|| x.to_string());
        let mut figures: Vec<(String, &'static str, validate::Value)> = Vec::new();
        let mut unreadable = None;
        for q in validate::queries(p, s, &bounded)
            .into_iter()
            .filter(|q| validate::is_readiness_figure(&q.figure))
        {
            match t.query(&next_name(), &q.sql) {
                Ok(rows) => figures.push((q.figure.clone(), q.side, validate::value_of(&rows))),
                // A table green has not written yet may not be readable
                // (a filesystem sink's folder before its first commit):
                // behind, for now.
                Err(TargetError::Failed(e)) => {
                    unreadable = Some(format!("cannot read {} yet: {e}", q.side));
                    break;
                }
                Err(e) => {
                    return Err(e).with_context(|| format!("readiness query failed: {}", q.sql));
                }
            }
        }
        if let Some(why) = unreadable {
            behind.push(format!("{} ({why})", p.green));
            continue;
        }
        let fig = |f: &str, side: &str| {
            figures
                .iter()
                .find(|(x, s, _)| x == f && *s == side)
                .map(|(_, _, v)| v.clone())
        };
        let checks = validate::verdicts(p, s, &fig);
        let failing: Vec<String> = checks
            .iter()
            .filter(|c| !c.passed)
            .map(|c| format!("{}: {}", c.check, c.detail))
            .collect();
        if !failing.is_empty() {
            behind.push(format!("{} ({})", p.green, failing.join("; ")));
        }
        all.extend(checks);
    }
    Ok((all, behind))
}

/// Waits until every green table has caught up with its blue twin: its
/// count within `validate.count_tolerance` and its latest event time within
/// `validate.max_lag_secs`, on `readiness.consecutive_checks` checks in a
/// row, `readiness.interval_secs` apart. Progress goes to `log`; at
/// `timeout` the error names the tables still behind.
pub fn await_ready(
    t: &mut dyn Target,
    env_name: &str,
    env: &Environment,
    pairs: &[Pair],
    timeout: Duration,
    run_id: &str,
    log: Log<'_>,
) -> Result<ReadyReport> {
    let prefix = env.prefix(env_name).to_string();
    let needed = env.readiness.consecutive_checks.max(1) as usize;
    let interval = Duration::from_secs(env.readiness.interval_secs);
    let twins = pairs.iter().filter(|p| p.blue.is_some()).count();
    for p in pairs.iter().filter(|p| p.blue.is_none()) {
        log(&format!(
            "{}: a new table, nothing to catch up with",
            p.green
        ));
    }
    let start = Instant::now();
    let mut qn = 0usize;
    let mut next_name = || {
        qn += 1;
        statement_name(&prefix, "await", &format!("{run_id}-q"), qn)
    };
    let mut streak = 0usize;
    let mut checks = 0usize;
    loop {
        checks += 1;
        let (last, behind) = readiness_check(t, env, pairs, &mut next_name)?;
        streak = if behind.is_empty() { streak + 1 } else { 0 };
        let mut line = format!(
            "check {checks} ({}s): {} of {twins} tables caught up",
            start.elapsed().as_secs(),
            twins - behind.len()
        );
        if behind.is_empty() {
            line.push_str(&format!(" ({streak} of {needed} checks in a row)"));
        } else {
            line.push_str(&format!("; behind: {}", behind.join(", ")));
        }
        log(&line);
        let report = |ready: bool, behind: Vec<String>, last: Vec<validate::Check>| ReadyReport {
            environment: env_name.into(),
            ready,
            checks,
            elapsed_secs: start.elapsed().as_secs(),
            behind,
            last,
        };
        if streak >= needed {
            return Ok(report(true, behind, last));
        }
        if start.elapsed() + interval > timeout {
            let what = if behind.is_empty() {
                format!(
                    "every table caught up on the last check, but not on {needed} checks in a row"
                )
            } else {
                format!("still behind: {}", behind.join(", "))
            };
            bail!(
                "green has not caught up with blue on `{env_name}` within {}s: {what}\n  hint: wait longer (--timeout), or look at the green jobs; thresholds: validate.count_tolerance, validate.max_lag_secs",
                timeout.as_secs()
            );
        }
        std::thread::sleep(interval);
    }
}
