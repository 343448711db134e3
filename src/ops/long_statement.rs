//! The long-running-statement runner of BACKUP and RESTORE: a dedicated connection without
//! command timeout, the statement raced against the operation's cancel token (ATTENTION on
//! cancel), and the progress poller on a second connection. (Moved here from `ops::backup`.)

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::api::ConnectionRequest;
use crate::connect::{connect_with, Client, ConnectOptions};
use crate::errors::{Error, Result};
use crate::operation::Reporter;
use crate::tsql::Sql;

/// How long ATTENTION may take to be acknowledged before the connection is simply closed.
pub const ATTENTION_TIMEOUT: Duration = Duration::from_secs(15);

/// Connects **without command timeout** (BACKUP / RESTORE run for hours), unless cancelled first.
pub(crate) async fn connect_cancellable(connection: &ConnectionRequest, cancel: &CancellationToken) -> Result<Client> {
    tokio::select! {
        c = connect_with(connection, ConnectOptions { no_command_timeout: true }) => c,
        _ = cancel.cancelled() => Err(Error::Cancelled),
    }
}

/// The progress poller of one statement's session ([`crate::progress::run`]), on its own task.
pub(crate) struct Progress {
    stop: CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

impl Progress {
    /// Starts polling the progress of session `spid`; it stops with the operation's cancel too.
    pub(crate) fn start(connection: &ConnectionRequest, spid: i32, rep: &Reporter) -> Progress {
        let stop = rep.cancel_token().child_token();
        let task = tokio::spawn(crate::progress::run(connection.clone(), spid, rep.clone(), stop.clone()));
        Progress { stop, task }
    }

    /// Stops the poller and waits (at most 5 s) for it to close its connection.
    pub(crate) async fn stop(self) {
        self.stop.cancel();
        let _ = tokio::time::timeout(Duration::from_secs(5), self.task).await;
    }
}

/// Outcome of a long statement.
pub(crate) enum RunOutcome {
    Done,
    /// Cancelled; `attention_acknowledged` tells whether the server answered the ATTENTION
    /// (DONE with the ATTN bit) before we closed the connection.
    Cancelled { attention_acknowledged: bool },
}

impl RunOutcome {
    pub(crate) fn cancel_text(acknowledged: bool) -> &'static str {
        if acknowledged {
            "ATTENTION was sent and acknowledged by the server, then the connection was closed"
        } else {
            "ATTENTION was sent but not acknowledged in time, so the connection was closed (which also aborts the statement)"
        }
    }
}

/// Runs one long statement on `client`, racing the cancel token. On cancel: ATTENTION
/// (`cancel_query`, bounded) — the caller then drops the connection.
pub(crate) async fn run_long(client: &mut Client, sql: &Sql, cancel: &CancellationToken, verb: &str) -> Result<RunOutcome> {
    let outcome = {
        let fut = async {
            let stream = client.simple_query(sql.text()).await?;
            stream.into_results().await
        };
        tokio::pin!(fut);
        tokio::select! {
            biased;
            // checked first: a cancel that came before the statement was sent sends nothing
            _ = cancel.cancelled() => None,
            r = &mut fut => Some(r),
        }
    };
    match outcome {
        None => {
            // the query future is gone: tell the server to stop
            let acked = matches!(tokio::time::timeout(ATTENTION_TIMEOUT, client.cancel_query()).await, Ok(Ok(())));
            Ok(RunOutcome::Cancelled { attention_acknowledged: acked })
        }
        Some(Ok(_)) => Ok(RunOutcome::Done),
        Some(Err(e)) => {
            let err = Error::from_tiberius(e);
            Err(match err {
                Error::Connection { kind, message } => Error::Connection {
                    kind,
                    message: format!(
                        "The connection to the server was lost while {verb} was running ({message}); the statement did not complete and its result is unknown to the server's caller: treat it as failed."
                    ),
                },
                other => other.with_statement(sql.masked()),
            })
        }
    }
}

