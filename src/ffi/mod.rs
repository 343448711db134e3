//! The C boundary: `extern "C"` functions only. The body of each one is one
//! `ffi_boundary!` call (see `guard`), which catches panics; `guard` also checks pointers and
//! UTF-8 and writes the JSON result. C types come from `libc`.
//!
//! Ownership: every `char *` the library writes to an `out_json` is owned by the caller and must
//! be freed with [`sqlurl_string_free`]. Threading: every function may be called from many
//! threads at once; calls block the calling thread until done. A blocking function called on a
//! thread that runs a tokio runtime (inside an async task) returns `SQLURL_ERROR_NOT_SUPPORTED`
//! with an error saying so, instead of blocking that runtime: call it from a plain thread.

pub mod catalog;
pub mod check;
pub mod credential;
pub(crate) mod guard;
// Backup/restore operations and inspection (issue 5)
pub mod operation;
// Checks without a server (issue 14)
pub mod validate;
// Whole servers and fleets (issue 19)
pub mod fleet;
// The connection pool (issue 14)
pub mod pool;

use guard::ffi_boundary;
use libc::c_char;
use std::ffi::{CStr, CString};

/// Result code of every `sqlurl_*` function that returns one. `SQLURL_OK` = 0.
#[repr(C)]
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlurlResult {
    /// Success; `*out_json` holds the result.
    SQLURL_OK = 0,
    /// A required pointer was NULL.
    SQLURL_ERROR_NULL_ARGUMENT = 1,
    /// Not UTF-8, not JSON, or the request failed validation.
    SQLURL_ERROR_INVALID_ARGUMENT = 2,
    /// SQL Server returned an error (see `error.kind`).
    SQLURL_ERROR_SERVER = 3,
    /// Could not connect, TLS failure, login failure.
    SQLURL_ERROR_CONNECTION = 4,
    /// Connect or command timeout.
    SQLURL_ERROR_TIMEOUT = 5,
    /// Cancelled by the caller.
    SQLURL_ERROR_CANCELLED = 6,
    /// This build cannot do what the request asks, or a blocking function was called on a thread
    /// that runs a tokio runtime.
    SQLURL_ERROR_NOT_SUPPORTED = 7,
    /// A precondition checked before sending anything failed.
    SQLURL_ERROR_PRECONDITION = 8,
    /// A bug, including a caught panic.
    SQLURL_ERROR_INTERNAL = 9,
    /// `sqlurl_operation_wait` timed out; the operation is still running.
    SQLURL_PENDING = 10,
}

impl SqlurlResult {
    /// The code for an error.
    pub fn of(e: &crate::errors::Error) -> SqlurlResult {
        use crate::errors::{Error, ErrorKind};
        match e {
            Error::InvalidArgument(_) | Error::InvalidUrl(_) => SqlurlResult::SQLURL_ERROR_INVALID_ARGUMENT,
            Error::NotSupported(_) => SqlurlResult::SQLURL_ERROR_NOT_SUPPORTED,
            Error::Precondition { .. } => SqlurlResult::SQLURL_ERROR_PRECONDITION,
            Error::Connection { kind: ErrorKind::ConnectionTimeout, .. } | Error::CommandTimeout(_) => SqlurlResult::SQLURL_ERROR_TIMEOUT,
            Error::Connection { .. } | Error::Identity(_) => SqlurlResult::SQLURL_ERROR_CONNECTION,
            Error::Server { error, .. } if error.kind == ErrorKind::LoginFailed => SqlurlResult::SQLURL_ERROR_CONNECTION,
            Error::Server { .. } => SqlurlResult::SQLURL_ERROR_SERVER,
            Error::Cancelled => SqlurlResult::SQLURL_ERROR_CANCELLED,
            Error::Internal(_) => SqlurlResult::SQLURL_ERROR_INTERNAL,
        }
    }
}

static VERSION: &CStr = match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
    Ok(s) => s,
    Err(_) => panic!("version contains NUL"),
};

/// The library version, e.g. "0.1.0". A static string: never free it. Thread-safe.
#[no_mangle]
pub extern "C" fn sqlurl_version() -> *const c_char {
    ffi_boundary!(VERSION.as_ptr())
}

/// Free a string this library returned through an `out_json` parameter. NULL is a no-op.
/// Passing any other pointer, or freeing twice, is undefined behaviour. Thread-safe.
///
/// # Safety
/// `s` must be NULL or a pointer previously written by this library to an `out_json` and not yet freed.
#[no_mangle]
pub unsafe extern "C" fn sqlurl_string_free(s: *mut c_char) {
    ffi_boundary!({
        if !s.is_null() {
            // SAFETY: the caller promises `s` came from CString::into_raw in guard::write_out
            // and was not freed before.
            drop(unsafe { CString::from_raw(s) });
        }
    })
}
