//! `RESTORE HEADERONLY`, `FILELISTONLY` and `VERIFYONLY` as typed rows
//! (`sqlurl_backup_header`, `sqlurl_backup_filelist`, `sqlurl_backup_verify`).

use serde::{Deserialize, Serialize};
use tiberius::Row;

use crate::connect::rows::{cell_bool, cell_datetime, cell_i64, cell_string};
use crate::connect::{query_rows, Client};
use crate::errors::{Error, Result};
use crate::tsql::restore::{build_filelistonly, build_headeronly, build_labelonly, build_verifyonly};
use crate::tsql::Sql;

/// The Inspect request: `{"connection": {...}, "urls": [...]}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InspectRequest {
    pub connection: crate::api::ConnectionRequest,
    pub urls: Vec<String>,
    /// VERIFYONLY only: `WITH CHECKSUM`.
    #[serde(default)]
    pub checksum: bool,
}

/// One row of `RESTORE HEADERONLY`. LSNs are decimal strings (numeric(25,0)).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BackupHeader {
    pub backup_name: Option<String>,
    pub backup_description: Option<String>,
    /// 1 database, 2 log, 4 file, 5 differential database, …
    pub backup_type: i32,
    pub backup_type_description: String,
    pub database_name: String,
    pub server_name: String,
    pub first_lsn: String,
    pub last_lsn: String,
    pub checkpoint_lsn: String,
    pub database_backup_lsn: String,
    pub differential_base_lsn: String,
    pub backup_start_date: Option<chrono::NaiveDateTime>,
    pub backup_finish_date: Option<chrono::NaiveDateTime>,
    pub backup_size: Option<i64>,
    pub compressed_backup_size: Option<i64>,
    pub is_copy_only: bool,
    pub compressed: bool,
    /// `HasBackupChecksums`, when the server reports it.
    pub has_backup_checksums: Option<bool>,
    pub recovery_model: Option<String>,
    /// `KeyAlgorithm` of an encrypted backup (`null` when not encrypted or not reported).
    pub key_algorithm: Option<String>,
    /// `EncryptorType` (`CERTIFICATE`, `ASYMMETRIC KEY`) of an encrypted backup.
    pub encryptor_type: Option<String>,
    pub position: i32,
    pub backup_set_guid: String,
}

/// One row of `RESTORE FILELISTONLY`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FileListRow {
    pub logical_name: String,
    pub physical_name: String,
    /// `D` data, `L` log, `F` full-text, `S` filestream.
    #[serde(rename = "type")]
    pub file_type: String,
    pub file_group_name: Option<String>,
    pub size: i64,
    pub file_id: i64,
}

impl FileListRow {
    pub fn is_log(&self) -> bool {
        self.file_type.eq_ignore_ascii_case("L")
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct HeaderResult {
    pub headers: Vec<BackupHeader>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileListResult {
    pub files: Vec<FileListRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VerifyResult {
    pub valid: bool,
    pub message: String,
}

/// Converts one HEADERONLY row.
pub fn header_from_row(row: &Row) -> BackupHeader {
    let s = |n: &str| cell_string(row, n).unwrap_or_default();
    BackupHeader {
        backup_name: cell_string(row, "BackupName"),
        backup_description: cell_string(row, "BackupDescription"),
        backup_type: cell_i64(row, "BackupType").unwrap_or(0) as i32,
        backup_type_description: s("BackupTypeDescription"),
        database_name: s("DatabaseName"),
        server_name: s("ServerName"),
        first_lsn: s("FirstLSN"),
        last_lsn: s("LastLSN"),
        checkpoint_lsn: s("CheckpointLSN"),
        database_backup_lsn: s("DatabaseBackupLSN"),
        differential_base_lsn: s("DifferentialBaseLSN"),
        backup_start_date: cell_datetime(row, "BackupStartDate"),
        backup_finish_date: cell_datetime(row, "BackupFinishDate"),
        backup_size: cell_i64(row, "BackupSize"),
        compressed_backup_size: cell_i64(row, "CompressedBackupSize"),
        is_copy_only: cell_bool(row, "IsCopyOnly"),
        compressed: cell_bool(row, "Compressed"),
        has_backup_checksums: cell_i64(row, "HasBackupChecksums").map(|v| v != 0),
        recovery_model: cell_string(row, "RecoveryModel"),
        key_algorithm: cell_string(row, "KeyAlgorithm"),
        encryptor_type: cell_string(row, "EncryptorType"),
        position: cell_i64(row, "Position").unwrap_or(1) as i32,
        backup_set_guid: s("BackupSetGUID"),
    }
}

/// Converts one FILELISTONLY row.
pub fn file_from_row(row: &Row) -> FileListRow {
    FileListRow {
        logical_name: cell_string(row, "LogicalName").unwrap_or_default(),
        physical_name: cell_string(row, "PhysicalName").unwrap_or_default(),
        file_type: cell_string(row, "Type").unwrap_or_default().trim().to_string(),
        file_group_name: cell_string(row, "FileGroupName"),
        size: cell_i64(row, "Size").unwrap_or(0),
        file_id: cell_i64(row, "FileID").unwrap_or(0),
    }
}

fn bad_urls(e: crate::tsql::restore::RestoreSqlError) -> Error {
    Error::invalid(e.to_string())
}

/// The checks of an inspect request made before connecting (the URLs of the statement).
pub fn check(req: &InspectRequest) -> Result<()> {
    build_headeronly(&req.urls).map(|_| ()).map_err(bad_urls)
}

/// `RESTORE HEADERONLY` over the stripes of one backup (or one blob).
pub async fn read_headers(client: &mut Client, urls: &[String]) -> Result<Vec<BackupHeader>> {
    let sql = Sql::plain(build_headeronly(urls).map_err(bad_urls)?);
    let rows = query_rows(client, &sql).await?;
    Ok(rows.iter().map(header_from_row).collect())
}

/// `RESTORE LABELONLY` of one blob: `(FamilySequenceNumber, FamilyCount)` — which stripe of
/// how many it is — when the server reports both.
pub async fn read_family(client: &mut Client, url: &str) -> Result<Option<(i64, i64)>> {
    let sql = Sql::plain(build_labelonly(std::slice::from_ref(&url.to_string())).map_err(bad_urls)?);
    let rows = query_rows(client, &sql).await?;
    Ok(rows.first().and_then(|r| Some((cell_i64(r, "FamilySequenceNumber")?, cell_i64(r, "FamilyCount")?))))
}

/// `RESTORE FILELISTONLY`.
pub async fn read_filelist(client: &mut Client, urls: &[String]) -> Result<Vec<FileListRow>> {
    let sql = Sql::plain(build_filelistonly(urls).map_err(bad_urls)?);
    let rows = query_rows(client, &sql).await?;
    Ok(rows.iter().map(file_from_row).collect())
}

/// `RESTORE VERIFYONLY`: success means the server ended without an error. tiberius does not
/// surface the INFO message 3262, so the message is built from what we know.
pub async fn verify(client: &mut Client, urls: &[String], checksum: bool) -> Result<VerifyResult> {
    let sql = Sql::plain(build_verifyonly(urls, checksum).map_err(bad_urls)?);
    query_rows(client, &sql).await?; // the whole answer is read; an error in it fails the call
    Ok(VerifyResult {
        valid: true,
        message: format!(
            "RESTORE VERIFYONLY completed without error for {} URL(s){}: the backup set is valid.",
            urls.len(),
            if checksum { " (checksums verified)" } else { "" }
        ),
    })
}

/// The request's URLs with scheme and host in lower case, as the credential is named.
fn normalised_urls(req: &InspectRequest) -> Vec<String> {
    req.urls.iter().map(|u| crate::url::normalise_blob_url(u)).collect()
}

/// `sqlurl_backup_header`: HEADERONLY as typed rows.
pub async fn header(req: InspectRequest) -> Result<HeaderResult> {
    let mut client = crate::connect::pool::checkout(&req.connection).await?;
    let r = read_headers(&mut client, &normalised_urls(&req)).await;
    let headers = client.finish(r).await?;
    Ok(HeaderResult { headers })
}

/// `sqlurl_backup_filelist`: FILELISTONLY as typed rows.
pub async fn filelist(req: InspectRequest) -> Result<FileListResult> {
    let mut client = crate::connect::pool::checkout(&req.connection).await?;
    let r = read_filelist(&mut client, &normalised_urls(&req)).await;
    let files = client.finish(r).await?;
    Ok(FileListResult { files })
}

/// `sqlurl_backup_verify`: VERIFYONLY reads the whole backup, so no command timeout applies.
pub async fn verify_backup(req: InspectRequest) -> Result<VerifyResult> {
    let opts = crate::connect::ConnectOptions { no_command_timeout: true };
    let mut client = crate::connect::connect_with(&req.connection, opts).await?;
    let r = verify(&mut client, &normalised_urls(&req), req.checksum).await?;
    crate::connect::close(client).await;
    Ok(r)
}
