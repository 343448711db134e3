//! BACKUP TO URL / RESTORE FROM URL (issue 3). Work in progress.

use crate::exec::{ExecContext, ExecError, SqlMessage};

/// Executes one BACKUP or RESTORE statement.
pub async fn execute(stmt_text: &str, _ctx: &ExecContext) -> Result<(), ExecError> {
    let _ = stmt_text;
    Err(ExecError::Failed(vec![SqlMessage::new(
        40000,
        16,
        1,
        "sqlsim: BACKUP/RESTORE is not supported yet.",
    )]))
}
