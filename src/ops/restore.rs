//! RESTORE DATABASE / LOG FROM URL as an operation (`sqlurl_restore_start`).
//!
//! Order of work, all checks **before** the first RESTORE is sent:
//! 1. connect a dedicated connection without command timeout, read `@@SPID`;
//! 2. read the header(s): one backup set (`urls` are its stripes), or with `sequence` every URL
//!    separately, grouped into sets and ordered into a chain ([`super::sequence`]); a gap is a
//!    `BackupChainBroken` precondition error;
//! 3. the target database must not exist unless `replace` is set (`DatabaseExists`);
//! 4. file moves: explicit `move`, or automatic relocation from FILELISTONLY to the server's
//!    default data/log paths ([`super::relocate`]), never onto another database's files;
//! 5. the RESTORE statements run in order (NORECOVERY on all but the last; STOPAT on the last
//!    log); progress is polled on a second connection; cancel sends ATTENTION.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::api::{ConnectionRequest, FileMove, ItemResult, RestoreResult, StepInfo};
use crate::connect::rows::{cell_i64, cell_string};
use crate::connect::{query_rows, Client};
use crate::errors::{Error, ErrorKind, Result};
use crate::operation::{ItemOutcome, OpKind, Operation, Reporter};
use crate::ops::fail;
use crate::ops::long_statement::{connect_cancellable, run_long, Progress, RunOutcome};
use crate::ops::inspect::{self, BackupHeader};
use crate::ops::relocate::{relocate, UsedFile};
use crate::ops::sequence::{self, BackupSet, Step};
use crate::tsql::restore::{build_restore, format_stop_at, parse_point_in_time, validate_mark_name, PointInTime, RestoreKind, RestoreSpec, StopMark};
use crate::tsql::{self, Sql};

fn default_true() -> bool {
    true
}

/// The Restore request of the JSON contract.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestoreRequest {
    pub connection: ConnectionRequest,
    pub urls: Vec<String>,
    #[serde(default)]
    pub sequence: bool,
    #[serde(default)]
    pub database: Option<String>,
    #[serde(default)]
    pub replace: bool,
    #[serde(default = "default_true")]
    pub recovery: bool,
    /// Server-local time without an offset, or an instant with `Z` / `+hh:mm` (converted with the
    /// server's own offset, `SYSDATETIMEOFFSET()`).
    #[serde(default)]
    pub stop_at: Option<String>,
    /// `STOPATMARK = N'…'`: stop after the marked transaction (or `lsn:<number>`).
    #[serde(default)]
    pub stop_at_mark: Option<String>,
    /// `STOPBEFOREMARK = N'…'`: stop just before the marked transaction.
    #[serde(default)]
    pub stop_before_mark: Option<String>,
    /// `AFTER N'…'` for a mark: the first mark of that name after this time (forms as `stop_at`).
    #[serde(default)]
    pub stop_mark_after: Option<String>,
    #[serde(default)]
    pub checksum: bool,
    #[serde(default, rename = "move")]
    pub moves: Option<BTreeMap<String, String>>,
    #[serde(default = "default_true")]
    pub relocate: bool,
    #[serde(default)]
    pub dry_run: bool,
}

/// Where the restore stops, resolved to the server's local time.
#[derive(Debug, Clone, Default, PartialEq)]
struct Stop {
    at: Option<chrono::NaiveDateTime>,
    mark: Option<StopMark>,
}

impl RestoreRequest {
    fn mark(&self) -> Option<(&str, bool)> {
        match (&self.stop_at_mark, &self.stop_before_mark) {
            (Some(m), _) => Some((m.as_str(), false)),
            (None, Some(m)) => Some((m.as_str(), true)),
            (None, None) => None,
        }
    }

    /// Resolves `stop_at` / the mark to the server's local time (pure; `offset` from the server).
    fn resolve_stop(&self, offset_minutes: i32) -> Result<Stop> {
        let pit = |s: &str| parse_point_in_time(s).map_err(|e| Error::invalid(e.to_string()));
        let at = self.stop_at.as_deref().map(pit).transpose()?.map(|p| p.server_local(offset_minutes));
        let mark = match self.mark() {
            None => None,
            Some((name, before)) => {
                let after = self.stop_mark_after.as_deref().map(pit).transpose()?.map(|p| format_stop_at(&p.server_local(offset_minutes)));
                Some(StopMark { name: name.to_string(), before, after })
            }
        };
        Ok(Stop { at, mark })
    }

    pub fn validate(&self) -> Result<()> {
        if self.urls.is_empty() {
            return Err(Error::invalid("urls is empty: give the backup's URL(s)."));
        }
        if !self.sequence && self.urls.len() > 64 {
            return Err(Error::invalid(format!("a backup set has at most 64 stripes; {} urls were given (set sequence for several backups).", self.urls.len())));
        }
        for u in &self.urls {
            crate::tsql::backup::validate_url(u).map_err(|e| Error::InvalidUrl(e.to_string()))?;
        }
        if let Some(d) = &self.database {
            if d.trim().is_empty() {
                return Err(Error::invalid("database is empty or only white space: name the target database, or leave it out to use the name in the backup."));
            }
            if d.chars().count() > 128 {
                return Err(Error::invalid(format!("database is {} characters long; a database name has at most 128 (sysname).", d.chars().count())));
            }
        }
        if let Some(s) = &self.stop_at {
            parse_point_in_time(s).map_err(|e| Error::invalid(e.to_string()))?;
        }
        let marks = [self.stop_at.is_some(), self.stop_at_mark.is_some(), self.stop_before_mark.is_some()];
        if marks.iter().filter(|b| **b).count() > 1 {
            return Err(Error::invalid("give only one of stop_at, stop_at_mark and stop_before_mark."));
        }
        if let Some((name, _)) = self.mark() {
            validate_mark_name(name).map_err(|e| Error::invalid(e.to_string()))?;
        }
        if let Some(a) = &self.stop_mark_after {
            if self.mark().is_none() {
                return Err(Error::invalid("stop_mark_after needs stop_at_mark or stop_before_mark."));
            }
            parse_point_in_time(a).map_err(|e| Error::invalid(format!("stop_mark_after: {e}")))?;
        }
        if let Some(m) = &self.moves {
            for (k, v) in m {
                if k.is_empty() || v.trim().is_empty() {
                    return Err(Error::invalid(format!("move: the logical file '{k}' needs a physical path.")));
                }
            }
        }
        Ok(())
    }
}

/// Validates the request and starts the operation (returns at once).
pub fn start(mut req: RestoreRequest) -> Result<Operation> {
    // scheme and host in lower case, as the credential is named; blob paths are kept
    req.urls = req.urls.iter().map(|u| crate::url::normalise_blob_url(u)).collect();
    req.validate()?;
    let label = req.database.clone().unwrap_or_default();
    let req = Arc::new(req);
    Ok(Operation::start(OpKind::Restore, vec![label], 1, move |rep| restore_one(req.clone(), rep)))
}

fn type_name(h: &BackupHeader) -> String {
    match h.backup_type {
        1 => "full".into(),
        2 => "log".into(),
        5 => "differential".into(),
        n => format!("type {n}"),
    }
}

/// Reads the server facts the restore needs: default paths and every database file.
async fn server_paths(client: &mut Client) -> Result<(Option<String>, Option<String>, Vec<UsedFile>)> {
    let rows = query_rows(client, &tsql::default_paths()).await?;
    let (data, log) = rows.first().map(|r| (cell_string(r, "data_path"), cell_string(r, "log_path"))).unwrap_or((None, None));
    // two plain queries joined here (no DB_NAME per row): any server and the simulator answer them
    let dbs = query_rows(client, &tsql::database_ids()).await?;
    let names: Vec<(i64, String)> = dbs.iter().filter_map(|r| Some((cell_i64(r, "database_id")?, cell_string(r, "name")?))).collect();
    let files = query_rows(client, &tsql::all_database_files()).await?;
    let used = files
        .iter()
        .filter_map(|r| {
            let id = cell_i64(r, "database_id")?;
            let database = names.iter().find(|(i, _)| *i == id).map(|(_, n)| n.clone()).unwrap_or_else(|| format!("database id {id}"));
            Some(UsedFile { database, physical_name: cell_string(r, "physical_name")? })
        })
        .collect();
    Ok((data, log, used))
}

async fn database_exists(client: &mut Client, name: &str) -> Result<Option<String>> {
    let rows = query_rows(client, &tsql::database_state(name)).await?;
    Ok(rows.first().map(|r| cell_string(r, "state_desc").unwrap_or_default()))
}

/// The server's offset from UTC in minutes (`DATEPART(TZOFFSET, SYSDATETIMEOFFSET())`).
async fn server_offset_minutes(client: &mut Client) -> Result<i32> {
    let rows = query_rows(client, &tsql::server_utc_offset()).await?;
    rows.first()
        .and_then(|r| cell_i64(r, "tz_offset_minutes"))
        .filter(|m| m.abs() <= 14 * 60)
        .map(|m| m as i32)
        .ok_or_else(|| Error::Internal("SYSDATETIMEOFFSET() returned no usable offset".into()))
}

/// Builds the plan: the steps (sets in order) from the headers. `stop_at` is server-local.
async fn plan_steps(client: &mut Client, req: &RestoreRequest, stop_at: Option<chrono::NaiveDateTime>) -> Result<Vec<Step>> {
    if !req.sequence {
        let headers = inspect::read_headers(client, &req.urls).await?;
        let header = headers
            .into_iter()
            .next()
            .ok_or_else(|| Error::invalid("RESTORE HEADERONLY returned no backup set for these URLs"))?;
        return Ok(vec![Step { is_database: header.backup_type != 2, set: BackupSet { header, urls: req.urls.clone() } }]);
    }
    let mut pairs = Vec::new();
    for u in &req.urls {
        let hs = inspect::read_headers(client, std::slice::from_ref(u)).await?;
        let h = hs.into_iter().next().ok_or_else(|| Error::invalid(format!("RESTORE HEADERONLY returned no backup set for {u}")))?;
        pairs.push((u.clone(), h));
    }
    sequence::plan(sequence::group(pairs), stop_at).map_err(|e| match e {
        sequence::SequenceError::BadLsn { .. }
        | sequence::SequenceError::UnsupportedType(..)
        | sequence::SequenceError::StopAtWithoutLogs
        | sequence::SequenceError::MixedDatabases(..) => Error::invalid(e.to_string()),
        _ => Error::Precondition { kind: ErrorKind::BackupChainBroken, message: e.to_string() },
    })
}

/// The statements, one per step.
fn statements(req: &RestoreRequest, target: &str, steps: &[Step], moves: &[(String, String)], stop: &Stop) -> Result<Vec<String>> {
    let n = steps.len();
    let mut out = Vec::with_capacity(n);
    for (i, st) in steps.iter().enumerate() {
        let last = i + 1 == n;
        let kind = if st.is_database { RestoreKind::Database } else { RestoreKind::Log };
        let mut spec = RestoreSpec::new(target, kind, st.set.urls.clone());
        if i == 0 {
            spec.moves = moves.to_vec();
            spec.replace = req.replace;
        }
        spec.recovery = last && req.recovery;
        spec.checksum = req.checksum;
        // STOPAT / the mark only where a log is applied last (SQL Server applies them to log
        // restores); the time is the server-local one resolved before
        if last && !st.is_database {
            spec.stop_at = stop.at.as_ref().map(format_stop_at);
            spec.stop_mark = stop.mark.clone();
        }
        out.push(build_restore(&spec).map_err(|e| Error::invalid(e.to_string()))?);
    }
    Ok(out)
}

async fn restore_one(req: Arc<RestoreRequest>, rep: Reporter) -> ItemOutcome {
    let mut res = RestoreResult { database: req.database.clone().unwrap_or_default(), urls: req.urls.clone(), ..Default::default() };
    match restore_steps(&req, &rep, &mut res).await {
        Ok(()) => ItemOutcome::succeeded(&ItemResult::Restore(res)),
        Err(e) => fail(res, e),
    }
}

/// What is known before the first RESTORE is sent.
struct Prepared {
    spid: i32,
    steps: Vec<Step>,
    target: String,
    moves: Vec<(String, String)>,
    statements: Vec<String>,
    /// The server's offset from UTC, when it was read (a point in time was given).
    offset: Option<i32>,
}

/// STOPAT is read in the server's local time: resolve the caller's point with the server's own
/// offset (kept for the result, in both forms). A point given without an offset needs no
/// conversion: then the offset only serves the result's UTC form, and a server that cannot
/// tell it does not stop the restore.
async fn stop_point(client: &mut Client, req: &RestoreRequest) -> Result<(Stop, Option<i32>)> {
    let absolute = |s: &Option<String>| s.as_deref().map(|t| matches!(parse_point_in_time(t), Ok(PointInTime::Absolute(_)))).unwrap_or(false);
    let offset = if absolute(&req.stop_at) || absolute(&req.stop_mark_after) {
        Some(server_offset_minutes(client).await?)
    } else if req.stop_at.is_some() || req.stop_mark_after.is_some() {
        server_offset_minutes(client).await.ok()
    } else {
        None
    };
    Ok((req.resolve_stop(offset.unwrap_or(0))?, offset))
}

/// The file moves of the first (full) restore: explicit, automatic relocation, or none.
async fn file_moves(client: &mut Client, req: &RestoreRequest, steps: &[Step], target: &str) -> Result<Vec<(String, String)>> {
    if steps[0].set.header.backup_type != 1 {
        return Ok(vec![]); // files are placed by the full restore; MOVE only applies there
    }
    if let Some(m) = &req.moves {
        return Ok(m.iter().map(|(k, v)| (k.clone(), v.clone())).collect());
    }
    if !req.relocate {
        return Ok(vec![]);
    }
    let files = inspect::read_filelist(client, &steps[0].set.urls).await?;
    let (data, log, used) = server_paths(client).await?;
    relocate(&files, target, data.as_deref(), log.as_deref(), &used).map_err(|e| match e {
        crate::ops::relocate::RelocateError::InUse { .. } | crate::ops::relocate::RelocateError::Collision(_) => {
            Error::Precondition { kind: ErrorKind::FilesInUse, message: e.to_string() }
        }
        other => Error::invalid(other.to_string()),
    })
}

/// Every check before the first RESTORE: session id, the plan, the target, the file moves.
async fn prepare(client: &mut Client, req: &RestoreRequest) -> Result<Prepared> {
    let rows = query_rows(client, &tsql::session_id()).await?;
    let spid = rows.first().and_then(|r| cell_i64(r, "spid")).ok_or_else(|| Error::Internal("SELECT @@SPID returned nothing".into()))? as i32;
    let (stop, offset) = stop_point(client, req).await?;
    let steps = plan_steps(client, req, stop.at).await?;
    let target = req.database.clone().unwrap_or_else(|| steps[0].set.header.database_name.clone());
    if target.trim().is_empty() {
        return Err(Error::invalid("the backup header names no database; pass database"));
    }
    if (req.stop_at.is_some() || req.mark().is_some()) && steps.iter().all(|s| s.is_database) {
        return Err(Error::invalid("stop_at / stop_at_mark / stop_before_mark need a log backup to stop in: give the log backups too (with sequence: true)"));
    }
    let starts_with_full = steps[0].set.header.backup_type == 1;
    if let Some(state) = database_exists(client, &target).await? {
        // Continuing a restore sequence (a differential or log onto a RESTORING database)
        // overwrites nothing; anything else over an existing database needs `replace`.
        let continues = !starts_with_full && state.eq_ignore_ascii_case("RESTORING");
        if !req.replace && !continues {
            return Err(Error::Precondition {
                kind: ErrorKind::DatabaseExists,
                message: format!("Database '{target}' already exists (state {state}); nothing was restored. Set replace to overwrite it, or restore under another name."),
            });
        }
    }
    let moves = file_moves(client, req, &steps, &target).await?;
    let statements = statements(req, &target, &steps, &moves, &stop)?;
    Ok(Prepared { spid, steps, target, moves, statements, offset })
}

/// Runs the statements in order (NORECOVERY until the last), stopping at a cancel or failure.
async fn run_statements(client: &mut Client, p: &Prepared, cancel: &CancellationToken, rep: &Reporter) -> Result<RunOutcome> {
    let mut outcome: Result<RunOutcome> = Ok(RunOutcome::Done);
    let n = p.statements.len();
    for (i, sql) in p.statements.iter().enumerate() {
        let verb = if p.steps[i].is_database { "RESTORE DATABASE" } else { "RESTORE LOG" };
        rep.set_phase(i, n);
        outcome = run_long(client, &Sql::plain(sql.as_str()), cancel, verb).await;
        match &outcome {
            Ok(RunOutcome::Done) => rep.message(format!("step {}/{} done: {} backup restored", i + 1, n, type_name(&p.steps[i].set.header))),
            _ => break,
        }
    }
    outcome
}

/// The restore: connect, prepare (every check), run the steps with progress. Fills `res` as it
/// goes (a failure keeps what was learnt).
pub(crate) async fn restore_steps(req: &RestoreRequest, rep: &Reporter, res: &mut RestoreResult) -> Result<()> {
    let cancel = rep.cancel_token();
    let mut client = connect_cancellable(&req.connection, &cancel).await?;
    let p = tokio::select! {
        p = prepare(&mut client, req) => p,
        _ = cancel.cancelled() => Err(Error::Cancelled),
    }?;
    if let Some(Ok(pit)) = req.stop_at.as_deref().map(parse_point_in_time) {
        // server-local always; UTC when the server's offset is known
        res.stop_at_server_local = Some(format_stop_at(&pit.server_local(p.offset.unwrap_or(0))));
        res.stop_at_utc = p.offset.map(|off| format!("{}Z", format_stop_at(&pit.utc(off))));
    }
    res.server_utc_offset_minutes = p.offset;
    let target = p.target.clone();
    res.database = target.clone();
    rep.set_database(&target);
    res.files = p.moves.iter().map(|(l, ph)| FileMove { logical_name: l.clone(), physical_name: ph.clone() }).collect();
    res.steps = p
        .steps
        .iter()
        .zip(&p.statements)
        .map(|(s, q)| StepInfo { url: s.set.urls.join(" "), backup_type: type_name(&s.set.header), statement: q.clone() })
        .collect();
    res.statements = p.statements.clone();
    if req.dry_run {
        res.message = format!("dry run: nothing was restored; {} statement(s) would run", p.statements.len());
        return Ok(());
    }

    let progress = Progress::start(&req.connection, p.spid, rep);
    let t0 = Instant::now();
    let outcome = run_statements(&mut client, &p, &cancel, rep).await;
    progress.stop().await;
    let duration = t0.elapsed().as_secs_f64();
    res.duration_seconds = Some((duration * 1000.0).round() / 1000.0);
    if let RunOutcome::Cancelled { attention_acknowledged } = outcome? {
        drop(client);
        res.message = format!(
            "RESTORE of '{target}' was cancelled after {duration:.1} s: {}; the database may be left in the RESTORING state.",
            RunOutcome::cancel_text(attention_acknowledged)
        );
        return Err(Error::Cancelled);
    }
    left_restoring_warning(&mut client, req, rep, res).await;
    res.message = format!(
        "RESTORE of '{target}' completed: {} step(s) in {duration:.3} seconds{}. (Measured by SqlUrlBackup: the server's own completion message is not passed on by the driver.)",
        p.statements.len(),
        if !res.warnings.is_empty() { ", database left RESTORING (see warnings)" } else if req.recovery { ", database recovered" } else { ", left in NORECOVERY" }
    );
    crate::connect::close(client).await;
    Ok(())
}

/// A point in time after the end of the logs given: SQL Server applies them all, sends
/// information message 4322 and leaves the database RESTORING (the driver does not pass
/// information messages on, so the state tells). Adds a warning when that happened.
async fn left_restoring_warning(client: &mut Client, req: &RestoreRequest, rep: &Reporter, res: &mut RestoreResult) {
    if !(req.recovery && (req.stop_at.is_some() || req.mark().is_some())) {
        return;
    }
    if let Ok(Some(state)) = database_exists(client, &res.database).await {
        if state.eq_ignore_ascii_case("RESTORING") {
            res.warnings.push(format!(
                "'{}' was left RESTORING, not recovered: the stop point{} lies after the end of the log backups given (SQL Server message 4322). Restore the next log backup with the same stop point, or recover as it is with RESTORE DATABASE ... WITH RECOVERY.",
                res.database,
                res.stop_at_server_local.as_deref().map(|t| format!(" ({t} server time)")).unwrap_or_default()
            ));
            rep.message(res.warnings.last().cloned().unwrap_or_default());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(extra: &str) -> std::result::Result<RestoreRequest, Error> {
        let r: RestoreRequest = crate::ops::test_request(extra)?;
        r.validate()?;
        Ok(r)
    }

    fn set(kind: i32, urls: &[&str]) -> Step {
        Step {
            is_database: kind != 2,
            set: BackupSet { header: BackupHeader { backup_type: kind, ..Default::default() }, urls: urls.iter().map(|s| s.to_string()).collect() },
        }
    }

    #[test]
    fn statements_norecovery_until_the_last_and_stopat_on_the_last_log() {
        let r = req(r#""urls":["https://acct.blob.core.windows.net/ctr/f.bak"],"sequence":true,"stop_at":"2026-11-26T12:25:00","replace":true"#).unwrap();
        let steps = vec![
            set(1, &["https://acct.blob.core.windows.net/ctr/f1.bak", "https://acct.blob.core.windows.net/ctr/f2.bak"]),
            set(5, &["https://acct.blob.core.windows.net/ctr/d.bak"]),
            set(2, &["https://acct.blob.core.windows.net/ctr/l1.bak"]),
            set(2, &["https://acct.blob.core.windows.net/ctr/l2.bak"]),
        ];
        let stop = r.resolve_stop(0).unwrap();
        let s = statements(&r, "Sales", &steps, &[("Sales".into(), "F:\\data\\Sales.mdf".into())], &stop).unwrap();
        assert_eq!(s.len(), 4);
        assert!(s[0].starts_with("RESTORE DATABASE [Sales] FROM URL = N'https://acct.blob.core.windows.net/ctr/f1.bak', URL = N'https://acct.blob.core.windows.net/ctr/f2.bak' WITH MOVE N'Sales' TO N'F:\\data\\Sales.mdf', REPLACE, NORECOVERY"), "{}", s[0]);
        assert!(s[1].starts_with("RESTORE DATABASE [Sales] FROM URL = N'https://acct.blob.core.windows.net/ctr/d.bak' WITH NORECOVERY"), "{}", s[1]);
        assert!(!s[1].contains("MOVE") && !s[1].contains("REPLACE"));
        assert!(s[2].starts_with("RESTORE LOG [Sales]") && s[2].contains("NORECOVERY") && !s[2].contains("STOPAT"), "{}", s[2]);
        assert!(s[3].contains("WITH RECOVERY, STOPAT = N'2026-11-26T12:25:00.000'"), "{}", s[3]);
    }

    #[test]
    fn stop_points_resolve_to_server_local_time_and_marks_go_on_the_last_log() {
        let r = req(r#""urls":["https://acct.blob.core.windows.net/ctr/f.bak"],"sequence":true,"stop_at":"2026-11-26T10:25:00.250Z""#).unwrap();
        let stop = r.resolve_stop(120).unwrap();
        assert_eq!(stop.at.map(|t| format_stop_at(&t)), Some("2026-11-26T12:25:00.250".into()));
        let r = req(r#""urls":["https://acct.blob.core.windows.net/ctr/f.bak"],"sequence":true,"stop_before_mark":"Price'Update","stop_mark_after":"2026-11-26T10:00:00+01:00""#).unwrap();
        let stop = r.resolve_stop(-300).unwrap();
        let steps = vec![set(1, &["https://acct.blob.core.windows.net/ctr/f.bak"]), set(2, &["https://acct.blob.core.windows.net/ctr/l1.bak"]), set(2, &["https://acct.blob.core.windows.net/ctr/l2.bak"])];
        let s = statements(&r, "Sales", &steps, &[], &stop).unwrap();
        assert!(!s[1].contains("MARK"), "{}", s[1]);
        assert!(s[2].contains("WITH RECOVERY, STOPBEFOREMARK = N'Price''Update' AFTER N'2026-11-26T04:00:00.000'"), "{}", s[2]);
        // exclusive, and AFTER needs a mark
        assert!(req(r#""urls":["https://acct.blob.core.windows.net/ctr/f.bak"],"stop_at":"2026-11-26T10:25:00","stop_at_mark":"m""#).unwrap_err().to_string().contains("only one"));
        assert!(req(r#""urls":["https://acct.blob.core.windows.net/ctr/f.bak"],"stop_mark_after":"2026-11-26T10:25:00""#).unwrap_err().to_string().contains("needs stop_at_mark"));
        assert!(req(r#""urls":["https://acct.blob.core.windows.net/ctr/f.bak"],"stop_at_mark":" ""#).unwrap_err().to_string().contains("mark name"));
    }

    #[test]
    fn request_validation() {
        assert!(req(r#""urls":[]"#).unwrap_err().to_string().contains("urls is empty"));
        assert!(matches!(req(r#""urls":["http://x/y.bak"]"#), Err(Error::InvalidUrl(_))));
        assert!(req(r#""urls":["https://acct.blob.core.windows.net/ctr/f.bak"],"stop_at":"soon""#).unwrap_err().to_string().contains("soon"));
        assert!(req(r#""urls":["https://acct.blob.core.windows.net/ctr/f.bak"],"move":{"a":""}"#).is_err());
        assert!(req(r#""urls":["https://acct.blob.core.windows.net/ctr/f.bak"],"replase":true"#).unwrap_err().to_string().contains("replase"));
        let r = req(r#""urls":["https://acct.blob.core.windows.net/ctr/f.bak"]"#).unwrap();
        assert!(r.recovery && r.relocate && !r.replace && !r.sequence);
    }
}
