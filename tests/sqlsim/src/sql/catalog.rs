//! The catalog views and DMVs the simulator models, and the SELECT executor over them.

use super::eval::{convert, eval, Env, Typed};
use super::messages as m;
use super::parse::{CmpOp, Cond, Expr, Select, SelectItem};
use crate::exec::{Column, ExecContext, ResultSet, SqlMessage, SqlType, SqlValue};

/// A whole view: its columns and rows, as this session may see them.
pub struct View {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<SqlValue>>,
}

fn col(name: &str, ty: SqlType, nullable: bool) -> Column {
    Column::new(name, ty, nullable)
}

fn s(v: impl Into<String>) -> SqlValue {
    SqlValue::Str(v.into())
}
fn i(v: impl Into<i64>) -> SqlValue {
    SqlValue::Int(v.into())
}

/// Names of the views (normalised) the simulator knows.
pub const VIEWS: [&str; 8] = [
    "sys.databases",
    "sys.master_files",
    "sys.credentials",
    "sys.dm_os_host_info",
    "sys.dm_exec_requests",
    "sys.dm_server_registry",
    "msdb.dbo.backupset",
    "msdb.dbo.backupmediafamily",
];

/// msdb's tables named without the database while `USE msdb` is in force.
fn resolve_msdb(norm: &str, ctx: &ExecContext) -> String {
    let short = norm.strip_prefix("dbo.").unwrap_or(norm);
    if ctx.database.eq_ignore_ascii_case("msdb") && (short == "backupset" || short == "backupmediafamily") && !norm.contains("..") {
        format!("msdb.dbo.{short}")
    } else {
        norm.replace("msdb..", "msdb.dbo.")
    }
}

/// The login may read server-state DMVs: sysadmin, or VIEW SERVER PERFORMANCE STATE on SQL
/// Server 2022 (VIEW SERVER STATE implies it), VIEW SERVER STATE before 2022.
pub fn sees_server_performance_state(ctx: &ExecContext) -> bool {
    let sc = &ctx.server.scenario;
    ctx.is_sysadmin
        || ctx.login_entry().is_some_and(|l| {
            if crate::sql::eval::major_version(sc) >= 16 {
                l.has_view_server_performance_state()
            } else {
                l.can_view_server_state
            }
        })
}

/// `sys.dm_server_registry` rows: the service's startup parameters (SQLArg0..n) under
/// `…\MSSQL<major>.MSSQLSERVER\MSSQLServer\Parameters`, and CurrentVersion. The key paths and
/// the default -d/-e/-l values follow published outputs of a default instance (*unconfirmed*
/// for Linux hosts, which have no registry of their own).
fn server_registry_rows(sc: &crate::scenario::Scenario) -> Vec<Vec<SqlValue>> {
    let major = crate::sql::eval::major_version(sc);
    let inst = format!("MSSQL{major}.MSSQLSERVER");
    let root = format!("HKLM\\Software\\Microsoft\\Microsoft SQL Server\\{inst}\\MSSQLServer");
    let dir = format!("C:\\Program Files\\Microsoft SQL Server\\{inst}\\MSSQL");
    let mut args = vec![
        format!("-d{dir}\\DATA\\master.mdf"),
        format!("-e{dir}\\Log\\ERRORLOG"),
        format!("-l{dir}\\DATA\\mastlog.ldf"),
    ];
    args.extend(sc.startup_parameters.iter().cloned());
    let mut rows: Vec<Vec<SqlValue>> = args
        .into_iter()
        .enumerate()
        .map(|(n, a)| vec![s(format!("{root}\\Parameters")), s(format!("SQLArg{n}")), s(a)])
        .collect();
    rows.push(vec![s(format!("{root}\\CurrentVersion")), s("CurrentVersion"), s(sc.product_version.clone())]);
    rows
}

pub fn view(name: &str, ctx: &ExecContext) -> Option<View> {
    let sc = &ctx.server.scenario;
    Some(match name {
        "sys.databases" => {
            let columns = vec![
                col("name", SqlType::NVarChar(Some(128)), false),
                col("database_id", SqlType::Int, false),
                col("source_database_id", SqlType::Int, true),
                col("create_date", SqlType::DateTime, false),
                col("compatibility_level", SqlType::TinyInt, false),
                col("collation_name", SqlType::NVarChar(Some(128)), true),
                col("user_access", SqlType::TinyInt, true),
                col("user_access_desc", SqlType::NVarChar(Some(60)), true),
                col("is_read_only", SqlType::Bit, true),
                col("state", SqlType::TinyInt, true),
                col("state_desc", SqlType::NVarChar(Some(60)), true),
                col("recovery_model", SqlType::TinyInt, true),
                col("recovery_model_desc", SqlType::NVarChar(Some(60)), true),
            ];
            let g = ctx.server.lock();
            let rows = g
                .databases
                .iter()
                .map(|d| {
                    vec![
                        s(d.name.clone()),
                        i(d.database_id),
                        SqlValue::Null,
                        SqlValue::DateTime(d.create_date),
                        i(160),
                        s("SQL_Latin1_General_CP1_CI_AS"),
                        i(0),
                        s("MULTI_USER"),
                        SqlValue::Bit(false),
                        i(d.state_code()),
                        s(d.state.clone()),
                        i(d.recovery_model_code()),
                        s(d.recovery_model.clone()),
                    ]
                })
                .collect();
            View { columns, rows }
        }
        "sys.master_files" => {
            let columns = vec![
                col("database_id", SqlType::Int, false),
                col("file_id", SqlType::Int, false),
                col("type", SqlType::TinyInt, false),
                col("type_desc", SqlType::NVarChar(Some(60)), true),
                col("data_space_id", SqlType::Int, false),
                col("name", SqlType::NVarChar(Some(128)), false),
                col("physical_name", SqlType::NVarChar(Some(260)), false),
                col("state", SqlType::TinyInt, true),
                col("state_desc", SqlType::NVarChar(Some(60)), true),
                col("size", SqlType::Int, false),
                col("max_size", SqlType::Int, false),
                col("growth", SqlType::Int, false),
                col("is_percent_growth", SqlType::Bit, false),
            ];
            let g = ctx.server.lock();
            let mut rows = Vec::new();
            for d in &g.databases {
                let mut data_id = 1;
                let mut log_id = 2;
                for f in &d.files {
                    let is_log = f.file_type.eq_ignore_ascii_case("LOG");
                    // file ids: 1 = first data file, 2 = first log file, then 3, 4, ...
                    let file_id = if is_log {
                        let v = log_id;
                        log_id = log_id.max(data_id) + 1;
                        v
                    } else {
                        let v = data_id;
                        data_id = if data_id == 1 { 3 } else { data_id + 1 }.max(log_id);
                        v
                    };
                    let pages = (f.size_mb as i64) * 128;
                    rows.push(vec![
                        i(d.database_id),
                        i(file_id),
                        i(if is_log { 1 } else { 0 }),
                        s(if is_log { "LOG" } else { "ROWS" }),
                        i(if is_log { 0 } else { 1 }),
                        s(f.logical_name.clone()),
                        s(f.physical_name.clone()),
                        i(if d.state_code() == 0 { 0 } else { 1 }),
                        s(if d.state_code() == 0 { "ONLINE" } else { "RESTORING" }),
                        SqlValue::Int(pages.min(i32::MAX as i64)),
                        i(if is_log { 268_435_456 } else { -1 }),
                        i(8192),
                        SqlValue::Bit(false),
                    ]);
                }
            }
            View { columns, rows }
        }
        "sys.credentials" => {
            let columns = vec![
                col("credential_id", SqlType::Int, false),
                col("name", SqlType::NVarChar(Some(128)), false),
                col("credential_identity", SqlType::NVarChar(Some(4000)), true),
                col("create_date", SqlType::DateTime, false),
                col("modify_date", SqlType::DateTime, false),
                col("target_type", SqlType::NVarChar(Some(100)), true),
                col("target_id", SqlType::Int, true),
            ];
            // Metadata visibility: credentials are visible with ALTER ANY CREDENTIAL (sysadmin here).
            let rows = if ctx.is_sysadmin {
                let g = ctx.server.lock();
                g.credentials
                    .iter()
                    .map(|c| {
                        vec![
                            i(c.credential_id),
                            s(c.name.clone()),
                            s(c.identity.clone()),
                            SqlValue::DateTime(c.create_date),
                            SqlValue::DateTime(c.modify_date),
                            SqlValue::Null,
                            SqlValue::Null,
                        ]
                    })
                    .collect()
            } else {
                vec![]
            };
            View { columns, rows }
        }
        "msdb.dbo.backupset" => {
            let n25 = SqlType::Numeric(25, 0);
            let columns = vec![
                col("backup_set_id", SqlType::Int, false),
                col("backup_set_uuid", SqlType::UniqueIdentifier, false),
                col("media_set_id", SqlType::Int, false),
                col("name", SqlType::NVarChar(Some(128)), true),
                col("description", SqlType::NVarChar(Some(255)), true),
                col("user_name", SqlType::NVarChar(Some(128)), true),
                col("backup_start_date", SqlType::DateTime, true),
                col("backup_finish_date", SqlType::DateTime, true),
                col("type", SqlType::Char(1), true),
                col("first_lsn", n25.clone(), true),
                col("last_lsn", n25.clone(), true),
                col("checkpoint_lsn", n25.clone(), true),
                col("database_backup_lsn", n25.clone(), true),
                col("backup_size", SqlType::Numeric(20, 0), true),
                col("database_name", SqlType::NVarChar(Some(128)), true),
                col("server_name", SqlType::NVarChar(Some(128)), true),
                col("machine_name", SqlType::NVarChar(Some(128)), true),
                col("recovery_model", SqlType::NVarChar(Some(60)), true),
                col("has_backup_checksums", SqlType::Bit, true),
                col("is_copy_only", SqlType::Bit, true),
                col("differential_base_lsn", n25, true),
                col("compressed_backup_size", SqlType::Numeric(20, 0), true),
            ];
            let g = ctx.server.lock();
            let opt = |v: &Option<String>| v.clone().map(SqlValue::Str).unwrap_or(SqlValue::Null);
            let rows = g
                .backup_history
                .iter()
                .map(|h| {
                    vec![
                        i(h.backup_set_id),
                        SqlValue::Guid(h.backup_set_uuid),
                        i(h.media_set_id),
                        opt(&h.name),
                        opt(&h.description),
                        s(h.user_name.clone()),
                        SqlValue::DateTime(h.backup_start_date),
                        SqlValue::DateTime(h.backup_finish_date),
                        s(h.backup_type.to_string()),
                        SqlValue::Numeric(h.first_lsn as i128),
                        SqlValue::Numeric(h.last_lsn as i128),
                        SqlValue::Numeric(h.checkpoint_lsn as i128),
                        SqlValue::Numeric(h.database_backup_lsn as i128),
                        SqlValue::Numeric(h.backup_size as i128),
                        s(h.database_name.clone()),
                        s(h.server_name.clone()),
                        s(h.machine_name.clone()),
                        s(h.recovery_model.clone()),
                        SqlValue::Bit(h.has_backup_checksums),
                        SqlValue::Bit(h.is_copy_only),
                        h.differential_base_lsn.map(|l| SqlValue::Numeric(l as i128)).unwrap_or(SqlValue::Null),
                        SqlValue::Numeric(h.compressed_backup_size as i128),
                    ]
                })
                .collect();
            View { columns, rows }
        }
        "msdb.dbo.backupmediafamily" => {
            let columns = vec![
                col("media_set_id", SqlType::Int, false),
                col("family_sequence_number", SqlType::TinyInt, false),
                col("media_family_id", SqlType::UniqueIdentifier, true),
                col("logical_device_name", SqlType::NVarChar(Some(128)), true),
                col("physical_device_name", SqlType::NVarChar(Some(260)), true),
                col("device_type", SqlType::TinyInt, true),
                col("mirror", SqlType::TinyInt, false),
            ];
            let g = ctx.server.lock();
            let rows = g
                .backup_history
                .iter()
                .flat_map(|h| {
                    h.physical_device_names.iter().enumerate().map(move |(k, url)| {
                        let (a, b) = h.backup_set_uuid.as_u64_pair();
                        vec![
                            i(h.media_set_id),
                            i(k as i64 + 1),
                            SqlValue::Guid(uuid::Uuid::from_u64_pair(b, a ^ (k as u64 + 1))),
                            SqlValue::Null,
                            s(url.clone()),
                            // 9 = URL (facts: HEADERONLY DeviceType for URL).
                            i(9),
                            i(0),
                        ]
                    })
                })
                .collect();
            View { columns, rows }
        }
        "sys.dm_server_registry" => {
            let columns = vec![
                col("registry_key", SqlType::NVarChar(Some(256)), true),
                col("value_name", SqlType::NVarChar(Some(256)), true),
                col("value_data", SqlType::Variant, true),
            ];
            View { columns, rows: server_registry_rows(sc) }
        }
        "sys.dm_os_host_info" => {
            let columns = vec![
                col("host_platform", SqlType::NVarChar(Some(256)), true),
                col("host_distribution", SqlType::NVarChar(Some(256)), true),
                col("host_release", SqlType::NVarChar(Some(256)), true),
                col("host_service_pack_level", SqlType::NVarChar(Some(256)), true),
                col("host_sku", SqlType::Int, true),
                col("os_language_version", SqlType::Int, true),
                col("host_architecture", SqlType::NVarChar(Some(256)), true),
            ];
            let linux = sc.host_platform.eq_ignore_ascii_case("Linux");
            let row = if linux {
                vec![s("Linux"), s("Ubuntu"), s("22.04"), s(""), SqlValue::Null, i(0), s("X64")]
            } else {
                vec![s(sc.host_platform.clone()), s("Windows Server 2022 Datacenter"), s("10.0"), s(""), i(8), i(1033), s("X64")]
            };
            View { columns, rows: vec![row] }
        }
        "sys.dm_exec_requests" => {
            let columns = vec![
                col("session_id", SqlType::SmallInt, false),
                col("request_id", SqlType::Int, false),
                col("start_time", SqlType::DateTime, false),
                col("status", SqlType::NVarChar(Some(30)), false),
                col("command", SqlType::NVarChar(Some(32)), false),
                col("database_id", SqlType::SmallInt, false),
                col("wait_type", SqlType::NVarChar(Some(60)), true),
                col("percent_complete", SqlType::Real, false),
                col("estimated_completion_time", SqlType::BigInt, false),
                col("total_elapsed_time", SqlType::Int, false),
            ];
            // SQL Server 2022 needs VIEW SERVER PERFORMANCE STATE (VIEW SERVER STATE implies it);
            // older versions VIEW SERVER STATE.
            let sees_all = sees_server_performance_state(ctx);
            let now = ctx.server.local_now();
            let reqs = ctx.server.requests();
            let g = ctx.server.lock();
            let rows = reqs
                .into_iter()
                .filter(|r| sees_all || r.session_id == ctx.session_id)
                .map(|r| {
                    let db_id = g.database(&r.database_name).map(|d| d.database_id).unwrap_or(1);
                    let elapsed = (now - r.start_time).num_milliseconds().clamp(0, i32::MAX as i64);
                    let status = if r.session_id == ctx.session_id { "running" } else { "suspended" };
                    let wait = if r.session_id == ctx.session_id {
                        SqlValue::Null
                    } else if r.command == "WAITFOR" {
                        s("WAITFOR")
                    } else if r.command.starts_with("BACKUP") || r.command.starts_with("RESTORE") {
                        s("BACKUPIO")
                    } else {
                        SqlValue::Null
                    };
                    vec![
                        i(r.session_id),
                        i(0),
                        SqlValue::DateTime(r.start_time),
                        s(status),
                        s(r.command.clone()),
                        i(db_id),
                        wait,
                        SqlValue::Float(r.percent_complete as f64),
                        i(r.estimated_completion_time),
                        SqlValue::Int(elapsed),
                    ]
                })
                .collect();
            View { columns, rows }
        }
        _ => return None,
    })
}

/// T-SQL LIKE with `%` and `_` (case-insensitive unless `cs`; trailing spaces ignored).
/// Character classes (`[a-z]`) and ESCAPE are not modelled: `[` matches itself.
pub fn like(text: &str, pattern: &str, cs: bool) -> bool {
    let norm = |x: &str| if cs { x.trim_end().to_string() } else { x.trim_end().to_lowercase() };
    let t: Vec<char> = norm(text).chars().collect();
    let p: Vec<char> = norm(pattern).chars().collect();
    // Iterative wildcard match with backtracking to the last `%`.
    let (mut ti, mut pi, mut star, mut mark) = (0usize, 0usize, None::<usize>, 0usize);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '_' || p[pi] == t[ti]) {
            ti += 1;
            pi += 1;
        } else if pi < p.len() && p[pi] == '%' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(sp) = star {
            pi = sp + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '%' {
        pi += 1;
    }
    pi == p.len()
}

fn compare(a: &SqlValue, b: &SqlValue, case_sensitive: bool) -> Option<std::cmp::Ordering> {
    match (a, b, case_sensitive) {
        (SqlValue::Str(x), SqlValue::Str(y), true) => Some(x.trim_end().cmp(y.trim_end())),
        _ => cmp_values(a, b),
    }
}

fn cmp_values(a: &SqlValue, b: &SqlValue) -> Option<std::cmp::Ordering> {
    use SqlValue::*;
    match (a, b) {
        (Null, _) | (_, Null) => None,
        (Int(x), Int(y)) => Some(x.cmp(y)),
        (Int(x), Float(y)) => (*x as f64).partial_cmp(y),
        (Float(x), Int(y)) => x.partial_cmp(&(*y as f64)),
        (Float(x), Float(y)) => x.partial_cmp(y),
        (Bit(x), Int(y)) => Some((*x as i64).cmp(y)),
        (Int(x), Bit(y)) => Some(x.cmp(&(*y as i64))),
        (Bit(x), Bit(y)) => Some(x.cmp(y)),
        // The server collation is case-insensitive.
        (Str(x), Str(y)) => Some(x.to_lowercase().trim_end().cmp(y.to_lowercase().trim_end())),
        (Int(x), Str(y)) => y.trim().parse::<i64>().ok().map(|y| x.cmp(&y)),
        (Str(x), Int(y)) => x.trim().parse::<i64>().ok().map(|x| x.cmp(y)),
        (DateTime(x), DateTime(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// Run a SELECT and produce its result set.
pub fn run_select(sel: &Select, env: &Env) -> Result<ResultSet, SqlMessage> {
    let ctx = env.ctx;
    let Some((written, norm)) = &sel.from else {
        // Scalar SELECT: one row.
        let mut columns = Vec::new();
        let mut row = Vec::new();
        for item in &sel.items {
            match item {
                SelectItem::Star => return Err(SqlMessage::new(263, 16, 1, "Must specify table to select from.")),
                SelectItem::Expr { expr, alias } => {
                    let Typed { ty, value } = eval(expr, env)?;
                    columns.push(Column::new(alias.clone().unwrap_or_default(), ty, true));
                    row.push(value);
                }
            }
        }
        let rows = if sel.top == Some(0) { vec![] } else { vec![row] };
        return Ok(ResultSet { columns, rows });
    };
    let view = match &sel.from_args {
        Some(args) => table_function(norm, written, args, env)?,
        None if norm == "sys.dm_server_registry" && !sees_server_performance_state(ctx) => {
            return Err(m::server_state_denied(crate::sql::eval::major_version(&ctx.server.scenario) >= 16));
        }
        None => view(&resolve_msdb(norm, ctx), ctx).ok_or_else(|| {
            if norm.starts_with("sys.") || norm.starts_with("information_schema.") {
                // A real catalog view the simulator does not model.
                m::not_supported(&format!("the view {written}"))
            } else {
                m::invalid_object(written)
            }
        })?,
    };
    let find = |c: &str| -> Result<usize, SqlMessage> {
        view.columns
            .iter()
            .position(|x| x.name.eq_ignore_ascii_case(c))
            .ok_or_else(|| m::not_supported(&format!("the column '{c}' of {written}")))
    };
    // WHERE
    let mut filters = Vec::new();
    for c in &sel.conditions {
        match c {
            Cond::Cmp { column, op, value, case_sensitive } => {
                let idx = find(column)?;
                let v = eval(value, env)?;
                filters.push((idx, Some((op.clone(), v.value, *case_sensitive)), false));
            }
            Cond::IsNull { column, negated } => filters.push((find(column)?, None, *negated)),
        }
    }
    let mut rows: Vec<Vec<SqlValue>> = view
        .rows
        .into_iter()
        .filter(|r| {
            filters.iter().all(|(idx, cmp, negated)| match cmp {
                None => (r[*idx] == SqlValue::Null) != *negated,
                Some((CmpOp::Like(negated), v, cs)) => match (&r[*idx], v) {
                    (SqlValue::Str(text), SqlValue::Str(pat)) => like(text, pat, *cs) != *negated,
                    _ => false,
                },
                Some((op, v, cs)) => match compare(&r[*idx], v, *cs) {
                    None => false,
                    Some(o) => match op {
                        CmpOp::Eq => o.is_eq(),
                        CmpOp::Ne => o.is_ne(),
                        CmpOp::Lt => o.is_lt(),
                        CmpOp::Le => o.is_le(),
                        CmpOp::Gt => o.is_gt(),
                        CmpOp::Ge => o.is_ge(),
                        CmpOp::Like(_) => false,
                    },
                },
            })
        })
        .collect();
    // ORDER BY (columns of the view, or aliases of select items that name a column)
    let mut order = Vec::new();
    for (c, desc) in &sel.order_by {
        let idx = match view.columns.iter().position(|x| x.name.eq_ignore_ascii_case(c)) {
            Some(i) => i,
            None => {
                let aliased = sel.items.iter().find_map(|it| match it {
                    SelectItem::Expr { expr: Expr::Column(col), alias: Some(a) } if a.eq_ignore_ascii_case(c) => Some(col.clone()),
                    _ => None,
                });
                find(&aliased.unwrap_or_else(|| c.clone()))?
            }
        };
        order.push((idx, *desc));
    }
    if !order.is_empty() {
        rows.sort_by(|a, b| {
            for (idx, desc) in &order {
                let o = match (&a[*idx], &b[*idx]) {
                    (SqlValue::Null, SqlValue::Null) => std::cmp::Ordering::Equal,
                    (SqlValue::Null, _) => std::cmp::Ordering::Less,
                    (_, SqlValue::Null) => std::cmp::Ordering::Greater,
                    (x, y) => cmp_values(x, y).unwrap_or(std::cmp::Ordering::Equal),
                };
                let o = if *desc { o.reverse() } else { o };
                if o.is_ne() {
                    return o;
                }
            }
            std::cmp::Ordering::Equal
        });
    }
    if let Some(n) = sel.top {
        rows.truncate(n as usize);
    }
    // Projection
    enum Proj {
        Col(usize),
        Cast(usize, SqlType, String),
        Const(Typed),
    }
    let mut columns = Vec::new();
    let mut projs = Vec::new();
    for item in &sel.items {
        match item {
            SelectItem::Star => {
                for (idx, c) in view.columns.iter().enumerate() {
                    columns.push(c.clone());
                    projs.push(Proj::Col(idx));
                }
            }
            SelectItem::Expr { expr: Expr::Column(c), alias } => {
                let idx = find(c)?;
                let mut column = view.columns[idx].clone();
                if let Some(a) = alias {
                    column.name = a.clone();
                }
                columns.push(column);
                projs.push(Proj::Col(idx));
            }
            SelectItem::Expr { expr: Expr::Cast { expr, ty, ty_name }, alias } if matches!(**expr, Expr::Column(_)) => {
                let Expr::Column(c) = &**expr else { unreachable!() };
                let idx = find(c)?;
                columns.push(Column::new(alias.clone().unwrap_or_default(), ty.clone(), true));
                projs.push(Proj::Cast(idx, ty.clone(), ty_name.clone()));
            }
            SelectItem::Expr { expr, alias } => {
                let v = eval(expr, env)?;
                columns.push(Column::new(alias.clone().unwrap_or_default(), v.ty.clone(), true));
                projs.push(Proj::Const(v));
            }
        }
    }
    let mut out_rows = Vec::with_capacity(rows.len());
    for r in rows {
        let mut out = Vec::with_capacity(projs.len());
        for (p, c) in projs.iter().zip(&columns) {
            out.push(match p {
                Proj::Col(idx) => r[*idx].clone(),
                Proj::Cast(idx, ty, name) => {
                    let from = Typed { ty: view.columns[*idx].ty.clone(), value: r[*idx].clone() };
                    convert(&from, ty, name)?
                }
                Proj::Const(v) => {
                    let _ = c;
                    v.value.clone()
                }
            });
        }
        out_rows.push(out);
    }
    Ok(ResultSet { columns, rows: out_rows })
}

/// Server permissions a sysadmin holds (fn_my_permissions(NULL, 'SERVER')).
const SYSADMIN_SERVER_PERMISSIONS: [&str; 32] = [
    "CONNECT SQL", "SHUTDOWN", "CREATE ENDPOINT", "CREATE ANY DATABASE", "CREATE AVAILABILITY GROUP", "ALTER ANY LOGIN",
    "ALTER ANY CREDENTIAL", "ALTER ANY ENDPOINT", "ALTER ANY LINKED SERVER", "ALTER ANY CONNECTION", "ALTER ANY DATABASE",
    "ALTER RESOURCES", "ALTER SETTINGS", "ALTER TRACE", "ALTER ANY AVAILABILITY GROUP", "ADMINISTER BULK OPERATIONS",
    "AUTHENTICATE SERVER", "EXTERNAL ACCESS ASSEMBLY", "VIEW ANY DATABASE", "VIEW ANY DEFINITION", "VIEW SERVER STATE",
    "CREATE DDL EVENT NOTIFICATION", "CREATE TRACE EVENT NOTIFICATION", "ALTER ANY EVENT NOTIFICATION", "ALTER SERVER STATE",
    "UNSAFE ASSEMBLY", "ALTER ANY SERVER AUDIT", "CREATE SERVER ROLE", "ALTER ANY SERVER ROLE", "ALTER ANY EVENT SESSION",
    "CONNECT ANY DATABASE", "CONTROL SERVER",
];

/// Table-valued functions in FROM: only `fn_my_permissions(NULL, 'SERVER' | 'DATABASE')`.
/// Columns of `fn_my_permissions`.
pub fn my_permissions_columns() -> Vec<Column> {
    vec![
        col("entity_name", SqlType::NVarChar(Some(128)), true),
        col("subentity_name", SqlType::NVarChar(Some(128)), true),
        col("permission_name", SqlType::NVarChar(Some(60)), true),
    ]
}

fn table_function(norm: &str, written: &str, args: &[Expr], env: &Env) -> Result<View, SqlMessage> {
    let name = norm.rsplit('.').next().unwrap_or(norm);
    if name != "fn_my_permissions" {
        return Err(m::not_supported(&format!("the table-valued function {written}")));
    }
    if args.len() != 2 {
        return Err(SqlMessage::new(216, 16, 1, "Parameters were not supplied for the function 'fn_my_permissions'."));
    }
    let ctx = env.ctx;
    let securable = eval(&args[0], env)?.value;
    let class = match eval(&args[1], env)?.value {
        SqlValue::Str(c) => c.to_ascii_uppercase(),
        _ => return Err(m::not_supported("fn_my_permissions without a securable class")),
    };
    let login = ctx.login_entry();
    let can_vss = ctx.is_sysadmin || login.is_some_and(|l| l.can_view_server_state);
    let perms: Vec<&str> = match (class.as_str(), &securable) {
        ("SERVER", SqlValue::Null) => {
            if ctx.is_sysadmin {
                let mut v = SYSADMIN_SERVER_PERMISSIONS.to_vec();
                if crate::sql::eval::major_version(&ctx.server.scenario) >= 16 {
                    // SQL Server 2022's granular permission (what the product checks).
                    v.push("VIEW SERVER PERFORMANCE STATE");
                }
                v
            } else {
                let mut v = vec!["CONNECT SQL", "VIEW ANY DATABASE"];
                if can_vss {
                    v.push("VIEW SERVER STATE");
                }
                // Effective permissions: VIEW SERVER STATE implies the 2022 VIEW SERVER
                // PERFORMANCE STATE; CREATE ANY DATABASE per the login's `create_database`.
                if crate::sql::eval::major_version(&ctx.server.scenario) >= 16 && login.is_some_and(|l| l.has_view_server_performance_state()) {
                    v.push("VIEW SERVER PERFORMANCE STATE");
                }
                if login.is_some_and(|l| l.has_create_database()) {
                    v.push("CREATE ANY DATABASE");
                }
                v
            }
        }
        ("DATABASE", SqlValue::Null) | ("DATABASE", SqlValue::Str(_)) => {
            if ctx.is_sysadmin {
                vec!["CONNECT", "BACKUP DATABASE", "BACKUP LOG", "CONTROL", "ALTER", "VIEW DEFINITION", "VIEW DATABASE STATE"]
            } else if ctx.is_backup_operator {
                vec!["CONNECT", "BACKUP DATABASE", "BACKUP LOG", "CHECKPOINT"]
            } else {
                vec!["CONNECT"]
            }
        }
        _ => return Err(m::not_supported(&format!("fn_my_permissions for the class '{class}'"))),
    };
    let entity = match (&securable, class.as_str()) {
        (SqlValue::Str(s), _) => s.clone(),
        (_, "DATABASE") => ctx.database.clone(),
        _ => "server".to_string(),
    };
    Ok(View {
        columns: my_permissions_columns(),
        rows: perms.into_iter().map(|p| vec![s(entity.clone()), s(""), s(p)]).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_matches_percent_and_underscore_case_insensitively() {
        assert!(like("SQLArg0", "SQLArg%", false));
        assert!(like("sqlarg12", "SQLARG%", false));
        assert!(!like("sqlarg12", "SQLARG%", true));
        assert!(like("HKLM\\x\\Parameters", "%Parameters", false));
        assert!(like("abc", "a_c", false) && !like("abbc", "a_c", false));
        assert!(like("abc", "%", false) && like("", "%", false) && !like("", "_", false));
        assert!(like("a%b", "a%b", false) && like("axxb", "a%%b", false) && !like("axxc", "a%b", false));
    }
}
