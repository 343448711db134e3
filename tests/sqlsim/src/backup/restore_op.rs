//! RESTORE HEADERONLY | FILELISTONLY | LABELONLY | VERIFYONLY | DATABASE | LOG FROM URL.
//! Everything is read back from the blobs themselves.

use chrono::NaiveDateTime;

use super::backup_op::{is_log, route_error};
use super::format::{self, BackupHeader, DecodeError, PayloadError};
use super::history::{DbHistory, FullBase, RestoreChain};
use super::messages as m;
use super::parse::{RestoreKind, RestoreStmt};
use super::progress::Progress;
use super::storage::{self, Access, StorageError};
use crate::exec::{Column, Event, ExecContext, ExecError, ResultSet, SqlMessage, SqlType, SqlValue};
use crate::scenario::DbFile;
use crate::state::DatabaseState;

const PAGE: u64 = 8192;

fn fail(verb: &str, causes: Vec<SqlMessage>) -> ExecError {
    let mut v = causes;
    v.push(m::terminating(verb));
    ExecError::Failed(v)
}

/// One stripe as read from storage.
struct Family {
    url: String,
    header: BackupHeader,
    payload: Vec<u8>,
}

/// Read and decode every URL. `need_all`: the URLs must be the complete media set (VERIFYONLY,
/// RESTORE DATABASE/LOG); HEADERONLY/FILELISTONLY/LABELONLY read the header of any member.
async fn read_families(ctx: &ExecContext, verb: &str, urls: &[String], need_all: bool) -> Result<Vec<Family>, ExecError> {
    let mut out = Vec::new();
    for url in urls {
        let route = storage::resolve(&ctx.server, url, Access::Read).map_err(|e| route_error(verb, url, e))?;
        let blob = match route.download().await {
            Ok(b) => b,
            Err(StorageError(os)) => return Err(fail(verb, vec![m::open_failed(url, os)])),
        };
        let (header, payload) = match format::decode(&blob) {
            Ok((h, p)) => (h, p.to_vec()),
            Err(DecodeError::Malformed(_)) => return Err(fail(verb, vec![m::incorrectly_formed(url)])),
            Err(DecodeError::Truncated(_)) => return Err(fail(verb, vec![m::read_past_end(url)])),
        };
        out.push(Family { url: url.clone(), header, payload });
    }
    // All members of one media set, each once.
    let first = &out[0].header;
    for f in &out[1..] {
        if f.header.media_set_guid != first.media_set_guid {
            return Err(fail(verb, vec![m::mixed_media_sets(&f.url)]));
        }
    }
    let mut numbers: Vec<u32> = out.iter().map(|f| f.header.family_number).collect();
    numbers.sort_unstable();
    numbers.dedup();
    if need_all && (first.family_count as usize != out.len() || numbers.len() != out.len()) {
        return Err(fail(verb, vec![m::missing_families(first.family_count, numbers.len())]));
    }
    out.sort_by_key(|f| f.header.family_number);
    Ok(out)
}

fn verify_payloads(verb: &str, fams: &[Family]) -> Result<(), ExecError> {
    for f in fams {
        match format::check_payload(&f.header, &f.payload) {
            Ok(()) => {}
            Err(PayloadError::Truncated { .. }) => return Err(fail(verb, vec![m::read_past_end(&f.url)])),
            Err(PayloadError::Checksum) => return Err(fail(verb, vec![m::page_error(&f.header.database_name)])),
        }
    }
    Ok(())
}

pub async fn run(stmt: &RestoreStmt, ctx: &ExecContext) -> Result<(), ExecError> {
    let verb = stmt.kind.verb();
    if stmt.options.credential.is_some() {
        return Err(fail(
            verb,
            vec![m::sim_error("sqlsim does not simulate WITH CREDENTIAL (storage account key, page blobs); use a credential named after the container URL.")],
        ));
    }
    if matches!(stmt.kind, RestoreKind::Database(_) | RestoreKind::Log(_)) && !ctx.is_sysadmin {
        return Err(fail(verb, vec![m::permission_denied("CREATE DATABASE", "master")]));
    }
    // HEADERONLY / FILELISTONLY / LABELONLY / VERIFYONLY need CREATE DATABASE (their T-SQL
    // pages): 262 for CREATE DATABASE in master, then 3013.
    if !matches!(stmt.kind, RestoreKind::Database(_) | RestoreKind::Log(_)) && !ctx.has_create_database() {
        return Err(fail(verb, vec![m::permission_denied("CREATE DATABASE", "master")]));
    }
    let need_all = !matches!(stmt.kind, RestoreKind::HeaderOnly | RestoreKind::FileListOnly | RestoreKind::LabelOnly);
    let fams = read_families(ctx, verb, &stmt.urls, need_all).await?;
    if let Some(want) = &stmt.options.media_name {
        let have = fams[0].header.media_name.clone().unwrap_or_default();
        if !have.eq_ignore_ascii_case(want) {
            return Err(fail(verb, vec![m::media_name_mismatch(want, &have, &fams[0].url)]));
        }
    }
    match &stmt.kind {
        RestoreKind::HeaderOnly => send_rows(ctx, header_rows(&fams[0].header)).await,
        RestoreKind::FileListOnly => send_rows(ctx, filelist_rows(&fams[0].header)).await,
        RestoreKind::LabelOnly => send_rows(ctx, label_rows(&fams[0].header)).await,
        RestoreKind::VerifyOnly => {
            verify_payloads(verb, &fams)?;
            let _request = ctx.server.register_request(ctx.session_id, "RESTORE VERIFYONLY");
            let mut p = Progress::new(ctx, stmt.options.stats, fams[0].header.compressed_backup_size);
            loop {
                if p.tick(1.0).await.map_err(ExecError::from)? >= 1.0 {
                    break;
                }
            }
            ctx.info(m::verify_ok()).await
        }
        RestoreKind::Database(name) | RestoreKind::Log(name) => restore(ctx, stmt, name, &fams).await,
    }
}

async fn send_rows(ctx: &ExecContext, rs: ResultSet) -> Result<(), ExecError> {
    let n = rs.rows.len() as u64;
    ctx.send(Event::Rows(rs)).await?;
    ctx.send(Event::StatementDone { rows: Some(n) }).await
}

/// What a successful restore will change.
struct Outcome {
    db: DatabaseState,
    hist: DbHistory,
    pages: Vec<(String, u64)>,
    info: Vec<SqlMessage>,
}

async fn restore(ctx: &ExecContext, stmt: &RestoreStmt, target: &str, fams: &[Family]) -> Result<(), ExecError> {
    let verb = stmt.kind.verb();
    let h = fams[0].header.clone();
    let is_log_restore = matches!(stmt.kind, RestoreKind::Log(_));
    if is_log_restore != (h.backup_type == 2) {
        let made_by = match h.backup_type {
            2 => "BACKUP LOG",
            _ => "BACKUP DATABASE",
        };
        return Err(fail(
            verb,
            vec![SqlMessage::new(
                3135,
                16,
                2,
                format!("The backup set in file '{}' was created by {made_by} and cannot be used for this restore operation.", fams[0].url),
            )],
        ));
    }
    verify_payloads(verb, fams)?;
    let o = &stmt.options;
    let recovery = o.recovery.unwrap_or(true);

    // Plan under the lock; change nothing yet.
    let outcome = {
        let g = ctx.server.lock();
        let existing = g.database(target).cloned();
        let hist = existing.as_ref().and_then(|d| g.backup.get(&d.name).cloned());
        match h.backup_type {
            1 => {
                if let Some(d) = &existing {
                    if d.in_use {
                        return Err(fail(verb, vec![m::exclusive_access()]));
                    }
                    let same = hist.as_ref().is_some_and(|x| x.database_guid == h.database_guid);
                    if !same && !o.replace {
                        return Err(fail(verb, vec![m::other_database(&d.name)]));
                    }
                    let full_model = !d.recovery_model.eq_ignore_ascii_case("SIMPLE");
                    let chain = hist.as_ref().is_some_and(|x| x.has_full);
                    if full_model && chain && d.state.eq_ignore_ascii_case("ONLINE") && !o.replace && o.stop_at.is_none() && o.stop_mark.is_none() {
                        return Err(fail(verb, vec![m::tail_not_backed_up(&d.name)]));
                    }
                }
                // Files: MOVE, then conflicts with other databases' files.
                let mut files = Vec::new();
                for (logical, _) in &o.moves {
                    if !h.files.iter().any(|f| f.logical_name.eq_ignore_ascii_case(logical)) {
                        return Err(fail(verb, vec![m::unknown_logical_file(logical, &h.database_name)]));
                    }
                }
                let mut problems = Vec::new();
                for f in &h.files {
                    let physical = o
                        .moves
                        .iter()
                        .rev()
                        .find(|(l, _)| l.eq_ignore_ascii_case(&f.logical_name))
                        .map(|(_, p)| p.clone())
                        .unwrap_or_else(|| f.physical_name.clone());
                    if let Some(other) = g.databases.iter().find(|d| {
                        !d.name.eq_ignore_ascii_case(target)
                            && d.files.iter().any(|x| x.physical_name.eq_ignore_ascii_case(&physical))
                    }) {
                        problems.push(m::file_in_use(&physical, &other.name));
                        problems.push(m::use_move(&f.logical_name, &physical));
                    }
                    files.push(DbFile {
                        logical_name: f.logical_name.clone(),
                        physical_name: physical,
                        file_type: if f.file_type == 'L' { "LOG".into() } else { "ROWS".into() },
                        size_mb: f.size_bytes.div_ceil(1024 * 1024),
                    });
                }
                if !problems.is_empty() {
                    problems.push(m::planning_problems());
                    return Err(fail(verb, problems));
                }
                let db = DatabaseState {
                    database_id: existing.as_ref().map(|d| d.database_id).unwrap_or(g.next_database_id),
                    name: existing.as_ref().map(|d| d.name.clone()).unwrap_or_else(|| target.to_string()),
                    recovery_model: h.recovery_model.clone(),
                    state: if recovery { "ONLINE" } else { "RESTORING" }.into(),
                    files,
                    in_use: false,
                    create_date: existing.as_ref().map(|d| d.create_date).unwrap_or_else(|| ctx.server.local_now()),
                    is_system: false,
                    // Corruption travels in the backup.
                    corrupt: h.corrupt,
                };
                let mut nh = DbHistory::new(db.database_id);
                nh.database_guid = h.database_guid;
                nh.current_lsn = h.last_lsn;
                nh.has_full = true;
                nh.diff_base = if h.is_copy_only {
                    None
                } else {
                    Some(FullBase { backup_set_guid: h.backup_set_guid, checkpoint_lsn: h.checkpoint_lsn })
                };
                nh.log_chain_lsn = Some(h.last_lsn);
                nh.log_chain_time = Some(h.backup_finish_date);
                nh.restore = if recovery {
                    None
                } else {
                    Some(RestoreChain {
                        full_backup_set_guid: h.backup_set_guid,
                        redo_lsn: h.last_lsn,
                        reached_time: h.backup_finish_date,
                        differential_applied: false,
                    })
                };
                let pages = pages_of(&db, &h, false);
                Outcome { db, hist: nh, pages, info: vec![] }
            }
            5 | 2 => {
                let (Some(d), Some(mut nh)) = (existing.clone(), hist.clone()) else {
                    return Err(fail(verb, vec![m::nothing_to_roll_forward()]));
                };
                let Some(mut chain) = nh.restore.clone().filter(|_| d.state.eq_ignore_ascii_case("RESTORING")) else {
                    return Err(fail(verb, vec![m::nothing_to_roll_forward()]));
                };
                if nh.database_guid != h.database_guid {
                    return Err(fail(verb, vec![m::other_database(&d.name)]));
                }
                let mut info = Vec::new();
                let mut recover = recovery;
                if h.backup_type == 5 {
                    if h.differential_base_guid != Some(chain.full_backup_set_guid) || chain.differential_applied {
                        return Err(fail(verb, vec![m::wrong_differential_base()]));
                    }
                    chain.redo_lsn = h.last_lsn;
                    chain.reached_time = h.backup_finish_date;
                    chain.differential_applied = true;
                } else {
                    if h.first_lsn > chain.redo_lsn {
                        return Err(fail(verb, vec![m::log_too_recent(h.first_lsn, chain.redo_lsn)]));
                    }
                    if h.last_lsn <= chain.redo_lsn {
                        return Err(fail(verb, vec![m::log_too_early(h.last_lsn, chain.redo_lsn)]));
                    }
                    let mut reached = h.backup_finish_date;
                    // STOPATMARK / STOPBEFOREMARK: the mark's time from the scenario (marks of the
                    // database the log belongs to); a mark not found is treated like a point
                    // after this log (it may be in a later one).
                    let mark_time = o.stop_mark.as_ref().map(|sm| {
                        ctx.server
                            .scenario
                            .marks
                            .iter()
                            .filter(|mk| mk.database.eq_ignore_ascii_case(&h.database_name) && mk.name.eq_ignore_ascii_case(&sm.name))
                            .filter_map(|mk| crate::backup::parse::parse_datetime(&mk.time))
                            .filter(|t| sm.after.is_none_or(|a| *t >= a))
                            .min()
                            .map(|t| if sm.before { t - chrono::Duration::milliseconds(1) } else { t })
                            .unwrap_or(chrono::NaiveDateTime::MAX)
                    });
                    if let Some(t) = o.stop_at.or(mark_time) {
                        if t < chain.reached_time {
                            return Err(fail(verb, vec![m::stopat_too_early()]));
                        }
                        if t >= h.backup_finish_date {
                            // STOPAT beyond this log: apply it all, stay RESTORING.
                            info.push(m::stopat_after_log());
                            recover = false;
                        } else {
                            reached = t.max(h.log_start_time.unwrap_or(t));
                        }
                    }
                    chain.redo_lsn = h.last_lsn;
                    chain.reached_time = reached;
                }
                nh.current_lsn = chain.redo_lsn;
                nh.log_chain_lsn = Some(chain.redo_lsn);
                nh.log_chain_time = Some(chain.reached_time);
                let mut db = d.clone();
                if recover {
                    db.state = "ONLINE".into();
                    nh.restore = None;
                } else {
                    nh.restore = Some(chain);
                }
                let pages = pages_of(&db, &h, h.backup_type == 2);
                Outcome { db, hist: nh, pages, info }
            }
            other => {
                return Err(fail(verb, vec![m::sim_error(format!("sqlsim cannot restore backup type {other}."))]));
            }
        }
    };

    let _request = ctx.server.register_request(ctx.session_id, verb);
    let mut p = Progress::new(ctx, o.stats, h.backup_size);
    p.report(0.0).await.map_err(ExecError::from)?;
    loop {
        if p.tick(1.0).await.map_err(ExecError::from)? >= 1.0 {
            break;
        }
    }
    // Commit the new state.
    {
        let mut g = ctx.server.lock();
        let name = outcome.db.name.clone();
        if let Some(d) = g.database_mut(&name) {
            *d = outcome.db.clone();
        } else {
            g.next_database_id = g.next_database_id.max(outcome.db.database_id + 1);
            g.databases.push(outcome.db.clone());
        }
        g.backup.set(&name, outcome.hist.clone());
    }
    let mut total = 0;
    for (logical, pages) in &outcome.pages {
        total += pages;
        ctx.info(m::processed_pages(*pages, &outcome.db.name, logical)).await?;
    }
    for i in &outcome.info {
        ctx.info(i.clone()).await?;
    }
    let elapsed = p.elapsed();
    let mb = (total * PAGE) as f64 / (1024.0 * 1024.0);
    ctx.info(m::success(verb, total, elapsed, mb / elapsed.as_secs_f64().max(0.001))).await
}

fn pages_of(db: &DatabaseState, h: &BackupHeader, log_only: bool) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let data_files: Vec<_> = db.files.iter().filter(|f| !is_log(&f.file_type)).collect();
    let log_files: Vec<_> = db.files.iter().filter(|f| is_log(&f.file_type)).collect();
    if !log_only {
        let n = data_files.len().max(1) as u64;
        for f in &data_files {
            out.push((f.logical_name.clone(), (h.data_pages / n).max(1)));
        }
    }
    let n = log_files.len().max(1) as u64;
    for f in &log_files {
        out.push((f.logical_name.clone(), (h.log_pages / n).max(1)));
    }
    out
}

fn col(name: &str, ty: SqlType, nullable: bool) -> Column {
    Column::new(name, ty, nullable)
}

fn s(v: impl Into<String>) -> SqlValue {
    SqlValue::Str(v.into())
}

fn opt_s(v: &Option<String>) -> SqlValue {
    v.as_ref().map(|x| SqlValue::Str(x.clone())).unwrap_or(SqlValue::Null)
}

fn lsn(v: u64) -> SqlValue {
    SqlValue::Numeric(v as i128)
}

fn dt(v: NaiveDateTime) -> SqlValue {
    SqlValue::DateTime(v)
}

fn b(v: bool) -> SqlValue {
    SqlValue::Bit(v)
}

/// RESTORE HEADERONLY: SQL Server 2022's columns, in order.
pub fn header_rows(h: &BackupHeader) -> ResultSet {
    use SqlType::*;
    let nv = |n| NVarChar(Some(n));
    let num25 = Numeric(25, 0);
    let columns = vec![
        col("BackupName", nv(128), true),
        col("BackupDescription", nv(255), true),
        col("BackupType", SmallInt, true),
        col("ExpirationDate", DateTime, true),
        // Documented as bit(1).
        col("Compressed", Bit, true),
        col("Position", SmallInt, true),
        col("DeviceType", TinyInt, true),
        col("UserName", nv(128), true),
        col("ServerName", nv(128), true),
        col("DatabaseName", nv(128), true),
        col("DatabaseVersion", Int, true),
        col("DatabaseCreationDate", DateTime, true),
        col("BackupSize", Numeric(20, 0), true),
        col("FirstLSN", num25.clone(), true),
        col("LastLSN", num25.clone(), true),
        col("CheckpointLSN", num25.clone(), true),
        col("DatabaseBackupLSN", num25.clone(), true),
        col("BackupStartDate", DateTime, true),
        col("BackupFinishDate", DateTime, true),
        col("SortOrder", SmallInt, true),
        col("CodePage", SmallInt, true),
        col("UnicodeLocaleId", Int, true),
        col("UnicodeComparisonStyle", Int, true),
        col("CompatibilityLevel", TinyInt, true),
        col("SoftwareVendorId", Int, true),
        col("SoftwareVersionMajor", Int, true),
        col("SoftwareVersionMinor", Int, true),
        col("SoftwareVersionBuild", Int, true),
        col("MachineName", nv(128), true),
        col("Flags", Int, true),
        col("BindingID", UniqueIdentifier, true),
        col("RecoveryForkID", UniqueIdentifier, true),
        col("Collation", nv(128), true),
        col("FamilyGUID", UniqueIdentifier, true),
        col("HasBulkLoggedData", Bit, true),
        col("IsSnapshot", Bit, true),
        col("IsReadOnly", Bit, true),
        col("IsSingleUser", Bit, true),
        col("HasBackupChecksums", Bit, true),
        col("IsDamaged", Bit, true),
        col("BeginsLogChain", Bit, true),
        col("HasIncompleteMetaData", Bit, true),
        col("IsForceOffline", Bit, true),
        col("IsCopyOnly", Bit, true),
        col("FirstRecoveryForkID", UniqueIdentifier, true),
        col("ForkPointLSN", num25.clone(), true),
        col("RecoveryModel", nv(60), true),
        col("DifferentialBaseLSN", num25.clone(), true),
        col("DifferentialBaseGUID", UniqueIdentifier, true),
        col("BackupTypeDescription", nv(60), true),
        col("BackupSetGUID", UniqueIdentifier, true),
        col("CompressedBackupSize", BigInt, true),
        col("Containment", TinyInt, true),
        col("KeyAlgorithm", nv(32), true),
        col("EncryptorThumbprint", VarBinary(Some(20)), true),
        col("EncryptorType", nv(32), true),
        col("LastValidRestoreTime", DateTime, true),
        col("TimeZone", nv(32), true),
        col("CompressionAlgorithm", nv(32), true),
    ];
    let thumb = h.encryption.as_ref().map(|_| SqlValue::Bytes(h.backup_set_guid.as_bytes()[..16].iter().chain([0u8; 4].iter()).copied().collect()));
    let flags = 512 | if h.has_checksums { 16 } else { 0 } | if h.is_copy_only { 1024 } else { 0 };
    let fork = uuid::Uuid::from_u64_pair(h.database_guid.as_u64_pair().1, h.database_guid.as_u64_pair().0);
    // SoftwareVersionMajor/Minor/Build of the server that wrote it (16.0.4175 for old blobs).
    let mut ver = [16i64, 0, 4175];
    if !h.software_version.is_empty() {
        for (i, p) in h.software_version.split('.').take(3).enumerate() {
            ver[i] = p.parse().unwrap_or(ver[i]);
        }
    }
    let row = vec![
        opt_s(&h.backup_name),
        opt_s(&h.backup_description),
        SqlValue::Int(h.backup_type as i64),
        h.expiration_date.map(dt).unwrap_or(SqlValue::Null),
        b(h.compressed),
        SqlValue::Int(1),
        SqlValue::Int(9),
        s(h.user_name.clone()),
        s(h.server_name.clone()),
        s(h.database_name.clone()),
        SqlValue::Int(h.database_version as i64),
        dt(h.database_creation_date),
        SqlValue::Numeric(h.backup_size as i128),
        lsn(h.first_lsn),
        lsn(h.last_lsn),
        lsn(h.checkpoint_lsn),
        lsn(h.database_backup_lsn),
        dt(h.backup_start_date),
        dt(h.backup_finish_date),
        SqlValue::Int(52),
        SqlValue::Int(0),
        SqlValue::Int(1033),
        SqlValue::Int(196609),
        SqlValue::Int(h.compatibility_level as i64),
        SqlValue::Int(4608),
        SqlValue::Int(ver[0]),
        SqlValue::Int(ver[1]),
        SqlValue::Int(ver[2]),
        s(h.machine_name.clone()),
        SqlValue::Int(flags),
        SqlValue::Guid(h.media_set_guid),
        SqlValue::Guid(fork),
        s("SQL_Latin1_General_CP1_CI_AS"),
        SqlValue::Guid(h.database_guid),
        b(false),
        b(false),
        b(false),
        b(false),
        b(h.has_checksums),
        b(false),
        b(h.begins_log_chain),
        b(false),
        b(false),
        b(h.is_copy_only),
        SqlValue::Guid(fork),
        SqlValue::Null,
        // Documented spellings: FULL, BULK-LOGGED (hyphen), SIMPLE.
        s(recovery_model_display(&h.recovery_model)),
        h.differential_base_lsn.map(lsn).unwrap_or(SqlValue::Null),
        h.differential_base_guid.map(SqlValue::Guid).unwrap_or(SqlValue::Null),
        s(h.backup_type_description()),
        SqlValue::Guid(h.backup_set_guid),
        SqlValue::Int(h.compressed_backup_size as i64),
        SqlValue::Int(0),
        h.encryption.as_ref().map(|e| s(e.0.clone())).unwrap_or(SqlValue::Null),
        thumb.unwrap_or(SqlValue::Null),
        h.encryption.as_ref().map(|e| s(e.1.split(' ').next().unwrap_or("CERTIFICATE").to_string())).unwrap_or(SqlValue::Null),
        if h.backup_type == 2 { dt(h.backup_finish_date) } else { SqlValue::Null },
        s("00:00"),
        if h.compressed { s("MS_XPRESS") } else { SqlValue::Null },
    ];
    ResultSet { columns, rows: vec![row] }
}

/// HEADERONLY's RecoveryModel: `FULL`, `BULK-LOGGED` or `SIMPLE`.
pub fn recovery_model_display(model: &str) -> String {
    let m = model.to_ascii_uppercase();
    if m == "BULK_LOGGED" { "BULK-LOGGED".into() } else { m }
}

/// RESTORE FILELISTONLY: SQL Server 2022's columns, in order.
pub fn filelist_rows(h: &BackupHeader) -> ResultSet {
    use SqlType::*;
    let nv = |n| NVarChar(Some(n));
    let num25 = Numeric(25, 0);
    let columns = vec![
        col("LogicalName", nv(128), true),
        col("PhysicalName", nv(260), true),
        col("Type", Char(1), true),
        col("FileGroupName", nv(128), true),
        col("Size", Numeric(20, 0), true),
        col("MaxSize", Numeric(20, 0), true),
        col("FileID", BigInt, true),
        col("CreateLSN", num25.clone(), true),
        col("DropLSN", num25.clone(), true),
        col("UniqueID", UniqueIdentifier, true),
        col("ReadOnlyLSN", num25.clone(), true),
        col("ReadWriteLSN", num25.clone(), true),
        col("BackupSizeInBytes", BigInt, true),
        col("SourceBlockSize", Int, true),
        col("FileGroupID", Int, true),
        col("LogGroupGUID", UniqueIdentifier, true),
        col("DifferentialBaseLSN", num25.clone(), true),
        col("DifferentialBaseGUID", UniqueIdentifier, true),
        col("IsReadOnly", Bit, true),
        col("IsPresent", Bit, true),
        col("TDEThumbprint", VarBinary(Some(32)), true),
        col("SnapshotURL", nv(360), true),
    ];
    let rows = h
        .files
        .iter()
        .map(|f| {
            let (a, _) = h.database_guid.as_u64_pair();
            vec![
                s(f.logical_name.clone()),
                s(f.physical_name.clone()),
                s(f.file_type.to_string()),
                f.filegroup.clone().map(SqlValue::Str).unwrap_or(SqlValue::Null),
                SqlValue::Numeric(f.size_bytes as i128),
                SqlValue::Numeric(35184372080640),
                SqlValue::Int(f.file_id),
                lsn(0),
                lsn(0),
                SqlValue::Guid(uuid::Uuid::from_u64_pair(a, f.file_id as u64)),
                lsn(0),
                lsn(0),
                SqlValue::Int(f.backup_size_bytes as i64),
                SqlValue::Int(512),
                SqlValue::Int(if f.file_type == 'L' { 0 } else { 1 }),
                SqlValue::Null,
                if f.file_type == 'L' { lsn(0) } else { h.differential_base_lsn.map(lsn).unwrap_or(lsn(0)) },
                if f.file_type == 'L' {
                    // Real output shows the all-zero GUID (not NULL) for a log file.
                    SqlValue::Guid(uuid::Uuid::nil())
                } else {
                    h.differential_base_guid.map(SqlValue::Guid).unwrap_or(SqlValue::Null)
                },
                b(false),
                b(true),
                SqlValue::Null,
                SqlValue::Null,
            ]
        })
        .collect();
    ResultSet { columns, rows }
}

/// RESTORE LABELONLY.
pub fn label_rows(h: &BackupHeader) -> ResultSet {
    use SqlType::*;
    let nv = |n| NVarChar(Some(n));
    let columns = vec![
        col("MediaName", nv(128), true),
        col("MediaSetId", UniqueIdentifier, true),
        col("FamilyCount", Int, true),
        col("FamilySequenceNumber", Int, true),
        col("MediaFamilyId", UniqueIdentifier, true),
        col("MediaSequenceNumber", Int, true),
        col("MediaLabelPresent", TinyInt, true),
        col("MediaDescription", nv(255), true),
        col("SoftwareName", nv(128), true),
        col("SoftwareVendorId", Int, true),
        col("MediaDate", DateTime, true),
        col("Mirror_Count", Int, true),
        col("IsCompressed", Bit, true),
    ];
    let (a, b_) = h.media_set_guid.as_u64_pair();
    let row = vec![
        opt_s(&h.media_name),
        SqlValue::Guid(h.media_set_guid),
        SqlValue::Int(h.family_count as i64),
        SqlValue::Int(h.family_number as i64),
        SqlValue::Guid(uuid::Uuid::from_u64_pair(b_, a ^ h.family_number as u64)),
        SqlValue::Int(1),
        SqlValue::Int(0),
        opt_s(&h.media_description),
        s("Microsoft SQL Server"),
        SqlValue::Int(4608),
        dt(h.backup_start_date),
        SqlValue::Int(1),
        b(h.compressed),
    ];
    ResultSet { columns, rows: vec![row] }
}

