//! The catalog calls: storage listing + the pure catalog logic ([`crate::backup_catalog`]).

use crate::api_catalog::*;
use crate::backup_catalog::{chain, group, retention};
use crate::errors::{Error, Result};
use crate::tsql::restore::parse_stop_at;

pub(crate) async fn read_catalog(storage: &StorageRequest, prefix: Option<&str>, page_size: Option<u32>) -> Result<(group::Catalog, u64, String)> {
    let target = storage.target();
    let container = super::client::container(&target)?;
    let mut g = group::Grouper::default();
    let n = super::list::list_with(&container, prefix, page_size, &mut |page| {
        for b in page {
            g.add(b);
        }
    })
    .await?;
    Ok((g.finish(), n, container.container_url))
}

/// `sqlurl_backup_list`.
pub async fn list(req: BackupListRequest) -> Result<BackupListResult> {
    let kind = match req.kind.as_deref().map(str::to_ascii_lowercase) {
        None => None,
        Some(k) if matches!(k.as_str(), "full" | "differential" | "log") => Some(k),
        Some(k) => return Err(Error::invalid(format!("type '{k}' is not one of full, differential, log"))),
    };
    let since = req.since.as_deref().map(|s| parse_stop_at(s).map_err(|_| Error::invalid(format!("since '{s}' is not a date and time such as 2026-11-26T16:40:00")))).transpose()?;
    let conn: Option<crate::api::ConnectionRequest> =
        req.connection.clone().map(serde_json::from_value).transpose().map_err(|e| Error::invalid(format!("connection is not valid: {e}")))?;
    let (mut cat, n, container_url) = read_catalog(&req.storage, req.prefix.as_deref(), req.page_size).await?;
    if let Some(conn) = &conn {
        read_foreign(conn, &mut cat).await?;
    }
    let eq = |a: &str, b: &Option<String>| b.as_deref().is_none_or(|b| a.eq_ignore_ascii_case(b));
    let sets = cat
        .sets
        .iter()
        .filter(|s| eq(&s.header.database_name, &req.database) && eq(&s.header.server_name, &req.server))
        .filter(|s| kind.as_deref().is_none_or(|k| s.kind() == k))
        .filter(|s| since.is_none_or(|t| s.header.backup_finish_date.is_some_and(|f| f >= t)))
        .map(BackupSetInfo::from)
        .collect();
    Ok(BackupListResult { container_url, blobs_listed: n, sets, unknown: cat.unknown.iter().map(UnknownBlobInfo::from).collect() })
}

/// Reads every unknown blob with `RESTORE HEADERONLY` (and `RESTORE LABELONLY`: which stripe of
/// how many) on the server, one blob at a time — a blob that fails keeps its reason, the others
/// are read — and groups what it returns.
async fn read_foreign(conn: &crate::api::ConnectionRequest, cat: &mut group::Catalog) -> Result<()> {
    if cat.unknown.is_empty() {
        return Ok(());
    }
    let mut client = crate::connect::connect(conn).await?;
    let mut read = Vec::with_capacity(cat.unknown.len());
    for u in &cat.unknown {
        let r = crate::ops::inspect::read_headers(&mut client, std::slice::from_ref(&u.url)).await;
        let r = r.map_err(|e| e.to_string()).and_then(|hs| hs.into_iter().next().ok_or_else(|| "it returned no backup set".to_string()));
        let r = match r {
            // which stripe of how many (a blob LABELONLY cannot read counts as one of one)
            Ok(header) => Ok(crate::backup_catalog::foreign::ForeignBlob { header, family: crate::ops::inspect::read_family(&mut client, &u.url).await.ok().flatten() }),
            Err(e) => Err(e),
        };
        read.push((u.url.clone(), r));
    }
    crate::connect::close(client).await;
    crate::backup_catalog::foreign::merge_headers(cat, read, &conn.server);
    Ok(())
}

/// `sqlurl_backup_chain`.
pub async fn chain(req: BackupChainRequest) -> Result<BackupChainResult> {
    let point = parse_point(req.point_in_time.as_deref())?;
    let (cat, _, _) = read_catalog(&req.storage, req.prefix.as_deref(), None).await?;
    chain_in(&cat, &req.database, point)
}

/// A point in time of a catalog request (server-local, as backup dates are).
pub(crate) fn parse_point(s: Option<&str>) -> Result<Option<chrono::NaiveDateTime>> {
    s.map(|s| parse_stop_at(s).map_err(|_| Error::invalid(format!("point_in_time '{s}' is not a date and time such as 2026-11-26T16:40:00 (server-local)")))).transpose()
}

/// The chain that restores `database` to `point` (or the newest point), from a catalog already
/// read (the restore drill reads the container once for all its databases).
pub(crate) fn chain_in(cat: &group::Catalog, database: &str, point: Option<chrono::NaiveDateTime>) -> Result<BackupChainResult> {
    let c = chain::pick(cat, database, point).map_err(|e| match e {
        chain::ChainError::NoBackups(_) => Error::Precondition { kind: crate::errors::ErrorKind::BackupBlobNotFound, message: e.to_string() },
        chain::ChainError::Sequence { .. } => Error::Precondition { kind: crate::errors::ErrorKind::BackupChainBroken, message: e.to_string() },
    })?;
    Ok(BackupChainResult {
        urls: c.urls(),
        database: c.database,
        point_in_time: point.map(|p| p.format("%Y-%m-%dT%H:%M:%S%.3f").to_string()),
        steps: c
            .steps
            .into_iter()
            .map(|s| ChainStepInfo {
                kind: s.kind.into(),
                backup_set_id: s.backup_set_id,
                finish: s.finish.map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3f").to_string()),
                first_lsn: s.first_lsn,
                last_lsn: s.last_lsn,
                urls: s.urls,
            })
            .collect(),
        skipped: c.skipped,
    })
}

/// `sqlurl_backup_retention`: plans, and unless `dry_run` deletes the expired sets' blobs.
pub async fn retention(req: RetentionRequest) -> Result<RetentionResult> {
    if req.retention_days == 0 {
        return Err(Error::invalid("retention_days must be at least 1"));
    }
    let (cat, _, _) = read_catalog(&req.storage, req.prefix.as_deref(), None).await?;
    let cutoff = chrono::Utc::now() - chrono::Duration::days(req.retention_days as i64);
    let plan = retention::plan(&cat, cutoff, &req.databases, req.force);
    let mut failures = Vec::new();
    let mut deleted = Vec::new();
    let mut kept: Vec<DecisionInfo> = plan.keep.iter().map(DecisionInfo::from).collect();
    if req.dry_run {
        deleted = plan.delete.iter().map(DecisionInfo::from).collect();
    } else {
        let target = req.storage.target();
        let prefix = format!("{}/", target.container_url.trim_end_matches('/'));
        let container_url = crate::url::parse_container_url(&target.container_url)?.url;
        for d in &plan.delete {
            let mut ok = true;
            for u in &d.urls {
                let name = u.strip_prefix(&format!("{container_url}/")).or_else(|| u.strip_prefix(&prefix)).unwrap_or(u);
                if let Err(e) = super::list::delete(&target, name).await {
                    ok = false;
                    failures.push(serde_json::json!({"url": u, "error": e.to_json()}));
                }
            }
            let mut info = DecisionInfo::from(d);
            if ok {
                deleted.push(info);
            } else {
                info.reason = format!("{} — but deleting failed (see failures); what was not deleted is still there", info.reason);
                kept.push(info);
            }
        }
    }
    Ok(RetentionResult { dry_run: req.dry_run, cutoff: cutoff.to_rfc3339_opts(chrono::SecondsFormat::Secs, true), deleted, kept, failures })
}
