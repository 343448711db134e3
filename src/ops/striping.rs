//! Automatic stripe count for BACKUP TO URL (block blobs).
//!
//! A block blob holds at most 50,000 blocks, and SQL Server writes at most MAXTRANSFERSIZE bytes
//! per block. But blocks are often **smaller** than MAXTRANSFERSIZE: SQL Server writes partial
//! blocks, and differential, log and uncompressed backups fill them less (backup-to-URL best
//! practices; a SQLCAT case hit error 3063 long before 50,000 × MAXTRANSFERSIZE). So the plan
//! assumes an average block fill ([`assumed_block_fill_percent`]: by backup kind and
//! compression) and keeps a further safety share ([`SAFETY_PERCENT`], for uneven stripes and
//! estimates): each blob is planned for at most `50,000 × MAXTRANSFERSIZE × fill × safety`.
//! The plan's `reason` says what it assumed.
//!
//! The size estimate is the larger of the database's allocated size (an upper bound for an
//! uncompressed full backup, which holds only used pages plus the active log) and the last
//! backup's size, when known. The count is `ceil(estimate / per-blob target)`, at least 1 and at
//! most 64. A caller who forces fewer stripes than the plan gets a warning (before anything is
//! sent); fewer than even full blocks could hold is an error, as is a backup that 64 full-block
//! blobs cannot hold.

use crate::tsql::backup::BackupKind;

/// Blocks per block blob (Azure limit).
pub const MAX_BLOCKS_PER_BLOB: u64 = 50_000;
/// Share of the (fill-adjusted) block limit each blob is planned for: stripes are not perfectly
/// even and the size is an estimate.
pub const SAFETY_PERCENT: u64 = 80;
/// Most stripes (URLs) one backup takes.
pub const MAX_STRIPES: u32 = 64;

/// The average share of MAXTRANSFERSIZE one block is assumed to hold. Differential and log
/// backups and uncompressed backups fill blocks less; `compression: None` is the server's default
/// (usually off) and is planned as uncompressed. These are planning assumptions, not measurements:
/// the plan's reason names the figure it used.
pub fn assumed_block_fill_percent(kind: BackupKind, compression: Option<bool>) -> u64 {
    match (kind, compression == Some(true)) {
        (BackupKind::Full, true) => 60,
        (BackupKind::Full, false) => 50,
        (_, true) => 25,
        (_, false) => 20,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StripingError {
    #[error("stripes must be between 1 and 64; got {0}")]
    Range(u32),
    #[error("the backup is estimated at {estimate} bytes, more than 64 blobs of {hard_limit} bytes (50,000 full blocks at MAXTRANSFERSIZE {max_transfer_size}); raise max_transfer_size to 4194304 if it is lower (4 MB is the most for Azure Blob Storage), turn on compression, or back up fewer files")]
    TooLarge { estimate: u64, hard_limit: u64, max_transfer_size: u32 },
    #[error("{stripes} stripes at MAXTRANSFERSIZE {max_transfer_size} cannot hold the estimated {estimate} bytes: each blob would need more than 50,000 blocks even if every block were full; use at least {needed} stripes")]
    TooFew { stripes: u32, estimate: u64, max_transfer_size: u32, needed: u32 },
}

/// The choice, why, and what it assumed.
#[derive(Debug, Clone, PartialEq)]
pub struct StripePlan {
    pub stripes: u32,
    pub reason: String,
    /// Estimated bytes of the backup and the expected blocks per blob at the assumed fill.
    pub estimated_bytes: u64,
    pub blocks_per_blob: u64,
    /// The assumed average block fill, percent of MAXTRANSFERSIZE.
    pub assumed_block_fill_percent: u64,
    /// The stripes the plan would choose (differs from `stripes` when the caller forced a count).
    pub planned_stripes: u32,
    /// Things the caller should know before the backup starts (too few stripes forced, capped).
    pub warnings: Vec<String>,
}

fn gib(b: u64) -> String {
    format!("{:.1} GiB", b as f64 / 1_073_741_824.0)
}

/// What the planner worked out about the backup's size, for a caller-forced stripe count.
struct Sizing<'a> {
    estimate: u64,
    source: &'static str,
    hard_needed: u64,
    planned: u32,
    block_bytes: u64,
    fill: u64,
    max_transfer_size: u32,
    assumption: &'a str,
}

/// The plan for a stripe count the caller forced: refused when even full blocks cannot hold
/// the estimate, warned about when below the plan.
fn requested_plan(n: u32, z: &Sizing<'_>) -> Result<StripePlan, StripingError> {
    let (estimate, source, planned, assumption) = (z.estimate, z.source, z.planned, z.assumption);
    let blocks_for = |stripes: u32| estimate.div_ceil(stripes as u64).div_ceil(z.block_bytes);
    if n == 0 || n > MAX_STRIPES {
        return Err(StripingError::Range(n));
    }
    if (n as u64) < z.hard_needed {
        return Err(StripingError::TooFew { stripes: n, estimate, max_transfer_size: z.max_transfer_size, needed: z.hard_needed.min(MAX_STRIPES as u64) as u32 });
    }
    let mut warnings = Vec::new();
    if estimate > 0 && n < planned {
        warnings.push(format!(
            "{n} stripe(s) were requested, but the estimated {} ({source}) needs {planned} with the {assumption}: about {} blocks per blob, so the backup may fail with error 3063 (50,000 blocks). Use at least {planned} stripes, or leave the stripe count to the planner.",
            gib(estimate),
            blocks_for(n)
        ));
    }
    Ok(StripePlan {
        stripes: n,
        reason: format!("{n} stripe(s) as requested by the caller; the plan would use {planned} ({assumption})"),
        estimated_bytes: estimate,
        blocks_per_blob: blocks_for(n),
        assumed_block_fill_percent: z.fill,
        planned_stripes: planned,
        warnings,
    })
}

/// Chooses the stripe count. `requested` is the caller's override: checked against the hard limit
/// (full blocks) when the size is known, and warned about when below the plan.
pub fn plan(
    allocated_bytes: Option<u64>,
    last_backup_bytes: Option<u64>,
    max_transfer_size: u32,
    requested: Option<u32>,
    fill_percent: u64,
) -> Result<StripePlan, StripingError> {
    let mts = max_transfer_size.max(1) as u64;
    let fill = fill_percent.clamp(1, 100);
    let hard_limit = MAX_BLOCKS_PER_BLOB * mts;
    let target = (hard_limit * fill / 100 * SAFETY_PERCENT / 100).max(1);
    let block_bytes = (mts * fill / 100).max(1);
    let (estimate, source) = match (allocated_bytes, last_backup_bytes) {
        (Some(a), Some(l)) if l > a => (l, "the last backup's size"),
        (Some(a), _) => (a, "the allocated size"),
        (None, Some(l)) => (l, "the last backup's size"),
        (None, None) => (0, "unknown size"),
    };
    let blocks_for = |stripes: u32| estimate.div_ceil(stripes as u64).div_ceil(block_bytes);
    let hard_needed = estimate.div_ceil(hard_limit).max(1);
    let wanted = estimate.div_ceil(target).max(1);
    let planned = wanted.min(MAX_STRIPES as u64) as u32;
    let assumption = format!(
        "assumed average block fill {fill}% of MAXTRANSFERSIZE {max_transfer_size} bytes (SQL Server writes partial blocks; differential, log and uncompressed backups fill them less) and {SAFETY_PERCENT}% of the 50,000-block limit per blob"
    );
    if let Some(n) = requested {
        let sizing = Sizing { estimate, source, hard_needed, planned, block_bytes, fill, max_transfer_size, assumption: &assumption };
        return requested_plan(n, &sizing);
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
            assumed_block_fill_percent: fill,
            planned_stripes: 1,
            warnings: vec![],
        });
    }
    let stripes = planned;
    let mut reason = format!(
        "{stripes} stripe(s): estimated {} ({source}) / at most {} per blob ({assumption}); about {} blocks per blob",
        gib(estimate),
        gib(target),
        blocks_for(stripes)
    );
    let mut warnings = Vec::new();
    if wanted > MAX_STRIPES as u64 {
        reason.push_str("; capped at 64 stripes, still under the hard limit with full blocks");
        warnings.push(format!(
            "The plan wanted {wanted} stripes but a backup takes at most 64: with the {assumption}, each blob may exceed 50,000 blocks (error 3063). Turn on compression or back up fewer files."
        ));
    }
    Ok(StripePlan {
        stripes,
        reason,
        estimated_bytes: estimate,
        blocks_per_blob: blocks_for(stripes),
        assumed_block_fill_percent: fill,
        planned_stripes: stripes,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    const MIB4: u32 = 4_194_304;
    const GIB: u64 = 1_073_741_824;
    const TB: u64 = 1_099_511_627_776;
    const FULL: u64 = 50; // full, uncompressed or server default

    #[test]
    fn small_database_one_stripe() {
        let p = plan(Some(10 * GIB), None, MIB4, None, FULL).unwrap();
        assert_eq!(p.stripes, 1);
        assert!(p.reason.contains("allocated size"), "{}", p.reason);
        assert!(p.warnings.is_empty());
    }

    #[test]
    fn the_plan_says_what_it_assumed() {
        let p = plan(Some(TB), None, MIB4, None, FULL).unwrap();
        assert!(p.reason.contains("assumed average block fill 50%") && p.reason.contains("partial blocks") && p.reason.contains("80%"), "{}", p.reason);
        assert!(p.reason.contains("50,000-block"), "{}", p.reason);
        assert_eq!(p.assumed_block_fill_percent, 50);
    }

    #[test]
    fn one_terabyte_keeps_each_blob_well_under_the_limit() {
        // per blob: 50,000 × 4 MiB × 50% × 80% = 78.1 GiB → 14 stripes
        let p = plan(Some(TB), None, MIB4, None, FULL).unwrap();
        assert_eq!(p.stripes, 14);
        // even at the assumed half-full blocks, each blob stays at 80% of the limit
        assert!(p.blocks_per_blob <= 40_000, "{}", p.blocks_per_blob);
        assert!(TB.div_ceil(p.stripes as u64) < 50_000 * MIB4 as u64);
    }

    #[test]
    fn fill_by_kind_and_compression() {
        assert_eq!(assumed_block_fill_percent(BackupKind::Full, Some(true)), 60);
        assert_eq!(assumed_block_fill_percent(BackupKind::Full, None), 50);
        assert_eq!(assumed_block_fill_percent(BackupKind::Full, Some(false)), 50);
        assert_eq!(assumed_block_fill_percent(BackupKind::Differential, Some(true)), 25);
        assert_eq!(assumed_block_fill_percent(BackupKind::Differential, None), 20);
        assert_eq!(assumed_block_fill_percent(BackupKind::Log, None), 20);
        // a differential of the same estimate gets more stripes than a compressed full
        let d = plan(Some(200 * GIB), None, MIB4, None, assumed_block_fill_percent(BackupKind::Differential, None)).unwrap();
        let f = plan(Some(200 * GIB), None, MIB4, None, assumed_block_fill_percent(BackupKind::Full, Some(true))).unwrap();
        assert!(d.stripes > f.stripes, "{} vs {}", d.stripes, f.stripes);
        assert_eq!(d.stripes, 7); // 200 GiB / (195.3 GiB × 20% × 80% = 31.25 GiB)
        // a differential with a block fill of 25% on the planner's stripes stays under 50,000 blocks
        let per_blob = (200 * GIB).div_ceil(d.stripes as u64);
        assert!(per_blob.div_ceil(MIB4 as u64 / 4) < 50_000);
    }

    #[test]
    fn last_backup_bigger_than_allocation_wins() {
        let p = plan(Some(50 * GIB), Some(300 * GIB), MIB4, None, FULL).unwrap();
        assert_eq!(p.stripes, 4);
        assert!(p.reason.contains("last backup"), "{}", p.reason);
    }

    #[test]
    fn too_few_forced_stripes_warn_and_impossible_ones_fail() {
        // 1 TiB over 6 blobs is under the hard limit with full blocks, but below the plan: a warning
        let p = plan(Some(TB), None, MIB4, Some(6), FULL).unwrap();
        assert_eq!(p.stripes, 6);
        assert_eq!(p.planned_stripes, 14);
        assert_eq!(p.warnings.len(), 1);
        let w = &p.warnings[0];
        assert!(w.contains("6 stripe(s) were requested") && w.contains("needs 14") && w.contains("3063") && w.contains("50%"), "{w}");
        assert!(p.reason.contains("requested by the caller") && p.reason.contains("would use 14"), "{}", p.reason);
        // at or above the plan: no warning
        assert!(plan(Some(TB), None, MIB4, Some(14), FULL).unwrap().warnings.is_empty());
        assert!(plan(Some(TB), None, MIB4, Some(20), FULL).unwrap().warnings.is_empty());
        // unknown size: nothing to warn about
        assert!(plan(None, None, MIB4, Some(1), FULL).unwrap().warnings.is_empty());
        // below what even full blocks could hold: an error
        assert!(matches!(plan(Some(TB), None, MIB4, Some(5), FULL), Err(StripingError::TooFew { needed: 6, .. })));
        assert_eq!(plan(None, None, MIB4, Some(0), FULL), Err(StripingError::Range(0)));
        assert_eq!(plan(None, None, MIB4, Some(65), FULL), Err(StripingError::Range(65)));
    }

    #[test]
    fn capped_at_64_warns() {
        // 8 TiB: the plan wants 105 stripes; 64 full-block blobs hold it, so 64 with a warning
        let p = plan(Some(8 * TB), None, MIB4, None, FULL).unwrap();
        assert_eq!(p.stripes, 64);
        assert!(p.warnings[0].contains("at most 64"), "{:?}", p.warnings);
    }

    #[test]
    fn too_large_even_for_64_stripes() {
        assert!(matches!(plan(Some(20 * TB), None, MIB4, None, FULL), Err(StripingError::TooLarge { .. })));
        // the remedy names the 4 MB ceiling of Azure Blob Storage, never 20 MB
        let e = plan(Some(20 * TB), None, MIB4, None, FULL).unwrap_err().to_string();
        assert!(e.contains("4194304") && !e.contains("up to 20971520"), "{e}");
    }

    #[test]
    fn unknown_size_one_stripe() {
        assert_eq!(plan(None, None, MIB4, None, FULL).unwrap().stripes, 1);
    }
}
