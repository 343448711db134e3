//! Automatic stripe count for BACKUP TO URL (block blobs).
//!
//! A block blob holds at most 50,000 blocks; SQL Server writes one block per MAXTRANSFERSIZE
//! buffer, so one blob holds at most `50,000 × MAXTRANSFERSIZE` bytes (≈ 195 GiB at 4 MiB).
//! SQL Server does not fill every block (flushes at file ends and metadata write short blocks)
//! and the stripes are not perfectly even, so we plan each blob for at most
//! [`MARGIN_PERCENT`] % of that limit: **at most 25,000 full blocks per blob** (≈ 97.7 GiB at 4 MiB).
//!
//! The size estimate is the larger of the database's allocated size (an upper bound for an
//! uncompressed full backup, which holds only used pages plus the active log) and the last
//! backup's size, when known. The count is `ceil(estimate / per-blob target)`, at least 1 and at
//! most 64. If even 64 stripes would exceed the hard limit, that is an error naming a bigger
//! MAXTRANSFERSIZE as the remedy.

/// Blocks per block blob (Azure limit).
pub const MAX_BLOCKS_PER_BLOB: u64 = 50_000;
/// Plan each blob for this share of the 50,000-block limit.
pub const MARGIN_PERCENT: u64 = 50;
/// Most stripes (URLs) one backup takes.
pub const MAX_STRIPES: u32 = 64;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StripingError {
    #[error("stripes must be between 1 and 64; got {0}")]
    Range(u32),
    #[error("the backup is estimated at {estimate} bytes, more than 64 blobs of {hard_limit} bytes (50,000 blocks at MAXTRANSFERSIZE {max_transfer_size}); raise max_transfer_size to 4194304 if it is lower (4 MB is the most for Azure Blob Storage), turn on compression, or back up fewer files")]
    TooLarge { estimate: u64, hard_limit: u64, max_transfer_size: u32 },
    #[error("{stripes} stripes at MAXTRANSFERSIZE {max_transfer_size} cannot hold the estimated {estimate} bytes: each blob would need more than 50,000 blocks; use at least {needed} stripes")]
    TooFew { stripes: u32, estimate: u64, max_transfer_size: u32, needed: u32 },
}

/// The choice and why.
#[derive(Debug, Clone, PartialEq)]
pub struct StripePlan {
    pub stripes: u32,
    pub reason: String,
    /// Estimated bytes per blob and the share of the 50,000-block limit, for tests and the result.
    pub estimated_bytes: u64,
    pub blocks_per_blob: u64,
}

fn gib(b: u64) -> String {
    format!("{:.1} GiB", b as f64 / 1_073_741_824.0)
}

/// Chooses the stripe count. `requested` is the caller's override (checked against the hard
/// limit when the size is known).
pub fn plan(
    allocated_bytes: Option<u64>,
    last_backup_bytes: Option<u64>,
    max_transfer_size: u32,
    requested: Option<u32>,
) -> Result<StripePlan, StripingError> {
    let mts = max_transfer_size.max(1) as u64;
    let hard_limit = MAX_BLOCKS_PER_BLOB * mts;
    let target = hard_limit * MARGIN_PERCENT / 100;
    let (estimate, source) = match (allocated_bytes, last_backup_bytes) {
        (Some(a), Some(l)) if l > a => (l, "the last backup's size"),
        (Some(a), _) => (a, "the allocated size"),
        (None, Some(l)) => (l, "the last backup's size"),
        (None, None) => (0, "unknown size"),
    };
    let blocks_for = |stripes: u32| estimate.div_ceil(stripes as u64).div_ceil(mts);
    let hard_needed = estimate.div_ceil(hard_limit).max(1);
    if let Some(n) = requested {
        if n == 0 || n > MAX_STRIPES {
            return Err(StripingError::Range(n));
        }
        if (n as u64) < hard_needed {
            return Err(StripingError::TooFew {
                stripes: n,
                estimate,
                max_transfer_size,
                needed: hard_needed.min(MAX_STRIPES as u64) as u32,
            });
        }
        return Ok(StripePlan {
            stripes: n,
            reason: format!("{n} stripe(s) as requested by the caller"),
            estimated_bytes: estimate,
            blocks_per_blob: blocks_for(n),
        });
    }
    if hard_needed > MAX_STRIPES as u64 {
        return Err(StripingError::TooLarge { estimate, hard_limit, max_transfer_size });
    }
    if estimate == 0 {
        return Ok(StripePlan {
            stripes: 1,
            reason: "1 stripe: the database size is unknown".into(),
            estimated_bytes: 0,
            blocks_per_blob: 0,
        });
    }
    let wanted = estimate.div_ceil(target).max(1);
    let stripes = wanted.min(MAX_STRIPES as u64) as u32;
    let mut reason = format!(
        "{stripes} stripe(s): estimated {} ({source}) / at most {} per blob ({MARGIN_PERCENT}% of the 50,000-block limit at MAXTRANSFERSIZE {} bytes); about {} blocks per blob",
        gib(estimate),
        gib(target),
        max_transfer_size,
        blocks_for(stripes)
    );
    if wanted > MAX_STRIPES as u64 {
        reason.push_str("; capped at 64 stripes, still under the hard limit");
    }
    Ok(StripePlan { stripes, reason, estimated_bytes: estimate, blocks_per_blob: blocks_for(stripes) })
}

#[cfg(test)]
mod tests {
    use super::*;
    const MIB4: u32 = 4_194_304;
    const TB: u64 = 1_099_511_627_776;

    #[test]
    fn small_database_one_stripe() {
        let p = plan(Some(10 * 1_073_741_824), None, MIB4, None).unwrap();
        assert_eq!(p.stripes, 1);
        assert!(p.reason.contains("allocated size"), "{}", p.reason);
    }

    #[test]
    fn one_terabyte_keeps_each_blob_well_under_the_limit() {
        let p = plan(Some(TB), None, MIB4, None).unwrap();
        assert_eq!(p.stripes, 11);
        assert!(p.blocks_per_blob <= 25_000, "{}", p.blocks_per_blob);
        assert!(TB.div_ceil(p.stripes as u64) < 50_000 * MIB4 as u64);
    }

    #[test]
    fn last_backup_bigger_than_allocation_wins() {
        let p = plan(Some(50 * 1_073_741_824), Some(300 * 1_073_741_824), MIB4, None).unwrap();
        assert_eq!(p.stripes, 4);
        assert!(p.reason.contains("last backup"), "{}", p.reason);
    }

    #[test]
    fn override_is_checked_against_the_hard_limit() {
        // 1 TiB over 6 blobs is under the hard limit (but above the margin): allowed
        assert_eq!(plan(Some(TB), None, MIB4, Some(6)).unwrap().stripes, 6);
        assert!(matches!(plan(Some(TB), None, MIB4, Some(5)), Err(StripingError::TooFew { needed: 6, .. })));
        assert_eq!(plan(None, None, MIB4, Some(0)), Err(StripingError::Range(0)));
        assert_eq!(plan(None, None, MIB4, Some(65)), Err(StripingError::Range(65)));
    }

    #[test]
    fn too_large_even_for_64_stripes() {
        assert!(matches!(plan(Some(20 * TB), None, MIB4, None), Err(StripingError::TooLarge { .. })));
        // the remedy names the 4 MB ceiling of Azure Blob Storage, never 20 MB
        let e = plan(Some(20 * TB), None, MIB4, None).unwrap_err().to_string();
        assert!(e.contains("4194304") && !e.contains("up to 20971520"), "{e}");
    }

    #[test]
    fn unknown_size_one_stripe() {
        assert_eq!(plan(None, None, MIB4, None).unwrap().stripes, 1);
    }
}
