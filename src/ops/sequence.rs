//! Orders a set of backups (full, differential, log — any order, stripes of one set grouped) into
//! a restore plan and checks the chain **before anything is restored**.
//!
//! Rules (SQL Server's, simplified to one database):
//! - the base is the latest full database backup (type 1) that finished no later than `stop_at`;
//! - then the latest differential (type 5) whose `DifferentialBaseLSN` equals the full's
//!   `CheckpointLSN` and that finished no later than `stop_at` (optional);
//! - then log backups (type 2): the first one must cover the base's `LastLSN`
//!   (`FirstLSN <= base.LastLSN < LastLSN`), each next one starts where the previous one ended
//!   (`FirstLSN == previous LastLSN`); logs that end before the base are skipped. With `stop_at`
//!   the sequence ends with the first log that finished at or after it (STOPAT goes on that one).
//! - A gap is an error naming the missing LSN range.

use std::collections::BTreeMap;

use super::inspect::BackupHeader;

/// One backup set: its header and the URLs of all its stripes.
#[derive(Debug, Clone, PartialEq)]
pub struct BackupSet {
    pub header: BackupHeader,
    pub urls: Vec<String>,
}

/// One step of the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub set: BackupSet,
    /// `true` for the full / differential steps, `false` for logs.
    pub is_database: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SequenceError {
    #[error("no backups were given")]
    Empty,
    #[error("backup header of {url} has an unreadable LSN '{value}'")]
    BadLsn { url: String, value: String },
    #[error("the backups belong to different databases ({0} and {1}); restore one database per sequence")]
    MixedDatabases(String, String),
    #[error("no full database backup is among the URLs{0}")]
    NoFull(String),
    #[error("the log backup chain is broken after LSN {from}: the next log backup given starts at LSN {to}; the log backups covering LSN {from} to {to} are missing")]
    Gap { from: String, to: String },
    #[error("no log backup continues the chain after LSN {from} (the {base} backup's last LSN); log backups from LSN {from} on are missing")]
    NoLogAfterBase { from: String, base: &'static str },
    #[error("stop_at {stop_at} is later than the end of the last log backup given ({last}); supply the later log backups or choose an earlier time")]
    StopAtBeyondEnd { stop_at: String, last: String },
    #[error("stop_at needs log backups: only full/differential backups were given")]
    StopAtWithoutLogs,
    #[error("backup type {0} ({1}) cannot be part of a restore sequence (only full, differential and log)")]
    UnsupportedType(i32, String),
}

fn lsn(v: &str, url: &str) -> Result<u128, SequenceError> {
    v.trim().parse::<u128>().map_err(|_| SequenceError::BadLsn { url: url.to_string(), value: v.to_string() })
}

/// Groups `(url, header)` pairs into backup sets (stripes share `backup_set_guid`, or
/// position + LSNs when the GUID is missing); URLs within a set are sorted.
pub fn group(pairs: Vec<(String, BackupHeader)>) -> Vec<BackupSet> {
    let mut sets: Vec<BackupSet> = Vec::new();
    for (url, h) in pairs {
        let key = |x: &BackupHeader| {
            if x.backup_set_guid.is_empty() {
                format!("{}|{}|{}|{}", x.database_name, x.backup_type, x.first_lsn, x.last_lsn)
            } else {
                x.backup_set_guid.to_ascii_lowercase()
            }
        };
        let k = key(&h);
        if let Some(s) = sets.iter_mut().find(|s| key(&s.header) == k) {
            s.urls.push(url);
        } else {
            sets.push(BackupSet { header: h, urls: vec![url] });
        }
    }
    // stripe order does not matter to the server; a stable order makes plans reproducible
    for s in &mut sets {
        s.urls.sort();
    }
    sets
}

/// A backup set with its LSNs parsed.
struct Parsed {
    set: BackupSet,
    first: u128,
    last: u128,
    checkpoint: u128,
    diff_base: u128,
}

/// Checks the sets (one database; full, differential or log) and parses their LSNs once.
fn parse_sets(sets: Vec<BackupSet>) -> Result<Vec<Parsed>, SequenceError> {
    if sets.is_empty() {
        return Err(SequenceError::Empty);
    }
    let first_db = sets[0].header.database_name.clone();
    for s in &sets {
        if !s.header.database_name.eq_ignore_ascii_case(&first_db) {
            return Err(SequenceError::MixedDatabases(first_db, s.header.database_name.clone()));
        }
        if !matches!(s.header.backup_type, 1 | 2 | 5) {
            return Err(SequenceError::UnsupportedType(s.header.backup_type, s.header.backup_type_description.clone()));
        }
    }
    let mut ps = Vec::new();
    for s in sets {
        let u = s.urls.first().cloned().unwrap_or_default();
        let h = &s.header;
        let first = lsn(&h.first_lsn, &u)?;
        let last = lsn(&h.last_lsn, &u)?;
        let checkpoint = if h.checkpoint_lsn.is_empty() { 0 } else { lsn(&h.checkpoint_lsn, &u)? };
        let diff_base = if h.differential_base_lsn.is_empty() { 0 } else { lsn(&h.differential_base_lsn, &u)? };
        ps.push(Parsed { set: s, first, last, checkpoint, diff_base });
    }
    Ok(ps)
}

/// The latest full backup (finished by `stop_at`) and the latest differential on it: the
/// steps, the LSN the logs must continue from, and the base's name.
fn base_steps(ps: &[Parsed], stop_at: Option<chrono::NaiveDateTime>) -> Result<(Vec<Step>, u128, &'static str), SequenceError> {
    let finished_by = |p: &Parsed| match (stop_at, p.set.header.backup_finish_date) {
        (Some(t), Some(f)) => f <= t,
        _ => true,
    };
    let full = ps
        .iter()
        .filter(|p| p.set.header.backup_type == 1 && finished_by(p))
        .max_by_key(|p| p.last)
        .ok_or_else(|| {
            SequenceError::NoFull(if stop_at.is_some() && ps.iter().any(|p| p.set.header.backup_type == 1) {
                " that finished before stop_at".into()
            } else {
                String::new()
            })
        })?;
    let diff = ps
        .iter()
        .filter(|p| p.set.header.backup_type == 5 && p.diff_base == full.checkpoint && p.last > full.last && finished_by(p))
        .max_by_key(|p| p.last);
    let mut steps = vec![Step { set: full.set.clone(), is_database: true }];
    match diff {
        Some(d) => {
            steps.push(Step { set: d.set.clone(), is_database: true });
            Ok((steps, d.last, "differential"))
        }
        None => Ok((steps, full.last, "full")),
    }
}

/// Plans the restore. `stop_at` is compared with `backup_finish_date` (both the server's time).
pub fn plan(sets: Vec<BackupSet>, stop_at: Option<chrono::NaiveDateTime>) -> Result<Vec<Step>, SequenceError> {
    let ps = parse_sets(sets)?;
    let (mut steps, mut at, base_name) = base_steps(&ps, stop_at)?;

    // logs by first LSN; duplicates (same range twice) collapse
    let mut logs: BTreeMap<(u128, u128), &Parsed> = BTreeMap::new();
    for p in ps.iter().filter(|p| p.set.header.backup_type == 2) {
        logs.entry((p.first, p.last)).or_insert(p);
    }
    let logs: Vec<&Parsed> = logs.into_values().filter(|p| p.last > at).collect();
    if logs.is_empty() {
        if stop_at.is_some() {
            return Err(SequenceError::StopAtWithoutLogs);
        }
        return Ok(steps);
    }
    let mut first_log = true;
    let mut reached_stop = stop_at.is_none();
    let mut idx = 0;
    while idx < logs.len() {
        // the next log must contain `at`
        let next = logs[idx..].iter().position(|p| if first_log { p.first <= at && at < p.last } else { p.first == at });
        let Some(off) = next else {
            let following = &logs[idx];
            if following.first > at {
                // a gap (or, for the first log, nothing covers the base: the first logs are missing)
                return Err(SequenceError::Gap { from: at.to_string(), to: following.first.to_string() });
            }
            // overlapping, non-contiguous log ranges (e.g. copy-only): skip it
            idx += 1;
            continue;
        };
        let p = logs[idx + off];
        steps.push(Step { set: p.set.clone(), is_database: false });
        at = p.last;
        first_log = false;
        idx += off + 1;
        if let (Some(t), Some(f)) = (stop_at, p.set.header.backup_finish_date) {
            if f >= t {
                reached_stop = true;
                break;
            }
        }
    }
    if first_log {
        return Err(SequenceError::NoLogAfterBase { from: at.to_string(), base: base_name });
    }
    if !reached_stop {
        let last = steps.last().and_then(|s| s.set.header.backup_finish_date).map(|d| d.to_string()).unwrap_or_default();
        return Err(SequenceError::StopAtBeyondEnd { stop_at: stop_at.map(|t| t.to_string()).unwrap_or_default(), last });
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(min: u32) -> chrono::NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap().and_hms_opt(12, min, 0).unwrap()
    }

    fn h(kind: i32, first: u128, last: u128, ckpt: u128, diff_base: u128, finish: u32, guid: &str) -> BackupHeader {
        BackupHeader {
            backup_type: kind,
            database_name: "Sales".into(),
            first_lsn: first.to_string(),
            last_lsn: last.to_string(),
            checkpoint_lsn: ckpt.to_string(),
            differential_base_lsn: if diff_base == 0 { String::new() } else { diff_base.to_string() },
            backup_finish_date: Some(t(finish)),
            backup_set_guid: guid.into(),
            ..Default::default()
        }
    }

    fn pairs() -> Vec<(String, BackupHeader)> {
        // full 100..200 ckpt 150; log 90..300; diff base 150 ending 400; logs 300..500, 500..600, 600..700
        vec![
            ("u/log3".into(), h(2, 600, 700, 0, 0, 40, "g6")),
            ("u/full_2".into(), h(1, 100, 200, 150, 0, 1, "g1")),
            ("u/log1".into(), h(2, 90, 300, 0, 0, 10, "g3")),
            ("u/diff".into(), h(5, 350, 400, 380, 150, 15, "g2")),
            ("u/full_1".into(), h(1, 100, 200, 150, 0, 1, "G1")),
            ("u/log2".into(), h(2, 300, 500, 0, 0, 20, "g4")),
            ("u/log2b".into(), h(2, 500, 600, 0, 0, 30, "g5")),
        ]
    }

    fn names(steps: &[Step]) -> Vec<String> {
        steps.iter().map(|s| s.set.urls.join("+")).collect()
    }

    #[test]
    fn full_then_latest_diff_then_logs() {
        let steps = plan(group(pairs()), None).unwrap();
        assert_eq!(names(&steps), vec!["u/full_1+u/full_2", "u/diff", "u/log2", "u/log2b", "u/log3"]);
        assert!(steps[0].is_database && steps[1].is_database && !steps[2].is_database);
    }

    #[test]
    fn stop_at_ends_with_the_log_that_contains_it() {
        let steps = plan(group(pairs()), Some(t(25))).unwrap();
        assert_eq!(names(&steps), vec!["u/full_1+u/full_2", "u/diff", "u/log2", "u/log2b"]);
    }

    #[test]
    fn stop_at_before_the_diff_uses_logs_from_the_full() {
        let steps = plan(group(pairs()), Some(t(12))).unwrap();
        assert_eq!(names(&steps), vec!["u/full_1+u/full_2", "u/log1", "u/log2"]);
    }

    #[test]
    fn gap_names_the_missing_range() {
        let p: Vec<_> = pairs().into_iter().filter(|(u, _)| u != "u/log2b").collect();
        let e = plan(group(p), None).unwrap_err();
        assert_eq!(e, SequenceError::Gap { from: "500".into(), to: "600".into() });
        assert!(e.to_string().contains("500") && e.to_string().contains("600"));
    }

    #[test]
    fn first_log_missing_after_the_base() {
        let p: Vec<_> = pairs().into_iter().filter(|(u, _)| u != "u/log2" && u != "u/diff").collect();
        // full ends at 200; log1 covers 90..300, then 500..600 follows: gap 300..500
        assert_eq!(plan(group(p), None).unwrap_err(), SequenceError::Gap { from: "300".into(), to: "500".into() });
        let p: Vec<_> = pairs().into_iter().filter(|(u, _)| u != "u/log1" && u != "u/log2" && u != "u/diff").collect();
        assert_eq!(plan(group(p), None).unwrap_err(), SequenceError::Gap { from: "200".into(), to: "500".into() });
    }

    #[test]
    fn no_full_and_mixed_databases() {
        let p: Vec<_> = pairs().into_iter().filter(|(u, _)| !u.starts_with("u/full")).collect();
        assert!(matches!(plan(group(p), None), Err(SequenceError::NoFull(_))));
        let mut p = pairs();
        p[0].1.database_name = "HR".into();
        assert!(matches!(plan(group(p), None), Err(SequenceError::MixedDatabases(_, _))));
        assert_eq!(plan(vec![], None), Err(SequenceError::Empty));
    }

    #[test]
    fn stop_at_beyond_the_last_log() {
        assert!(matches!(plan(group(pairs()), Some(t(59))), Err(SequenceError::StopAtBeyondEnd { .. })));
    }

    #[test]
    fn full_only() {
        let p: Vec<_> = pairs().into_iter().filter(|(u, _)| u.starts_with("u/full")).collect();
        assert_eq!(plan(group(p.clone()), None).unwrap().len(), 1);
        assert_eq!(plan(group(p), Some(t(5))), Err(SequenceError::StopAtWithoutLogs));
    }

    #[test]
    fn unreadable_lsn() {
        let mut p = pairs();
        p[1].1.last_lsn = "abc".into();
        assert!(matches!(plan(group(p), None), Err(SequenceError::BadLsn { .. })));
    }
}
