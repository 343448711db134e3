//! `sqlurl_server_check`.

use super::guard::{ffi_boundary, json_call, run};
use super::SqlurlResult;
use libc::c_char;

/// Readiness check for managed-identity backup to URL: version, host platform, failover
/// cluster, trace flag 4675, the container's credential, backup permission.
/// Request: ServerCheck JSON; result: ServerCheckResult JSON (a check that fails is not an
/// error: the call returns `SQLURL_OK` with `"ready": false`).
/// `*out_json` receives the result or an error object; free it with `sqlurl_string_free`.
/// Thread-safe.
///
/// # Safety
/// `request_json`: NULL or a NUL-terminated string; `out_json`: NULL or a writable `char **`.
#[no_mangle]
pub unsafe extern "C" fn sqlurl_server_check(request_json: *const c_char, out_json: *mut *mut c_char) -> SqlurlResult {
    ffi_boundary!(out_json;
        // SAFETY: the caller's contract (above) is json_call's.
        unsafe { json_call(request_json, out_json, |r| run(r, crate::ops::check::run)) }
    )
}
