//! BACKUP DATABASE / LOG TO URL as an operation (`sqlurl_backup_start`).
//!
//! Per database: connect a dedicated connection **without command timeout**, read `@@SPID`,
//! the server name and the allocated size; choose the stripes and URLs; start the progress
//! poller on a second connection; run the statement; on success read the header back
//! (`RESTORE HEADERONLY`) for LSNs, size and checksum flag.
//!
//! Cancel: the statement's future is dropped (which releases the connection), then tiberius'
//! `cancel_query` sends a TDS ATTENTION and drains the acknowledgement (bounded to
//! [`ATTENTION_TIMEOUT`](super::long_statement::ATTENTION_TIMEOUT)); the connection is then closed — a closed socket also aborts the
//! server's work. A connection lost mid-statement is a failure, never a success.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::api::{BackupResult, ConnectionRequest, ItemResult};
use crate::connect::rows::{cell_i64, cell_string};
use crate::connect::{query_rows, Client};
use crate::errors::{Error, ErrorKind, Result};
use crate::operation::{ItemOutcome, OpKind, Operation, Reporter};
use crate::ops::long_statement::{connect_cancellable, run_long, Progress, RunOutcome};
use crate::ops::{fail, inspect, naming, striping};
use crate::tsql::backup::{build_backup, validate, BackupKind, BackupSpec, Encryption, DEFAULT_BLOCK_SIZE, DEFAULT_MAX_TRANSFER_SIZE, MAX_URLS};
use crate::tsql::{self, Sql};

fn default_true() -> bool {
    true
}
fn default_mts() -> u32 {
    DEFAULT_MAX_TRANSFER_SIZE
}
fn default_bs() -> u32 {
    DEFAULT_BLOCK_SIZE
}
fn default_throttle() -> u32 {
    4
}

/// `{"algorithm": "AES_256", "server_certificate": "BackupCert"}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncryptionRequest {
    pub algorithm: String,
    pub server_certificate: String,
}

/// The Backup request of the JSON contract.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupRequest {
    pub connection: ConnectionRequest,
    pub databases: Vec<String>,
    #[serde(rename = "type", default)]
    pub kind: BackupKind,
    #[serde(default)]
    pub urls: Option<Vec<String>>,
    #[serde(default)]
    pub container_url: Option<String>,
    #[serde(default)]
    pub file_name_template: Option<String>,
    #[serde(default)]
    pub stripes: Option<u32>,
    #[serde(default)]
    pub copy_only: bool,
    #[serde(default)]
    pub compression: Option<bool>,
    #[serde(default = "default_true")]
    pub checksum: bool,
    #[serde(default)]
    pub overwrite: bool,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub encryption: Option<EncryptionRequest>,
    #[serde(default = "default_mts")]
    pub max_transfer_size: u32,
    #[serde(default = "default_bs")]
    pub block_size: u32,
    #[serde(default = "default_throttle")]
    pub throttle: u32,
    #[serde(default)]
    pub dry_run: bool,
}

impl BackupRequest {
    fn spec_for(&self, database: &str, urls: Vec<String>) -> BackupSpec {
        let mut s = BackupSpec::new(database, self.kind, urls);
        s.copy_only = self.copy_only;
        s.compression = self.compression;
        s.checksum = self.checksum;
        s.overwrite = self.overwrite;
        s.description = self.description.clone();
        s.name = self.name.clone();
        s.encryption = self
            .encryption
            .as_ref()
            .map(|e| Encryption { algorithm: e.algorithm.clone(), server_certificate: e.server_certificate.clone() });
        s.max_transfer_size = self.max_transfer_size;
        s.block_size = self.block_size;
        s
    }

    /// Writes the scheme and host of every URL in lower case, so BACKUP names the storage exactly
    /// as the credential is named ([`crate::url::normalise_blob_url`]); blob paths are kept.
    pub fn normalise_urls(&mut self) {
        if let Some(u) = &mut self.urls {
            for x in u.iter_mut() {
                *x = crate::url::normalise_blob_url(x);
            }
        }
        if let Some(c) = &mut self.container_url {
            *c = crate::url::normalise_blob_url(c);
        }
    }

    /// Everything that can be checked without a server; called by `start`.
    pub fn validate(&self) -> Result<()> {
        if self.databases.is_empty() {
            return Err(Error::invalid("databases is empty: name at least one database to back up."));
        }
        for (i, d) in self.databases.iter().enumerate() {
            if d.trim().is_empty() || d.chars().count() > 128 {
                return Err(Error::invalid(format!("databases[{i}] must be 1-128 characters.")));
            }
            if self.databases[..i].iter().any(|p| p.eq_ignore_ascii_case(d)) {
                return Err(Error::invalid(format!("database '{d}' is listed twice.")));
            }
        }
        if !(1..=64).contains(&self.throttle) {
            return Err(Error::invalid(format!("throttle must be between 1 and 64; got {}.", self.throttle)));
        }
        match (&self.urls, &self.container_url) {
            (Some(_), Some(_)) => return Err(Error::invalid("give either urls or container_url, not both.")),
            (None, None) => return Err(Error::invalid("give the destination: urls (1-64 blob URLs) or container_url.")),
            (Some(u), None) => {
                if self.databases.len() != 1 {
                    return Err(Error::invalid("explicit urls back up exactly one database; use container_url and a file_name_template for several."));
                }
                if u.is_empty() || u.len() > MAX_URLS {
                    return Err(Error::invalid(format!("urls must hold 1 to 64 URLs; got {}.", u.len())));
                }
                if let Some(n) = self.stripes {
                    if n as usize != u.len() {
                        return Err(Error::invalid(format!("stripes is {n} but {} urls were given; leave stripes out with explicit urls.", u.len())));
                    }
                }
            }
            (None, Some(c)) => {
                naming::normalize_container(c).map_err(|e| Error::InvalidUrl(e.to_string()))?;
                if let Some(n) = self.stripes {
                    if n == 0 || n > 64 {
                        return Err(Error::invalid(format!("stripes must be between 1 and 64; got {n}.")));
                    }
                }
                // the template must render
                let parts = naming::NameParts { server: "s", database: "d", kind: "full", timestamp: chrono::Utc::now() };
                naming::render_urls(c, self.file_name_template.as_deref(), &parts, 1).map_err(|e| Error::invalid(e.to_string()))?;
            }
        }
        // the statement options, with a placeholder URL when the URLs come later
        // (the container's own scheme decides the MAXTRANSFERSIZE limit: 4 MB for Azure Blob)
        let urls = self.urls.clone().unwrap_or_else(|| {
            let c = self.container_url.as_deref().unwrap_or("https://placeholder.blob.core.windows.net/c");
            vec![format!("{}/x.bak", c.trim().trim_end_matches('/'))]
        });
        let spec = self.spec_for(&self.databases[0], urls);
        validate(&spec).map_err(|e| Error::invalid(e.to_string()))?;
        Ok(())
    }
}

/// Validates the request and starts the operation (returns at once).
pub fn start(mut req: BackupRequest) -> Result<Operation> {
    req.normalise_urls();
    req.validate()?;
    let throttle = req.throttle as usize;
    let dbs = req.databases.clone();
    let req = Arc::new(req);
    Ok(Operation::start(OpKind::Backup, dbs, throttle, move |rep| backup_one(req.clone(), rep)))
}

/// Server facts a backup needs, read on the backup's own connection.
struct Facts {
    spid: i32,
    server_name: String,
    allocated_bytes: Option<u64>,
    last_backup_bytes: Option<u64>,
}

async fn read_facts(client: &mut Client, database: &str, kind: BackupKind) -> Result<Facts> {
    let rows = query_rows(client, &tsql::session_and_server()).await?;
    let row = rows.first().ok_or_else(|| Error::Internal("SELECT @@SPID returned no row".into()))?;
    let spid = cell_i64(row, "spid").ok_or_else(|| Error::Internal("@@SPID was NULL".into()))? as i32;
    let server_name = cell_string(row, "server_name").unwrap_or_else(|| "server".into());
    // allocated size: data files for full/differential, log files for a log backup (8 KB pages)
    let files = query_rows(client, &tsql::database_files(database)).await?;
    let pages: i64 = files
        .iter()
        .filter(|r| {
            let log = cell_string(r, "type_desc").map(|t| t.eq_ignore_ascii_case("LOG")).unwrap_or(false);
            log == (kind == BackupKind::Log)
        })
        .filter_map(|r| cell_i64(r, "size"))
        .sum();
    let allocated_bytes = if pages > 0 { Some(pages as u64 * 8192) } else { None };
    // The last backup's size, where msdb knows it (optional: an error here is ignored).
    let letter = match kind {
        BackupKind::Full => 'D',
        BackupKind::Differential => 'I',
        BackupKind::Log => 'L',
    };
    let last_backup_bytes = match query_rows(client, &tsql::last_backup_size(database, letter)).await {
        Ok(rows) => rows.first().and_then(|r| cell_i64(r, "backup_size")).filter(|v| *v > 0).map(|v| v as u64),
        Err(_) => None,
    };
    Ok(Facts { spid, server_name, allocated_bytes, last_backup_bytes })
}

/// One database's backup (also one item of a fleet backup, [`super::fleet`]).
pub(crate) async fn backup_one(req: Arc<BackupRequest>, rep: Reporter) -> ItemOutcome {
    let mut res = BackupResult { database: rep.database(), kind: req.kind, copy_only: req.copy_only, ..Default::default() };
    match backup_steps(&req, &rep, &mut res).await {
        Ok(()) => ItemOutcome::succeeded(&ItemResult::Backup(res)),
        Err(e) => fail(res, e),
    }
}

/// The stripes and URLs of the backup (explicit, or planned and named in the container);
/// fills `stripes`, `stripe_reason` and `warnings`.
fn destination(req: &BackupRequest, facts: &Facts, res: &mut BackupResult) -> Result<Vec<String>> {
    let fill = striping::assumed_block_fill_percent(req.kind, req.compression);
    match (&req.urls, &req.container_url) {
        (Some(u), _) => {
            res.stripes = u.len() as u32;
            res.stripe_reason = format!("{} stripe(s): the URLs were given explicitly", u.len());
            // the caller chose the count: check it against the plan, as a warning only
            match striping::plan(facts.allocated_bytes, facts.last_backup_bytes, req.max_transfer_size, Some(u.len() as u32), fill) {
                Ok(p) => {
                    res.stripe_reason = format!("{}; the plan would use {} ({} blocks per blob expected)", res.stripe_reason, p.planned_stripes, p.blocks_per_blob);
                    res.warnings.extend(p.warnings);
                }
                Err(e) => res.warnings.push(format!("{e} (the URLs were given explicitly, so the backup is tried as asked)")),
            }
            Ok(u.clone())
        }
        (None, Some(container)) => {
            let plan = striping::plan(facts.allocated_bytes, facts.last_backup_bytes, req.max_transfer_size, req.stripes, fill).map_err(|e| match e {
                striping::StripingError::Range(_) => Error::invalid(e.to_string()),
                _ => Error::Precondition { kind: ErrorKind::BlockLimitReached, message: e.to_string() },
            })?;
            res.stripes = plan.stripes;
            res.stripe_reason = plan.reason.clone();
            res.warnings.extend(plan.warnings.iter().cloned());
            let parts = naming::NameParts { server: &facts.server_name, database: &res.database, kind: req.kind.as_str(), timestamp: chrono::Utc::now() };
            naming::render_urls(container, req.file_name_template.as_deref(), &parts, plan.stripes).map_err(|e| Error::invalid(e.to_string()))
        }
        (None, None) => Err(Error::invalid("no destination")),
    }
}

/// One database: connect, read the facts, choose the destination, run BACKUP with progress,
/// read the header back. Fills `res` as it goes (a failure keeps what was learnt).
async fn backup_steps(req: &BackupRequest, rep: &Reporter, res: &mut BackupResult) -> Result<()> {
    let cancel = rep.cancel_token();
    let mut client = connect_cancellable(&req.connection, &cancel).await?;
    let facts = read_facts(&mut client, &res.database, req.kind).await?;
    let urls = destination(req, &facts, res)?;
    res.urls = urls.clone();
    let spec = req.spec_for(&res.database, urls.clone());
    let sql = Sql::plain(build_backup(&spec).map_err(|e| Error::invalid(e.to_string()))?);
    res.statements = vec![sql.masked().to_string()];
    // warnings go out before the statement is sent (operation messages), and stay in the result
    for w in &res.warnings {
        rep.message(format!("warning: {w}"));
    }
    if req.dry_run {
        res.message = "dry run: nothing was sent; statements lists the BACKUP that would run".into();
        let _ = client.close().await;
        return Ok(());
    }

    // progress on a second connection
    let progress = Progress::start(&req.connection, facts.spid, rep);
    let verb = if req.kind == BackupKind::Log { "BACKUP LOG" } else { "BACKUP DATABASE" };
    let t0 = Instant::now();
    let outcome = run_long(&mut client, &sql, &cancel, verb).await;
    let duration = t0.elapsed().as_secs_f64();
    progress.stop().await;
    res.duration_seconds = Some(round3(duration));
    if let RunOutcome::Cancelled { attention_acknowledged } = outcome? {
        drop(client); // closes the socket: the server aborts whatever is left
        res.message = format!(
            "{verb} was cancelled after {duration:.1} s: {}; the server discards the unfinished backup.",
            RunOutcome::cancel_text(attention_acknowledged)
        );
        return Err(Error::Cancelled);
    }
    let processed = read_back(&mut client, &urls, rep, res).await;
    res.message = success_message(verb, processed, duration, res);
    let _ = tokio::time::timeout(Duration::from_secs(5), client.close()).await;
    Ok(())
}

/// Reads the header back for LSNs, size and checksum flag; returns the bytes processed
/// (uncompressed) when known. A failure here only leaves those fields empty (with a message).
async fn read_back(client: &mut Client, urls: &[String], rep: &Reporter, res: &mut BackupResult) -> Option<i64> {
    let mut processed: Option<i64> = None;
    match inspect::read_headers(client, urls).await {
        Ok(h) if !h.is_empty() => {
            let h = h.last().cloned().unwrap_or_default();
            processed = h.backup_size;
            let bytes = if h.compressed { h.compressed_backup_size.or(h.backup_size) } else { h.backup_size };
            res.bytes = bytes;
            res.first_lsn = Some(h.first_lsn.clone()).filter(|s| !s.is_empty());
            res.last_lsn = Some(h.last_lsn.clone()).filter(|s| !s.is_empty());
            res.checksum = h.has_backup_checksums;
            res.compressed = Some(h.compressed);
            if let Ok(q) = crate::tsql::restore::build_headeronly(urls) {
                res.statements.push(q);
            }
        }
        Ok(_) => rep.message("RESTORE HEADERONLY after the backup returned no row; LSNs and size are unknown"),
        Err(e) => rep.message(format!("could not read the backup header back ({e}); LSNs and size are unknown")),
    }
    processed
}

/// The result message (and `throughput_mb_per_second`) of a finished backup.
fn success_message(verb: &str, processed: Option<i64>, duration: f64, res: &mut BackupResult) -> String {
    // like SQL Server's 3014 message, throughput is over the bytes processed (uncompressed);
    // `bytes` is what was stored (compressed size when compressed)
    let processed = processed.or(res.bytes);
    let mb_s = match processed {
        Some(b) if duration > 0.0 => Some(round3(b as f64 / 1_048_576.0 / duration)),
        _ => None,
    };
    res.throughput_mb_per_second = mb_s;
    match (processed, mb_s) {
        (Some(b), Some(r)) => format!(
            "{verb} successfully processed {b} bytes in {duration:.3} seconds ({r:.3} MB/sec) to {} URL(s){}. (Measured by SqlUrlBackup: the server's own completion message is not passed on by the driver.)",
            res.urls.len(),
            match res.bytes {
                Some(stored) if stored != b => format!(", {stored} bytes stored"),
                _ => String::new(),
            }
        ),
        _ => format!(
            "{verb} completed without error in {duration:.3} seconds to {} URL(s). (The size could not be read back; the server's own completion message is not passed on by the driver.)",
            res.urls.len()
        ),
    }
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(extra: &str) -> std::result::Result<BackupRequest, Error> {
        let r: BackupRequest = crate::ops::test_request(extra)?;
        r.validate()?;
        Ok(r)
    }

    #[test]
    fn valid_requests() {
        let r = req(r#""databases":["Sales","HR"],"container_url":"https://a.blob.core.windows.net/c""#).unwrap();
        assert!(r.checksum);
        assert_eq!(r.max_transfer_size, 4_194_304);
        assert_eq!(r.block_size, 65_536);
        assert_eq!(r.throttle, 4);
        req(r#""databases":["Sales"],"urls":["https://a.blob.core.windows.net/c/1.bak","https://a.blob.core.windows.net/c/2.bak"],"type":"log""#).unwrap();
    }

    #[test]
    fn invalid_requests_say_why() {
        let cases = [
            (r#""databases":[],"container_url":"https://a.blob.core.windows.net/c""#, "databases is empty"),
            (r#""databases":["a","A"],"container_url":"https://a.blob.core.windows.net/c""#, "twice"),
            (r#""databases":["a"]"#, "destination"),
            (r#""databases":["a","b"],"urls":["https://a.blob.core.windows.net/c/1.bak"]"#, "exactly one database"),
            (r#""databases":["a"],"container_url":"http://a/c""#, "container_url"),
            (r#""databases":["a"],"container_url":"https://a.blob.core.windows.net/c","type":"incremental""#, "incremental"),
            (r#""databases":["a"],"container_url":"https://a.blob.core.windows.net/c","block_size":1000"#, "block_size"),
            (r#""databases":["a"],"container_url":"https://a.blob.core.windows.net/c","throttle":0"#, "throttle"),
            (r#""databases":["a"],"container_url":"https://a.blob.core.windows.net/c","max_transfer_size":8388608"#, "4194304"),
            (r#""databases":["a"],"urls":["https://a.blob.core.windows.net/c/1.bak"],"max_transfer_size":20971520"#, "Azure Blob Storage"),
            (r#""databases":["a"],"container_url":"https://a.blob.core.windows.net/c","file_name_template":"{x}""#, "{x}"),
            (r#""databases":["a"],"container_url":"https://a.blob.core.windows.net/c","stripes":65"#, "stripes"),
            (r#""databases":["a"],"container_url":"https://a.blob.core.windows.net/c","encryption":{"algorithm":"DES","server_certificate":"c"}"#, "DES"),
            (r#""databases":["a"],"container_url":"https://a.blob.core.windows.net/c","compresion":true"#, "compresion"),
        ];
        for (body, needle) in cases {
            let e = req(body).err().unwrap_or_else(|| panic!("accepted: {body}"));
            assert!(e.to_string().contains(needle), "{body}: {e}");
            assert!(matches!(e, Error::InvalidArgument(_) | Error::InvalidUrl(_)), "{e:?}");
        }
    }
}
