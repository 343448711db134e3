//! SQL Server messages the simulator sends (number, class, state, text as SQL Server words them).

use crate::exec::SqlMessage;

/// Msg 102, class 15: "Incorrect syntax near '%.*ls'."
pub fn syntax_near(near: &str) -> SqlMessage {
    SqlMessage::new(102, 15, 1, format!("Incorrect syntax near '{near}'."))
}
/// Msg 156, class 15: a reserved keyword where it does not belong.
pub fn syntax_near_keyword(kw: &str) -> SqlMessage {
    SqlMessage::new(156, 15, 1, format!("Incorrect syntax near the keyword '{kw}'."))
}
/// Msg 102 at the end of the batch: SQL Server names the last token.
pub fn syntax_end() -> SqlMessage {
    SqlMessage::new(102, 15, 1, "Incorrect syntax near the end of the batch.".to_string())
}
/// Msg 105, class 15.
pub fn unclosed_quote(text: &str) -> SqlMessage {
    SqlMessage::new(105, 15, 1, format!("Unclosed quotation mark after the character string '{text}'."))
}
/// Msg 208, class 16: "Invalid object name '%.*ls'."
pub fn invalid_object(name: &str) -> SqlMessage {
    SqlMessage::new(208, 16, 1, format!("Invalid object name '{name}'."))
}
/// Msg 2812, class 16: "Could not find stored procedure '%.*ls'."
pub fn no_such_proc(name: &str) -> SqlMessage {
    SqlMessage::new(2812, 16, 62, format!("Could not find stored procedure '{name}'."))
}
/// Msg 195, class 15: "'%.*ls' is not a recognized built-in function name."
pub fn not_builtin(name: &str) -> SqlMessage {
    SqlMessage::new(195, 15, 10, format!("'{name}' is not a recognized built-in function name."))
}
/// Msg 137, class 15: "Must declare the scalar variable \"%.*ls\"."
pub fn undeclared_variable(name: &str) -> SqlMessage {
    SqlMessage::new(137, 15, 2, format!("Must declare the scalar variable \"@{name}\"."))
}
/// Msg 245, class 16: conversion failure.
pub fn conversion_failed(from: &str, value: &str, to: &str) -> SqlMessage {
    SqlMessage::new(245, 16, 1, format!("Conversion failed when converting the {from} value '{value}' to data type {to}."))
}
/// Msg 911, class 16.
pub fn no_such_database(name: &str) -> SqlMessage {
    SqlMessage::new(911, 16, 1, format!("Database '{name}' does not exist. Make sure that the name is entered correctly."))
}
/// Msg 5701, class 0, state 2 (an INFO).
pub fn changed_database(name: &str) -> SqlMessage {
    SqlMessage::new(5701, 0, 2, format!("Changed database context to '{name}'."))
}
/// Msg 5703, class 0, state 1 (an INFO).
pub fn changed_language(name: &str) -> SqlMessage {
    SqlMessage::new(5703, 0, 1, format!("Changed language setting to {name}."))
}
/// Msg 18456, class 14, state 1 (what the client sees; the real state goes to the error log).
pub fn login_failed(user: &str) -> SqlMessage {
    SqlMessage::new(18456, 14, 1, format!("Login failed for user '{user}'."))
}
/// Msg 18452, class 14, state 1: integrated authentication is not available here.
pub fn untrusted_domain() -> SqlMessage {
    SqlMessage::new(18452, 14, 1, "Login failed. The login is from an untrusted domain and cannot be used with Integrated authentication.")
}
/// Msg 4060, class 11, state 1.
pub fn cannot_open_database(name: &str) -> SqlMessage {
    SqlMessage::new(4060, 11, 1, format!("Cannot open database \"{name}\" requested by the login. The login failed."))
}
/// Msg 2528, class 10 (INFO after every DBCC).
pub fn dbcc_completed() -> SqlMessage {
    SqlMessage::new(2528, 10, 1, "DBCC execution completed. If DBCC printed error messages, contact your system administrator.")
}
/// Msg 2571, class 14, state 3: DBCC without permission.
pub fn dbcc_no_permission(user: &str, command: &str) -> SqlMessage {
    SqlMessage::new(2571, 14, 3, format!("User '{user}' does not have permission to run DBCC {command}."))
}
/// Msg 2526, class 16: unknown DBCC statement.
pub fn dbcc_unknown(command: &str) -> SqlMessage {
    SqlMessage::new(2526, 16, 3, format!("Incorrect DBCC statement. Check the documentation for the correct DBCC syntax and options. (DBCC {command})"))
}
/// Msg 15247, class 16: missing permission (ALTER ANY CREDENTIAL).
pub fn no_permission() -> SqlMessage {
    SqlMessage::new(15247, 16, 1, "User does not have permission to perform this action.")
}
/// Msg 15025, class 16: duplicate credential name. (The text for credentials is unconfirmed;
/// this is the server-principal wording SQL Server uses for duplicate names.)
pub fn credential_exists(name: &str) -> SqlMessage {
    SqlMessage::new(15025, 16, 2, format!("The server principal '{name}' already exists."))
}
/// Msg 15151, class 16: ALTER/DROP of a missing credential.
pub fn credential_missing(verb: &str, name: &str) -> SqlMessage {
    SqlMessage::new(15151, 16, 1, format!("Cannot {verb} the credential '{name}', because it does not exist or you do not have permission."))
}
/// Msg 37563, class 16, state 2.
pub fn no_primary_managed_identity() -> SqlMessage {
    SqlMessage::new(
        37563,
        16,
        2,
        "The primary managed identity is not selected for this server. Enable the primary managed identity for Microsoft Entra authentication for this server. For more information see (https://aka.ms/sql-server-managed-identity-doc).",
    )
}
/// Msg 103, class 15: identifier too long.
pub fn identifier_too_long(start: &str) -> SqlMessage {
    SqlMessage::new(103, 15, 4, format!("The identifier that starts with '{start}' is too long. Maximum length is 128."))
}
/// Msg 148, class 15: bad WAITFOR time.
pub fn bad_waitfor_time(text: &str) -> SqlMessage {
    SqlMessage::new(148, 15, 1, format!("Incorrect time syntax in time string '{text}' used with WAITFOR."))
}
/// Msg 300, class 14, state 1: a server-state DMV without the permission (SQL Server also
/// sends 297 "The user does not have permission to perform this action." — not modelled).
/// The 2022 wording names VIEW SERVER PERFORMANCE STATE (*unconfirmed*).
pub fn server_state_denied(sql2022: bool) -> SqlMessage {
    let perm = if sql2022 { "VIEW SERVER PERFORMANCE STATE" } else { "VIEW SERVER STATE" };
    SqlMessage::new(300, 14, 1, format!("{perm} permission was denied on object 'server', database 'master'."))
}
/// Msg 3701, class 11: DROP DATABASE of a missing database, or without permission.
pub fn cannot_drop_database(name: &str) -> SqlMessage {
    SqlMessage::new(3701, 11, 1, format!("Cannot drop the database '{name}', because it does not exist or you do not have permission."))
}
/// Msg 3702, class 16: DROP DATABASE while sessions use it.
pub fn database_in_use(name: &str) -> SqlMessage {
    SqlMessage::new(3702, 16, 4, format!("Cannot drop database \"{name}\" because it is currently in use."))
}
/// Msg 3708, class 16: DROP DATABASE of master, model, msdb or tempdb.
pub fn cannot_drop_system_database(name: &str) -> SqlMessage {
    SqlMessage::new(3708, 16, 1, format!("Cannot drop the database '{name}' because it is a system database."))
}
/// DBCC CHECKDB's first line (text: docs page DBCC CHECKDB; number 2536 *unconfirmed*).
pub fn dbcc_results_for(db: &str) -> SqlMessage {
    SqlMessage::new(2536, 10, 1, format!("DBCC results for '{db}'."))
}
/// Msg 8989, class 10: CHECKDB's summary (text: docs page DBCC CHECKDB).
pub fn checkdb_summary(allocation: u32, consistency: u32, db: &str) -> SqlMessage {
    SqlMessage::new(8989, 10, 1, format!("CHECKDB found {allocation} allocation errors and {consistency} consistency errors in database '{db}'."))
}
/// Msg 8958, class 10: the minimum repair level after errors (*unconfirmed*).
pub fn checkdb_repair_level(db: &str) -> SqlMessage {
    SqlMessage::new(8958, 10, 1, format!("repair_allow_data_loss is the minimum repair level for the errors found by DBCC CHECKDB ({db})."))
}
/// Planted corruption: one damaged page as CHECKDB reports it — 8928 (page could not be
/// processed) and 8939 (a failed page test), class 16 (texts as publicly reported; values a
/// fixed example; *unconfirmed*).
pub fn planted_corruption(database_id: i32) -> Vec<SqlMessage> {
    let obj = 245575913 + database_id as i64;
    let ids = format!("Object ID {obj}, index ID 0, partition ID 72057594040549376, alloc unit ID 72057594045792256 (type In-row data)");
    vec![
        SqlMessage::new(8928, 16, 1, format!("{ids}: Page (1:312) could not be processed.  See other errors for details.")),
        SqlMessage::new(8939, 16, 98, format!("Table error: {ids}, page (1:312). Test (IS_OFF (BUF_IOERR, pBUF->bstat)) failed. Values are 133129 and -4.")),
    ]
}
/// Msg 3902, class 16: COMMIT without a transaction.
pub fn commit_without_begin() -> SqlMessage {
    SqlMessage::new(3902, 16, 1, "The COMMIT TRANSACTION request has no corresponding BEGIN TRANSACTION.")
}
/// Msg 3903, class 16: ROLLBACK without a transaction.
pub fn rollback_without_begin() -> SqlMessage {
    SqlMessage::new(3903, 16, 1, "The ROLLBACK TRANSACTION request has no corresponding BEGIN TRANSACTION.")
}
/// Msg 50000, class 16: outside the simulator's supported subset. Not a SQL Server message:
/// the simulator says plainly what it does not model instead of pretending.
pub fn not_supported(what: &str) -> SqlMessage {
    SqlMessage::new(50000, 16, 1, format!("sqlsim: {what} is not supported by the simulator."))
}
