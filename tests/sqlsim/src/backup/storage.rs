//! Reaching a backup URL: which storage account, which credential, and the blob operations,
//! through the official `azure_storage_blob` 1.x client against Azurite.
//!
//! * Managed identity → the simulator mints an unsigned JWT (v1 issuer, audience
//!   `https://storage.azure.com`, iat/nbf/exp, oid/tid) and the SDK sends it as a Bearer token
//!   over HTTPS (Azurite `--oauth basic` decodes it without checking the signature).
//! * Shared access signature → the SAS is appended to the blob URL, no credential.
//!
//! Faults (`storage_unavailable`, `storage_timeout`) are applied here, in front of every call,
//! as if the storage service had answered 503 or had not answered.

use std::sync::Arc;
use std::time::Duration;

use azure_core::credentials::{AccessToken, TokenCredential, TokenRequestOptions};
use azure_core::http::{ClientOptions, ExponentialRetryOptions, RequestContent, RetryOptions, Transport, Url};
use azure_core::time::OffsetDateTime;
use azure_storage_blob::models::{
    BlobClientAcquireLeaseOptions, BlobClientAcquireLeaseResultHeaders, BlobClientBreakLeaseOptions,
    BlobClientDeleteOptions, BlockBlobClientCommitBlockListOptions, BlockBlobClientStageBlockOptions,
    BlockLookupList,
};
use azure_storage_blob::{BlobClient, BlobClientOptions};
use base64::Engine;

use super::messages::OsError;
use crate::state::ServerState;

/// What the statement needs to do with the blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// A storage failure, already classified as the OS error SQL Server would report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.text())]
pub struct StorageError(pub OsError);

/// Install the process-wide rustls crypto provider once (rustls panics when more than one
/// provider is compiled in and none is installed). Harmless if someone installed one already.
pub fn ensure_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A token the simulator mints for its "managed identity".
#[derive(Debug)]
struct MintedToken {
    jwt: String,
    exp: i64,
}

#[async_trait::async_trait]
impl TokenCredential for MintedToken {
    async fn get_token(
        &self,
        _scopes: &[&str],
        _options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        let exp = OffsetDateTime::from_unix_timestamp(self.exp)
            .map_err(|e| azure_core::Error::with_message(azure_core::error::ErrorKind::Other, e.to_string()))?;
        Ok(AccessToken::new(self.jwt.clone(), exp))
    }
}

/// Tenant and object ids of the simulated VM's managed identity.
pub const SIM_TENANT_ID: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
pub const SIM_OBJECT_ID: &str = "5e1d2f3a-0b4c-4d6e-8f70-91a2b3c4d5e6";

/// An unsigned JWT (`alg: none`) with the claims Azurite checks. `now` in Unix seconds.
pub fn mint_jwt(now: i64, lifetime_s: i64) -> (String, i64) {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = serde_json::json!({"alg": "none", "typ": "JWT"});
    let exp = now + lifetime_s;
    let claims = serde_json::json!({
        "aud": "https://storage.azure.com",
        "iss": format!("https://sts.windows.net/{SIM_TENANT_ID}/"),
        "iat": now - 60,
        "nbf": now - 60,
        "exp": exp,
        "oid": SIM_OBJECT_ID,
        "sub": SIM_OBJECT_ID,
        "tid": SIM_TENANT_ID,
        "idtyp": "app",
    });
    let jwt = format!("{}.{}.", b64.encode(header.to_string()), b64.encode(claims.to_string()));
    (jwt, exp)
}

/// Where a backup URL really goes, and how to authenticate.
pub struct Route {
    /// The URL as the statement gave it (what messages show).
    pub url: String,
    client: BlobClient,
    server: Arc<ServerState>,
}

impl std::fmt::Debug for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the SAS-bearing endpoint URL.
        f.debug_struct("Route").field("url", &self.url).finish()
    }
}

/// Why a URL cannot be opened before any request is sent.
#[derive(Debug, Clone, PartialEq)]
pub enum RouteError {
    /// The credential lookup failed in a way SQL Server reports as 3201 + OS error.
    Os(OsError),
    /// 37563: managed identity credential but no primary managed identity on the server.
    NoPrimaryIdentity,
    /// 3288 for `WITH CREDENTIAL = name` that does not exist.
    NoSuchCredential(String),
    /// A simulator configuration problem (bad endpoint, unreadable CA): a clear error.
    Config(String),
}

fn trim_slash(s: &str) -> &str {
    s.trim_end_matches('/')
}

/// Resolve `url` for `access`: scenario storage account, credential, role and network checks.
pub fn resolve(server: &Arc<ServerState>, url: &str, access: Access) -> Result<Route, RouteError> {
    let parsed = Url::parse(url).map_err(|_| RouteError::Os(OsError::NotSupported))?;
    if parsed.scheme() != "https" {
        return Err(RouteError::Os(OsError::NotSupported));
    }
    // Blob path after the container: `/container/dir/blob`.
    let path = parsed.path().to_string();
    let mut segs = path.trim_start_matches('/').splitn(2, '/');
    let container = segs.next().unwrap_or_default();
    let blob = segs.next().unwrap_or_default();
    if container.is_empty() || blob.is_empty() {
        return Err(RouteError::Os(OsError::NotSupported));
    }
    let account_url = format!("https://{}", parsed.host_str().unwrap_or_default());
    let account = server
        .scenario
        .storage
        .iter()
        .find(|a| trim_slash(&a.account_url).eq_ignore_ascii_case(&account_url))
        .ok_or(RouteError::Os(OsError::NameNotResolved))?
        .clone();
    let cred = server.find_credential_for_url(url).ok_or(RouteError::Os(OsError::NotSupported))?;
    if account.network_blocked {
        return Err(RouteError::Os(OsError::AccessDenied));
    }
    let endpoint = Url::parse(&format!("{}/{}", trim_slash(&account.endpoint), path.trim_start_matches('/')))
        .map_err(|e| RouteError::Config(format!("storage endpoint of {account_url} is not a URL: {e}")))?;
    let (blob_url, token): (Url, Option<Arc<dyn TokenCredential>>) = if cred.is_managed_identity() {
        if !server.scenario.primary_managed_identity {
            return Err(RouteError::NoPrimaryIdentity);
        }
        let role = account.managed_identity_role.trim().to_ascii_lowercase();
        // Empty = not stated in the scenario = Storage Blob Data Contributor.
        let can_read = matches!(role.as_str(), "" | "contributor" | "owner" | "reader");
        let can_write = matches!(role.as_str(), "" | "contributor" | "owner");
        if !(match access {
            Access::Read => can_read,
            Access::Write => can_write,
        }) {
            return Err(RouteError::Os(OsError::AccessDenied));
        }
        let now = chrono::Utc::now().timestamp();
        let (jwt, exp) = mint_jwt(now, 3600);
        (endpoint, Some(Arc::new(MintedToken { jwt, exp })))
    } else if cred.identity.eq_ignore_ascii_case("SHARED ACCESS SIGNATURE") {
        let sas = cred.secret.clone().unwrap_or_default();
        if sas.starts_with('?') || sas.is_empty() {
            return Err(RouteError::Os(OsError::NotSupported));
        }
        let mut u = endpoint;
        u.set_query(Some(&sas));
        (u, None)
    } else {
        // Storage account keys write page blobs (legacy); not simulated.
        return Err(RouteError::Os(OsError::NotSupported));
    };
    let http = http_client(account.ca_file.as_deref()).map_err(RouteError::Config)?;
    let client_options = ClientOptions {
        transport: Some(Transport::new(Arc::new(http))),
        // SQL Server retries transient storage failures (connection resets, 500/503) during a
        // backup to URL before it gives up with OS error 1117; so does the simulator, a bounded
        // few times. Injected faults (`fault()`) sit in front of the SDK call and are never retried.
        retry: RetryOptions::exponential(ExponentialRetryOptions {
            initial_delay: azure_core::time::Duration::milliseconds(200),
            max_retries: 3,
            max_total_elapsed: azure_core::time::Duration::seconds(10),
            ..Default::default()
        }),
        ..Default::default()
    };
    let options = BlobClientOptions { client_options, ..Default::default() };
    let client = BlobClient::new(blob_url, token, Some(options))
        .map_err(|e| RouteError::Config(format!("blob client: {e}")))?;
    Ok(Route { url: url.to_string(), client, server: Arc::clone(server) })
}

fn http_client(ca_file: Option<&str>) -> Result<reqwest::Client, String> {
    ensure_crypto_provider();
    let ca_path = ca_file
        .map(str::to_string)
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("AZURITE_CA").ok().filter(|s| !s.is_empty()));
    let mut b = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .read_timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy();
    if let Some(p) = ca_path {
        let pem = std::fs::read(&p).map_err(|e| format!("cannot read CA file {p}: {e}"))?;
        let ca = reqwest::Certificate::from_pem(&pem).map_err(|e| format!("CA file {p}: {e}"))?;
        b = b.tls_certs_merge([ca]);
    }
    b.build().map_err(|e| format!("http client: {e}"))
}

/// Map an SDK error to the OS error SQL Server would show.
fn classify(e: &azure_core::Error) -> OsError {
    match e.http_status().map(u16::from) {
        Some(404) => OsError::NotFound,
        Some(401) | Some(403) => OsError::AccessDenied,
        Some(409) | Some(412) => OsError::LeaseHeld,
        Some(503) | Some(500) => OsError::IoDevice,
        Some(_) => OsError::IoDevice,
        None => {
            let s = e.to_string().to_ascii_lowercase();
            if s.contains("timed out") || s.contains("timeout") {
                OsError::TimedOut
            } else {
                OsError::IoDevice
            }
        }
    }
}

/// How long a simulated storage timeout takes before it is reported (bounded, short).
const SIMULATED_TIMEOUT: Duration = Duration::from_millis(1500);

impl Route {
    async fn fault(&self) -> Result<(), StorageError> {
        let f = self.server.faults();
        if f.storage_timeout {
            tokio::time::sleep(SIMULATED_TIMEOUT).await;
            return Err(StorageError(OsError::TimedOut));
        }
        if f.storage_unavailable {
            return Err(StorageError(OsError::IoDevice));
        }
        if f.storage_tls_failure {
            return Err(StorageError(OsError::TlsFailure));
        }
        if f.storage_unreachable {
            return Err(StorageError(OsError::Unreachable));
        }
        Ok(())
    }

    /// Does a committed blob exist?
    pub async fn exists(&self) -> Result<bool, StorageError> {
        self.fault().await?;
        match self.client.get_properties(None).await {
            Ok(_) => Ok(true),
            Err(e) if e.http_status().map(u16::from) == Some(404) => Ok(false),
            Err(e) => Err(StorageError(classify(&e))),
        }
    }

    pub async fn stage_block(&self, id: &[u8], data: Vec<u8>, lease: Option<&str>) -> Result<(), StorageError> {
        self.fault().await?;
        let len = data.len() as u64;
        let opts = BlockBlobClientStageBlockOptions { lease_id: lease.map(str::to_string), ..Default::default() };
        self.client
            .block_blob_client()
            .stage_block(id, len, RequestContent::from(data), Some(opts))
            .await
            .map(|_| ())
            .map_err(|e| StorageError(classify(&e)))
    }

    /// Acquire an infinite lease; returns its id.
    pub async fn acquire_lease(&self) -> Result<String, StorageError> {
        self.fault().await?;
        let proposed = uuid::Uuid::new_v4().to_string();
        let opts = BlobClientAcquireLeaseOptions { proposed_lease_id: Some(proposed.clone()), ..Default::default() };
        let resp = self.client.acquire_lease(-1, Some(opts)).await.map_err(|e| StorageError(classify(&e)))?;
        Ok(resp.lease_id().ok().flatten().unwrap_or(proposed))
    }

    pub async fn commit(&self, ids: Vec<Vec<u8>>, lease: Option<&str>) -> Result<(), StorageError> {
        self.fault().await?;
        let list = BlockLookupList { committed: None, latest: Some(ids), uncommitted: None };
        let body = list.try_into().map_err(|_| StorageError(OsError::IoDevice))?;
        let opts = BlockBlobClientCommitBlockListOptions {
            lease_id: lease.map(str::to_string),
            blob_content_type: Some("application/octet-stream".into()),
            ..Default::default()
        };
        self.client
            .block_blob_client()
            .commit_block_list(body, Some(opts))
            .await
            .map(|_| ())
            .map_err(|e| StorageError(classify(&e)))
    }

    /// Release the lease after a successful backup (best effort; no fault injection: cleanup).
    pub async fn release_lease(&self, lease: &str) -> Result<(), StorageError> {
        self.client.release_lease(lease.to_string(), None).await.map(|_| ()).map_err(|e| StorageError(classify(&e)))
    }

    /// Break the lease immediately (cleanup after failure).
    pub async fn break_lease(&self) -> Result<(), StorageError> {
        let opts = BlobClientBreakLeaseOptions { break_period: Some(0), ..Default::default() };
        self.client.break_lease(Some(opts)).await.map(|_| ()).map_err(|e| StorageError(classify(&e)))
    }

    /// Delete the blob (cleanup after failure).
    pub async fn delete(&self) -> Result<(), StorageError> {
        self.client
            .delete(Some(BlobClientDeleteOptions::default()))
            .await
            .map(|_| ())
            .map_err(|e| StorageError(classify(&e)))
    }

    /// Download the whole committed blob.
    pub async fn download(&self) -> Result<Vec<u8>, StorageError> {
        self.fault().await?;
        let r = self.client.download(None).await.map_err(|e| StorageError(classify(&e)))?;
        let body = r.body.collect().await.map_err(|e| StorageError(classify(&e)))?;
        Ok(body.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwt_has_the_claims_azurite_checks() {
        let (jwt, exp) = mint_jwt(1_700_000_000, 3600);
        assert_eq!(exp, 1_700_003_600);
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[2], "");
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let claims: serde_json::Value = serde_json::from_slice(&b64.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(claims["aud"], "https://storage.azure.com");
        assert!(claims["iss"].as_str().unwrap().starts_with("https://sts.windows.net/"));
        for c in ["iat", "nbf", "exp", "oid", "tid"] {
            assert!(!claims[c].is_null(), "{c}");
        }
    }
}
