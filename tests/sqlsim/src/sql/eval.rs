//! Scalar expressions of the supported SELECT shapes: `@@` globals, SERVERPROPERTY, a few
//! built-in functions, literals, parameters, CAST/CONVERT.

use super::messages as m;
use super::parse::Expr;
use crate::exec::{ExecContext, SqlMessage, SqlType, SqlValue};
use crate::scenario::Scenario;
use crate::state::now;

/// A typed value.
#[derive(Debug, Clone, PartialEq)]
pub struct Typed {
    pub ty: SqlType,
    pub value: SqlValue,
}

fn t(ty: SqlType, value: SqlValue) -> Typed {
    Typed { ty, value }
}

fn nstr(n: u16, s: impl Into<String>) -> Typed {
    t(SqlType::NVarChar(Some(n)), SqlValue::Str(s.into()))
}

/// Year of the product for a major version.
fn product_year(major: &str) -> &'static str {
    match major {
        "16" => "2022",
        "15" => "2019",
        "14" => "2017",
        "13" => "2016",
        "17" => "2025",
        _ => "2022",
    }
}

/// The major version number of the scenario's build (16 for SQL Server 2022).
pub fn major_version(s: &Scenario) -> u32 {
    s.product_version.split('.').next().and_then(|m| m.parse().ok()).unwrap_or(16)
}

/// `@@VERSION` as SQL Server 2022 words it.
pub fn version_string(s: &Scenario) -> String {
    let major = s.product_version.split('.').next().unwrap_or("16");
    let year = product_year(major);
    let mut level = if s.product_update_level.is_empty() {
        s.product_level.clone()
    } else {
        format!("{}-{}", s.product_level, s.product_update_level)
    };
    if !s.product_build_type.is_empty() {
        level = format!("{level}-{}", s.product_build_type);
    }
    let date = if !s.build_date.is_empty() {
        s.build_date.as_str()
    } else {
        crate::scenario::known_build_date(&s.product_version).unwrap_or(crate::scenario::UNKNOWN_BUILD_DATE)
    };
    let kb = if s.product_update_reference.is_empty() { String::new() } else { format!("({}) ", s.product_update_reference) };
    let host = if s.host_platform.eq_ignore_ascii_case("Linux") {
        "Linux (Ubuntu 22.04.5 LTS) <X64>".to_string()
    } else {
        "Windows Server 2022 Datacenter 10.0 <X64> (Build 20348: ) (Hypervisor)".to_string()
    };
    format!(
        "Microsoft SQL Server {year} ({level}) {kb}- {} (X64) \n\t{date} \n\tCopyright (C) {year} Microsoft Corporation\n\t{} on {host}\n",
        s.product_version, s.edition
    )
}

/// `SERVERPROPERTY(name)`: the value SQL Server returns (as sql_variant; callers CAST it).
/// Unknown property names give NULL, as in SQL Server.
pub fn server_property(s: &Scenario, name: &str) -> Typed {
    let v = &s.product_version;
    let parts: Vec<&str> = v.split('.').collect();
    match name.to_ascii_lowercase().as_str() {
        "productversion" => nstr(128, v.clone()),
        "productmajorversion" => nstr(128, parts.first().copied().unwrap_or("16")),
        "productminorversion" => nstr(128, parts.get(1).copied().unwrap_or("0")),
        "productbuild" => nstr(128, parts.get(2).copied().unwrap_or("0")),
        "productbuildtype" if !s.product_build_type.is_empty() => nstr(128, s.product_build_type.clone()),
        "productbuildtype" => t(SqlType::NVarChar(Some(128)), SqlValue::Null),
        "productupdatelevel" => nstr(128, s.product_update_level.clone()),
        "productupdatereference" => nstr(128, s.product_update_reference.clone()),
        "productlevel" => nstr(128, s.product_level.clone()),
        "edition" => nstr(128, s.edition.clone()),
        "engineedition" => t(SqlType::Int, SqlValue::Int(s.engine_edition as i64)),
        "isclustered" => t(SqlType::Int, SqlValue::Int(s.clustered as i64)),
        "ishadrenabled" => t(SqlType::Int, SqlValue::Int(0)),
        "isintegratedsecurityonly" => t(SqlType::Int, SqlValue::Int(0)),
        "issingleuser" => t(SqlType::Int, SqlValue::Int(0)),
        "instancedefaultdatapath" => nstr(4000, s.default_data_path.clone()),
        "instancedefaultlogpath" => nstr(4000, s.default_log_path.clone()),
        "servername" | "machinename" | "computernamephysicalnetbios" => nstr(128, s.server_name.clone()),
        "instancename" => t(SqlType::NVarChar(Some(128)), SqlValue::Null),
        "collation" => nstr(128, "SQL_Latin1_General_CP1_CI_AS"),
        _ => t(SqlType::NVarChar(Some(128)), SqlValue::Null),
    }
}

/// Context for evaluating expressions.
pub struct Env<'a> {
    pub ctx: &'a ExecContext,
    pub params: &'a [(String, SqlValue)],
}

fn infer(v: &SqlValue) -> SqlType {
    match v {
        SqlValue::Null => SqlType::Int,
        SqlValue::Int(i) if i32::try_from(*i).is_ok() => SqlType::Int,
        SqlValue::Int(_) => SqlType::BigInt,
        SqlValue::Bit(_) => SqlType::Bit,
        SqlValue::Float(_) => SqlType::Float,
        SqlValue::Str(s) => SqlType::NVarChar(Some(s.encode_utf16().count().clamp(1, 4000) as u16)),
        SqlValue::DateTime(_) => SqlType::DateTime2(7),
        SqlValue::DateTimeOffset(..) => SqlType::DateTimeOffset(7),
        SqlValue::Numeric(_) => SqlType::Numeric(38, 0),
        SqlValue::Guid(_) => SqlType::UniqueIdentifier,
        SqlValue::Bytes(b) => SqlType::VarBinary(Some(b.len().clamp(1, 8000) as u16)),
    }
}

pub fn eval(e: &Expr, env: &Env) -> Result<Typed, SqlMessage> {
    let ctx = env.ctx;
    let sc = &ctx.server.scenario;
    Ok(match e {
        Expr::Null => t(SqlType::Int, SqlValue::Null),
        Expr::Int(i) => t(if i32::try_from(*i).is_ok() { SqlType::Int } else { SqlType::BigInt }, SqlValue::Int(*i)),
        Expr::Neg(inner) => {
            let v = eval(inner, env)?;
            match v.value {
                SqlValue::Int(i) => t(v.ty, SqlValue::Int(-i)),
                SqlValue::Null => v,
                _ => return Err(m::not_supported("unary minus on a non-number")),
            }
        }
        Expr::Str { value, national } => {
            let n = value.chars().count().max(1);
            if *national {
                t(SqlType::NVarChar(Some(n.min(4000) as u16)), SqlValue::Str(value.clone()))
            } else {
                t(SqlType::VarChar(n.min(8000) as u16), SqlValue::Str(value.clone()))
            }
        }
        Expr::Param(name) => {
            let key = format!("@{name}");
            match env.params.iter().find(|(n, _)| n.eq_ignore_ascii_case(&key)) {
                Some((_, v)) => t(infer(v), v.clone()),
                None => return Err(m::undeclared_variable(name)),
            }
        }
        Expr::Global(g) => match g.as_str() {
            "VERSION" => nstr(300, version_string(sc)),
            "SPID" => t(SqlType::SmallInt, SqlValue::Int(ctx.session_id as i64)),
            "SERVERNAME" => nstr(128, sc.server_name.clone()),
            "SERVICENAME" => nstr(128, "MSSQLSERVER"),
            "LANGUAGE" => nstr(128, "us_english"),
            // 1 while a transaction opened by a TM request is open (nesting is not modelled).
            "TRANCOUNT" => {
                let open = ctx.server.lock().sessions.get(&ctx.session_id).is_some_and(|s| s.in_transaction);
                t(SqlType::Int, SqlValue::Int(open as i64))
            }
            "MAX_PRECISION" => t(SqlType::TinyInt, SqlValue::Int(38)),
            other => return Err(m::not_supported(&format!("@@{other}"))),
        },
        Expr::Column(c) => return Err(SqlMessage::new(207, 16, 1, format!("Invalid column name '{c}'."))),
        Expr::Cast { expr, ty, ty_name } => {
            let v = eval_uncast_ok(expr, env)?;
            t(ty.clone(), convert(&v, ty, ty_name)?)
        }
        Expr::Func { name, args } => {
            let v = func(name, args, env)?;
            if name == "SERVERPROPERTY" {
                // SERVERPROPERTY returns sql_variant (tiberius cannot decode it: CAST it there).
                return Ok(t(SqlType::Variant, v.value));
            }
            v
        }
    })
}

/// Like [`eval`] but lets SERVERPROPERTY through (it is being CAST).
fn eval_uncast_ok(e: &Expr, env: &Env) -> Result<Typed, SqlMessage> {
    match e {
        Expr::Func { name, args } if name == "SERVERPROPERTY" => func(name, args, env),
        _ => eval(e, env),
    }
}

fn string_arg(args: &[Expr], i: usize, env: &Env) -> Result<Option<String>, SqlMessage> {
    match args.get(i) {
        None => Ok(None),
        Some(e) => match eval(e, env)?.value {
            SqlValue::Str(s) => Ok(Some(s)),
            SqlValue::Null => Ok(None),
            other => Ok(Some(value_text(&other))),
        },
    }
}

fn func(name: &str, args: &[Expr], env: &Env) -> Result<Typed, SqlMessage> {
    let ctx = env.ctx;
    let sc = &ctx.server.scenario;
    let argc = |n: std::ops::RangeInclusive<usize>| -> Result<(), SqlMessage> {
        if n.contains(&args.len()) {
            Ok(())
        } else {
            Err(SqlMessage::new(174, 15, 1, format!("The {} function requires {} argument(s).", name.to_ascii_lowercase(), n.start())))
        }
    };
    Ok(match name {
        "SERVERPROPERTY" => {
            argc(1..=1)?;
            let p = string_arg(args, 0, env)?.unwrap_or_default();
            server_property(sc, &p)
        }
        "IS_SRVROLEMEMBER" => {
            argc(1..=2)?;
            let role = string_arg(args, 0, env)?.unwrap_or_default().to_ascii_lowercase();
            let who = string_arg(args, 1, env)?;
            let login = who.unwrap_or_else(|| ctx.login.clone());
            let entry = sc.logins.iter().find(|l| l.name.eq_ignore_ascii_case(&login));
            let v = match role.as_str() {
                "sysadmin" => SqlValue::Int(entry.map(|l| l.sysadmin).unwrap_or(false) as i64),
                "public" => SqlValue::Int(1),
                "serveradmin" | "securityadmin" | "processadmin" | "setupadmin" | "bulkadmin" | "diskadmin" | "dbcreator" => {
                    SqlValue::Int(entry.map(|l| l.sysadmin).unwrap_or(false) as i64)
                }
                _ => SqlValue::Null,
            };
            t(SqlType::Int, v)
        }
        "HAS_PERMS_BY_NAME" => {
            argc(3..=5)?;
            let securable = string_arg(args, 0, env)?;
            let class = string_arg(args, 1, env)?;
            let perm = string_arg(args, 2, env)?.unwrap_or_default().to_ascii_uppercase();
            let login = sc.logins.iter().find(|l| l.name.eq_ignore_ascii_case(&ctx.login));
            let sysadmin = ctx.is_sysadmin;
            let server_level = securable.is_none() && class.as_deref().is_none_or(|c| c.eq_ignore_ascii_case("SERVER"));
            // Before 2022 VIEW SERVER PERFORMANCE STATE does not exist: NULL (*unconfirmed*).
            if server_level && perm == "VIEW SERVER PERFORMANCE STATE" && major_version(sc) < 16 {
                return Ok(t(SqlType::Int, SqlValue::Null));
            }
            let v = if server_level {
                match perm.as_str() {
                    "VIEW SERVER STATE" => sysadmin || login.is_some_and(|l| l.can_view_server_state),
                    // A SQL Server 2022 permission (VIEW SERVER STATE implies it).
                    "VIEW SERVER PERFORMANCE STATE" if major_version(sc) >= 16 => {
                        sysadmin || login.is_some_and(|l| l.has_view_server_performance_state())
                    }
                    "CREATE ANY DATABASE" => sysadmin || login.is_some_and(|l| l.has_create_database()),
                    "ALTER ANY CREDENTIAL" | "CONTROL SERVER" | "ALTER SETTINGS" | "ALTER TRACE" => sysadmin,
                    "CONNECT SQL" => true,
                    _ => return Err(m::not_supported(&format!("HAS_PERMS_BY_NAME for permission '{perm}'"))),
                }
            } else if class.as_deref().is_some_and(|c| c.eq_ignore_ascii_case("DATABASE")) {
                match perm.as_str() {
                    "BACKUP DATABASE" | "BACKUP LOG" => sysadmin || ctx.is_backup_operator,
                    // CREATE DATABASE is a database permission in master.
                    "CREATE DATABASE" if securable.as_deref().is_some_and(|d| d.eq_ignore_ascii_case("master")) => {
                        sysadmin || login.is_some_and(|l| l.has_create_database())
                    }
                    "CONNECT" => true,
                    _ => sysadmin,
                }
            } else {
                return Err(m::not_supported("HAS_PERMS_BY_NAME for this securable class"));
            };
            t(SqlType::Int, SqlValue::Int(v as i64))
        }
        "SUSER_SNAME" | "SUSER_NAME" | "ORIGINAL_LOGIN" | "SYSTEM_USER" => {
            argc(0..=0)?;
            nstr(128, ctx.login.clone())
        }
        "USER_NAME" | "CURRENT_USER" | "SESSION_USER" | "USER" => {
            argc(0..=0)?;
            nstr(128, if ctx.is_sysadmin { "dbo".to_string() } else { ctx.login.clone() })
        }
        "DB_NAME" => {
            argc(0..=1)?;
            if args.is_empty() {
                nstr(128, ctx.database.clone())
            } else {
                let id = match eval(&args[0], env)?.value {
                    SqlValue::Int(i) => i,
                    _ => return Err(m::not_supported("DB_NAME with a non-integer argument")),
                };
                let g = ctx.server.lock();
                let name = g.databases.iter().find(|d| d.database_id as i64 == id).map(|d| d.name.clone());
                t(SqlType::NVarChar(Some(128)), name.map(SqlValue::Str).unwrap_or(SqlValue::Null))
            }
        }
        "DB_ID" => {
            argc(0..=1)?;
            let name = string_arg(args, 0, env)?.unwrap_or_else(|| ctx.database.clone());
            let g = ctx.server.lock();
            let id = g.database(&name).map(|d| d.database_id as i64);
            t(SqlType::SmallInt, id.map(SqlValue::Int).unwrap_or(SqlValue::Null))
        }
        // Local time of the server (scenario `utc_offset_minutes`); the UTC ones stay UTC.
        "GETDATE" | "CURRENT_TIMESTAMP" => {
            argc(0..=0)?;
            t(SqlType::DateTime, SqlValue::DateTime(ctx.server.local_now()))
        }
        "GETUTCDATE" => {
            argc(0..=0)?;
            t(SqlType::DateTime, SqlValue::DateTime(now()))
        }
        "SYSDATETIME" => {
            argc(0..=0)?;
            t(SqlType::DateTime2(7), SqlValue::DateTime(ctx.server.local_now()))
        }
        "SYSUTCDATETIME" => {
            argc(0..=0)?;
            t(SqlType::DateTime2(7), SqlValue::DateTime(now()))
        }
        // DATEPART(TZOFFSET | TZ, datetimeoffset) → minutes east of UTC.
        "DATEPART" => {
            argc(2..=2)?;
            let part = match &args[0] {
                Expr::Column(c) => c.to_ascii_uppercase(),
                _ => return Err(m::not_supported("DATEPART with this date part")),
            };
            if part != "TZOFFSET" && part != "TZ" {
                return Err(m::not_supported(&format!("DATEPART({part}, …)")));
            }
            match eval(&args[1], env)?.value {
                SqlValue::DateTimeOffset(_, o) => t(SqlType::Int, SqlValue::Int(o as i64)),
                SqlValue::DateTime(_) => t(SqlType::Int, SqlValue::Int(0)),
                SqlValue::Null => t(SqlType::Int, SqlValue::Null),
                _ => return Err(m::not_supported("DATEPART(TZOFFSET, …) of a non-date value")),
            }
        }
        // DATEDIFF(MINUTE | SECOND, a, b) of two date/time values.
        "DATEDIFF" => {
            argc(3..=3)?;
            let part = match &args[0] {
                Expr::Column(c) => c.to_ascii_uppercase(),
                _ => return Err(m::not_supported("DATEDIFF with this date part")),
            };
            let utc = |v: SqlValue| match v {
                SqlValue::DateTime(d) => Ok(Some(d)),
                SqlValue::DateTimeOffset(d, o) => Ok(Some(d - chrono::Duration::minutes(o as i64))),
                SqlValue::Null => Ok(None),
                _ => Err(m::not_supported("DATEDIFF of a non-date value")),
            };
            let (a, b) = (utc(eval(&args[1], env)?.value)?, utc(eval(&args[2], env)?.value)?);
            let (Some(a), Some(b)) = (a, b) else { return Ok(t(SqlType::Int, SqlValue::Null)) };
            // DATEDIFF counts boundaries crossed: truncate both to the unit first.
            let v = match part.as_str() {
                "MINUTE" | "MI" | "N" => b.and_utc().timestamp().div_euclid(60) - a.and_utc().timestamp().div_euclid(60),
                "SECOND" | "SS" | "S" => b.and_utc().timestamp() - a.and_utc().timestamp(),
                "HOUR" | "HH" => b.and_utc().timestamp().div_euclid(3600) - a.and_utc().timestamp().div_euclid(3600),
                _ => return Err(m::not_supported(&format!("DATEDIFF({part}, …)"))),
            };
            t(SqlType::Int, SqlValue::Int(v))
        }
        "SYSDATETIMEOFFSET" => {
            argc(0..=0)?;
            t(
                SqlType::DateTimeOffset(7),
                SqlValue::DateTimeOffset(ctx.server.local_now(), ctx.server.utc_offset_minutes() as i16),
            )
        }
        other => return Err(m::not_supported(&format!("the function {other}"))),
    })
}

pub fn value_text(v: &SqlValue) -> String {
    match v {
        SqlValue::Null => "NULL".into(),
        SqlValue::Int(i) => i.to_string(),
        SqlValue::Bit(b) => (*b as u8).to_string(),
        SqlValue::Float(f) => f.to_string(),
        SqlValue::Str(s) => s.clone(),
        SqlValue::DateTime(d) => d.format("%Y-%m-%d %H:%M:%S%.3f").to_string(),
        SqlValue::DateTimeOffset(d, off) => {
            let sign = if *off < 0 { '-' } else { '+' };
            let a = off.unsigned_abs();
            format!("{} {sign}{:02}:{:02}", d.format("%Y-%m-%d %H:%M:%S%.7f"), a / 60, a % 60)
        }
        SqlValue::Numeric(n) => n.to_string(),
        SqlValue::Guid(g) => g.to_string().to_uppercase(),
        SqlValue::Bytes(b) => format!("0x{}", b.iter().map(|x| format!("{x:02X}")).collect::<String>()),
    }
}

fn type_word(ty: &SqlType) -> &'static str {
    match ty {
        SqlType::NVarChar(_) => "nvarchar",
        SqlType::NChar(_) => "nchar",
        SqlType::VarChar(_) => "varchar",
        SqlType::Char(_) => "char",
        _ => "value",
    }
}

/// CAST semantics for the supported types.
pub fn convert(v: &Typed, to: &SqlType, to_name: &str) -> Result<SqlValue, SqlMessage> {
    let fail = |s: &str| m::conversion_failed(type_word(&v.ty), s, &to_name.to_ascii_lowercase());
    Ok(match (&v.value, to) {
        (SqlValue::Null, _) => SqlValue::Null,
        (val, SqlType::NVarChar(_)) | (val, SqlType::VarChar(_)) | (val, SqlType::NChar(_)) | (val, SqlType::Char(_)) => {
            let s = value_text(val);
            let max = match to {
                SqlType::NVarChar(n2) => n2.map(|x| x as usize).unwrap_or(usize::MAX),
                SqlType::VarChar(x) | SqlType::NChar(x) | SqlType::Char(x) => *x as usize,
                _ => usize::MAX,
            };
            // SQL Server truncates strings silently on CAST.
            SqlValue::Str(s.chars().take(max).collect())
        }
        (SqlValue::Int(i), SqlType::Int | SqlType::BigInt | SqlType::SmallInt | SqlType::TinyInt) => {
            let ok = match to {
                SqlType::Int => i32::try_from(*i).is_ok(),
                SqlType::SmallInt => i16::try_from(*i).is_ok(),
                SqlType::TinyInt => u8::try_from(*i).is_ok(),
                _ => true,
            };
            if !ok {
                return Err(SqlMessage::new(8115, 16, 2, format!("Arithmetic overflow error converting expression to data type {}.", to_name.to_ascii_lowercase())));
            }
            SqlValue::Int(*i)
        }
        (SqlValue::Int(i), SqlType::Bit) => SqlValue::Bit(*i != 0),
        (SqlValue::Bit(b), SqlType::Int | SqlType::BigInt | SqlType::SmallInt | SqlType::TinyInt) => SqlValue::Int(*b as i64),
        (SqlValue::Bit(b), SqlType::Bit) => SqlValue::Bit(*b),
        (SqlValue::Str(s), SqlType::Int | SqlType::BigInt | SqlType::SmallInt | SqlType::TinyInt) => {
            SqlValue::Int(s.trim().parse::<i64>().map_err(|_| fail(s))?)
        }
        (SqlValue::Str(s), SqlType::Bit) => match s.trim().to_ascii_lowercase().as_str() {
            "1" | "true" => SqlValue::Bit(true),
            "0" | "false" => SqlValue::Bit(false),
            _ => return Err(fail(s)),
        },
        (SqlValue::Int(i), SqlType::Numeric(_, s)) => SqlValue::Numeric(*i as i128 * 10i128.pow(*s as u32)),
        (SqlValue::Int(i), SqlType::Float | SqlType::Real) => SqlValue::Float(*i as f64),
        (SqlValue::Float(f), SqlType::Float | SqlType::Real) => SqlValue::Float(*f),
        (SqlValue::DateTime(d), SqlType::DateTime | SqlType::DateTime2(_)) => SqlValue::DateTime(*d),
        // SQL Server keeps the local date/time and drops the offset.
        (SqlValue::DateTimeOffset(d, _), SqlType::DateTime | SqlType::DateTime2(_)) => SqlValue::DateTime(*d),
        (SqlValue::DateTimeOffset(d, o), SqlType::DateTimeOffset(_)) => SqlValue::DateTimeOffset(*d, *o),
        (SqlValue::Guid(g), SqlType::UniqueIdentifier) => SqlValue::Guid(*g),
        (val, _) => return Err(m::not_supported(&format!("CAST of {} to {}", value_text(val), to_name.to_ascii_lowercase()))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_string_names_cu_and_build() {
        let s = Scenario::default();
        let v = version_string(&s);
        assert!(v.starts_with("Microsoft SQL Server 2022 (RTM-CU17) (KB5048038) - 16.0.4175.1 (X64)"), "{v}");
        assert!(v.contains("Developer Edition (64-bit) on Windows Server 2022"));
    }

    #[test]
    fn serverproperty_values() {
        let s = Scenario::default();
        assert_eq!(server_property(&s, "ProductVersion").value, SqlValue::Str("16.0.4175.1".into()));
        assert_eq!(server_property(&s, "EngineEdition").value, SqlValue::Int(3));
        assert_eq!(server_property(&s, "NoSuchProperty").value, SqlValue::Null);
    }

    #[test]
    fn casts() {
        let v = Typed { ty: SqlType::NVarChar(Some(10)), value: SqlValue::Str("12".into()) };
        assert_eq!(convert(&v, &SqlType::Int, "INT").unwrap(), SqlValue::Int(12));
        let v = Typed { ty: SqlType::NVarChar(Some(10)), value: SqlValue::Str("x".into()) };
        let e = convert(&v, &SqlType::Int, "INT").unwrap_err();
        assert_eq!(e.number, 245);
        assert_eq!(e.text, "Conversion failed when converting the nvarchar value 'x' to data type int.");
    }
}
