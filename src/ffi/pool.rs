//! `sqlurl_pool_clear`: drain the library's connection pool.

use super::guard::{clear_out, ffi_boundary, write_out};
use super::SqlurlResult;
use libc::c_char;

/// Closes every idle connection of the library's pool (short calls reuse logged-in connections
/// for up to 60 s; see docs/json-contract.md, "Connection pooling"). Connections in use by calls
/// running now are not affected and return to the pool when those calls end. Blocks until the
/// idle connections are closed (at most 5 s each, in parallel).
///
/// `*out_json` is set to NULL, then receives PoolCleared JSON (`{"contract_version":1,"closed":N}`)
/// or an error object; the caller owns it and frees it with `sqlurl_string_free`. A NULL
/// `out_json` returns `SQLURL_ERROR_NULL_ARGUMENT` and clears nothing. Thread-safe.
///
/// # Safety
/// `out_json`: NULL or a writable `char **`.
#[no_mangle]
pub unsafe extern "C" fn sqlurl_pool_clear(out_json: *mut *mut c_char) -> SqlurlResult {
    ffi_boundary!(out_json; {
        // SAFETY: the caller's contract (above).
        if !unsafe { clear_out(out_json) } {
            return SqlurlResult::SQLURL_ERROR_NULL_ARGUMENT;
        }
        let (code, json) = match crate::runtime::block_on_outside(crate::connect::pool::clear()) {
            Ok(closed) => (SqlurlResult::SQLURL_OK, crate::api::envelope(&crate::api::PoolCleared { closed })),
            Err(e) => (SqlurlResult::of(&e), crate::api::error_envelope(&e)),
        };
        // SAFETY: checked non-NULL above; writable by the caller's contract.
        unsafe { write_out(out_json, json.to_string()) };
        code
    })
}
