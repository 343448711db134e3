//! `sqlurl_backup_list`, `sqlurl_backup_chain`, `sqlurl_backup_retention`,
//! `sqlurl_restore_drill_start` (issue 15): a
//! container of backups as a catalog, read with the library's own storage identity.

use super::guard::{ffi_boundary, json_call, run};
use super::SqlurlResult;
use std::ffi::c_char;

/// Lists a container as backup sets (stripes grouped, missing stripes flagged, foreign blobs as
/// `unknown`, or read with RESTORE HEADERONLY when the request names a server in `connection`).
/// Request: BackupList JSON; result: BackupListResult JSON.
/// `*out_json` receives the result or an error object; free it with `sqlurl_string_free`.
/// Thread-safe.
///
/// # Safety
/// `request_json`: NULL or a NUL-terminated string; `out_json`: NULL or a writable `char **`.
#[no_mangle]
pub unsafe extern "C" fn sqlurl_backup_list(request_json: *const c_char, out_json: *mut *mut c_char) -> SqlurlResult {
    ffi_boundary!(out_json;
        // SAFETY: the caller's contract (above) is json_call's.
        unsafe { json_call(request_json, out_json, |r| run(r, crate::storage::catalog::list)) }
    )
}

/// The full + differential + log chain that restores a database to a point in time, from the
/// container's catalog; a gap is `BackupChainBroken`. Request: BackupChain JSON; result:
/// BackupChainResult JSON. `*out_json`: free it with `sqlurl_string_free`. Thread-safe.
///
/// # Safety
/// `request_json`: NULL or a NUL-terminated string; `out_json`: NULL or a writable `char **`.
#[no_mangle]
pub unsafe extern "C" fn sqlurl_backup_chain(request_json: *const c_char, out_json: *mut *mut c_char) -> SqlurlResult {
    ffi_boundary!(out_json;
        // SAFETY: the caller's contract (above) is json_call's.
        unsafe { json_call(request_json, out_json, |r| run(r, crate::storage::catalog::chain)) }
    )
}

/// Retention: plans which expired backup sets may go and, unless `dry_run` (the default), deletes
/// them. Never a set a kept restore point needs, a leased blob, or the only full (unless `force`).
/// Request: Retention JSON; result: RetentionResult JSON. `*out_json`: free it with
/// `sqlurl_string_free`. Thread-safe.
///
/// # Safety
/// `request_json`: NULL or a NUL-terminated string; `out_json`: NULL or a writable `char **`.
#[no_mangle]
pub unsafe extern "C" fn sqlurl_backup_retention(request_json: *const c_char, out_json: *mut *mut c_char) -> SqlurlResult {
    ffi_boundary!(out_json;
        // SAFETY: the caller's contract (above) is json_call's.
        unsafe { json_call(request_json, out_json, |r| run(r, crate::storage::catalog::retention)) }
    )
}

/// Starts a restore drill (request: RestoreDrill JSON): for each database the newest chain of
/// the container's catalog is restored on the test server under a scratch name with every file
/// relocated, checked with DBCC CHECKDB and dropped (also after a failure or a cancel). Results
/// are DrillResult objects, final per database. Same rules as `sqlurl_backup_start`: on
/// `SQLURL_OK` `*out_op` holds the operation (poll, wait and cancel it with the
/// `sqlurl_operation_*` functions, release it with `sqlurl_operation_free`) and `*out_json` its
/// first OperationStatus; on failure `*out_op` is NULL and `*out_json` holds the error. Free
/// every `*out_json` with `sqlurl_string_free`. Thread-safe.
///
/// # Safety
/// `request_json`: NULL or a NUL-terminated string; `out_op`: a writable
/// `SqlurlOperation **`; `out_json`: a writable `char **`.
#[no_mangle]
pub unsafe extern "C" fn sqlurl_restore_drill_start(
    request_json: *const c_char,
    out_op: *mut *mut super::operation::SqlurlOperation,
    out_json: *mut *mut c_char,
) -> SqlurlResult {
    ffi_boundary!(out_json;
        // SAFETY: the caller's contract (above) is start's.
        unsafe { super::operation::start(request_json, out_op, out_json, crate::ops::drill::start) }
    )
}
