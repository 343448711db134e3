//! Blobs written by other tools (no SqlUrlBackup metadata), read through `RESTORE HEADERONLY` on
//! a server and then grouped like the others: each header becomes the metadata it would have
//! carried. HEADERONLY and LABELONLY read any one member of a media set; LABELONLY's
//! `FamilySequenceNumber` and `FamilyCount` say which stripe of how many the blob is, so the
//! stripes of another tool's striped backup group into one set (and a missing one is flagged) as
//! ours do.

use std::collections::HashSet;

use super::group::{sort_sets, Catalog, Grouper};
use super::metadata::to_metadata;
use super::BlobEntry;
use crate::ops::inspect::BackupHeader;

/// What the server read from one blob: its header (HEADERONLY) and, when LABELONLY answered,
/// `(FamilySequenceNumber, FamilyCount)`.
#[derive(Debug, Clone, PartialEq)]
pub struct ForeignBlob {
    pub header: BackupHeader,
    pub family: Option<(i64, i64)>,
}

/// Which stripe of how many the blob is; one of one when the server did not say or the numbers
/// make no sense.
fn stripe_of(family: Option<(i64, i64)>) -> (u32, u32) {
    match family {
        Some((n, c)) if n >= 1 && n <= c && c <= 64 => (n as u32, c as u32),
        _ => (1, 1),
    }
}

/// Merges what HEADERONLY returned for unknown blobs (`url` → header, or the error text) into
/// `cat`: a blob read becomes (part of) a set with `from_headeronly`; a blob that could not be
/// read stays unknown and its reason says why.
pub fn merge_headers(cat: &mut Catalog, read: Vec<(String, Result<ForeignBlob, String>)>, server: &str) {
    let mut g = Grouper::default();
    let mut read_urls = HashSet::new();
    for (url, r) in read {
        let Some(u) = cat.unknown.iter_mut().find(|u| u.url == url) else { continue };
        match r {
            Ok(ForeignBlob { header: mut h, family }) => {
                if h.backup_set_guid.trim().is_empty() {
                    h.backup_set_guid = url.clone(); // one set per blob when the header names none
                }
                let (stripe, stripes) = stripe_of(family);
                let metadata = to_metadata(&h, stripe, stripes);
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
        merge_headers(&mut cat, vec![(a.url.clone(), Ok(ForeignBlob { header: foreign, family: None })), (b.url.clone(), Err("Msg 3241: The media family on device is incorrectly formed.".into()))], "SQLVM01");
        assert_eq!(cat.sets.len(), 2);
        // sorted by finish: the foreign full (00:05) before ours (00:30)
        assert!(cat.sets[0].from_headeronly && !cat.sets[1].from_headeronly);
        assert_eq!(cat.sets[0].urls, vec![a.url.clone()]);
        assert_eq!(cat.sets[0].header.backup_set_guid, a.url, "no guid: one set per blob");
        assert!(cat.sets[0].is_complete());
        assert_eq!(cat.unknown.len(), 1);
        assert!(cat.unknown[0].reason.contains("RESTORE HEADERONLY on SQLVM01 could not read it: Msg 3241"), "{}", cat.unknown[0].reason);
    }

    #[test]
    fn the_stripes_of_a_foreign_striped_set_group_by_family_and_a_missing_one_is_flagged() {
        let h = |seq| ForeignBlob { header: hdr(1, "HR", "g-foreign", 10, 20, 5), family: Some((seq, 3)) };
        let bare = |name: &str| {
            let mut b = blob(name, &hdr(1, "HR", "x", 1, 2, 1), 1, 1);
            b.metadata.clear();
            b
        };
        let (a, b, c) = (bare("t/hr_1.bak"), bare("t/hr_3.bak"), bare("t/odd.bak"));
        let mut cat = group(vec![a.clone(), b.clone(), c.clone()]);
        let odd = ForeignBlob { header: hdr(2, "HR", "g-odd", 20, 30, 6), family: Some((5, 2)) };
        merge_headers(&mut cat, vec![(a.url.clone(), Ok(h(1))), (b.url.clone(), Ok(h(3))), (c.url.clone(), Ok(odd))], "S");
        assert!(cat.unknown.is_empty());
        let set = cat.sets.iter().find(|s| s.header.backup_set_guid == "g-foreign").unwrap();
        assert_eq!((set.stripes, set.urls.len(), set.missing_stripes.clone()), (3, 2, vec![2]));
        assert!(!set.is_complete());
        // nonsense family numbers: one stripe of one
        let odd = cat.sets.iter().find(|s| s.header.backup_set_guid == "g-odd").unwrap();
        assert_eq!((odd.stripes, odd.is_complete()), (1, true));
    }
}
