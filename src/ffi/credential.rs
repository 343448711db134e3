//! `sqlurl_credential_create`, `sqlurl_credential_list`, `sqlurl_credential_remove`.

use super::guard::{ffi_boundary, json_call, run};
use super::SqlurlResult;
use libc::c_char;

/// Create a credential for a container URL (managed identity or SAS).
/// Request: CredentialCreate JSON; result: CredentialCreated JSON (see docs/json-contract.md).
/// `*out_json` receives the result or an error object; free it with `sqlurl_string_free`.
/// Blocks until the server answered. Thread-safe.
///
/// # Safety
/// `request_json`: NULL or a NUL-terminated string; `out_json`: NULL or a writable `char **`.
#[no_mangle]
pub unsafe extern "C" fn sqlurl_credential_create(request_json: *const c_char, out_json: *mut *mut c_char) -> SqlurlResult {
    ffi_boundary!(out_json;
        // SAFETY: the caller's contract (above) is json_call's.
        unsafe { json_call(request_json, out_json, |r| run(r, crate::ops::credential::create)) }
    )
}

/// List credentials (all, or the one matching `url`).
/// Request: CredentialList JSON; result: CredentialListResult JSON.
/// `*out_json` receives the result or an error object; free it with `sqlurl_string_free`.
/// Thread-safe.
///
/// # Safety
/// `request_json`: NULL or a NUL-terminated string; `out_json`: NULL or a writable `char **`.
#[no_mangle]
pub unsafe extern "C" fn sqlurl_credential_list(request_json: *const c_char, out_json: *mut *mut c_char) -> SqlurlResult {
    ffi_boundary!(out_json;
        // SAFETY: the caller's contract (above) is json_call's.
        unsafe { json_call(request_json, out_json, |r| run(r, crate::ops::credential::list)) }
    )
}

/// Remove a credential by name (`CredentialNotFound` when it does not exist).
/// Request: CredentialRemove JSON; result: CredentialRemoved JSON.
/// `*out_json` receives the result or an error object; free it with `sqlurl_string_free`.
/// Thread-safe.
///
/// # Safety
/// `request_json`: NULL or a NUL-terminated string; `out_json`: NULL or a writable `char **`.
#[no_mangle]
pub unsafe extern "C" fn sqlurl_credential_remove(request_json: *const c_char, out_json: *mut *mut c_char) -> SqlurlResult {
    ffi_boundary!(out_json;
        // SAFETY: the caller's contract (above) is json_call's.
        unsafe { json_call(request_json, out_json, |r| run(r, crate::ops::credential::remove)) }
    )
}
