//! The JSON contract (`docs/json-contract.md`) as serde types: requests in, results out.
//!
//! Requests reject unknown fields, so a misspelt option is an error rather than silently
//! ignored. Results do not carry `contract_version` themselves: the C boundary adds it to every
//! object it returns ([`envelope`]).

use serde::{Deserialize, Serialize};

use crate::errors::ErrorObject;
use crate::tsql::backup::BackupKind;

/// Version of the JSON contract. Bumped when a field changes name, type or meaning.
pub const CONTRACT_VERSION: u32 = 1;

/// Wrap a result object: `{"contract_version": 1, ...fields}`.
pub fn envelope<T: Serialize>(value: &T) -> serde_json::Value {
    let mut v = serde_json::to_value(value).unwrap_or_else(|e| {
        serde_json::json!({"error": {"kind": "Internal", "message": format!("result not serialisable: {e}")}})
    });
    if let serde_json::Value::Object(map) = &mut v {
        map.insert("contract_version".into(), CONTRACT_VERSION.into());
    }
    v
}

/// The error envelope of the JSON contract: `{"contract_version": 1, "error": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorEnvelope {
    pub contract_version: u32,
    pub error: ErrorObject,
}

/// The error envelope: `{"contract_version": 1, "error": {...}}`.
pub fn error_envelope(e: &crate::errors::Error) -> serde_json::Value {
    serde_json::to_value(ErrorEnvelope { contract_version: CONTRACT_VERSION, error: e.to_object() }).unwrap_or_default()
}

pub use crate::secret::Secret;

/// How to authenticate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Auth {
    /// SQL Server login.
    Sql { user: String, password: Secret },
    /// A Microsoft Entra access token for `https://database.windows.net/`, acquired by the caller.
    AccessToken { token: Secret },
    /// A token from this machine's managed identity (IMDS, or IDENTITY_ENDPOINT/IDENTITY_HEADER).
    ManagedIdentity {
        #[serde(default)]
        client_id: Option<String>,
        #[serde(default)]
        object_id: Option<String>,
        #[serde(default)]
        resource_id: Option<String>,
    },
    /// Windows integrated authentication (Windows builds only).
    Integrated,
}

/// TLS level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Encrypt {
    /// Encrypt everything; fail if the server cannot (default).
    #[default]
    Mandatory,
    /// Encrypt the login only (for old servers), like SqlClient's `Encrypt=Optional`.
    Optional,
    /// TDS 8.0: TLS before the first TDS packet (SQL Server 2022+).
    Strict,
    /// No TLS at all (the password travels obfuscated only). For test rigs.
    Off,
}

fn default_connect_timeout() -> u32 {
    15
}
fn default_command_timeout() -> u32 {
    30
}

/// Where and how to connect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectionRequest {
    /// `host`, `host,port` or `host\instance`.
    pub server: String,
    #[serde(default)]
    pub database: Option<String>,
    pub auth: Auth,
    #[serde(default)]
    pub encrypt: Encrypt,
    #[serde(default)]
    pub trust_server_certificate: bool,
    #[serde(default)]
    pub host_name_in_certificate: Option<String>,
    /// Extra CA certificate(s), PEM or DER, trusted besides the system roots.
    #[serde(default)]
    pub ca_file: Option<String>,
    #[serde(default = "default_connect_timeout")]
    pub connect_timeout_s: u32,
    /// Per-response command timeout; 0 = none. Never applied to BACKUP / RESTORE.
    #[serde(default = "default_command_timeout")]
    pub command_timeout_s: u32,
    /// Reuse a logged-in connection of the library's pool for short calls (default `true`;
    /// see [`crate::connect::pool`]). `false`: a fresh connection, closed after the call.
    #[serde(default = "default_pooling")]
    pub pooling: bool,
}

fn default_pooling() -> bool {
    true
}

/// Result of `sqlurl_pool_clear`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolCleared {
    /// Idle connections closed.
    pub closed: usize,
}

/// Identity of a credential to create.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialIdentity {
    ManagedIdentity,
    Sas,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialCreate {
    pub connection: ConnectionRequest,
    pub url: String,
    pub identity: CredentialIdentity,
    /// The SAS token when `identity` is `sas`.
    #[serde(default)]
    pub secret: Option<Secret>,
    #[serde(default)]
    pub replace: bool,
    #[serde(default)]
    pub dry_run: bool,
}

/// What a credential's `credential_identity` says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    ManagedIdentity,
    Sas,
    S3,
    Other,
}

/// `as_str` (the contract name), `Display` and `== "name"` for a contract enum.
macro_rules! contract_names {
    ($t:ty { $($v:ident => $n:literal),+ $(,)? }) => {
        impl $t {
            /// The contract name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(<$t>::$v => $n),+
                }
            }
        }
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl PartialEq<&str> for $t {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }
    };
}

contract_names!(CredentialKind { ManagedIdentity => "managed_identity", Sas => "sas", S3 => "s3", Other => "other" });
contract_names!(CreateAction { Created => "created", Replaced => "replaced", WouldCreate => "would_create", WouldReplace => "would_replace" });
contract_names!(RemoveAction { Removed => "removed", WouldRemove => "would_remove" });
contract_names!(CheckName {
    Version => "Version",
    HostPlatform => "HostPlatform",
    FailoverCluster => "FailoverCluster",
    TraceFlag4675 => "TraceFlag4675",
    TraceFlag4675Startup => "TraceFlag4675Startup",
    Credential => "Credential",
    CredentialVerifiedByTraceFlag => "CredentialVerifiedByTraceFlag",
    BackupPermission => "BackupPermission",
    CreateDatabasePermission => "CreateDatabasePermission",
    ProgressPermission => "ProgressPermission",
});

/// What a credential create did (or, for a dry run, would do).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CreateAction {
    Created,
    Replaced,
    WouldCreate,
    WouldReplace,
}

/// What a credential remove did (or would do).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemoveAction {
    Removed,
    WouldRemove,
}

/// A row of `sys.credentials`, classified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialInfo {
    pub credential_id: i32,
    pub name: String,
    /// `credential_identity` as stored.
    pub identity: String,
    pub kind: CredentialKind,
    pub create_date: Option<chrono::NaiveDateTime>,
    pub modify_date: Option<chrono::NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialCreated {
    pub action: CreateAction,
    /// The credential as the server now lists it (`null` for a dry run).
    pub credential: Option<CredentialInfo>,
    /// Statements sent (or, for a dry run, that would be sent), secrets masked.
    pub statements: Vec<String>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialList {
    pub connection: ConnectionRequest,
    /// Only the credential whose name matches this container (or blob) URL.
    #[serde(default)]
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialListResult {
    pub credentials: Vec<CredentialInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialRemove {
    pub connection: ConnectionRequest,
    pub name: String,
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialRemoved {
    pub action: RemoveAction,
    pub name: String,
    pub statements: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerCheck {
    pub connection: ConnectionRequest,
    /// The container URL whose credential to check; without it the credential checks are `unknown`.
    #[serde(default)]
    pub url: Option<String>,
    /// Turn trace flag 4675 on globally when it is off (needs sysadmin).
    #[serde(default)]
    pub enable_trace_flag: bool,
    /// Turn trace flag 4675 off globally when it is on (needs sysadmin); not with enable_trace_flag.
    #[serde(default)]
    pub disable_trace_flag: bool,
    /// Deep check (issue 18): after the checks pass, a probe backup of `model` WITH COPY_ONLY to a
    /// scratch blob under the container (`sqlurl-probe/<uuid>.bak`), RESTORE VERIFYONLY, then the
    /// blob is deleted through the library's storage access (`storage`). Needs `url`.
    #[serde(default)]
    pub deep: bool,
    /// How the library reaches the container to delete the probe blob (same shape as the catalog
    /// calls' `storage`). Without it the blob is left and named in the result.
    #[serde(default)]
    pub storage: Option<crate::api_catalog::StorageRequest>,
    /// With `deep`: plan only — the probe's statements and blob name, nothing runs.
    #[serde(default)]
    pub what_if: bool,
    /// With `deep`: also ask this machine's managed identity (IMDS, storage resource) to list the
    /// container — SQL Server's own identity seen from the storage side, when run on the VM.
    /// Skipped with the reason elsewhere (Automation, App Service, a workstation).
    #[serde(default)]
    pub vm_check: bool,
    /// The user-assigned identity SQL Server uses (client id) for `vm_check`; absent = system-assigned.
    #[serde(default)]
    pub vm_client_id: Option<String>,
}

/// One step of the deep check's probe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeStep {
    /// `backup`, `verify`, `delete` or `vm_identity`.
    pub step: String,
    pub status: CheckStatus,
    pub milliseconds: u64,
    pub evidence: String,
    /// The classified error (kind, message, recommended action) when the step failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<serde_json::Value>,
}

/// The deep check's probe: what ran, each step, and whether the scratch blob is gone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeResult {
    pub blob_url: String,
    pub statements: Vec<String>,
    pub steps: Vec<ProbeStep>,
    /// True when no step failed and the backup was verified.
    pub passed: bool,
    /// The scratch blob when it could not be removed (or was never asked to be): delete it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_behind: Option<String>,
    /// `what_if`: nothing ran.
    #[serde(default)]
    pub what_if: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Pass,
    Fail,
    Warn,
    Unknown,
}

/// The checks of a ServerCheck, by their contract names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CheckName {
    Version,
    HostPlatform,
    FailoverCluster,
    TraceFlag4675,
    TraceFlag4675Startup,
    Credential,
    CredentialVerifiedByTraceFlag,
    BackupPermission,
    CreateDatabasePermission,
    ProgressPermission,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub name: CheckName,
    pub status: CheckStatus,
    pub evidence: String,
    pub recommended_action: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerCheckResult {
    pub server: String,
    pub product_version: String,
    /// True when no check failed.
    pub ready: bool,
    pub checks: Vec<Check>,
    /// Statements that changed the server (only `DBCC TRACEON` when asked).
    #[serde(default)]
    pub statements: Vec<String>,
    /// The deep check's probe (only with `deep`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe: Option<ProbeResult>,
}

/// BackupResult of the JSON contract (one per database).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BackupResult {
    /// The server, in a fleet backup's results (absent from a single-server backup).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    pub database: String,
    #[serde(rename = "type")]
    pub kind: BackupKind,
    pub urls: Vec<String>,
    pub stripes: u32,
    pub stripe_reason: String,
    /// Things the caller should know, known before the backup starts (e.g. fewer stripes forced
    /// than the planner's margin for partial blocks wants). The cmdlet shows them as warnings.
    #[serde(default)]
    pub warnings: Vec<String>,
    pub bytes: Option<i64>,
    pub duration_seconds: Option<f64>,
    pub throughput_mb_per_second: Option<f64>,
    pub first_lsn: Option<String>,
    pub last_lsn: Option<String>,
    pub checksum: Option<bool>,
    pub compressed: Option<bool>,
    pub copy_only: bool,
    pub message: String,
    pub statements: Vec<String>,
    pub error: Option<ErrorObject>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileMove {
    pub logical_name: String,
    pub physical_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepInfo {
    pub url: String,
    pub backup_type: String,
    pub statement: String,
}

/// RestoreResult of the JSON contract.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RestoreResult {
    pub database: String,
    pub urls: Vec<String>,
    pub files: Vec<FileMove>,
    pub steps: Vec<StepInfo>,
    pub duration_seconds: Option<f64>,
    /// The STOPAT point as sent (the server's local time, ISO 8601 with milliseconds) and the same
    /// instant in UTC; `server_utc_offset_minutes` is the offset used (`SYSDATETIMEOFFSET()`).
    pub stop_at_server_local: Option<String>,
    pub stop_at_utc: Option<String>,
    pub server_utc_offset_minutes: Option<i32>,
    /// Things the caller should know although the restore did not fail (e.g. the database was
    /// left RESTORING because the point in time lies after the end of the logs given: 4322).
    #[serde(default)]
    pub warnings: Vec<String>,
    pub message: String,
    pub statements: Vec<String>,
    pub error: Option<ErrorObject>,
}

/// An item that stopped outside its operation's work: cancelled before it started, or its
/// work panicked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoppedItem {
    /// The server, in a fleet backup's results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    pub database: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub error: ErrorObject,
}

/// How DBCC CHECKDB ended for a restore drill's copy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckDbOutcome {
    /// CHECKDB ran and sent no error.
    Clean,
    /// CHECKDB reported consistency errors (`checkdb_messages`).
    CorruptionFound,
    /// CHECKDB did not run or did not finish (the restore failed, a cancel, or CHECKDB itself
    /// failed for another reason: see `error`).
    #[default]
    NotRun,
}

/// One error message of DBCC CHECKDB, as the server sent it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckDbMessage {
    pub number: u32,
    pub message: String,
}

/// DrillResult of the JSON contract: one database of a restore drill.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrillResult {
    /// The database whose backups were drilled.
    pub database: String,
    /// The name its copy was restored under (dropped at the end).
    pub scratch_database: String,
    pub dry_run: bool,
    /// Backup sets of the chain restored (full, differential, logs).
    pub backup_sets: u32,
    /// When the chain's full backup finished (server-local, as backup dates are).
    pub full_finish: Option<String>,
    /// The point the copy was restored to: the STOPAT point, else the last set's finish.
    pub restore_point: Option<String>,
    pub restore_seconds: Option<f64>,
    pub checkdb: CheckDbOutcome,
    pub checkdb_messages: Vec<CheckDbMessage>,
    pub checkdb_seconds: Option<f64>,
    /// The scratch database is gone at the end: the drill dropped it, or it was never created.
    /// False only when DROP DATABASE failed (`drop_error`): then the copy is still there.
    pub dropped: bool,
    pub drop_error: Option<ErrorObject>,
    /// Every blob of the chain, in restore order.
    pub urls: Vec<String>,
    /// Where the copy's files were placed (relocated, never onto the source's files).
    pub files: Vec<FileMove>,
    /// Every statement the drill sent that changes the server, in order (with `dry_run`, the
    /// CHECKDB and DROP statements it would send).
    pub statements: Vec<String>,
    #[serde(default)]
    pub warnings: Vec<String>,
    pub message: String,
    pub error: Option<ErrorObject>,
}

/// One entry of an OperationStatus's `results`: a BackupResult, a RestoreResult, a DrillResult, or an item
/// that stopped outside its work. Serialised as the object itself (no tag).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ItemResult {
    /// First: its unknown-field check keeps a backup or restore result from reading as one.
    Drill(DrillResult),
    Backup(BackupResult),
    Restore(RestoreResult),
    Stopped(StoppedItem),
}

/// Parse a request, turning serde's message into an `InvalidArgument` that names the field.
pub fn parse_request<T: serde::de::DeserializeOwned>(json: &str) -> crate::errors::Result<T> {
    serde_json::from_str(json).map_err(|e| {
        // serde_json messages name the field and position, never the value of a string.
        crate::errors::Error::invalid(format!("The request is not valid: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_defaults_and_auth_kinds() {
        let c: ConnectionRequest = parse_request(r#"{"server":"h,1433","auth":{"kind":"sql","user":"sa","password":"p@ss"}}"#).unwrap();
        assert_eq!(c.encrypt, Encrypt::Mandatory);
        assert!(!c.trust_server_certificate);
        assert_eq!(c.connect_timeout_s, 15);
        assert_eq!(c.command_timeout_s, 30);
        assert!(matches!(&c.auth, Auth::Sql { user, password } if user == "sa" && password.expose() == "p@ss"));
        let t: Auth = serde_json::from_str(r#"{"kind":"access_token","token":"eyJ"}"#).unwrap();
        assert!(matches!(t, Auth::AccessToken { .. }));
        let m: Auth = serde_json::from_str(r#"{"kind":"managed_identity","client_id":"abc"}"#).unwrap();
        assert_eq!(m, Auth::ManagedIdentity { client_id: Some("abc".into()), object_id: None, resource_id: None });
        let i: Auth = serde_json::from_str(r#"{"kind":"integrated"}"#).unwrap();
        assert_eq!(i, Auth::Integrated);
    }

    #[test]
    fn a_secret_of_the_wrong_type_is_refused_without_its_value() {
        for (field, value) in [("password", "987654321"), ("password", "-98765.5"), ("password", "true")] {
            let json = format!(r#"{{"server":"h","auth":{{"kind":"sql","user":"sa","{field}":{value}}}}}"#);
            let e = parse_request::<ConnectionRequest>(&json).unwrap_err().to_string();
            assert!(!e.contains(value), "{e}");
            assert!(e.contains("not shown"), "{e}");
        }
        let e = parse_request::<Auth>(r#"{"kind":"access_token","token":4242424242}"#).unwrap_err().to_string();
        assert!(!e.contains("4242424242") && e.contains("invalid type: integer"), "{e}");
        let e = parse_request::<CredentialCreate>(
            r#"{"connection":{"server":"h","auth":{"kind":"integrated"}},"url":"https://a.blob.core.windows.net/c","identity":"sas","secret":31415926535}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(!e.contains("31415926535") && e.contains("not shown"), "{e}");
        let ok: Auth = parse_request(r#"{"kind":"access_token","token":"eyJ\u0041"}"#).unwrap();
        assert!(matches!(ok, Auth::AccessToken { token } if token.expose() == "eyJA"));
    }

    #[test]
    fn secrets_never_serialise_or_debug() {
        let c: ConnectionRequest = parse_request(r#"{"server":"h","auth":{"kind":"sql","user":"sa","password":"TopSecret1"}}"#).unwrap();
        assert!(!format!("{c:?}").contains("TopSecret1"));
        assert!(!serde_json::to_string(&c).unwrap().contains("TopSecret1"));
    }

    #[test]
    fn unknown_fields_and_bad_values_are_rejected_by_name() {
        let e = parse_request::<ConnectionRequest>(r#"{"server":"h","auth":{"kind":"sql","user":"sa","password":"x"},"encrpyt":"off"}"#).unwrap_err();
        assert!(e.to_string().contains("encrpyt"), "{e}");
        let e = parse_request::<ConnectionRequest>(r#"{"server":"h","auth":{"kind":"kerberos"}}"#).unwrap_err();
        assert!(e.to_string().contains("kerberos"), "{e}");
        let e = parse_request::<ConnectionRequest>(r#"{"server":"h","auth":{"kind":"sql","user":"sa","password":"x"},"encrypt":"maybe"}"#).unwrap_err();
        assert!(e.to_string().contains("maybe"), "{e}");
    }

    #[test]
    fn contract_enum_names_are_their_serde_names() {
        for k in [CredentialKind::ManagedIdentity, CredentialKind::Sas, CredentialKind::S3, CredentialKind::Other] {
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        for a in [CreateAction::Created, CreateAction::Replaced, CreateAction::WouldCreate, CreateAction::WouldReplace] {
            assert_eq!(serde_json::to_value(a).unwrap(), a.as_str());
        }
        for a in [RemoveAction::Removed, RemoveAction::WouldRemove] {
            assert_eq!(serde_json::to_value(a).unwrap(), a.as_str());
        }
        assert_eq!(serde_json::to_value(CheckName::CredentialVerifiedByTraceFlag).unwrap(), "CredentialVerifiedByTraceFlag");
        assert_eq!(CheckName::TraceFlag4675, "TraceFlag4675");
    }

    #[test]
    fn result_round_trip_and_envelope() {
        let r = CredentialCreated {
            action: CreateAction::Created,
            credential: Some(CredentialInfo {
                credential_id: 65536,
                name: "https://acct.blob.core.windows.net/c".into(),
                identity: "Managed Identity".into(),
                kind: CredentialKind::ManagedIdentity,
                create_date: chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap().and_hms_opt(16, 40, 0),
                modify_date: None,
            }),
            statements: vec!["CREATE CREDENTIAL [x] WITH IDENTITY = N'Managed Identity'".into()],
            warnings: vec![],
        };
        let v = envelope(&r);
        assert_eq!(v["contract_version"], 1);
        assert_eq!(v["credential"]["create_date"], "2026-11-26T16:40:00");
        let back: CredentialCreated = serde_json::from_value(v).unwrap();
        assert_eq!(back, r);
        let s = ServerCheckResult { server: "S".into(), product_version: "16.0.4175.1".into(), ready: true, checks: vec![Check { name: CheckName::Version, status: CheckStatus::Pass, evidence: "e".into(), recommended_action: None }], statements: vec![], probe: None };
        let v = envelope(&s);
        assert_eq!(v["checks"][0]["status"], "pass");
        assert_eq!(serde_json::from_value::<ServerCheckResult>(v).unwrap(), s);
    }
}
