//! Which databases a backup covers: every online user database of a server unless the caller
//! names them (`sqlurl_databases_resolve`).
//!
//! Rules (the same for every server of a fleet), applied by the pure [`select`]:
//! - `tempdb` is never backed up (SQL Server refuses: "Backup and restore operations are not
//!   allowed on database tempdb", error 3147).
//! - System databases (master, model, msdb) only with `include_system`; `master` only as a full
//!   backup (SQL Server allows no differential or log backup of master).
//! - A log backup skips databases in SIMPLE recovery (SQL Server would fail with 4208).
//! - A database that is not ONLINE (RESTORING, RECOVERING, OFFLINE, ...) is reported, not
//!   attempted.
//! - `exclude` and `databases` take names or wildcards (`*`, `?`), case-insensitively. A name
//!   without wildcards that the server does not list is kept: the server then answers 911.
//!
//! Servers are asked in parallel; an unreachable server is one error in its own entry and does
//! not stop the others.

use serde::{Deserialize, Serialize};

use crate::api::ConnectionRequest;
use crate::errors::{Error, Result};
use crate::connect::rows::{cell_i64, cell_string};
use crate::errors::ErrorObject;
use crate::tsql::backup::BackupKind;

/// A row of `sys.databases`, reduced to what the rules need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DatabaseRow {
    pub name: String,
    pub database_id: i32,
    /// `state_desc`: `ONLINE`, `RESTORING`, `OFFLINE`, ...
    pub state: String,
    /// `recovery_model_desc`: `FULL`, `BULK_LOGGED`, `SIMPLE`.
    pub recovery_model: String,
    pub is_read_only: bool,
    /// master, tempdb, model or msdb.
    pub is_system: bool,
}

/// Why a database is not backed up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// Not ONLINE right now (restoring, offline, recovering, suspect, ...).
    NotOnline,
    /// Log backup of a database in SIMPLE recovery.
    SimpleRecovery,
    /// Differential or log backup of master.
    MasterFullOnly,
    /// tempdb.
    Tempdb,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub database: String,
    pub reason: SkipReason,
    pub message: String,
}

/// What a selection resolves to on one server.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Selected {
    pub databases: Vec<String>,
    pub skipped: Vec<Skipped>,
}

/// The selection part of a request.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Selection {
    /// Names or wildcards; `None` or empty = every database the rules allow.
    #[serde(default)]
    pub databases: Option<Vec<String>>,
    #[serde(default)]
    pub exclude: Vec<String>,
    #[serde(default)]
    pub include_system: bool,
    /// `full`, `differential` or `log` (decides the SIMPLE and master rules).
    #[serde(rename = "type", default)]
    pub kind: BackupKind,
}

/// A server and, optionally, its own database names or wildcards (overriding `databases`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolveTarget {
    pub connection: ConnectionRequest,
    #[serde(default)]
    pub databases: Option<Vec<String>>,
}

/// `sqlurl_databases_resolve` request: one selection applied to several servers.
/// (The selection fields are repeated rather than flattened: serde cannot combine `flatten`
/// with `deny_unknown_fields`, and a misspelt field must stay an error.)
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolveRequest {
    pub targets: Vec<ResolveTarget>,
    #[serde(default)]
    pub databases: Option<Vec<String>>,
    #[serde(default)]
    pub exclude: Vec<String>,
    #[serde(default)]
    pub include_system: bool,
    #[serde(rename = "type", default)]
    pub kind: BackupKind,
}

impl ResolveRequest {
    pub fn selection(&self) -> Selection {
        Selection { databases: self.databases.clone(), exclude: self.exclude.clone(), include_system: self.include_system, kind: self.kind }
    }
}

/// One server's answer.
#[derive(Debug, Clone, Serialize)]
pub struct ServerDatabases {
    pub server: String,
    pub databases: Vec<String>,
    pub skipped: Vec<Skipped>,
    /// The error when the server could not be asked (then `databases` is empty).
    pub error: Option<ErrorObject>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ResolveResult {
    pub servers: Vec<ServerDatabases>,
}

/// True for `*`/`?` wildcard `pattern` matching `name`, case-insensitively.
pub fn like(pattern: &str, name: &str) -> bool {
    fn go(p: &[char], n: &[char]) -> bool {
        match (p.first(), n.first()) {
            (None, None) => true,
            (Some('*'), _) => go(&p[1..], n) || (!n.is_empty() && go(p, &n[1..])),
            (Some('?'), Some(_)) => go(&p[1..], &n[1..]),
            (Some(a), Some(b)) => a == b && go(&p[1..], &n[1..]),
            _ => false,
        }
    }
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let n: Vec<char> = name.to_lowercase().chars().collect();
    go(&p, &n)
}

fn has_wildcard(s: &str) -> bool {
    s.contains('*') || s.contains('?')
}

fn is_system(row: &DatabaseRow) -> bool {
    (1..=4).contains(&row.database_id)
        || ["master", "tempdb", "model", "msdb"].iter().any(|s| s.eq_ignore_ascii_case(&row.name))
}

/// Applies the rules (module documentation) to the rows of one server.
pub fn select(rows: &[DatabaseRow], sel: &Selection) -> Result<Selected> {
    let kind = sel.kind;
    let named: Vec<&String> = sel.databases.iter().flatten().filter(|d| !d.trim().is_empty()).collect();
    let mut out = Selected::default();
    let push = |db: &str, out: &mut Selected| {
        if !out.databases.iter().any(|d| d.eq_ignore_ascii_case(db)) {
            out.databases.push(db.to_string());
        }
    };
    let skip = |out: &mut Selected, row: &DatabaseRow, reason: SkipReason, message: String| {
        if !out.skipped.iter().any(|s| s.database.eq_ignore_ascii_case(&row.name)) {
            out.skipped.push(Skipped { database: row.name.clone(), reason, message });
        }
    };
    // candidates: rows matched by a pattern or a name, or every row when nothing is named
    let mut candidates: Vec<(&DatabaseRow, bool)> = Vec::new(); // (row, named explicitly)
    if named.is_empty() {
        candidates.extend(rows.iter().map(|r| (r, false)));
    } else {
        for n in &named {
            if has_wildcard(n) {
                candidates.extend(rows.iter().filter(|r| like(n, &r.name)).map(|r| (r, false)));
            } else if let Some(r) = rows.iter().find(|r| r.name.eq_ignore_ascii_case(n)) {
                candidates.push((r, true));
            } else {
                // unknown to the catalog: the server answers 911 with its own words
                push(n, &mut out);
            }
        }
    }
    for (row, explicit) in candidates {
        if sel.exclude.iter().any(|x| like(x, &row.name)) {
            continue;
        }
        if row.name.eq_ignore_ascii_case("tempdb") {
            if explicit {
                skip(&mut out, row, SkipReason::Tempdb, "tempdb cannot be backed up (SQL Server error 3147).".into());
            }
            continue;
        }
        if is_system(row) && !sel.include_system && !explicit {
            continue;
        }
        if row.name.eq_ignore_ascii_case("master") && kind != BackupKind::Full {
            skip(&mut out, row, SkipReason::MasterFullOnly, format!("master allows only full backups; no {} backup was attempted.", kind.as_str()));
            continue;
        }
        if !row.state.eq_ignore_ascii_case("ONLINE") {
            skip(&mut out, row, SkipReason::NotOnline, format!("the database is {} (not ONLINE) and cannot be backed up now.", row.state));
            continue;
        }
        if kind == BackupKind::Log && row.recovery_model.eq_ignore_ascii_case("SIMPLE") {
            skip(&mut out, row, SkipReason::SimpleRecovery, "the database uses the SIMPLE recovery model, which has no log backups (SQL Server error 4208).".into());
            continue;
        }
        push(&row.name, &mut out);
    }
    Ok(out)
}

/// Reads `sys.databases` on one server.
pub async fn read_rows(conn: &ConnectionRequest) -> Result<Vec<DatabaseRow>> {
    let mut client = crate::connect::pool::checkout(conn).await?;
    let r = crate::connect::query_rows(&mut client, &crate::tsql::databases::list_databases()).await;
    let rows = client.finish(r).await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            let mut row = DatabaseRow {
                name: cell_string(r, "name")?,
                database_id: cell_i64(r, "database_id").unwrap_or(0) as i32,
                state: cell_string(r, "state_desc").unwrap_or_else(|| "ONLINE".into()),
                recovery_model: cell_string(r, "recovery_model_desc").unwrap_or_default(),
                is_read_only: cell_i64(r, "is_read_only").map(|v| v != 0).unwrap_or(false),
                is_system: false,
            };
            row.is_system = is_system(&row);
            Some(row)
        })
        .collect())
}

/// `sqlurl_database_list` request: the databases of one server, optionally only those matching
/// names or wildcards.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListRequest {
    pub connection: ConnectionRequest,
    #[serde(default)]
    pub databases: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ListResult {
    pub databases: Vec<DatabaseRow>,
}

/// Rows matching any of `patterns` (names or wildcards); every row when there is none.
pub fn filter_rows(rows: Vec<DatabaseRow>, patterns: Option<&[String]>) -> Vec<DatabaseRow> {
    match patterns.filter(|p| !p.is_empty()) {
        None => rows,
        Some(p) => rows.into_iter().filter(|r| p.iter().any(|x| like(x, &r.name))).collect(),
    }
}

/// Lists the databases of one server (read-only).
pub async fn list(req: ListRequest) -> Result<ListResult> {
    let rows = read_rows(&req.connection).await?;
    Ok(ListResult { databases: filter_rows(rows, req.databases.as_deref()) })
}

/// The checks of a resolve request made before connecting; returns its connections.
pub fn check_resolve(req: &ResolveRequest) -> Result<Vec<ConnectionRequest>> {
    if req.targets.is_empty() {
        return Err(Error::invalid("targets is empty: name at least one server."));
    }
    Ok(req.targets.iter().map(|t| t.connection.clone()).collect())
}

/// Resolves the selection on every server at once.
pub async fn resolve(req: ResolveRequest) -> Result<ResolveResult> {
    check_resolve(&req)?;
    let sel = &req.selection();
    let asks = req.targets.iter().map(|t| async move {
        let conn = &t.connection;
        let own;
        let sel = match &t.databases {
            Some(d) if !d.is_empty() => {
                own = Selection { databases: Some(d.clone()), ..sel.clone() };
                &own
            }
            _ => sel,
        };
        match read_rows(conn).await.and_then(|rows| select(&rows, sel)) {
            Ok(s) => ServerDatabases { server: conn.server.clone(), databases: s.databases, skipped: s.skipped, error: None },
            Err(e) => ServerDatabases { server: conn.server.clone(), databases: vec![], skipped: vec![], error: Some(e.to_object()) },
        }
    });
    Ok(ResolveResult { servers: futures_util::future::join_all(asks).await })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, id: i32, state: &str, model: &str) -> DatabaseRow {
        DatabaseRow { name: name.into(), database_id: id, state: state.into(), recovery_model: model.into(), is_read_only: false, is_system: id <= 4 }
    }

    fn server() -> Vec<DatabaseRow> {
        vec![
            row("master", 1, "ONLINE", "SIMPLE"),
            row("tempdb", 2, "ONLINE", "SIMPLE"),
            row("model", 3, "ONLINE", "FULL"),
            row("msdb", 4, "ONLINE", "SIMPLE"),
            row("Sales", 5, "ONLINE", "FULL"),
            row("Staging", 6, "ONLINE", "SIMPLE"),
            row("Archive", 7, "OFFLINE", "FULL"),
            row("Copy", 8, "RESTORING", "FULL"),
            row("Sales_old", 9, "ONLINE", "FULL"),
        ]
    }

    fn sel(kind: &str) -> Selection {
        Selection { kind: BackupKind::parse(kind).unwrap(), ..Default::default() }
    }

    #[test]
    fn full_backup_takes_every_online_user_database() {
        let s = select(&server(), &sel("full")).unwrap();
        assert_eq!(s.databases, vec!["Sales", "Staging", "Sales_old"]);
        let skipped: Vec<_> = s.skipped.iter().map(|s| (s.database.as_str(), s.reason)).collect();
        assert_eq!(skipped, vec![("Archive", SkipReason::NotOnline), ("Copy", SkipReason::NotOnline)]);
        assert!(s.skipped[1].message.contains("RESTORING"));
    }

    #[test]
    fn system_databases_only_when_asked_and_master_only_full_and_never_tempdb() {
        let mut x = sel("full");
        x.include_system = true;
        let s = select(&server(), &x).unwrap();
        assert_eq!(s.databases, vec!["master", "model", "msdb", "Sales", "Staging", "Sales_old"]);
        let mut x = sel("differential");
        x.include_system = true;
        let s = select(&server(), &x).unwrap();
        assert!(!s.databases.contains(&"master".to_string()));
        assert!(s.skipped.iter().any(|k| k.database == "master" && k.reason == SkipReason::MasterFullOnly));
        assert!(!s.databases.iter().any(|d| d == "tempdb"));
    }

    #[test]
    fn log_backups_skip_simple_recovery_databases_by_name() {
        let mut x = sel("log");
        x.include_system = true;
        let s = select(&server(), &x).unwrap();
        assert_eq!(s.databases, vec!["model", "Sales", "Sales_old"]);
        let simple: Vec<_> = s.skipped.iter().filter(|k| k.reason == SkipReason::SimpleRecovery).map(|k| k.database.as_str()).collect();
        assert_eq!(simple, vec!["msdb", "Staging"]);
    }

    #[test]
    fn exclude_and_names_take_wildcards() {
        let mut x = sel("full");
        x.exclude = vec!["sales_*".into(), "STAG?NG".into()];
        assert_eq!(select(&server(), &x).unwrap().databases, vec!["Sales"]);
        let mut x = sel("full");
        x.databases = Some(vec!["Sa*".into(), "Nope".into(), "sales".into()]);
        assert_eq!(select(&server(), &x).unwrap().databases, vec!["Nope", "Sales", "Sales_old"]);
        let mut x = sel("full");
        x.databases = Some(vec!["tempdb".into(), "msdb".into()]);
        let s = select(&server(), &x).unwrap();
        assert_eq!(s.databases, vec!["msdb"]);
        assert_eq!(s.skipped[0].reason, SkipReason::Tempdb);
    }

    #[test]
    fn listing_filters_by_names_and_wildcards() {
        let names = |p: Option<Vec<String>>| filter_rows(server(), p.as_deref()).into_iter().map(|r| r.name).collect::<Vec<_>>();
        assert_eq!(names(None).len(), 9);
        assert_eq!(names(Some(vec![])).len(), 9);
        assert_eq!(names(Some(vec!["sales*".into(), "MASTER".into()])), vec!["master", "Sales", "Sales_old"]);
    }

    #[test]
    fn wildcard_matching() {
        assert!(like("*", ""));
        assert!(like("a*c", "ABBC"));
        assert!(like("a?c", "abc"));
        assert!(!like("a?c", "ac"));
        assert!(!like("ab", "abc"));
    }

    #[test]
    fn a_request_names_servers_and_a_valid_type() {
        let r: ResolveRequest = crate::api::parse_request(r#"{"targets":[],"type":"log","exclude":["x*"]}"#).unwrap();
        assert_eq!(r.selection().exclude, vec!["x*"]);
        assert!(crate::api::parse_request::<ResolveRequest>(r#"{"targets":[],"exlude":["x"]}"#).is_err());
        let e = crate::runtime::runtime().block_on(resolve(r)).unwrap_err();
        assert!(e.to_string().contains("targets is empty"));
    }
}
