//! Shared catalog queries: server facts, host platform, trace flags, credentials, databases,
//! files, default paths. Used by the readiness check, the credential functions and the
//! backup/restore operations.

use crate::api::{CredentialInfo, CredentialKind};
use crate::connect::rows::{cell_datetime, cell_i64, cell_string};
use crate::connect::{query_rows, Client};
use crate::errors::Result;
use crate::tsql;

/// What `SERVERPROPERTY` and friends say about the server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerFacts {
    pub server_name: String,
    pub product_version: String,
    pub product_update_level: Option<String>,
    pub product_update_reference: Option<String>,
    pub product_level: Option<String>,
    pub edition: Option<String>,
    pub engine_edition: Option<i64>,
    pub is_clustered: Option<bool>,
    pub default_data_path: Option<String>,
    pub default_log_path: Option<String>,
    pub is_sysadmin: Option<bool>,
    pub login_name: Option<String>,
}

/// Read the server facts (one row).
pub async fn server_facts(client: &mut Client) -> Result<ServerFacts> {
    let rows = query_rows(client, &tsql::server_facts()).await?;
    let Some(r) = rows.first() else {
        return Err(crate::errors::Error::Internal("SERVERPROPERTY query returned no row".into()));
    };
    Ok(ServerFacts {
        server_name: cell_string(r, 0).unwrap_or_default(),
        product_version: cell_string(r, 1).unwrap_or_default(),
        product_update_level: cell_string(r, 2),
        product_update_reference: cell_string(r, 3),
        product_level: cell_string(r, 4),
        edition: cell_string(r, 5),
        engine_edition: cell_i64(r, 6),
        is_clustered: cell_i64(r, 7).map(|v| v == 1),
        default_data_path: cell_string(r, 8),
        default_log_path: cell_string(r, 9),
        is_sysadmin: cell_i64(r, 10).map(|v| v == 1),
        login_name: cell_string(r, 11),
    })
}

/// `sys.dm_os_host_info.host_platform`.
pub async fn host_platform(client: &mut Client) -> Result<Option<String>> {
    let rows = query_rows(client, &tsql::host_platform()).await?;
    Ok(rows.first().and_then(|r| cell_string(r, 0)))
}

/// State of a trace flag.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TraceFlagState {
    pub status: bool,
    pub global: bool,
    pub session: bool,
}

/// `DBCC TRACESTATUS(flag)`; no row means off.
pub async fn trace_flag(client: &mut Client, flag: u32) -> Result<TraceFlagState> {
    let rows = query_rows(client, &tsql::trace_status(flag)).await?;
    for r in &rows {
        if cell_i64(r, 0) == Some(flag as i64) {
            return Ok(TraceFlagState {
                status: cell_i64(r, 1) == Some(1),
                global: cell_i64(r, 2) == Some(1),
                session: cell_i64(r, 3) == Some(1),
            });
        }
    }
    Ok(TraceFlagState::default())
}

/// Classify `credential_identity`: `managed_identity`, `sas`, `s3` or `other`.
pub fn credential_kind(identity: &str) -> CredentialKind {
    if identity.eq_ignore_ascii_case(tsql::IDENTITY_MANAGED) {
        CredentialKind::ManagedIdentity
    } else if identity.eq_ignore_ascii_case(tsql::IDENTITY_SAS) {
        CredentialKind::Sas
    } else if identity.eq_ignore_ascii_case(tsql::IDENTITY_S3) {
        CredentialKind::S3
    } else {
        CredentialKind::Other
    }
}

/// All rows of `sys.credentials` the login can see, ordered by name.
pub async fn credentials(client: &mut Client) -> Result<Vec<CredentialInfo>> {
    let rows = query_rows(client, &tsql::list_credentials()).await?;
    Ok(rows
        .iter()
        .map(|r| {
            let identity = cell_string(r, 2).unwrap_or_default();
            CredentialInfo {
                credential_id: cell_i64(r, 0).unwrap_or_default() as i32,
                name: cell_string(r, 1).unwrap_or_default(),
                kind: credential_kind(&identity),
                identity,
                create_date: cell_datetime(r, 3),
                modify_date: cell_datetime(r, 4),
            }
        })
        .collect())
}

/// The credential whose name is exactly `name` (case sensitive, as SQL Server matches URLs).
pub async fn credential(client: &mut Client, name: &str) -> Result<Option<CredentialInfo>> {
    Ok(credentials(client).await?.into_iter().find(|c| c.name == name))
}

/// A database of `sys.databases`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseInfo {
    pub name: String,
    pub state: String,
    pub recovery_model: String,
    pub database_id: i64,
}

pub async fn databases(client: &mut Client) -> Result<Vec<DatabaseInfo>> {
    let rows = query_rows(client, &tsql::list_databases()).await?;
    Ok(rows
        .iter()
        .map(|r| DatabaseInfo {
            name: cell_string(r, 0).unwrap_or_default(),
            state: cell_string(r, 1).unwrap_or_default(),
            recovery_model: cell_string(r, 2).unwrap_or_default(),
            database_id: cell_i64(r, 3).unwrap_or_default(),
        })
        .collect())
}

/// A file of a database (`sys.master_files`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseFile {
    pub logical_name: String,
    pub physical_name: String,
    /// `ROWS` or `LOG`.
    pub type_desc: String,
    /// Size in 8 KB pages.
    pub size_pages: i64,
    pub file_id: i64,
}

pub async fn database_files(client: &mut Client, database: &str) -> Result<Vec<DatabaseFile>> {
    let rows = query_rows(client, &tsql::database_files(database)).await?;
    Ok(rows
        .iter()
        .map(|r| DatabaseFile {
            logical_name: cell_string(r, 0).unwrap_or_default(),
            physical_name: cell_string(r, 1).unwrap_or_default(),
            type_desc: cell_string(r, 2).unwrap_or_default(),
            size_pages: cell_i64(r, 3).unwrap_or_default(),
            file_id: cell_i64(r, 4).unwrap_or_default(),
        })
        .collect())
}

/// Evidence for BACKUP permission in the connection's database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BackupPermission {
    pub is_sysadmin: bool,
    pub can_backup: bool,
    pub database: String,
}

pub async fn backup_permission(client: &mut Client) -> Result<BackupPermission> {
    let rows = query_rows(client, &tsql::backup_permission()).await?;
    let r = rows.first();
    Ok(BackupPermission {
        is_sysadmin: r.and_then(|r| cell_i64(r, 0)) == Some(1),
        can_backup: r.and_then(|r| cell_i64(r, 1)) == Some(1),
        database: r.and_then(|r| cell_string(r, 2)).unwrap_or_default(),
    })
}

/// The startup parameters (`SQLArg0..n` values, in registry order).
pub async fn startup_parameters(client: &mut Client) -> Result<Vec<String>> {
    let rows = query_rows(client, &tsql::startup_parameters()).await?;
    Ok(rows.iter().filter_map(|r| cell_string(r, 1)).collect())
}

/// The readiness check's permissions ([`tsql::readiness_permissions`]); `None`: NULL (unknown).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadinessPermissions {
    pub create_any_database: Option<bool>,
    pub create_database: Option<bool>,
    pub view_progress: Option<bool>,
}

pub async fn readiness_permissions(client: &mut Client, major_version: u32) -> Result<ReadinessPermissions> {
    let rows = query_rows(client, &tsql::readiness_permissions(major_version)).await?;
    let r = rows.first();
    let bit = |i| r.and_then(|r| cell_i64(r, i)).map(|v| v == 1);
    Ok(ReadinessPermissions { create_any_database: bit(0), create_database: bit(1), view_progress: bit(2) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_kinds() {
        assert_eq!(credential_kind("Managed Identity"), "managed_identity");
        assert_eq!(credential_kind("managed identity"), "managed_identity");
        assert_eq!(credential_kind("SHARED ACCESS SIGNATURE"), "sas");
        assert_eq!(credential_kind("S3 Access Key"), "s3");
        assert_eq!(credential_kind("mystorageacct"), "other");
    }
}
