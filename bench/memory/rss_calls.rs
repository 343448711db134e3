//! Memory across many calls (issue 14): RSS of this process after 100 and after N calls of
//! `sqlurl_credential_list` against a simulator in ANOTHER process (so the simulator's own memory,
//! e.g. its statement log, is not counted), and of `sqlurl_validate` (no server). Prints figures;
//! asserts nothing. Target: growth under 2 MiB from call 100 to call 10,000.
//!
//! `cargo build -p sqlsim && cargo run --release --example rss_calls [-- CALLS]`
//! (the simulator binary is found next to this example's profile directory, or at `SQLSIM_BIN`).
#![cfg_attr(windows, allow(dead_code))]

use std::ffi::{c_char, CStr, CString};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use sqlurl::ffi::credential::sqlurl_credential_list;
use sqlurl::ffi::validate::sqlurl_validate;
use sqlurl::ffi::{sqlurl_string_free, SqlurlResult};

type JsonFn = unsafe extern "C" fn(*const c_char, *mut *mut c_char) -> SqlurlResult;

/// Resident set size of this process in KiB (`VmRSS` from /proc/self/status).
fn rss_kib() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines().find_map(|l| l.strip_prefix("VmRSS:")).and_then(|v| v.split_whitespace().next()?.parse().ok()).unwrap_or(0)
}

/// One call through the C ABI, the output freed as a C caller frees it.
fn call(f: JsonFn, req: &CStr) -> SqlurlResult {
    let mut out: *mut c_char = std::ptr::null_mut();
    // SAFETY: a live C string and a writable local; the returned string is freed once below.
    let rc = unsafe { f(req.as_ptr(), &mut out) };
    // SAFETY: `out` is NULL or a string the library returned, freed exactly once.
    unsafe { sqlurl_string_free(out) };
    rc
}

/// The simulator binary in its own process: (child, "127.0.0.1,PORT", CA path).
fn start_sim() -> (Child, String, String) {
    let bin = std::env::var("SQLSIM_BIN").map(std::path::PathBuf::from).unwrap_or_else(|_| {
        let exe = std::env::current_exe().unwrap();
        // target/<profile>/examples/rss_calls → target/debug/sqlsim (built by `cargo build -p sqlsim`)
        exe.parent().and_then(|p| p.parent()).and_then(|p| p.parent()).unwrap().join("debug/sqlsim")
    });
    let scenario = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sqlsim/scenarios/default.json");
    let mut child = Command::new(&bin)
        .args(["--listen", "127.0.0.1:0", "--scenario", scenario])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {} ({e}): run `cargo build -p sqlsim` or set SQLSIM_BIN", bin.display()));
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut server, mut ca) = (None, None);
    while server.is_none() || ca.is_none() {
        let Some(Ok(line)) = lines.next() else { panic!("sqlsim ended before printing its address") };
        if let Some(a) = line.strip_prefix("listening 127.0.0.1:") {
            server = Some(format!("127.0.0.1,{}", a.trim()));
        } else if let Some(c) = line.strip_prefix("ca ") {
            ca = Some(c.trim().to_string());
        }
    }
    (child, server.unwrap(), ca.unwrap())
}

/// Calls `f` `calls` times; prints RSS after 100, 1,000 and every further tenth of the run.
fn measure(name: &str, f: JsonFn, req: &CStr, calls: usize) {
    let t0 = Instant::now();
    let mut at_100 = 0;
    let mut failures = 0;
    for i in 1..=calls {
        if call(f, req) != SqlurlResult::SQLURL_OK {
            failures += 1;
        }
        if i == 100 {
            at_100 = rss_kib();
        }
        if i == 100 || i == 1000 || i % (calls / 10).max(1) == 0 {
            let now = rss_kib();
            println!("{name}: after {i:>6} calls RSS {:>8.2} MiB ({:+.2} MiB since call 100)", now as f64 / 1024.0, (now as f64 - at_100 as f64) / 1024.0);
        }
    }
    let growth = (rss_kib() as f64 - at_100 as f64) / 1024.0;
    println!("{name}: {calls} calls in {:.1} s, {failures} not SQLURL_OK; RSS growth from call 100 to call {calls}: {growth:+.2} MiB", t0.elapsed().as_secs_f64());
}

fn main() {
    let calls: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(10_000).max(100);
    let (mut sim, server, ca) = start_sim();
    let conn = serde_json::json!({"server": server, "auth": {"kind": "sql", "user": "sa", "password": "Sim-Passw0rd!"}, "ca_file": ca, "connect_timeout_s": 15});
    let list = CString::new(serde_json::json!({ "connection": conn }).to_string()).unwrap();
    let validate = CString::new(serde_json::json!({"function": "sqlurl_credential_list", "request": {"connection": conn}}).to_string()).unwrap();
    println!("start: RSS {:.2} MiB", rss_kib() as f64 / 1024.0);
    measure("sqlurl_validate", sqlurl_validate, &validate, calls);
    measure("sqlurl_credential_list (validated TLS)", sqlurl_credential_list, &list, calls);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average {}", load.split_whitespace().next().unwrap_or("n/a"));
    let _ = sim.kill();
    let _ = sim.wait();
}
