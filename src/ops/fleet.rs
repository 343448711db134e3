//! One backup operation across several servers (`sqlurl_fleet_backup_start`).
//!
//! The request names targets (a connection and its databases) and one set of backup options.
//! Every (server, database) pair is one item of ONE [`Operation`], so one poll shows the whole
//! fleet, one cancel stops all of it and results are final per item as each database finishes.
//! Two limits apply: `throttle` (in the options: databases of one server at once) and
//! `server_throttle` (servers at once). A server holds its slot while any of its databases
//! runs; when none does, the slot goes to the server that has waited longest (so with
//! `throttle` 1 the servers take turns database by database, and every one of the
//! `server_throttle` slots stays busy until the last databases: bench/fleet.ps1).
//!
//! Each item runs exactly the single-server backup ([`crate::ops::backup`]); its result is the
//! BackupResult with a `server` member added. Item `i` of the status is the `i`-th database in
//! target order.

use std::sync::Arc;

use futures_util::FutureExt;
use serde::{Deserialize, Serialize};
use tokio::sync::{Mutex, OwnedSemaphorePermit, Semaphore};

use crate::api::{ConnectionRequest, ItemResult};
use crate::errors::{Error, Result};
use crate::operation::{ItemOutcome, ItemReport, OpKind, Operation, Reporter, State};
use crate::ops::backup::BackupRequest;

fn default_server_throttle() -> u32 {
    4
}

/// One server of the fleet and the databases to back up there.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FleetTarget {
    pub connection: ConnectionRequest,
    pub databases: Vec<String>,
}

/// The FleetBackup request of the JSON contract.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FleetBackupRequest {
    pub targets: Vec<FleetTarget>,
    /// Servers backing up at once (1-64, default 4).
    #[serde(default = "default_server_throttle")]
    pub server_throttle: u32,
    /// Every member of a Backup request except `connection` and `databases`; `throttle` is per
    /// server.
    #[serde(default)]
    pub options: serde_json::Map<String, serde_json::Value>,
}

impl FleetBackupRequest {
    /// One validated single-server Backup request per target.
    pub fn backup_requests(&self) -> Result<Vec<BackupRequest>> {
        if self.targets.is_empty() {
            return Err(Error::invalid("targets is empty: name at least one server and its databases."));
        }
        if !(1..=64).contains(&self.server_throttle) {
            return Err(Error::invalid(format!("server_throttle must be between 1 and 64; got {}.", self.server_throttle)));
        }
        for reserved in ["connection", "databases"] {
            if self.options.contains_key(reserved) {
                return Err(Error::invalid(format!("options.{reserved} is not allowed: it belongs in targets[].")));
            }
        }
        let mut out = Vec::with_capacity(self.targets.len());
        for (i, t) in self.targets.iter().enumerate() {
            if self.targets[..i].iter().any(|p| p.connection.server.eq_ignore_ascii_case(&t.connection.server)) {
                return Err(Error::invalid(format!("server '{}' is listed twice in targets; list each server once with all its databases.", t.connection.server)));
            }
            let mut m = self.options.clone();
            m.insert("connection".into(), serde_json::to_value(&t.connection).map_err(|e| Error::Internal(e.to_string()))?);
            m.insert("databases".into(), serde_json::to_value(&t.databases).map_err(|e| Error::Internal(e.to_string()))?);
            let req: BackupRequest = serde_json::from_value(serde_json::Value::Object(m))
                .map_err(|e| Error::invalid(format!("The request is not valid: {e}")))?;
            // the connection went through Serialize, which masks secrets: put the original back
            let req = BackupRequest { connection: t.connection.clone(), ..req };
            req.validate().map_err(|e| match e {
                Error::InvalidArgument(m) => Error::invalid(format!("targets[{i}] ({}): {m}", t.connection.server)),
                other => other,
            })?;
            out.push(req);
        }
        Ok(out)
    }
}

/// Limits and bookkeeping of one server while the operation runs.
struct ServerRun {
    req: Arc<BackupRequest>,
    /// `throttle`: databases of this server at once.
    databases_at_once: Arc<Semaphore>,
    /// The fleet slot this server holds while any of its databases runs, and how many run.
    slot: Mutex<Slot>,
}

#[derive(Default)]
struct Slot {
    permit: Option<OwnedSemaphorePermit>,
    running: usize,
}

impl ServerRun {
    /// Takes a fleet slot for this server unless it already holds one (bounded by `cancel`);
    /// false when cancelled first.
    async fn enter(&self, fleet_slots: &Arc<Semaphore>, cancel: &tokio_util::sync::CancellationToken) -> bool {
        let mut slot = tokio::select! {
            biased;
            _ = cancel.cancelled() => return false,
            g = self.slot.lock() => g,
        };
        if slot.permit.is_none() {
            let p = tokio::select! {
                biased;
                _ = cancel.cancelled() => return false,
                p = fleet_slots.clone().acquire_owned() => p,
            };
            match p {
                Ok(p) => slot.permit = Some(p),
                Err(_) => return false,
            }
        }
        slot.running += 1;
        true
    }

    /// One database of this server ended: the server gives its fleet slot back when none of
    /// its databases runs any more, so a server waiting for a slot gets it (the fleet
    /// semaphore is fair: first come, first served) instead of this server keeping it for its
    /// next database while other servers wait.
    async fn leave(&self) {
        let mut slot = self.slot.lock().await;
        slot.running = slot.running.saturating_sub(1);
        if slot.running == 0 {
            slot.permit.take();
        }
    }
}

fn stopped_before_start(db: &str) -> ItemOutcome {
    ItemOutcome { state: State::Cancelled, result: ItemResult::stopped(db, Some("cancelled before it started"), &Error::Cancelled) }
}

/// The item's result names its server.
fn with_server(mut o: ItemOutcome, server: &str) -> ItemOutcome {
    match &mut o.result {
        ItemResult::Backup(r) => r.server = Some(server.to_string()),
        ItemResult::Stopped(r) => r.server = Some(server.to_string()),
        ItemResult::Restore(_) | ItemResult::Drill(_) => {}
    }
    o
}

async fn run_item(servers: Arc<Vec<ServerRun>>, owner: Arc<Vec<usize>>, fleet_slots: Arc<Semaphore>, rep: Reporter) -> ItemOutcome {
    let s = &servers[owner[rep.index()]];
    let server = s.req.connection.server.clone();
    let db = rep.database();
    let cancel = rep.cancel_token();
    rep.set_state(State::Pending);
    let db_permit = tokio::select! {
        biased;
        _ = cancel.cancelled() => None,
        p = s.databases_at_once.clone().acquire_owned() => p.ok(),
    };
    if db_permit.is_none() || !s.enter(&fleet_slots, &cancel).await {
        return with_server(stopped_before_start(&db), &server);
    }
    rep.set_state(State::Running);
    let outcome = match std::panic::AssertUnwindSafe(crate::ops::backup::backup_one(s.req.clone(), rep.clone())).catch_unwind().await {
        Ok(o) => o,
        Err(_) => {
            let e = Error::Internal("the backup of this database panicked".into());
            ItemOutcome { state: State::Failed, result: ItemResult::stopped(&db, None, &e) }
        }
    };
    // the fleet slot first, then this server's database permit: the server's next database
    // then queues for a fleet slot behind the servers that have waited longer
    s.leave().await;
    drop(db_permit);
    with_server(outcome, &server)
}

/// Validates the request and starts the fleet operation (returns at once).
pub fn start(req: FleetBackupRequest) -> Result<Operation> {
    let reqs = req.backup_requests()?;
    let mut names = Vec::new();
    let mut owner = Vec::new();
    let servers: Vec<ServerRun> = reqs
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            for d in &r.databases {
                names.push(d.clone());
                owner.push(i);
            }
            ServerRun {
                databases_at_once: Arc::new(Semaphore::new(r.throttle.max(1) as usize)),
                slot: Mutex::new(Slot::default()),
                req: Arc::new(r),
            }
        })
        .collect();
    let servers = Arc::new(servers);
    let owner = Arc::new(owner);
    let fleet_slots = Arc::new(Semaphore::new(req.server_throttle as usize));
    // the operation's own throttle is the item count: the two limits above are applied per item
    let n = names.len();
    Ok(Operation::start(OpKind::Backup, names, n, move |rep| run_item(servers.clone(), owner.clone(), fleet_slots.clone(), rep)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn(server: &str) -> String {
        format!(r#"{{"server":"{server}","auth":{{"kind":"sql","user":"sa","password":"pw-not-shown"}}}}"#)
    }

    #[test]
    fn one_backup_request_per_target_with_the_shared_options() {
        let json = format!(
            r#"{{"targets":[{{"connection":{},"databases":["a","b"]}},{{"connection":{},"databases":["c"]}}],"server_throttle":2,"options":{{"container_url":"https://acct.blob.core.windows.net/ctr","type":"log","throttle":1}}}}"#,
            conn("s1"),
            conn("s2")
        );
        let r: FleetBackupRequest = crate::api::parse_request(&json).unwrap();
        let reqs = r.backup_requests().unwrap();
        assert_eq!(reqs.len(), 2);
        assert_eq!(reqs[1].databases, vec!["c"]);
        assert_eq!((reqs[0].kind.as_str(), reqs[0].throttle), ("log", 1));
        assert!(matches!(&reqs[0].connection.auth, crate::api::Auth::Sql { password, .. } if password.expose() == "pw-not-shown"));
    }

    #[test]
    fn invalid_fleets_say_why() {
        let cases = [
            (r#"{"targets":[]}"#.to_string(), "targets is empty"),
            (format!(r#"{{"targets":[{{"connection":{},"databases":["a"]}}],"server_throttle":0,"options":{{"container_url":"https://acct.blob.core.windows.net/ctr"}}}}"#, conn("s")), "server_throttle"),
            (format!(r#"{{"targets":[{{"connection":{},"databases":["a"]}},{{"connection":{},"databases":["b"]}}],"options":{{"container_url":"https://acct.blob.core.windows.net/ctr"}}}}"#, conn("s"), conn("S")), "twice"),
            (format!(r#"{{"targets":[{{"connection":{},"databases":["a"]}}],"options":{{"container_url":"https://acct.blob.core.windows.net/ctr","databases":["x"]}}}}"#, conn("s")), "options.databases"),
            (format!(r#"{{"targets":[{{"connection":{},"databases":["a"]}}],"options":{{"container_url":"https://acct.blob.core.windows.net/ctr","compresion":true}}}}"#, conn("s")), "compresion"),
            (format!(r#"{{"targets":[{{"connection":{},"databases":[]}}],"options":{{"container_url":"https://acct.blob.core.windows.net/ctr"}}}}"#, conn("s9")), "targets[0] (s9)"),
        ];
        for (json, needle) in cases {
            let e = crate::api::parse_request::<FleetBackupRequest>(&json).and_then(|r| r.backup_requests().map(|_| ())).unwrap_err();
            assert!(e.to_string().contains(needle), "{json}: {e}");
            assert!(!e.to_string().contains("pw-not-shown"));
        }
    }

    #[test]
    fn a_server_gives_its_slot_back_between_databases_so_waiting_servers_take_turns() {
        let json = format!(
            r#"{{"targets":[{{"connection":{},"databases":["a1","a2"]}},{{"connection":{},"databases":["b1"]}}],"server_throttle":1,"options":{{"container_url":"https://acct.blob.core.windows.net/ctr","throttle":1}}}}"#,
            conn("s1"),
            conn("s2")
        );
        let reqs = crate::api::parse_request::<FleetBackupRequest>(&json).unwrap().backup_requests().unwrap();
        let runs: Vec<ServerRun> = reqs.into_iter().map(|r| ServerRun { databases_at_once: Arc::new(Semaphore::new(1)), slot: Mutex::new(Slot::default()), req: Arc::new(r) }).collect();
        let (runs, fleet, cancel) = (Arc::new(runs), Arc::new(Semaphore::new(1)), tokio_util::sync::CancellationToken::new());
        let enter = |i: usize| {
            let (r, f, c) = (runs.clone(), fleet.clone(), cancel.clone());
            tokio::spawn(async move { r[i].enter(&f, &c).await })
        };
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            assert!(enter(0).await.unwrap(), "s1 takes the only fleet slot");
            assert!(enter(0).await.unwrap(), "a second database of a server that holds the slot needs no other");
            let s2 = enter(1);
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            assert!(!s2.is_finished(), "s2 waits while s1 runs");
            runs[0].leave().await;
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            assert!(!s2.is_finished(), "s1 still runs one database: it keeps the slot");
            runs[0].leave().await;
            // s1 has no database running: its next one queues behind s2, which waited first
            let s1_next = enter(0);
            assert!(s2.await.unwrap(), "s2 gets the slot s1 gave back");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            assert!(!s1_next.is_finished(), "s1's next database waits for s2");
            runs[1].leave().await;
            assert!(s1_next.await.unwrap());
            cancel.cancel();
            assert!(!enter(1).await.unwrap(), "a cancelled operation starts nothing");
        });
    }

    #[test]
    fn an_unreachable_server_fails_its_items_and_the_operation_reports_each_with_its_server() {
        // port 1 on loopback refuses at once: both items fail with a connection error
        let json = format!(
            r#"{{"targets":[{{"connection":{},"databases":["a"]}},{{"connection":{},"databases":["b"]}}],"options":{{"container_url":"https://acct.blob.core.windows.net/ctr"}}}}"#,
            r#"{"server":"127.0.0.1,1","auth":{"kind":"sql","user":"sa","password":"x"},"connect_timeout_s":5}"#,
            r#"{"server":"127.0.0.2,1","auth":{"kind":"sql","user":"sa","password":"x"},"connect_timeout_s":5}"#
        );
        let op = start(crate::api::parse_request(&json).unwrap()).unwrap();
        let (st, done) = op.wait(std::time::Duration::from_secs(60));
        assert!(done);
        assert_eq!(st.state, State::Failed);
        let res = serde_json::to_value(st.results.unwrap()).unwrap();
        let res = res.as_array().unwrap();
        assert_eq!(res[0]["server"], "127.0.0.1,1");
        assert_eq!(res[1]["server"], "127.0.0.2,1");
        assert!(res.iter().all(|r| r["error"]["kind"].is_string()));
        // each final item carries its own result (streamed by callers before the whole ends)
        assert_eq!(serde_json::to_value(st.items[1].result.as_ref().unwrap()).unwrap()["server"], "127.0.0.2,1");
    }
}
