//! Managed-identity access tokens for `https://database.windows.net/`.
//!
//! Two sources, as Azure documents them:
//! - `IDENTITY_ENDPOINT` + `IDENTITY_HEADER` set (Azure Automation, App Service):
//!   `GET $IDENTITY_ENDPOINT?resource=...&api-version=2019-08-01` with `X-IDENTITY-HEADER`.
//! - Otherwise Azure VM IMDS: `GET http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=...`
//!   with `Metadata: true`. `SQLURL_IMDS_ENDPOINT` replaces that URL (tests use a fake on 127.0.0.1).
//!
//! Selectors: `client_id`, `object_id` (`principal_id` on the App Service endpoint), `resource_id`
//! (`mi_res_id`). Tokens are zeroized on drop and never appear in errors.

use crate::api::Secret;
use crate::errors::{Error, Result};
use serde::Deserialize;
use std::time::Duration;

/// The resource (audience) of Azure SQL / SQL Server Entra tokens.
pub const SQL_RESOURCE: &str = "https://database.windows.net/";
/// The default IMDS token URL.
pub const IMDS_TOKEN_URL: &str = "http://169.254.169.254/metadata/identity/oauth2/token";

/// Which user-assigned identity to use; all `None` = the system-assigned (or only) identity.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdentitySelector {
    pub client_id: Option<String>,
    pub object_id: Option<String>,
    pub resource_id: Option<String>,
}

/// Where a token request goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    /// `IDENTITY_ENDPOINT` / `IDENTITY_HEADER` (the header value is a secret).
    AppService { endpoint: String, header: Secret },
    /// IMDS (or the `SQLURL_IMDS_ENDPOINT` override).
    Imds { url: String },
}

impl TokenSource {
    /// Pick the source from the environment.
    pub fn from_env() -> TokenSource {
        let ep = std::env::var("IDENTITY_ENDPOINT").ok().filter(|s| !s.is_empty());
        let hd = std::env::var("IDENTITY_HEADER").ok().filter(|s| !s.is_empty());
        match (ep, hd) {
            (Some(endpoint), Some(header)) => TokenSource::AppService { endpoint, header: Secret::new(header) },
            _ => TokenSource::Imds {
                url: std::env::var("SQLURL_IMDS_ENDPOINT").ok().filter(|s| !s.is_empty()).unwrap_or_else(|| IMDS_TOKEN_URL.to_string()),
            },
        }
    }

    fn describe(&self) -> String {
        match self {
            TokenSource::AppService { endpoint, .. } => format!("IDENTITY_ENDPOINT {}", endpoint),
            TokenSource::Imds { url } => format!("IMDS {}", url),
        }
    }
}

/// The token endpoint's answer. `expires_on` is a string of epoch seconds (IMDS, App Service),
/// sometimes a number.
#[derive(Deserialize)]
struct TokenResponse {
    access_token: Option<String>,
    #[serde(default)]
    expires_on: Option<serde_json::Value>,
}

/// An access token; the string is zeroized on drop.
#[derive(Debug, Clone)]
pub struct AccessToken {
    pub token: Secret,
    /// Epoch seconds, when the endpoint said.
    pub expires_on: Option<i64>,
}

/// What an error answer may show: the body without control characters, at most 300
/// characters, with anything shaped like a JWT (`eyJ…`, as Entra access tokens are) masked
/// before it is cut, so no token or part of one gets into the error.
fn error_excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut masked = String::with_capacity(text.len());
    let mut rest: &str = &text;
    while let Some(i) = rest.find("eyJ") {
        masked.push_str(&rest[..i]);
        masked.push_str("***");
        let run = &rest[i..];
        let len = run.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '='))).unwrap_or(run.len());
        rest = &run[len..];
    }
    masked.push_str(rest);
    masked.chars().filter(|c| !c.is_control()).take(300).collect()
}

/// Build the request URL for a source (pure; unit-tested).
pub fn token_url(source: &TokenSource, resource: &str, sel: &IdentitySelector) -> Result<reqwest::Url> {
    let (base, api, object_param) = match source {
        TokenSource::AppService { endpoint, .. } => (endpoint.as_str(), "2019-08-01", "principal_id"),
        TokenSource::Imds { url } => (url.as_str(), "2018-02-01", "object_id"),
    };
    let mut url = reqwest::Url::parse(base)
        .map_err(|e| Error::Identity(format!("The managed-identity endpoint '{base}' is not a valid URL: {e}")))?;
    if url.scheme() != "http" {
        // Both Azure endpoints are plain http on a link-local / loopback address; this build has no TLS in its HTTP client.
        return Err(Error::Identity(format!("The managed-identity endpoint '{base}' must be an http:// URL (IMDS and IDENTITY_ENDPOINT are local http endpoints).")));
    }
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("api-version", api);
        q.append_pair("resource", resource);
        if let Some(c) = &sel.client_id {
            q.append_pair("client_id", c);
        }
        if let Some(o) = &sel.object_id {
            q.append_pair(object_param, o);
        }
        if let Some(r) = &sel.resource_id {
            q.append_pair("mi_res_id", r);
        }
    }
    Ok(url)
}

fn check_selector(sel: &IdentitySelector) -> Result<()> {
    let n = [&sel.client_id, &sel.object_id, &sel.resource_id].iter().filter(|s| s.is_some()).count();
    if n > 1 {
        return Err(Error::invalid("Give at most one of client_id, object_id and resource_id to select the managed identity."));
    }
    Ok(())
}

/// Acquire a token for `resource` from the environment's managed-identity endpoint.
pub async fn acquire_token(resource: &str, sel: &IdentitySelector) -> Result<AccessToken> {
    acquire_token_from(&TokenSource::from_env(), resource, sel).await
}

/// Acquire a token from an explicit source.
pub async fn acquire_token_from(source: &TokenSource, resource: &str, sel: &IdentitySelector) -> Result<AccessToken> {
    check_selector(sel)?;
    let url = token_url(source, resource, sel)?;
    let client = reqwest::Client::builder()
        .no_proxy() // IMDS and the identity endpoint are local; a proxy must never see the request.
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(20))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| Error::Internal(format!("cannot build the HTTP client: {e}")))?;
    let req = match source {
        TokenSource::AppService { header, .. } => client.get(url).header("X-IDENTITY-HEADER", header.expose()),
        TokenSource::Imds { .. } => client.get(url).header("Metadata", "true"),
    };
    let where_ = source.describe();
    let resp = req.send().await.map_err(|e| {
        let why = if e.is_timeout() { "timed out".to_string() } else if e.is_connect() { "cannot connect".to_string() } else { "request failed".to_string() };
        Error::Identity(format!("Could not get a managed-identity token from {where_}: {why}. Is this an Azure VM / Automation account / App Service with a managed identity?"))
    })?;
    let status = resp.status();
    // The body holds the token: keep it in a buffer that is zeroized when this function returns.
    let body = zeroize::Zeroizing::new(
        resp.bytes().await.map_err(|_| Error::Identity(format!("The managed-identity endpoint {where_} closed the connection mid-answer.")))?.to_vec(),
    );
    if !status.is_success() {
        // Error bodies carry error/error_description; keep a bounded excerpt, tokens masked.
        let excerpt = error_excerpt(&body);
        return Err(Error::Identity(format!("The managed-identity endpoint {where_} answered HTTP {}: {excerpt}", status.as_u16())));
    }
    let parsed: TokenResponse = serde_json::from_slice(&body)
        .map_err(|_| Error::Identity(format!("The managed-identity endpoint {where_} answered with something that is not a token response.")))?;
    let token = parsed.access_token.filter(|t| !t.is_empty()).ok_or_else(|| Error::Identity(format!("The managed-identity endpoint {where_} answered without an access_token.")))?;
    let expires_on = match parsed.expires_on {
        Some(serde_json::Value::String(s)) => s.parse().ok(),
        Some(serde_json::Value::Number(n)) => n.as_i64(),
        _ => None,
    };
    check_not_expired(expires_on, chrono::Utc::now().timestamp(), &where_)?;
    Ok(AccessToken { token: Secret::new(token), expires_on })
}

/// An endpoint that hands out a token which has already expired (a stale cache, a clock far
/// off) is the endpoint's fault: say so here rather than let the server refuse the login.
fn check_not_expired(expires_on: Option<i64>, now: i64, where_: &str) -> Result<()> {
    match expires_on {
        Some(exp) if exp <= now => Err(Error::Identity(format!(
            "The managed-identity endpoint {where_} answered with a token that expired {} s ago (expires_on {exp}); check this machine's clock and the identity endpoint.",
            now - exp
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imds_url_with_selectors() {
        let src = TokenSource::Imds { url: "http://127.0.0.1:9999/metadata/identity/oauth2/token".into() };
        let u = token_url(&src, SQL_RESOURCE, &IdentitySelector { client_id: Some("cid".into()), ..Default::default() }).unwrap();
        assert_eq!(u.as_str(), "http://127.0.0.1:9999/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fdatabase.windows.net%2F&client_id=cid");
        let u = token_url(&src, SQL_RESOURCE, &IdentitySelector { resource_id: Some("/subscriptions/x/rg".into()), ..Default::default() }).unwrap();
        assert!(u.as_str().ends_with("&mi_res_id=%2Fsubscriptions%2Fx%2Frg"));
    }

    #[test]
    fn app_service_url() {
        let src = TokenSource::AppService { endpoint: "http://127.0.0.1:8081/msi/token".into(), header: Secret::new("h") };
        let u = token_url(&src, SQL_RESOURCE, &IdentitySelector { object_id: Some("oid".into()), ..Default::default() }).unwrap();
        assert!(u.as_str().contains("api-version=2019-08-01"));
        assert!(u.as_str().ends_with("principal_id=oid"));
    }

    #[test]
    fn error_excerpts_mask_tokens_and_stay_bounded() {
        let body = br#"{"error":"invalid_request","error_description":"Identity not found","access_token":"eyJ0eXAiOiJKV1Qi.eyJhdWQi-_x.c2ln=","n":1}"#;
        let e = error_excerpt(body);
        assert_eq!(e, r#"{"error":"invalid_request","error_description":"Identity not found","access_token":"***","n":1}"#);
        let long = format!("{}eyJ{}", "x".repeat(295), "A".repeat(500));
        let e = error_excerpt(long.as_bytes());
        assert!(e.ends_with("xxxxx***") && e.chars().count() == 298, "{e}");
        assert_eq!(error_excerpt(b"line\none\ttab"), "lineonetab");
    }

    #[test]
    fn expired_tokens_are_the_endpoints_fault() {
        assert!(check_not_expired(None, 100, "IMDS x").is_ok());
        assert!(check_not_expired(Some(101), 100, "IMDS x").is_ok());
        let e = check_not_expired(Some(40), 100, "IMDS x").unwrap_err();
        assert!(matches!(e, Error::Identity(_)) && e.to_string().contains("expired 60 s ago"), "{e}");
    }

    #[test]
    fn rejects_https_and_several_selectors() {
        let src = TokenSource::Imds { url: "https://x/".into() };
        assert!(matches!(token_url(&src, SQL_RESOURCE, &IdentitySelector::default()), Err(Error::Identity(_))));
        let sel = IdentitySelector { client_id: Some("a".into()), object_id: Some("b".into()), resource_id: None };
        assert!(matches!(check_selector(&sel), Err(Error::InvalidArgument(_))));
    }
}
