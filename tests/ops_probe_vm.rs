//! Issue 18's VM-side check (`vm_check`): this machine's managed identity lists the container.
//! Its own test binary: it points `SQLURL_IMDS_ENDPOINT` at a fake IMDS (process environment).
//! Azurite accepts any well-formed token, so the storage-side role refusal cannot be shown here;
//! the pass path (token for https://storage.azure.com/, then a listing) and the skip paths are.
#![cfg(not(windows))]

#[path = "sqlsim/tests/backup_support/mod.rs"]
mod backup_support;
mod common;

use backup_support::{account_sas, azurite, container_name, db, scenario, Blobs, ACCOUNT_URL};
use common::azurite::ensure_azurite;
use common::ffi::call;
use common::identity::{Answer, FakeIdentity};
use common::sim::Sim;
use serde_json::{json, Value};
use sqlsim::scenario::Scenario;
use sqlurl::ffi::check::sqlurl_server_check;

fn block<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

fn vm_step(out: &Value) -> Value {
    out["probe"]["steps"].as_array().unwrap().iter().find(|s| s["step"] == "vm_identity").cloned().unwrap_or_else(|| panic!("no vm_identity step: {out}"))
}

#[test]
fn vm_side_check_passes_with_imds_and_is_skipped_elsewhere() {
    ensure_azurite();
    let c = container_name("probevm");
    let blobs = Blobs::new();
    block(blobs.create_container(&c));
    let sim = Sim::start(Scenario { trace_flags: vec![4675], ..scenario(&c, "Contributor", vec![db("Sales", "FULL", 16)]) });
    let az = azurite();
    let storage = json!({"container_url": format!("{ACCOUNT_URL}/{c}"), "auth": {"kind": "sas", "sas": account_sas("rwdlac")}, "endpoint": az.endpoint, "ca_file": az.ca});
    let req = |client_id: Option<&str>| {
        json!({"connection": sim.conn(), "url": format!("{ACCOUNT_URL}/{c}"), "deep": true, "vm_check": true, "vm_client_id": client_id, "storage": storage})
    };

    // On the VM: IMDS answers; the identity lists the container.
    let fake = FakeIdentity::start(Answer::Token { principal: "sqlvm-identity".into() });
    std::env::remove_var("IDENTITY_ENDPOINT");
    std::env::remove_var("IDENTITY_HEADER");
    std::env::set_var("SQLURL_IMDS_ENDPOINT", fake.imds_url());
    let (_, out) = call(sqlurl_server_check, &req(Some("11111111-2222-3333-4444-555555555555")));
    let s = vm_step(&out);
    assert_eq!(s["status"], "pass", "{out}");
    assert_eq!(out["ready"], true, "{out}");
    let seen = fake.seen();
    assert!(seen.iter().any(|r| r.target.contains("resource=https%3A%2F%2Fstorage.azure.com%2F") && r.target.contains("client_id=11111111-2222-3333-4444-555555555555")),
        "{:?}", seen.iter().map(|r| &r.target).collect::<Vec<_>>());

    // The identity endpoint refuses (e.g. that user-assigned identity is not on this VM): fail.
    let refusing = FakeIdentity::start(Answer::Error { status: 400, body: "{\"error\":\"invalid_request\",\"error_description\":\"Identity not found\"}".into() });
    std::env::set_var("SQLURL_IMDS_ENDPOINT", refusing.imds_url());
    let (_, out) = call(sqlurl_server_check, &req(Some("99999999-2222-3333-4444-555555555555")));
    let s = vm_step(&out);
    assert_eq!(s["status"], "fail", "{out}");
    assert!(s["evidence"].as_str().unwrap().contains("Identity not found"), "{s}");
    assert_eq!(out["ready"], false);

    // No IMDS here (a workstation): skipped with the reason; the probe itself still counts.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    std::env::set_var("SQLURL_IMDS_ENDPOINT", format!("http://127.0.0.1:{port}/metadata/identity/oauth2/token"));
    let (_, out) = call(sqlurl_server_check, &req(None));
    let s = vm_step(&out);
    assert_eq!(s["status"], "unknown", "{out}");
    assert!(s["evidence"].as_str().unwrap().starts_with("skipped: no managed-identity endpoint here"), "{s}");
    assert_eq!(out["probe"]["passed"], true, "{out}");

    // Azure Automation / App Service: not the VM's identity: skipped.
    std::env::set_var("IDENTITY_ENDPOINT", "http://127.0.0.1:1/msi/token");
    std::env::set_var("IDENTITY_HEADER", "h");
    let (_, out) = call(sqlurl_server_check, &req(None));
    let s = vm_step(&out);
    assert_eq!(s["status"], "unknown");
    assert!(s["evidence"].as_str().unwrap().contains("IDENTITY_ENDPOINT"), "{s}");
    std::env::remove_var("IDENTITY_ENDPOINT");
    std::env::remove_var("IDENTITY_HEADER");
    assert!(block(blobs.list(&c)).is_empty(), "every probe blob was deleted");
}
