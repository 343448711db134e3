//! The server's state: the immutable scenario facts, and behind one `std::sync::Mutex` everything
//! statements change (databases, credentials, trace flags, running requests, the statement log,
//! live faults).
//!
//! Shared by the TDS core (issue 2) and the backup engine (issue 3). Lock with
//! [`ServerState::lock`] for short critical sections only; never hold the guard across an
//! `.await`.

use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::NaiveDateTime;
use serde::Serialize;

use crate::scenario::{CredentialSeed, Database, DbFile, Faults, Scenario};

/// First `@@SPID` handed to a user session (SQL Server's user sessions start above 50).
pub const FIRST_USER_SPID: u16 = 51;

/// A database as the server holds it.
#[derive(Debug, Clone)]
pub struct DatabaseState {
    /// `sys.databases.database_id` (1..4 are the system databases).
    pub database_id: i32,
    pub name: String,
    /// `FULL`, `BULK_LOGGED` or `SIMPLE`.
    pub recovery_model: String,
    /// `ONLINE`, `RESTORING`, ...
    pub state: String,
    pub files: Vec<DbFile>,
    pub in_use: bool,
    pub create_date: NaiveDateTime,
    /// True for master, tempdb, model, msdb.
    pub is_system: bool,
    /// Planted corruption (DBCC CHECKDB reports errors).
    pub corrupt: bool,
}

/// One row of msdb's backup history (`msdb.dbo.backupset` + `backupmediafamily`), written for
/// every successful BACKUP.
#[derive(Debug, Clone, PartialEq)]
pub struct BackupHistoryRow {
    pub backup_set_id: i32,
    pub media_set_id: i32,
    pub backup_set_uuid: uuid::Uuid,
    pub name: Option<String>,
    pub description: Option<String>,
    pub user_name: String,
    pub database_name: String,
    pub server_name: String,
    pub machine_name: String,
    /// `D` full, `I` differential, `L` log.
    pub backup_type: char,
    pub is_copy_only: bool,
    pub backup_start_date: NaiveDateTime,
    pub backup_finish_date: NaiveDateTime,
    pub first_lsn: u64,
    pub last_lsn: u64,
    pub checkpoint_lsn: u64,
    pub database_backup_lsn: u64,
    pub differential_base_lsn: Option<u64>,
    pub backup_size: u64,
    pub compressed_backup_size: u64,
    pub recovery_model: String,
    pub has_backup_checksums: bool,
    /// One URL per stripe, `family_sequence_number` = index + 1.
    pub physical_device_names: Vec<String>,
}

impl DatabaseState {
    /// `sys.databases.recovery_model` (1 FULL, 2 BULK_LOGGED, 3 SIMPLE).
    pub fn recovery_model_code(&self) -> i32 {
        match self.recovery_model.to_ascii_uppercase().as_str() {
            "FULL" => 1,
            "BULK_LOGGED" => 2,
            _ => 3,
        }
    }
    /// `sys.databases.state` (0 ONLINE, 1 RESTORING, 2 RECOVERING, 3 RECOVERY_PENDING, 4 SUSPECT,
    /// 5 EMERGENCY, 6 OFFLINE).
    pub fn state_code(&self) -> i32 {
        match self.state.to_ascii_uppercase().as_str() {
            "ONLINE" => 0,
            "RESTORING" => 1,
            "RECOVERING" => 2,
            "RECOVERY_PENDING" => 3,
            "SUSPECT" => 4,
            "EMERGENCY" => 5,
            "OFFLINE" => 6,
            _ => 0,
        }
    }
}

/// A row of `sys.credentials`, plus the secret (never shown by any catalog view).
#[derive(Clone, PartialEq)]
pub struct Credential {
    pub credential_id: i32,
    pub name: String,
    pub identity: String,
    pub secret: Option<String>,
    pub create_date: NaiveDateTime,
    pub modify_date: NaiveDateTime,
    /// Trace flag 4675 (global or in the creating session) was on when it was created, so the
    /// managed-identity check ran.
    pub created_with_tf4675: bool,
}

impl std::fmt::Debug for Credential {
    // The secret never appears in logs or test output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("credential_id", &self.credential_id)
            .field("name", &self.name)
            .field("identity", &self.identity)
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .field("create_date", &self.create_date)
            .field("modify_date", &self.modify_date)
            .field("created_with_tf4675", &self.created_with_tf4675)
            .finish()
    }
}

impl Credential {
    pub fn is_managed_identity(&self) -> bool {
        self.identity.eq_ignore_ascii_case("Managed Identity")
    }
}

/// A row of `sys.dm_exec_requests`.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestInfo {
    pub session_id: u16,
    /// e.g. `SELECT`, `BACKUP DATABASE`, `RESTORE DATABASE`, `WAITFOR`.
    pub command: String,
    pub start_time: NaiveDateTime,
    /// `percent_complete` (real).
    pub percent_complete: f32,
    /// `estimated_completion_time` in milliseconds (bigint).
    pub estimated_completion_time: i64,
    /// Database the session is in.
    pub database_name: String,
    generation: u64,
}

/// One statement exactly as it reached the server.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoggedStatement {
    pub session_id: u16,
    pub login: String,
    /// `batch` (SQL batch) or `rpc` (the `@stmt` of sp_executesql).
    pub kind: String,
    pub text: String,
    /// For RPC: the `@params` declaration, e.g. `@P1 int`; empty for batches.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub params: String,
    pub at: NaiveDateTime,
}

/// A connected session as the server sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionInfo {
    pub session_id: u16,
    pub login: String,
    pub is_sysadmin: bool,
    /// Session-scoped trace flags (`DBCC TRACEON(n)` without -1).
    pub trace_flags: BTreeSet<i32>,
    pub database: String,
    /// A transaction opened by a TM request is open (`@@TRANCOUNT` = 1).
    pub in_transaction: bool,
}

/// Everything that changes while the server runs. Reach it through [`ServerState::lock`].
#[derive(Debug)]
pub struct Mutable {
    pub databases: Vec<DatabaseState>,
    pub credentials: Vec<Credential>,
    pub next_credential_id: i32,
    pub next_database_id: i32,
    /// Trace flags on globally.
    pub trace_flags: BTreeSet<i32>,
    pub sessions: HashMap<u16, SessionInfo>,
    pub requests: HashMap<u16, RequestInfo>,
    pub statement_log: Vec<LoggedStatement>,
    /// Faults in force now (start from the scenario; tests may change them).
    pub faults: Faults,
    /// Backup/restore history per database: LSNs, differential base, log chain (issue 3).
    pub backup: crate::backup::history::Histories,
    /// Why connections ended abnormally (protocol errors, truncated packets, ...), newest last.
    pub disconnects: Vec<String>,
    /// msdb backup history, oldest first.
    pub backup_history: Vec<BackupHistoryRow>,
}

impl Mutable {
    /// Case-insensitive lookup (the default collation is case-insensitive).
    pub fn database(&self, name: &str) -> Option<&DatabaseState> {
        self.databases.iter().find(|d| d.name.eq_ignore_ascii_case(name))
    }
    pub fn database_mut(&mut self, name: &str) -> Option<&mut DatabaseState> {
        self.databases.iter_mut().find(|d| d.name.eq_ignore_ascii_case(name))
    }
    /// Credential names compare case-insensitively (the server collation), as SQL Server does
    /// for `CREATE CREDENTIAL` duplicates.
    pub fn credential(&self, name: &str) -> Option<&Credential> {
        self.credentials.iter().find(|c| c.name.eq_ignore_ascii_case(name))
    }
    /// Is trace flag `flag` on for this session (globally or session-scoped)?
    pub fn trace_flag_on(&self, session_id: u16, flag: i32) -> bool {
        self.trace_flags.contains(&flag)
            || self.sessions.get(&session_id).is_some_and(|s| s.trace_flags.contains(&flag))
    }
}

/// The whole server: facts plus mutable state.
pub struct ServerState {
    /// The scenario as loaded (immutable facts: version, edition, platform, logins, ...).
    pub scenario: Scenario,
    inner: Mutex<Mutable>,
    next_spid: AtomicU16,
    generation: AtomicU64,
    /// Successful logins since start (tests prove connection reuse with it).
    logins: AtomicU64,
    /// A switch per logged-in session that ends its connection ([`ServerState::kill_session`]).
    kill_switches: Mutex<HashMap<u16, tokio_util::sync::CancellationToken>>,
    /// Optional JSON-lines copy of the statement log.
    log_file: Option<Mutex<std::fs::File>>,
}

impl std::fmt::Debug for ServerState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerState").field("server_name", &self.scenario.server_name).finish()
    }
}

/// Now, in the server's clock (UTC; the simulated server runs in UTC).
/// `utc` in the scenario's local time.
pub fn local_time(scenario: &Scenario, utc: NaiveDateTime) -> NaiveDateTime {
    utc + chrono::Duration::minutes(scenario.utc_offset_minutes as i64)
}

/// UTC now (statement log, internal timing). What the server reports (GETDATE, backup dates,
/// create dates) is [`ServerState::local_now`].
pub fn now() -> NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

/// Default files for a database declared without any.
pub fn default_files(scenario: &Scenario, name: &str) -> Vec<DbFile> {
    vec![
        DbFile {
            logical_name: name.to_string(),
            physical_name: format!("{}{}.mdf", scenario.default_data_path, name),
            file_type: "ROWS".into(),
            size_mb: 8,
        },
        DbFile {
            logical_name: format!("{name}_log"),
            physical_name: format!("{}{}_log.ldf", scenario.default_log_path, name),
            file_type: "LOG".into(),
            size_mb: 8,
        },
    ]
}

impl ServerState {
    /// Build the state a scenario describes. System databases (master, tempdb, model, msdb) are
    /// added unless the scenario declares them itself.
    pub fn new(scenario: Scenario) -> Self {
        let start = local_time(&scenario, now());
        let mut databases = Vec::new();
        let mut next_id = 1;
        for sys in ["master", "tempdb", "model", "msdb"] {
            if let Some(d) = scenario.databases.iter().find(|d| d.name.eq_ignore_ascii_case(sys)) {
                databases.push(db_state(&scenario, d, next_id, true, start));
            } else {
                let d = Database {
                    name: sys.into(),
                    recovery_model: if sys == "model" { "FULL" } else { "SIMPLE" }.into(),
                    ..Database::default()
                };
                databases.push(db_state(&scenario, &d, next_id, true, start));
            }
            next_id += 1;
        }
        for d in &scenario.databases {
            if databases.iter().any(|x| x.name.eq_ignore_ascii_case(&d.name)) {
                continue;
            }
            databases.push(db_state(&scenario, d, next_id, false, start));
            next_id += 1;
        }
        let mut credentials = Vec::new();
        let mut next_cred = 65536;
        for CredentialSeed { name, identity, secret } in &scenario.credentials {
            credentials.push(Credential {
                credential_id: next_cred,
                name: name.clone(),
                identity: identity.clone(),
                secret: secret.clone(),
                create_date: start,
                modify_date: start,
                created_with_tf4675: scenario.trace_flags.contains(&4675),
            });
            next_cred += 1;
        }
        let inner = Mutable {
            databases,
            credentials,
            next_credential_id: next_cred,
            next_database_id: next_id,
            trace_flags: scenario.trace_flags.iter().copied().collect(),
            sessions: HashMap::new(),
            requests: HashMap::new(),
            statement_log: Vec::new(),
            faults: scenario.faults.clone(),
            backup: Default::default(),
            disconnects: Vec::new(),
            backup_history: Vec::new(),
        };
        ServerState {
            scenario,
            inner: Mutex::new(inner),
            next_spid: AtomicU16::new(FIRST_USER_SPID),
            generation: AtomicU64::new(1),
            logins: AtomicU64::new(0),
            kill_switches: Mutex::new(HashMap::new()),
            log_file: None,
        }
    }

    /// Also append every logged statement to `path` as one JSON object per line.
    pub fn with_statement_log_file(mut self, path: &std::path::Path) -> std::io::Result<Self> {
        let f = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
        self.log_file = Some(Mutex::new(f));
        Ok(self)
    }

    /// The mutable state. A poisoned lock (a panicking executor) is recovered: the state is
    /// plain data and stays usable.
    /// The server's local clock: UTC plus the scenario's `utc_offset_minutes`.
    pub fn local_now(&self) -> NaiveDateTime {
        local_time(&self.scenario, now())
    }

    /// The scenario's UTC offset in minutes.
    pub fn utc_offset_minutes(&self) -> i32 {
        self.scenario.utc_offset_minutes
    }

    pub fn lock(&self) -> MutexGuard<'_, Mutable> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Allocate a session id for a new connection.
    pub fn next_session_id(&self) -> u16 {
        let id = self.next_spid.fetch_add(1, Ordering::Relaxed);
        if id == u16::MAX {
            self.next_spid.store(FIRST_USER_SPID, Ordering::Relaxed);
        }
        id
    }

    /// Register a logged-in session; counts the login. The token it returns is cancelled by
    /// [`ServerState::kill_session`].
    pub fn add_session(&self, info: SessionInfo) -> tokio_util::sync::CancellationToken {
        let token = tokio_util::sync::CancellationToken::new();
        self.logins.fetch_add(1, Ordering::Relaxed);
        self.kill_switches.lock().unwrap_or_else(|p| p.into_inner()).insert(info.session_id, token.clone());
        self.lock().sessions.insert(info.session_id, info);
        token
    }

    pub fn remove_session(&self, session_id: u16) {
        self.kill_switches.lock().unwrap_or_else(|p| p.into_inner()).remove(&session_id);
        let mut g = self.lock();
        g.sessions.remove(&session_id);
        g.requests.remove(&session_id);
    }

    /// Successful logins since the server started (each is a new connection).
    pub fn logins(&self) -> u64 {
        self.logins.load(Ordering::Relaxed)
    }

    /// Test hook: end a session's connection from the server side (the socket closes without a
    /// reply, as when a session is killed or the network drops). `false` when no such session.
    pub fn kill_session(&self, session_id: u16) -> bool {
        match self.kill_switches.lock().unwrap_or_else(|p| p.into_inner()).get(&session_id) {
            Some(t) => {
                t.cancel();
                true
            }
            None => false,
        }
    }

    /// Record a statement as received, with the literal of any `SECRET = …` masked
    /// ([`crate::sql::redact::mask_secrets`]); the rest stays verbatim.
    pub fn log_statement(&self, session_id: u16, login: &str, kind: &str, text: &str, params: &str) {
        let entry = LoggedStatement {
            session_id,
            login: login.to_string(),
            kind: kind.to_string(),
            text: crate::sql::redact::mask_secrets(text),
            params: params.to_string(),
            at: now(),
        };
        if let Some(f) = &self.log_file {
            if let Ok(line) = serde_json::to_string(&entry) {
                let mut f = f.lock().unwrap_or_else(|p| p.into_inner());
                let _ = writeln!(f, "{line}");
                let _ = f.flush();
            }
        }
        self.lock().statement_log.push(entry);
    }

    pub fn statement_log(&self) -> Vec<LoggedStatement> {
        self.lock().statement_log.clone()
    }

    /// Show a request for `session_id` in `sys.dm_exec_requests` until the guard drops. A later
    /// registration for the same session replaces the row (its guard then owns it).
    pub fn register_request(self: &Arc<Self>, session_id: u16, command: &str) -> RequestGuard {
        let generation = self.generation.fetch_add(1, Ordering::Relaxed);
        let mut g = self.lock();
        let database_name =
            g.sessions.get(&session_id).map(|s| s.database.clone()).unwrap_or_else(|| "master".into());
        g.requests.insert(
            session_id,
            RequestInfo {
                session_id,
                command: command.to_string(),
                start_time: self.local_now(),
                percent_complete: 0.0,
                estimated_completion_time: 0,
                database_name,
                generation,
            },
        );
        RequestGuard { server: Arc::clone(self), session_id, generation }
    }

    /// Update `percent_complete` and `estimated_completion_time` (ms) of a running request.
    pub fn set_progress(&self, session_id: u16, percent: f32, estimated_ms: i64) {
        if let Some(r) = self.lock().requests.get_mut(&session_id) {
            r.percent_complete = percent;
            r.estimated_completion_time = estimated_ms;
        }
    }

    /// The rows of `sys.dm_exec_requests`, ordered by session id.
    pub fn requests(&self) -> Vec<RequestInfo> {
        let mut v: Vec<_> = self.lock().requests.values().cloned().collect();
        v.sort_by_key(|r| r.session_id);
        v
    }

    /// The credential whose name is the container URL of `url` (`https://acct.blob.core.windows.net/container`
    /// for `https://acct.blob.core.windows.net/container/dir/file.bak`). SQL Server "matches the
    /// credential to the container URL"; the name comparison is exact apart from case (server
    /// collation). Longest-prefix matching is unconfirmed and not done.
    pub fn find_credential_for_url(&self, url: &str) -> Option<Credential> {
        let container = container_url(url)?;
        self.lock().credential(&container).cloned()
    }

    pub fn faults(&self) -> Faults {
        self.lock().faults.clone()
    }

    pub fn set_faults(&self, faults: Faults) {
        self.lock().faults = faults;
    }

    pub fn trace_flag_on(&self, session_id: u16, flag: i32) -> bool {
        self.lock().trace_flag_on(session_id, flag)
    }
}

/// `scheme://host/container` of a blob URL, or `None` if the URL has no container part.
pub fn container_url(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let mut parts = rest.splitn(3, '/');
    let host = parts.next().filter(|h| !h.is_empty())?;
    let container = parts.next().filter(|c| !c.is_empty())?;
    Some(format!("{scheme}://{host}/{container}"))
}

fn db_state(
    scenario: &Scenario,
    d: &Database,
    id: i32,
    is_system: bool,
    created: NaiveDateTime,
) -> DatabaseState {
    DatabaseState {
        database_id: id,
        name: d.name.clone(),
        recovery_model: d.recovery_model.to_ascii_uppercase(),
        state: d.state.to_ascii_uppercase(),
        files: if d.files.is_empty() { default_files(scenario, &d.name) } else { d.files.clone() },
        in_use: d.in_use,
        create_date: created,
        is_system,
        corrupt: d.corrupt,
    }
}

/// Removes a request from `sys.dm_exec_requests` when dropped (unless a newer registration for
/// the same session replaced it).
#[derive(Debug)]
pub struct RequestGuard {
    server: Arc<ServerState>,
    session_id: u16,
    generation: u64,
}

impl RequestGuard {
    pub fn session_id(&self) -> u16 {
        self.session_id
    }
}

impl Drop for RequestGuard {
    fn drop(&mut self) {
        let mut g = self.server.lock();
        if g.requests.get(&self.session_id).is_some_and(|r| r.generation == self.generation) {
            g.requests.remove(&self.session_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_url_strips_blob_path() {
        assert_eq!(
            container_url("https://acct.blob.core.windows.net/backups/db/full.bak").as_deref(),
            Some("https://acct.blob.core.windows.net/backups")
        );
        assert_eq!(container_url("https://acct.blob.core.windows.net/"), None);
        assert_eq!(container_url("nourl"), None);
    }

    #[test]
    fn system_databases_are_added_and_lookup_ignores_case() {
        let mut sc = Scenario::default();
        sc.databases.push(Database { name: "Sales".into(), ..Database::default() });
        let s = ServerState::new(sc);
        let g = s.lock();
        assert_eq!(g.databases.len(), 5);
        let d = g.database("sales").unwrap();
        assert_eq!(d.database_id, 5);
        assert_eq!(d.files.len(), 2);
        assert_eq!(d.files[0].physical_name, "F:\\data\\Sales.mdf");
    }

    #[test]
    fn request_guard_removes_only_its_own_row() {
        let s = Arc::new(ServerState::new(Scenario::default()));
        let g1 = s.register_request(51, "SELECT");
        let g2 = s.register_request(51, "BACKUP DATABASE");
        s.set_progress(51, 42.0, 1000);
        drop(g1);
        let r = s.requests();
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].command, "BACKUP DATABASE");
        assert_eq!(r[0].percent_complete, 42.0);
        drop(g2);
        assert!(s.requests().is_empty());
    }

    #[test]
    fn credential_debug_redacts_secret() {
        let c = Credential {
            credential_id: 1,
            name: "x".into(),
            identity: "SHARED ACCESS SIGNATURE".into(),
            secret: Some("sv=2022&sig=SECRET".into()),
            create_date: now(),
            modify_date: now(),
            created_with_tf4675: false,
        };
        assert!(!format!("{c:?}").contains("SECRET"));
    }
}
