//! Live progress of a running BACKUP / RESTORE.
//!
//! tiberius does not hand INFO messages ("10 percent processed.") to its caller, so progress
//! comes from a **second connection** that reads `sys.dm_exec_requests` for the statement's
//! session id about once a second, until the operation stops it. Whatever goes wrong here
//! (cannot connect, no VIEW SERVER STATE so the row is invisible, a query error) only degrades
//! progress to elapsed time — it is never an error of the operation.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::api::ConnectionRequest;
use crate::operation::Reporter;

/// How often the poller asks.
pub const POLL_INTERVAL: Duration = Duration::from_secs(1);

/// Turns a row's values into (percent, seconds left). `estimated_completion_time` is in ms;
/// 0 means the server has no estimate yet.
pub fn sample(percent: Option<f64>, eta_ms: Option<i64>) -> Option<(f64, Option<f64>)> {
    let p = percent?;
    if !p.is_finite() {
        return None;
    }
    let eta = eta_ms.filter(|ms| *ms > 0).map(|ms| ms as f64 / 1000.0);
    Some((p.clamp(0.0, 100.0), eta))
}

/// Polls until `stop` is cancelled. Reports samples through `rep`; explains (once) in the
/// operation's messages why progress is elapsed-only when it cannot read the view.
pub async fn run(req: ConnectionRequest, session_id: i32, rep: Reporter, stop: CancellationToken) {
    let mut req = req;
    // the poller must never hang: bound each of its commands
    if req.command_timeout_s == 0 || req.command_timeout_s > 10 {
        req.command_timeout_s = 10;
    }
    let connect = tokio::select! {
        c = crate::connect::connect(&req) => c,
        _ = stop.cancelled() => return,
    };
    let mut client = match connect {
        Ok(c) => c,
        Err(e) => {
            rep.message(format!("progress shows elapsed time only: the progress connection failed ({e})"));
            return;
        }
    };
    let sql = crate::tsql::request_progress(session_id);
    let mut saw_row = false;
    let mut empty_polls = 0u32;
    loop {
        let rows = tokio::select! {
            r = crate::connect::query_rows(&mut client, &sql) => r,
            _ = stop.cancelled() => break,
        };
        match rows {
            Ok(rows) => {
                if let Some(row) = rows.first() {
                    let p = crate::connect::rows::cell_f64(row, "percent_complete");
                    let eta = crate::connect::rows::cell_i64(row, "estimated_completion_time");
                    if let Some((p, eta)) = sample(p, eta) {
                        saw_row = true;
                        rep.set_progress(p, eta);
                    }
                } else if !saw_row {
                    empty_polls += 1;
                    if empty_polls == 3 {
                        rep.message("progress shows elapsed time only: this login cannot see the statement's row in sys.dm_exec_requests (VIEW SERVER STATE is needed)");
                    }
                }
            }
            Err(e) => {
                rep.message(format!("progress shows elapsed time only: reading sys.dm_exec_requests failed ({e})"));
                break;
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(POLL_INTERVAL) => {}
            _ = stop.cancelled() => break,
        }
    }
    if !saw_row && (1..3).contains(&empty_polls) {
        rep.message("progress showed elapsed time only: this login could not see the statement's row in sys.dm_exec_requests (VIEW SERVER STATE is needed)");
    }
    let _ = tokio::time::timeout(Duration::from_secs(2), client.close()).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples() {
        assert_eq!(sample(Some(42.5), Some(12_500)), Some((42.5, Some(12.5))));
        assert_eq!(sample(Some(10.0), Some(0)), Some((10.0, None)));
        assert_eq!(sample(Some(120.0), None), Some((100.0, None)));
        assert_eq!(sample(None, Some(5)), None);
        assert_eq!(sample(Some(f64::NAN), None), None);
    }
}
