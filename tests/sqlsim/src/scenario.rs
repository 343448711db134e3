//! The scenario file: what server the simulator pretends to be, and its state at start.
//!
//! Shared by the TDS core (issue 2) and the backup engine (issue 3). Add fields; do not rename.
//! Every field has a default so a scenario file only says what differs from a stock
//! SQL Server 2022 CU17 on a Windows Azure VM.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    /// `@@SERVERNAME` and `SERVERPROPERTY('ServerName')`.
    pub server_name: String,
    /// `SERVERPROPERTY('ProductVersion')`, e.g. `16.0.4175.1`.
    pub product_version: String,
    /// `SERVERPROPERTY('ProductUpdateLevel')`, e.g. `CU17`.
    pub product_update_level: String,
    /// `SERVERPROPERTY('ProductUpdateReference')`, e.g. `KB5048038`.
    pub product_update_reference: String,
    /// `SERVERPROPERTY('ProductLevel')`, e.g. `RTM`.
    pub product_level: String,
    /// `SERVERPROPERTY('ProductBuildType')`: empty (NULL), `GDR` or `OD`. `GDR` makes
    /// `@@VERSION` print e.g. `(RTM-CU25-GDR)` (a security update on a CU).
    pub product_build_type: String,
    /// `SERVERPROPERTY('Edition')`, e.g. `Developer Edition (64-bit)`.
    pub edition: String,
    /// `SERVERPROPERTY('EngineEdition')`: 2 Standard, 3 Enterprise/Developer, 4 Express, 8 MI.
    pub engine_edition: i32,
    /// `sys.dm_os_host_info.host_platform`: `Windows` or `Linux`.
    pub host_platform: String,
    /// Failover cluster instance (`SERVERPROPERTY('IsClustered')`).
    pub clustered: bool,
    /// Whether a primary managed identity is selected for the instance (Azure VM + Entra).
    pub primary_managed_identity: bool,
    /// `SERVERPROPERTY('InstanceDefaultDataPath')`, with trailing backslash as SQL Server reports it.
    pub default_data_path: String,
    /// `SERVERPROPERTY('InstanceDefaultLogPath')`.
    pub default_log_path: String,
    /// Trace flags on globally at start (e.g. `[4675]`).
    pub trace_flags: Vec<i32>,
    pub logins: Vec<Login>,
    pub databases: Vec<Database>,
    /// Credentials that exist at start.
    pub credentials: Vec<CredentialSeed>,
    /// Server certificates and asymmetric keys in master that `BACKUP … WITH ENCRYPTION` may name
    /// (names only; nothing is really encrypted). Default: one certificate, `BackupCert`.
    pub server_certificates: Vec<String>,
    /// Storage accounts the server can reach (issue 3).
    pub storage: Vec<StorageAccount>,
    /// Backup/restore speed in MB/s, so a backup takes a predictable time (issue 3).
    pub throughput_mb_per_s: f64,
    /// Faults to inject (issue 3).
    pub faults: Faults,
    /// The server's time zone: minutes east of UTC (e.g. 120 for UTC+2). GETDATE(),
    /// SYSDATETIME(), SYSDATETIMEOFFSET(), backup dates and STOPAT are in this local time;
    /// GETUTCDATE() / SYSUTCDATETIME() stay UTC (issue 12).
    pub utc_offset_minutes: i32,
    /// Average fill of a backup block (1.0 = every block is MAXTRANSFERSIZE), per backup kind
    /// (issue 12): drives the virtual block count and so when 3063 arrives.
    pub block_fill: BlockFill,
    /// `@@VERSION`'s build date line (e.g. `Dec 13 2024 09:01:53`). Empty: the date of the
    /// scenario's build from [`known_build_date`], else an *unconfirmed* placeholder.
    pub build_date: String,
    /// Accept EXPIREDATE / RETAINDAYS on BACKUP TO URL (reported accepted by 2022 CU25 GDR,
    /// listed as unsupported by older docs). Default false: 3032 like before.
    pub url_accepts_expiredate: bool,
    /// Marked transactions (`BEGIN TRAN name WITH MARK`) per database, for RESTORE …
    /// STOPATMARK / STOPBEFOREMARK.
    pub marks: Vec<Mark>,
    /// Startup parameters after the three standard ones (-d, -e, -l), e.g. `["-T4675"]`:
    /// `sys.dm_server_registry` shows them as SQLArg3, SQLArg4, …
    pub startup_parameters: Vec<String>,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            server_name: "SQLVM01".into(),
            product_version: "16.0.4175.1".into(),
            product_update_level: "CU17".into(),
            product_update_reference: "KB5048038".into(),
            product_level: "RTM".into(),
            product_build_type: String::new(),
            edition: "Developer Edition (64-bit)".into(),
            engine_edition: 3,
            host_platform: "Windows".into(),
            clustered: false,
            primary_managed_identity: true,
            default_data_path: "F:\\data\\".into(),
            default_log_path: "G:\\log\\".into(),
            trace_flags: vec![],
            logins: vec![Login {
                name: "sa".into(),
                password: Some("Sim-Passw0rd!".into()),
                principal: None,
                sysadmin: true,
                backup_operator: false,
                can_view_server_state: true,
                create_database: None,
                view_server_performance_state: None,
            }],
            databases: vec![],
            credentials: vec![],
            server_certificates: vec!["BackupCert".into()],
            storage: vec![],
            throughput_mb_per_s: 200.0,
            faults: Faults::default(),
            utc_offset_minutes: 0,
            block_fill: BlockFill::default(),
            build_date: String::new(),
            url_accepts_expiredate: false,
            marks: vec![],
            startup_parameters: vec![],
        }
    }
}

#[derive(Clone, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Login {
    pub name: String,
    /// SQL authentication password; `None` for an Entra principal.
    #[serde(deserialize_with = "secret_string")]
    pub password: Option<String>,
    /// For token logins: the token's `upn`, `unique_name`, `oid` or `appid` claim must equal this.
    pub principal: Option<String>,
    pub sysadmin: bool,
    /// Member of db_backupoperator in every database (BACKUP allowed without sysadmin).
    pub backup_operator: bool,
    /// VIEW SERVER STATE (on SQL Server 2022 it implies VIEW SERVER PERFORMANCE STATE).
    pub can_view_server_state: bool,
    /// CREATE DATABASE (or CREATE ANY DATABASE) permission: RESTORE HEADERONLY / FILELISTONLY /
    /// LABELONLY need it. `None` (absent) = granted, as before issue 12; sysadmin implies it.
    pub create_database: Option<bool>,
    /// VIEW SERVER PERFORMANCE STATE (SQL Server 2022): needed to see other sessions in
    /// `sys.dm_exec_requests`. `None` = follows `can_view_server_state` (which implies it).
    pub view_server_performance_state: Option<bool>,
}

impl Login {
    /// CREATE DATABASE / CREATE ANY DATABASE in effect.
    pub fn has_create_database(&self) -> bool {
        self.sysadmin || self.create_database.unwrap_or(true)
    }
    /// VIEW SERVER PERFORMANCE STATE in effect (sysadmin and VIEW SERVER STATE imply it).
    pub fn has_view_server_performance_state(&self) -> bool {
        self.sysadmin || self.can_view_server_state || self.view_server_performance_state.unwrap_or(false)
    }
}

/// Average block fill per backup kind (each in (0, 1]; 1.0 = full blocks). Blocks of a
/// differential, log or uncompressed backup are often partly filled (best-practices page; the
/// SQLCAT case hit 3063 at about 48 GB with defaults). Default: all 1.0 (full blocks).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct BlockFill {
    /// Full backup WITH COMPRESSION.
    pub full: f64,
    /// Full backup without compression.
    pub full_uncompressed: f64,
    /// Differential backup (compressed or not).
    pub differential: f64,
    /// Log backup (compressed or not).
    pub log: f64,
}

impl Default for BlockFill {
    fn default() -> Self {
        BlockFill { full: 1.0, full_uncompressed: 1.0, differential: 1.0, log: 1.0 }
    }
}

impl BlockFill {
    /// The fill for a backup: `backup_type` 1 full, 5 differential, 2 log. Values outside
    /// (0, 1] are clamped to [0.001, 1].
    pub fn for_backup(&self, backup_type: i16, compressed: bool) -> f64 {
        let f = match backup_type {
            5 => self.differential,
            2 => self.log,
            _ if compressed => self.full,
            _ => self.full_uncompressed,
        };
        if f.is_finite() { f.clamp(0.001, 1.0) } else { 1.0 }
    }
}

/// A marked transaction in a database's log (for STOPATMARK / STOPBEFOREMARK).
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Mark {
    pub database: String,
    /// The mark name (`BEGIN TRAN name WITH MARK`), matched case-insensitively.
    pub name: String,
    /// When the marked transaction committed, server local time (`YYYY-MM-DDTHH:MM:SS[.fff]`).
    pub time: String,
}

/// The build date line `@@VERSION` prints for a build, when the simulator knows it.
/// Every entry is *unconfirmed* (no published `@@VERSION` output of that build was at hand);
/// `None` = unknown, and `@@VERSION` prints [`UNKNOWN_BUILD_DATE`] (also unconfirmed).
pub fn known_build_date(version: &str) -> Option<&'static str> {
    match version {
        // CU17 (KB5048038): the date the simulator has printed since issue 2.
        "16.0.4175.1" => Some("Dec 13 2024 09:01:53"),
        _ => None,
    }
}

/// The date line for a build whose date is unknown: the CU17 date (unconfirmed). Scenarios that
/// care set `build_date`.
pub const UNKNOWN_BUILD_DATE: &str = "Dec 13 2024 09:01:53";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Database {
    pub name: String,
    /// `FULL`, `BULK_LOGGED` or `SIMPLE`.
    pub recovery_model: String,
    /// `ONLINE`, `RESTORING`, `OFFLINE`, ...
    pub state: String,
    /// Files; empty means one data file and one log file named after the database.
    pub files: Vec<DbFile>,
    /// Sessions using the database (RESTORE … REPLACE then fails with 3101).
    pub in_use: bool,
    /// Planted corruption: DBCC CHECKDB reports consistency errors; backups carry it, so a
    /// database restored from them is corrupt too (issue 15's drill).
    pub corrupt: bool,
}

impl Default for Database {
    fn default() -> Self {
        Database {
            name: String::new(),
            recovery_model: "FULL".into(),
            state: "ONLINE".into(),
            files: vec![],
            in_use: false,
            corrupt: false,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct DbFile {
    pub logical_name: String,
    pub physical_name: String,
    /// `ROWS` (data) or `LOG`.
    pub file_type: String,
    pub size_mb: u64,
}

#[derive(Clone, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CredentialSeed {
    pub name: String,
    /// `Managed Identity`, `SHARED ACCESS SIGNATURE`, `S3 Access Key`, or any other identity.
    pub identity: String,
    #[serde(deserialize_with = "secret_string")]
    pub secret: Option<String>,
}

/// Reads a password or secret: a string, or null. A value of another type is refused without
/// being echoed (serde's own message would quote a number, and the scenario error is printed).
fn secret_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    use serde::de::{Error, Unexpected, Visitor};
    struct V;
    impl V {
        fn refuse<E: Error>(&self, kind: &'static str) -> Result<Option<String>, E> {
            Err(E::invalid_type(Unexpected::Other(kind), self))
        }
    }
    impl<'de> Visitor<'de> for V {
        type Value = Option<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a string or null (the value given is not shown)")
        }
        fn visit_str<E: Error>(self, v: &str) -> Result<Option<String>, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_unit<E: Error>(self) -> Result<Option<String>, E> {
            Ok(None)
        }
        fn visit_none<E: Error>(self) -> Result<Option<String>, E> {
            Ok(None)
        }
        fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
            d.deserialize_any(V)
        }
        fn visit_bool<E: Error>(self, _: bool) -> Result<Option<String>, E> {
            self.refuse("boolean")
        }
        fn visit_i64<E: Error>(self, _: i64) -> Result<Option<String>, E> {
            self.refuse("integer")
        }
        fn visit_u64<E: Error>(self, _: u64) -> Result<Option<String>, E> {
            self.refuse("integer")
        }
        fn visit_f64<E: Error>(self, _: f64) -> Result<Option<String>, E> {
            self.refuse("number")
        }
        fn visit_bytes<E: Error>(self, _: &[u8]) -> Result<Option<String>, E> {
            self.refuse("bytes")
        }
    }
    d.deserialize_any(V)
}

/// What `Debug` shows instead of a password or secret.
const REDACTED: &str = "<redacted>";

impl std::fmt::Debug for Login {
    // The password never appears in logs or test output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Login")
            .field("name", &self.name)
            .field("password", &self.password.as_ref().map(|_| REDACTED))
            .field("principal", &self.principal)
            .field("sysadmin", &self.sysadmin)
            .field("backup_operator", &self.backup_operator)
            .field("can_view_server_state", &self.can_view_server_state)
            .field("create_database", &self.create_database)
            .field("view_server_performance_state", &self.view_server_performance_state)
            .finish()
    }
}

impl std::fmt::Debug for CredentialSeed {
    // The secret never appears in logs or test output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialSeed")
            .field("name", &self.name)
            .field("identity", &self.identity)
            .field("secret", &self.secret.as_ref().map(|_| REDACTED))
            .finish()
    }
}

/// A storage account as the server sees it, mapped onto an Azurite endpoint (issue 3).
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct StorageAccount {
    /// The public name, e.g. `https://acct.blob.core.windows.net`.
    pub account_url: String,
    /// Where the bytes really go, e.g. `https://127.0.0.1:10000/devstoreaccount1`.
    pub endpoint: String,
    /// Role of the primary managed identity on the account: `Contributor`, `Reader` or `None`.
    pub managed_identity_role: String,
    /// The network path to the account is blocked (firewall): OS error 5, like a missing role.
    pub network_blocked: bool,
    /// PEM file of the CA that signed the endpoint's certificate (Azurite's test CA); when
    /// absent, `$AZURITE_CA` is used, else only the platform roots (issue 3).
    pub ca_file: Option<String>,
}

/// Faults injected on purpose (issue 3). Tests may also set them at run time.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Drop the client connection when a backup/restore reaches this percentage.
    pub drop_connection_at_percent: Option<u32>,
    /// Storage answers 503 Server Busy.
    pub storage_unavailable: bool,
    /// Storage requests time out.
    pub storage_timeout: bool,
    /// The TLS handshake with the storage endpoint fails: BACKUP/RESTORE get 3271 with a TLS
    /// inner text (issue 12), then 3013.
    pub storage_tls_failure: bool,
    /// The storage endpoint cannot be reached (no route, firewall drop, DNS): 3271 with a
    /// remote-endpoint inner text, then 3013.
    pub storage_unreachable: bool,
    /// Writes start failing once a backup reaches this percentage: 3202 `Write on "url"
    /// failed: 1117(…)` then 3013; nothing is committed.
    pub storage_write_fail_at_percent: Option<u32>,
    /// A failed backup leaves its blob behind, uncommitted and under its infinite lease (as the
    /// troubleshooting page describes); a retry then fails with the lease text. Default false:
    /// the simulator breaks the lease and deletes what it created.
    pub leave_leased_blob_on_failure: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_passwords_and_secrets() {
        let sc = Scenario {
            credentials: vec![CredentialSeed { name: "c".into(), identity: "SHARED ACCESS SIGNATURE".into(), secret: Some("sig=SeedSecret".into()) }],
            ..Scenario::default()
        };
        let shown = format!("{sc:?} {:#?}", sc.logins[0]);
        assert!(!shown.contains("Sim-Passw0rd!") && !shown.contains("SeedSecret"), "{shown}");
        assert!(shown.contains("\"sa\"") && shown.contains("password: Some(\"<redacted>\")") && shown.contains("secret: Some(\"<redacted>\")"), "{shown}");
        let none = format!("{:?}", Login::default());
        assert!(none.contains("password: None"), "{none}");
    }

    #[test]
    fn example_scenario_files_parse() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let text = std::fs::read_to_string(&p).unwrap();
            serde_json::from_str::<Scenario>(&text).unwrap_or_else(|err| panic!("{}: {err}", p.display()));
        }
        let f: Scenario = serde_json::from_str(include_str!("../scenarios/fidelity.json")).unwrap();
        assert_eq!(f.utc_offset_minutes, 120);
        assert_eq!(f.logins[2].create_database, Some(false));
        assert_eq!(f.block_fill.for_backup(5, true), 0.3);
        assert!(f.databases[1].corrupt);
    }

    #[test]
    fn the_readme_default_scenario_is_the_default() {
        let readme = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
        let at = readme.find("Every field is optional; this is the default").expect("README default scenario");
        let start = readme[at..].find("```json").unwrap() + at + 7;
        let end = readme[start..].find("```").unwrap() + start;
        let doc: Scenario = serde_json::from_str(&readme[start..end]).expect("README default parses");
        assert_eq!(serde_json::to_value(&doc).unwrap(), serde_json::to_value(Scenario::default()).unwrap());
    }

    #[test]
    fn passwords_and_secrets_read_as_strings_or_null_and_are_never_echoed() {
        let l: Login = serde_json::from_str(r#"{"name":"a","password":"p'w"}"#).unwrap();
        assert_eq!(l.password.as_deref(), Some("p'w"));
        let l: Login = serde_json::from_str(r#"{"name":"a","password":null}"#).unwrap();
        assert_eq!(l.password, None);
        let l: Login = serde_json::from_str(r#"{"name":"a"}"#).unwrap();
        assert_eq!(l.password, None);
        let e = serde_json::from_str::<Scenario>(r#"{"logins":[{"name":"a","password":98765432}]}"#).unwrap_err().to_string();
        assert!(!e.contains("98765432") && e.contains("not shown"), "{e}");
        let e = serde_json::from_str::<CredentialSeed>(r#"{"name":"c","secret":123.25}"#).unwrap_err().to_string();
        assert!(!e.contains("123.25") && e.contains("not shown"), "{e}");
    }
}
