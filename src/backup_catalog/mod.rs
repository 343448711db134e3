//! Backups as a catalog of blobs (issue 15): pure logic, no I/O.
//!
//! - [`metadata`]: the blob metadata every backup blob carries (written after the backup
//!   succeeded, from `RESTORE HEADERONLY`), to and from a [`BackupHeader`](crate::ops::inspect::BackupHeader).
//! - [`group`]: blobs → backup sets (stripes grouped; a set with a missing stripe is flagged;
//!   blobs without our metadata are listed as unknown).
//! - [`chain`]: the full + differential + log chain that restores a database to a point in time,
//!   through the same rules as a sequence restore ([`crate::ops::sequence`]); a gap is reported.
//! - [`foreign`]: blobs of other tools, read through `RESTORE HEADERONLY` on a server, grouped
//!   like the others.
//! - [`retention`]: which expired sets may be deleted, and why every other one is kept.

pub mod chain;
pub mod foreign;
pub mod group;
pub mod metadata;
pub mod retention;

/// One blob as the storage listing shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct BlobEntry {
    /// The blob name inside the container (virtual folders included).
    pub name: String,
    /// The full blob URL (container URL + `/` + name, without any SAS).
    pub url: String,
    pub size: u64,
    /// Last-Modified (UTC), as the service reports it.
    pub last_modified: Option<chrono::DateTime<chrono::Utc>>,
    /// Under an active lease (a backup in progress, or a failed backup's leftover).
    pub leased: bool,
    /// The blob's metadata (names lower-cased by the service).
    pub metadata: std::collections::BTreeMap<String, String>,
}
