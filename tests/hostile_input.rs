//! Hostile input (issue 14): a corpus of names, URLs and JSON requests, each with its expected
//! outcome — a specific refusal before anything is sent, or a correctly quoted statement that the
//! simulator's own parser reads back to the very name (proven by its statement log and by the
//! statement acting on that exact object).
#![cfg(not(windows))]

mod common;

use std::ffi::{c_char, CStr, CString};

use serde_json::{json, Value};
use sqlurl::ffi::SqlurlResult;

/// `sqlurl_validate` for `function` and `request`: (code, output JSON).
fn validate(function: &str, request: Value) -> (SqlurlResult, Value) {
    let req = CString::new(json!({"function": function, "request": request}).to_string()).unwrap();
    let mut out: *mut c_char = std::ptr::null_mut();
    // SAFETY: a live CString and a &mut local; the result is read and freed once below.
    let rc = unsafe { sqlurl::ffi::validate::sqlurl_validate(req.as_ptr(), &mut out) };
    // SAFETY: written by the library (non-NULL for a non-NULL out_json).
    let text = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_string();
    // SAFETY: a string the library returned, freed once.
    unsafe { sqlurl::ffi::sqlurl_string_free(out) };
    (rc, serde_json::from_str(&text).unwrap())
}

fn conn() -> Value {
    json!({"server": "127.0.0.1,1", "auth": {"kind": "sql", "user": "sa", "password": "Hostile-Pw-1"}})
}

/// Expect a refusal with `kind` whose message contains `needle` (and no secret).
fn refused(function: &str, request: Value, kind: &str, needle: &str) {
    let (rc, v) = validate(function, request.clone());
    assert_ne!(rc, SqlurlResult::SQLURL_OK, "{function} accepted {request}");
    let msg = v["error"]["message"].as_str().unwrap_or_default();
    assert_eq!(v["error"]["kind"], kind, "{request}: {msg}");
    assert!(msg.contains(needle), "{request}: '{needle}' not in: {msg}");
    for secret in ["Hostile-Pw-1", "SECRETSIG"] {
        assert!(!v.to_string().contains(secret), "{secret} in {v}");
    }
}

fn accepted(function: &str, request: Value) {
    let (rc, v) = validate(function, request.clone());
    assert_eq!(rc, SqlurlResult::SQLURL_OK, "{request}: {v}");
}

fn backup_to(container: &str) -> Value {
    json!({"connection": conn(), "databases": ["Sales"], "container_url": container})
}

#[test]
fn database_names_refused_or_accepted_with_the_reason() {
    let b = |db: &str| json!({"connection": conn(), "databases": [db], "container_url": "https://acct.blob.core.windows.net/backups"});
    refused("sqlurl_backup_start", b(""), "InvalidArgument", "empty or only white space");
    refused("sqlurl_backup_start", b("   "), "InvalidArgument", "empty or only white space");
    refused("sqlurl_backup_start", b(&"d".repeat(129)), "InvalidArgument", "129 characters");
    refused("sqlurl_backup_start", b("a\u{0}b"), "InvalidArgument", "control characters");
    for ok in ["a]b", "[x]", "o'brien", "x; DROP DATABASE master", "--c", "/*c*/", "Ünïcødé 名前", "..", &"d".repeat(128)] {
        accepted("sqlurl_backup_start", b(ok));
    }
}

#[test]
fn urls_refused_with_what_is_wrong() {
    let f = "sqlurl_backup_start";
    refused(f, backup_to("https://acct.blob.core.windows.net/backups?sv=1&sig=SECRETSIG"), "InvalidUrl", "?***");
    refused(f, backup_to("https://acct.blob.core.windows.net/backups#frag"), "InvalidUrl", "container_url");
    refused(f, backup_to("http://acct.blob.core.windows.net/backups"), "InvalidUrl", "container_url");
    refused(f, backup_to("https://ab.blob.core.windows.net/backups"), "InvalidUrl", "storage account name 'ab'");
    refused(f, backup_to("https://acct.blob.core.windows.net/Backups"), "InvalidUrl", "upper-case");
    refused(f, backup_to("https://acct.blob.core.windows.net/back_ups"), "InvalidUrl", "3-63");
    accepted(f, backup_to("https://ACCT.Blob.Core.Windows.Net/backups/")); // host case and a trailing '/' are normalised
    accepted(f, backup_to("https://10.0.0.4/backups")); // an IP literal (private endpoint)
    let urls = |u: Vec<String>| json!({"connection": conn(), "databases": ["Sales"], "urls": u});
    refused(f, urls(vec!["https://user:pw@acct.blob.core.windows.net/backups/x.bak".into()]), "InvalidArgument", "user information");
    refused(f, urls(vec![format!("https://acct.blob.core.windows.net/backups/{}", "x".repeat(2000))]), "InvalidArgument", "1,024");
    refused(f, urls((0..65).map(|i| format!("https://acct.blob.core.windows.net/backups/{i}.bak")).collect()), "InvalidArgument", "65");
    accepted(f, urls(vec!["https://acct.blob.core.windows.net/backups/Sales%20DB.bak".into()]));
    let restore = |u: &str| json!({"connection": conn(), "urls": [u]});
    refused("sqlurl_restore_start", restore("https://acct.blob.core.windows.net/backups/x.bak?sig=SECRETSIG"), "InvalidUrl", "?***");
    refused("sqlurl_restore_start", restore("https://acct.blob.core.windows.net/b/x.bak"), "InvalidUrl", "container name 'b'");
    let sas = |s: &str| json!({"connection": conn(), "url": "https://acct.blob.core.windows.net/backups", "identity": "sas", "secret": s});
    accepted("sqlurl_credential_create", sas("?sv=2022-11-02&sig=SECRETSIG"));
    accepted("sqlurl_credential_create", sas("sv=2022-11-02&sig=SECRETSIG"));
    refused("sqlurl_credential_create", sas("SECRETSIG"), "InvalidArgument", "does not look like a SAS");
    let rm = |n: &str| json!({"connection": conn(), "name": n});
    refused("sqlurl_credential_remove", rm("https://acct.blob.core.windows.net/backups?sv=1&sig=SECRETSIG"), "InvalidUrl", "query string");
    refused("sqlurl_credential_remove", rm("  "), "InvalidArgument", "white space");
}

#[test]
fn json_requests_that_are_malformed_are_invalid_arguments_not_crashes() {
    let f = "sqlurl_backup_start";
    let mut deep = json!("x");
    for _ in 0..200 {
        deep = json!([deep]);
    }
    let cases = [
        (json!({"connection": conn(), "databases": ["a"], "container_url": "https://acct.blob.core.windows.net/backups", "surprise": 1}), "surprise"),
        (json!({"connection": conn(), "databases": "a", "container_url": "https://acct.blob.core.windows.net/backups"}), "invalid type"),
        (json!({"connection": conn(), "databases": [deep], "container_url": "https://acct.blob.core.windows.net/backups"}), "recursion limit"),
        (json!({"connection": conn(), "databases": ["x".repeat(4_000_000)], "container_url": "https://acct.blob.core.windows.net/backups"}), "4000000 characters"),
    ];
    for (req, needle) in cases {
        let (rc, v) = validate(f, req);
        assert_ne!(rc, SqlurlResult::SQLURL_OK);
        assert_eq!(v["error"]["kind"], "InvalidArgument", "{v}");
        let m = v["error"]["message"].as_str().unwrap();
        assert!(m.contains(needle), "{needle}: {}", &m[..m.len().min(300)]);
    }
    // a duplicate field (only text can carry one) goes to the function itself
    let text = format!(r#"{{"connection":{},"databases":["a"],"databases":["b"],"container_url":"https://acct.blob.core.windows.net/backups"}}"#, conn());
    let req = CString::new(text).unwrap();
    let (mut op, mut out): (*mut sqlurl::ffi::operation::SqlurlOperation, *mut c_char) = (std::ptr::null_mut(), std::ptr::null_mut());
    // SAFETY: a live CString and &mut locals; the string is freed once below; no handle is made.
    let rc = unsafe { sqlurl::ffi::operation::sqlurl_backup_start(req.as_ptr(), &mut op, &mut out) };
    // SAFETY: written by the library.
    let text = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_string();
    // SAFETY: freed once.
    unsafe { sqlurl::ffi::sqlurl_string_free(out) };
    assert_eq!(rc, SqlurlResult::SQLURL_ERROR_INVALID_ARGUMENT, "{text}");
    assert!(op.is_null() && text.contains("duplicate field `databases`"), "{text}");
    // nesting beyond serde_json's recursion limit, as text
    let nested = format!(r#"{{"function":"sqlurl_backup_start","request":{}{}}}"#, "[".repeat(10_000), "]".repeat(10_000));
    let req = CString::new(nested).unwrap();
    let mut out: *mut c_char = std::ptr::null_mut();
    // SAFETY: as in validate().
    let rc = unsafe { sqlurl::ffi::validate::sqlurl_validate(req.as_ptr(), &mut out) };
    // SAFETY: written by the library.
    let text = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_string();
    // SAFETY: freed once.
    unsafe { sqlurl::ffi::sqlurl_string_free(out) };
    assert_eq!(rc, SqlurlResult::SQLURL_ERROR_INVALID_ARGUMENT, "{text}");
    assert!(text.contains("recursion limit"), "{text}");
}

#[test]
fn hostile_credential_names_are_quoted_and_read_back_exactly_by_the_simulator() {
    let names = ["a]b", "[x]", "o'brien", "x; DROP DATABASE master", "--c", "/*c*/", "Ünïcødé 名前", "]]'';--"];
    let long = "n".repeat(128);
    let mut sc = common::sim::ready_scenario();
    for n in names.iter().copied().chain([long.as_str()]) {
        sc.credentials.push(common::sim::credential(n, "Managed Identity"));
    }
    let sim = common::sim::Sim::start(sc);
    for n in names.iter().copied().chain([long.as_str()]) {
        let req: sqlurl::api::CredentialRemove = serde_json::from_value(json!({"connection": sim.conn(), "name": n})).unwrap();
        let r = sqlurl::runtime::block_on(sqlurl::ops::credential::remove(req)).unwrap_or_else(|e| panic!("{n}: {e}"));
        let quoted = format!("DROP CREDENTIAL [{}]", n.replace(']', "]]"));
        assert_eq!(r.statements, vec![quoted.clone()]);
        assert!(sim.statements().contains(&quoted), "{quoted} not in the statement log");
    }
    // every hostile credential is gone, the stock one is still there: each DROP named exactly one
    let list: sqlurl::api::CredentialList = serde_json::from_value(json!({"connection": sim.conn()})).unwrap();
    let left = sqlurl::runtime::block_on(sqlurl::ops::credential::list(list)).unwrap();
    assert_eq!(left.credentials.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), vec![common::sim::CONTAINER]);
    // 129 characters: refused before anything is sent
    let n129 = "n".repeat(129);
    let req: sqlurl::api::CredentialRemove = serde_json::from_value(json!({"connection": sim.conn(), "name": n129})).unwrap();
    let e = sqlurl::runtime::block_on(sqlurl::ops::credential::remove(req)).unwrap_err();
    assert!(e.to_string().contains("129 characters"), "{e}");
    assert!(!sim.statements().iter().any(|s| s.contains(&n129)));
}
