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
