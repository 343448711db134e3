//! # sqlurl — SQL Server backup to Azure Blob Storage with the server's managed identity
//!
//! A C ABI (`include/sqlurl.h`, JSON in / JSON out, contract in `docs/json-contract.md`) over a
//! safe Rust API. One request flows one way:
//! C entry point ([`ffi`]) → operation ([`ops`]) → T-SQL built by pure functions ([`tsql`]) →
//! tiberius ([`connect`]) → server; the result comes back as a [`api`] type, or an
//! [`errors::Error`] with a stable kind and a recommended action.
//!
//! The Rust API is async and runs on any tokio runtime; the C functions run it on the library's
//! own runtime ([`runtime`]).

#![deny(clippy::undocumented_unsafe_blocks)]

pub mod api;
pub mod api_catalog;
pub mod backup_catalog;
pub mod connect;
pub mod errors;
pub mod ffi;
pub mod identity;
pub mod ops;
pub mod runtime;
pub mod secret;
pub mod storage;
pub mod tsql;
pub(crate) mod url;

// Backup/restore operations (issue 5)
pub mod operation;
pub(crate) mod progress;

pub use errors::{Error, ErrorKind, Result};
