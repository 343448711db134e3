//! Blobs → backup sets. Stripes share `sqlurl_backup_set_id`; a set whose stripes are not all
//! present is flagged (it cannot be restored); blobs without our metadata are "unknown" (written
//! by another tool: a server can still read them with RESTORE HEADERONLY).

use std::collections::BTreeMap;

use super::metadata::{from_metadata, BackupMeta};
use super::BlobEntry;
use crate::ops::inspect::BackupHeader;

/// One backup set found in the container.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogSet {
    /// The header as the metadata of the first stripe present describes it.
    pub header: BackupHeader,
    /// Stripe URLs in stripe order (only those present).
    pub urls: Vec<String>,
    /// Stripe numbers present, in order.
    pub stripes_present: Vec<u32>,
    /// How many stripes the set was written with.
    pub stripes: u32,
    /// Stripe numbers that are missing (the set cannot be restored while this is not empty).
    pub missing_stripes: Vec<u32>,
    /// Bytes stored over all stripes present.
    pub stored_bytes: u64,
    /// Newest Last-Modified of the stripes (UTC): when the set was completed in storage.
    pub last_modified: Option<chrono::DateTime<chrono::Utc>>,
    /// Any stripe under an active lease.
    pub leased: bool,
    /// When the backup finished (UTC), from the metadata, when the writer recorded it.
    pub finish_utc: Option<chrono::DateTime<chrono::Utc>>,
    /// Stripes whose metadata disagrees with the first one (other database, type or LSNs).
    pub inconsistent: Vec<String>,
    /// Written by another tool: described by `RESTORE HEADERONLY` on a server, not by metadata.
    pub from_headeronly: bool,
}

impl CatalogSet {
    pub fn is_complete(&self) -> bool {
        self.missing_stripes.is_empty() && self.inconsistent.is_empty()
    }
    /// `full`, `differential`, `log`.
    pub fn kind(&self) -> &'static str {
        match self.header.backup_type {
            1 => "full",
            5 => "differential",
            2 => "log",
            _ => "other",
        }
    }
}

/// A blob that is not one of ours, or whose metadata could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct UnknownBlob {
    pub url: String,
    pub size: u64,
    pub last_modified: Option<chrono::DateTime<chrono::Utc>>,
    pub leased: bool,
    /// Why it is unknown: no metadata, or what was wrong with it.
    pub reason: String,
}

/// The container as a catalog.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catalog {
    /// Sets ordered by database, then finish time, then first LSN.
    pub sets: Vec<CatalogSet>,
    pub unknown: Vec<UnknownBlob>,
}

/// Incremental grouping: feed blobs page by page ([`Grouper::add`]); only one small record per
/// blob is kept, never the listing pages.
#[derive(Debug, Default)]
pub struct Grouper {
    sets: BTreeMap<String, (BackupMeta, Vec<(u32, BlobEntry)>)>,
    unknown: Vec<UnknownBlob>,
}

impl Grouper {
    pub fn add(&mut self, mut blob: BlobEntry) {
        match from_metadata(&blob.metadata) {
            Ok(Some(meta)) => {
                blob.metadata.clear(); // kept in `meta`; do not hold it twice
                let key = meta.header.backup_set_guid.to_ascii_lowercase();
                let stripe = meta.stripe;
                self.sets.entry(key).or_insert_with(|| (meta.clone(), Vec::new())).1.push((stripe, blob_with_meta(blob, &meta)));
            }
            Ok(None) => self.unknown.push(unknown(&blob, "no SqlUrlBackup metadata (written by another tool or before metadata was set)".into())),
            Err(e) => self.unknown.push(unknown(&blob, format!("unreadable SqlUrlBackup metadata: {e}"))),
        }
    }

    pub fn finish(self) -> Catalog {
        let mut sets: Vec<CatalogSet> = self.sets.into_values().map(|(first, stripes)| build_set(first, stripes)).collect();
        sort_sets(&mut sets);
        let mut unknown = self.unknown;
        unknown.sort_by(|a, b| a.url.cmp(&b.url));
        Catalog { sets, unknown }
    }
}

/// Groups a whole listing at once.
pub fn group(blobs: impl IntoIterator<Item = BlobEntry>) -> Catalog {
    let mut g = Grouper::default();
    for b in blobs {
        g.add(b);
    }
    g.finish()
}

/// The catalog's order: database, then finish time, then first LSN.
pub(crate) fn sort_sets(sets: &mut [CatalogSet]) {
    sets.sort_by(|a, b| {
        (a.header.database_name.to_lowercase(), a.header.backup_finish_date, lsn(&a.header.first_lsn))
            .cmp(&(b.header.database_name.to_lowercase(), b.header.backup_finish_date, lsn(&b.header.first_lsn)))
    });
}

fn lsn(v: &str) -> u128 {
    v.parse().unwrap_or(0)
}

fn unknown(b: &BlobEntry, reason: String) -> UnknownBlob {
    UnknownBlob { url: b.url.clone(), size: b.size, last_modified: b.last_modified, leased: b.leased, reason }
}

/// The blob, remembering the fields a consistency check needs in its (now empty) metadata map.
fn blob_with_meta(mut b: BlobEntry, m: &BackupMeta) -> BlobEntry {
    let h = &m.header;
    b.metadata.insert("k".into(), format!("{}|{}|{}|{}|{}", h.database_name, h.backup_type, h.first_lsn, h.last_lsn, m.stripes));
    b
}

fn build_set(first: BackupMeta, mut stripes: Vec<(u32, BlobEntry)>) -> CatalogSet {
    stripes.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.url.cmp(&b.1.url)));
    let expect = format!("{}|{}|{}|{}|{}", first.header.database_name, first.header.backup_type, first.header.first_lsn, first.header.last_lsn, first.stripes);
    let mut inconsistent = Vec::new();
    let mut present = Vec::new();
    let mut urls = Vec::new();
    for (n, b) in &stripes {
        if b.metadata.get("k") != Some(&expect) {
            inconsistent.push(format!("{}: its metadata describes another backup than the other stripes of set {}", b.url, first.header.backup_set_guid));
            continue;
        }
        if present.contains(n) {
            inconsistent.push(format!("{}: stripe {n} appears twice in set {}", b.url, first.header.backup_set_guid));
            continue;
        }
        present.push(*n);
        urls.push(b.url.clone());
    }
    let missing = (1..=first.stripes).filter(|n| !present.contains(n)).collect();
    CatalogSet {
        stored_bytes: stripes.iter().map(|(_, b)| b.size).sum(),
        last_modified: stripes.iter().filter_map(|(_, b)| b.last_modified).max(),
        leased: stripes.iter().any(|(_, b)| b.leased),
        finish_utc: first.finish_utc,
        header: first.header,
        urls,
        stripes_present: present,
        stripes: first.stripes,
        missing_stripes: missing,
        inconsistent,
        from_headeronly: false,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::metadata::to_metadata;
    use super::*;

    pub(crate) fn blob(name: &str, h: &BackupHeader, stripe: u32, stripes: u32) -> BlobEntry {
        BlobEntry {
            name: name.into(),
            url: format!("https://acct.blob.core.windows.net/backups/{name}"),
            size: 1000,
            last_modified: Some(chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap()),
            leased: false,
            metadata: to_metadata(h, stripe, stripes),
        }
    }

    pub(crate) fn hdr(t: i32, db: &str, guid: &str, first: u128, last: u128, finish_min: u32) -> BackupHeader {
        BackupHeader {
            backup_type: t,
            database_name: db.into(),
            server_name: "SQLVM01".into(),
            first_lsn: first.to_string(),
            last_lsn: last.to_string(),
            checkpoint_lsn: first.to_string(),
            backup_finish_date: chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap().and_hms_opt(0, 0, 0).map(|t| t + chrono::Duration::minutes(finish_min as i64)),
            backup_set_guid: guid.into(),
            ..Default::default()
        }
    }

    #[test]
    fn stripes_are_grouped_and_a_missing_stripe_is_flagged() {
        let full = hdr(1, "Sales", "g-full", 100, 200, 10);
        let log = hdr(2, "Sales", "g-log", 200, 300, 20);
        let hr = hdr(1, "HR", "g-hr", 50, 60, 5);
        let mut foreign = blob("other/tool.bak", &full, 1, 1);
        foreign.metadata.clear();
        let cat = group(vec![
            blob("Sales_full_3-of-3.bak", &full, 3, 3),
            blob("Sales_log.bak", &log, 1, 1),
            blob("Sales_full_1-of-3.bak", &full, 1, 3),
            blob("HR_full_1-of-2.bak", &hr, 1, 2),
            foreign,
            blob("Sales_full_2-of-3.bak", &full, 2, 3),
        ]);
        assert_eq!(cat.sets.len(), 3);
        assert_eq!(cat.sets[0].header.database_name, "HR");
        assert_eq!(cat.sets[0].missing_stripes, vec![2]);
        assert!(!cat.sets[0].is_complete());
        let f = &cat.sets[1];
        assert_eq!(f.kind(), "full");
        assert!(f.is_complete());
        assert_eq!(f.stripes_present, vec![1, 2, 3]);
        assert!(f.urls[0].ends_with("1-of-3.bak") && f.urls[2].ends_with("3-of-3.bak"), "{:?}", f.urls);
        assert_eq!(f.stored_bytes, 3000);
        assert_eq!(cat.sets[2].kind(), "log");
        assert_eq!(cat.unknown.len(), 1);
        assert!(cat.unknown[0].reason.contains("no SqlUrlBackup metadata"));
    }

    #[test]
    fn inconsistent_stripes_and_broken_metadata() {
        let full = hdr(1, "Sales", "g1", 100, 200, 10);
        let mut other = full.clone();
        other.last_lsn = "999".into();
        let mut broken = blob("broken.bak", &full, 1, 1);
        broken.metadata.insert("sqlurl_stripe".into(), "x".into());
        let cat = group(vec![blob("a.bak", &full, 1, 2), blob("b.bak", &other, 2, 2), broken]);
        assert_eq!(cat.sets.len(), 1);
        assert!(!cat.sets[0].is_complete());
        assert_eq!(cat.sets[0].missing_stripes, vec![2]);
        assert!(cat.sets[0].inconsistent[0].contains("b.bak"));
        assert!(cat.unknown[0].reason.contains("unreadable"), "{:?}", cat.unknown);
    }
}
