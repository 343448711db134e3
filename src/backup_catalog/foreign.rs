//! Blobs written by other tools (no SqlUrlBackup metadata), read through `RESTORE HEADERONLY` on
//! a server and then grouped like the others: each header becomes the metadata it would have
//! carried. A blob that HEADERONLY reads alone is a one-stripe set (SQL Server refuses one stripe
//! of a striped media set, error 3132, so such a stripe stays unknown with the server's reason).

use std::collections::HashSet;

use super::group::{sort_sets, Catalog, Grouper};
use super::metadata::to_metadata;
use super::BlobEntry;
use crate::ops::inspect::BackupHeader;

/// Merges what HEADERONLY returned for unknown blobs (`url` → header, or the error text) into
/// `cat`: a blob read becomes (part of) a set with `from_headeronly`; a blob that could not be
/// read stays unknown and its reason says why.
pub fn merge_headers(cat: &mut Catalog, read: Vec<(String, Result<BackupHeader, String>)>, server: &str) {
    let mut g = Grouper::default();
    let mut read_urls = HashSet::new();
    for (url, r) in read {
        let Some(u) = cat.unknown.iter_mut().find(|u| u.url == url) else { continue };
        match r {
            Ok(mut h) => {
                if h.backup_set_guid.trim().is_empty() {
                    h.backup_set_guid = url.clone(); // one set per blob when the header names none
                }
                let metadata = to_metadata(&h, 1, 1);
                g.add(BlobEntry { name: String::new(), url: url.clone(), size: u.size, last_modified: u.last_modified, leased: u.leased, metadata });
                read_urls.insert(url);
            }
            Err(e) => u.reason = format!("{}; RESTORE HEADERONLY on {server} could not read it: {e}", u.reason),
        }
    }
    let mut found = g.finish();
    for s in &mut found.sets {
        s.from_headeronly = true;
    }
    cat.unknown.retain(|u| !read_urls.contains(&u.url));
    cat.sets.append(&mut found.sets);
    sort_sets(&mut cat.sets);
}

#[cfg(test)]
mod tests {
    use super::super::group::tests::{blob, hdr};
    use super::super::group::group;
    use super::*;

    #[test]
    fn read_headers_become_sets_in_order_and_failures_stay_unknown_with_the_reason() {
        let ours = hdr(1, "Sales", "g-ours", 100, 200, 30);
        let mut a = blob("other/a.bak", &ours, 1, 1);
        a.metadata.clear();
        let mut b = blob("other/b.bak", &ours, 1, 1);
        b.metadata.clear();
        let mut cat = group(vec![blob("Sales_full.bak", &ours, 1, 1), a.clone(), b.clone()]);
        assert_eq!(cat.unknown.len(), 2);
        let foreign = hdr(1, "Sales", "", 10, 20, 5);
        merge_headers(&mut cat, vec![(a.url.clone(), Ok(foreign)), (b.url.clone(), Err("Msg 3241: The media family on device is incorrectly formed.".into()))], "SQLVM01");
        assert_eq!(cat.sets.len(), 2);
        // sorted by finish: the foreign full (00:05) before ours (00:30)
        assert!(cat.sets[0].from_headeronly && !cat.sets[1].from_headeronly);
        assert_eq!(cat.sets[0].urls, vec![a.url.clone()]);
        assert_eq!(cat.sets[0].header.backup_set_guid, a.url, "no guid: one set per blob");
        assert!(cat.sets[0].is_complete());
        assert_eq!(cat.unknown.len(), 1);
        assert!(cat.unknown[0].reason.contains("RESTORE HEADERONLY on SQLVM01 could not read it: Msg 3241"), "{}", cat.unknown[0].reason);
    }
}
