//! Test hooks: damage a stored backup blob, as a disk or a careless operator would.

use std::sync::Arc;

use super::storage::{self, Access};
use crate::state::ServerState;

/// How to damage a blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Damage {
    /// Flip bytes in the payload (header intact): RESTORE … fails on the payload checksum (3183),
    /// HEADERONLY still works.
    Payload,
    /// Flip bytes in the header: every RESTORE form fails with 3241.
    Header,
    /// Cut the blob in half: 3203 (or 3241 when the cut is inside the header).
    Truncate,
}

/// Read the blob at `url` through the server's own route, damage it, and write it back as a
/// new committed blob (Put Block + Put Block List, no lease). Returns a clear error text on
/// failure.
pub async fn corrupt_blob(server: &Arc<ServerState>, url: &str, damage: Damage) -> Result<(), String> {
    let route = storage::resolve(server, url, Access::Write).map_err(|e| format!("{e:?}"))?;
    let mut blob = route.download().await.map_err(|e| e.to_string())?;
    if blob.len() < 64 {
        return Err(format!("blob too small to damage ({} bytes)", blob.len()));
    }
    match damage {
        Damage::Payload => {
            let n = blob.len();
            for b in &mut blob[n - 16..] {
                *b ^= 0x5A;
            }
        }
        Damage::Header => {
            for b in &mut blob[20..28] {
                *b ^= 0x5A;
            }
        }
        Damage::Truncate => {
            let n = blob.len();
            blob.truncate(n / 2);
        }
    }
    let lease = route.acquire_lease().await.ok();
    let id = b"sqlsim-corrupt-0000".to_vec();
    let r = async {
        route.stage_block(&id, blob, lease.as_deref()).await?;
        route.commit(vec![id.clone()], lease.as_deref()).await
    }
    .await;
    if let Some(l) = &lease {
        let _ = route.release_lease(l).await;
    }
    r.map_err(|e| e.to_string())
}

/// Plant (or remove) corruption in a database at run time, as `databases[].corrupt` does at
/// start: DBCC CHECKDB reports it and later backups carry it. Returns false when the database
/// does not exist.
pub fn set_database_corrupt(server: &ServerState, database: &str, corrupt: bool) -> bool {
    let mut g = server.lock();
    match g.database_mut(database) {
        Some(d) => {
            d.corrupt = corrupt;
            true
        }
        None => false,
    }
}
