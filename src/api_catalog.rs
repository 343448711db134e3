//! JSON types of the catalog calls (issue 15): list a container as backup sets, pick the chain
//! for a point in time, plan (and carry out) retention. See docs/json-contract.md, "Catalog".

use serde::{Deserialize, Serialize};

use crate::secret::Secret;
use crate::backup_catalog::group::{CatalogSet, UnknownBlob};
use crate::backup_catalog::retention::Decision;
use crate::identity::IdentitySelector;
use crate::storage::{StorageAuth, StorageTarget};

/// How to authenticate to Blob Storage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum StorageAuthRequest {
    /// The machine's managed identity (optionally a user-assigned one).
    ManagedIdentity {
        #[serde(default)]
        client_id: Option<String>,
        #[serde(default)]
        object_id: Option<String>,
        #[serde(default)]
        resource_id: Option<String>,
    },
    /// An Entra access token for `https://storage.azure.com/`.
    Token { token: Secret },
    /// A SAS token (with or without the leading `?`).
    Sas { sas: Secret },
}

/// `{"container_url": "...", "auth": {...}, "endpoint": null, "ca_file": null}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageRequest {
    pub container_url: String,
    pub auth: StorageAuthRequest,
    #[serde(default)]
    pub endpoint: Option<String>,
    #[serde(default)]
    pub ca_file: Option<String>,
}

impl StorageRequest {
    pub fn target(&self) -> StorageTarget {
        let auth = match &self.auth {
            StorageAuthRequest::ManagedIdentity { client_id, object_id, resource_id } => StorageAuth::ManagedIdentity(IdentitySelector {
                client_id: client_id.clone(),
                object_id: object_id.clone(),
                resource_id: resource_id.clone(),
            }),
            StorageAuthRequest::Token { token } => StorageAuth::Token(token.clone()),
            StorageAuthRequest::Sas { sas } => StorageAuth::Sas(sas.clone()),
        };
        StorageTarget { container_url: self.container_url.clone(), endpoint: self.endpoint.clone(), ca_file: self.ca_file.clone(), auth }
    }
}

/// BackupList request: the container, optional filters.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupListRequest {
    pub storage: StorageRequest,
    /// Only blobs under this prefix (e.g. `SQLVM01/Sales/`).
    #[serde(default)]
    pub prefix: Option<String>,
    /// Only sets of this database (case-insensitive).
    #[serde(default)]
    pub database: Option<String>,
    /// Only sets of this server (case-insensitive).
    #[serde(default)]
    pub server: Option<String>,
    /// `full`, `differential` or `log`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// Only sets that finished at or after this server-local time.
    #[serde(default)]
    pub since: Option<String>,
    /// Blobs per listing page (1-5000; default 5000).
    #[serde(default)]
    pub page_size: Option<u32>,
    /// A server that reads the blobs without our metadata (written by other tools) with
    /// `RESTORE HEADERONLY` (it needs a credential for the container); without it they stay
    /// `unknown`. A Connection object, parsed where it is used (`storage::catalog`), since the
    /// connection types refer to this file.
    #[serde(default)]
    pub connection: Option<serde_json::Value>,
}

/// One backup set in a result.
#[derive(Debug, Clone, Serialize)]
pub struct BackupSetInfo {
    pub database: String,
    pub server: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub backup_set_id: String,
    pub first_lsn: String,
    pub last_lsn: String,
    pub checkpoint_lsn: String,
    pub database_backup_lsn: String,
    pub differential_base_lsn: String,
    pub start: Option<String>,
    pub finish: Option<String>,
    pub copy_only: bool,
    pub backup_size: Option<i64>,
    pub stored_bytes: u64,
    pub stripes: u32,
    pub missing_stripes: Vec<u32>,
    pub complete: bool,
    pub problems: Vec<String>,
    pub leased: bool,
    pub last_modified: Option<String>,
    pub urls: Vec<String>,
    /// `metadata` (our blob metadata) or `headeronly` (another tool's backup, read by the server).
    pub source: String,
}

fn t(v: Option<chrono::NaiveDateTime>) -> Option<String> {
    v.map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3f").to_string())
}

fn utc(v: Option<chrono::DateTime<chrono::Utc>>) -> Option<String> {
    v.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

impl From<&CatalogSet> for BackupSetInfo {
    fn from(s: &CatalogSet) -> Self {
        let h = &s.header;
        BackupSetInfo {
            database: h.database_name.clone(),
            server: h.server_name.clone(),
            kind: s.kind().into(),
            backup_set_id: h.backup_set_guid.clone(),
            first_lsn: h.first_lsn.clone(),
            last_lsn: h.last_lsn.clone(),
            checkpoint_lsn: h.checkpoint_lsn.clone(),
            database_backup_lsn: h.database_backup_lsn.clone(),
            differential_base_lsn: h.differential_base_lsn.clone(),
            start: t(h.backup_start_date),
            finish: t(h.backup_finish_date),
            copy_only: h.is_copy_only,
            backup_size: h.backup_size,
            stored_bytes: s.stored_bytes,
            stripes: s.stripes,
            missing_stripes: s.missing_stripes.clone(),
            complete: s.is_complete(),
            problems: s.inconsistent.clone(),
            leased: s.leased,
            last_modified: utc(s.last_modified),
            urls: s.urls.clone(),
            source: if s.from_headeronly { "headeronly" } else { "metadata" }.into(),
        }
    }
}

/// A blob that is not one of ours.
#[derive(Debug, Clone, Serialize)]
pub struct UnknownBlobInfo {
    pub url: String,
    pub size: u64,
    pub last_modified: Option<String>,
    pub leased: bool,
    pub reason: String,
}

impl From<&UnknownBlob> for UnknownBlobInfo {
    fn from(u: &UnknownBlob) -> Self {
        UnknownBlobInfo { url: u.url.clone(), size: u.size, last_modified: utc(u.last_modified), leased: u.leased, reason: u.reason.clone() }
    }
}

/// BackupList result.
#[derive(Debug, Clone, Serialize)]
pub struct BackupListResult {
    pub container_url: String,
    pub blobs_listed: u64,
    pub sets: Vec<BackupSetInfo>,
    pub unknown: Vec<UnknownBlobInfo>,
}

/// BackupChain request: the chain that restores `database` to `point_in_time`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupChainRequest {
    pub storage: StorageRequest,
    pub database: String,
    /// Server-local time (as backup dates are); `null`: the newest point the backups reach.
    #[serde(default)]
    pub point_in_time: Option<String>,
    #[serde(default)]
    pub prefix: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChainStepInfo {
    #[serde(rename = "type")]
    pub kind: String,
    pub backup_set_id: String,
    pub finish: Option<String>,
    pub first_lsn: String,
    pub last_lsn: String,
    pub urls: Vec<String>,
}

/// BackupChain result: the steps, and every URL in restore order (a Restore request with
/// `"sequence": true` takes them as they are).
#[derive(Debug, Clone, Serialize)]
pub struct BackupChainResult {
    pub database: String,
    pub point_in_time: Option<String>,
    pub steps: Vec<ChainStepInfo>,
    pub urls: Vec<String>,
    pub skipped: Vec<String>,
}

/// Retention request. Without `dry_run: false` nothing is deleted.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionRequest {
    pub storage: StorageRequest,
    pub retention_days: u32,
    #[serde(default)]
    pub databases: Vec<String>,
    #[serde(default)]
    pub prefix: Option<String>,
    /// Also delete the only full backup of a database when it is expired.
    #[serde(default)]
    pub force: bool,
    #[serde(default = "yes")]
    pub dry_run: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Serialize)]
pub struct DecisionInfo {
    pub database: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub backup_set_id: String,
    pub last_modified: Option<String>,
    pub reason: String,
    pub urls: Vec<String>,
}

impl From<&Decision> for DecisionInfo {
    fn from(d: &Decision) -> Self {
        DecisionInfo {
            database: d.database.clone(),
            kind: d.kind.into(),
            backup_set_id: d.backup_set_id.clone(),
            last_modified: utc(d.last_modified),
            reason: d.reason.clone(),
            urls: d.urls.clone(),
        }
    }
}

/// Retention result: what was (or, in a dry run, would be) deleted, what was kept and why, and
/// per-blob failures (a delete refused by the service: the set is reported, the rest goes on).
#[derive(Debug, Clone, Serialize)]
pub struct RetentionResult {
    pub dry_run: bool,
    pub cutoff: String,
    pub deleted: Vec<DecisionInfo>,
    pub kept: Vec<DecisionInfo>,
    pub failures: Vec<serde_json::Value>,
}
