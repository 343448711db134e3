//! The connection pool (issue 14) against the simulator, which counts logins
//! (`ServerState::logins`) and can kill a session server-side (`ServerState::kill_session`):
//! reuse, no sharing across passwords / logins / TLS settings / databases, killed connections
//! not reused, idle expiry, the opt-out, draining, and many threads without cross-talk.
//!
//! The pool is process-wide, so the tests of this file run one at a time (`serial`).
#![cfg(not(windows))]

mod common;

use common::sim::{login, ready_scenario, Sim};
use serde_json::{json, Value};
use sqlurl::api::{CredentialList, CredentialListResult};
use sqlurl::connect::pool;
use sqlurl::runtime::block_on;
use sqlurl::ErrorKind;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

const BOB_PASSWORD: &str = "Bob-Passw0rd!";

static SERIAL: Mutex<()> = Mutex::new(());

/// One test at a time, starting from an empty pool with the default idle timeout.
fn serial() -> MutexGuard<'static, ()> {
    let g = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    pool::set_idle_timeout(pool::DEFAULT_IDLE_TIMEOUT);
    block_on(pool::clear());
    g
}

fn sim() -> Sim {
    let mut sc = ready_scenario();
    sc.logins.push(login("bob", BOB_PASSWORD, false));
    sc.databases.push(sqlsim::scenario::Database { name: "Sales".into(), ..Default::default() });
    Sim::start(sc)
}

fn with(mut conn: Value, extra: Value) -> Value {
    for (k, v) in extra.as_object().unwrap() {
        conn[k] = v.clone();
    }
    conn
}

fn list(conn: &Value) -> sqlurl::Result<CredentialListResult> {
    let req: CredentialList = serde_json::from_value(json!({ "connection": conn })).unwrap();
    block_on(sqlurl::ops::credential::list(req))
}

fn bob(sim: &Sim) -> Value {
    sim.conn_with(json!({"kind": "sql", "user": "bob", "password": BOB_PASSWORD}))
}

fn logins(sim: &Sim) -> u64 {
    sim.handle.state.logins()
}

/// Sessions that ran the credential list, in order.
fn list_sessions(sim: &Sim) -> Vec<u16> {
    sim.handle.statement_log().into_iter().filter(|s| s.text.contains("sys.credentials")).map(|s| s.session_id).collect()
}

/// Waits (bounded) until `f` holds.
fn eventually(what: &str, f: impl Fn() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < Duration::from_secs(10), "timed out waiting for: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_second_call_to_the_same_server_reuses_the_logged_in_connection() {
    let _g = serial();
    let sim = sim();
    let first = list(&sim.conn()).unwrap();
    assert_eq!(pool::idle_count(), 1);
    let second = list(&sim.conn()).unwrap();
    assert_eq!(first, second);
    assert_eq!(logins(&sim), 1, "one login for two calls");
    let sessions = list_sessions(&sim);
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions[0], sessions[1], "both calls ran on the same session");
    // Before reuse the session was checked: no open transaction, still in its login database.
    let log = sim.handle.statement_log();
    assert!(log.iter().any(|s| s.text == "SELECT @@TRANCOUNT AS trancount, DB_NAME() AS db" && s.session_id == sessions[0]), "{log:?}");
}

#[test]
fn a_different_password_login_tls_setting_or_database_never_shares_a_connection() {
    let _g = serial();
    let sim = sim();
    list(&sim.conn()).unwrap();
    // The same login with a wrong password must log in (and fail), not borrow sa's session.
    let wrong = sim.conn_with(json!({"kind": "sql", "user": "sa", "password": "not-the-password"}));
    let e = list(&wrong).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LoginFailed, "{e:?}");
    assert!(!e.to_string().contains("not-the-password"));
    // Another login: its own session, and its own view (bob is no sysadmin: no credentials).
    assert!(list(&bob(&sim)).unwrap().credentials.is_empty());
    assert_eq!(list(&sim.conn()).unwrap().credentials.len(), 1);
    let before = logins(&sim);
    // TLS settings and the login database are part of the key: each is a fresh login.
    let trust = with(sim.conn(), json!({"ca_file": null, "trust_server_certificate": true}));
    list(&trust).unwrap();
    list(&with(sim.conn(), json!({"host_name_in_certificate": "localhost"}))).unwrap();
    list(&with(sim.conn(), json!({"database": "Sales"}))).unwrap();
    list(&with(sim.conn(), json!({"encrypt": "strict"}))).unwrap();
    assert_eq!(logins(&sim), before + 4);
    // The CA file's contents count, not only its path: the same path with other contents logs in anew.
    let ca = std::env::temp_dir().join(format!("pool-ca-{}.pem", std::process::id()));
    let pem = std::fs::read_to_string(sim.ca()).unwrap();
    std::fs::write(&ca, &pem).unwrap();
    let by_copy = with(sim.conn(), json!({"ca_file": ca.display().to_string()}));
    list(&by_copy).unwrap();
    list(&by_copy).unwrap();
    assert_eq!(logins(&sim), before + 5);
    std::fs::write(&ca, format!("{pem}\n{pem}")).unwrap();
    list(&by_copy).unwrap();
    assert_eq!(logins(&sim), before + 6);
    let _ = std::fs::remove_file(&ca);
    // ...and each of them is reused by an equal request.
    list(&trust).unwrap();
    list(&with(sim.conn(), json!({"database": "Sales"}))).unwrap();
    assert_eq!(logins(&sim), before + 6);
    // Sessions never change login: every session in the log ran for one login only.
    let mut owner = std::collections::HashMap::new();
    for s in sim.handle.statement_log() {
        assert_eq!(owner.entry(s.session_id).or_insert_with(|| s.login.clone()), &s.login, "session {} changed login", s.session_id);
    }
}

#[test]
fn a_connection_killed_server_side_is_not_reused() {
    let _g = serial();
    let sim = sim();
    list(&sim.conn()).unwrap();
    let spid = list_sessions(&sim)[0];
    assert!(sim.handle.state.kill_session(spid));
    eventually("the killed session is gone", || !sim.handle.state.lock().sessions.contains_key(&spid));
    // The pooled connection is dead: the check finds it, and the call runs on a fresh login.
    let r = list(&sim.conn()).unwrap();
    assert_eq!(r.credentials.len(), 1);
    assert_eq!(logins(&sim), 2);
    let sessions = list_sessions(&sim);
    assert_ne!(sessions[1], spid);
    // A server that went away altogether: the pooled connection fails its check, the fresh
    // login is refused, and the call fails cleanly (no stale result).
    // (trusting the certificate: the simulator's CA file goes with it)
    let conn = with(sim.conn(), json!({"connect_timeout_s": 2, "ca_file": null, "trust_server_certificate": true}));
    block_on(pool::clear());
    list(&conn).unwrap();
    assert_eq!(pool::idle_count(), 1);
    drop(sim);
    let e = list(&conn).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ConnectionRefused, "{e:?}");
    assert_eq!(pool::idle_count(), 0);
}

#[test]
fn idle_connections_are_closed_after_the_idle_timeout() {
    let _g = serial();
    let sim = sim();
    pool::set_idle_timeout(Duration::from_millis(300));
    list(&sim.conn()).unwrap();
    assert_eq!(pool::idle_count(), 1);
    assert_eq!(sim.handle.state.lock().sessions.len(), 1);
    // The reaper closes it without any further call; the server sees the session end.
    eventually("the idle connection is closed", || pool::idle_count() == 0 && sim.handle.state.lock().sessions.is_empty());
    list(&sim.conn()).unwrap();
    assert_eq!(logins(&sim), 2, "the expired connection was not reused");
    pool::set_idle_timeout(pool::DEFAULT_IDLE_TIMEOUT);
}

#[test]
fn pooling_false_opts_out_and_clear_drains_the_pool() {
    let _g = serial();
    let sim = sim();
    let off = with(sim.conn(), json!({"pooling": false}));
    list(&off).unwrap();
    list(&off).unwrap();
    assert_eq!(logins(&sim), 2);
    assert_eq!(pool::idle_count(), 0);
    eventually("unpooled sessions closed", || sim.handle.state.lock().sessions.is_empty());
    list(&sim.conn()).unwrap();
    list(&bob(&sim)).unwrap();
    assert_eq!(pool::idle_count(), 2);
    assert_eq!(block_on(pool::clear()), 2);
    assert_eq!(pool::idle_count(), 0);
    eventually("cleared sessions closed", || sim.handle.state.lock().sessions.is_empty());
}

#[test]
fn sqlurl_pool_clear_through_the_c_abi() {
    let _g = serial();
    let sim = sim();
    list(&sim.conn()).unwrap();
    let mut out: *mut libc::c_char = std::ptr::null_mut();
    // SAFETY: `out` is a local `char *`.
    let code = unsafe { sqlurl::ffi::pool::sqlurl_pool_clear(&mut out) };
    assert_eq!(code, sqlurl::ffi::SqlurlResult::SQLURL_OK);
    // SAFETY: written by the library, NUL-terminated.
    let text = unsafe { std::ffi::CStr::from_ptr(out) }.to_str().unwrap().to_string();
    // SAFETY: a string the library returned, freed once.
    unsafe { sqlurl::ffi::sqlurl_string_free(out) };
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v, json!({"contract_version": 1, "closed": 1}));
    // SAFETY: NULL out_json is allowed and refused.
    assert_eq!(unsafe { sqlurl::ffi::pool::sqlurl_pool_clear(std::ptr::null_mut()) }, sqlurl::ffi::SqlurlResult::SQLURL_ERROR_NULL_ARGUMENT);
}

#[test]
fn many_threads_share_the_pool_without_cross_talk() {
    let _g = serial();
    let sim = sim();
    let (sa, bob) = (sim.conn(), bob(&sim));
    std::thread::scope(|s| {
        for t in 0..16 {
            let conn = if t % 2 == 0 { sa.clone() } else { bob.clone() };
            s.spawn(move || {
                for _ in 0..15 {
                    let r = list(&conn).unwrap();
                    // sa sees the credential, bob (no sysadmin) sees none: a borrowed session would show.
                    assert_eq!(r.credentials.len(), if t % 2 == 0 { 1 } else { 0 }, "thread {t}");
                }
            });
        }
    });
    let n = logins(&sim);
    assert!(n <= 2 * pool::MAX_IDLE_PER_KEY as u64 + 16, "{n} logins for 240 calls");
    assert!(n < 240, "the pool was used: {n} logins for 240 calls");
    let mut owner = std::collections::HashMap::new();
    for s in sim.handle.statement_log() {
        assert_eq!(owner.entry(s.session_id).or_insert_with(|| s.login.clone()), &s.login, "session {} changed login", s.session_id);
    }
}
