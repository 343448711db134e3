//! The chain that restores one database to a point in time, picked from the catalog: the newest
//! full before the point, the newest differential on it, and the log chain to the point — by the
//! same rules as a sequence restore ([`crate::ops::sequence::plan`]), so a gap is reported before
//! anything is restored. Sets with a missing stripe never take part (they cannot be restored).

use super::group::{Catalog, CatalogSet};
use crate::ops::sequence::{self, BackupSet, SequenceError};

/// One step of the chosen chain.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainStep {
    /// `full`, `differential`, `log`.
    pub kind: &'static str,
    pub urls: Vec<String>,
    pub backup_set_id: String,
    pub finish: Option<chrono::NaiveDateTime>,
    pub first_lsn: String,
    pub last_lsn: String,
}

/// The chain, and what was left out and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Chain {
    pub database: String,
    pub steps: Vec<ChainStep>,
    /// Sets of this database that could not be used (a missing stripe), named for the report.
    pub skipped: Vec<String>,
}

impl Chain {
    /// Every URL, in restore order (what a sequence restore takes).
    pub fn urls(&self) -> Vec<String> {
        self.steps.iter().flat_map(|s| s.urls.iter().cloned()).collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("the container holds no backup of database '{0}'")]
    NoBackups(String),
    #[error("database '{database}': {source}{skipped}")]
    Sequence {
        database: String,
        #[source]
        source: SequenceError,
        /// A note on sets left out for missing stripes, when there were any.
        skipped: String,
    },
}

/// Picks the chain for `database` (case-insensitive) up to `point` (server-local time; `None`:
/// the newest point the backups reach).
pub fn pick(catalog: &Catalog, database: &str, point: Option<chrono::NaiveDateTime>) -> Result<Chain, ChainError> {
    let mine: Vec<&CatalogSet> = catalog.sets.iter().filter(|s| s.header.database_name.eq_ignore_ascii_case(database)).collect();
    if mine.is_empty() {
        return Err(ChainError::NoBackups(database.to_string()));
    }
    let skipped: Vec<String> = mine
        .iter()
        .filter(|s| !s.is_complete())
        .map(|s| format!("{} backup set {} (stripes missing: {:?})", s.kind(), s.header.backup_set_guid, s.missing_stripes))
        .collect();
    let sets: Vec<BackupSet> = mine
        .iter()
        .filter(|s| s.is_complete() && matches!(s.header.backup_type, 1 | 2 | 5))
        .map(|s| BackupSet { header: s.header.clone(), urls: s.urls.clone() })
        .collect();
    let name = mine[0].header.database_name.clone();
    let steps = sequence::plan(sets, point).map_err(|source| ChainError::Sequence {
        database: name.clone(),
        source,
        skipped: if skipped.is_empty() { String::new() } else { format!(" (left out because stripes are missing: {})", skipped.join("; ")) },
    })?;
    Ok(Chain {
        database: name,
        steps: steps
            .into_iter()
            .map(|st| ChainStep {
                kind: match st.set.header.backup_type {
                    1 => "full",
                    5 => "differential",
                    _ => "log",
                },
                backup_set_id: st.set.header.backup_set_guid.clone(),
                finish: st.set.header.backup_finish_date,
                first_lsn: st.set.header.first_lsn.clone(),
                last_lsn: st.set.header.last_lsn.clone(),
                urls: st.set.urls,
            })
            .collect(),
        skipped,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::group::group;
    use super::super::group::tests::{blob, hdr};
    use super::*;
    use crate::ops::inspect::BackupHeader;

    /// full(100..200, ckpt 150) → log(200..300) → diff(base 150, 300..400) → log(300..400) → log(400..500)
    pub(crate) fn week() -> Vec<(String, BackupHeader, u32)> {
        let mut full = hdr(1, "Sales", "full1", 100, 200, 0);
        full.checkpoint_lsn = "150".into();
        let log1 = hdr(2, "Sales", "log1", 200, 300, 15);
        let mut diff = hdr(5, "Sales", "diff1", 300, 400, 30);
        diff.differential_base_lsn = "150".into();
        diff.database_backup_lsn = "150".into();
        let log2 = hdr(2, "Sales", "log2", 300, 400, 30);
        let log3 = hdr(2, "Sales", "log3", 400, 500, 45);
        vec![("full".into(), full, 2), ("log1".into(), log1, 1), ("diff".into(), diff, 1), ("log2".into(), log2, 1), ("log3".into(), log3, 1)]
    }

    pub(crate) fn blobs(v: &[(String, BackupHeader, u32)]) -> Vec<crate::backup_catalog::BlobEntry> {
        v.iter().flat_map(|(n, h, k)| (1..=*k).map(move |i| blob(&format!("{n}_{i}.bak"), h, i, *k))).collect()
    }

    fn at(min: u32) -> chrono::NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap().and_hms_opt(0, 0, 0).unwrap() + chrono::Duration::minutes(min as i64)
    }

    #[test]
    fn newest_full_newest_diff_and_logs_to_the_point() {
        let cat = group(blobs(&week()));
        let c = pick(&cat, "sales", Some(at(40))).unwrap();
        let kinds: Vec<&str> = c.steps.iter().map(|s| s.kind).collect();
        assert_eq!(kinds, vec!["full", "differential", "log"]);
        assert_eq!(c.steps[0].urls.len(), 2);
        assert_eq!(c.steps[2].backup_set_id, "log3");
        assert_eq!(c.urls().len(), 4);
        // no point: to the end of the last log
        let c = pick(&cat, "Sales", None).unwrap();
        assert_eq!(c.steps.last().unwrap().backup_set_id, "log3");
        // a point before the differential: full + log1 + log2 (the diff finished after it)
        let c = pick(&cat, "Sales", Some(at(20))).unwrap();
        let ids: Vec<&str> = c.steps.iter().map(|s| s.backup_set_id.as_str()).collect();
        assert_eq!(ids, vec!["full1", "log1", "log2"]);
    }

    #[test]
    fn a_gap_or_a_missing_stripe_is_reported() {
        let mut w = week();
        w.remove(4); // log3 gone: a point after log2 cannot be reached
        let cat = group(blobs(&w));
        assert!(matches!(pick(&cat, "Sales", Some(at(50))), Err(ChainError::Sequence { .. })));
        // the full's second stripe missing: no usable full
        let mut bl = blobs(&week());
        bl.retain(|b| b.name != "full_2.bak");
        let cat = group(bl);
        let e = pick(&cat, "Sales", None).unwrap_err();
        let t = e.to_string();
        assert!(t.contains("no full database backup") && t.contains("stripes missing: [2]"), "{t}");
        assert!(matches!(pick(&cat, "HR", None), Err(ChainError::NoBackups(_))));
        // a log missing in the middle: the gap is named
        let mut w = week();
        w.remove(3); // log2
        w.remove(2); // diff
        let e = pick(&group(blobs(&w)), "Sales", None).unwrap_err();
        assert!(e.to_string().contains("300"), "{e}");
    }
}
