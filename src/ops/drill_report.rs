//! The restore drill's pure parts: the scratch database's name, how a CHECKDB ended, the
//! restore point, and the item's final state. Unit-tested without a server.

use crate::api::{CheckDbMessage, CheckDbOutcome, DrillResult};
use crate::connect::messages::ServerMessage;
use crate::errors::{Error, ErrorKind};
use crate::operation::{ItemOutcome, State};

/// Every scratch database's name starts with this.
pub const SCRATCH_PREFIX: &str = "SqlUrlDrill_";

/// `SqlUrlDrill_<database>_<id>`: at most 128 characters (sysname), the database's name cut to
/// fit. The name is quoted wherever it reaches T-SQL and made file-safe by the relocation, so
/// any character of the source name may stay.
pub fn scratch_name(database: &str, id: &str) -> String {
    let room = 128 - SCRATCH_PREFIX.len() - 1 - id.chars().count();
    let db: String = database.chars().take(room).collect();
    format!("{SCRATCH_PREFIX}{db}_{id}")
}

/// Consistency errors: the 89xx page, allocation, table and index errors of CHECKDB (8928,
/// 8939, 8976, ... and the 8989 summary) and the 25xx ones that report damage (2508 and 2511
/// counts and keys, 2533/2534 pages, 2570 column values, 2575/2576 IAM pages). Anything else (2571
/// permission, 2520 a missing database, a lost connection) means CHECKDB did not run to its end.
fn is_consistency_error(number: u32) -> bool {
    matches!(number, 8900..=8999 | 2508 | 2511 | 2533 | 2534 | 2570 | 2575 | 2576)
}

/// How CHECKDB ended: `run` is the statement's result, `messages` every error the server sent.
/// Returns the outcome, the messages to report and the error that stopped CHECKDB, if any.
pub fn checkdb_outcome(run: Result<(), Error>, messages: Vec<ServerMessage>) -> (CheckDbOutcome, Vec<CheckDbMessage>, Option<Error>) {
    let mut reported: Vec<CheckDbMessage> = messages.into_iter().map(|m| CheckDbMessage { number: m.number, message: m.message }).collect();
    match run {
        Ok(()) => (CheckDbOutcome::Clean, reported, None),
        Err(e) => {
            if reported.is_empty() {
                if let Error::Server { error, .. } = &e {
                    reported = error.sql.iter().map(|m| CheckDbMessage { number: m.number, message: m.message.clone() }).collect();
                }
            }
            if reported.iter().any(|m| is_consistency_error(m.number)) {
                (CheckDbOutcome::CorruptionFound, reported, None)
            } else {
                (CheckDbOutcome::NotRun, reported, Some(e))
            }
        }
    }
}

/// The point the copy reaches: the STOPAT point when one was applied, else the last set's finish.
pub fn restore_point(stop_at: Option<&str>, last_finish: Option<&str>) -> Option<String> {
    stop_at.or(last_finish).map(str::to_string)
}

/// The item's final state and error: the first failure (chain, restore, CHECKDB) is the error;
/// corruption is `DatabaseCorrupt`; a failed DROP fails an item that had nothing else wrong.
pub fn finish(mut res: DrillResult, failure: Option<Error>) -> ItemOutcome {
    let corrupt = res.checkdb == CheckDbOutcome::CorruptionFound;
    let error = failure.or_else(|| {
        corrupt.then(|| {
            let first = res.checkdb_messages.iter().find(|m| m.number != 8989).or(res.checkdb_messages.first());
            Error::Precondition {
                kind: ErrorKind::DatabaseCorrupt,
                message: format!(
                    "DBCC CHECKDB found consistency errors in the copy of '{}' restored from its backups ({} message(s){}); the copy was {}.",
                    res.database,
                    res.checkdb_messages.len(),
                    first.map(|m| format!(", first: {} {}", m.number, m.message)).unwrap_or_default(),
                    if res.dropped { "dropped" } else { "NOT dropped" }
                ),
            }
        })
    });
    let error = error.or_else(|| {
        res.drop_error.as_ref().map(|d| Error::Precondition {
            kind: d.kind,
            message: format!("The drill of '{}' passed, but its copy '{}' could not be dropped: {}", res.database, res.scratch_database, d.message),
        })
    });
    match error {
        None => {
            if res.message.is_empty() {
                res.message = summary(&res);
            }
            ItemOutcome { state: State::Succeeded, result: crate::api::ItemResult::Drill(res) }
        }
        Some(e) => {
            let e = e.with_database(res.database.clone());
            let state = if matches!(e, Error::Cancelled) { State::Cancelled } else { State::Failed };
            if res.message.is_empty() {
                res.message = e.to_string();
            }
            let mut obj = e.to_object();
            // every error of a drill names its database (not only the server's)
            obj.database.get_or_insert_with(|| res.database.clone());
            res.error = Some(obj);
            ItemOutcome { state, result: crate::api::ItemResult::Drill(res) }
        }
    }
}

fn summary(res: &DrillResult) -> String {
    if res.dry_run {
        return format!(
            "dry run: would restore {} backup set(s) of '{}' as '{}' with every file relocated, run DBCC CHECKDB on it and drop it; nothing was sent to the server.",
            res.backup_sets, res.database, res.scratch_database
        );
    }
    format!(
        "'{}' restored from {} backup set(s) to {} as '{}' in {:.3} s, DBCC CHECKDB clean in {:.3} s, copy dropped.",
        res.database,
        res.backup_sets,
        res.restore_point.as_deref().unwrap_or("?"),
        res.scratch_database,
        res.restore_seconds.unwrap_or(0.0),
        res.checkdb_seconds.unwrap_or(0.0)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ItemResult;
    use crate::errors::SqlMessage;

    fn msg(n: u32, t: &str) -> ServerMessage {
        ServerMessage { number: n, message: t.into() }
    }

    #[test]
    fn scratch_names_fit_sysname_and_keep_the_source_name() {
        assert_eq!(scratch_name("Sales", "1a2b3c4d"), "SqlUrlDrill_Sales_1a2b3c4d");
        assert_eq!(scratch_name("a]b'c", "00000000"), "SqlUrlDrill_a]b'c_00000000");
        let long = "x".repeat(128);
        let n = scratch_name(&long, "1a2b3c4d");
        assert_eq!(n.chars().count(), 128);
        assert!(n.ends_with("x_1a2b3c4d"));
        let wide = "ü".repeat(128);
        assert_eq!(scratch_name(&wide, "1a2b3c4d").chars().count(), 128);
    }

    #[test]
    fn checkdb_outcomes() {
        let (o, m, e) = checkdb_outcome(Ok(()), vec![]);
        assert_eq!((o, m.len(), e.is_none()), (CheckDbOutcome::Clean, 0, true));
        let corrupt = vec![msg(8928, "Page (1:312) could not be processed."), msg(8939, "Table error"), msg(8989, "CHECKDB found 0 allocation errors and 2 consistency errors in database 'x'.")];
        let first = Error::from_sql(vec![SqlMessage { number: 8928, class: 16, state: 1, message: "Page".into(), server: String::new(), procedure: String::new(), line: 1 }]);
        let (o, m, e) = checkdb_outcome(Err(first.clone()), corrupt);
        assert_eq!(o, CheckDbOutcome::CorruptionFound);
        assert_eq!(m.iter().map(|m| m.number).collect::<Vec<_>>(), vec![8928, 8939, 8989]);
        assert!(e.is_none());
        // no captured messages: the error's own are used
        let (o, m, _) = checkdb_outcome(Err(first), vec![]);
        assert_eq!((o, m[0].number), (CheckDbOutcome::CorruptionFound, 8928));
        // permission or a lost connection: not run, with the error
        let (o, _, e) = checkdb_outcome(Err(Error::invalid("x")), vec![msg(2571, "User does not have permission to use DBCC CHECKDB.")]);
        assert_eq!(o, CheckDbOutcome::NotRun);
        assert!(e.is_some());
    }

    #[test]
    fn restore_point_is_the_stop_point_or_the_last_finish() {
        assert_eq!(restore_point(Some("2026-11-26T10:00:00"), Some("2026-11-26T11:00:00.000")).as_deref(), Some("2026-11-26T10:00:00"));
        assert_eq!(restore_point(None, Some("2026-11-26T11:00:00.000")).as_deref(), Some("2026-11-26T11:00:00.000"));
    }

    fn base() -> DrillResult {
        DrillResult { database: "Sales".into(), scratch_database: "SqlUrlDrill_Sales_1".into(), backup_sets: 3, dropped: true, ..Default::default() }
    }

    #[test]
    fn final_states() {
        let ok = finish(DrillResult { checkdb: CheckDbOutcome::Clean, ..base() }, None);
        assert_eq!(ok.state, State::Succeeded);
        let ItemResult::Drill(r) = ok.result else { panic!() };
        assert!(r.error.is_none() && r.message.contains("CHECKDB clean"), "{}", r.message);

        let bad = finish(
            DrillResult { checkdb: CheckDbOutcome::CorruptionFound, checkdb_messages: vec![CheckDbMessage { number: 8928, message: "Page (1:312)".into() }], ..base() },
            None,
        );
        assert_eq!(bad.state, State::Failed);
        let ItemResult::Drill(r) = bad.result else { panic!() };
        let e = r.error.unwrap();
        assert_eq!((e.kind, e.database.as_deref()), (ErrorKind::DatabaseCorrupt, Some("Sales")));
        assert!(e.message.contains("8928 Page (1:312)") && e.message.contains("dropped"), "{}", e.message);

        // the restore's error wins over a failed drop, which stays in drop_error
        let drop_error = Some(Error::from_sql(vec![]).to_object());
        let r = finish(DrillResult { dropped: false, drop_error: drop_error.clone(), ..base() }, Some(Error::Precondition { kind: ErrorKind::BackupChainBroken, message: "gap".into() }));
        let ItemResult::Drill(r) = r.result else { panic!() };
        assert_eq!(r.error.unwrap().kind, ErrorKind::BackupChainBroken);
        // a clean drill whose drop failed still fails
        let r = finish(DrillResult { checkdb: CheckDbOutcome::Clean, dropped: false, drop_error, ..base() }, None);
        assert_eq!(r.state, State::Failed);
        assert_eq!(finish(base(), Some(Error::Cancelled)).state, State::Cancelled);
    }
}
