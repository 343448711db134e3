//! Shared by the `backup_*` integration tests: find (or start) Azurite, an *independent* blob
//! client (plain reqwest + an account SAS signed with ring's HMAC, no simulator code), and
//! scenario builders.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use base64::Engine;

/// Azurite's well-known development account and key. Public: Microsoft documents them for the
/// emulator; they protect nothing.
pub const DEV_ACCOUNT: &str = "devstoreaccount1";
pub const DEV_KEY: &str = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/// The public name the scenarios give the storage account.
pub const ACCOUNT_URL: &str = "https://simacct.blob.core.windows.net";

#[derive(Debug, Clone)]
pub struct Azurite {
    /// `https://127.0.0.1:<port>/devstoreaccount1`
    pub endpoint: String,
    pub ca: String,
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repo root")
}

fn read_env_file(path: &std::path::Path) -> Option<Azurite> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut endpoint = None;
    let mut ca = None;
    for line in text.lines() {
        let line = line.trim_start_matches("export ");
        if let Some(v) = line.strip_prefix("AZURITE_BLOB_ENDPOINT=") {
            endpoint = Some(v.to_string());
        }
        if let Some(v) = line.strip_prefix("AZURITE_CA=") {
            ca = Some(v.to_string());
        }
    }
    Some(Azurite { endpoint: endpoint?, ca: ca? })
}

/// Azurite for this test process: `$AZURITE_BLOB_ENDPOINT` + `$AZURITE_CA` when set (CI starts
/// it with `scripts/azurite.sh start`), else `scripts/azurite.sh start` (bounded wait inside the
/// script; it reuses a running instance and leaves it running for the next test binary — stop it
/// with `scripts/azurite.sh stop`).
pub fn azurite() -> Azurite {
    static A: OnceLock<Azurite> = OnceLock::new();
    A.get_or_init(|| {
        if let (Ok(endpoint), Ok(ca)) = (std::env::var("AZURITE_BLOB_ENDPOINT"), std::env::var("AZURITE_CA")) {
            if !endpoint.is_empty() && !ca.is_empty() {
                return Azurite { endpoint: endpoint.trim_end_matches('/').to_string(), ca };
            }
        }
        let root = repo_root();
        let status = std::process::Command::new(root.join("scripts/azurite.sh"))
            .arg("start")
            .status()
            .expect("run scripts/azurite.sh start");
        assert!(status.success(), "scripts/azurite.sh start failed");
        let dir = std::env::var("AZURITE_DIR").map(PathBuf::from).unwrap_or_else(|_| root.join(".tmp/azurite"));
        read_env_file(&dir.join("azurite.env")).expect("azurite.env written by scripts/azurite.sh")
    })
    .clone()
}

fn hmac_b64(key_b64: &str, msg: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &b64.decode(key_b64).expect("key base64"));
    b64.encode(ring::hmac::sign(&key, msg.as_bytes()).as_ref())
}

fn pct(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// An account SAS (sv 2020-12-06 layout) for the blob service, signed with the dev key.
/// `permissions` e.g. `rwdlac`, `rl`.
pub fn account_sas(permissions: &str) -> String {
    let sv = "2020-12-06";
    let start = (chrono::Utc::now() - chrono::Duration::minutes(5)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let expiry = (chrono::Utc::now() + chrono::Duration::hours(2)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let string_to_sign = format!("{DEV_ACCOUNT}\n{permissions}\nb\nsco\n{start}\n{expiry}\n\nhttps\n{sv}\n\n");
    let sig = hmac_b64(DEV_KEY, &string_to_sign);
    format!("sv={sv}&ss=b&srt=sco&sp={permissions}&st={}&se={}&spr=https&sig={}", pct(&start), pct(&expiry), pct(&sig))
}

/// The independent client: plain REST with a full-permission account SAS.
pub struct Blobs {
    pub az: Azurite,
    http: reqwest::Client,
    sas: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BlobProps {
    pub content_length: u64,
    pub lease_state: String,
    pub lease_status: String,
}

impl Blobs {
    pub fn new() -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let az = azurite();
        let pem = std::fs::read(&az.ca).expect("read Azurite CA");
        let http = reqwest::Client::builder()
            .tls_certs_only([reqwest::Certificate::from_pem(&pem).expect("CA pem")])
            .timeout(Duration::from_secs(30))
            .no_proxy()
            .build()
            .expect("http client");
        Blobs { az, http, sas: account_sas("rwdlacup") }
    }

    fn url(&self, path: &str, query: &str) -> String {
        let q = if query.is_empty() { self.sas.clone() } else { format!("{query}&{}", self.sas) };
        format!("{}/{}?{}", self.az.endpoint, path.trim_start_matches('/'), q)
    }

    pub async fn create_container(&self, name: &str) {
        let r = self
            .http
            .put(self.url(name, "restype=container"))
            .header("x-ms-version", "2021-08-06")
            .header("content-length", "0")
            .send()
            .await
            .expect("create container");
        assert!(r.status().as_u16() == 201 || r.status().as_u16() == 409, "create container: {}", r.status());
    }

    /// HEAD on a committed blob; `None` when there is none (404).
    pub async fn props(&self, container: &str, blob: &str) -> Option<BlobProps> {
        let r = self
            .http
            .head(self.url(&format!("{container}/{blob}"), ""))
            .header("x-ms-version", "2021-08-06")
            .send()
            .await
            .expect("head blob");
        if r.status().as_u16() == 404 {
            return None;
        }
        assert!(r.status().is_success(), "head blob: {}", r.status());
        let h = |n: &str| r.headers().get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        Some(BlobProps {
            content_length: h("content-length").parse().unwrap_or(0),
            lease_state: h("x-ms-lease-state"),
            lease_status: h("x-ms-lease-status"),
        })
    }

    pub async fn get(&self, container: &str, blob: &str) -> Option<Vec<u8>> {
        let r = self
            .http
            .get(self.url(&format!("{container}/{blob}"), ""))
            .header("x-ms-version", "2021-08-06")
            .send()
            .await
            .expect("get blob");
        if r.status().as_u16() == 404 {
            return None;
        }
        assert!(r.status().is_success(), "get blob: {}", r.status());
        Some(r.bytes().await.expect("body").to_vec())
    }

    /// Put Blob (single shot), overwriting; breaks any lease first.
    pub async fn put(&self, container: &str, blob: &str, data: Vec<u8>) {
        let r = self
            .http
            .put(self.url(&format!("{container}/{blob}"), ""))
            .header("x-ms-version", "2021-08-06")
            .header("x-ms-blob-type", "BlockBlob")
            .body(data)
            .send()
            .await
            .expect("put blob");
        assert_eq!(r.status().as_u16(), 201, "put blob");
    }

    /// Committed block count (Get Block List, committed), or `None` for no committed blob.
    pub async fn committed_blocks(&self, container: &str, blob: &str) -> Option<usize> {
        let r = self
            .http
            .get(self.url(&format!("{container}/{blob}"), "comp=blocklist&blocklisttype=committed"))
            .header("x-ms-version", "2021-08-06")
            .send()
            .await
            .expect("get block list");
        if r.status().as_u16() == 404 {
            return None;
        }
        let body = r.text().await.expect("text");
        let committed = body.split("<CommittedBlocks>").nth(1).and_then(|s| s.split("</CommittedBlocks>").next()).unwrap_or("");
        Some(committed.matches("<Block>").count())
    }

    /// Names of the committed blobs in a container.
    pub async fn list(&self, container: &str) -> Vec<String> {
        let r = self
            .http
            .get(self.url(container, "restype=container&comp=list"))
            .header("x-ms-version", "2021-08-06")
            .send()
            .await
            .expect("list blobs");
        assert!(r.status().is_success(), "list: {}", r.status());
        let body = r.text().await.expect("text");
        body.split("<Name>").skip(1).filter_map(|s| s.split("</Name>").next()).map(str::to_string).collect()
    }
}

/// A fresh container name (3-63 chars, lower case).
pub fn container_name(tag: &str) -> String {
    format!("{tag}-{}", &uuid::Uuid::new_v4().simple().to_string()[..12])
}

/// The URL a statement uses for `blob` in `container`.
pub fn blob_url(container: &str, blob: &str) -> String {
    format!("{ACCOUNT_URL}/{container}/{blob}")
}

/// A scenario with one storage account mapped to Azurite, a managed-identity credential for
/// `container`, and databases.
pub fn scenario(container: &str, role: &str, dbs: Vec<sqlsim::scenario::Database>) -> sqlsim::scenario::Scenario {
    use sqlsim::scenario::*;
    let az = azurite();
    Scenario {
        storage: vec![StorageAccount {
            account_url: ACCOUNT_URL.into(),
            endpoint: az.endpoint.clone(),
            managed_identity_role: role.into(),
            network_blocked: false,
            ca_file: Some(az.ca.clone()),
        }],
        credentials: vec![CredentialSeed {
            name: format!("{ACCOUNT_URL}/{container}"),
            identity: "Managed Identity".into(),
            secret: None,
        }],
        databases: dbs,
        throughput_mb_per_s: 1.0e9,
        ..Scenario::default()
    }
}

/// A database of `data_mb` MB of data (one data file, one 8 MB log).
pub fn db(name: &str, recovery: &str, data_mb: u64) -> sqlsim::scenario::Database {
    use sqlsim::scenario::*;
    Database {
        name: name.into(),
        recovery_model: recovery.into(),
        files: vec![
            DbFile {
                logical_name: name.into(),
                physical_name: format!("F:\\data\\{name}.mdf"),
                file_type: "ROWS".into(),
                size_mb: data_mb,
            },
            DbFile {
                logical_name: format!("{name}_log"),
                physical_name: format!("G:\\log\\{name}_log.ldf"),
                file_type: "LOG".into(),
                size_mb: 8,
            },
        ],
        ..Database::default()
    }
}

/// A tiberius client over TLS (validating the simulator's CA) logged in as `user`.
pub type Sql = tiberius::Client<tokio_util::compat::Compat<tokio::net::TcpStream>>;

pub async fn connect_as(sim: &sqlsim::SimHandle, user: &str, password: &str) -> Sql {
    use tokio_util::compat::TokioAsyncWriteCompatExt;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut cfg = tiberius::Config::new();
    cfg.host("127.0.0.1");
    cfg.port(sim.port());
    cfg.authentication(tiberius::AuthMethod::sql_server(user, password));
    cfg.encryption(tiberius::EncryptionLevel::Required);
    cfg.trust_cert_ca(sim.ca_pem_path.display().to_string());
    cfg.command_timeout(None);
    let tcp = tokio::net::TcpStream::connect(sim.addr).await.expect("tcp connect");
    tcp.set_nodelay(true).unwrap();
    tiberius::Client::connect(cfg, tcp.compat_write()).await.expect("tiberius login")
}

/// `sa` with the default scenario's password.
pub async fn connect(sim: &sqlsim::SimHandle) -> Sql {
    connect_as(sim, "sa", "Sim-Passw0rd!").await
}

/// Run a batch; Ok(rows of the first result set) or Err((number, message)) of the first error.
pub async fn run(c: &mut Sql, sql: &str) -> Result<Vec<tiberius::Row>, (u32, String)> {
    let r = tokio::time::timeout(Duration::from_secs(60), async {
        let stream = c.simple_query(sql).await?;
        stream.into_results().await
    })
    .await
    .expect("statement finished within 60 s");
    match r {
        Ok(mut sets) => Ok(if sets.is_empty() { vec![] } else { sets.remove(0) }),
        Err(tiberius::error::Error::Server(e)) => Err((e.code(), e.message().to_string())),
        Err(e) => panic!("unexpected client error: {e}"),
    }
}
