//! `sqlurl_backup_list`, `sqlurl_backup_chain`, `sqlurl_backup_retention` (issue 15): a
//! container of backups as a catalog, read with the library's own storage identity.

use super::guard::{json_call, run};
use super::SqlurlResult;
use std::ffi::c_char;

/// Lists a container as backup sets (stripes grouped, missing stripes flagged, foreign blobs as
/// `unknown`). Request: BackupList JSON; result: BackupListResult JSON.
/// `*out_json` receives the result or an error object; free it with `sqlurl_string_free`.
/// Thread-safe.
///
/// # Safety
/// `request_json`: NULL or a NUL-terminated string; `out_json`: NULL or a writable `char **`.
#[no_mangle]
pub unsafe extern "C" fn sqlurl_backup_list(request_json: *const c_char, out_json: *mut *mut c_char) -> SqlurlResult {
    unsafe { json_call(request_json, out_json, |r| run(r, crate::storage::catalog::list)) }
}

/// The full + differential + log chain that restores a database to a point in time, from the
/// container's catalog; a gap is `BackupChainBroken`. Request: BackupChain JSON; result:
/// BackupChainResult JSON. `*out_json`: free it with `sqlurl_string_free`. Thread-safe.
///
/// # Safety
/// `request_json`: NULL or a NUL-terminated string; `out_json`: NULL or a writable `char **`.
#[no_mangle]
pub unsafe extern "C" fn sqlurl_backup_chain(request_json: *const c_char, out_json: *mut *mut c_char) -> SqlurlResult {
    unsafe { json_call(request_json, out_json, |r| run(r, crate::storage::catalog::chain)) }
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
    unsafe { json_call(request_json, out_json, |r| run(r, crate::storage::catalog::retention)) }
}
