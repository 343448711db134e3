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
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            server_name: "SQLVM01".into(),
            product_version: "16.0.4175.1".into(),
            product_update_level: "CU17".into(),
            product_update_reference: "KB5048038".into(),
            product_level: "RTM".into(),
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
            }],
            databases: vec![],
            credentials: vec![],
            server_certificates: vec!["BackupCert".into()],
            storage: vec![],
            throughput_mb_per_s: 200.0,
            faults: Faults::default(),
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
    /// VIEW SERVER STATE: may read other sessions' rows in `sys.dm_exec_requests`.
    pub can_view_server_state: bool,
}

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
}

impl Default for Database {
    fn default() -> Self {
        Database {
            name: String::new(),
            recovery_model: "FULL".into(),
            state: "ONLINE".into(),
            files: vec![],
            in_use: false,
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
