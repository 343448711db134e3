//! Where the time of one short library call goes, and whether memory grows over many calls
//! (issue 14). Runs against a simulator (or server) that is already listening; prints figures and
//! asserts nothing. Driven by bench/per-call.sh.
//!
//! ```text
//! per_call time <host,port> <ca.pem> <sa password> [runs]   # medians per stage, in ms
//! per_call rss  <host,port> <ca.pem> <sa password> [calls]  # VmRSS after 100 and after N calls
//! ```

use serde_json::{json, Value};
use sqlurl::api::{CredentialList, CredentialListResult};
use sqlurl::connect::{close, connect, query_rows};
use sqlurl::runtime::block_on;
use std::ffi::{CStr, CString};
use std::time::Instant;

fn median_ms(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Median over `runs` of `f`'s own measurement (ms).
fn measure(runs: usize, mut f: impl FnMut() -> f64) -> f64 {
    f(); // warm-up
    median_ms((0..runs).map(|_| f()).collect())
}

/// Wall-clock ms of `f`.
fn timed(f: impl FnOnce()) -> f64 {
    let t = Instant::now();
    f();
    t.elapsed().as_secs_f64() * 1000.0
}

fn conn(server: &str, ca: &str, password: &str, pooling: bool) -> Value {
    json!({"server": server, "auth": {"kind": "sql", "user": "sa", "password": password}, "ca_file": ca,
           "connect_timeout_s": 10, "command_timeout_s": 10, "pooling": pooling})
}

/// One `sqlurl_credential_list` through the C ABI; returns the result JSON's length.
fn ffi_list(request: &CStr) -> usize {
    let mut out: *mut libc::c_char = std::ptr::null_mut();
    // SAFETY: a NUL-terminated request and a local `char *`.
    let code = unsafe { sqlurl::ffi::credential::sqlurl_credential_list(request.as_ptr(), &mut out) };
    // SAFETY: the library wrote a NUL-terminated string to `out`.
    let text = unsafe { CStr::from_ptr(out) }.to_string_lossy().into_owned();
    assert_eq!(code, sqlurl::ffi::SqlurlResult::SQLURL_OK, "{text}");
    // SAFETY: a string the library returned, freed once.
    unsafe { sqlurl::ffi::sqlurl_string_free(out) };
    text.len()
}

fn request(conn: &Value) -> CredentialList {
    serde_json::from_value(json!({ "connection": conn })).unwrap()
}

fn time_mode(server: &str, ca: &str, pw: &str, runs: usize) {
    let pooled = conn(server, ca, pw, true);
    let cold = conn(server, ca, pw, false);
    let req = request(&cold).connection;
    let connect_ms = measure(runs, || {
        let t = Instant::now();
        let c = block_on(connect(&req)).unwrap();
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        block_on(close(c));
        ms
    });
    let mut open = block_on(connect(&req)).unwrap();
    let query_ms = measure(runs, || timed(|| drop(block_on(sqlurl::ops::catalog::credentials(&mut open)).unwrap())));
    let check = sqlurl::tsql::pool_session_check();
    let check_ms = measure(runs, || timed(|| drop(block_on(query_rows(&mut open, &check)).unwrap())));
    block_on(close(open));
    let api_cold = measure(runs, || timed(|| drop(block_on(sqlurl::ops::credential::list(request(&cold))).unwrap())));
    let api_pooled = measure(runs, || timed(|| drop(block_on(sqlurl::ops::credential::list(request(&pooled))).unwrap())));
    let text = json!({ "connection": pooled }).to_string();
    let result: CredentialListResult = block_on(sqlurl::ops::credential::list(request(&pooled))).unwrap();
    let json_ms = measure(runs * 10, || {
        timed(|| {
            let r: CredentialList = sqlurl::api::parse_request(&text).unwrap();
            drop(r);
            drop(sqlurl::api::envelope(&result).to_string());
        })
    });
    let (c_cold, c_pooled) = (CString::new(json!({ "connection": cold }).to_string()).unwrap(), CString::new(text.clone()).unwrap());
    let ffi_cold = measure(runs, || timed(|| { ffi_list(&c_cold); }));
    let ffi_pooled = measure(runs, || timed(|| { ffi_list(&c_pooled); }));
    let rows = [
        ("connect: TCP + TLS (CA validated) + login", connect_ms),
        ("query on an open connection (sys.credentials)", query_ms),
        ("pool session check on an open connection", check_ms),
        ("Rust API credential::list, pooling off (validate + connect + query + close)", api_cold),
        ("Rust API credential::list, pooled (validate + check + query)", api_pooled),
        ("JSON: parse request + serialise result", json_ms),
        ("C ABI sqlurl_credential_list, pooling off", ffi_cold),
        ("C ABI sqlurl_credential_list, pooled", ffi_pooled),
    ];
    for (what, ms) in rows {
        println!("{ms:9.3} ms  {what}");
    }
}

fn vm_rss_kib() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines().find_map(|l| l.strip_prefix("VmRSS:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok()).unwrap_or(0)
}

fn rss_mode(server: &str, ca: &str, pw: &str, calls: usize) {
    for pooling in [true, false] {
        let text = CString::new(json!({ "connection": conn(server, ca, pw, pooling) }).to_string()).unwrap();
        let t = Instant::now();
        let mut at_100 = 0;
        for i in 1..=calls {
            ffi_list(&text);
            if i == 100 {
                at_100 = vm_rss_kib();
            }
        }
        let at_n = vm_rss_kib();
        println!(
            "pooling {:5}: VmRSS after 100 calls {at_100} KiB, after {calls} calls {at_n} KiB, growth {} KiB ({:.2} MiB); {:.3} ms per call",
            pooling,
            at_n as i64 - at_100 as i64,
            (at_n as f64 - at_100 as f64) / 1024.0,
            t.elapsed().as_secs_f64() * 1000.0 / calls as f64
        );
    }
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 5 {
        eprintln!("usage: per_call time|rss <host,port> <ca.pem> <sa password> [runs|calls]");
        std::process::exit(2);
    }
    match a[1].as_str() {
        "time" => time_mode(&a[2], &a[3], &a[4], a.get(5).and_then(|n| n.parse().ok()).unwrap_or(200)),
        "rss" => rss_mode(&a[2], &a[3], &a[4], a.get(5).and_then(|n| n.parse().ok()).unwrap_or(10_000)),
        m => eprintln!("unknown mode {m}"),
    }
}
