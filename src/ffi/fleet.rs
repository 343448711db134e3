//! Whole servers and fleets: `sqlurl_database_list`, `sqlurl_databases_resolve`,
//! `sqlurl_fleet_backup_start`.

use super::guard::{ffi_boundary, json_call, run};
use super::operation::SqlurlOperation;
use super::SqlurlResult;
use libc::c_char;

/// Which databases a backup of each server would cover (request: DatabasesResolve JSON; result:
/// DatabasesResolveResult JSON). Asks every server at once; a server that cannot be reached is
/// an `error` in its own entry and the call still returns `SQLURL_OK`.
/// `*out_json` receives the result or an error object; free it with `sqlurl_string_free`.
/// Thread-safe; blocks the calling thread for at most about the longest connect timeout.
///
/// # Safety
/// `request_json`: NULL or a NUL-terminated string; `out_json`: NULL or a writable `char **`.
#[no_mangle]
pub unsafe extern "C" fn sqlurl_databases_resolve(request_json: *const c_char, out_json: *mut *mut c_char) -> SqlurlResult {
    ffi_boundary!(out_json;
        // SAFETY: the caller's contract (above) is json_call's.
        unsafe { json_call(request_json, out_json, |r| run(r, crate::ops::databases::resolve)) }
    )
}

/// The databases of one server (request: DatabaseList JSON; result: DatabaseListResult JSON).
/// Read-only. `*out_json` receives the result or an error object; free it with
/// `sqlurl_string_free`. Thread-safe.
///
/// # Safety
/// `request_json`: NULL or a NUL-terminated string; `out_json`: NULL or a writable `char **`.
#[no_mangle]
pub unsafe extern "C" fn sqlurl_database_list(request_json: *const c_char, out_json: *mut *mut c_char) -> SqlurlResult {
    ffi_boundary!(out_json;
        // SAFETY: the caller's contract (above) is json_call's.
        unsafe { json_call(request_json, out_json, |r| run(r, crate::ops::databases::list)) }
    )
}

/// Starts one backup operation over several servers (request: FleetBackup JSON). Same rules as
/// `sqlurl_backup_start`: on `SQLURL_OK` `*out_op` holds the operation (release it with
/// `sqlurl_operation_free`) and `*out_json` its first OperationStatus; on failure `*out_op` is
/// NULL and `*out_json` holds the error. Thread-safe.
///
/// # Safety
/// `request_json`: NULL or a NUL-terminated string; `out_op`: a writable
/// `SqlurlOperation **`; `out_json`: a writable `char **`.
#[no_mangle]
pub unsafe extern "C" fn sqlurl_fleet_backup_start(
    request_json: *const c_char,
    out_op: *mut *mut SqlurlOperation,
    out_json: *mut *mut c_char,
) -> SqlurlResult {
    ffi_boundary!(out_json;
        // SAFETY: the caller's contract (above) is start's.
        unsafe { super::operation::start(request_json, out_op, out_json, crate::ops::fleet::start) }
    )
}
