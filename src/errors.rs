//! The one error type of the library: every failure has a stable [`ErrorKind`] (the PowerShell
//! ErrorId), a PowerShell `ErrorCategory`, a message and a recommended action, and maps to one
//! [`SqlurlResult`](crate::ffi::SqlurlResult) code at the C boundary.
//!
//! SQL Server errors are classified by number ([`classify_sql`]); connection and TLS failures by
//! what tiberius reports ([`Error::from_tiberius`]). Messages never carry secrets: statements are
//! stored in their masked form (see [`crate::tsql::Sql`]).

use serde::{Deserialize, Serialize};

/// Stable error kinds (see `docs/json-contract.md`). The `Debug`/serde name is the contract name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorKind {
    InvalidArgument,
    InvalidUrl,
    NotSupported,
    ConnectionRefused,
    ConnectionTimeout,
    CommandTimeout,
    CertificateNotTrusted,
    CertificateNameMismatch,
    TlsFailure,
    LoginFailed,
    InstanceNotFound,
    IdentityEndpointFailed,
    ManagedIdentityNotSelected,
    StorageAccessDenied,
    StorageRequestNotSupported,
    BackupBlobNotFound,
    BackupDeviceError,
    FilesInUse,
    DatabaseInUse,
    DifferentDatabaseInBackup,
    TailLogNotBackedUp,
    SimpleRecoveryModel,
    NoCurrentDatabaseBackup,
    BlobExists,
    /// 3271 whose inner text says the blob is under an active lease (a failed backup's leftover).
    BlobLeased,
    /// 3271 whose inner text is a TLS, DNS, proxy or other remote-endpoint failure: SQL Server
    /// could not reach the storage account.
    StorageUnreachable,
    /// 3202: a write to storage failed mid-backup (e.g. OS error 1117); nothing usable was written.
    BackupWriteFailed,
    BlockLimitReached,
    CredentialNotFound,
    CredentialExists,
    PermissionDenied,
    BackupChainBroken,
    DatabaseExists,
    /// DBCC CHECKDB found consistency errors (the restore drill's copy of a backup chain).
    DatabaseCorrupt,
    Cancelled,
    SqlError,
    Internal,
}

impl ErrorKind {
    /// The PowerShell `System.Management.Automation.ErrorCategory` name.
    pub fn category(self) -> &'static str {
        use ErrorKind::*;
        match self {
            InvalidArgument | InvalidUrl => "InvalidArgument",
            NotSupported => "NotImplemented",
            ConnectionRefused | InstanceNotFound => "ConnectionError",
            ConnectionTimeout | CommandTimeout => "OperationTimeout",
            CertificateNotTrusted | CertificateNameMismatch | TlsFailure => "SecurityError",
            StorageAccessDenied | PermissionDenied => "PermissionDenied",
            LoginFailed | IdentityEndpointFailed => "AuthenticationError",
            ManagedIdentityNotSelected => "ResourceUnavailable",
            StorageRequestNotSupported => "InvalidOperation",
            BackupBlobNotFound | CredentialNotFound => "ObjectNotFound",
            BackupDeviceError | BackupWriteFailed => "WriteError",
            StorageUnreachable => "ConnectionError",
            FilesInUse | DatabaseInUse => "ResourceBusy",
            DifferentDatabaseInBackup | TailLogNotBackedUp | SimpleRecoveryModel
            | NoCurrentDatabaseBackup | BackupChainBroken => "InvalidOperation",
            BlobExists | CredentialExists | DatabaseExists => "ResourceExists",
            BlobLeased => "ResourceBusy",
            BlockLimitReached => "LimitsExceeded",
            DatabaseCorrupt => "InvalidData",
            Cancelled => "OperationStopped",
            SqlError => "InvalidOperation",
            Internal => "NotSpecified",
        }
    }

    /// What the user should do next; `None` when there is nothing better than the message.
    pub fn recommended_action(self) -> Option<&'static str> {
        use ErrorKind::*;
        Some(match self {
            InvalidArgument => "Correct the request and try again.",
            InvalidUrl => "Use the container URL: https://<account>.blob.core.windows.net/<container> (https, lower-case container name, no trailing '/', no blob path).",
            NotSupported => return None,
            ConnectionRefused => "Check the server name and port, that SQL Server is running and listens on TCP, and that no firewall blocks the port.",
            ConnectionTimeout => "Check the network path to the server (name resolution, firewall, NSG) or raise connect_timeout_s.",
            CommandTimeout => "The server did not answer in time: raise command_timeout_s or look for blocking on the server.",
            CertificateNotTrusted => "Install the server certificate's CA in the trusted roots or pass it as ca_file; use trust_server_certificate only on a network you trust.",
            CertificateNameMismatch => "Connect with the name the certificate was issued for, or set host_name_in_certificate to that name.",
            TlsFailure => "Check the server's TLS configuration (protocol versions, certificate) and the encrypt setting.",
            LoginFailed => "Check the login name and password or token, that the login exists and is enabled, and that it may connect to the database.",
            InstanceNotFound => "Start the SQL Server Browser service (UDP 1434) and allow it through the firewall, or connect with host,port instead of the instance name.",
            IdentityEndpointFailed => "Check that this machine has a managed identity (and that client_id / object_id / resource_id select an assigned one), and that the identity endpoint is reachable.",
            ManagedIdentityNotSelected => "Select a primary managed identity for the SQL Server instance in the Azure portal (Microsoft Entra ID blade of the SQL virtual machine), then drop and recreate the credential.",
            StorageAccessDenied => "Either the identity lacks the storage role the operation needs, or the network path (storage firewall, private endpoint, NSG) is blocked: check both. BACKUP/RESTORE TO URL (operating system error 5) needs Storage Blob Data Contributor for the server's primary managed identity; listing a container needs Storage Blob Data Reader, setting metadata or deleting needs Storage Blob Data Contributor; a SAS needs the permissions the message names.",
            StorageRequestNotSupported => "Operating system error 50: check the credential (a SAS must not start with '?', must not be expired and needs the right permissions) and that the account is a general-purpose v2 / BlobStorage account.",
            BackupBlobNotFound => "The blob does not exist: check the URL (it is case sensitive) and the container.",
            BackupDeviceError => "Check the URL, the credential that matches it and the storage account.",
            FilesInUse => "The target files are used by another database: restore WITH REPLACE over that database, MOVE the files to other paths, or drop the database that uses them.",
            DatabaseInUse => "Close the other sessions using the database (for example ALTER DATABASE ... SET SINGLE_USER WITH ROLLBACK IMMEDIATE) and retry.",
            DifferentDatabaseInBackup => "Restore to a new database name, or replace the existing database explicitly.",
            TailLogNotBackedUp => "Back up the tail of the log first (BACKUP LOG ... WITH NORECOVERY), or replace the database explicitly if its recent changes may be lost.",
            SimpleRecoveryModel => "Log backups need the FULL or BULK_LOGGED recovery model: ALTER DATABASE ... SET RECOVERY FULL, then take a full backup.",
            NoCurrentDatabaseBackup => "Take a full database backup before the first log backup.",
            BlobExists => "A blob with that name exists: choose another name, or overwrite explicitly.",
            BlobLeased => "A blob of that name is under an active lease: a backup is still writing it, or a failed one left it behind (then it is not a usable backup). Wait for the other backup, or break the lease and delete the leftover blob (Azure portal, or az storage blob lease break / az storage blob delete), or back up under another name.",
            StorageUnreachable => "SQL Server could not reach the storage endpoint (this is not an existing blob): check the network path from the SQL Server machine to the storage account on port 443 - name resolution (for a private endpoint, the privatelink DNS zone), the storage account's firewall and virtual-network rules, NSG / firewall rules, any proxy between the server and storage - and that TLS 1.2 works and the storage certificate chain is trusted on the server.",
            BackupWriteFailed => "A write to storage failed while the backup was running: nothing usable was written (the blob or blobs left behind are not a restorable backup). Check the storage account and the network path, remove the partial blob(s) (overwrite explicitly when you retry), then run the backup again.",
            BlockLimitReached => "The blob reached the 50,000-block limit: stripe the backup over more URLs or use a larger MAXTRANSFERSIZE (4 MB).",
            CredentialNotFound => "Create the credential for the container URL first (managed identity or SAS).",
            CredentialExists => "A credential with that name exists: replace it explicitly, or remove it first.",
            PermissionDenied => "Run with a login that has the permission needed (sysadmin, or db_backupoperator for BACKUP).",
            BackupChainBroken => "Supply every backup of the chain: the full backup, the latest differential and all log backups after it.",
            DatabaseExists => "Choose another database name, or replace the existing database explicitly.",
            DatabaseCorrupt => "These backups restore a damaged database: do not rely on them. Run DBCC CHECKDB on the source database, repair or restore it from an older clean chain, then take a new full backup and run the drill again.",
            Cancelled => return None,
            SqlError => return None,
            Internal => "This is a bug in SqlUrlBackup: please report it with the message.",
        })
    }
}

/// One message as SQL Server sent it (an ERROR token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SqlMessage {
    pub number: u32,
    pub class: u8,
    pub state: u8,
    pub message: String,
    pub server: String,
    pub procedure: String,
    pub line: u32,
}

impl From<&tiberius::error::TokenError> for SqlMessage {
    fn from(t: &tiberius::error::TokenError) -> Self {
        SqlMessage {
            number: t.code(),
            class: t.class(),
            state: t.state(),
            message: t.message().to_string(),
            server: t.server().to_string(),
            procedure: t.procedure().to_string(),
            line: t.line(),
        }
    }
}

/// A classified SQL Server error.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerError {
    pub kind: ErrorKind,
    /// What the server sent, cause first.
    pub sql: Vec<SqlMessage>,
    /// The operating system error inside a 3201 message (5, 50, 2, ...).
    pub os_error: Option<u32>,
    /// Our explanation (the server's text plus what it means).
    pub message: String,
}

/// The library's error.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// The request is malformed (not UTF-8, not JSON, a missing or bad field).
    #[error("{0}")]
    InvalidArgument(String),
    /// A container URL failed validation.
    #[error("{0}")]
    InvalidUrl(String),
    /// This build or platform cannot do what the request asks.
    #[error("{0}")]
    NotSupported(String),
    /// Checked before anything was sent (broken chain, database exists, ...).
    #[error("{message}")]
    Precondition { kind: ErrorKind, message: String },
    /// Could not connect: refused, timeout, TLS, login, instance lookup.
    #[error("{message}")]
    Connection { kind: ErrorKind, message: String },
    /// The managed-identity token endpoint failed.
    #[error("{0}")]
    Identity(String),
    /// The server did not answer a command in time.
    #[error("{0}")]
    CommandTimeout(String),
    /// SQL Server returned an error.
    #[error("{}", .error.message)]
    Server {
        error: ServerError,
        /// The statement that failed, secrets masked.
        statement: Option<String>,
        database: Option<String>,
    },
    #[error("the operation was cancelled")]
    Cancelled,
    #[error("internal error: {0}")]
    Internal(String),
}

/// Shorthand.
///
/// cbindgen:ignore
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid(msg: impl Into<String>) -> Self {
        Error::InvalidArgument(msg.into())
    }
    pub fn not_supported(msg: impl Into<String>) -> Self {
        Error::NotSupported(msg.into())
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidArgument(_) => ErrorKind::InvalidArgument,
            Error::InvalidUrl(_) => ErrorKind::InvalidUrl,
            Error::NotSupported(_) => ErrorKind::NotSupported,
            Error::Precondition { kind, .. } | Error::Connection { kind, .. } => *kind,
            Error::Identity(_) => ErrorKind::IdentityEndpointFailed,
            Error::CommandTimeout(_) => ErrorKind::CommandTimeout,
            Error::Server { error, .. } => error.kind,
            Error::Cancelled => ErrorKind::Cancelled,
            Error::Internal(_) => ErrorKind::Internal,
        }
    }

    pub fn category(&self) -> &'static str {
        self.kind().category()
    }

    pub fn recommended_action(&self) -> Option<&'static str> {
        self.kind().recommended_action()
    }

    /// Attach the (masked) statement that failed, for server errors.
    pub fn with_statement(mut self, masked: impl Into<String>) -> Self {
        if let Error::Server { statement, .. } = &mut self {
            *statement = Some(masked.into());
        }
        self
    }

    /// Attach the database the failure concerns, for server errors.
    pub fn with_database(mut self, db: impl Into<String>) -> Self {
        if let Error::Server { database, .. } = &mut self {
            *database = Some(db.into());
        }
        self
    }

    /// Classify a tiberius error raised while running a statement (after login).
    /// A command timeout, a server error, or a broken connection.
    pub fn from_tiberius(e: tiberius::error::Error) -> Self {
        use tiberius::error::{Error as T, IoErrorKind};
        match e {
            T::Server(tok) => Error::from_sql(vec![SqlMessage::from(&tok)]),
            T::Io { kind: IoErrorKind::TimedOut, message } => Error::CommandTimeout(format!(
                "The server did not answer within the command timeout ({message})."
            )),
            other => classify_connection_error(&other),
        }
    }

    /// Classify a tiberius error raised while connecting and logging in.
    pub fn from_tiberius_connect(e: tiberius::error::Error) -> Self {
        match e {
            tiberius::error::Error::Server(tok) => {
                let msg = SqlMessage::from(&tok);
                if msg.number == 18456 || msg.number == 18452 || msg.number == 18470 || msg.number == 4060 {
                    // A server error (so `sql` shows what the server sent) whose code at the C
                    // boundary is SQLURL_ERROR_CONNECTION (see SqlurlResult::of).
                    let message = format!("Login failed: {} (error {})", msg.message, msg.number);
                    Error::Server {
                        error: ServerError { kind: ErrorKind::LoginFailed, sql: vec![msg], os_error: None, message },
                        statement: None,
                        database: None,
                    }
                } else {
                    Error::from_sql(vec![msg])
                }
            }
            other => classify_connection_error(&other),
        }
    }

    /// Build a classified server error from the messages the server sent (cause first).
    pub fn from_sql(sql: Vec<SqlMessage>) -> Self {
        Error::Server { error: classify_sql(sql), statement: None, database: None }
    }

    /// The error object of the JSON contract (without the `contract_version` envelope).
    pub fn to_object(&self) -> ErrorObject {
        let (sql, os_error, statement, database) = match self {
            Error::Server { error, statement, database } => (error.sql.clone(), error.os_error, statement.clone(), database.clone()),
            _ => (Vec::new(), None, None, None),
        };
        ErrorObject {
            kind: self.kind(),
            category: self.category().to_string(),
            message: self.to_string(),
            recommended_action: self.recommended_action().map(str::to_string),
            sql,
            os_error,
            statement,
            database,
        }
    }

    /// [`Error::to_object`] as JSON.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self.to_object()).unwrap_or_default()
    }
}

/// The `error` object of the JSON contract (`docs/json-contract.md`, "Every JSON output").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorObject {
    pub kind: ErrorKind,
    /// A PowerShell `ErrorCategory` name.
    pub category: String,
    pub message: String,
    pub recommended_action: Option<String>,
    /// What the server sent, cause first (empty for errors that did not come from the server).
    pub sql: Vec<SqlMessage>,
    pub os_error: Option<u32>,
    /// The masked statement that failed.
    pub statement: Option<String>,
    pub database: Option<String>,
}

/// The text of a caught panic's payload (`&str` or `String`), or "unknown panic".
pub fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".into()
    }
}

impl From<tiberius::error::Error> for Error {
    fn from(e: tiberius::error::Error) -> Self {
        Error::from_tiberius(e)
    }
}

/// Classify connection-level failures: refused, timeout, TLS trust / name, other I/O.
fn classify_connection_error(e: &tiberius::error::Error) -> Error {
    use tiberius::error::{Error as T, IoErrorKind};
    let text = e.to_string();
    let (kind, message) = match e {
        T::Tls(m) => (classify_tls_text(m), tls_message(classify_tls_text(m), m)),
        T::Io { kind, message } => {
            let message = &without_crate_links(message);
            let tls = classify_tls_text(message);
            if tls != ErrorKind::TlsFailure {
                (tls, tls_message(tls, message))
            } else {
                match kind {
                    IoErrorKind::ConnectionRefused => (ErrorKind::ConnectionRefused, format!("The server refused the connection: {message}")),
                    IoErrorKind::TimedOut => (ErrorKind::ConnectionTimeout, format!("Timed out talking to the server: {message}")),
                    IoErrorKind::ConnectionReset | IoErrorKind::ConnectionAborted | IoErrorKind::UnexpectedEof | IoErrorKind::BrokenPipe => {
                        (ErrorKind::ConnectionRefused, format!("The server closed the connection: {message}"))
                    }
                    _ if message.contains("certificate") || message.contains("tls") || message.contains("TLS") => {
                        (ErrorKind::TlsFailure, tls_message(ErrorKind::TlsFailure, message))
                    }
                    _ => (ErrorKind::ConnectionRefused, format!("Connection failed: {message}")),
                }
            }
        }
        T::Routing { host, port } => (
            ErrorKind::NotSupported,
            format!("The server redirected the connection to {host}:{port}; routing is not supported."),
        ),
        _ => (ErrorKind::TlsFailure, format!("Connection failed: {text}")),
    };
    if kind == ErrorKind::NotSupported {
        return Error::NotSupported(message);
    }
    if let T::Protocol(_) | T::Encoding(_) | T::Conversion(_) | T::Utf8 | T::Utf16 | T::ParseInt(_) = e {
        return Error::Connection { kind: ErrorKind::ConnectionRefused, message: format!("Protocol failure talking to the server: {text}") };
    }
    Error::Connection { kind, message }
}

/// An I/O error text without the links rustls appends for Rust developers (a connection
/// closed without close_notify ends in ": https://docs.rs/rustls/…#unexpected-eof"): they say
/// nothing to a user of this library.
fn without_crate_links(m: &str) -> String {
    let mut out = m.to_string();
    while let Some(i) = out.find("https://docs.rs/") {
        let end = out[i..].find(char::is_whitespace).map_or(out.len(), |e| i + e);
        let start = out[..i].trim_end().trim_end_matches(':').trim_end().len();
        out.replace_range(start..end, "");
    }
    out
}

/// What rustls found, without the advice tiberius appends about its own configuration API and
/// build features (`Config::trust_cert_ca(..)`, "build tiberius with native-tls"), which means
/// nothing to a user of this library: the text after tiberius' prefix, up to the first
/// sentence end.
fn tls_finding(m: &str) -> String {
    let core = m.split_once("during the TLS handshake: ").map(|(_, r)| r).unwrap_or(m);
    let core = core.split(". ").next().unwrap_or(core);
    let core = core.trim().trim_end_matches('.');
    if core.contains("UnsupportedCertVersion") {
        format!("{core}: the certificate uses an outdated X.509 version, as the certificate SQL Server generates for itself often does")
    } else {
        core.to_string()
    }
}

/// A failed TLS handshake in the user's words: what is wrong and the request settings that fix it.
fn tls_message(kind: ErrorKind, m: &str) -> String {
    let finding = tls_finding(m);
    match kind {
        ErrorKind::CertificateNotTrusted => format!(
            "The server's TLS certificate is not trusted ({finding}). Give the certificate of the CA that issued it as ca_file, or, only on a network you trust, set trust_server_certificate."
        ),
        ErrorKind::CertificateNameMismatch => format!(
            "The server's TLS certificate was not issued for the name used to connect ({finding}). Connect with a name the certificate lists, or give that name as host_name_in_certificate."
        ),
        _ => format!("The TLS handshake with the server failed ({finding}). Check the encrypt setting and the server's TLS configuration."),
    }
}

/// Certificate trust / name problems, from rustls' error text.
pub fn classify_tls_text(m: &str) -> ErrorKind {
    let l = m.to_ascii_lowercase();
    if l.contains("notvalidforname") || l.contains("not valid for name") {
        ErrorKind::CertificateNameMismatch
    } else if l.contains("unknownissuer")
        || l.contains("unknown issuer")
        || l.contains("badsignature")
        || l.contains("unknownca")
        || l.contains("invalid peer certificate")
    {
        ErrorKind::CertificateNotTrusted
    } else {
        ErrorKind::TlsFailure
    }
}

/// Extract the operating-system error number from a 3201 text:
/// `Cannot open backup device '...'. Operating system error 5(Access is denied.).`, or from a
/// 3202 text: `Write on "..." failed: 1117(The request could not be performed ...)`.
pub fn os_error_of(text: &str) -> Option<u32> {
    let rest = if let Some(idx) = text.find("Operating system error ") {
        &text[idx + "Operating system error ".len()..]
    } else {
        let idx = text.rfind("failed: ")?;
        &text[idx + "failed: ".len()..]
    };
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

/// 3271 carries whatever the storage stack said after the file name (`A nonrecoverable I/O
/// error occurred on file "%ls:" %ls.`): classify by that inner text, not by the number.
/// The "exists on the remote endpoint, and WITH FORMAT was not specified" form is an existing
/// blob; TLS, DNS, proxy and other remote-endpoint / connection failures mean the storage account
/// could not be reached; anything else is a device error.
pub fn classify_3271(text: &str) -> ErrorKind {
    let l = text.to_ascii_lowercase();
    if l.contains("exists on the remote endpoint") && l.contains("with format") {
        return ErrorKind::BlobExists;
    }
    if l.contains("lease on the blob") || l.contains("lease id") || l.contains("(412)") {
        return ErrorKind::BlobLeased;
    }
    if l.contains("(409)") {
        return ErrorKind::BlobExists;
    }
    if l.contains("(403)") || l.contains("forbidden") || l.contains("authorizationfailure") || l.contains("not authorized") {
        return ErrorKind::StorageAccessDenied;
    }
    // only the storage stack's part: the file name (a URL, a blob name) must not decide
    let inner = match text.find(":\"") {
        Some(i) => &text[i + 2..],
        None => text,
    };
    let l = inner.to_ascii_lowercase();
    const UNREACHABLE: [&str; 21] = [
        "remote endpoint",
        "remote server",
        "remote name",
        "could not be resolved",
        "name resolution",
        "dns",
        "proxy",
        "tls",
        "ssl",
        "secure channel",
        "certificate",
        "trust relationship",
        "handshake",
        "unable to connect",
        "could not connect",
        "connection",
        "timed out",
        "timeout",
        "unreachable",
        "network",
        "endpoint",
    ];
    if UNREACHABLE.iter().any(|w| l.contains(w)) {
        ErrorKind::StorageUnreachable
    } else {
        ErrorKind::BackupDeviceError
    }
}

/// Classify what the server sent (cause first, 3013 usually last).
pub fn classify_sql(sql: Vec<SqlMessage>) -> ServerError {
    // The cause is the first message that is not the generic "terminating abnormally".
    let cause = sql.iter().find(|m| m.number != 3013).or_else(|| sql.first());
    let Some(cause) = cause else {
        return ServerError { kind: ErrorKind::SqlError, sql, os_error: None, message: "SQL Server reported an error without a message.".into() };
    };
    let number = cause.number;
    let os_error = if number == 3201 || number == 3202 { os_error_of(&cause.message) } else { None };
    let kind = match number {
        37563 => ErrorKind::ManagedIdentityNotSelected,
        3201 => match os_error {
            Some(5) => ErrorKind::StorageAccessDenied,
            Some(50) => ErrorKind::StorageRequestNotSupported,
            Some(2) => ErrorKind::BackupBlobNotFound,
            _ => ErrorKind::BackupDeviceError,
        },
        3202 => ErrorKind::BackupWriteFailed,
        1834 | 3156 => ErrorKind::FilesInUse,
        3101 => ErrorKind::DatabaseInUse,
        3154 => ErrorKind::DifferentDatabaseInBackup,
        3159 => ErrorKind::TailLogNotBackedUp,
        4208 => ErrorKind::SimpleRecoveryModel,
        4214 => ErrorKind::NoCurrentDatabaseBackup,
        3271 => classify_3271(&cause.message),
        3063 => ErrorKind::BlockLimitReached,
        3288 => ErrorKind::CredentialNotFound,
        15025 => ErrorKind::CredentialExists,
        18456 => ErrorKind::LoginFailed,
        // 15151: "Cannot drop the credential ..., because it does not exist or you do not have permission."
        15151 => ErrorKind::CredentialNotFound,
        229 | 230 | 262 | 297 | 300 | 15247 | 2571 => ErrorKind::PermissionDenied,
        1801 => ErrorKind::DatabaseExists,
        3013 => ErrorKind::SqlError,
        _ => ErrorKind::SqlError,
    };
    let mut message = format!("SQL Server error {}: {}", number, cause.message);
    if number == 3013 {
        message.push_str(" (the server's first message, which names the cause, was not surfaced by the driver)");
    } else if let Some(term) = sql.iter().find(|m| m.number == 3013) {
        message.push_str(&format!(" Then: {}", term.message));
    }
    match kind {
        ErrorKind::StorageAccessDenied => message.push_str(" This means either the managed identity lacks the Storage Blob Data Contributor role on the storage account, or the network path to the storage account is blocked."),
        ErrorKind::StorageUnreachable => message.push_str(" SQL Server could not reach the storage account (TLS, name resolution, proxy or network path); no blob exists because of this error, so overwriting does not help."),
        ErrorKind::BackupWriteFailed => message.push_str(" The write to storage failed mid-backup: nothing usable was written, and the blob(s) left behind are not a restorable backup."),
        _ => {}
    }
    ServerError { kind, sql, os_error, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(number: u32, text: &str) -> SqlMessage {
        SqlMessage { number, class: 16, state: 1, message: text.into(), server: "SQLVM01".into(), procedure: String::new(), line: 1 }
    }

    #[test]
    fn crate_links_are_dropped_from_io_texts() {
        let m = "An error occurred during the attempt of performing I/O: peer closed connection without sending TLS close_notify: https://docs.rs/rustls/latest/rustls/manual/_03_howto/index.html#unexpected-eof";
        assert_eq!(without_crate_links(m), "An error occurred during the attempt of performing I/O: peer closed connection without sending TLS close_notify");
        assert_eq!(without_crate_links("a: https://docs.rs/x b"), "a b");
        assert_eq!(without_crate_links("plain"), "plain");
    }

    #[test]
    fn os_error_is_parsed() {
        assert_eq!(os_error_of("Cannot open backup device 'https://a/b.bak'. Operating system error 5(Access is denied.)."), Some(5));
        assert_eq!(os_error_of("Operating system error 50(The request is not supported.)."), Some(50));
        assert_eq!(os_error_of("no os error here"), None);
    }

    #[test]
    fn classifies_3201_by_os_error() {
        let e = classify_sql(vec![msg(3201, "Cannot open backup device 'x'. Operating system error 5(Access is denied.)."), msg(3013, "BACKUP DATABASE is terminating abnormally.")]);
        assert_eq!(e.kind, ErrorKind::StorageAccessDenied);
        assert_eq!(e.os_error, Some(5));
        assert!(e.message.contains("role"));
        assert!(e.message.contains("network"));
        assert!(e.message.contains("terminating abnormally"));
        assert_eq!(classify_sql(vec![msg(3201, "Operating system error 50(The request is not supported.).")]).kind, ErrorKind::StorageRequestNotSupported);
        assert_eq!(classify_sql(vec![msg(3201, "Operating system error 2(The system cannot find the file specified.).")]).kind, ErrorKind::BackupBlobNotFound);
        assert_eq!(classify_sql(vec![msg(3201, "Operating system error 87(x).")]).kind, ErrorKind::BackupDeviceError);
    }

    #[test]
    fn classifies_numbers() {
        let cases = [
            (37563, ErrorKind::ManagedIdentityNotSelected),
            (1834, ErrorKind::FilesInUse),
            (3156, ErrorKind::FilesInUse),
            (3101, ErrorKind::DatabaseInUse),
            (3154, ErrorKind::DifferentDatabaseInBackup),
            (3159, ErrorKind::TailLogNotBackedUp),
            (4208, ErrorKind::SimpleRecoveryModel),
            (4214, ErrorKind::NoCurrentDatabaseBackup),
            (3202, ErrorKind::BackupWriteFailed),
            (3063, ErrorKind::BlockLimitReached),
            (3288, ErrorKind::CredentialNotFound),
            (15025, ErrorKind::CredentialExists),
            (15151, ErrorKind::CredentialNotFound),
            (15247, ErrorKind::PermissionDenied),
            (2571, ErrorKind::PermissionDenied),
            (18456, ErrorKind::LoginFailed),
            (50000, ErrorKind::SqlError),
        ];
        for (n, k) in cases {
            assert_eq!(classify_sql(vec![msg(n, "text")]).kind, k, "error {n}");
        }
    }

    #[test]
    fn classifies_3271_by_its_inner_text() {
        let exists = r#"A nonrecoverable I/O error occurred on file "https://acct.blob.core.windows.net/c/Sales.bak:" The file https://acct.blob.core.windows.net/c/Sales.bak exists on the remote endpoint, and WITH FORMAT was not specified. Backup cannot proceed.."#;
        let e = classify_sql(vec![msg(3271, exists), msg(3013, "BACKUP DATABASE is terminating abnormally.")]);
        assert_eq!(e.kind, ErrorKind::BlobExists);
        for inner in [
            "Backup to URL received an exception from the remote endpoint. Exception Message: The underlying connection was closed: Could not establish trust relationship for the SSL/TLS secure channel.",
            "Backup to URL received an exception from the remote endpoint. Exception Message: The remote name could not be resolved: 'acct.blob.core.windows.net'.",
            "Backup to URL received an exception from the remote endpoint. Exception Message: Unable to connect to the remote server.",
            "Exception Message: The remote server returned an error: (407) Proxy Authentication Required.",
            "A TLS handshake with the storage endpoint failed.",
        ] {
            let text = format!(r#"A nonrecoverable I/O error occurred on file "https://acct.blob.core.windows.net/c/Sales.bak:" {inner}."#);
            let e = classify_sql(vec![msg(3271, &text), msg(3013, "BACKUP DATABASE is terminating abnormally.")]);
            assert_eq!(e.kind, ErrorKind::StorageUnreachable, "{inner}");
            assert!(e.message.contains("could not reach the storage account"), "{}", e.message);
            let action = e.kind.recommended_action().unwrap();
            assert!(action.contains("private endpoint") && action.contains("firewall") && action.contains("proxy"), "{action}");
            assert!(!action.to_ascii_lowercase().contains("overwrite"), "{action}");
            assert_eq!(e.kind.category(), "ConnectionError");
        }
        let lease = r#"A nonrecoverable I/O error occurred on file "https://acct.blob.core.windows.net/c/Sales.bak:" Backup to URL received an exception from the remote endpoint. Exception Message: The remote server returned an error: (412) There is currently a lease on the blob and no lease ID was specified in the request.."#;
        let e = classify_sql(vec![msg(3271, lease)]);
        assert_eq!(e.kind, ErrorKind::BlobLeased);
        assert!(e.kind.recommended_action().unwrap().contains("lease"));
        let denied = r#"A nonrecoverable I/O error occurred on file "x:" Backup to URL received an exception from the remote endpoint. Exception Message: The remote server returned an error: (403) Forbidden.."#;
        assert_eq!(classify_sql(vec![msg(3271, denied)]).kind, ErrorKind::StorageAccessDenied);
        // an inner text that is neither: a device error, never "blob exists"
        assert_eq!(classify_sql(vec![msg(3271, r#"A nonrecoverable I/O error occurred on file "x:" The media is corrupt."#)]).kind, ErrorKind::BackupDeviceError);
        // the file name does not decide: a blob named after a connection is still a device error
        assert_eq!(
            classify_sql(vec![msg(3271, r#"A nonrecoverable I/O error occurred on file "https://acct.blob.core.windows.net/c/connection_timeout_db.bak:" The media is corrupt."#)]).kind,
            ErrorKind::BackupDeviceError
        );
    }

    #[test]
    fn a_write_failure_mid_backup_says_nothing_usable_was_written() {
        let text = r#"Write on "https://acct.blob.core.windows.net/c/Sales.bak" failed: 1117(The request could not be performed because of an I/O device error.)"#;
        let e = classify_sql(vec![msg(3202, text), msg(3013, "BACKUP DATABASE is terminating abnormally.")]);
        assert_eq!(e.kind, ErrorKind::BackupWriteFailed);
        assert_eq!(e.os_error, Some(1117));
        assert!(e.message.contains("nothing usable was written"), "{}", e.message);
        assert!(e.message.contains("terminating abnormally"), "{}", e.message);
        assert!(e.kind.recommended_action().unwrap().contains("nothing usable was written"));
        assert_eq!(e.kind.category(), "WriteError");
    }

    #[test]
    fn a_lone_3013_says_the_cause_is_missing() {
        let e = classify_sql(vec![msg(3013, "BACKUP DATABASE is terminating abnormally.")]);
        assert_eq!(e.kind, ErrorKind::SqlError);
        assert!(e.message.contains("not surfaced"));
    }

    #[test]
    fn tls_messages_are_in_the_users_words_without_the_drivers_advice() {
        let tiberius = "the server's certificate was rejected during the TLS handshake: invalid peer certificate: UnknownIssuer. To connect anyway you can: (1) trust a specific CA certificate with `Config::trust_cert_ca(path)`, or an in-memory CA bundle with `Config::trust_cert_ca_bundle(bytes)`; (2) ... (requires the `rustls-webpki-roots` feature); (3) skip certificate validation entirely with `Config::trust_cert()`; or (4) build tiberius with the `native-tls` backend.";
        let m = tls_message(classify_tls_text(tiberius), tiberius);
        assert!(m.starts_with("The server's TLS certificate is not trusted (invalid peer certificate: UnknownIssuer)."), "{m}");
        assert!(m.contains("ca_file") && m.contains("trust_server_certificate"), "{m}");
        for driver_words in ["Config::", "feature", "tiberius", "native-tls", "rustls"] {
            assert!(!m.contains(driver_words), "{driver_words} in {m}");
        }
        let name = "invalid peer certificate: certificate not valid for name \"db1\"; certificate is only valid for DnsName(\"sql01\")";
        let m = tls_message(classify_tls_text(name), name);
        assert!(m.contains("not issued for the name") && m.contains("host_name_in_certificate") && m.contains("sql01"), "{m}");
        let old = "the server's certificate was rejected during the TLS handshake: invalid peer certificate: Other(OtherError(UnsupportedCertVersion)). The SQL Server presented a certificate rustls considers too old. To connect anyway ...";
        let m = tls_message(classify_tls_text(old), old);
        assert!(m.contains("outdated X.509 version") && !m.contains("rustls considers"), "{m}");
    }

    #[test]
    fn tls_text_classification() {
        assert_eq!(classify_tls_text("invalid peer certificate: UnknownIssuer"), ErrorKind::CertificateNotTrusted);
        assert_eq!(classify_tls_text("invalid peer certificate: certificate not valid for name \"x\"; certificate is only valid for y"), ErrorKind::CertificateNameMismatch);
        assert_eq!(classify_tls_text("invalid peer certificate: NotValidForName"), ErrorKind::CertificateNameMismatch);
        assert_eq!(classify_tls_text("received fatal alert: HandshakeFailure"), ErrorKind::TlsFailure);
    }

    #[test]
    fn every_kind_has_a_category_and_json_shape() {
        let e = Error::from_sql(vec![msg(37563, "The primary managed identity is not selected for this server.")])
            .with_statement("CREATE CREDENTIAL [x] WITH IDENTITY = N'Managed Identity'");
        let j = e.to_json();
        assert_eq!(j["kind"], "ManagedIdentityNotSelected");
        assert_eq!(j["category"], "ResourceUnavailable");
        assert_eq!(j["sql"][0]["number"], 37563);
        assert_eq!(j["statement"], "CREATE CREDENTIAL [x] WITH IDENTITY = N'Managed Identity'");
        assert!(j["recommended_action"].as_str().unwrap().contains("primary managed identity"));
        let j = Error::invalid("bad").to_json();
        assert_eq!(j["kind"], "InvalidArgument");
        assert_eq!(j["sql"], serde_json::json!([]));
    }
}
