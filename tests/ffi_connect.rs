//! Connection failures through the C ABI, without a server: refused, timeout, SQL Browser
//! unreachable or naming a port, integrated auth on Linux, bad targets. Loopback only.

mod common;

use common::ffi::call;
use serde_json::json;
use sqlurl::ffi::credential::sqlurl_credential_list;
use sqlurl::ffi::SqlurlResult;
use std::net::{TcpListener, UdpSocket};
use std::sync::Mutex;
use std::time::Duration;

static ENV: Mutex<()> = Mutex::new(());

fn closed_tcp_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn list_req(server: &str, extra: serde_json::Value) -> serde_json::Value {
    let mut conn = json!({"server": server, "auth": {"kind": "sql", "user": "sa", "password": "Secret-Pw-9"}, "connect_timeout_s": 3});
    if let serde_json::Value::Object(m) = extra {
        for (k, v) in m {
            conn[k] = v;
        }
    }
    json!({"connection": conn})
}

#[test]
fn refused_port_is_connection_refused() {
    let port = closed_tcp_port();
    let (code, out) = call(sqlurl_credential_list, &list_req(&format!("127.0.0.1,{port}"), json!({})));
    assert_eq!(code, SqlurlResult::SQLURL_ERROR_CONNECTION);
    assert_eq!(out["error"]["kind"], "ConnectionRefused", "{out}");
    assert_eq!(out["error"]["category"], "ConnectionError");
    assert!(!out.to_string().contains("Secret-Pw-9"));
}

#[test]
fn silent_server_is_connection_timeout() {
    // Accepts TCP and never answers: the prelogin waits until connect_timeout_s.
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let keep = std::thread::spawn(move || {
        let s = l.accept().ok();
        std::thread::sleep(Duration::from_secs(3));
        drop(s);
    });
    let (code, out) = call(sqlurl_credential_list, &list_req(&format!("127.0.0.1,{port}"), json!({"connect_timeout_s": 1})));
    assert_eq!(code, SqlurlResult::SQLURL_ERROR_TIMEOUT, "{out}");
    assert_eq!(out["error"]["kind"], "ConnectionTimeout");
    keep.join().unwrap();
}

#[test]
fn named_instance_through_sql_browser() {
    let _g = ENV.lock().unwrap();
    // 1. No Browser: a UDP port nobody listens on.
    let dead = UdpSocket::bind("127.0.0.1:0").unwrap();
    let dead_port = dead.local_addr().unwrap().port();
    drop(dead);
    std::env::set_var("SQLURL_SQL_BROWSER_PORT", dead_port.to_string());
    let (code, out) = call(sqlurl_credential_list, &list_req("127.0.0.1\\PROD", json!({})));
    assert_eq!(code, SqlurlResult::SQLURL_ERROR_CONNECTION, "{out}");
    assert_eq!(out["error"]["kind"], "InstanceNotFound");
    let msg = out["error"]["message"].as_str().unwrap();
    assert!(msg.contains("SQL Server Browser") && msg.contains("PROD"), "{msg}");

    // 2. A fake Browser that names a TCP port (closed): resolution works, then the connect is refused
    //    on the resolved port.
    let tcp_port = closed_tcp_port();
    let browser = UdpSocket::bind("127.0.0.1:0").unwrap();
    browser.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    std::env::set_var("SQLURL_SQL_BROWSER_PORT", browser.local_addr().unwrap().port().to_string());
    let t = std::thread::spawn(move || {
        let mut buf = [0u8; 512];
        let (n, from) = browser.recv_from(&mut buf).expect("no Browser request within 10 s");
        assert_eq!(&buf[..n], b"\x04PROD");
        let body = format!("ServerName;SQLVM01;InstanceName;PROD;IsClustered;No;Version;16.0.4175.1;tcp;{tcp_port};;");
        let mut reply = vec![0x05u8];
        reply.extend_from_slice(&(body.len() as u16).to_le_bytes());
        reply.extend_from_slice(body.as_bytes());
        browser.send_to(&reply, from).unwrap();
    });
    let (code, out) = call(sqlurl_credential_list, &list_req("127.0.0.1\\PROD", json!({})));
    t.join().unwrap();
    std::env::remove_var("SQLURL_SQL_BROWSER_PORT");
    assert_eq!(code, SqlurlResult::SQLURL_ERROR_CONNECTION, "{out}");
    assert_eq!(out["error"]["kind"], "ConnectionRefused");
    assert!(out["error"]["message"].as_str().unwrap().contains(&format!("port {tcp_port}")), "{out}");
}

#[cfg(not(windows))]
#[test]
fn integrated_auth_is_not_supported_on_linux() {
    let req = json!({"connection": {"server": "127.0.0.1,1", "auth": {"kind": "integrated"}}});
    let (code, out) = call(sqlurl_credential_list, &req);
    assert_eq!(code, SqlurlResult::SQLURL_ERROR_NOT_SUPPORTED, "{out}");
    assert_eq!(out["error"]["kind"], "NotSupported");
}

#[test]
fn bad_targets_and_options_are_invalid_arguments() {
    for (server, extra, needle) in [
        ("", json!({}), "empty"),
        ("h,99999", json!({}), "port"),
        ("127.0.0.1,1", json!({"ca_file": "/nonexistent/ca.pem"}), "ca_file"),
        ("127.0.0.1,1", json!({"trust_server_certificate": true, "ca_file": "/etc/hostname"}), "exclude"),
        ("127.0.0.1,1", json!({"encrypt": "sometimes"}), "sometimes"),
    ] {
        let (code, out) = call(sqlurl_credential_list, &list_req(server, extra));
        assert_eq!(code, SqlurlResult::SQLURL_ERROR_INVALID_ARGUMENT, "{server}: {out}");
        assert!(out["error"]["message"].as_str().unwrap().contains(needle), "{needle}: {out}");
    }
}

#[test]
fn managed_identity_endpoint_failure_is_a_connection_error() {
    let _g = ENV.lock().unwrap();
    let fake = common::identity::FakeIdentity::start(common::identity::Answer::Error {
        status: 400,
        body: r#"{"error":"invalid_request","error_description":"Identity not found"}"#.into(),
    });
    std::env::remove_var("IDENTITY_ENDPOINT");
    std::env::set_var("SQLURL_IMDS_ENDPOINT", fake.imds_url());
    let req = json!({"connection": {"server": format!("127.0.0.1,{}", closed_tcp_port()), "auth": {"kind": "managed_identity", "client_id": "c1"}}});
    let (code, out) = call(sqlurl_credential_list, &req);
    std::env::remove_var("SQLURL_IMDS_ENDPOINT");
    assert_eq!(code, SqlurlResult::SQLURL_ERROR_CONNECTION, "{out}");
    assert_eq!(out["error"]["kind"], "IdentityEndpointFailed");
    assert!(fake.seen()[0].target.contains("client_id=c1"));
}
