//! `sqlurl_validate`.

use super::guard::{ffi_boundary, json_call, run};
use super::SqlurlResult;
use libc::c_char;

/// Runs every check another function makes before it sends anything, without connecting
/// (request: Validate JSON `{"function": "sqlurl_backup_start", "request": {...}}`; result:
/// ValidateResult JSON). An invalid request returns the error and result code that function
/// would return. `*out_json` receives the result or an error object; free it with
/// `sqlurl_string_free`. Thread-safe.
///
/// # Safety
/// `request_json`: NULL or a NUL-terminated string; `out_json`: NULL or a writable `char **`.
#[no_mangle]
pub unsafe extern "C" fn sqlurl_validate(request_json: *const c_char, out_json: *mut *mut c_char) -> SqlurlResult {
    ffi_boundary!(out_json;
        // SAFETY: the caller's contract (above) is json_call's.
        unsafe { json_call(request_json, out_json, |r| run(r, crate::ops::validate::validate)) }
    )
}
