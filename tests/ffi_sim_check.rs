//! The readiness check (`sqlurl_server_check`) against the simulator: every outcome.
#![cfg(not(windows))]

mod common;

use common::ffi::call;
use common::sim::{credential, login, ready_scenario, Sim, CONTAINER};
use serde_json::{json, Value};
use sqlsim::scenario::Scenario;
use sqlurl::ffi::check::sqlurl_server_check;
use sqlurl::ffi::SqlurlResult;

fn run(sim: &Sim, conn: Value, extra: Value) -> Value {
    let mut req = json!({"connection": conn, "url": CONTAINER});
    if let Value::Object(m) = extra {
        for (k, v) in m {
            req[k] = v;
        }
    }
    let (code, out) = call(sqlurl_server_check, &req);
    assert_eq!(code, SqlurlResult::SQLURL_OK, "{out}");
    let _ = sim;
    out
}

fn status<'a>(out: &'a Value, name: &str) -> &'a str {
    out["checks"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap_or_else(|| panic!("no check {name}: {out}"))["status"]
        .as_str()
        .unwrap()
}

fn check<'a>(out: &'a Value, name: &str) -> &'a Value {
    out["checks"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap()
}

#[test]
fn ready_server_passes_every_check() {
    let sim = Sim::start(ready_scenario());
    let out = run(&sim, sim.conn(), json!({}));
    assert_eq!(out["ready"], true, "{out}");
    assert_eq!(out["server"], "SQLVM01");
    assert_eq!(out["product_version"], "16.0.4175.1");
    for name in ["Version", "HostPlatform", "FailoverCluster", "TraceFlag4675", "Credential", "CredentialVerifiedByTraceFlag", "BackupPermission", "CreateDatabasePermission", "ProgressPermission"] {
        assert_eq!(status(&out, name), "pass", "{name}: {out}");
    }
    assert!(check(&out, "Version")["evidence"].as_str().unwrap().contains("CU17"));
    assert_eq!(out["statements"], json!([]));
}

#[test]
fn old_version_linux_and_cluster_fail() {
    let sim = Sim::start(Scenario { product_version: "16.0.4165.4".into(), product_update_level: "CU16".into(), ..ready_scenario() });
    let out = run(&sim, sim.conn(), json!({}));
    assert_eq!(status(&out, "Version"), "fail");
    assert_eq!(out["ready"], false);
    assert!(check(&out, "Version")["recommended_action"].as_str().unwrap().contains("CU17"));

    let sim = Sim::start(Scenario { host_platform: "Linux".into(), ..ready_scenario() });
    let out = run(&sim, sim.conn(), json!({}));
    assert_eq!(status(&out, "HostPlatform"), "fail");
    assert_eq!(out["ready"], false);

    let sim = Sim::start(Scenario { clustered: true, ..ready_scenario() });
    let out = run(&sim, sim.conn(), json!({}));
    assert_eq!(status(&out, "FailoverCluster"), "fail");
    assert_eq!(out["ready"], false);
}

#[test]
fn trace_flag_off_warns_and_credential_is_unproven() {
    let sim = Sim::start(Scenario { trace_flags: vec![], ..ready_scenario() });
    let out = run(&sim, sim.conn(), json!({}));
    assert_eq!(status(&out, "TraceFlag4675"), "warn");
    assert_eq!(status(&out, "CredentialVerifiedByTraceFlag"), "warn");
    assert!(check(&out, "CredentialVerifiedByTraceFlag")["recommended_action"].as_str().unwrap().contains("recreate"));
    assert_eq!(out["ready"], true, "warnings do not make it unready");
}

#[test]
fn enable_trace_flag_turns_it_on_and_flags_the_old_credential() {
    let sim = Sim::start(Scenario { trace_flags: vec![], ..ready_scenario() });
    let out = run(&sim, sim.conn(), json!({"enable_trace_flag": true}));
    assert_eq!(status(&out, "TraceFlag4675"), "pass", "{out}");
    assert_eq!(out["statements"], json!(["DBCC TRACEON(4675, -1)"]));
    assert!(sim.statements().contains(&"DBCC TRACEON(4675, -1)".to_string()));
    assert_eq!(status(&out, "CredentialVerifiedByTraceFlag"), "warn");
    // Now on: a second check sees it on globally.
    let out = run(&sim, sim.conn(), json!({}));
    assert_eq!(status(&out, "TraceFlag4675"), "pass");
}

#[test]
fn credential_missing_near_miss_and_sas() {
    let sim = Sim::start(Scenario { credentials: vec![], ..ready_scenario() });
    let out = run(&sim, sim.conn(), json!({}));
    assert_eq!(status(&out, "Credential"), "fail");
    assert_eq!(out["ready"], false);

    let sim = Sim::start(Scenario { credentials: vec![credential(&format!("{CONTAINER}/"), "Managed Identity")], ..ready_scenario() });
    let out = run(&sim, sim.conn(), json!({}));
    assert_eq!(status(&out, "Credential"), "fail");
    assert!(check(&out, "Credential")["evidence"].as_str().unwrap().contains("matches the name exactly"), "{out}");

    let sim = Sim::start(Scenario { credentials: vec![credential(CONTAINER, "SHARED ACCESS SIGNATURE")], ..ready_scenario() });
    let out = run(&sim, sim.conn(), json!({}));
    assert_eq!(status(&out, "Credential"), "warn");
    assert!(check(&out, "Credential")["evidence"].as_str().unwrap().contains("sas"));
}

#[test]
fn login_without_sysadmin() {
    let sc = Scenario { logins: vec![login("plain", "Plain-Passw0rd!", false), login("operator", "Op-Passw0rd!", true)], ..ready_scenario() };
    let sim = Sim::start(sc);
    let plain = sim.conn_with(json!({"kind": "sql", "user": "plain", "password": "Plain-Passw0rd!"}));
    let out = run(&sim, plain.clone(), json!({}));
    assert_eq!(status(&out, "BackupPermission"), "fail", "{out}");
    assert_eq!(out["ready"], false);
    // Asking to turn 4675 on without sysadmin says so.
    let sim2 = Sim::start(Scenario { trace_flags: vec![], logins: vec![login("plain", "Plain-Passw0rd!", false)], ..ready_scenario() });
    let plain2 = sim2.conn_with(json!({"kind": "sql", "user": "plain", "password": "Plain-Passw0rd!"}));
    let out = run(&sim2, plain2, json!({"enable_trace_flag": true}));
    assert_eq!(status(&out, "TraceFlag4675"), "fail");
    assert!(check(&out, "TraceFlag4675")["evidence"].as_str().unwrap().contains("sysadmin"));
    assert!(!sim2.statements().iter().any(|s| s.starts_with("DBCC TRACEON")));

    let op = sim.conn_with(json!({"kind": "sql", "user": "operator", "password": "Op-Passw0rd!"}));
    let out = run(&sim, op, json!({}));
    assert_eq!(status(&out, "BackupPermission"), "pass", "{out}");
}

/// Issue 12: RESTORE HEADERONLY / FILELISTONLY need CREATE DATABASE; progress of other sessions
/// needs VIEW SERVER PERFORMANCE STATE on SQL Server 2022. The check flags each with the GRANT.
#[test]
fn login_without_create_database_or_performance_state_is_flagged_with_the_grant() {
    let mut limited = login("bk.operator", "Op-Passw0rd!", true);
    limited.create_database = Some(false);
    limited.view_server_performance_state = Some(false);
    let mut granted = login("restorer", "Re-Passw0rd!", true);
    granted.create_database = Some(true);
    granted.view_server_performance_state = Some(true);
    let sim = Sim::start(Scenario { logins: vec![limited, granted], ..ready_scenario() });
    let conn = sim.conn_with(json!({"kind": "sql", "user": "bk.operator", "password": "Op-Passw0rd!"}));
    let out = run(&sim, conn.clone(), json!({}));
    assert_eq!(status(&out, "BackupPermission"), "pass", "{out}");
    let c = check(&out, "CreateDatabasePermission");
    assert_eq!(c["status"], "warn", "{out}");
    assert!(c["evidence"].as_str().unwrap().contains("HEADERONLY"), "{c}");
    assert_eq!(c["recommended_action"], "Grant it: GRANT CREATE ANY DATABASE TO [bk.operator] (or add the login to the dbcreator role).");
    let p = check(&out, "ProgressPermission");
    assert_eq!(p["status"], "warn", "{out}");
    assert_eq!(p["recommended_action"], "Grant it: GRANT VIEW SERVER PERFORMANCE STATE TO [bk.operator].");
    // warnings, not failures: backups still work without them
    assert!(sim.statements().iter().any(|s| s.contains("HAS_PERMS_BY_NAME(N'master', N'DATABASE', N'CREATE DATABASE')")));
    // what the warning is about: HEADERONLY by this login is refused by the server (262)
    let req: sqlurl::ops::inspect::InspectRequest = serde_json::from_value(json!({"connection": conn, "urls": [format!("{CONTAINER}/x.bak")]})).unwrap();
    let e = sqlurl::runtime::block_on(sqlurl::ops::inspect::header(req)).unwrap_err();
    assert_eq!(e.kind(), sqlurl::errors::ErrorKind::PermissionDenied, "{e}");
    // the same check passes for a login that holds both
    let out = run(&sim, sim.conn_with(json!({"kind": "sql", "user": "restorer", "password": "Re-Passw0rd!"})), json!({}));
    assert_eq!(status(&out, "CreateDatabasePermission"), "pass", "{out}");
    assert_eq!(status(&out, "ProgressPermission"), "pass", "{out}");
}

/// Trace flag 4675 survives a restart only as a startup parameter (-T4675, SQLArgN in
/// sys.dm_server_registry); disable_trace_flag mirrors enable_trace_flag.
#[test]
fn trace_flag_4675_as_a_startup_parameter_and_disable_trace_flag() {
    // on now, but not a startup parameter: warn with the remedy
    let sim = Sim::start(ready_scenario());
    let out = run(&sim, sim.conn(), json!({}));
    let c = check(&out, "TraceFlag4675Startup");
    assert_eq!(c["status"], "warn", "{out}");
    assert!(c["evidence"].as_str().unwrap().contains("lost at the next restart"), "{c}");
    assert!(c["recommended_action"].as_str().unwrap().contains("SqlTraceFlag"), "{c}");
    assert!(sim.statements().iter().any(|s| s.contains("FROM sys.dm_server_registry")));

    // a startup parameter: pass
    let sim = Sim::start(Scenario { startup_parameters: vec!["-T4675".into()], ..ready_scenario() });
    let out = run(&sim, sim.conn(), json!({}));
    assert_eq!(status(&out, "TraceFlag4675Startup"), "pass", "{out}");

    // a login that may not read the registry DMV (no VIEW SERVER PERFORMANCE STATE): unknown, says why
    let mut plain = login("plain", "Plain-Passw0rd!", true);
    plain.view_server_performance_state = Some(false);
    let sim2 = Sim::start(Scenario { startup_parameters: vec!["-T4675".into()], logins: vec![plain], ..ready_scenario() });
    let out = run(&sim2, sim2.conn_with(json!({"kind": "sql", "user": "plain", "password": "Plain-Passw0rd!"})), json!({}));
    let c = check(&out, "TraceFlag4675Startup");
    assert_eq!(c["status"], "unknown", "{out}");
    assert!(c["evidence"].as_str().unwrap().contains("VIEW SERVER PERFORMANCE STATE"), "{c}");

    // disable_trace_flag: DBCC TRACEOFF(4675, -1), reported; the startup parameter brings it back
    let out = run(&sim, sim.conn(), json!({"disable_trace_flag": true}));
    assert_eq!(out["statements"], json!(["DBCC TRACEOFF(4675, -1)"]), "{out}");
    assert_eq!(status(&out, "TraceFlag4675"), "warn", "{out}");
    assert!(check(&out, "TraceFlag4675")["evidence"].as_str().unwrap().contains("turned off"), "{out}");
    let c = check(&out, "TraceFlag4675Startup");
    assert_eq!(c["status"], "warn", "{out}");
    assert!(c["evidence"].as_str().unwrap().contains("comes back at the next restart"), "{c}");
    // again: already off, nothing sent
    let before = sim.statements().iter().filter(|s| s.starts_with("DBCC TRACEOFF")).count();
    let out = run(&sim, sim.conn(), json!({"disable_trace_flag": true}));
    assert_eq!(out["statements"], json!([]), "{out}");
    assert_eq!(status(&out, "TraceFlag4675"), "pass", "{out}");
    assert_eq!(sim.statements().iter().filter(|s| s.starts_with("DBCC TRACEOFF")).count(), before);
    // both switches: refused
    let (code, out) = call(sqlurl_server_check, &json!({"connection": sim.conn(), "enable_trace_flag": true, "disable_trace_flag": true}));
    assert_eq!(code, SqlurlResult::SQLURL_ERROR_INVALID_ARGUMENT, "{out}");
}

#[test]
fn no_url_leaves_credential_checks_unknown_and_bad_url_is_rejected() {
    let sim = Sim::start(ready_scenario());
    let (code, out) = call(sqlurl_server_check, &json!({"connection": sim.conn()}));
    assert_eq!(code, SqlurlResult::SQLURL_OK);
    assert_eq!(status(&out, "Credential"), "unknown");
    let (code, out) = call(sqlurl_server_check, &json!({"connection": sim.conn(), "url": "https://acct.blob.core.windows.net/backups/"}));
    assert_eq!(code, SqlurlResult::SQLURL_ERROR_INVALID_ARGUMENT, "{out}");
}
