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
