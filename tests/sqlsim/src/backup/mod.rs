//! BACKUP TO URL / RESTORE FROM URL (issue 3), writing real blobs to Azurite.
//!
//! * [`parse`]: statement text → AST (pure).
//! * [`format`]: the simulator's backup blob format (header + payload with checksum; virtual sizes).
//! * [`storage`]: credential/account resolution, minted managed-identity token, blob operations
//!   through `azure_storage_blob` 1.x.
//! * [`history`]: per-database LSNs, differential base, log chain, restore sequence.
//! * [`progress`]: throughput-driven time, STATS messages, `percent_complete`, cancel and faults.
//! * [`backup_op`], [`restore_op`]: the statements.
//! * [`messages`]: SQL Server's message texts.
//! * [`admin`]: test hooks (corrupt a stored blob).

pub mod admin;
pub mod backup_op;
pub mod format;
pub mod history;
pub mod messages;
pub mod parse;
pub mod progress;
pub mod restore_op;
pub mod storage;

use crate::exec::{ExecContext, ExecError, SqlMessage};
use parse::{ParseError, Stmt};

/// Executes one BACKUP or RESTORE statement. Messages stream through `ctx`; a failure returns
/// `ExecError::Failed` with the cause(s) first and 3013 last.
pub async fn execute(stmt_text: &str, ctx: &ExecContext) -> Result<(), ExecError> {
    let stmt = match parse::parse(stmt_text) {
        Ok(s) => s,
        Err(e) => return Err(parse_failure(stmt_text, &e)),
    };
    match &stmt {
        Stmt::Backup(b) => backup_op::run(b, ctx).await,
        Stmt::Restore(r) => restore_op::run(r, ctx).await,
    }
}

fn parse_failure(text: &str, e: &ParseError) -> ExecError {
    let (number, class, state) = e.code();
    let mut msgs = vec![SqlMessage::new(number, class, state, e.to_string())];
    if e.terminates_abnormally() {
        let verb = guess_verb(text);
        msgs.push(messages::terminating(verb));
    }
    ExecError::Failed(msgs)
}

/// The 3013 verb for a statement that did not parse.
fn guess_verb(text: &str) -> &'static str {
    let words: Vec<String> = text.split_whitespace().take(2).map(|w| w.to_ascii_uppercase()).collect();
    match (words.first().map(String::as_str), words.get(1).map(String::as_str)) {
        (Some("BACKUP"), Some("LOG")) => "BACKUP LOG",
        (Some("BACKUP"), _) => "BACKUP DATABASE",
        (Some("RESTORE"), Some("LOG")) => "RESTORE LOG",
        (Some("RESTORE"), Some("HEADERONLY")) => "RESTORE HEADERONLY",
        (Some("RESTORE"), Some("FILELISTONLY")) => "RESTORE FILELIST",
        (Some("RESTORE"), Some("LABELONLY")) => "RESTORE LABELONLY",
        (Some("RESTORE"), Some("VERIFYONLY")) => "VERIFY DATABASE",
        _ => "RESTORE DATABASE",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsupported_option_gets_3032_then_3013() {
        let e = parse_failure("BACKUP LOG d TO URL = 'u' WITH INIT", &parse::parse("BACKUP LOG d TO URL = 'u' WITH INIT").unwrap_err());
        let ExecError::Failed(m) = e else { panic!() };
        assert_eq!(m.iter().map(|x| x.number).collect::<Vec<_>>(), vec![3032, 3013]);
        assert_eq!(m[1].text, "BACKUP LOG is terminating abnormally.");
    }
}
