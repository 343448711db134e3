//! Credentials against the simulator through the C ABI (and the Rust API): create managed
//! identity and SAS, list, exists / replace, remove, 37563, permission, hostile names reaching
//! the server as one quoted token, secrets never in any output.
#![cfg(not(windows))]

mod common;

use common::ffi::call;
use common::sim::{credential, login, Sim, CONTAINER};
use serde_json::json;
use sqlsim::scenario::Scenario;
use sqlurl::ffi::credential::{sqlurl_credential_create, sqlurl_credential_list, sqlurl_credential_remove};
use sqlurl::ffi::SqlurlResult;

const MI_CREATE: &str = "CREATE CREDENTIAL [https://acct.blob.core.windows.net/backups] WITH IDENTITY = N'Managed Identity'";

#[test]
fn create_list_replace_remove_managed_identity() {
    let sim = Sim::start(Scenario { trace_flags: vec![4675], ..Scenario::default() });
    let req = json!({"connection": sim.conn(), "url": CONTAINER, "identity": "managed_identity"});
    let (code, out) = call(sqlurl_credential_create, &req);
    assert_eq!(code, SqlurlResult::SQLURL_OK, "{out}");
    assert_eq!(out["action"], "created");
    assert_eq!(out["credential"]["name"], CONTAINER);
    assert_eq!(out["credential"]["kind"], "managed_identity");
    assert_eq!(out["credential"]["identity"], "Managed Identity");
    assert_eq!(out["statements"], json!([MI_CREATE]));
    assert_eq!(out["warnings"], json!([]), "4675 is on: no warning");
    assert!(sim.statements().contains(&MI_CREATE.to_string()));

    // List: all, by container URL, by blob URL.
    let (code, out) = call(sqlurl_credential_list, &json!({"connection": sim.conn()}));
    assert_eq!(code, SqlurlResult::SQLURL_OK);
    assert_eq!(out["credentials"].as_array().unwrap().len(), 1);
    let (_, out) = call(sqlurl_credential_list, &json!({"connection": sim.conn(), "url": format!("{CONTAINER}/SQLVM01/Sales/x.bak")}));
    assert_eq!(out["credentials"][0]["name"], CONTAINER);
    let (_, out) = call(sqlurl_credential_list, &json!({"connection": sim.conn(), "url": "https://acct.blob.core.windows.net/other"}));
    assert_eq!(out["credentials"], json!([]));

    // Exists without replace: a precondition, nothing sent.
    let before = sim.statements().len();
    let (code, out) = call(sqlurl_credential_create, &req);
    assert_eq!(code, SqlurlResult::SQLURL_ERROR_PRECONDITION, "{out}");
    assert_eq!(out["error"]["kind"], "CredentialExists");
    assert!(!sim.statements()[before..].iter().any(|s| s.starts_with("CREATE CREDENTIAL")));

    // Dry-run replace: nothing changes.
    let mut dry = req.clone();
    dry["replace"] = json!(true);
    dry["dry_run"] = json!(true);
    let (code, out) = call(sqlurl_credential_create, &dry);
    assert_eq!(code, SqlurlResult::SQLURL_OK, "{out}");
    assert_eq!(out["action"], "would_replace");
    assert!(!sim.statements()[before..].iter().any(|s| s.starts_with("DROP") || s.starts_with("CREATE")));

    // Replace: DROP then CREATE.
    let mut rep = req.clone();
    rep["replace"] = json!(true);
    let (code, out) = call(sqlurl_credential_create, &rep);
    assert_eq!(code, SqlurlResult::SQLURL_OK, "{out}");
    assert_eq!(out["action"], "replaced");
    assert_eq!(out["statements"][0], format!("DROP CREDENTIAL [{CONTAINER}]"));
    assert_eq!(out["statements"][1], MI_CREATE);

    // Remove, then remove again.
    let rm = json!({"connection": sim.conn(), "name": CONTAINER});
    let (code, out) = call(sqlurl_credential_remove, &rm);
    assert_eq!(code, SqlurlResult::SQLURL_OK, "{out}");
    assert_eq!(out["action"], "removed");
    let (code, out) = call(sqlurl_credential_remove, &rm);
    assert_eq!(code, SqlurlResult::SQLURL_ERROR_PRECONDITION, "{out}");
    assert_eq!(out["error"]["kind"], "CredentialNotFound");
}

#[test]
fn sas_credential_question_mark_stripped_and_secret_never_shown() {
    let sim = Sim::start(Scenario::default());
    let sas = "?sv=2022-11-02&ss=b&srt=co&sp=rwdlac&se=2030-01-01T00:00:00Z&sig=VerySecretSig%3D";
    let req = json!({"connection": sim.conn(), "url": CONTAINER, "identity": "sas", "secret": sas});
    let (code, out) = call(sqlurl_credential_create, &req);
    assert_eq!(code, SqlurlResult::SQLURL_OK, "{out}");
    assert_eq!(out["credential"]["kind"], "sas");
    assert!(out["warnings"][0].as_str().unwrap().contains("leading '?'"));
    assert!(!out.to_string().contains("VerySecretSig"), "{out}");
    assert!(out["statements"][0].as_str().unwrap().ends_with("SECRET = N'***'"));
    // The server stored the token without '?'; its statement log masks it.
    let stored = sim.handle.state.lock().credential(CONTAINER).map(|c| c.secret.clone());
    assert_eq!(stored, Some(Some(sas[1..].to_string())));
    let sent = sim.statements().into_iter().find(|s| s.starts_with("CREATE CREDENTIAL")).unwrap();
    assert!(sent.ends_with("SECRET = N'***'") && !sent.contains("VerySecretSig"), "{sent}");
    // The Rust API's result type does not carry it either.
    let r: sqlurl::api::CredentialList = serde_json::from_value(json!({"connection": sim.conn()})).unwrap();
    let listed = sqlurl::runtime::block_on(sqlurl::ops::credential::list(r)).unwrap();
    assert!(!format!("{listed:?}").contains("VerySecretSig"));
}

#[test]
fn managed_identity_warning_when_4675_is_off() {
    let sim = Sim::start(Scenario::default());
    let (code, out) = call(sqlurl_credential_create, &json!({"connection": sim.conn(), "url": CONTAINER, "identity": "managed_identity"}));
    assert_eq!(code, SqlurlResult::SQLURL_OK, "{out}");
    assert!(out["warnings"][0].as_str().unwrap().contains("4675"), "{out}");
}

#[test]
fn no_primary_managed_identity_is_37563_with_remedy() {
    let sim = Sim::start(Scenario { trace_flags: vec![4675], primary_managed_identity: false, ..Scenario::default() });
    let (code, out) = call(sqlurl_credential_create, &json!({"connection": sim.conn(), "url": CONTAINER, "identity": "managed_identity"}));
    assert_eq!(code, SqlurlResult::SQLURL_ERROR_SERVER, "{out}");
    let e = &out["error"];
    assert_eq!(e["kind"], "ManagedIdentityNotSelected");
    assert_eq!(e["category"], "ResourceUnavailable");
    assert_eq!(e["sql"][0]["number"], 37563);
    assert_eq!(e["statement"], MI_CREATE);
    assert!(e["recommended_action"].as_str().unwrap().contains("primary managed identity"));
}

#[test]
fn not_sysadmin_is_permission_denied() {
    let sc = Scenario { logins: vec![login("operator", "Op-Passw0rd!", true)], ..Scenario::default() };
    let sim = Sim::start(sc);
    let conn = sim.conn_with(json!({"kind": "sql", "user": "operator", "password": "Op-Passw0rd!"}));
    let (code, out) = call(sqlurl_credential_create, &json!({"connection": conn, "url": CONTAINER, "identity": "managed_identity"}));
    assert_eq!(code, SqlurlResult::SQLURL_ERROR_SERVER, "{out}");
    assert_eq!(out["error"]["kind"], "PermissionDenied", "{out}");
}

#[test]
fn hostile_name_reaches_the_server_as_one_quoted_token() {
    let hostile = "a]b'c;DROP CREDENTIAL [keep];--";
    let sc = Scenario {
        credentials: vec![credential(hostile, "x"), credential("keep", "y"), credential("a", "z")],
        ..Scenario::default()
    };
    let sim = Sim::start(sc);
    let (code, out) = call(sqlurl_credential_remove, &json!({"connection": sim.conn(), "name": hostile}));
    assert_eq!(code, SqlurlResult::SQLURL_OK, "{out}");
    let drop = "DROP CREDENTIAL [a]]b'c;DROP CREDENTIAL [keep]];--]";
    assert_eq!(out["statements"], json!([drop]));
    assert!(sim.statements().contains(&drop.to_string()));
    // Exactly the hostile credential went; the others are intact.
    let (_, out) = call(sqlurl_credential_list, &json!({"connection": sim.conn()}));
    let names: Vec<&str> = out["credentials"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["a", "keep"]);
}

#[test]
fn invalid_urls_never_reach_the_server() {
    let sim = Sim::start(Scenario::default());
    for url in [
        "https://acct.blob.core.windows.net/backups/",
        "https://acct.blob.core.windows.net/Backups",
        "http://acct.blob.core.windows.net/backups",
        "https://acct.blob.core.windows.net/backups/db.bak",
    ] {
        let (code, out) = call(sqlurl_credential_create, &json!({"connection": sim.conn(), "url": url, "identity": "managed_identity"}));
        assert_eq!(code, SqlurlResult::SQLURL_ERROR_INVALID_ARGUMENT, "{url}: {out}");
        assert_eq!(out["error"]["kind"], "InvalidUrl");
    }
    assert!(sim.statements().is_empty(), "{:?}", sim.statements());
}

/// Issue 12: the storage host is case-insensitive and is written in lower case, so the credential
/// is named exactly as the URL BACKUP uses; an upper-case container is refused with Azure's rule.
#[test]
fn upper_case_host_is_normalised_and_backup_uses_the_credential_name() {
    let sim = Sim::start(Scenario { trace_flags: vec![4675], ..Scenario::default() });
    let (code, out) = call(sqlurl_credential_create, &json!({"connection": sim.conn(), "url": "HTTPS://ACCT.Blob.Core.Windows.NET/backups", "identity": "managed_identity"}));
    assert_eq!(code, SqlurlResult::SQLURL_OK, "{out}");
    assert_eq!(out["credential"]["name"], CONTAINER);
    assert_eq!(out["statements"], json!([MI_CREATE]));
    // list by the upper-case form finds it
    let (_, out) = call(sqlurl_credential_list, &json!({"connection": sim.conn(), "url": "https://ACCT.blob.core.windows.net/backups/x/Y.bak"}));
    assert_eq!(out["credentials"][0]["name"], CONTAINER, "{out}");
    // a backup to the upper-case host names blobs under the credential's exact (lower-case) URL
    let req: sqlurl::ops::backup::BackupRequest = serde_json::from_value(json!({
        "connection": sim.conn(), "databases": ["master"], "container_url": "https://ACCT.blob.core.windows.net/backups",
        "file_name_template": "Daily/{database}.bak", "dry_run": true
    }))
    .unwrap();
    let op = sqlurl::ops::backup::start(req).unwrap();
    let (st, done) = op.wait(std::time::Duration::from_secs(60));
    assert!(done);
    let st = serde_json::to_value(&st).unwrap();
    assert_eq!(st["results"][0]["urls"], json!([format!("{CONTAINER}/Daily/master.bak")]), "{st:#}");
    assert!(st["results"][0]["statements"][0].as_str().unwrap().contains(&format!("URL = N'{CONTAINER}/Daily/master.bak'")), "{st:#}");
    // an upper-case container: InvalidUrl naming the rule, nothing sent
    let before = sim.statements().len();
    let (code, out) = call(sqlurl_credential_create, &json!({"connection": sim.conn(), "url": "https://acct.blob.core.windows.net/Backups", "identity": "managed_identity"}));
    assert_eq!(code, SqlurlResult::SQLURL_ERROR_INVALID_ARGUMENT, "{out}");
    let m = out["error"]["message"].as_str().unwrap();
    assert!(m.contains("lower case") && m.contains("3-63") && m.contains("'backups'"), "{m}");
    assert_eq!(sim.statements().len(), before);
}

#[test]
fn rust_api_create_and_remove() {
    let sim = Sim::start(Scenario { trace_flags: vec![4675], ..Scenario::default() });
    let req: sqlurl::api::CredentialCreate =
        serde_json::from_value(json!({"connection": sim.conn(), "url": CONTAINER, "identity": "managed_identity"})).unwrap();
    let created = sqlurl::runtime::block_on(sqlurl::ops::credential::create(req)).unwrap();
    assert_eq!(created.action, "created");
    assert_eq!(created.credential.unwrap().kind, "managed_identity");
    let rm: sqlurl::api::CredentialRemove = serde_json::from_value(json!({"connection": sim.conn(), "name": CONTAINER, "dry_run": true})).unwrap();
    let r = sqlurl::runtime::block_on(sqlurl::ops::credential::remove(rm)).unwrap();
    assert_eq!(r.action, "would_remove");
    assert!(!sim.statements().iter().any(|s| s.starts_with("DROP")));
}
