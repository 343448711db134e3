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
