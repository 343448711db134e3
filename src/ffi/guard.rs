//! The panic and pointer guard every entry point goes through.

use super::SqlurlResult;
use crate::errors::Error;
use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

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
    // SAFETY: caller's contract.
    unsafe { *out = c.into_raw() };
}

/// Write an error envelope and return its code.
///
/// # Safety
/// `out` must be a valid, writable `char **`.
pub unsafe fn fail(out: *mut *mut c_char, e: &Error) -> SqlurlResult {
    unsafe { write_out(out, crate::api::error_envelope(e).to_string()) };
    SqlurlResult::of(e)
}

/// The body of a JSON-in / JSON-out entry point: `f` gets the request text and returns the
/// result object (already enveloped) or an error.
///
/// `*out_json` is set to NULL first; then, unless `out_json` itself is NULL, it receives the
/// result on success and an error envelope on every failure (including a NULL request, which
/// returns `SQLURL_ERROR_NULL_ARGUMENT`). Panics are caught and become `SQLURL_ERROR_INTERNAL`.
///
/// # Safety
/// `request` must be NULL or a NUL-terminated string; `out_json` NULL or a writable `char **`.
pub unsafe fn json_call(
    request: *const c_char,
    out_json: *mut *mut c_char,
    f: impl FnOnce(&str) -> Result<serde_json::Value, Error>,
) -> SqlurlResult {
    if out_json.is_null() {
        return SqlurlResult::SQLURL_ERROR_NULL_ARGUMENT;
    }
    // SAFETY: non-NULL, caller's contract.
    unsafe { *out_json = std::ptr::null_mut() };
    let result = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: caller's contract.
        let req = match unsafe { read_str(request, "request_json") } {
            Ok(s) => s,
            Err(None) => return Err((SqlurlResult::SQLURL_ERROR_NULL_ARGUMENT, Error::invalid("request_json is NULL."))),
            Err(Some(e)) => return Err((SqlurlResult::of(&e), e)),
        };
        f(req).map_err(|e| (SqlurlResult::of(&e), e))
    }));
    match result {
        Ok(Ok(v)) => {
            unsafe { write_out(out_json, v.to_string()) };
            SqlurlResult::SQLURL_OK
        }
        Ok(Err((code, e))) => {
            unsafe { write_out(out_json, crate::api::error_envelope(&e).to_string()) };
            code
        }
        Err(p) => {
            let e = Error::Internal(format!("panic inside the library: {}", crate::errors::panic_message(p.as_ref())));
            // Writing the envelope cannot panic in practice; guard it anyway.
            let _ = catch_unwind(AssertUnwindSafe(|| unsafe { write_out(out_json, crate::api::error_envelope(&e).to_string()) }));
            SqlurlResult::SQLURL_ERROR_INTERNAL
        }
    }
}

/// Parse the request, run the async operation on the shared runtime, envelope the result.
pub fn run<Req, Res, Fut>(request: &str, op: impl FnOnce(Req) -> Fut) -> Result<serde_json::Value, Error>
where
    Req: serde::de::DeserializeOwned,
    Res: serde::Serialize,
    Fut: std::future::Future<Output = Result<Res, Error>>,
{
    let req: Req = crate::api::parse_request(request)?;
    let res = crate::runtime::block_on(op(req))?;
    Ok(crate::api::envelope(&res))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(req: Option<&[u8]>, f: impl FnOnce(&str) -> Result<serde_json::Value, Error>) -> (SqlurlResult, Option<serde_json::Value>) {
        let c = req.map(|r| CString::new(r).unwrap());
        let p = c.as_ref().map(|c| c.as_ptr()).unwrap_or(std::ptr::null());
        let mut out: *mut c_char = std::ptr::null_mut();
        let code = unsafe { json_call(p, &mut out, f) };
        let v = if out.is_null() {
            None
        } else {
            let s = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_string();
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
        let code = unsafe { json_call(c"{}".as_ptr(), std::ptr::null_mut(), |_| unreachable!()) };
        assert_eq!(code, SqlurlResult::SQLURL_ERROR_NULL_ARGUMENT);
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
