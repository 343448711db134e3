//! tiberius against the simulator: encryption levels, certificate validation, password and
//! token logins.

mod common;

use common::*;
use tiberius::{AuthMethod, EncryptionLevel};

#[tokio::test]
async fn every_encryption_level_logs_in_and_queries() {
    let sim = sqlsim::start(scenario()).await.unwrap();
    for enc in [EncryptionLevel::NotSupported, EncryptionLevel::Off, EncryptionLevel::On, EncryptionLevel::Required] {
        let mut c = connect(&sim, enc).await;
        let rows = batch(&mut c, "SELECT @@VERSION").await.unwrap();
        let v = str_col(&rows[0][0], 0);
        assert!(v.starts_with("Microsoft SQL Server 2022 (RTM-CU17) (KB5048038) - 16.0.4175.1"), "{enc:?}: {v}");
        // After login-only encryption (Off) the session continues in clear text and still works.
        let rows = batch(&mut c, "SELECT @@SPID AS spid").await.unwrap();
        assert!(rows[0][0].get::<i16, _>("spid").unwrap() >= 51);
    }
    assert!(sim.disconnects().is_empty(), "{:?}", sim.disconnects());
}

#[tokio::test]
async fn strict_tds8_logs_in() {
    let sim = sqlsim::start(scenario()).await.unwrap();
    let mut c = connect(&sim, EncryptionLevel::Strict).await;
    let rows = batch(&mut c, "SELECT @@SERVERNAME").await.unwrap();
    assert_eq!(str_col(&rows[0][0], 0), "SQLVM01");
}

#[tokio::test]
async fn a_wrong_ca_is_refused() {
    let sim = sqlsim::start(scenario()).await.unwrap();
    let other = sqlsim::tds::tls::generate("other").unwrap();
    let dir = std::env::temp_dir().join(format!("sqlsim-wrong-ca-{}.pem", std::process::id()));
    std::fs::write(&dir, &other.ca_pem).unwrap();
    // trust_cert_ca accumulates, so build the config from scratch with only the wrong CA.
    let mut cfg = tiberius::Config::new();
    cfg.host("localhost");
    cfg.port(sim.port());
    cfg.encryption(EncryptionLevel::Required);
    cfg.authentication(AuthMethod::sql_server("sa", SA_PASSWORD));
    cfg.trust_cert_ca(dir.display().to_string());
    let r = connect_with(&sim, cfg).await;
    let _ = std::fs::remove_file(&dir);
    let e = r.expect_err("a certificate from another CA must be refused");
    let text = e.to_string().to_lowercase();
    assert!(text.contains("certificate") || text.contains("tls") || text.contains("unknownissuer"), "{e}");
    // The right CA works (so the failure above is about the CA, not the setup).
    let mut c = connect(&sim, EncryptionLevel::Required).await;
    batch(&mut c, "SELECT 1").await.unwrap();
}

#[tokio::test]
async fn the_certificate_is_valid_for_127_0_0_1_too() {
    let sim = sqlsim::start(scenario()).await.unwrap();
    let mut cfg = config(&sim, EncryptionLevel::Required, AuthMethod::sql_server("sa", SA_PASSWORD));
    cfg.host("127.0.0.1");
    let mut c = connect_with(&sim, cfg).await.unwrap();
    batch(&mut c, "SELECT 1").await.unwrap();
}

#[tokio::test]
async fn wrong_password_is_18456() {
    let sim = sqlsim::start(scenario()).await.unwrap();
    for (user, pw) in [("sa", "Bad-Pa55"), ("nobody", "x"), ("app@contoso.com", "")] {
        let cfg = config(&sim, EncryptionLevel::Required, AuthMethod::sql_server(user, pw));
        match connect_with(&sim, cfg).await {
            Err(tiberius::error::Error::Server(e)) => {
                assert_eq!((e.code(), e.class(), e.state()), (18456, 14, 1));
                assert_eq!(e.message(), format!("Login failed for user '{user}'."));
            }
            Err(e) => panic!("expected 18456, got {e}"),
            Ok(_) => panic!("login with a wrong password succeeded"),
        }
    }
    // The log says why, without the password.
    let d = sim.disconnects().join("\n");
    assert!(d.contains("login failed"), "{d}");
    assert!(!d.contains("Bad-Pa55"), "{d}");
}

#[tokio::test]
async fn token_login_accepts_a_configured_principal_and_refuses_others() {
    let sim = sqlsim::start(scenario()).await.unwrap();
    let now = chrono::Utc::now().timestamp();
    let good = token(serde_json::json!({"upn": "app@contoso.com", "aud": "https://database.windows.net/", "exp": now + 600, "nbf": now - 10}));
    let mut c = connect_with(&sim, config(&sim, EncryptionLevel::Required, AuthMethod::aad_token(&good))).await.unwrap();
    let rows = batch(&mut c, "SELECT SUSER_SNAME(), IS_SRVROLEMEMBER('sysadmin')").await.unwrap();
    assert_eq!(str_col(&rows[0][0], 0), "app@contoso.com");
    assert_eq!(rows[0][0].get::<i32, _>(1), Some(1));

    // A long token with login-only encryption: tiberius keeps TLS for the whole multi-packet LOGIN7.
    let long = token(serde_json::json!({"upn": "app@contoso.com", "exp": now + 600, "pad": "y".repeat(6000)}));
    let mut c = connect_with(&sim, config(&sim, EncryptionLevel::Off, AuthMethod::aad_token(&long))).await.unwrap();
    assert_eq!(str_col(&batch(&mut c, "SELECT SUSER_SNAME()").await.unwrap()[0][0], 0), "app@contoso.com");

    for (why, tok) in [
        ("expired", token(serde_json::json!({"upn": "app@contoso.com", "exp": now - 5}))),
        ("unknown principal", token(serde_json::json!({"upn": "eve@contoso.com", "exp": now + 600}))),
        ("wrong audience", token(serde_json::json!({"upn": "app@contoso.com", "aud": "https://storage.azure.com/", "exp": now + 600}))),
        ("not a JWT", "not-a-token".to_string()),
    ] {
        match connect_with(&sim, config(&sim, EncryptionLevel::Required, AuthMethod::aad_token(&tok))).await {
            Err(tiberius::error::Error::Server(e)) => {
                assert_eq!(e.code(), 18456, "{why}");
                assert_eq!(e.message(), "Login failed for user '<token-identified principal>'.", "{why}");
            }
            Err(e) => panic!("{why}: expected 18456, got {e}"),
            Ok(_) => panic!("{why}: token login succeeded"),
        }
    }
    // Tokens never reach the log.
    assert!(!sim.disconnects().join("\n").contains(&good[..20]));
}

#[tokio::test]
async fn login_to_a_missing_database_fails_with_4060() {
    let sim = sqlsim::start(scenario()).await.unwrap();
    let mut cfg = config(&sim, EncryptionLevel::Required, AuthMethod::sql_server("sa", SA_PASSWORD));
    cfg.database("NoSuchDb");
    match connect_with(&sim, cfg).await {
        Err(tiberius::error::Error::Server(e)) => {
            assert_eq!(e.code(), 4060);
            assert_eq!(e.message(), "Cannot open database \"NoSuchDb\" requested by the login. The login failed.");
        }
        other => panic!("expected 4060, got {:?}", other.err()),
    }
    let mut cfg = config(&sim, EncryptionLevel::Required, AuthMethod::sql_server("sa", SA_PASSWORD));
    cfg.database("sales");
    let mut c = connect_with(&sim, cfg).await.unwrap();
    let rows = batch(&mut c, "SELECT DB_NAME()").await.unwrap();
    assert_eq!(str_col(&rows[0][0], 0), "Sales");
}

/// SqlClient's login-only encryption: TLS for the *first* LOGIN7 packet only, the rest of a
/// long (token) LOGIN7 in clear text. tiberius keeps TLS for the whole LOGIN7 (tested above).
#[tokio::test]
async fn login_only_encryption_with_a_multi_packet_login7_switching_to_clear_text() {
    use sqlsim::tds::login7::{self, feature, FEDAUTH_LIB_SECURITYTOKEN};
    use sqlsim::tds::packet::{ptype, read_message, Header, HEADER_LEN, STATUS_EOM};
    use sqlsim::tds::tls::PreloginTls;
    use std::sync::Arc;
    use tokio::io::AsyncWriteExt;

    let sim = sqlsim::start(scenario()).await.unwrap();
    let now = chrono::Utc::now().timestamp();
    // A long token (padding claim) so LOGIN7 needs several 4096-byte packets.
    let tok = token(serde_json::json!({"upn": "app@contoso.com", "exp": now + 600, "pad": "x".repeat(6000)}));
    let mut fd = vec![(FEDAUTH_LIB_SECURITYTOKEN << 1) | 1];
    let t: Vec<u8> = tok.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    fd.extend_from_slice(&(t.len() as u32).to_le_bytes());
    fd.extend_from_slice(&t);
    let login = login7::build("", "", "", &[(feature::FEDAUTH, fd)]);
    assert!(login.len() > 3 * 4088);

    let mut tcp = tokio::net::TcpStream::connect(sim.addr).await.unwrap();
    // PRELOGIN: ENCRYPTION = OFF (0x00), FEDAUTHREQUIRED = 1
    let pl = [0x01, 0x00, 0x0B, 0x00, 0x01, 0x06, 0x00, 0x0C, 0x00, 0x01, 0xFF, 0x00, 0x01];
    let h = Header { ty: ptype::PRELOGIN, status: STATUS_EOM, length: (pl.len() + HEADER_LEN) as u16, spid: 0, packet_id: 1, window: 0 };
    tcp.write_all(&[&h.to_bytes()[..], &pl[..]].concat()).await.unwrap();
    let reply = read_message(&mut tcp).await.unwrap();
    let parsed = sqlsim::tds::prelogin::parse(&reply.payload).unwrap();
    assert_eq!(parsed.encryption, 0x00, "login-only encryption");

    let mut roots = rustls::RootCertStore::empty();
    roots.add(sim.tls.ca_der.clone()).unwrap();
    let cfg = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(cfg));
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let mut tls = connector.connect(name, PreloginTls::new(tcp)).await.unwrap();
    tls.get_mut().0.handshake_done();

    let chunks: Vec<&[u8]> = login.chunks(4096 - HEADER_LEN).collect();
    let packet = |i: usize, c: &[u8]| {
        let status = if i == chunks.len() - 1 { STATUS_EOM } else { 0x04 };
        let h = Header { ty: ptype::LOGIN7, status, length: (c.len() + HEADER_LEN) as u16, spid: 0, packet_id: (i + 1) as u8, window: 0 };
        [&h.to_bytes()[..], c].concat()
    };
    tls.write_all(&packet(0, chunks[0])).await.unwrap();
    tls.flush().await.unwrap();
    let mut raw = tls.into_inner().0.inner;
    for (i, c) in chunks.iter().enumerate().skip(1) {
        raw.write_all(&packet(i, c)).await.unwrap();
    }
    let ack = read_message(&mut raw).await.unwrap();
    assert!(ack.payload.contains(&0xAD), "LOGINACK in clear text: {:?}", sim.disconnects());
    assert!(!ack.payload.contains(&0xAA), "no ERROR token");
    assert_eq!(sim.state.lock().sessions.values().next().map(|s| s.login.clone()), Some("app@contoso.com".to_string()));
}

#[tokio::test]
async fn listens_on_ipv6_loopback_with_a_valid_certificate() {
    // Skip only when the host has no IPv6 loopback at all (then nothing can listen on ::1).
    if std::net::TcpListener::bind("[::1]:0").is_err() {
        eprintln!("no IPv6 loopback on this host; ::1 not tested");
        return;
    }
    let opts = sqlsim::StartOptions { listen: Some("[::1]:0".parse().unwrap()), ..Default::default() };
    let sim = sqlsim::start_with(scenario(), opts).await.unwrap();
    assert!(sim.addr.is_ipv6());
    let mut cfg = config(&sim, EncryptionLevel::Required, AuthMethod::sql_server("sa", SA_PASSWORD));
    cfg.host("::1");
    let mut c = connect_with(&sim, cfg).await.unwrap();
    assert_eq!(str_col(&batch(&mut c, "SELECT @@SERVERNAME").await.unwrap()[0][0], 0), "SQLVM01");
}
