//! Executing one parsed statement: events go to the session through `ExecContext`.

use std::time::Duration;

use super::catalog::run_select;
use super::eval::{eval, value_text, Env};
use super::messages as m;
use super::parse::{DbccCommand, Stmt};
use crate::exec::{Column, Event, ExecContext, ExecError, ResultSet, SqlMessage, SqlType, SqlValue};
use crate::state::Credential;

/// DBCC TRACESTATUS columns (facts).
pub const TRACESTATUS_COLUMNS: [&str; 4] = ["TraceFlag", "Status", "Global", "Session"];

fn fail(msg: SqlMessage) -> ExecError {
    ExecError::Failed(vec![msg])
}

/// `sys.dm_exec_requests.command` for a statement.
pub fn command_name(stmt: &Stmt, text: &str) -> String {
    match stmt {
        Stmt::Select(_) => "SELECT".into(),
        Stmt::CreateCredential { .. } => "CREATE CREDENTIAL".into(),
        Stmt::AlterCredential { .. } => "ALTER CREDENTIAL".into(),
        Stmt::DropCredential { .. } => "DROP CREDENTIAL".into(),
        Stmt::Dbcc { .. } => "DBCC".into(),
        Stmt::WaitforDelay { .. } => "WAITFOR".into(),
        Stmt::SetOption { .. } => "SET OPTION ON".into(),
        Stmt::Use { .. } => "USE".into(),
        Stmt::Print(_) => "PRINT".into(),
        Stmt::DropDatabase { .. } => "DROP DATABASE".into(),
        Stmt::CheckDb { .. } => "DBCC".into(),
        Stmt::BackupRestore => {
            // "BACKUP DATABASE", "BACKUP LOG", "RESTORE DATABASE", "RESTORE HEADERONLY", ...
            let words: Vec<String> = text.split_whitespace().take(2).map(|w| w.to_ascii_uppercase()).collect();
            words.join(" ")
        }
    }
}

/// Execute a statement. `Use` and `SetOption` are session matters and handled by the session.
pub async fn execute(stmt: &Stmt, text: &str, ctx: &ExecContext, params: &[(String, SqlValue)]) -> Result<(), ExecError> {
    let env = Env { ctx, params };
    match stmt {
        Stmt::Select(sel) => {
            let rs = run_select(sel, &env).map_err(fail)?;
            let n = rs.rows.len() as u64;
            ctx.send(Event::Rows(rs)).await?;
            ctx.send(Event::StatementDone { rows: Some(n) }).await
        }
        Stmt::Print(e) => {
            let v = eval(e, &env).map_err(fail)?;
            let text = match v.value {
                SqlValue::Null => String::new(),
                other => value_text(&other),
            };
            ctx.info(SqlMessage::new(0, 0, 1, text)).await
        }
        Stmt::CreateCredential { name, identity, secret } => {
            create_credential(ctx, name, identity, secret.as_deref()).map_err(fail)
        }
        Stmt::AlterCredential { name, identity, secret } => {
            alter_credential(ctx, name, identity, secret.as_deref()).map_err(fail)
        }
        Stmt::DropCredential { name } => {
            if !ctx.is_sysadmin {
                return Err(fail(m::no_permission()));
            }
            let mut g = ctx.server.lock();
            let before = g.credentials.len();
            g.credentials.retain(|c| !c.name.eq_ignore_ascii_case(name));
            if g.credentials.len() == before {
                return Err(fail(m::credential_missing("drop", name)));
            }
            Ok(())
        }
        Stmt::Dbcc { command, args, no_infomsgs } => dbcc(ctx, command, args, *no_infomsgs).await,
        Stmt::DropDatabase { names, if_exists } => drop_databases(ctx, names, *if_exists),
        Stmt::CheckDb { database, no_infomsgs } => checkdb(ctx, database.as_deref(), *no_infomsgs).await,
        Stmt::WaitforDelay { millis } => {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(*millis)) => Ok(()),
                _ = ctx.cancel.cancelled() => Err(ExecError::Cancelled),
            }
        }
        Stmt::BackupRestore => crate::backup::execute(text, ctx).await,
        Stmt::SetOption { .. } | Stmt::Use { .. } => Ok(()),
    }
}

fn tf4675_check(ctx: &ExecContext, identity: &str) -> Result<bool, SqlMessage> {
    let tf_on = ctx.server.trace_flag_on(ctx.session_id, 4675);
    if tf_on && identity.eq_ignore_ascii_case("Managed Identity") && !ctx.server.scenario.primary_managed_identity {
        return Err(m::no_primary_managed_identity());
    }
    Ok(tf_on)
}

fn create_credential(ctx: &ExecContext, name: &str, identity: &str, secret: Option<&str>) -> Result<(), SqlMessage> {
    if !ctx.is_sysadmin {
        return Err(m::no_permission());
    }
    if name.starts_with('#') {
        return Err(m::syntax_near(name));
    }
    let tf_on = tf4675_check(ctx, identity)?;
    let mut g = ctx.server.lock();
    if g.credential(name).is_some() {
        return Err(m::credential_exists(name));
    }
    let id = g.next_credential_id;
    g.next_credential_id += 1;
    let t = ctx.server.local_now();
    g.credentials.push(Credential {
        credential_id: id,
        name: name.to_string(),
        identity: identity.to_string(),
        secret: secret.map(|s| s.to_string()),
        create_date: t,
        modify_date: t,
        created_with_tf4675: tf_on,
    });
    Ok(())
}

fn alter_credential(ctx: &ExecContext, name: &str, identity: &str, secret: Option<&str>) -> Result<(), SqlMessage> {
    if !ctx.is_sysadmin {
        return Err(m::no_permission());
    }
    if ctx.server.lock().credential(name).is_none() {
        return Err(m::credential_missing("alter", name));
    }
    let tf_on = tf4675_check(ctx, identity)?;
    let mut g = ctx.server.lock();
    let c = g.credentials.iter_mut().find(|c| c.name.eq_ignore_ascii_case(name)).ok_or_else(|| m::credential_missing("alter", name))?;
    c.identity = identity.to_string();
    c.secret = secret.map(|s| s.to_string());
    c.modify_date = ctx.server.local_now();
    c.created_with_tf4675 = tf_on;
    Ok(())
}

async fn dbcc(ctx: &ExecContext, command: &DbccCommand, args: &[i64], no_infomsgs: bool) -> Result<(), ExecError> {
    let name = match command {
        DbccCommand::TraceOn => "TRACEON",
        DbccCommand::TraceOff => "TRACEOFF",
        DbccCommand::TraceStatus => "TRACESTATUS",
    };
    let global = args.contains(&-1);
    let flags: Vec<i32> = args.iter().filter(|a| **a != -1).map(|a| *a as i32).collect();
    if let Some(bad) = flags.iter().find(|f| **f < 0) {
        return Err(fail(SqlMessage::new(2520, 16, 1, format!("Could not find trace flag {bad}."))));
    }
    match command {
        DbccCommand::TraceOn | DbccCommand::TraceOff => {
            if !ctx.is_sysadmin {
                return Err(fail(m::dbcc_no_permission(&ctx.login, name)));
            }
            if flags.is_empty() {
                return Err(fail(m::syntax_near(")")));
            }
            {
                let mut g = ctx.server.lock();
                for f in &flags {
                    let on = matches!(command, DbccCommand::TraceOn);
                    if global {
                        if on {
                            g.trace_flags.insert(*f);
                        } else {
                            g.trace_flags.remove(f);
                        }
                    } else if let Some(s) = g.sessions.get_mut(&ctx.session_id) {
                        if on {
                            s.trace_flags.insert(*f);
                        } else {
                            s.trace_flags.remove(f);
                        }
                    }
                }
            }
        }
        DbccCommand::TraceStatus => {
            let rows: Vec<Vec<SqlValue>> = {
                let g = ctx.server.lock();
                let session: std::collections::BTreeSet<i32> =
                    g.sessions.get(&ctx.session_id).map(|s| s.trace_flags.clone()).unwrap_or_default();
                let list: Vec<i32> = if flags.is_empty() {
                    let mut all: std::collections::BTreeSet<i32> = g.trace_flags.clone();
                    if !global {
                        all.extend(session.iter().copied());
                    }
                    all.into_iter().collect()
                } else {
                    flags.clone()
                };
                list.into_iter()
                    .map(|f| {
                        let gl = g.trace_flags.contains(&f);
                        let se = !global && session.contains(&f);
                        vec![
                            SqlValue::Int(f as i64),
                            SqlValue::Int((gl || se) as i64),
                            SqlValue::Int(gl as i64),
                            SqlValue::Int(se as i64),
                        ]
                    })
                    .collect()
            };
            let n = rows.len() as u64;
            let columns = TRACESTATUS_COLUMNS
                .iter()
                .map(|c| Column::new(*c, SqlType::Int, false))
                .collect();
            ctx.send(Event::Rows(ResultSet { columns, rows })).await?;
            if !no_infomsgs {
                ctx.info(m::dbcc_completed()).await?;
            }
            return ctx.send(Event::StatementDone { rows: Some(n) }).await;
        }
    }
    if !no_infomsgs {
        ctx.info(m::dbcc_completed()).await?;
    }
    Ok(())
}

/// DROP DATABASE: sysadmin only (else 3701, as for a missing database); system databases →
/// 3708; a database in use (scenario `in_use`, or any session's current database) → 3702.
fn drop_databases(ctx: &ExecContext, names: &[String], if_exists: bool) -> Result<(), ExecError> {
    for name in names {
        let mut g = ctx.server.lock();
        let Some(db) = g.database(name).cloned() else {
            if if_exists {
                continue;
            }
            return Err(fail(m::cannot_drop_database(name)));
        };
        if !ctx.is_sysadmin {
            return Err(fail(m::cannot_drop_database(name)));
        }
        if db.is_system {
            return Err(fail(m::cannot_drop_system_database(&db.name)));
        }
        let used = db.in_use || g.sessions.values().any(|s| s.database.eq_ignore_ascii_case(&db.name)) || ctx.database.eq_ignore_ascii_case(&db.name);
        if used {
            return Err(fail(m::database_in_use(&db.name)));
        }
        g.databases.retain(|d| !d.name.eq_ignore_ascii_case(&db.name));
        g.backup.remove(&db.name);
    }
    Ok(())
}

/// DBCC CHECKDB: sysadmin (or db_owner, not modelled) only. A clean database: the documented
/// result (DBCC results for 'db'. … CHECKDB found 0 allocation errors and 0 consistency errors
/// in database 'db'. then 2528), nothing with NO_INFOMSGS. A database with planted corruption
/// (scenario `corrupt`, carried by backups): consistency errors 8928 and 8939 (class 16), the
/// summary 8989 with the counts, and 8958 with the minimum repair level.
async fn checkdb(ctx: &ExecContext, database: Option<&str>, no_infomsgs: bool) -> Result<(), ExecError> {
    let name = database.map(str::to_string).unwrap_or_else(|| ctx.database.clone());
    let db = ctx.server.lock().database(&name).cloned();
    let Some(db) = db else {
        return Err(fail(m::no_such_database(&name)));
    };
    if !ctx.is_sysadmin {
        return Err(fail(m::dbcc_no_permission(&ctx.login, "CHECKDB")));
    }
    if !db.state.eq_ignore_ascii_case("ONLINE") {
        return Err(fail(crate::backup::messages::in_restore(&db.name)));
    }
    let _request = ctx.server.register_request(ctx.session_id, "DBCC TABLE CHECK");
    if !no_infomsgs {
        ctx.info(m::dbcc_results_for(&db.name)).await?;
    }
    if db.corrupt {
        for e in m::planted_corruption(db.database_id) {
            ctx.send(Event::Error(e)).await?;
        }
        ctx.send(Event::Error(m::checkdb_summary(0, 2, &db.name))).await?;
        ctx.info(m::checkdb_repair_level(&db.name)).await?;
        if !no_infomsgs {
            ctx.info(m::dbcc_completed()).await?;
        }
        return Err(ExecError::Failed(vec![]));
    }
    if !no_infomsgs {
        ctx.info(m::checkdb_summary(0, 0, &db.name)).await?;
        ctx.info(m::dbcc_completed()).await?;
    }
    Ok(())
}
