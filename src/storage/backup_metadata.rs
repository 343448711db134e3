//! Metadata on write (issue 15): after a backup succeeded, every stripe gets the blob metadata
//! of the backup set ([`crate::backup_catalog::metadata`]) from `RESTORE HEADERONLY`, so the
//! container can be listed as a catalog. A failed backup never gets here, so it never looks
//! complete. Writing metadata is best effort: a failure is a warning in the backup's result, the
//! backup itself stands.

use crate::api_catalog::StorageRequest;
use crate::backup_catalog::metadata::{to_metadata, with_finish_utc};
use crate::connect::Client;
use crate::operation::Reporter;
use crate::api::BackupResult;
use crate::ops::inspect;

/// The blob name of `url` inside `container_url` (both normalised), or `None` when the URL is
/// not in that container.
pub fn blob_name<'a>(container_url: &str, url: &'a str) -> Option<&'a str> {
    let c = container_url.trim_end_matches('/');
    url.get(..c.len()).filter(|p| p.eq_ignore_ascii_case(c))?;
    url[c.len()..].strip_prefix('/').filter(|n| !n.is_empty())
}

/// Called by the backup operation after the backup succeeded (one call; nothing happens
/// without `storage`).
pub async fn after_backup(storage: Option<&StorageRequest>, client: &mut Client, urls: &[String], rep: &Reporter, res: &mut BackupResult) {
    let Some(storage) = storage else { return };
    let finished = chrono::Utc::now();
    let warn = |res: &mut BackupResult, m: String| {
        rep.message(format!("warning: {m}"));
        res.warnings.push(m);
    };
    let header = match inspect::read_headers(client, urls).await {
        Ok(h) if !h.is_empty() => h.last().cloned().unwrap_or_default(),
        Ok(_) => return warn(res, "the blob metadata was not written: RESTORE HEADERONLY returned no backup set".into()),
        Err(e) => return warn(res, format!("the blob metadata was not written: RESTORE HEADERONLY failed ({e})")),
    };
    let target = storage.target();
    let container_url = match crate::url::parse_container_url(&target.container_url) {
        Ok(c) => c.url,
        Err(e) => return warn(res, format!("the blob metadata was not written: {e}")),
    };
    let n = urls.len() as u32;
    let mut written = 0;
    for (i, u) in urls.iter().enumerate() {
        let Some(name) = blob_name(&container_url, u) else {
            warn(res, format!("the blob metadata was not written on {u}: it is not in the storage container {container_url}"));
            continue;
        };
        let m = with_finish_utc(to_metadata(&header, i as u32 + 1, n), finished);
        match super::list::set_metadata(&target, name, &m).await {
            Ok(()) => written += 1,
            Err(e) => warn(res, format!("the blob metadata was not written on {u}: {e}")),
        }
    }
    if written == urls.len() {
        rep.message(format!("blob metadata written on {written} stripe(s)"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_names_inside_the_container() {
        let c = "https://acct.blob.core.windows.net/backups";
        assert_eq!(blob_name(c, "https://acct.blob.core.windows.net/backups/SQLVM01/Sales/x.bak"), Some("SQLVM01/Sales/x.bak"));
        assert_eq!(blob_name(c, "https://acct.blob.core.windows.net/backups2/x.bak"), None);
        assert_eq!(blob_name(c, "https://acct.blob.core.windows.net/backups/"), None);
        assert_eq!(blob_name(c, "https://other.blob.core.windows.net/backups/x.bak"), None);
    }
}
