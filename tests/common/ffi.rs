//! Calling the C ABI from Rust the way a C caller does: C strings in, `char *` out, freed with
//! `sqlurl_string_free`.
#![allow(dead_code)]

use std::ffi::{c_char, CStr, CString};

use sqlurl::ffi::SqlurlResult;

pub type JsonFn = unsafe extern "C" fn(*const c_char, *mut *mut c_char) -> SqlurlResult;

/// Call a JSON function; returns the code and the parsed output (Null when none was written).
pub fn call(f: JsonFn, request: &serde_json::Value) -> (SqlurlResult, serde_json::Value) {
    let req = CString::new(request.to_string()).unwrap();
    let mut out: *mut c_char = std::ptr::null_mut();
    // SAFETY: arguments are NULL, live C strings or &mut locals valid for the call; every string or handle the library returned is freed exactly once.
    let code = unsafe { f(req.as_ptr(), &mut out) };
    let v = if out.is_null() {
        serde_json::Value::Null
    } else {
        // SAFETY: arguments are NULL, live C strings or &mut locals valid for the call; every string or handle the library returned is freed exactly once.
        let s = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_string();
        // SAFETY: arguments are NULL, live C strings or &mut locals valid for the call; every string or handle the library returned is freed exactly once.
        unsafe { sqlurl::ffi::sqlurl_string_free(out) };
        serde_json::from_str(&s).unwrap()
    };
    (code, v)
}
