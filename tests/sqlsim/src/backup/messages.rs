//! SQL Server messages of BACKUP / RESTORE, built by pure functions.
//!
//! Templates from `shared/reference/sql-server-facts.md` where listed there; the others are
//! SQL Server's catalog texts as commonly reported (marked *unconfirmed* where not in the facts).

use crate::exec::SqlMessage;

fn err(number: u32, state: u8, text: String) -> SqlMessage {
    SqlMessage::new(number, 16, state, text)
}

/// 3013 "<VERB> is terminating abnormally."
pub fn terminating(verb: &str) -> SqlMessage {
    err(3013, 1, format!("{verb} is terminating abnormally."))
}

/// Operating-system errors SQL Server puts inside 3201.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OsError {
    /// 5(Access is denied.) — missing role, blocked network, rejected SAS (facts).
    AccessDenied,
    /// 2(The system cannot find the file specified.) — missing blob (facts).
    NotFound,
    /// 50(The request is not supported.) — SAS starting with `?`, no credential (facts list the
    /// SAS case; the no-credential case is as commonly reported, unconfirmed).
    NotSupported,
    /// 1117(The request could not be performed because of an I/O device error.) — storage
    /// answered 503 Server Busy. Unconfirmed.
    IoDevice,
    /// 12002(The operation timed out) — storage did not answer (WinHTTP). Unconfirmed.
    TimedOut,
    /// 12007(The server name or address could not be resolved) — no such storage account
    /// (WinHTTP). Unconfirmed.
    NameNotResolved,
    /// Not an OS error: the TLS handshake with the endpoint failed → 3271 with
    /// [`TLS_FAILURE_TEXT`] (fault `storage_tls_failure`).
    TlsFailure,
    /// Not an OS error: the endpoint cannot be reached → 3271 with [`UNREACHABLE_TEXT`]
    /// (fault `storage_unreachable`).
    Unreachable,
    /// Not an OS error: storage refused the request because another lease holds the blob (412
    /// without a lease id, 409 on acquire) → 3271 with [`LEASE_TEXT`].
    LeaseHeld,
}

impl OsError {
    pub fn text(self) -> &'static str {
        match self {
            OsError::AccessDenied => "5(Access is denied.)",
            OsError::NotFound => "2(The system cannot find the file specified.)",
            OsError::NotSupported => "50(The request is not supported.)",
            OsError::IoDevice => "1117(The request could not be performed because of an I/O device error.)",
            OsError::TimedOut => "12002(The operation timed out)",
            OsError::NameNotResolved => "12007(The server name or address could not be resolved)",
            OsError::TlsFailure => TLS_FAILURE_TEXT,
            OsError::Unreachable => UNREACHABLE_TEXT,
            OsError::LeaseHeld => LEASE_TEXT,
        }
    }
    /// Whether SQL Server reports this failure as 3271 (the storage stack's own words) rather
    /// than as an OS error inside 3201 / 3202.
    pub fn is_remote_endpoint(self) -> bool {
        matches!(self, OsError::TlsFailure | OsError::Unreachable | OsError::LeaseHeld)
    }
}

/// A storage failure while opening a device: 3271 for remote-endpoint failures, else 3201.
pub fn open_failed(url: &str, os: OsError) -> SqlMessage {
    if os.is_remote_endpoint() {
        nonrecoverable_io(url, os.text())
    } else {
        cannot_open(url, os)
    }
}

/// A storage failure after the device was opened: 3271 for remote-endpoint failures, else 3202.
pub fn write_failed_any(url: &str, os: OsError) -> SqlMessage {
    if os.is_remote_endpoint() {
        nonrecoverable_io(url, os.text())
    } else {
        write_failed(url, os)
    }
}

/// 3201 "Cannot open backup device '%ls'. Operating system error %ls."
pub fn cannot_open(url: &str, os: OsError) -> SqlMessage {
    err(3201, 1, format!("Cannot open backup device '{url}'. Operating system error {}.", os.text()))
}

/// 3202 "Write on "%ls" failed: %ls" — a write that fails after the device was opened.
pub fn write_failed(url: &str, os: OsError) -> SqlMessage {
    err(3202, 1, format!("Write on \"{url}\" failed: {}", os.text()))
}

/// 3271 for an existing blob without WITH FORMAT (facts).
pub fn exists_without_format(url: &str) -> SqlMessage {
    err(
        3271,
        1,
        format!(
            "A nonrecoverable I/O error occurred on file \"{url}:\" The file {url} exists on the remote endpoint, and WITH FORMAT was not specified. Backup cannot proceed.."
        ),
    )
}

/// 3063 (facts).
pub fn block_limit(url: &str) -> SqlMessage {
    err(3063, 1, format!("Write to backup block blob device {url} failed. Device has reached its limit of allowed blocks."))
}

/// 3241 "The media family on device '%ls' is incorrectly formed. SQL Server cannot process this
/// media family." (unconfirmed: not in the facts file).
pub fn incorrectly_formed(url: &str) -> SqlMessage {
    err(
        3241,
        1,
        format!("The media family on device '{url}' is incorrectly formed. SQL Server cannot process this media family."),
    )
}

/// 3203 "Read on "%ls" failed: %ls" with 38(Reached the end of the file.) — truncated blob
/// (unconfirmed).
pub fn read_past_end(url: &str) -> SqlMessage {
    err(3203, 1, format!("Read on \"{url}\" failed: 38(Reached the end of the file.)"))
}

/// 3183 "RESTORE detected an error on page (%d:%d) in database "%ls" as read from the backup
/// set." — payload checksum mismatch (unconfirmed).
pub fn page_error(database: &str) -> SqlMessage {
    err(3183, 1, format!("RESTORE detected an error on page (1:9) in database \"{database}\" as read from the backup set."))
}

/// 3132 "The media set has %d media families but only %d are provided. All members must be
/// provided." (unconfirmed).
pub fn missing_families(have: u32, given: usize) -> SqlMessage {
    err(3132, 1, format!("The media set has {have} media families but only {given} are provided. All members must be provided."))
}

/// 3227-like: the given URLs belong to different media sets (unconfirmed text).
pub fn mixed_media_sets(url: &str) -> SqlMessage {
    err(3231, 1, format!("The media loaded on \"{url}\" is formatted to support 1 media families, but 2 media families are expected according to the backup device specification."))
}

/// 911 "Database '%.*ls' does not exist. Make sure that the name is entered correctly."
pub fn no_such_database(db: &str) -> SqlMessage {
    err(911, 1, format!("Database '{db}' does not exist. Make sure that the name is entered correctly."))
}

/// 927 "Database '%.*ls' cannot be opened. It is in the middle of a restore."
pub fn in_restore(db: &str) -> SqlMessage {
    SqlMessage::new(927, 14, 2, format!("Database '{db}' cannot be opened. It is in the middle of a restore."))
}

/// 3147 "Backup and restore operations are not allowed on database tempdb."
pub fn tempdb() -> SqlMessage {
    err(3147, 1, "Backup and restore operations are not allowed on database tempdb.".into())
}

/// 262 "%ls permission denied in database '%.*ls'." (class 14, state 1; state *unconfirmed*).
pub fn permission_denied(what: &str, db: &str) -> SqlMessage {
    SqlMessage::new(262, 14, 1, format!("{what} permission denied in database '{db}'."))
}

/// 4208 (facts).
pub fn log_in_simple(db_verb: &str) -> SqlMessage {
    err(
        4208,
        1,
        format!(
            "The statement {db_verb} is not allowed while the recovery model is SIMPLE. Use BACKUP DATABASE or change the recovery model using ALTER DATABASE."
        ),
    )
}

/// 4214 (facts).
pub fn no_current_backup() -> SqlMessage {
    err(4214, 1, "BACKUP LOG cannot be performed because there is no current database backup.".into())
}

/// 3035: differential without a base (unconfirmed text).
pub fn no_differential_base(db: &str) -> SqlMessage {
    err(
        3035,
        1,
        format!(
            "Cannot perform a differential backup for database \"{db}\", because a current database backup does not exist. Perform a full database backup by reissuing BACKUP DATABASE, omitting the WITH DIFFERENTIAL option."
        ),
    )
}

/// 3211 "%d percent processed." (INFO)
pub fn percent(n: u32) -> SqlMessage {
    SqlMessage::new(3211, 10, 1, format!("{n} percent processed."))
}

/// 4035 "Processed %I64d pages for database '%ls', file '%ls' on file %d." (INFO)
pub fn processed_pages(pages: u64, db: &str, logical: &str) -> SqlMessage {
    SqlMessage::new(4035, 10, 1, format!("Processed {pages} pages for database '{db}', file '{logical}' on file 1."))
}

/// 3014 "%hs successfully processed %I64d pages in %d.%03d seconds (%d.%03d MB/sec)." (INFO)
pub fn success(verb: &str, pages: u64, elapsed: std::time::Duration, mb_per_s: f64) -> SqlMessage {
    let ms = elapsed.as_millis() as u64;
    let mbps_thousandths = (mb_per_s * 1000.0).round().max(0.0) as u64;
    SqlMessage::new(
        3014,
        10,
        1,
        format!(
            "{verb} successfully processed {pages} pages in {}.{:03} seconds ({}.{:03} MB/sec).",
            ms / 1000,
            ms % 1000,
            mbps_thousandths / 1000,
            mbps_thousandths % 1000
        ),
    )
}

/// 3262 "The backup set on file %d is valid." (INFO)
pub fn verify_ok() -> SqlMessage {
    SqlMessage::new(3262, 10, 1, "The backup set on file 1 is valid.")
}

/// 1834 (facts; two spaces after the first sentence as in SQL Server's catalog).
pub fn file_in_use(physical: &str, db: &str) -> SqlMessage {
    err(1834, 1, format!("The file '{physical}' cannot be overwritten.  It is being used by database '{db}'."))
}

/// 3156 (facts, state 4).
pub fn use_move(logical: &str, physical: &str) -> SqlMessage {
    err(3156, 4, format!("File '{logical}' cannot be restored to '{physical}'. Use WITH MOVE to identify a valid location for the file."))
}

/// 3119 "Problems were identified while planning for the RESTORE statement. Previous messages
/// provide details." (unconfirmed)
pub fn planning_problems() -> SqlMessage {
    err(3119, 1, "Problems were identified while planning for the RESTORE statement. Previous messages provide details.".into())
}

/// 3234: MOVE names a logical file the backup does not have (unconfirmed).
pub fn unknown_logical_file(logical: &str, db: &str) -> SqlMessage {
    err(
        3234,
        2,
        format!("Logical file '{logical}' is not part of database '{db}'. Use RESTORE FILELISTONLY to list the logical file names."),
    )
}

/// 3101 (facts).
pub fn exclusive_access() -> SqlMessage {
    err(3101, 1, "Exclusive access could not be obtained because the database is in use.".into())
}

/// 3154 (facts).
pub fn other_database(existing: &str) -> SqlMessage {
    err(3154, 1, format!("The backup set holds a backup of a database other than the existing '{existing}' database."))
}

/// 3159 (facts; full text as SQL Server prints it).
pub fn tail_not_backed_up(db: &str) -> SqlMessage {
    err(
        3159,
        1,
        format!(
            "The tail of the log for the database \"{db}\" has not been backed up. Use BACKUP LOG WITH NORECOVERY to backup the log if it contains work you do not want to lose. Use the WITH REPLACE or WITH STOPAT clause of the RESTORE statement to just overwrite the contents of the log."
        ),
    )
}

/// 3117: log/diff restore onto a database that is not restoring (unconfirmed).
pub fn nothing_to_roll_forward() -> SqlMessage {
    err(3117, 4, "The log or differential backup cannot be restored because no files are ready to rollforward.".into())
}

/// 3136: differential not based on the restored full (unconfirmed).
pub fn wrong_differential_base() -> SqlMessage {
    err(3136, 1, "This differential backup cannot be restored because the database has not been restored to the correct earlier state.".into())
}

/// 4305 "The log in this backup set begins at LSN %.*ls, which is too recent to apply to the
/// database. An earlier log backup that includes LSN %.*ls can be restored."
pub fn log_too_recent(first: u64, needed: u64) -> SqlMessage {
    err(
        4305,
        1,
        format!(
            "The log in this backup set begins at LSN {first}, which is too recent to apply to the database. An earlier log backup that includes LSN {needed} can be restored."
        ),
    )
}

/// 4326 "The log in this backup set terminates at LSN %.*ls, which is too early to apply to the
/// database. A more recent log backup that includes LSN %.*ls can be restored." (unconfirmed)
pub fn log_too_early(last: u64, needed: u64) -> SqlMessage {
    err(
        4326,
        1,
        format!(
            "The log in this backup set terminates at LSN {last}, which is too early to apply to the database. A more recent log backup that includes LSN {needed} can be restored."
        ),
    )
}

/// 4335 "The specified STOPAT time is too early. All or part of the database is already rolled
/// forward beyond that point." (unconfirmed)
pub fn stopat_too_early() -> SqlMessage {
    err(4335, 1, "The specified STOPAT time is too early. All or part of the database is already rolled forward beyond that point.".into())
}

/// 4322 (INFO, class 10) when STOPAT is after the end of this log: the whole log is applied and
/// the database stays RESTORING. Number and first sentence from the facts file; the second
/// sentence and the state are *unconfirmed*.
pub fn stopat_after_log() -> SqlMessage {
    SqlMessage::new(
        4322,
        10,
        1,
        "This backup set contains records that were logged before the designated point in time. The database is being left in the restoring state so that more roll forward can be performed.",
    )
}

/// 3253 "The block size parameter must supply a value that is a power of 2." (catalog
/// 3000–3999; state *unconfirmed*).
pub fn not_power_of_two() -> SqlMessage {
    err(3253, 1, "The block size parameter must supply a value that is a power of 2.".into())
}

/// 3250 "The value '%d' is not within range for the %ls parameter." (catalog 3000–3999; state
/// *unconfirmed*). `param` is the option name as SQL Server prints it (`BLOCKSIZE`,
/// `MAXTRANSFERSIZE`).
pub fn out_of_range(value: u64, param: &str) -> SqlMessage {
    err(3250, 1, format!("The value '{value}' is not within range for the {param} parameter."))
}

/// 3271 with another inner text: the storage stack's own words (TLS, DNS, proxy, endpoint).
pub fn nonrecoverable_io(url: &str, inner: &str) -> SqlMessage {
    err(3271, 1, format!("A nonrecoverable I/O error occurred on file \"{url}:\" {inner}."))
}

/// Inner text of 3271 for a failed TLS handshake with the storage endpoint. The prefix "Backup to
/// URL received an exception from the remote endpoint" with 3271 for TLS failures is on the Azure
/// support page "Database Backup or Restore using URL"; the exception message after it is
/// *unconfirmed* (.NET's words for an untrusted TLS channel).
pub const TLS_FAILURE_TEXT: &str = "Backup to URL received an exception from the remote endpoint. Exception Message: The underlying connection was closed: Could not establish trust relationship for the SSL/TLS secure channel";

/// Inner text of 3271 when the storage endpoint cannot be reached (same prefix; the exception
/// message is *unconfirmed*).
pub const UNREACHABLE_TEXT: &str = "Backup to URL received an exception from the remote endpoint. Exception Message: Unable to connect to the remote server";

/// The lease text a retry gets when a failed backup left its blob leased — verbatim from the
/// troubleshooting page ("Backup to URL best practices and troubleshooting", blobs with active
/// leases); that page's example is a page blob, for block blobs it is *unconfirmed*.
pub const LEASE_TEXT: &str = "Backup to URL received an exception from the remote endpoint. Exception Message: The remote server returned an error: (412) There is currently a lease on the blob and no lease ID was specified in the request.";

/// RESTORE … MEDIANAME that does not match the media: number and text *unconfirmed* (SQL
/// Server checks the name; its message was not found).
pub fn media_name_mismatch(want: &str, have: &str, url: &str) -> SqlMessage {
    err(3232, 1, format!("The media name '{want}' does not match the media name '{have}' on device '{url}'."))
}

/// 3032 "One or more of the options (%ls) are not supported for this statement…" (unconfirmed).
pub fn option_not_supported(opt: &str) -> SqlMessage {
    err(
        3032,
        2,
        format!("One or more of the options ({opt}) are not supported for this statement. Review the documentation for supported options."),
    )
}

/// 37563 (facts).
pub fn no_primary_identity() -> SqlMessage {
    err(
        37563,
        2,
        "The primary managed identity is not selected for this server. Enable the primary managed identity for Microsoft Entra authentication for this server. For more information see (https://aka.ms/sql-server-managed-identity-doc).".into(),
    )
}

/// 3288 (facts): WITH CREDENTIAL names a credential that does not exist.
pub fn no_such_credential(name: &str) -> SqlMessage {
    err(3288, 1, format!("Credential name {name} does not exist or user does not have permission to access it."))
}

/// A simulator limitation or bad option value: a clear error, not SQL Server's.
/// 15151: `BACKUP … WITH ENCRYPTION` names a server certificate or asymmetric key that master does
/// not hold. `kind` is `certificate` or `asymmetric key`. (State 1: unconfirmed.)
pub fn encryptor_missing(kind: &str, name: &str) -> SqlMessage {
    err(15151, 1, format!("Cannot find the {kind} '{name}', because it does not exist or you do not have permission."))
}

pub fn sim_error(text: impl Into<String>) -> SqlMessage {
    err(50000, 1, text.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts() {
        assert_eq!(
            cannot_open("https://a.blob.core.windows.net/c/x.bak", OsError::AccessDenied).text,
            "Cannot open backup device 'https://a.blob.core.windows.net/c/x.bak'. Operating system error 5(Access is denied.)."
        );
        assert_eq!(terminating("BACKUP DATABASE").text, "BACKUP DATABASE is terminating abnormally.");
        assert_eq!(percent(10).class, 10);
        assert_eq!(
            success("BACKUP DATABASE", 1234, std::time::Duration::from_millis(2050), 12.3456).text,
            "BACKUP DATABASE successfully processed 1234 pages in 2.050 seconds (12.346 MB/sec)."
        );
        assert_eq!(use_move("a", "b").state, 4);
        assert!(file_in_use("F:\\x.mdf", "db").text.contains("overwritten.  It is"));
    }
}
