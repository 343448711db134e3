//! The restore drill (`sqlurl_restore_drill_start`, issue 15): for each database, the newest
//! restorable chain from the container's catalog is restored on a test server under a scratch
//! name with every file relocated, checked with DBCC CHECKDB, and dropped — always, also when the
//! restore or CHECKDB failed or the operation was cancelled (best effort; a failed DROP is
//! reported). One [`Operation`] item per database, at most `throttle` at once; each item's
//! DrillResult is final as soon as that database is done.
//!
//! The chain comes from the same planner as a restore by name ([`crate::storage::catalog`]),
//! the restore is the sequence restore of [`crate::ops::restore`] (its checks, relocation and
//! progress), the statements of the check and the drop are in [`crate::tsql::drill`].

use std::sync::Arc;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tokio::sync::OnceCell;

use crate::api::{CheckDbOutcome, ConnectionRequest, DrillResult, RestoreResult};
use crate::api_catalog::{BackupChainResult, StorageRequest};
use crate::backup_catalog::group::Catalog;
use crate::connect::messages::with_server_errors;
use crate::connect::rows::cell_string;
use crate::errors::{Error, ErrorKind, Result};
use crate::operation::{ItemOutcome, OpKind, Operation, Reporter};
use crate::ops::drill_report::{checkdb_outcome, finish, restore_point, scratch_name};
use crate::ops::long_statement::{connect_cancellable, run_long, RunOutcome};
use crate::ops::restore::RestoreRequest;
use crate::tsql;

fn default_throttle() -> u32 {
    2
}

/// The RestoreDrill request of the JSON contract.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestoreDrillRequest {
    /// The TEST server the copies are restored on (it needs a credential for the container).
    pub connection: ConnectionRequest,
    /// The container whose catalog names the backups.
    pub storage: StorageRequest,
    pub databases: Vec<String>,
    /// Server-local time (as backup dates are); `null`: the newest point the backups reach.
    #[serde(default)]
    pub point_in_time: Option<String>,
    #[serde(default)]
    pub prefix: Option<String>,
    /// Databases drilled at once (1-16, default 2).
    #[serde(default = "default_throttle")]
    pub throttle: u32,
    /// Pick the chains and name the copies, send nothing to the server.
    #[serde(default)]
    pub dry_run: bool,
}

impl RestoreDrillRequest {
    pub fn validate(&self) -> Result<Option<chrono::NaiveDateTime>> {
        if self.databases.is_empty() {
            return Err(Error::invalid("databases is empty: name at least one database whose backups to drill."));
        }
        for (i, d) in self.databases.iter().enumerate() {
            if d.trim().is_empty() || d.chars().count() > 128 {
                return Err(Error::invalid(format!("databases[{i}] is not a database name (1-128 characters, not only white space).")));
            }
            if self.databases[..i].iter().any(|p| p.eq_ignore_ascii_case(d)) {
                return Err(Error::invalid(format!("database '{d}' is listed twice.")));
            }
        }
        if !(1..=16).contains(&self.throttle) {
            return Err(Error::invalid(format!("throttle must be between 1 and 16; got {}.", self.throttle)));
        }
        crate::url::parse_container_url(&self.storage.container_url)?;
        crate::storage::catalog::parse_point(self.point_in_time.as_deref())
    }
}

/// What every item of one drill shares: the request and the catalog, read once.
struct Drill {
    req: RestoreDrillRequest,
    point: Option<chrono::NaiveDateTime>,
    catalog: OnceCell<Result<Arc<Catalog>>>,
}

impl Drill {
    async fn chain(&self, database: &str) -> Result<BackupChainResult> {
        let cat = self
            .catalog
            .get_or_init(|| async { crate::storage::catalog::read_catalog(&self.req.storage, self.req.prefix.as_deref(), None).await.map(|(c, _, _)| Arc::new(c)) })
            .await
            .clone()?;
        crate::storage::catalog::chain_in(&cat, database, self.point)
    }
}

/// Validates the request and starts the drill (returns at once).
pub fn start(req: RestoreDrillRequest) -> Result<Operation> {
    let point = req.validate()?;
    let names = req.databases.clone();
    let throttle = req.throttle as usize;
    let drill = Arc::new(Drill { req, point, catalog: OnceCell::new() });
    Ok(Operation::start(OpKind::Drill, names, throttle, move |rep| drill_one(drill.clone(), rep)))
}

fn short_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_string()
}

async fn drill_one(drill: Arc<Drill>, rep: Reporter) -> ItemOutcome {
    let database = rep.database();
    let mut res = DrillResult { scratch_database: scratch_name(&database, &short_id()), database, dry_run: drill.req.dry_run, dropped: true, ..Default::default() };
    let failure = run(&drill, &rep, &mut res).await.err();
    let ours = !matches!(&failure, Some(Error::Precondition { kind: ErrorKind::DatabaseExists, .. }));
    if !drill.req.dry_run && ours {
        drop_scratch(&drill.req.connection, &rep, &mut res).await;
    }
    rep.set_database(&res.database);
    finish(res, failure)
}

/// The chain, the restore under the scratch name and CHECKDB. Fills `res` as it goes.
async fn run(drill: &Drill, rep: &Reporter, res: &mut DrillResult) -> Result<()> {
    let chain = drill.chain(&res.database).await?;
    res.backup_sets = chain.steps.len() as u32;
    res.full_finish = chain.steps.first().and_then(|s| s.finish.clone());
    res.urls = chain.urls.clone();
    res.warnings = chain.skipped.iter().map(|s| format!("not used: {s}")).collect();
    // STOPAT applies to a log restored last; a chain that ends with a full or differential
    // reaches that set's finish
    let ends_with_log = chain.steps.last().is_some_and(|s| s.kind == "log");
    let stop_at = chain.point_in_time.clone().filter(|_| ends_with_log);
    res.restore_point = restore_point(stop_at.as_deref(), chain.steps.last().and_then(|s| s.finish.as_deref()));
    if drill.req.dry_run {
        res.statements = vec![tsql::drill::checkdb(&res.scratch_database).masked().to_string(), tsql::drill::drop_database(&res.scratch_database).masked().to_string()];
        return Ok(());
    }
    let rreq = RestoreRequest {
        connection: drill.req.connection.clone(),
        urls: chain.urls,
        sequence: true,
        database: Some(res.scratch_database.clone()),
        replace: false,
        recovery: true,
        stop_at,
        stop_at_mark: None,
        stop_before_mark: None,
        stop_mark_after: None,
        checksum: false,
        moves: None,
        relocate: true,
        dry_run: false,
    };
    rreq.validate()?;
    let mut rres = RestoreResult::default();
    let restored = crate::ops::restore::restore_steps(&rreq, rep, &mut rres).await;
    rep.set_database(&res.database);
    res.restore_seconds = rres.duration_seconds;
    res.files = rres.files;
    res.statements = rres.statements;
    res.warnings.extend(rres.warnings.iter().cloned());
    restored?;
    if !rres.warnings.is_empty() {
        return Err(Error::Precondition { kind: ErrorKind::SqlError, message: format!("The copy '{}' was not recovered, so DBCC CHECKDB cannot run: {}", res.scratch_database, rres.warnings.join(" ")) });
    }
    checkdb(&drill.req.connection, rep, res).await
}

/// DBCC CHECKDB on the copy, every error message collected.
async fn checkdb(connection: &ConnectionRequest, rep: &Reporter, res: &mut DrillResult) -> Result<()> {
    let cancel = rep.cancel_token();
    let mut client = connect_cancellable(connection, &cancel).await?;
    let sql = tsql::drill::checkdb(&res.scratch_database);
    res.statements.push(sql.masked().to_string());
    rep.message(format!("DBCC CHECKDB on '{}'", res.scratch_database));
    let t0 = Instant::now();
    let (outcome, messages) = with_server_errors(run_long(&mut client, &sql, &cancel, "DBCC CHECKDB")).await;
    res.checkdb_seconds = Some((t0.elapsed().as_secs_f64() * 1000.0).round() / 1000.0);
    let cancelled = matches!(outcome, Ok(RunOutcome::Cancelled { .. }));
    if cancelled {
        drop(client);
        return Err(Error::Cancelled);
    }
    crate::connect::close(client).await;
    let (o, m, e) = checkdb_outcome(outcome.map(|_| ()), messages);
    res.checkdb = o;
    res.checkdb_messages = m;
    if o != CheckDbOutcome::NotRun {
        rep.message(format!("DBCC CHECKDB on '{}': {}", res.scratch_database, if o == CheckDbOutcome::Clean { "clean" } else { "corruption found" }));
    }
    e.map_or(Ok(()), Err)
}

/// DROP DATABASE of the copy when it exists (also after a failure or a cancel: on a connection
/// of its own, not cancellable, bounded by the connection's timeouts).
async fn drop_scratch(connection: &ConnectionRequest, rep: &Reporter, res: &mut DrillResult) {
    let r: Result<bool> = async {
        let mut client = crate::connect::connect(connection).await?;
        let rows = crate::connect::query_rows(&mut client, &tsql::database_state(&res.scratch_database)).await?;
        let exists = rows.first().and_then(|r| cell_string(r, "name")).is_some();
        if exists {
            let sql = tsql::drill::drop_database(&res.scratch_database);
            res.statements.push(sql.masked().to_string());
            crate::connect::execute(&mut client, &sql).await?;
        }
        crate::connect::close(client).await;
        Ok(exists)
    }
    .await;
    match r {
        Ok(existed) => {
            res.dropped = true;
            if existed {
                rep.message(format!("dropped '{}'", res.scratch_database));
            }
        }
        Err(e) => {
            res.dropped = false;
            res.drop_error = Some(e.to_object());
            rep.message(format!("could not drop '{}': {e}", res.scratch_database));
        }
    }
}
