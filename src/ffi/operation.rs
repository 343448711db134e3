//! Operation handles (`sqlurl_backup_start`, `sqlurl_restore_start`, `sqlurl_operation_*`) and
//! the backup inspection calls (`sqlurl_backup_header`, `_filelist`, `_verify`).
//!
//! # Ownership
//! `*out_op` of a start function is owned by the caller and must be released with exactly one
//! `sqlurl_operation_free`. Every `*out_json` is owned by the caller: free it with
//! `sqlurl_string_free`.
//!
//! # Threading
//! `poll`, `wait` and `cancel` may be called on the same handle from several threads at once
//! (for example one thread waits while another polls or cancels). `sqlurl_operation_free` must
//! be the last call on a handle: no other call on it may be running or follow it.
//! The work runs on the library's runtime; `wait` blocks only the calling thread.

use super::guard::{clear_out, ffi_boundary, json_call, run, write_out};
use super::SqlurlResult;
use crate::errors::Error;
use crate::operation::Operation;
use libc::c_char;
use std::time::Duration;

/// An opaque running (or finished) backup or restore. Create it with `sqlurl_backup_start` or
/// `sqlurl_restore_start`, release it with `sqlurl_operation_free`.
pub struct SqlurlOperation {
    op: Operation,
}

fn status_json(st: &crate::operation::OperationStatus) -> String {
    crate::api::envelope(st).to_string()
}

/// The body of both start functions: parse the request as `Req`, start the operation with `f`,
/// hand out the handle and its first status.
///
/// # Safety
/// `request_json`: NULL or a NUL-terminated string; `out_op`: NULL or a writable
/// `SqlurlOperation **`; `out_json`: NULL or a writable `char **`.
pub(super) unsafe fn start<Req: serde::de::DeserializeOwned>(
    request_json: *const c_char,
    out_op: *mut *mut SqlurlOperation,
    out_json: *mut *mut c_char,
    f: impl FnOnce(Req) -> Result<Operation, Error>,
) -> SqlurlResult {
    if out_json.is_null() {
        return SqlurlResult::SQLURL_ERROR_NULL_ARGUMENT;
    }
    if out_op.is_null() {
        // SAFETY: out_json checked non-NULL; writable by the caller's contract.
        unsafe { super::guard::fail(out_json, &Error::invalid("out_op is NULL.")) };
        return SqlurlResult::SQLURL_ERROR_NULL_ARGUMENT;
    }
    // SAFETY: out_op checked non-NULL; writable by the caller's contract.
    unsafe { *out_op = std::ptr::null_mut() };
    let mut created: Option<Box<SqlurlOperation>> = None;
    // SAFETY: the caller's contract for request_json / out_json is json_call's.
    let code = unsafe {
        json_call(request_json, out_json, |req| {
            let op = f(crate::api::parse_request(req)?)?;
            let st = op.poll();
            let v = crate::api::envelope(&st);
            created = Some(Box::new(SqlurlOperation { op }));
            Ok(v)
        })
    };
    if code == SqlurlResult::SQLURL_OK {
        if let Some(b) = created {
            // SAFETY: out_op checked non-NULL above.
            unsafe { *out_op = Box::into_raw(b) };
        }
    }
    code
}

/// Starts a backup (request: Backup JSON). Returns at once: on `SQLURL_OK` `*out_op` holds the
/// operation and `*out_json` its first OperationStatus; on failure `*out_op` is NULL and
/// `*out_json` holds the error. Thread-safe.
///
/// # Safety
/// `request_json`: NULL or a NUL-terminated string; `out_op`: a writable
/// `SqlurlOperation **`; `out_json`: a writable `char **`.
#[no_mangle]
pub unsafe extern "C" fn sqlurl_backup_start(
    request_json: *const c_char,
    out_op: *mut *mut SqlurlOperation,
    out_json: *mut *mut c_char,
) -> SqlurlResult {
    ffi_boundary!(out_json;
        // SAFETY: the caller's contract (above) is start's.
        unsafe { start(request_json, out_op, out_json, crate::ops::backup::start) }
    )
}

/// Starts a restore (request: Restore JSON). Same rules as `sqlurl_backup_start`.
///
/// # Safety
/// As `sqlurl_backup_start`.
#[no_mangle]
pub unsafe extern "C" fn sqlurl_restore_start(
    request_json: *const c_char,
    out_op: *mut *mut SqlurlOperation,
    out_json: *mut *mut c_char,
) -> SqlurlResult {
    ffi_boundary!(out_json;
        // SAFETY: the caller's contract (above) is start's.
        unsafe { start(request_json, out_op, out_json, crate::ops::restore::start) }
    )
}

/// The body of poll and wait: checks the pointers, runs `f` on the operation, writes its JSON.
///
/// # Safety
/// `op`: NULL or a live handle from a start function; `out_json`: NULL or a writable `char **`.
unsafe fn with_op(op: *const SqlurlOperation, out_json: *mut *mut c_char, f: impl FnOnce(&Operation) -> (SqlurlResult, String)) -> SqlurlResult {
    // SAFETY: the caller's contract for out_json.
    if !unsafe { clear_out(out_json) } {
        return SqlurlResult::SQLURL_ERROR_NULL_ARGUMENT;
    }
    if op.is_null() {
        // SAFETY: out_json checked non-NULL above.
        unsafe { super::guard::fail(out_json, &Error::invalid("op is NULL.")) };
        return SqlurlResult::SQLURL_ERROR_NULL_ARGUMENT;
    }
    // SAFETY: non-NULL, and a live handle from a start function (the caller's contract).
    let op = unsafe { &(*op).op };
    let (code, json) = f(op);
    // SAFETY: out_json checked non-NULL above.
    unsafe { write_out(out_json, json) };
    code
}

/// Writes the current OperationStatus to `*out_json`; never blocks. Thread-safe.
///
/// # Safety
/// `op`: a handle from a start function, not yet freed; `out_json`: a writable `char **`.
#[no_mangle]
pub unsafe extern "C" fn sqlurl_operation_poll(op: *const SqlurlOperation, out_json: *mut *mut c_char) -> SqlurlResult {
    ffi_boundary!(out_json;
        // SAFETY: the caller's contract (above) is with_op's.
        unsafe { with_op(op, out_json, |o| (SqlurlResult::SQLURL_OK, status_json(&o.poll()))) }
    )
}

/// Waits up to `timeout_ms` for the operation to finish. `SQLURL_OK` + the final
/// OperationStatus (with `results`) when it finished (whatever its state: check `state`);
/// `SQLURL_PENDING` + the current status when the timeout passed first. Blocks only the calling
/// thread; other threads may poll or cancel meanwhile.
///
/// # Safety
/// As `sqlurl_operation_poll`.
#[no_mangle]
pub unsafe extern "C" fn sqlurl_operation_wait(op: *const SqlurlOperation, timeout_ms: u32, out_json: *mut *mut c_char) -> SqlurlResult {
    ffi_boundary!(out_json;
        // SAFETY: the caller's contract (above) is with_op's.
        unsafe {
            with_op(op, out_json, |o| {
                let (st, done) = o.wait(Duration::from_millis(timeout_ms as u64));
                (if done { SqlurlResult::SQLURL_OK } else { SqlurlResult::SQLURL_PENDING }, status_json(&st))
            })
        }
    )
}

/// Asks the operation to stop: the server gets an ATTENTION and the connection is closed.
/// Returns at once; `wait` then reports `cancelled` (or the final state if it had already
/// finished). NULL returns `SQLURL_ERROR_NULL_ARGUMENT`. Thread-safe.
///
/// # Safety
/// `op`: NULL or a handle from a start function, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn sqlurl_operation_cancel(op: *const SqlurlOperation) -> SqlurlResult {
    ffi_boundary!({
        if op.is_null() {
            return SqlurlResult::SQLURL_ERROR_NULL_ARGUMENT;
        }
        // SAFETY: non-NULL, and a live handle from a start function (the caller's contract).
        unsafe { &(*op).op }.cancel();
        SqlurlResult::SQLURL_OK
    })
}

/// Frees the handle. A running operation is cancelled first (it then stops in the background).
/// NULL is a no-op. Must be the last call on this handle.
///
/// # Safety
/// `op`: NULL or a handle from a start function, freed at most once, with no call on it running.
#[no_mangle]
pub unsafe extern "C" fn sqlurl_operation_free(op: *mut SqlurlOperation) {
    ffi_boundary!({
        if !op.is_null() {
            // SAFETY: from Box::into_raw in `start`, freed once with no call on it running
            // (the caller's contract).
            drop(unsafe { Box::from_raw(op) });
        }
    })
}

/// `RESTORE HEADERONLY` (request: Inspect JSON; result: HeaderResult). Thread-safe, blocking.
///
/// # Safety
/// `request_json`: NULL or a NUL-terminated string; `out_json`: NULL or a writable `char **`.
#[no_mangle]
pub unsafe extern "C" fn sqlurl_backup_header(request_json: *const c_char, out_json: *mut *mut c_char) -> SqlurlResult {
    ffi_boundary!(out_json;
        // SAFETY: the caller's contract (above) is json_call's.
        unsafe { json_call(request_json, out_json, |r| run(r, crate::ops::inspect::header)) }
    )
}

/// `RESTORE FILELISTONLY` (request: Inspect JSON; result: FileListResult). Thread-safe, blocking.
///
/// # Safety
/// As `sqlurl_backup_header`.
#[no_mangle]
pub unsafe extern "C" fn sqlurl_backup_filelist(request_json: *const c_char, out_json: *mut *mut c_char) -> SqlurlResult {
    ffi_boundary!(out_json;
        // SAFETY: the caller's contract (above) is json_call's.
        unsafe { json_call(request_json, out_json, |r| run(r, crate::ops::inspect::filelist)) }
    )
}

/// `RESTORE VERIFYONLY` (request: Inspect JSON, optional `"checksum": true`; result:
/// VerifyResult). An invalid backup is a typed failure. No command timeout applies. Blocking.
///
/// # Safety
/// As `sqlurl_backup_header`.
#[no_mangle]
pub unsafe extern "C" fn sqlurl_backup_verify(request_json: *const c_char, out_json: *mut *mut c_char) -> SqlurlResult {
    ffi_boundary!(out_json;
        // SAFETY: the caller's contract (above) is json_call's.
        unsafe { json_call(request_json, out_json, |r| run(r, crate::ops::inspect::verify_backup)) }
    )
}
