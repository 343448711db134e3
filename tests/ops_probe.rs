//! Issue 18: the deep readiness check (`sqlurl_server_check` with `deep`) against the simulator
//! and Azurite — a probe backup of `model` WITH COPY_ONLY, RESTORE VERIFYONLY, the blob deleted
//! through the library's storage access. Blobs are listed with the independent REST client.
#![cfg(not(windows))]

#[path = "sqlsim/tests/backup_support/mod.rs"]
mod backup_support;
mod common;

use backup_support::{account_sas, azurite, container_name, db, scenario, Blobs, ACCOUNT_URL};
use common::azurite::ensure_azurite;
use common::ffi::call;
use common::sim::Sim;
use serde_json::{json, Value};
use sqlsim::scenario::{Faults, Scenario};
use sqlurl::ffi::check::sqlurl_server_check;
use sqlurl::ffi::SqlurlResult;

fn block<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

/// A ready server (trace flag 4675 on, managed-identity credential) whose storage is Azurite.
fn setup(tag: &str, role: &str) -> (String, Blobs, Scenario) {
    ensure_azurite();
    let c = container_name(tag);
    let blobs = Blobs::new();
    block(blobs.create_container(&c));
    let sc = Scenario { trace_flags: vec![4675], ..scenario(&c, role, vec![db("Sales", "FULL", 16)]) };
    (c, blobs, sc)
}

/// The library's storage access to the container: Azurite with an account SAS of `perms`.
fn storage(c: &str, perms: &str) -> Value {
    let az = azurite();
    json!({"container_url": format!("{ACCOUNT_URL}/{c}"), "auth": {"kind": "sas", "sas": account_sas(perms)}, "endpoint": az.endpoint, "ca_file": az.ca})
}

fn deep(sim: &Sim, c: &str, extra: Value) -> Value {
    let mut req = json!({"connection": sim.conn(), "url": format!("{ACCOUNT_URL}/{c}"), "deep": true});
    if let Value::Object(m) = extra {
        for (k, v) in m {
            req[k] = v;
        }
    }
    let (code, out) = call(sqlurl_server_check, &req);
    assert_eq!(code, SqlurlResult::SQLURL_OK, "{out}");
    out
}

fn step<'a>(out: &'a Value, name: &str) -> &'a Value {
    out["probe"]["steps"].as_array().unwrap().iter().find(|s| s["step"] == name).unwrap_or_else(|| panic!("no step {name}: {out}"))
}

#[test]
fn ready_server_passes_every_probe_step_and_leaves_no_blob() {
    let (c, blobs, sc) = setup("probe", "Contributor");
    let sim = Sim::start(sc);
    let out = deep(&sim, &c, json!({"storage": storage(&c, "rwdlac")}));
    assert_eq!(out["ready"], true, "{out}");
    let p = &out["probe"];
    assert_eq!(p["passed"], true, "{p}");
    for s in ["backup", "verify", "delete"] {
        assert_eq!(step(&out, s)["status"], "pass", "{s}: {p}");
        assert!(step(&out, s)["milliseconds"].is_u64());
    }
    let blob = p["blob_url"].as_str().unwrap();
    assert!(blob.starts_with(&format!("{ACCOUNT_URL}/{c}/sqlurl-probe/")) && blob.ends_with(".bak"), "{blob}");
    assert!(p["statements"][0].as_str().unwrap().starts_with("BACKUP DATABASE [model] TO URL = N'"));
    assert!(p.get("left_behind").is_none(), "{p}");
    // An independent listing proves nothing is left.
    assert!(block(blobs.list(&c)).is_empty(), "no blob left behind");
    // msdb's backup history shows the probe as COPY_ONLY (the simulator's msdb.dbo.backupset).
    let hist = sim.handle.state.lock().backup_history.clone();
    let probe = hist.iter().find(|h| h.physical_device_names == vec![blob.to_string()]).expect("probe in msdb history");
    assert_eq!((probe.database_name.as_str(), probe.backup_type, probe.is_copy_only), ("model", 'D', true));
}

#[test]
fn what_if_plans_without_running() {
    let (c, blobs, sc) = setup("probewi", "Contributor");
    let sim = Sim::start(sc);
    let out = deep(&sim, &c, json!({"what_if": true, "storage": storage(&c, "rwdlac")}));
    let p = &out["probe"];
    assert_eq!(p["what_if"], true);
    assert_eq!(p["steps"], json!([]));
    assert_eq!(p["statements"].as_array().unwrap().len(), 2);
    assert!(!sim.statements().iter().any(|s| s.contains("BACKUP")), "nothing ran");
    assert!(block(blobs.list(&c)).is_empty());
}

#[test]
fn each_failure_reports_its_step_and_kind() {
    // The identity lacks Storage Blob Data Contributor (OS error 5 inside 3201).
    let (c, blobs, sc) = setup("probero", "Reader");
    let sim = Sim::start(sc);
    let out = deep(&sim, &c, json!({"storage": storage(&c, "rwdlac")}));
    assert_eq!(out["ready"], false);
    let b = step(&out, "backup");
    assert_eq!(b["status"], "fail");
    assert_eq!((b["error"]["kind"].as_str(), b["error"]["os_error"].as_i64()), (Some("StorageAccessDenied"), Some(5)), "{b}");
    assert!(out["probe"]["steps"].as_array().unwrap().iter().all(|s| s["step"] != "verify"), "no verify after a failed backup");
    assert!(block(blobs.list(&c)).is_empty());

    // The network path is closed (3271 with a remote-endpoint inner text).
    let (c, _blobs, sc) = setup("probenet", "Contributor");
    let sim = Sim::start(Scenario { faults: Faults { storage_unreachable: true, ..Faults::default() }, ..sc });
    let out = deep(&sim, &c, json!({"storage": storage(&c, "rwdlac")}));
    let b = step(&out, "backup");
    assert_eq!(b["status"], "fail");
    assert_eq!(b["error"]["kind"], "StorageUnreachable", "{b}");
    assert!(b["evidence"].as_str().unwrap().contains("3271"), "{b}");

    // No primary managed identity: 37563.
    let (c, _blobs, sc) = setup("probemi", "Contributor");
    let sim = Sim::start(Scenario { primary_managed_identity: false, ..sc });
    let out = deep(&sim, &c, json!({"storage": storage(&c, "rwdlac")}));
    let b = step(&out, "backup");
    assert_eq!(b["status"], "fail");
    assert_eq!(b["error"]["kind"], "ManagedIdentityNotSelected", "{b}");
}

#[test]
fn a_refused_delete_names_the_blob_left_behind() {
    let (c, blobs, sc) = setup("probedel", "Contributor");
    let sim = Sim::start(sc);
    // A read/list-only SAS: the probe backs up and verifies, but cannot delete.
    let out = deep(&sim, &c, json!({"storage": storage(&c, "rl")}));
    assert_eq!(step(&out, "backup")["status"], "pass");
    assert_eq!(step(&out, "verify")["status"], "pass");
    let d = step(&out, "delete");
    assert_eq!(d["status"], "fail", "{d}");
    assert_eq!(d["error"]["kind"], "StorageAccessDenied", "{d}");
    let left = out["probe"]["left_behind"].as_str().expect("left_behind named");
    assert_eq!(left, out["probe"]["blob_url"].as_str().unwrap());
    let name = left.split_once(&format!("/{c}/")).unwrap().1.to_string();
    assert!(block(blobs.props(&c, &name)).is_some(), "the blob is really there");
    assert_eq!(out["ready"], false);

    // Without storage access the blob is left and named too.
    let out = deep(&sim, &c, json!({}));
    assert_eq!(step(&out, "delete")["status"], "warn");
    assert!(out["probe"]["left_behind"].as_str().unwrap().contains("/sqlurl-probe/"));
}
