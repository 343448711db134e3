//! Retention: which backup sets may be deleted, and why every other set is kept.
//!
//! A set is expired when it finished before the cutoff: its UTC finish time from the metadata,
//! else when it was completed in storage (its newest stripe's Last-Modified, UTC). An expired set is still kept when
//! - a kept restore point needs it: for every kept set, the chain that restores to its end (full,
//!   differential, logs; [`super::chain`]) survives — so the full and differentials that kept
//!   logs build on are not deleted;
//! - a chain of a kept point cannot be built (a gap): nothing of that database is deleted, the
//!   report says why;
//! - any of its blobs is under an active lease (a backup in progress, or a failed one's leftover);
//! - it is the only complete full backup of the database (unless `force`).
//!
//! Blobs without our metadata are never deleted.

use std::collections::{BTreeMap, BTreeSet};

use super::chain;
use super::group::{Catalog, CatalogSet};

/// One decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub database: String,
    pub kind: &'static str,
    pub backup_set_id: String,
    pub urls: Vec<String>,
    /// When the set finished (UTC; the metadata's finish, else the storage Last-Modified).
    pub last_modified: Option<chrono::DateTime<chrono::Utc>>,
    pub reason: String,
}

/// What to delete and what to keep.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RetentionPlan {
    pub delete: Vec<Decision>,
    pub keep: Vec<Decision>,
}

fn decision(s: &CatalogSet, reason: impl Into<String>) -> Decision {
    Decision {
        database: s.header.database_name.clone(),
        kind: s.kind(),
        backup_set_id: s.header.backup_set_guid.clone(),
        urls: s.urls.clone(),
        last_modified: s.finish_utc.or(s.last_modified),
        reason: reason.into(),
    }
}

/// Plans retention for the sets of `databases` (all when empty; names compared
/// case-insensitively): sets completed before `cutoff` are candidates.
pub fn plan(catalog: &Catalog, cutoff: chrono::DateTime<chrono::Utc>, databases: &[String], force: bool) -> RetentionPlan {
    let mut by_db: BTreeMap<String, Vec<&CatalogSet>> = BTreeMap::new();
    for s in &catalog.sets {
        let db = s.header.database_name.to_lowercase();
        if databases.is_empty() || databases.iter().any(|d| d.to_lowercase() == db) {
            by_db.entry(db).or_default().push(s);
        }
    }
    let mut out = RetentionPlan::default();
    for sets in by_db.values() {
        plan_one(catalog, sets, cutoff, force, &mut out);
    }
    out
}

fn expired(s: &CatalogSet, cutoff: chrono::DateTime<chrono::Utc>) -> bool {
    // a set whose time is unknown is never expired
    s.finish_utc.or(s.last_modified).is_some_and(|t| t < cutoff)
}

fn plan_one(catalog: &Catalog, sets: &[&CatalogSet], cutoff: chrono::DateTime<chrono::Utc>, force: bool, out: &mut RetentionPlan) {
    let database = sets[0].header.database_name.clone();
    // what kept points need: the chain to the end of every kept set
    let mut needed: BTreeMap<String, String> = BTreeMap::new();
    let mut broken: Option<String> = None;
    for k in sets.iter().filter(|s| !expired(s, cutoff) && s.is_complete()) {
        match chain::pick(catalog, &database, k.header.backup_finish_date) {
            Ok(c) => {
                for st in c.steps {
                    needed.entry(st.backup_set_id.to_ascii_lowercase()).or_insert_with(|| {
                        format!("needed to restore to the kept {} backup that finished at {}", k.kind(), fmt(k.header.backup_finish_date))
                    });
                }
            }
            Err(e) => {
                broken.get_or_insert_with(|| format!("the chain to a kept {} backup ({}) cannot be built, so nothing of this database is deleted: {e}", k.kind(), k.header.backup_set_guid));
            }
        }
    }
    let complete_fulls: Vec<&&CatalogSet> = sets.iter().filter(|s| s.header.backup_type == 1 && s.is_complete()).collect();
    let mut deleted_fulls = BTreeSet::new();
    let mut pending: Vec<(&CatalogSet, Option<String>)> = Vec::new();
    for s in sets {
        let id = s.header.backup_set_guid.to_ascii_lowercase();
        let keep = if !expired(s, cutoff) {
            Some(if s.finish_utc.or(s.last_modified).is_none() { "its time is unknown".to_string() } else { "not expired".to_string() })
        } else if s.leased {
            Some("a blob of the set is under an active lease (a backup in progress, or a failed backup's leftover): never deleted".to_string())
        } else if let Some(why) = needed.get(&id) {
            Some(why.clone())
        } else {
            broken.clone()
        };
        if keep.is_none() && s.header.backup_type == 1 && s.is_complete() {
            deleted_fulls.insert(id);
        }
        pending.push((s, keep));
    }
    // never the only full: if every complete full would go, keep the newest one (unless forced)
    let only_full = !force && !complete_fulls.is_empty() && complete_fulls.iter().all(|f| deleted_fulls.contains(&f.header.backup_set_guid.to_ascii_lowercase()));
    let newest_full = complete_fulls.iter().max_by_key(|f| (f.header.backup_finish_date, f.last_modified)).map(|f| f.header.backup_set_guid.to_ascii_lowercase());
    for (s, keep) in pending {
        let id = s.header.backup_set_guid.to_ascii_lowercase();
        match keep {
            Some(why) => out.keep.push(decision(s, why)),
            None if only_full && newest_full.as_deref() == Some(id.as_str()) => {
                out.keep.push(decision(s, "the only full backup of the database would be deleted: kept (force to delete it)"))
            }
            None => out.delete.push(decision(
                s,
                if s.is_complete() { "expired and no kept restore point needs it".to_string() } else { format!("expired (and incomplete: stripes {:?} missing)", s.missing_stripes) },
            )),
        }
    }
}

fn fmt(t: Option<chrono::NaiveDateTime>) -> String {
    t.map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string()).unwrap_or_else(|| "an unknown time".into())
}

#[cfg(test)]
mod tests {
    use super::super::chain::tests::{blobs, week};
    use super::super::group::group;
    use super::*;

    fn ts(min: i64) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::from_timestamp(1_800_000_000 + min * 60, 0).unwrap()
    }

    /// The week's sets, each completed in storage at its finish minute.
    fn catalog() -> Catalog {
        let w = week();
        let mut bl = blobs(&w);
        for b in &mut bl {
            let (_, h, _) = w.iter().find(|(n, _, _)| b.name.starts_with(&format!("{n}_"))).unwrap();
            let min = (h.backup_finish_date.unwrap() - chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap().and_hms_opt(0, 0, 0).unwrap()).num_minutes();
            b.last_modified = Some(ts(min));
        }
        group(bl)
    }

    fn ids(v: &[Decision]) -> Vec<&str> {
        v.iter().map(|d| d.backup_set_id.as_str()).collect()
    }

    #[test]
    fn keeps_what_kept_points_need() {
        let cat = catalog();
        // cutoff after log1 (15) and before the diff (30): full1 and log1 are expired, but the kept
        // diff builds on full1; log1 is not needed (the diff covers it)
        let p = plan(&cat, ts(20), &[], false);
        assert_eq!(ids(&p.delete), vec!["log1"]);
        let full = p.keep.iter().find(|d| d.backup_set_id == "full1").unwrap();
        assert!(full.reason.contains("needed to restore"), "{}", full.reason);
        // cutoff after everything but log3: the chain to log3 is full1 + diff1 + log3, so the
        // logs the differential covers (log1, log2) go
        let p = plan(&cat, ts(40), &[], false);
        assert_eq!(ids(&p.delete), vec!["log1", "log2"]);
        assert_eq!(ids(&p.keep), vec!["full1", "diff1", "log3"]);
    }

    #[test]
    fn never_the_only_full_and_never_a_leased_set() {
        let cat = catalog();
        // everything expired: the only full stays (unless forced), everything else goes
        let p = plan(&cat, ts(100), &[], false);
        assert_eq!(ids(&p.keep), vec!["full1"]);
        assert!(p.keep[0].reason.contains("only full"));
        let p = plan(&cat, ts(100), &[], true);
        assert_eq!(p.keep.len(), 0);
        assert_eq!(p.delete.len(), 5);
        // a leased log is skipped
        let mut cat = catalog();
        cat.sets.iter_mut().find(|s| s.header.backup_set_guid == "log1").unwrap().leased = true;
        let p = plan(&cat, ts(20), &[], false);
        assert!(p.delete.is_empty(), "{:?}", p.delete);
        assert!(p.keep.iter().find(|d| d.backup_set_id == "log1").unwrap().reason.contains("lease"));
        // another database only: nothing of Sales is touched
        let p = plan(&cat, ts(100), &["HR".into()], false);
        assert!(p.delete.is_empty() && p.keep.is_empty());
    }

    #[test]
    fn a_broken_chain_deletes_nothing_of_that_database() {
        let w = week();
        let mut bl = blobs(&w);
        bl.retain(|b| b.name != "log2_1.bak" && b.name != "diff_1.bak");
        for b in &mut bl {
            b.last_modified = Some(if b.name.starts_with("log3") { ts(100) } else { ts(0) });
        }
        let cat = group(bl);
        // log3 is kept but cannot be reached (log2 and the diff missing): full and log1 stay
        let p = plan(&cat, ts(50), &[], false);
        assert!(p.delete.is_empty(), "{:?}", p.delete);
        assert!(p.keep.iter().any(|d| d.reason.contains("cannot be built")), "{:?}", p.keep);
    }
}
