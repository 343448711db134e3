//! BACKUP DATABASE / BACKUP LOG TO URL.
//!
//! Sequence per stripe (blob): check it does not exist (or FORMAT), Put Block (first payload
//! block), acquire an infinite lease, then Put Block for the remaining real payload blocks as the
//! virtual bytes flow, and at 100 %: Put Block (header, with the finish time), Put Block List,
//! release the lease. On failure or cancel: no Put Block List; break the lease; delete the blob
//! if it did not exist before.

use std::time::Duration;

use chrono::NaiveDateTime;
use uuid::Uuid;

use super::format::{self, BackupHeader, FileEntry};
use super::history::ACTIVITY_BLOCKS;
use super::messages::{self as m, OsError};
use super::parse::{BackupKind, BackupStmt};
use super::progress::{Progress, Stop};
use super::storage::{self, Access, Route, RouteError, StorageError};
use crate::exec::{ExecContext, ExecError, SqlMessage};

/// SQL Server's default MAXTRANSFERSIZE for block blobs (1 MB).
pub const DEFAULT_MAX_TRANSFER: u64 = 1024 * 1024;
/// Largest MAXTRANSFERSIZE for Azure block blobs: 4 MB (facts, "Checked again"; the 20 MB
/// figure belongs to the S3 connector).
pub const MAX_MAX_TRANSFER: u64 = 4 * 1024 * 1024;
/// Smallest MAXTRANSFERSIZE (64 KB); values are multiples of it.
pub const MIN_MAX_TRANSFER: u64 = 65536;
/// Fixed compression ratio of the simulator (COMPRESSION writes a third of the bytes).
pub const COMPRESSION_RATIO: u64 = 3;
const MIB: u64 = 1024 * 1024;
const PAGE: u64 = 8192;

fn fail(verb: &str, cause: SqlMessage) -> ExecError {
    ExecError::Failed(vec![cause, m::terminating(verb)])
}

/// Map a route error to the messages SQL Server sends.
pub fn route_error(verb: &str, url: &str, e: RouteError) -> ExecError {
    match e {
        RouteError::Os(os) => fail(verb, m::cannot_open(url, os)),
        RouteError::NoPrimaryIdentity => fail(verb, m::no_primary_identity()),
        RouteError::NoSuchCredential(n) => fail(verb, m::no_such_credential(&n)),
        RouteError::Config(text) => fail(verb, m::sim_error(format!("sqlsim storage configuration: {text}"))),
    }
}

/// What the backup will contain, computed from the database and its history.
struct Plan {
    header: BackupHeader,
    /// (logical name, pages) for the 4035 messages.
    pages: Vec<(String, u64)>,
    /// Virtual bytes read (drives time).
    virtual_bytes: u64,
    /// Virtual bytes written per stripe.
    stripe_bytes: u64,
    /// Average bytes per block (MAXTRANSFERSIZE × the scenario's block fill).
    block_bytes: u64,
    /// History updates to apply on success.
    new_full: bool,
    new_log_chain_lsn: Option<u64>,
    norecovery: bool,
}

/// One open stripe.
struct Stripe {
    route: Route,
    existed: bool,
    lease: Option<String>,
    header: BackupHeader,
    real_blocks: u64,
    real_block_len: u64,
    staged: u64,
    hasher: ring::digest::Context,
    payload_len: u64,
}

pub async fn run(stmt: &BackupStmt, ctx: &ExecContext) -> Result<(), ExecError> {
    let verb = match stmt.kind {
        BackupKind::Database => "BACKUP DATABASE",
        BackupKind::Log => "BACKUP LOG",
    };
    let o = &stmt.options;
    if !ctx.is_sysadmin && !ctx.is_backup_operator {
        return Err(fail(verb, m::permission_denied(verb, &stmt.database)));
    }
    if stmt.kind == BackupKind::Log && o.differential {
        return Err(fail(verb, m::option_not_supported("differential")));
    }
    if o.credential.is_some() {
        // WITH CREDENTIAL = storage account key → page blobs: legacy, not simulated.
        return Err(fail(
            verb,
            m::sim_error("sqlsim does not simulate WITH CREDENTIAL (storage account key, page blobs); use a credential named after the container URL."),
        ));
    }
    if let Some(e) = &o.encryption {
        // `encryptor` is "CERTIFICATE name" or "ASYMMETRIC KEY name" (parse.rs).
        let (kind, name) = match e.encryptor.strip_prefix("CERTIFICATE ") {
            Some(n) => ("certificate", n),
            None => ("asymmetric key", e.encryptor.strip_prefix("ASYMMETRIC KEY ").unwrap_or(&e.encryptor)),
        };
        // Names in master follow the server collation (case-insensitive).
        if !ctx.server.scenario.server_certificates.iter().any(|c| c.eq_ignore_ascii_case(name)) {
            return Err(fail(verb, m::encryptor_missing(kind, name)));
        }
    }
    if !ctx.server.scenario.url_accepts_expiredate {
        // Older docs list EXPIREDATE / RETAINDAYS as not supported for URL (scenario switch).
        for (given, name) in [(o.expire_date.is_some(), "EXPIREDATE"), (o.retain_days.is_some(), "RETAINDAYS")] {
            if given {
                return Err(fail(verb, m::option_not_supported(&name.to_ascii_lowercase())));
            }
        }
    }
    let (mts, block_size) = check_sizes(o.max_transfer_size, o.block_size).map_err(|e| fail(verb, e))?;

    let plan = plan(stmt, ctx, verb, mts, block_size)?;

    // Open every stripe before any progress.
    let mut stripes: Vec<Stripe> = Vec::with_capacity(stmt.urls.len());
    for (i, url) in stmt.urls.iter().enumerate() {
        match open_stripe(ctx, url, i as u32, stmt.urls.len() as u32, &plan, o.format).await {
            Ok(s) => stripes.push(s),
            Err(e) => {
                cleanup(ctx, &stripes).await;
                return Err(match e {
                    OpenError::Route(r) => route_error(verb, url, r),
                    OpenError::Exists => fail(verb, m::exists_without_format(url)),
                    OpenError::Storage(StorageError(os)) => fail(verb, m::open_failed(url, os)),
                });
            }
        }
    }

    let _request = ctx.server.register_request(ctx.session_id, verb);
    let result = transfer(ctx, verb, o.stats, &plan, &mut stripes).await;
    match result {
        Ok(()) => {}
        Err(e) => {
            cleanup(ctx, &stripes).await;
            return Err(e);
        }
    }
    let finish = ctx.server.local_now();
    // Commit: header block last staged, first in the list.
    for s in stripes.iter_mut() {
        s.header.backup_finish_date = finish;
        s.header.payload_len = s.payload_len;
        s.header.payload_sha256 = hex(s.hasher.clone().finish().as_ref());
        let hdr = format::encode_header(&s.header);
        let lease = s.lease.clone().unwrap_or_default();
        let r = async {
            s.route.stage_block(&format::block_id(s.header.backup_set_guid, 0), hdr, Some(&lease)).await?;
            let mut ids = vec![format::block_id(s.header.backup_set_guid, 0)];
            ids.extend((1..=s.staged).map(|k| format::block_id(s.header.backup_set_guid, k as u32)));
            s.route.commit(ids, Some(&lease)).await
        }
        .await;
        if let Err(StorageError(os)) = r {
            let url = s.route.url.clone();
            cleanup(ctx, &stripes).await;
            return Err(fail(verb, m::write_failed_any(&url, os)));
        }
    }
    for s in &stripes {
        if let Some(l) = &s.lease {
            let _ = s.route.release_lease(l).await;
        }
    }
    apply_history(ctx, stmt, &plan, finish);
    finish_messages(ctx, verb, &stmt.database, &plan).await
}

/// BLOCKSIZE (512–65536, a power of two) and MAXTRANSFERSIZE (a multiple of 65536 up to 4 MB
/// for Azure block blobs): out of range → 3250, not a power of two / multiple → 3253. Nothing
/// is opened before this check.
pub fn check_sizes(max_transfer: Option<u64>, block_size: Option<u32>) -> Result<(u64, u32), SqlMessage> {
    let mts = max_transfer.unwrap_or(DEFAULT_MAX_TRANSFER);
    if !(MIN_MAX_TRANSFER..=MAX_MAX_TRANSFER).contains(&mts) {
        return Err(m::out_of_range(mts, "MAXTRANSFERSIZE"));
    }
    if !mts.is_multiple_of(MIN_MAX_TRANSFER) {
        return Err(m::not_power_of_two());
    }
    let bs = block_size.unwrap_or(65536);
    if !(512..=65536).contains(&bs) {
        return Err(m::out_of_range(bs as u64, "BLOCKSIZE"));
    }
    if !bs.is_power_of_two() {
        return Err(m::not_power_of_two());
    }
    Ok((mts, bs))
}

enum OpenError {
    Route(RouteError),
    Exists,
    Storage(StorageError),
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn plan(stmt: &BackupStmt, ctx: &ExecContext, verb: &str, mts: u64, block_size: u32) -> Result<Plan, ExecError> {
    let o = &stmt.options;
    let mut g = ctx.server.lock();
    let db = g.database(&stmt.database).cloned().ok_or_else(|| fail(verb, m::no_such_database(&stmt.database)))?;
    if db.name.eq_ignore_ascii_case("tempdb") {
        return Err(fail(verb, m::tempdb()));
    }
    if !db.state.eq_ignore_ascii_case("ONLINE") {
        return Err(fail(verb, m::in_restore(&db.name)));
    }
    let hist = g.backup.get_or_create(&db.name, db.database_id).clone();
    let simple = db.recovery_model.eq_ignore_ascii_case("SIMPLE");
    match stmt.kind {
        BackupKind::Log => {
            if simple {
                return Err(fail(verb, m::log_in_simple("BACKUP LOG")));
            }
            if !hist.has_full {
                return Err(fail(verb, m::no_current_backup()));
            }
        }
        BackupKind::Database => {
            if o.differential && hist.diff_base.is_none() {
                return Err(fail(verb, m::no_differential_base(&db.name)));
            }
        }
    }
    // Work happened since the last backup: the log moved on.
    let h = g.backup.get_or_create(&db.name, db.database_id);
    let start_lsn = h.advance(ACTIVITY_BLOCKS);
    let hist = h.clone();
    drop(g);

    let start = ctx.server.local_now();
    let data_bytes: u64 = db.files.iter().filter(|f| !is_log(&f.file_type)).map(|f| f.size_mb * MIB).sum();
    let mut pages = Vec::new();
    let (backup_type, virtual_bytes, first_lsn, last_lsn, checkpoint_lsn, db_backup_lsn, diff_base) = match stmt.kind {
        BackupKind::Database if o.differential => {
            let base = hist.diff_base.clone().expect("checked");
            let bytes = (data_bytes / 10).max(64 * 1024);
            let mut left = bytes / PAGE;
            for f in db.files.iter().filter(|f| !is_log(&f.file_type)) {
                let p = ((f.size_mb * MIB / PAGE) / 10).min(left).max(1);
                left = left.saturating_sub(p);
                pages.push((f.logical_name.clone(), p));
            }
            for f in db.files.iter().filter(|f| is_log(&f.file_type)) {
                pages.push((f.logical_name.clone(), 2));
            }
            let cp = start_lsn + super::history::LSN_BLOCK;
            (5i16, bytes, start_lsn, cp + super::history::LSN_BLOCK, cp, base.checkpoint_lsn, Some(base))
        }
        BackupKind::Database => {
            for f in &db.files {
                let p = if is_log(&f.file_type) { 2 } else { (f.size_mb * MIB / PAGE).max(1) };
                pages.push((f.logical_name.clone(), p));
            }
            let cp = start_lsn + super::history::LSN_BLOCK;
            let dblsn = hist.diff_base.as_ref().map(|b| b.checkpoint_lsn).unwrap_or(0);
            (1i16, data_bytes.max(PAGE), start_lsn, cp + super::history::LSN_BLOCK, cp, dblsn, None)
        }
        BackupKind::Log => {
            let first = hist.log_chain_lsn.unwrap_or(start_lsn);
            let blocks = (start_lsn.saturating_sub(first)) / super::history::LSN_BLOCK + 1;
            let bytes = blocks * 64 * 1024;
            for f in db.files.iter().filter(|f| is_log(&f.file_type)) {
                pages.push((f.logical_name.clone(), (bytes / PAGE).max(1)));
            }
            let dblsn = hist.diff_base.as_ref().map(|b| b.checkpoint_lsn).unwrap_or(0);
            (2i16, bytes, first, start_lsn, hist.diff_base.as_ref().map(|b| b.checkpoint_lsn).unwrap_or(first), dblsn, None)
        }
    };
    let compressed = o.compression.unwrap_or(false);
    let written = if compressed { virtual_bytes.div_ceil(COMPRESSION_RATIO) } else { virtual_bytes };
    let stripes = stmt.urls.len().max(1) as u64;
    let stripe_bytes = written.div_ceil(stripes);
    // Partial blocks: the average block holds `fill` × MAXTRANSFERSIZE bytes (scenario knob).
    let fill = ctx.server.scenario.block_fill.for_backup(backup_type, compressed);
    let block_bytes = ((mts as f64 * fill).floor() as u64).max(1);
    let data_pages: u64 = pages.iter().zip(db.files.iter()).filter(|(_, f)| !is_log(&f.file_type)).map(|(p, _)| p.1).sum();
    let files = db
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| FileEntry {
            logical_name: f.logical_name.clone(),
            physical_name: f.physical_name.clone(),
            file_type: if is_log(&f.file_type) { 'L' } else { 'D' },
            file_id: i as i64 + 1,
            size_bytes: f.size_mb * MIB,
            backup_size_bytes: if is_log(&f.file_type) { 0 } else { f.size_mb * MIB },
            filegroup: if is_log(&f.file_type) { None } else { Some("PRIMARY".into()) },
        })
        .collect();
    let total_pages: u64 = pages.iter().map(|p| p.1).sum();
    let header = BackupHeader {
        backup_set_guid: Uuid::new_v4(),
        media_set_guid: Uuid::new_v4(),
        family_count: stripes as u32,
        family_number: 1,
        backup_name: o.name.clone(),
        backup_description: o.description.clone(),
        backup_type,
        server_name: ctx.server.scenario.server_name.clone(),
        machine_name: ctx.server.scenario.server_name.clone(),
        user_name: ctx.login.clone(),
        database_name: db.name.clone(),
        database_guid: hist.database_guid,
        database_version: 957,
        database_creation_date: db.create_date,
        recovery_model: db.recovery_model.to_ascii_uppercase(),
        compatibility_level: 160,
        first_lsn,
        last_lsn,
        checkpoint_lsn,
        database_backup_lsn: db_backup_lsn,
        differential_base_lsn: diff_base.as_ref().map(|b| b.checkpoint_lsn),
        differential_base_guid: diff_base.as_ref().map(|b| b.backup_set_guid),
        begins_log_chain: backup_type == 2 && hist.log_chain_lsn.is_none(),
        backup_start_date: start,
        backup_finish_date: start,
        log_start_time: if backup_type == 2 { Some(hist.log_chain_time.unwrap_or(db.create_date)) } else { None },
        is_copy_only: o.copy_only,
        compressed,
        has_checksums: o.checksum,
        encryption: o.encryption.as_ref().map(|e| (e.algorithm.clone(), e.encryptor.clone())),
        backup_size: virtual_bytes,
        compressed_backup_size: written,
        block_size,
        max_transfer_size: mts,
        virtual_blocks: format::blocks_for(stripe_bytes, block_bytes),
        files,
        data_pages,
        log_pages: total_pages - data_pages,
        payload_len: 0,
        payload_sha256: String::new(),
        software_version: ctx.server.scenario.product_version.clone(),
        corrupt: db.corrupt,
        media_name: o.media_name.clone(),
        media_description: o.media_description.clone(),
        expiration_date: o.expire_date.or_else(|| o.retain_days.map(|d| start + chrono::Duration::days(d.min(99_999) as i64))),
    };
    let _ = last_lsn;
    Ok(Plan {
        header,
        pages,
        virtual_bytes,
        stripe_bytes,
        block_bytes,
        new_full: backup_type == 1,
        new_log_chain_lsn: if backup_type == 2 && !o.copy_only { Some(last_lsn) } else { None },
        norecovery: o.norecovery,
    })
}

pub fn is_log(file_type: &str) -> bool {
    file_type.eq_ignore_ascii_case("LOG") || file_type.eq_ignore_ascii_case("L")
}

async fn open_stripe(
    ctx: &ExecContext,
    url: &str,
    index: u32,
    count: u32,
    plan: &Plan,
    format_: bool,
) -> Result<Stripe, OpenError> {
    let route = storage::resolve(&ctx.server, url, Access::Write).map_err(OpenError::Route)?;
    let existed = route.exists().await.map_err(OpenError::Storage)?;
    if existed && !format_ {
        return Err(OpenError::Exists);
    }
    let mut header = plan.header.clone();
    header.family_number = index + 1;
    header.family_count = count;
    let (real_blocks, real_block_len) = format::real_block_plan(header.virtual_blocks, header.max_transfer_size);
    let mut s = Stripe {
        route,
        existed,
        lease: None,
        header,
        real_blocks,
        real_block_len,
        staged: 0,
        hasher: ring::digest::Context::new(&ring::digest::SHA256),
        payload_len: 0,
    };
    // The first Put Block creates the (uncommitted) blob, which can then be leased.
    stage_next(&mut s).await.map_err(OpenError::Storage)?;
    s.lease = Some(s.route.acquire_lease().await.map_err(OpenError::Storage)?);
    Ok(s)
}

async fn stage_next(s: &mut Stripe) -> Result<(), StorageError> {
    let k = s.staged + 1;
    let data = format::payload_block(s.header.backup_set_guid, s.header.family_number, k, s.real_block_len);
    s.route
        .stage_block(&format::block_id(s.header.backup_set_guid, k as u32), data.clone(), s.lease.as_deref())
        .await?;
    s.hasher.update(&data);
    s.payload_len += data.len() as u64;
    s.staged = k;
    Ok(())
}

/// Let the virtual bytes flow; stage real blocks proportionally; enforce the block limit.
async fn transfer(
    ctx: &ExecContext,
    verb: &str,
    stats: Option<u32>,
    plan: &Plan,
    stripes: &mut [Stripe],
) -> Result<(), ExecError> {
    let mut progress = Progress::new(ctx, stats, plan.virtual_bytes);
    // The point where one stripe would need block 50,001.
    let vblocks = format::blocks_for(plan.stripe_bytes, plan.block_bytes);
    let limit_fraction = if vblocks > format::MAX_BLOCKS_PER_BLOB {
        format::MAX_BLOCKS_PER_BLOB as f64 / vblocks as f64
    } else {
        1.0
    };
    progress.report(0.0).await.map_err(ExecError::from)?;
    loop {
        let f = progress.tick(limit_fraction).await.map_err(|s: Stop| ExecError::from(s))?;
        // Injected mid-write failure: storage starts refusing writes (503 → 1117) → 3202.
        if let Some(at) = ctx.server.faults().storage_write_fail_at_percent {
            if f * 100.0 >= at as f64 {
                let url = stripes[0].route.url.clone();
                return Err(fail(verb, m::write_failed(&url, OsError::IoDevice)));
            }
        }
        for s in stripes.iter_mut() {
            while s.staged < s.real_blocks && (s.staged as f64) / (s.real_blocks as f64) < f {
                if ctx.is_cancelled() {
                    return Err(ExecError::Cancelled);
                }
                if let Err(StorageError(os)) = stage_next(s).await {
                    return Err(fail(verb, m::write_failed_any(&s.route.url, os)));
                }
            }
        }
        if f >= limit_fraction {
            break;
        }
    }
    if limit_fraction < 1.0 {
        let url = stripes[0].route.url.clone();
        return Err(fail(verb, m::block_limit(&url)));
    }
    Ok(())
}

/// Failure or cancel: never commit; break the lease; delete what this backup created. With the
/// scenario switch `leave_leased_blob_on_failure`, leave the uncommitted blob under its lease
/// instead (what the troubleshooting page describes after a failed backup).
async fn cleanup(ctx: &ExecContext, stripes: &[Stripe]) {
    if ctx.server.faults().leave_leased_blob_on_failure {
        return;
    }
    for s in stripes {
        if s.lease.is_some() {
            let _ = s.route.break_lease().await;
        }
        if !s.existed {
            let _ = s.route.delete().await;
        }
    }
}

fn apply_history(ctx: &ExecContext, stmt: &BackupStmt, plan: &Plan, finish: chrono::NaiveDateTime) {
    let mut g = ctx.server.lock();
    // msdb backup history (backupset + backupmediafamily).
    let hdr = &plan.header;
    let id = g.backup_history.len() as i32 + 1;
    g.backup_history.push(crate::state::BackupHistoryRow {
        backup_set_id: id,
        media_set_id: id,
        backup_set_uuid: hdr.backup_set_guid,
        name: hdr.backup_name.clone(),
        description: hdr.backup_description.clone(),
        user_name: hdr.user_name.clone(),
        database_name: hdr.database_name.clone(),
        server_name: hdr.server_name.clone(),
        machine_name: hdr.machine_name.clone(),
        backup_type: match hdr.backup_type {
            2 => 'L',
            5 => 'I',
            _ => 'D',
        },
        is_copy_only: hdr.is_copy_only,
        backup_start_date: hdr.backup_start_date,
        backup_finish_date: finish,
        first_lsn: hdr.first_lsn,
        last_lsn: hdr.last_lsn,
        checkpoint_lsn: hdr.checkpoint_lsn,
        database_backup_lsn: hdr.database_backup_lsn,
        differential_base_lsn: hdr.differential_base_lsn,
        backup_size: hdr.backup_size,
        compressed_backup_size: hdr.compressed_backup_size,
        recovery_model: super::restore_op::recovery_model_display(&hdr.recovery_model),
        has_backup_checksums: hdr.has_checksums,
        physical_device_names: stmt.urls.clone(),
    });
    let Some(db) = g.database(&stmt.database).cloned() else { return };
    let h = g.backup.get_or_create(&db.name, db.database_id);
    let hdr = &plan.header;
    h.current_lsn = h.current_lsn.max(hdr.last_lsn);
    if plan.new_full {
        h.has_full = true;
        if !hdr.is_copy_only {
            h.diff_base = Some(super::history::FullBase {
                backup_set_guid: hdr.backup_set_guid,
                checkpoint_lsn: hdr.checkpoint_lsn,
            });
        }
        if h.log_chain_lsn.is_none() {
            h.log_chain_lsn = Some(hdr.first_lsn);
            h.log_chain_time = Some(hdr.backup_start_date);
        }
    }
    if let Some(l) = plan.new_log_chain_lsn {
        h.log_chain_lsn = Some(l);
        h.log_chain_time = Some(ctx.server.local_now());
    }
    if plan.norecovery && hdr.backup_type == 2 {
        // Tail-log backup WITH NORECOVERY leaves the database RESTORING.
        if let Some(d) = g.database_mut(&stmt.database) {
            d.state = "RESTORING".into();
        }
    }
}

async fn finish_messages(ctx: &ExecContext, verb: &str, db: &str, plan: &Plan) -> Result<(), ExecError> {
    let mut total = 0;
    for (logical, pages) in &plan.pages {
        total += pages;
        ctx.info(m::processed_pages(*pages, db, logical)).await?;
    }
    let elapsed = start_elapsed(ctx, plan);
    let secs = elapsed.as_secs_f64().max(0.001);
    let mb = (total * PAGE) as f64 / (1024.0 * 1024.0);
    ctx.info(m::success(verb, total, elapsed, mb / secs)).await
}

fn start_elapsed(ctx: &ExecContext, plan: &Plan) -> Duration {
    let start: NaiveDateTime = plan.header.backup_start_date;
    (ctx.server.local_now() - start).to_std().unwrap_or_default()
}
