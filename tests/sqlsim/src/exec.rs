//! The contract between the TDS session (which owns the socket) and whatever executes a
//! statement (the catalog statements of issue 2, BACKUP/RESTORE of issue 3).
//!
//! An executor never touches the socket. It sends [`Event`]s on `ExecContext::out`; the session
//! writes each one to the client as it arrives (INFO tokens stream, they are not buffered until
//! the end), and sets the DONE status bits. ATTENTION from the client, or a closed socket,
//! fires `ExecContext::cancel`; a long executor checks it (or `select!`s on `cancelled()`) and
//! returns [`ExecError::Cancelled`], after which the session answers DONE with the ATTN bit.

use std::sync::Arc;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::state::ServerState;

/// An INFO (class <= 10) or ERROR (class > 10) message, as SQL Server sends it.
#[derive(Debug, Clone, PartialEq)]
pub struct SqlMessage {
    pub number: u32,
    pub state: u8,
    pub class: u8,
    pub text: String,
    /// Line number within the batch (SQL Server reports 1 for one-line batches).
    pub line: u32,
}

impl SqlMessage {
    pub fn new(number: u32, class: u8, state: u8, text: impl Into<String>) -> Self {
        SqlMessage { number, state, class, text: text.into(), line: 1 }
    }
}

/// SQL types the simulator can put in a result set.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlType {
    TinyInt,
    SmallInt,
    Int,
    BigInt,
    Bit,
    Real,
    Float,
    /// NVARCHAR(n) in characters; `None` = NVARCHAR(MAX).
    NVarChar(Option<u16>),
    /// VARCHAR(n) in bytes.
    VarChar(u16),
    /// CHAR(n)
    Char(u16),
    /// NCHAR(n)
    NChar(u16),
    DateTime,
    /// DATETIME2(scale)
    DateTime2(u8),
    /// DATETIMEOFFSET(scale)
    DateTimeOffset(u8),
    /// NUMERIC(precision, scale)
    Numeric(u8, u8),
    UniqueIdentifier,
    VarBinary(Option<u16>),
    /// sql_variant (e.g. uncast SERVERPROPERTY): `Str` travels as nvarchar, `Int` as int,
    /// `Bit` as bit, `DateTime` as datetime.
    Variant,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    Null,
    /// Any integer type.
    Int(i64),
    Bit(bool),
    Float(f64),
    Str(String),
    DateTime(chrono::NaiveDateTime),
    /// DATETIMEOFFSET: the local date/time and its offset from UTC in minutes.
    DateTimeOffset(chrono::NaiveDateTime, i16),
    /// Unscaled value of a NUMERIC column (e.g. 12345 with scale 0).
    Numeric(i128),
    Guid(uuid::Uuid),
    Bytes(Vec<u8>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub ty: SqlType,
    pub nullable: bool,
}

impl Column {
    pub fn new(name: impl Into<String>, ty: SqlType, nullable: bool) -> Self {
        Column { name: name.into(), ty, nullable }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResultSet {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<SqlValue>>,
}

/// What an executor emits, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Info(SqlMessage),
    Error(SqlMessage),
    Rows(ResultSet),
    /// End of one statement: DONE (or DONEINPROC) with the row count when there is one.
    StatementDone { rows: Option<u64> },
}

/// Why an executor stopped early.
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    /// The client sent ATTENTION or went away.
    #[error("cancelled by the client")]
    Cancelled,
    /// The statement failed; the messages (cause first, e.g. 3201 then 3013) were already
    /// sent or are carried here to be sent before DONE with the ERROR bit.
    #[error("statement failed: {0:?}")]
    Failed(Vec<SqlMessage>),
    /// The session must be closed (e.g. a fault that drops the connection).
    #[error("drop the connection: {0}")]
    DropConnection(String),
}

/// Everything an executor may use.
pub struct ExecContext {
    /// `@@SPID` of the session running the statement.
    pub session_id: u16,
    /// Login name of the session.
    pub login: String,
    pub out: mpsc::Sender<Event>,
    pub cancel: CancellationToken,
    /// The whole server (scenario facts + mutable state).
    pub server: Arc<ServerState>,
    /// The session's login is a member of sysadmin.
    pub is_sysadmin: bool,
    /// The session's login may run BACKUP (sysadmin or db_backupoperator).
    pub is_backup_operator: bool,
    /// Current database of the session.
    pub database: String,
}

impl ExecContext {
    /// Send one event; a closed channel means the session is gone, which counts as a cancel.
    pub async fn send(&self, ev: Event) -> Result<(), ExecError> {
        self.out.send(ev).await.map_err(|_| ExecError::Cancelled)
    }
    pub async fn info(&self, msg: SqlMessage) -> Result<(), ExecError> {
        self.send(Event::Info(msg)).await
    }
    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }
    /// The scenario's entry for the session's login (None for a login added at run time).
    pub fn login_entry(&self) -> Option<&crate::scenario::Login> {
        self.server.scenario.logins.iter().find(|l| l.name.eq_ignore_ascii_case(&self.login))
    }
    /// CREATE DATABASE permission in effect (sysadmin implies it).
    pub fn has_create_database(&self) -> bool {
        self.is_sysadmin || self.login_entry().is_some_and(|l| l.has_create_database())
    }
}
