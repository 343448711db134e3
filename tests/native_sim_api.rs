//! The safe Rust API against the simulator: connect + command timeout, catalog queries the
//! operations reuse, many threads calling the C ABI at once.
#![cfg(not(windows))]

mod common;

use common::ffi::call;
use common::sim::{ready_scenario, Sim};
use serde_json::json;
use sqlurl::connect::{connect, connect_with, ConnectOptions};
use sqlurl::ops::catalog;
use sqlurl::tsql::Sql;
use sqlurl::ErrorKind;

fn conn_req(sim: &Sim, extra: serde_json::Value) -> sqlurl::api::ConnectionRequest {
    let mut c = sim.conn();
    if let serde_json::Value::Object(m) = extra {
        for (k, v) in m {
            c[k] = v;
        }
    }
    serde_json::from_value(c).unwrap()
}

#[test]
fn command_timeout_applies_and_can_be_lifted() {
    let sim = Sim::start(ready_scenario());
    let req = conn_req(&sim, json!({"command_timeout_s": 1}));
    let e = sqlurl::runtime::block_on(async {
        let mut c = connect(&req).await?;
        sqlurl::connect::execute(&mut c, &Sql::plain("WAITFOR DELAY '00:00:03'")).await
    })
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::CommandTimeout, "{e:?}");
    assert_eq!(sqlurl::ffi::SqlurlResult::of(&e), sqlurl::ffi::SqlurlResult::SQLURL_ERROR_TIMEOUT);
    // Without the command timeout (as BACKUP/RESTORE connect) the same wait completes.
    sqlurl::runtime::block_on(async {
        let mut c = connect_with(&req, ConnectOptions { no_command_timeout: true }).await?;
        sqlurl::connect::execute(&mut c, &Sql::plain("WAITFOR DELAY '00:00:02'")).await
    })
    .unwrap();
}

#[test]
fn catalog_queries() {
    let sc = sqlsim::scenario::Scenario {
        databases: vec![sqlsim::scenario::Database { name: "Sales".into(), ..Default::default() }],
        ..ready_scenario()
    };
    let sim = Sim::start(sc);
    let req = conn_req(&sim, json!({}));
    sqlurl::runtime::block_on(async {
        let mut c = connect(&req).await.unwrap();
        let f = catalog::server_facts(&mut c).await.unwrap();
        assert_eq!(f.server_name, "SQLVM01");
        assert_eq!(f.product_version, "16.0.4175.1");
        assert_eq!(f.product_update_level.as_deref(), Some("CU17"));
        assert_eq!(f.is_clustered, Some(false));
        assert_eq!(f.is_sysadmin, Some(true));
        assert_eq!(f.default_data_path.as_deref(), Some("F:\\data\\"));
        assert_eq!(catalog::host_platform(&mut c).await.unwrap().as_deref(), Some("Windows"));
        let tf = catalog::trace_flag(&mut c, 4675).await.unwrap();
        assert!(tf.status && tf.global);
        let dbs = catalog::databases(&mut c).await.unwrap();
        let sales = dbs.iter().find(|d| d.name == "Sales").expect("Sales listed");
        assert_eq!(sales.recovery_model, "FULL");
        let files = catalog::database_files(&mut c, "Sales").await.unwrap();
        assert_eq!(files.len(), 2, "{files:?}");
        assert!(files.iter().any(|f| f.type_desc == "LOG"));
        let creds = catalog::credentials(&mut c).await.unwrap();
        assert_eq!(creds[0].kind, "managed_identity");
        assert!(creds[0].create_date.is_some());
    });
}

#[test]
fn many_threads_call_the_c_abi_at_once() {
    let sim = Sim::start(ready_scenario());
    let req = json!({"connection": sim.conn(), "url": common::sim::CONTAINER});
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let req = req.clone();
            std::thread::spawn(move || {
                for _ in 0..3 {
                    let (code, out) = call(sqlurl::ffi::check::sqlurl_server_check, &req);
                    assert_eq!(code, sqlurl::ffi::SqlurlResult::SQLURL_OK, "{out}");
                    assert_eq!(out["ready"], true);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

/// Prints figures (no timing assertion): connect + readiness check, and a failing call that
/// never leaves the process.
#[test]
fn figures() {
    let sim = Sim::start(ready_scenario());
    let req = json!({"connection": sim.conn(), "url": common::sim::CONTAINER});
    let n = 20;
    let t = std::time::Instant::now();
    for _ in 0..n {
        let (code, _) = call(sqlurl::ffi::check::sqlurl_server_check, &req);
        assert_eq!(code, sqlurl::ffi::SqlurlResult::SQLURL_OK);
    }
    let per_check = t.elapsed().as_secs_f64() * 1000.0 / n as f64;
    let bad = json!({"connection": sim.conn(), "url": "http://x/y", "identity": "managed_identity"});
    let m = 2000;
    let t = std::time::Instant::now();
    for _ in 0..m {
        let (code, _) = call(sqlurl::ffi::credential::sqlurl_credential_create, &bad);
        assert_eq!(code, sqlurl::ffi::SqlurlResult::SQLURL_ERROR_INVALID_ARGUMENT);
    }
    let per_fail = t.elapsed().as_secs_f64() * 1e6 / m as f64;
    println!("figures: sqlurl_server_check (TLS connect + login + 4 queries) {per_check:.1} ms/call; validation failure through the C ABI {per_fail:.0} us/call");
}

/// Server-side errors the simulator produces, classified through the Rust API.
#[test]
fn server_errors_are_classified() {
    let sim = Sim::start(ready_scenario());
    let req = conn_req(&sim, json!({}));
    let run = |sql: &str| {
        let sql = Sql::plain(sql);
        sqlurl::runtime::block_on(async {
            let mut c = connect(&req).await?;
            sqlurl::connect::execute(&mut c, &sql).await
        })
        .unwrap_err()
    };
    let e = run("CREATE CREDENTIAL [https://acct.blob.core.windows.net/backups] WITH IDENTITY = N'Managed Identity'");
    assert_eq!(e.kind(), ErrorKind::CredentialExists, "{e:?}");
    assert_eq!(sqlurl::ffi::SqlurlResult::of(&e), sqlurl::ffi::SqlurlResult::SQLURL_ERROR_SERVER);
    let j = e.to_json();
    assert_eq!(j["sql"][0]["number"], 15025);
    assert!(j["statement"].as_str().unwrap().starts_with("CREATE CREDENTIAL"));
    let e = run("DROP CREDENTIAL [nope]");
    assert_eq!(e.kind(), ErrorKind::CredentialNotFound, "{e:?}");
    let e = run("SELECT name FROM sys.no_such_view");
    assert_eq!(e.kind(), ErrorKind::SqlError, "{e:?}");
}

/// A database the login cannot open is a login failure (4060).
#[test]
fn unknown_database_is_login_failed() {
    let sim = Sim::start(ready_scenario());
    let req = conn_req(&sim, json!({"database": "NoSuchDb"}));
    let e = sqlurl::runtime::block_on(connect(&req)).err().unwrap();
    assert_eq!(e.kind(), ErrorKind::LoginFailed, "{e:?}");
    assert!(e.to_string().contains("4060"), "{e}");
}
