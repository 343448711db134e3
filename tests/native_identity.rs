//! Managed-identity tokens from a fake endpoint on 127.0.0.1 (IMDS and IDENTITY_ENDPOINT).
//! Never contacts 169.254.169.254.

mod common;

use common::identity::{Answer, FakeIdentity};
use sqlurl::identity::{acquire_token, acquire_token_from, IdentitySelector, TokenSource, SQL_RESOURCE};
use sqlurl::{Error, ErrorKind};
use std::sync::Mutex;

/// Tests that change the process environment take this lock.
static ENV: Mutex<()> = Mutex::new(());

fn claims(token: &str) -> serde_json::Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

#[test]
fn imds_token_with_client_id() {
    let fake = FakeIdentity::start(Answer::Token { principal: "mi-sqlvm01".into() });
    let src = TokenSource::Imds { url: fake.imds_url() };
    let sel = IdentitySelector { client_id: Some("11111111-2222-3333-4444-555555555555".into()), ..Default::default() };
    let tok = sqlurl::runtime::block_on(acquire_token_from(&src, SQL_RESOURCE, &sel)).unwrap();
    let c = claims(tok.token.expose());
    assert_eq!(c["upn"], "mi-sqlvm01");
    assert_eq!(c["aud"], SQL_RESOURCE);
    assert!(tok.expires_on.unwrap() > 0);
    let seen = fake.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].header("metadata"), Some("true"));
    assert!(seen[0].target.starts_with("/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fdatabase.windows.net%2F"));
    assert!(seen[0].target.ends_with("&client_id=11111111-2222-3333-4444-555555555555"));
}

#[test]
fn app_service_endpoint_sends_the_identity_header() {
    let fake = FakeIdentity::start(Answer::Token { principal: "automation-mi".into() });
    let src = TokenSource::AppService { endpoint: fake.app_service_url(), header: sqlurl::api::Secret::new("hdr-secret") };
    let sel = IdentitySelector { resource_id: Some("/subscriptions/s/resourceGroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/u".into()), ..Default::default() };
    let tok = sqlurl::runtime::block_on(acquire_token_from(&src, SQL_RESOURCE, &sel)).unwrap();
    assert_eq!(claims(tok.token.expose())["oid"], "automation-mi");
    let seen = fake.seen();
    assert_eq!(seen[0].header("x-identity-header"), Some("hdr-secret"));
    assert!(seen[0].target.contains("api-version=2019-08-01"));
    assert!(seen[0].target.contains("mi_res_id=%2Fsubscriptions%2Fs%2F"));
}

#[test]
fn endpoint_error_is_identity_endpoint_failed_with_the_reason() {
    let fake = FakeIdentity::start(Answer::Error {
        status: 400,
        body: r#"{"error":"invalid_request","error_description":"Identity not found"}"#.into(),
    });
    let src = TokenSource::Imds { url: fake.imds_url() };
    let e = sqlurl::runtime::block_on(acquire_token_from(&src, SQL_RESOURCE, &IdentitySelector::default())).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::IdentityEndpointFailed);
    let m = e.to_string();
    assert!(m.contains("HTTP 400") && m.contains("Identity not found"), "{m}");
}

#[test]
fn unreachable_endpoint_is_identity_endpoint_failed() {
    // Bind and drop a listener to get a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let src = TokenSource::Imds { url: format!("http://127.0.0.1:{port}/metadata/identity/oauth2/token") };
    let e = sqlurl::runtime::block_on(acquire_token_from(&src, SQL_RESOURCE, &IdentitySelector::default())).unwrap_err();
    assert!(matches!(e, Error::Identity(_)), "{e:?}");
    assert!(e.to_string().contains("cannot connect"), "{e}");
}

#[test]
fn environment_picks_identity_endpoint_then_imds_override() {
    let _g = ENV.lock().unwrap();
    let fake = FakeIdentity::start(Answer::Token { principal: "from-env".into() });
    // IDENTITY_ENDPOINT + IDENTITY_HEADER win.
    std::env::set_var("IDENTITY_ENDPOINT", fake.app_service_url());
    std::env::set_var("IDENTITY_HEADER", "h1");
    std::env::set_var("SQLURL_IMDS_ENDPOINT", "http://127.0.0.1:9/never-used");
    let tok = sqlurl::runtime::block_on(acquire_token(SQL_RESOURCE, &IdentitySelector::default())).unwrap();
    assert_eq!(claims(tok.token.expose())["upn"], "from-env");
    assert_eq!(fake.seen()[0].header("x-identity-header"), Some("h1"));
    // Without them, SQLURL_IMDS_ENDPOINT.
    std::env::remove_var("IDENTITY_ENDPOINT");
    std::env::remove_var("IDENTITY_HEADER");
    std::env::set_var("SQLURL_IMDS_ENDPOINT", fake.imds_url());
    sqlurl::runtime::block_on(acquire_token(SQL_RESOURCE, &IdentitySelector::default())).unwrap();
    assert_eq!(fake.seen()[1].header("metadata"), Some("true"));
    std::env::remove_var("SQLURL_IMDS_ENDPOINT");
}
