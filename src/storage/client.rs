//! The blob client.
//!
//! Why `azure_storage_blob` / `azure_core` 1.x: they are Microsoft's supported Rust crates for
//! Blob Storage and cover every call the catalog needs (list with metadata and paging, get/set
//! metadata, delete with lease checks); their only credential type is an Entra `TokenCredential`,
//! which is exactly the library's model (managed identity or a token passed in; a SAS is the URL's
//! query string). The library's own identity code is plugged in as the credential
//! ([`IdentityCredential`]), so there is one managed-identity implementation. The transport is a
//! reqwest 0.13 client (the version azure_core implements `HttpClient` for) on rustls with the
//! `ring` provider the rest of the library installs, plus an optional extra CA (Azurite, private
//! PKI). Azure Storage's default API version is kept; the project's Azurite runs with
//! `--skipApiVersionCheck` (see docs/json-contract.md).

use std::sync::Arc;
use std::time::Duration;

use azure_core::credentials::{AccessToken, TokenCredential, TokenRequestOptions};
use azure_core::http::{ClientOptions, ExponentialRetryOptions, RetryOptions, Transport, Url};
use azure_core::time::OffsetDateTime;
use azure_storage_blob::{BlobContainerClient, BlobContainerClientOptions};

use super::{StorageAuth, StorageTarget, STORAGE_RESOURCE};
use crate::errors::{Error, Result};
use crate::identity::IdentitySelector;

/// The library's managed-identity code as an azure_core credential.
#[derive(Debug)]
pub struct IdentityCredential {
    selector: IdentitySelector,
}

impl IdentityCredential {
    pub fn new(selector: IdentitySelector) -> Self {
        IdentityCredential { selector }
    }
}

fn core_error(message: String) -> azure_core::Error {
    azure_core::Error::with_message(azure_core::error::ErrorKind::Credential, message)
}

fn offset_time(epoch: i64) -> azure_core::Result<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(epoch).map_err(|e| core_error(format!("token expiry {epoch}: {e}")))
}

#[async_trait::async_trait]
impl TokenCredential for IdentityCredential {
    async fn get_token(&self, _scopes: &[&str], _options: Option<TokenRequestOptions<'_>>) -> azure_core::Result<AccessToken> {
        let t = crate::identity::acquire_token(STORAGE_RESOURCE, &self.selector).await.map_err(|e| core_error(e.to_string()))?;
        // an endpoint that does not say when the token expires: assume the usual hour minus a margin
        let exp = t.expires_on.unwrap_or_else(|| chrono::Utc::now().timestamp() + 3000);
        Ok(AccessToken::new(t.token.expose().to_string(), offset_time(exp)?))
    }
}

/// An access token passed in by the caller (it cannot be renewed: when it expires, requests fail
/// with 403 and the caller passes a new one).
#[derive(Debug)]
pub struct StaticTokenCredential {
    token: crate::api::Secret,
    expires_on: i64,
}

impl StaticTokenCredential {
    pub fn new(token: crate::api::Secret) -> Self {
        let expires_on = jwt_exp(token.expose()).unwrap_or_else(|| chrono::Utc::now().timestamp() + 3000);
        StaticTokenCredential { token, expires_on }
    }
}

#[async_trait::async_trait]
impl TokenCredential for StaticTokenCredential {
    async fn get_token(&self, _scopes: &[&str], _options: Option<TokenRequestOptions<'_>>) -> azure_core::Result<AccessToken> {
        Ok(AccessToken::new(self.token.expose().to_string(), offset_time(self.expires_on)?))
    }
}

/// The `exp` claim of a JWT (no signature check: only to know when it runs out).
pub fn jwt_exp(token: &str) -> Option<i64> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64_url_decode(payload)?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    v.get("exp")?.as_i64()
}

fn base64_url_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in s.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        } as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// The HTTP client: rustls (ring), the platform's roots plus an optional extra CA, no redirects,
/// bounded timeouts, no decompression (the blob client's own rule).
fn http_client(ca_file: Option<&str>) -> Result<reqwest::Client> {
    crate::runtime::install_crypto_provider();
    let mut b = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(20))
        .read_timeout(Duration::from_secs(60))
        .redirect(reqwest::redirect::Policy::none());
    if let Some(p) = ca_file.filter(|p| !p.is_empty()) {
        let pem = std::fs::read(p).map_err(|e| Error::invalid(format!("cannot read ca_file {p}: {e}")))?;
        let ca = reqwest::Certificate::from_pem(&pem).map_err(|e| Error::invalid(format!("ca_file {p} is not a PEM certificate: {e}")))?;
        b = b.tls_certs_merge([ca]);
    }
    b.build().map_err(|e| Error::Internal(format!("cannot build the storage HTTP client: {e}")))
}

/// A container client for the target (nothing is sent yet).
pub struct Container {
    pub client: BlobContainerClient,
    /// The container URL as backups name it (never carries the SAS).
    pub container_url: String,
    pub using_sas: bool,
}

impl std::fmt::Debug for Container {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Container").field("container_url", &self.container_url).field("using_sas", &self.using_sas).finish()
    }
}

/// Where requests for the container go: `<endpoint>/<container>`, or the container URL itself.
pub fn request_url(target: &StorageTarget) -> Result<(String, String)> {
    let parsed = crate::url::parse_container_url(&target.container_url)?;
    if parsed.kind != crate::url::UrlKind::AzureBlob {
        return Err(Error::not_supported("listing S3-compatible storage is not supported; only Azure Blob Storage containers"));
    }
    let base = match &target.endpoint {
        Some(e) => {
            let e = e.trim();
            if !e.starts_with("https://") || e.ends_with('/') || e.contains('?') {
                return Err(Error::invalid("endpoint must be an https:// URL without a trailing '/' or a query string (e.g. https://127.0.0.1:10000/devstoreaccount1)"));
            }
            format!("{e}/{}", parsed.container)
        }
        None => parsed.url.clone(),
    };
    Ok((parsed.url, base))
}

/// Builds the container client.
pub fn container(target: &StorageTarget) -> Result<Container> {
    let (container_url, base) = request_url(target)?;
    let mut url = Url::parse(&base).map_err(|e| Error::InvalidUrl(format!("'{base}' is not a URL: {e}")))?;
    let (credential, using_sas): (Option<Arc<dyn TokenCredential>>, bool) = match &target.auth {
        StorageAuth::ManagedIdentity(sel) => (Some(Arc::new(IdentityCredential::new(sel.clone()))), false),
        StorageAuth::Token(t) => {
            if t.expose().trim().is_empty() {
                return Err(Error::invalid("the access token is empty"));
            }
            (Some(Arc::new(StaticTokenCredential::new(t.clone()))), false)
        }
        StorageAuth::Sas(s) => {
            let (sas, _warning) = crate::url::normalise_sas(s.expose())?;
            url.set_query(Some(&sas));
            (None, true)
        }
    };
    let client_options = ClientOptions {
        transport: Some(Transport::new(Arc::new(http_client(target.ca_file.as_deref())?))),
        retry: RetryOptions::exponential(ExponentialRetryOptions {
            initial_delay: azure_core::time::Duration::milliseconds(500),
            max_retries: 3,
            max_total_elapsed: azure_core::time::Duration::seconds(30),
            ..Default::default()
        }),
        ..Default::default()
    };
    let options = BlobContainerClientOptions { client_options, ..Default::default() };
    let client = BlobContainerClient::new(url, credential, Some(options))
        .map_err(|e| Error::invalid(format!("cannot build the blob client for {container_url}: {}", super::errors::redact(&e.to_string()))))?;
    Ok(Container { client, container_url, using_sas })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Secret;

    fn target(endpoint: Option<&str>, auth: StorageAuth) -> StorageTarget {
        StorageTarget { container_url: "https://Acct.blob.core.windows.net/backups".into(), endpoint: endpoint.map(str::to_string), ca_file: None, auth }
    }

    #[test]
    fn request_urls() {
        let t = target(None, StorageAuth::Sas(Secret::new("sv=1&sig=x")));
        assert_eq!(request_url(&t).unwrap(), ("https://acct.blob.core.windows.net/backups".into(), "https://acct.blob.core.windows.net/backups".into()));
        let t = target(Some("https://127.0.0.1:10000/devstoreaccount1"), StorageAuth::Sas(Secret::new("sv=1&sig=x")));
        assert_eq!(request_url(&t).unwrap().1, "https://127.0.0.1:10000/devstoreaccount1/backups");
        for bad in ["http://127.0.0.1:10000/devstoreaccount1", "https://127.0.0.1:10000/devstoreaccount1/", "https://x/y?sig=z"] {
            assert!(request_url(&target(Some(bad), StorageAuth::Sas(Secret::new("sig=x")))).is_err(), "{bad}");
        }
        let mut t = target(None, StorageAuth::Sas(Secret::new("sig=x")));
        t.container_url = "https://acct.blob.core.windows.net/Backups".into();
        assert!(matches!(request_url(&t), Err(Error::InvalidUrl(_))));
    }

    #[test]
    fn jwt_expiry_is_read() {
        // {"alg":"none"} . {"exp":1800000000}
        let t = "eyJhbGciOiJub25lIn0.eyJleHAiOjE4MDAwMDAwMDB9.";
        assert_eq!(jwt_exp(t), Some(1_800_000_000));
        assert_eq!(jwt_exp("not-a-jwt"), None);
    }

    #[test]
    fn a_sas_client_never_shows_the_sas() {
        let c = container(&target(None, StorageAuth::Sas(Secret::new("?sv=2022-11-02&sig=TopSecret")))).unwrap();
        assert!(c.using_sas);
        assert!(!format!("{c:?}").contains("TopSecret"));
        assert!(container(&target(None, StorageAuth::Sas(Secret::new("no-signature")))).is_err());
        assert!(container(&target(None, StorageAuth::Token(Secret::new(" ")))).is_err());
    }
}
