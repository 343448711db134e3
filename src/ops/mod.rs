//! Operations: one module per operation family. Each exposes async functions taking a request
//! type of [`crate::api`] and returning its result type; the C functions in [`crate::ffi`] and
//! the Rust tests both call these.

pub mod catalog;
pub(crate) mod check;
pub mod credential;

// Backup/restore operations (issue 5)
pub mod backup;
pub mod inspect;
pub mod validate;
pub(crate) mod long_statement;
pub(crate) mod naming;
pub(crate) mod relocate;
pub mod probe;
pub mod restore;
// the restore drill (issue 15)
pub mod drill;
pub(crate) mod drill_report;
pub(crate) mod sequence;
pub(crate) mod striping;

use crate::api::{BackupResult, ItemResult, RestoreResult};
use crate::errors::{Error, ErrorObject};
use crate::operation::ItemOutcome;

/// The fields of a BackupResult / RestoreResult that a failure fills in.
pub(crate) trait FailedItem {
    /// (database, message, error).
    fn failure_fields(&mut self) -> (&str, &mut String, &mut Option<ErrorObject>);
    fn into_item(self) -> ItemResult;
}

impl FailedItem for BackupResult {
    fn failure_fields(&mut self) -> (&str, &mut String, &mut Option<ErrorObject>) {
        (&self.database, &mut self.message, &mut self.error)
    }
    fn into_item(self) -> ItemResult {
        ItemResult::Backup(self)
    }
}

impl FailedItem for RestoreResult {
    fn failure_fields(&mut self) -> (&str, &mut String, &mut Option<ErrorObject>) {
        (&self.database, &mut self.message, &mut self.error)
    }
    fn into_item(self) -> ItemResult {
        ItemResult::Restore(self)
    }
}

/// An item that stopped with `e`: the error (naming the database, when known) goes into the
/// result, whose message is the error's unless the work already explained. (One helper for
/// backup and restore, which had one each.)
pub(crate) fn fail(mut res: impl FailedItem, e: Error) -> ItemOutcome {
    let (database, message, error) = res.failure_fields();
    let e = if database.is_empty() { e } else { e.with_database(database.to_string()) };
    if message.is_empty() {
        *message = e.to_string();
    }
    *error = Some(e.to_object());
    ItemOutcome::stopped(&e, &res.into_item())
}

/// The results of the backup and restore operations.
impl crate::operation::ItemReport for crate::api::ItemResult {
    fn stopped(database: &str, message: Option<&str>, error: &crate::errors::Error) -> Self {
        let message = message.map(str::to_string);
        crate::api::ItemResult::Stopped(crate::api::StoppedItem { server: None, database: database.into(), message, error: error.to_object() })
    }
}

// Whole servers and fleets (issue 19)
pub mod databases;
pub mod fleet;

/// A request of type `T` for unit tests: `fields` (JSON members) after a SQL-login connection
/// that the tests never open.
#[cfg(test)]
pub(crate) fn test_request<T: serde::de::DeserializeOwned>(fields: &str) -> crate::errors::Result<T> {
    crate::api::parse_request(&format!(
        r#"{{"connection":{{"server":"127.0.0.1,1","auth":{{"kind":"sql","user":"sa","password":"x"}}}},{fields}}}"#
    ))
}
