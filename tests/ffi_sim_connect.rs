//! Logins and TLS against the simulator, through the C ABI: SQL password, access token, managed
//! identity (fake IMDS), TLS validated with the simulator's CA, refused with a wrong CA / name,
//! trust_server_certificate opt-in, login failure.
#![cfg(not(windows))]

mod common;

use common::ffi::call;
use common::identity::{mint_jwt, Answer, FakeIdentity};
use common::sim::{principal, Sim};
use serde_json::json;
use sqlsim::scenario::Scenario;
use sqlurl::ffi::credential::sqlurl_credential_list;
use sqlurl::ffi::SqlurlResult;
use std::sync::Mutex;

static ENV: Mutex<()> = Mutex::new(());

fn list(conn: serde_json::Value) -> (SqlurlResult, serde_json::Value) {
    call(sqlurl_credential_list, &json!({"connection": conn}))
}

#[test]
fn sql_login_over_tls_validated_with_the_simulator_ca() {
    let sim = Sim::start(Scenario::default());
    let (code, out) = list(sim.conn());
    assert_eq!(code, SqlurlResult::SQLURL_OK, "{out}");
    assert_eq!(out["contract_version"], 1);
    assert_eq!(out["credentials"], json!([]));
    assert!(sim.statements().iter().any(|s| s.contains("FROM sys.credentials")));
}

#[test]
fn wrong_ca_is_certificate_not_trusted() {
    let sim = Sim::start(Scenario::default());
    let other = Sim::start(Scenario::default()); // another CA
    let mut conn = sim.conn();
    conn["ca_file"] = json!(other.ca());
    let (code, out) = list(conn);
    assert_eq!(code, SqlurlResult::SQLURL_ERROR_CONNECTION, "{out}");
    assert_eq!(out["error"]["kind"], "CertificateNotTrusted", "{out}");
    // No CA at all: the system roots do not know the simulator's CA either.
    let mut conn = sim.conn();
    conn.as_object_mut().unwrap().remove("ca_file");
    let (_, out) = list(conn);
    assert_eq!(out["error"]["kind"], "CertificateNotTrusted", "{out}");
}

#[test]
fn host_name_override_is_validated() {
    let sim = Sim::start(Scenario::default());
    let mut conn = sim.conn();
    conn["host_name_in_certificate"] = json!("not-the-server.example");
    let (code, out) = list(conn);
    assert_eq!(code, SqlurlResult::SQLURL_ERROR_CONNECTION, "{out}");
    assert_eq!(out["error"]["kind"], "CertificateNameMismatch", "{out}");
    let mut conn = sim.conn();
    conn["host_name_in_certificate"] = json!("localhost");
    let (code, out) = list(conn);
    assert_eq!(code, SqlurlResult::SQLURL_OK, "{out}");
}

#[test]
fn trust_server_certificate_is_an_explicit_opt_in() {
    let sim = Sim::start(Scenario::default());
    let mut conn = sim.conn();
    conn.as_object_mut().unwrap().remove("ca_file");
    conn["trust_server_certificate"] = json!(true);
    let (code, out) = list(conn);
    assert_eq!(code, SqlurlResult::SQLURL_OK, "{out}");
}

#[test]
fn wrong_password_is_login_failed_without_the_password() {
    let sim = Sim::start(Scenario::default());
    let conn = sim.conn_with(json!({"kind": "sql", "user": "sa", "password": "Wrong-Pw-77"}));
    let (code, out) = list(conn);
    assert_eq!(code, SqlurlResult::SQLURL_ERROR_CONNECTION, "{out}");
    assert_eq!(out["error"]["kind"], "LoginFailed");
    assert!(out["error"]["message"].as_str().unwrap().contains("18456"));
    assert_eq!(out["error"]["sql"][0]["number"], 18456);
    assert_eq!(out["error"]["category"], "AuthenticationError");
    assert!(!out.to_string().contains("Wrong-Pw-77"));
}

#[test]
fn access_token_login() {
    let sc = Scenario { logins: vec![principal("backup-app@contoso.com", true)], ..Scenario::default() };
    let sim = Sim::start(sc);
    let token = mint_jwt("backup-app@contoso.com", "https://database.windows.net/");
    let (code, out) = list(sim.conn_with(json!({"kind": "access_token", "token": token})));
    assert_eq!(code, SqlurlResult::SQLURL_OK, "{out}");
    assert_eq!(sim.handle.statement_log()[0].login, "backup-app@contoso.com");
    // A token for another principal is refused.
    let token = mint_jwt("someone-else@contoso.com", "https://database.windows.net/");
    let (code, out) = list(sim.conn_with(json!({"kind": "access_token", "token": token.clone()})));
    assert_eq!(code, SqlurlResult::SQLURL_ERROR_CONNECTION, "{out}");
    assert_eq!(out["error"]["kind"], "LoginFailed");
    assert!(!out.to_string().contains(&token));
}

#[test]
fn managed_identity_login_through_fake_imds() {
    let _g = ENV.lock().unwrap();
    let sc = Scenario { logins: vec![principal("sqlvm01-mi", true)], ..Scenario::default() };
    let sim = Sim::start(sc);
    let fake = FakeIdentity::start(Answer::Token { principal: "sqlvm01-mi".into() });
    std::env::remove_var("IDENTITY_ENDPOINT");
    std::env::remove_var("IDENTITY_HEADER");
    std::env::set_var("SQLURL_IMDS_ENDPOINT", fake.imds_url());
    let (code, out) = list(sim.conn_with(json!({"kind": "managed_identity", "object_id": "0000-oid"})));
    std::env::remove_var("SQLURL_IMDS_ENDPOINT");
    assert_eq!(code, SqlurlResult::SQLURL_OK, "{out}");
    assert!(fake.seen()[0].target.contains("object_id=0000-oid"));
    assert_eq!(sim.handle.statement_log()[0].login, "sqlvm01-mi");
}

#[test]
fn encrypt_levels_optional_off_and_tds8_strict() {
    let sim = Sim::start(Scenario::default());
    for level in ["optional", "off", "strict"] {
        let mut conn = sim.conn();
        conn["encrypt"] = json!(level);
        let (code, out) = list(conn);
        assert_eq!(code, SqlurlResult::SQLURL_OK, "{level}: {out}");
    }
}

/// TDS 8.0 strict validates the certificate like mandatory does: a wrong CA and a wrong host name
/// are refused with their own kinds, the right CA and name connect.
#[test]
fn strict_validates_the_certificate() {
    let sim = Sim::start(Scenario::default());
    let other = Sim::start(Scenario::default()); // another CA
    let mut conn = sim.conn();
    conn["encrypt"] = json!("strict");
    conn["ca_file"] = json!(other.ca());
    let (code, out) = list(conn);
    assert_eq!(code, SqlurlResult::SQLURL_ERROR_CONNECTION, "{out}");
    assert_eq!(out["error"]["kind"], "CertificateNotTrusted", "{out}");
    let mut conn = sim.conn();
    conn["encrypt"] = json!("strict");
    conn["host_name_in_certificate"] = json!("not-the-server.example");
    let (code, out) = list(conn);
    assert_eq!(code, SqlurlResult::SQLURL_ERROR_CONNECTION, "{out}");
    assert_eq!(out["error"]["kind"], "CertificateNameMismatch", "{out}");
    let mut conn = sim.conn();
    conn["encrypt"] = json!("strict");
    let (code, out) = list(conn);
    assert_eq!(code, SqlurlResult::SQLURL_OK, "{out}");
}

/// What the client sends first on a fresh socket with the given encrypt level (a bounded one-shot
/// listener on 127.0.0.1 that reads one byte and hangs up).
fn first_byte_sent(level: &str) -> u8 {
    use std::io::Read;
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let t = std::thread::spawn(move || {
        // bounded accept: give up after 10 s instead of waiting for a client that never came
        l.set_nonblocking(true).unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let mut s = loop {
            match l.accept() {
                Ok((s, _)) => break s,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock && std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(20))
                }
                Err(e) => panic!("no connection within 10 s: {e}"),
            }
        };
        s.set_nonblocking(false).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
        let mut b = [0u8; 1];
        s.read_exact(&mut b).expect("nothing sent within 10 s");
        b[0]
    });
    let conn = json!({"server": format!("127.0.0.1,{port}"), "auth": {"kind": "sql", "user": "sa", "password": "x"},
        "encrypt": level, "connect_timeout_s": 10});
    let (code, out) = list(conn);
    assert_ne!(code, SqlurlResult::SQLURL_OK, "{out}");
    t.join().unwrap()
}

/// strict really is TDS 8.0: TLS (a handshake record, 0x16) before any TDS packet; mandatory
/// starts with a TDS PRELOGIN packet (0x12).
#[test]
fn strict_starts_with_tls_and_mandatory_with_prelogin() {
    assert_eq!(first_byte_sent("strict"), 0x16);
    assert_eq!(first_byte_sent("mandatory"), 0x12);
}
