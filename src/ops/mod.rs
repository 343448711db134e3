//! Operations: one module per operation family. Each exposes async functions taking a request
//! type of [`crate::api`] and returning its result type; the C functions in [`crate::ffi`] and
//! the Rust tests both call these.

pub mod catalog;
pub mod check;
pub mod credential;

// Backup/restore operations (issue 5)
pub mod backup;
pub mod inspect;
pub mod naming;
pub mod relocate;
pub mod restore;
pub mod sequence;
pub mod striping;

/// The results of the backup and restore operations.
impl crate::operation::ItemReport for crate::api::ItemResult {
    fn stopped(database: &str, message: Option<&str>, error: &crate::errors::Error) -> Self {
        let message = message.map(str::to_string);
        crate::api::ItemResult::Stopped(crate::api::StoppedItem { database: database.into(), message, error: error.to_object() })
    }
}

/// A request of type `T` for unit tests: `fields` (JSON members) after a SQL-login connection
/// that the tests never open.
#[cfg(test)]
pub(crate) fn test_request<T: serde::de::DeserializeOwned>(fields: &str) -> crate::errors::Result<T> {
    crate::api::parse_request(&format!(
        r#"{{"connection":{{"server":"127.0.0.1,1","auth":{{"kind":"sql","user":"sa","password":"x"}}}},{fields}}}"#
    ))
}
