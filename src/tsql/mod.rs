//! T-SQL building: quoting and the statements of credentials, trace flags and the catalog.
//! Pure functions, unit-tested without a server. Every identifier goes through [`quote_ident`]
//! and every literal through [`quote_nstr`]; nothing else may splice text into a statement.

// BACKUP / RESTORE statement builders (issue 5)
pub mod backup;
pub mod probe;
pub mod restore;
// "every database of a server" (issue 19)
pub mod databases;
// the restore drill (issue 15)
pub mod drill;

use zeroize::Zeroizing;

/// A statement to send, with its printable form. `text` may hold a secret (a SAS in
/// `CREATE CREDENTIAL`) and is zeroized on drop; `masked` replaces secrets with `***` and is the
/// only form that may appear in results, errors and logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Sql {
    text: Zeroizing<String>,
    masked: String,
}

impl Sql {
    /// A statement without secrets.
    pub fn plain(text: impl Into<String>) -> Self {
        let t: String = text.into();
        Sql { masked: t.clone(), text: Zeroizing::new(t) }
    }
    /// A statement whose `masked` form differs from the text sent.
    pub fn with_secret(text: String, masked: String) -> Self {
        Sql { text: Zeroizing::new(text), masked }
    }
    /// The text to send to the server. Never log it.
    pub fn text(&self) -> &str {
        &self.text
    }
    /// The text with secrets replaced by `***`.
    pub fn masked(&self) -> &str {
        &self.masked
    }
}

impl std::fmt::Debug for Sql {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Sql").field(&self.masked).finish()
    }
}

/// `[name]` with `]` doubled: a delimited identifier.
pub fn quote_ident(name: &str) -> String {
    format!("[{}]", name.replace(']', "]]"))
}

/// `N'text'` with `'` doubled: a Unicode string literal.
pub fn quote_nstr(s: &str) -> String {
    format!("N'{}'", s.replace('\'', "''"))
}

/// Identity values of `sys.credentials.credential_identity`.
pub const IDENTITY_MANAGED: &str = "Managed Identity";
pub const IDENTITY_SAS: &str = "SHARED ACCESS SIGNATURE";
pub const IDENTITY_S3: &str = "S3 Access Key";

/// `CREATE CREDENTIAL [url] WITH IDENTITY = N'Managed Identity'`.
pub fn create_credential_managed_identity(name: &str) -> Sql {
    Sql::plain(format!("CREATE CREDENTIAL {} WITH IDENTITY = {}", quote_ident(name), quote_nstr(IDENTITY_MANAGED)))
}

/// `CREATE CREDENTIAL [url] WITH IDENTITY = N'SHARED ACCESS SIGNATURE', SECRET = N'<sas>'`.
pub fn create_credential_sas(name: &str, sas: &str) -> Sql {
    let head = format!("CREATE CREDENTIAL {} WITH IDENTITY = {}, SECRET = ", quote_ident(name), quote_nstr(IDENTITY_SAS));
    Sql::with_secret(format!("{head}{}", quote_nstr(sas)), format!("{head}N'***'"))
}

/// `DROP CREDENTIAL [name]`.
pub fn drop_credential(name: &str) -> Sql {
    Sql::plain(format!("DROP CREDENTIAL {}", quote_ident(name)))
}

/// The columns of `sys.credentials` we read, in this order:
/// credential_id, name, credential_identity, create_date, modify_date.
pub const CREDENTIAL_COLUMNS: &str = "credential_id, name, credential_identity, create_date, modify_date";

/// All credentials, ordered by name.
pub fn list_credentials() -> Sql {
    Sql::plain(format!("SELECT {CREDENTIAL_COLUMNS} FROM sys.credentials ORDER BY name"))
}

/// What a pooled connection is checked with before reuse: columns `trancount` (int) and `db`
/// (the current database). A reused session must show no open transaction and its login
/// database; anything else (or no answer: a dead socket) and the connection is discarded.
pub fn pool_session_check() -> Sql {
    Sql::plain("SELECT @@TRANCOUNT AS trancount, DB_NAME() AS db")
}

/// `DBCC TRACESTATUS(flag)` — columns TraceFlag, Status, Global, Session.
pub fn trace_status(flag: u32) -> Sql {
    Sql::plain(format!("DBCC TRACESTATUS({flag})"))
}

/// `DBCC TRACEON(flag, -1)`: on globally (needs sysadmin).
pub fn trace_on_global(flag: u32) -> Sql {
    Sql::plain(format!("DBCC TRACEON({flag}, -1)"))
}

/// `DBCC TRACEOFF(flag, -1)`: off globally (needs sysadmin).
pub fn trace_off_global(flag: u32) -> Sql {
    Sql::plain(format!("DBCC TRACEOFF({flag}, -1)"))
}

/// The service's startup parameters (`SQLArg0..n` under `...\MSSQLServer\Parameters`), rows of
/// value_name, value_data (sql_variant, cast for the driver). Needs VIEW SERVER PERFORMANCE STATE
/// on SQL Server 2022 (VIEW SERVER STATE before).
pub fn startup_parameters() -> Sql {
    Sql::plain(
        "SELECT value_name, CAST(value_data AS nvarchar(512)) AS value_data FROM sys.dm_server_registry \
WHERE registry_key LIKE N'%Parameters' AND value_name LIKE N'SQLArg%'",
    )
}

/// Server facts in one row: server name, product version, update level, update reference,
/// product level, edition, engine edition, is clustered, default data path, default log path,
/// is sysadmin, login name. SERVERPROPERTY returns sql_variant, so every value
/// is CAST (tiberius cannot decode sql_variant).
pub fn server_facts() -> Sql {
    Sql::plain(
        "SELECT CAST(SERVERPROPERTY('ServerName') AS nvarchar(256)) AS server_name, \
CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) AS product_version, \
CAST(SERVERPROPERTY('ProductUpdateLevel') AS nvarchar(128)) AS product_update_level, \
CAST(SERVERPROPERTY('ProductUpdateReference') AS nvarchar(128)) AS product_update_reference, \
CAST(SERVERPROPERTY('ProductLevel') AS nvarchar(128)) AS product_level, \
CAST(SERVERPROPERTY('Edition') AS nvarchar(128)) AS edition, \
CAST(SERVERPROPERTY('EngineEdition') AS int) AS engine_edition, \
CAST(SERVERPROPERTY('IsClustered') AS int) AS is_clustered, \
CAST(SERVERPROPERTY('InstanceDefaultDataPath') AS nvarchar(260)) AS default_data_path, \
CAST(SERVERPROPERTY('InstanceDefaultLogPath') AS nvarchar(260)) AS default_log_path, \
IS_SRVROLEMEMBER('sysadmin') AS is_sysadmin, \
SUSER_SNAME() AS login_name",
    )
}

/// The server's clock and its offset from UTC in minutes, one row: server_now (datetimeoffset),
/// tz_offset_minutes (int, e.g. 120 at UTC+2). STOPAT is read in the server's local time, so a
/// point in time given in UTC or with an offset is converted with this offset.
pub fn server_utc_offset() -> Sql {
    Sql::plain("SELECT SYSDATETIMEOFFSET() AS server_now, DATEPART(TZOFFSET, SYSDATETIMEOFFSET()) AS tz_offset_minutes")
}

/// `sys.dm_os_host_info.host_platform` (`Windows` / `Linux`); SQL Server 2017+.
pub fn host_platform() -> Sql {
    Sql::plain("SELECT host_platform FROM sys.dm_os_host_info")
}

/// Databases: name, state_desc, recovery_model_desc, database_id.
pub fn list_databases() -> Sql {
    Sql::plain("SELECT name, state_desc, recovery_model_desc, database_id FROM sys.databases ORDER BY name")
}

/// Files of one database: logical name, physical name, type_desc (ROWS/LOG), size in 8 KB pages,
/// file_id.
pub fn database_files(database: &str) -> Sql {
    Sql::plain(format!(
        "SELECT name, physical_name, type_desc, size, file_id FROM sys.master_files WHERE database_id = DB_ID({}) ORDER BY file_id",
        quote_nstr(database)
    ))
}

/// The permission that shows other sessions' requests (progress of a running BACKUP / RESTORE):
/// VIEW SERVER PERFORMANCE STATE on SQL Server 2022 (major version 16) and later, VIEW SERVER
/// STATE before.
pub fn progress_permission(major_version: u32) -> &'static str {
    if major_version >= 16 {
        "VIEW SERVER PERFORMANCE STATE"
    } else {
        "VIEW SERVER STATE"
    }
}

/// The readiness check's permissions, one row of 1/0 (NULL for a permission the server does not
/// know): can_create_any_database (server), can_create_database (in master; RESTORE HEADERONLY /
/// FILELISTONLY need CREATE DATABASE), can_view_progress ([`progress_permission`]).
pub fn readiness_permissions(major_version: u32) -> Sql {
    Sql::plain(format!(
        "SELECT HAS_PERMS_BY_NAME(NULL, NULL, 'CREATE ANY DATABASE') AS can_create_any_database, \
HAS_PERMS_BY_NAME(N'master', N'DATABASE', N'CREATE DATABASE') AS can_create_database, \
HAS_PERMS_BY_NAME(NULL, NULL, {}) AS can_view_progress",
        quote_nstr(progress_permission(major_version))
    ))
}

/// `GRANT CREATE ANY DATABASE TO [login]` (server level; covers CREATE DATABASE in master).
pub fn grant_create_any_database(login: &str) -> String {
    format!("GRANT CREATE ANY DATABASE TO {}", quote_ident(login))
}

/// `GRANT VIEW SERVER PERFORMANCE STATE TO [login]` (or VIEW SERVER STATE before 2022).
pub fn grant_progress_permission(login: &str, major_version: u32) -> String {
    format!("GRANT {} TO {}", progress_permission(major_version), quote_ident(login))
}

/// Evidence that the login may run BACKUP in the connection's database, one row:
/// is_sysadmin, can_backup (`HAS_PERMS_BY_NAME(..., 'BACKUP DATABASE')`: db_backupoperator,
/// db_owner or a grant), database_name.
pub fn backup_permission() -> Sql {
    Sql::plain(
        "SELECT IS_SRVROLEMEMBER('sysadmin') AS is_sysadmin, \
HAS_PERMS_BY_NAME(DB_NAME(), 'DATABASE', 'BACKUP DATABASE') AS can_backup, DB_NAME() AS database_name",
    )
}

/// The connection's session id: `spid`.
pub fn session_id() -> Sql {
    Sql::plain("SELECT @@SPID AS spid")
}

/// The connection's session id and the server name: `spid`, `server_name`.
/// (Plain single-table queries, no subqueries: they run on any SQL Server and the simulator.)
pub fn session_and_server() -> Sql {
    Sql::plain("SELECT @@SPID AS spid, CAST(SERVERPROPERTY('ServerName') AS nvarchar(256)) AS server_name")
}

/// The size of the database's last backup of this type (`D` full, `I` differential, `L` log)
/// as msdb knows it: `backup_size`.
pub fn last_backup_size(database: &str, backupset_type: char) -> Sql {
    Sql::plain(format!(
        "SELECT TOP (1) CAST(backup_size AS bigint) AS backup_size FROM msdb.dbo.backupset \
         WHERE database_name = {db} AND type = N'{t}' ORDER BY backup_finish_date DESC",
        db = quote_nstr(database),
        t = match backupset_type {
            'I' => 'I',
            'L' => 'L',
            _ => 'D',
        }
    ))
}

/// The server's default data and log paths: `data_path`, `log_path`.
pub fn default_paths() -> Sql {
    Sql::plain(
        "SELECT CAST(SERVERPROPERTY('InstanceDefaultDataPath') AS nvarchar(260)) AS data_path, \
             CAST(SERVERPROPERTY('InstanceDefaultLogPath') AS nvarchar(260)) AS log_path",
    )
}

/// Every database's name and id (unordered): `name`, `database_id`.
pub fn database_ids() -> Sql {
    Sql::plain("SELECT name, database_id FROM sys.databases")
}

/// Every database file: `database_id`, `physical_name`.
pub fn all_database_files() -> Sql {
    Sql::plain("SELECT database_id, physical_name FROM sys.master_files")
}

/// One database's state, if it exists: `name`, `state_desc`.
pub fn database_state(name: &str) -> Sql {
    Sql::plain(format!("SELECT name, state_desc FROM sys.databases WHERE name = {}", quote_nstr(name)))
}

/// The progress of one session's request: `percent_complete`, `estimated_completion_time`
/// (the id is a number, not text: nothing to quote). (Moved from `progress::progress_query`.)
pub fn request_progress(session_id: i32) -> Sql {
    Sql::plain(format!(
        "SELECT percent_complete, estimated_completion_time FROM sys.dm_exec_requests WHERE session_id = {session_id}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "a]b'c;DROP";

    #[test]
    fn quoting_doubles_closing_bracket_and_quote() {
        assert_eq!(quote_ident(HOSTILE), "[a]]b'c;DROP]");
        assert_eq!(quote_nstr(HOSTILE), "N'a]b''c;DROP'");
        assert_eq!(quote_ident(""), "[]");
        assert_eq!(quote_nstr("it's"), "N'it''s'");
        assert_eq!(quote_ident("x]]"), "[x]]]]]");
    }

    /// A quoted identifier is one token: after the opening '[' the first ']' not followed by
    /// another ']' closes it — and that is the last character.
    fn ident_token_len(s: &str) -> usize {
        let b = s.as_bytes();
        assert_eq!(b[0], b'[');
        let mut i = 1;
        while i < b.len() {
            if b[i] == b']' {
                if i + 1 < b.len() && b[i + 1] == b']' {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i += 1;
        }
        panic!("unterminated")
    }

    #[test]
    fn hostile_identifier_stays_one_token() {
        let q = quote_ident(HOSTILE);
        assert_eq!(ident_token_len(&q), q.len());
        let stmt = create_credential_managed_identity(HOSTILE);
        assert_eq!(stmt.text(), "CREATE CREDENTIAL [a]]b'c;DROP] WITH IDENTITY = N'Managed Identity'");
    }

    #[test]
    fn sas_secret_is_masked() {
        let s = create_credential_sas("https://acct.blob.core.windows.net/c", "sv=2022&sig=abc'def");
        assert_eq!(s.text(), "CREATE CREDENTIAL [https://acct.blob.core.windows.net/c] WITH IDENTITY = N'SHARED ACCESS SIGNATURE', SECRET = N'sv=2022&sig=abc''def'");
        assert_eq!(s.masked(), "CREATE CREDENTIAL [https://acct.blob.core.windows.net/c] WITH IDENTITY = N'SHARED ACCESS SIGNATURE', SECRET = N'***'");
        assert!(!format!("{s:?}").contains("sig=abc"));
    }

    #[test]
    fn drop_and_lookup() {
        assert_eq!(drop_credential(HOSTILE).text(), "DROP CREDENTIAL [a]]b'c;DROP]");
        assert_eq!(trace_on_global(4675).text(), "DBCC TRACEON(4675, -1)");
        assert_eq!(trace_off_global(4675).text(), "DBCC TRACEOFF(4675, -1)");
        assert!(startup_parameters().text().contains("FROM sys.dm_server_registry WHERE registry_key LIKE N'%Parameters' AND value_name LIKE N'SQLArg%'"));
        assert!(database_files("x'y").text().contains("DB_ID(N'x''y')"));
        assert!(database_state("x'y").text().ends_with("WHERE name = N'x''y'"));
        assert!(last_backup_size("x'y", 'L').text().contains("database_name = N'x''y' AND type = N'L'"));
    }

    #[test]
    fn progress_query_names_the_session() {
        assert!(request_progress(57).text().ends_with("FROM sys.dm_exec_requests WHERE session_id = 57"));
    }

    #[test]
    fn readiness_permissions_and_grants() {
        let q = readiness_permissions(16);
        assert!(q.text().contains("HAS_PERMS_BY_NAME(NULL, NULL, N'VIEW SERVER PERFORMANCE STATE') AS can_view_progress"), "{}", q.text());
        assert!(q.text().contains("HAS_PERMS_BY_NAME(N'master', N'DATABASE', N'CREATE DATABASE') AS can_create_database"));
        assert!(readiness_permissions(15).text().contains("N'VIEW SERVER STATE') AS can_view_progress"));
        assert_eq!(grant_create_any_database(HOSTILE), "GRANT CREATE ANY DATABASE TO [a]]b'c;DROP]");
        assert_eq!(grant_progress_permission("DOMAIN\\svc", 16), "GRANT VIEW SERVER PERFORMANCE STATE TO [DOMAIN\\svc]");
        assert_eq!(grant_progress_permission("x", 15), "GRANT VIEW SERVER STATE TO [x]");
    }
}
