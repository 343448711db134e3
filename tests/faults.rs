//! Faults (issue 14): the simulator going away mid-backup, a cut connection, storage 503s,
//! timeouts and failed writes, an untrusted or wrong-host certificate, a managed-identity
//! endpoint that is down, hung, answers garbage or an expired token, and the progress poller's
//! connection lost while the backup goes on.
//!
//! Each fault must give a typed error, never a success, and leave no committed blob (checked
//! with the independent REST client in `tests/sqlsim/tests/backup_support`). Every wait is
//! bounded: an operation that does not end within its bound fails the test instead of hanging it.
#![cfg(not(windows))]

#[path = "sqlsim/tests/backup_support/mod.rs"]
mod backup_support;
mod common;

use std::time::{Duration, Instant};

use backup_support::{container_name, db, scenario, Blobs, ACCOUNT_URL};
use common::azurite::ensure_azurite;
use common::identity::{Answer, FakeIdentity};
use common::proxy::Proxy;
use common::sim::{Sim, SA_PASSWORD};
use serde_json::{json, Value};
use sqlsim::scenario::Faults;
use sqlurl::operation::Operation;

fn sa() -> Value {
    json!({"kind": "sql", "user": "sa", "password": SA_PASSWORD})
}

fn block<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

fn backup_with(connection: Value, body: Value) -> Operation {
    let mut req = body;
    req["connection"] = connection;
    let r: sqlurl::ops::backup::BackupRequest = serde_json::from_value(req).expect("backup request");
    sqlurl::ops::backup::start(r).expect("backup start")
}

/// Waits at most `secs` for the end; returns the status as JSON.
fn finish_within(op: &Operation, secs: u64) -> Value {
    let (st, done) = op.wait(Duration::from_secs(secs));
    assert!(done, "operation did not finish within {secs} s: {:#}", serde_json::to_value(&st).unwrap());
    serde_json::to_value(&st).unwrap()
}

/// The operation failed (not cancelled, not succeeded) and its one result carries an error of
/// `kind` and no backup figures; returns the error.
fn failed_with(st: &Value, kinds: &[&str]) -> Value {
    assert_eq!(st["state"], "failed", "{st:#}");
    let r = &st["results"][0];
    let e = r["error"].clone();
    assert!(kinds.contains(&e["kind"].as_str().unwrap_or("")), "expected one of {kinds:?}: {st:#}");
    assert!(r["last_lsn"].is_null() && r["bytes"].is_null(), "no backup figures for a failed backup: {r:#}");
    assert!(!e["message"].as_str().unwrap_or("").is_empty());
    e
}

/// No committed blob in `container` (bounded wait for the server's clean-up to finish).
fn no_committed_blob(blobs: &Blobs, container: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut names = block(blobs.list(container));
    while !names.is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
        names = block(blobs.list(container));
    }
    assert!(names.is_empty(), "no blob may look like a good backup: {names:?}");
}

/// Polls (bounded) until the backup reports progress above 0.
fn wait_for_progress(op: &Operation) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline && !op.is_final() && op.poll().items[0].percent_complete.unwrap_or(0.0) <= 0.0 {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(op.poll().items[0].percent_complete.unwrap_or(0.0) > 0.0, "the backup started: {:?}", serde_json::to_value(op.poll()).unwrap());
}

fn slow_sim(tag: &str, mb: u64, mb_per_s: f64) -> (Sim, Blobs, String) {
    let c = container_name(tag);
    ensure_azurite();
    let blobs = Blobs::new();
    block(blobs.create_container(&c));
    let mut sc = scenario(&c, "Contributor", vec![db("Big", "FULL", mb)]);
    sc.throughput_mb_per_s = mb_per_s;
    (Sim::start(sc), blobs, c)
}

/// A slow backup through a relay; `fault` strikes once it reports progress. The backup must
/// fail as a lost connection, and nothing may be committed.
fn lost_mid_backup(tag: &str, fault: impl FnOnce(&Sim, &Proxy)) {
    let (sim, blobs, c) = slow_sim(tag, 4000, 50.0); // ~80 s if it ran to the end
    let proxy = Proxy::start(sim.handle.port());
    let op = backup_with(sim.conn_via(proxy.port, sa()), json!({"databases": ["Big"], "container_url": format!("{ACCOUNT_URL}/{c}")}));
    wait_for_progress(&op);
    fault(&sim, &proxy);
    let st = finish_within(&op, 60);
    let e = failed_with(&st, &["ConnectionRefused", "ConnectionTimeout"]);
    eprintln!("{tag}: lost mid-backup -> {} / {}", e["kind"], e["message"]);
    assert!(e["message"].as_str().unwrap().contains("connection to the server was lost"), "{e:#}");
    assert!(!e["message"].as_str().unwrap().contains("docs.rs"), "no links meant for Rust developers: {e:#}");
    // the server saw its session end and stops the backup; nothing is committed
    no_committed_blob(&blobs, &c);
}

#[test]
fn simulator_shut_down_mid_backup_is_a_failure_with_no_blob() {
    lost_mid_backup("shut", |sim, _| sim.handle.shutdown());
}

#[test]
fn connection_cut_mid_backup_is_a_failure_with_no_blob() {
    lost_mid_backup("cut", |_, proxy| proxy.cut_all());
}

#[test]
fn connection_reset_mid_backup_is_a_failure_with_no_blob() {
    lost_mid_backup("reset", |_, proxy| proxy.reset_all());
}

#[test]
fn storage_faults_are_typed_failures_with_no_blob() {
    let (sim, blobs, c) = slow_sim("stor", 400, 200.0);
    // (fault, kind, OS error in the message)
    let cases = [
        // 503 Server Busy on every call: the device cannot be opened
        (Faults { storage_unavailable: true, ..Faults::default() }, "BackupDeviceError", "1117"),
        (Faults { storage_timeout: true, ..Faults::default() }, "BackupDeviceError", "12002"),
        // the storage goes away mid-write
        (Faults { storage_write_fail_at_percent: Some(40), ..Faults::default() }, "BackupWriteFailed", "1117"),
    ];
    for (faults, kind, os_error) in cases {
        sim.handle.state.set_faults(faults.clone());
        let op = backup_with(sim.conn_via(sim.handle.port(), sa()), json!({"databases": ["Big"], "container_url": format!("{ACCOUNT_URL}/{c}")}));
        let st = finish_within(&op, 120);
        let e = failed_with(&st, &[kind]);
        eprintln!("{faults:?} -> {} / {}", e["kind"], e["message"]);
        assert!(e["message"].as_str().unwrap().contains(os_error), "{e:#}");
        no_committed_blob(&blobs, &c);
    }
    // the same backup with the storage healthy again succeeds: the failures left nothing behind
    sim.handle.state.set_faults(Faults::default());
    let st = finish_within(&backup_with(sim.conn_via(sim.handle.port(), sa()), json!({"databases": ["Big"], "container_url": format!("{ACCOUNT_URL}/{c}")})), 120);
    assert_eq!(st["state"], "succeeded", "{st:#}");
    assert_eq!(block(blobs.list(&c)).len(), 1);
}

#[test]
fn untrusted_and_wrong_host_certificates_are_refused() {
    let (sim, blobs, c) = slow_sim("cert", 64, 1000.0);
    let body = json!({"databases": ["Big"], "container_url": format!("{ACCOUNT_URL}/{c}")});
    // no CA given: the simulator's self-made CA is not trusted
    let mut conn = sim.conn_via(sim.handle.port(), sa());
    conn.as_object_mut().unwrap().remove("ca_file");
    let st = finish_within(&backup_with(conn, body.clone()), 30);
    let e = failed_with(&st, &["CertificateNotTrusted"]);
    let m = e["message"].as_str().unwrap();
    assert!(m.contains("CertificateAuthorityFile") || m.contains("ca_file") || m.contains("TrustServerCertificate") || m.contains("trust_server_certificate"), "{e:#}");
    // trusted CA, but the certificate is checked against another host name
    let mut conn = sim.conn_via(sim.handle.port(), sa());
    conn["host_name_in_certificate"] = json!("sql.other.example");
    let st = finish_within(&backup_with(conn, body), 30);
    failed_with(&st, &["CertificateNameMismatch"]);
    assert!(sim.handle.statement_log().iter().all(|s| !s.text.contains("BACKUP")), "nothing reached the server");
    no_committed_blob(&blobs, &c);
}

/// The identity endpoint's faults: one test, because `SQLURL_IMDS_ENDPOINT` is process-wide
/// (no other test in this file uses a managed identity).
#[test]
fn identity_endpoint_down_hung_garbage_or_expired_is_a_typed_failure() {
    let c = container_name("mi");
    ensure_azurite();
    let blobs = Blobs::new();
    block(blobs.create_container(&c));
    let mut sc = scenario(&c, "Contributor", vec![db("Big", "FULL", 64)]);
    sc.logins.push(common::sim::principal("mi-sqlvm01", true));
    let sim = Sim::start(sc);
    let mi = json!({"kind": "managed_identity"});
    let body = json!({"databases": ["Big"], "container_url": format!("{ACCOUNT_URL}/{c}")});
    std::env::remove_var("IDENTITY_ENDPOINT");
    std::env::remove_var("IDENTITY_HEADER");

    let run = |url: String| -> (Value, Duration) {
        std::env::set_var("SQLURL_IMDS_ENDPOINT", url);
        let t = Instant::now();
        let st = finish_within(&backup_with(sim.conn_via(sim.handle.port(), mi.clone()), body.clone()), 60);
        (st, t.elapsed())
    };

    // a healthy endpoint works (so the failures below are the endpoint's)
    let good = FakeIdentity::start(Answer::Token { principal: "mi-sqlvm01".into() });
    let (st, _) = run(good.imds_url());
    assert_eq!(st["state"], "succeeded", "{st:#}");
    let name = block(blobs.list(&c));
    assert_eq!(name.len(), 1);

    // down: nothing listens
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let (st, _) = run(format!("http://127.0.0.1:{port}/metadata/identity/oauth2/token"));
    let e = failed_with(&st, &["IdentityEndpointFailed"]);
    assert!(e["message"].as_str().unwrap().contains("cannot connect"), "{e:#}");

    // hung: accepts and never answers; bounded by connect_timeout_s (5 s)
    let hung = FakeIdentity::start(Answer::Hang { seconds: 40 });
    let (st, took) = run(hung.imds_url());
    let e = failed_with(&st, &["ConnectionTimeout"]);
    eprintln!("hung identity endpoint -> {} after {:?}: {}", e["kind"], took, e["message"]);
    assert!(took < Duration::from_secs(30), "bounded by the connect timeout: {took:?}");
    assert!(e["message"].as_str().unwrap().contains("while getting the managed-identity token"), "{e:#}");

    // garbage and a response without a token
    for body in ["<html>proxy error</html>", r#"{"token_type":"Bearer"}"#] {
        let fake = FakeIdentity::start(Answer::Raw { body: body.into() });
        let (st, _) = run(fake.imds_url());
        let e = failed_with(&st, &["IdentityEndpointFailed"]);
        assert!(!e["message"].as_str().unwrap().contains("proxy error"), "{e:#}");
    }

    // an expired token
    let fake = FakeIdentity::start(Answer::Expired { principal: "mi-sqlvm01".into() });
    let (st, _) = run(fake.imds_url());
    let e = failed_with(&st, &["IdentityEndpointFailed"]);
    assert!(e["message"].as_str().unwrap().contains("expired"), "{e:#}");
    assert!(!e["message"].as_str().unwrap().contains("eyJ"), "no token in the error: {e:#}");

    std::env::remove_var("SQLURL_IMDS_ENDPOINT");
    // only the one good backup is there
    assert_eq!(block(blobs.list(&c)), name);
}

#[test]
fn progress_connection_lost_while_the_backup_goes_on_still_succeeds() {
    let (sim, blobs, c) = slow_sim("poll", 400, 80.0); // ~5 s
    let proxy = Proxy::start(sim.handle.port());
    let op = backup_with(sim.conn_via(proxy.port, sa()), json!({"databases": ["Big"], "container_url": format!("{ACCOUNT_URL}/{c}")}));
    wait_for_progress(&op);
    // the poller connects after the BACKUP was sent: it is the newest connection now
    let poller = proxy.count() - 1;
    proxy.cut(poller);
    let st = finish_within(&op, 120);
    assert_eq!(st["state"], "succeeded", "{st:#}");
    let msgs = st["messages"].to_string();
    assert!(msgs.contains("progress shows elapsed time only"), "the lost poller is explained: {msgs}");
    assert_eq!(block(blobs.list(&c)).len(), 1);
}
