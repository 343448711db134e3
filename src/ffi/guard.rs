//! The boundary every entry point goes through ([`ffi_boundary!`]), and the pointer, UTF-8 and
//! JSON helpers behind it.
//!
//! Like rustls-ffi's `ffi_panic_boundary!`: the body of each `extern "C"` function is one macro
//! call, which catches a panic, writes an `Internal` error envelope to `out_json` when the function
//! has one, and returns the function's panic value ([`PanicValue`]). Nothing unwinds into C.

use super::SqlurlResult;
use crate::errors::Error;
use libc::c_char;
use std::ffi::{CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// What an entry point returns when its body panicked.
pub trait PanicValue {
    fn on_panic() -> Self;
}

impl PanicValue for SqlurlResult {
    fn on_panic() -> Self {
        SqlurlResult::SQLURL_ERROR_INTERNAL
    }
}

impl PanicValue for () {
    fn on_panic() {}
}

impl PanicValue for *const c_char {
    fn on_panic() -> Self {
        std::ptr::null()
    }
}

/// The body of every `extern "C"` function: `ffi_boundary!(out_json; body)` for a function with
/// an `out_json` (a panic writes the error envelope there), `ffi_boundary!(body)` otherwise.
macro_rules! ffi_boundary {
    ($out_json:expr; $($body:tt)*) => {{
        let body = || { $($body)* };
        // SAFETY: `$out_json` is the entry point's own `out_json` argument, which its caller
        // promises is NULL or a writable `char **` (the function's `# Safety` section).
        unsafe { $crate::ffi::guard::boundary($out_json, body) }
    }};
    ($($body:tt)*) => {{
        let body = || { $($body)* };
        // SAFETY: a NULL `out_json`: nothing is written.
        unsafe { $crate::ffi::guard::boundary(std::ptr::null_mut(), body) }
    }};
}
pub(crate) use ffi_boundary;

/// Runs `f`, catching a panic: then, unless `out_json` is NULL, `*out_json` receives an
/// `Internal` error envelope naming the panic, and the function returns `T::on_panic()`.
///
/// # Safety
/// `out_json` must be NULL or a writable `char **`.
pub unsafe fn boundary<T: PanicValue>(out_json: *mut *mut c_char, f: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(p) => {
            if !out_json.is_null() {
                let e = Error::Internal(format!("panic inside the library: {}", crate::errors::panic_message(p.as_ref())));
                // Writing the envelope cannot panic in practice; guard it anyway.
                // SAFETY: non-NULL, and writable by this function's contract.
                let _ = catch_unwind(AssertUnwindSafe(|| unsafe { write_out(out_json, crate::api::error_envelope(&e).to_string()) }));
            }
            T::on_panic()
        }
    }
}

/// Read a NUL-terminated UTF-8 string. `Err(None)` for NULL, `Err(Some(e))` for bad UTF-8.
///
/// # Safety
/// `p` must be NULL or point to a NUL-terminated string valid for the duration of the call.
pub unsafe fn read_str<'a>(p: *const c_char, what: &str) -> Result<&'a str, Option<Error>> {
    if p.is_null() {
        return Err(None);
    }
    // SAFETY: non-NULL and NUL-terminated by the caller's contract.
    let c = unsafe { CStr::from_ptr(p) };
    c.to_str().map_err(|e| Some(Error::invalid(format!("{what} is not valid UTF-8 (invalid byte at offset {}).", e.valid_up_to()))))
}

/// Write `json` to `*out` as a caller-owned C string.
///
/// # Safety
/// `out` must be a valid, writable `char **`.
pub unsafe fn write_out(out: *mut *mut c_char, json: String) {
    // JSON escapes NUL as \u0000, so this cannot fail; fall back to a fixed error just in case.
    let c = CString::new(json).unwrap_or_else(|_| CString::new(r#"{"contract_version":1,"error":{"kind":"Internal","message":"result contained NUL"}}"#).unwrap_or_default());
    // SAFETY: `out` is valid and writable by the caller's contract.
    unsafe { *out = c.into_raw() };
}

/// Write an error envelope and return its code.
///
/// # Safety
/// `out` must be a valid, writable `char **`.
pub unsafe fn fail(out: *mut *mut c_char, e: &Error) -> SqlurlResult {
    // SAFETY: the caller's contract is write_out's.
    unsafe { write_out(out, crate::api::error_envelope(e).to_string()) };
    SqlurlResult::of(e)
}

/// Checks `out_json` and sets `*out_json` to NULL. `false` when `out_json` itself is NULL.
///
/// # Safety
/// `out_json` must be NULL or a writable `char **`.
pub unsafe fn clear_out(out_json: *mut *mut c_char) -> bool {
    if out_json.is_null() {
        return false;
    }
    // SAFETY: non-NULL, writable by the caller's contract.
    unsafe { *out_json = std::ptr::null_mut() };
    true
}

/// The body of a JSON-in / JSON-out entry point: `f` gets the request text and returns the
/// result object (already enveloped) or an error.
///
/// `*out_json` is set to NULL first; then, unless `out_json` itself is NULL, it receives the
/// result on success and an error envelope on every failure (including a NULL request, which
/// returns `SQLURL_ERROR_NULL_ARGUMENT`). Panics are the caller's [`ffi_boundary!`]'s.
///
/// # Safety
/// `request` must be NULL or a NUL-terminated string; `out_json` NULL or a writable `char **`.
pub unsafe fn json_call(
    request: *const c_char,
    out_json: *mut *mut c_char,
    f: impl FnOnce(&str) -> Result<serde_json::Value, Error>,
) -> SqlurlResult {
    // SAFETY: the caller's contract for out_json.
    if !unsafe { clear_out(out_json) } {
        return SqlurlResult::SQLURL_ERROR_NULL_ARGUMENT;
    }
    // SAFETY: the caller's contract for request.
    let result = match unsafe { read_str(request, "request_json") } {
        Ok(req) => f(req).map_err(|e| (SqlurlResult::of(&e), e)),
        Err(None) => Err((SqlurlResult::SQLURL_ERROR_NULL_ARGUMENT, Error::invalid("request_json is NULL."))),
        Err(Some(e)) => Err((SqlurlResult::of(&e), e)),
    };
    match result {
        Ok(v) => {
            // SAFETY: out_json checked non-NULL above; writable by the caller's contract.
            unsafe { write_out(out_json, v.to_string()) };
            SqlurlResult::SQLURL_OK
        }
        Err((code, e)) => {
            // SAFETY: as above.
            unsafe { write_out(out_json, crate::api::error_envelope(&e).to_string()) };
            code
        }
    }
}

/// Parse the request, run the async operation on the shared runtime, envelope the result.
/// Called on a thread that runs a tokio runtime (an async task), it fails with `NotSupported`
/// instead of blocking a worker of that runtime (see [`crate::runtime::block_on_outside`]).
pub fn run<Req, Res, Fut>(request: &str, op: impl FnOnce(Req) -> Fut) -> Result<serde_json::Value, Error>
where
    Req: serde::de::DeserializeOwned,
    Res: serde::Serialize,
    Fut: std::future::Future<Output = Result<Res, Error>>,
{
    let req: Req = crate::api::parse_request(request)?;
    let res = crate::runtime::block_on_outside(op(req))??;
    Ok(crate::api::envelope(&res))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(req: Option<&[u8]>, f: impl FnOnce(&str) -> Result<serde_json::Value, Error>) -> (SqlurlResult, Option<serde_json::Value>) {
        let c = req.map(|r| CString::new(r).unwrap());
        let p = c.as_ref().map(|c| c.as_ptr()).unwrap_or(std::ptr::null());
        let mut out: *mut c_char = std::ptr::null_mut();
        let out_json: *mut *mut c_char = &mut out;
        let code = ffi_boundary!(out_json;
            // SAFETY: `p` is NULL or a live CString; `out_json` points at the local `out`.
            unsafe { json_call(p, out_json, f) }
        );
        let v = if out.is_null() {
            None
        } else {
            // SAFETY: written by write_out above.
            let s = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_string();
            // SAFETY: a string this library returned, freed once.
            unsafe { super::super::sqlurl_string_free(out) };
            Some(serde_json::from_str(&s).unwrap())
        };
        (code, v)
    }

    #[test]
    fn a_panic_becomes_internal_with_an_error_object() {
        let (code, out) = call(Some(b"{}"), |_| panic!("boom in the middle"));
        assert_eq!(code, SqlurlResult::SQLURL_ERROR_INTERNAL);
        let out = out.unwrap();
        assert_eq!(out["error"]["kind"], "Internal");
        assert!(out["error"]["message"].as_str().unwrap().contains("boom in the middle"));
    }

    #[test]
    fn null_and_bad_utf8_and_success() {
        let (code, out) = call(None, |_| unreachable!());
        assert_eq!(code, SqlurlResult::SQLURL_ERROR_NULL_ARGUMENT);
        assert_eq!(out.unwrap()["error"]["kind"], "InvalidArgument");
        let (code, out) = call(Some(b"{\"a\":\"\xc3\x28\"}"), |_| unreachable!());
        assert_eq!(code, SqlurlResult::SQLURL_ERROR_INVALID_ARGUMENT);
        assert!(out.unwrap()["error"]["message"].as_str().unwrap().contains("offset 6"));
        let (code, out) = call(Some(b"{}"), |r| Ok(serde_json::json!({"echo": r})));
        assert_eq!(code, SqlurlResult::SQLURL_OK);
        assert_eq!(out.unwrap()["echo"], "{}");
        // SAFETY: a valid request string; a NULL out_json is allowed.
        let code = unsafe { json_call(c"{}".as_ptr(), std::ptr::null_mut(), |_| unreachable!()) };
        assert_eq!(code, SqlurlResult::SQLURL_ERROR_NULL_ARGUMENT);
    }

    #[test]
    fn a_call_from_inside_a_tokio_runtime_is_a_clear_error() {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let e = rt.block_on(async { run::<serde_json::Value, serde_json::Value, _>("{}", |_| async { Ok(serde_json::json!({})) }) }).unwrap_err();
        assert_eq!(e.kind(), crate::errors::ErrorKind::NotSupported);
        assert!(e.to_string().contains("tokio runtime"), "{e}");
    }

    #[test]
    fn error_codes_by_kind() {
        use crate::errors::ErrorKind;
        assert_eq!(SqlurlResult::of(&Error::invalid("x")), SqlurlResult::SQLURL_ERROR_INVALID_ARGUMENT);
        assert_eq!(SqlurlResult::of(&Error::InvalidUrl("x".into())), SqlurlResult::SQLURL_ERROR_INVALID_ARGUMENT);
        assert_eq!(SqlurlResult::of(&Error::not_supported("x")), SqlurlResult::SQLURL_ERROR_NOT_SUPPORTED);
        assert_eq!(SqlurlResult::of(&Error::Connection { kind: ErrorKind::ConnectionTimeout, message: "t".into() }), SqlurlResult::SQLURL_ERROR_TIMEOUT);
        assert_eq!(SqlurlResult::of(&Error::Connection { kind: ErrorKind::LoginFailed, message: "l".into() }), SqlurlResult::SQLURL_ERROR_CONNECTION);
        assert_eq!(SqlurlResult::of(&Error::Identity("i".into())), SqlurlResult::SQLURL_ERROR_CONNECTION);
        assert_eq!(SqlurlResult::of(&Error::CommandTimeout("c".into())), SqlurlResult::SQLURL_ERROR_TIMEOUT);
        assert_eq!(SqlurlResult::of(&Error::Cancelled), SqlurlResult::SQLURL_ERROR_CANCELLED);
        assert_eq!(SqlurlResult::of(&Error::Precondition { kind: ErrorKind::DatabaseExists, message: "d".into() }), SqlurlResult::SQLURL_ERROR_PRECONDITION);
    }
}
