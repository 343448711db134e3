//! Per-database backup/restore history: identity GUID, LSNs, the differential base, the log
//! chain, and the state of a restore sequence. Lives in `state::Mutable::backup`.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use uuid::Uuid;

/// LSNs as SQL Server prints them (numeric(25,0)): VLF sequence × 10^15 + block × 10^5 + slot.
/// The simulator moves them in steps of one log block.
pub const LSN_BLOCK: u64 = 100_000;
/// "Work" done between two backups of a database, in log blocks.
pub const ACTIVITY_BLOCKS: u64 = 64;

/// The base of differentials: the last non-copy-only full backup.
#[derive(Debug, Clone, PartialEq)]
pub struct FullBase {
    pub backup_set_guid: Uuid,
    pub checkpoint_lsn: u64,
}

/// A restore sequence in progress (database left RESTORING by NORECOVERY).
#[derive(Debug, Clone, PartialEq)]
pub struct RestoreChain {
    /// The full backup the sequence started from (a differential must be based on it).
    pub full_backup_set_guid: Uuid,
    /// The log is redone up to this LSN; the next log backup must include it.
    pub redo_lsn: u64,
    /// The point in time the database has reached.
    pub reached_time: NaiveDateTime,
    /// A differential has been applied already.
    pub differential_applied: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DbHistory {
    pub database_guid: Uuid,
    pub current_lsn: u64,
    /// A full backup (copy-only or not) exists: the log chain can start.
    pub has_full: bool,
    pub diff_base: Option<FullBase>,
    /// First LSN of the next log backup (the end of the previous one, or of the full backup).
    pub log_chain_lsn: Option<u64>,
    /// Start time of the next log backup's records.
    pub log_chain_time: Option<NaiveDateTime>,
    pub restore: Option<RestoreChain>,
}

impl DbHistory {
    pub fn new(database_id: i32) -> Self {
        // Distinct, realistic-looking LSNs per database: VLF sequence 37 + id.
        let start = (37 + database_id.max(0) as u64) * 1_000_000_000_000_000 + 10 * LSN_BLOCK + 1;
        DbHistory {
            database_guid: Uuid::new_v4(),
            current_lsn: start,
            has_full: false,
            diff_base: None,
            log_chain_lsn: None,
            log_chain_time: None,
            restore: None,
        }
    }

    /// Advance the log as if `blocks` log blocks of work had happened; returns the new LSN.
    pub fn advance(&mut self, blocks: u64) -> u64 {
        self.current_lsn += blocks * LSN_BLOCK;
        self.current_lsn
    }
}

/// All databases' histories, keyed by lower-case database name.
#[derive(Debug, Clone, Default)]
pub struct Histories {
    dbs: HashMap<String, DbHistory>,
}

impl Histories {
    /// Forget a dropped database.
    pub fn remove(&mut self, name: &str) {
        self.dbs.remove(&name.to_lowercase());
    }

    pub fn get_or_create(&mut self, name: &str, database_id: i32) -> &mut DbHistory {
        self.dbs.entry(name.to_lowercase()).or_insert_with(|| DbHistory::new(database_id))
    }
    pub fn get(&self, name: &str) -> Option<&DbHistory> {
        self.dbs.get(&name.to_lowercase())
    }
    pub fn set(&mut self, name: &str, h: DbHistory) {
        self.dbs.insert(name.to_lowercase(), h);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lsns_advance_and_differ_per_database() {
        let mut hs = Histories::default();
        let a = hs.get_or_create("A", 5).current_lsn;
        let b = hs.get_or_create("b", 6).current_lsn;
        assert_ne!(a, b);
        let a2 = hs.get_or_create("a", 5).advance(3);
        assert_eq!(a2, a + 3 * LSN_BLOCK);
        assert_eq!(hs.get("A").unwrap().current_lsn, a2);
    }
}
