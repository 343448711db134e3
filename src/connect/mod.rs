//! Connecting: a [`ConnectionRequest`] becomes a logged-in tiberius [`Client`].
//!
//! - Target: `host`, `host,port`, `host\instance` (SQL Server Browser, [`browser`]).
//! - Auth: SQL login, access token, managed identity ([`crate::identity`]), integrated
//!   (Windows builds only; elsewhere `NotSupported`).
//! - TLS (rustls): `mandatory` (default, validated against the system roots plus `ca_file`),
//!   `optional` (login packet only, like SqlClient's `Encrypt=Optional`), `strict` (TDS 8.0),
//!   `off` (no TLS). `trust_server_certificate` is an explicit opt-in; `host_name_in_certificate`
//!   overrides the name validated. With `optional` the login TLS is validated the same way.
//! - Timeouts: the TCP connect + login is bounded by `connect_timeout_s`; every command by
//!   `command_timeout_s` (per server round trip). BACKUP/RESTORE must connect with
//!   [`ConnectOptions::no_command_timeout`].
//! - Pooling: short calls check out a logged-in connection from [`pool`] (keyed by
//!   [`pool_key`]) instead of calling [`connect`]; long operations keep their own connections.

pub(crate) mod browser;
// Reused logged-in connections for short calls (issue 14)
pub mod pool;
pub mod pool_key;
pub mod messages;
pub mod rows;
pub mod target;

use crate::api::{Auth, ConnectionRequest, Encrypt};
use crate::errors::{Error, ErrorKind, Result};
use std::time::Duration;
use tiberius::{AuthMethod, Config, EncryptionLevel};
use tokio::net::TcpStream;
use tokio_util::compat::{Compat, TokioAsyncWriteCompatExt};

pub use target::{parse_target, Target};

/// A logged-in connection.
///
/// cbindgen:ignore
pub type Client = tiberius::Client<Compat<TcpStream>>;

/// Options the caller of [`connect_with`] may change.
#[derive(Debug, Clone, Copy, Default)]
pub struct ConnectOptions {
    /// Do not apply `command_timeout_s` (BACKUP / RESTORE, which run for hours).
    pub no_command_timeout: bool,
}

/// Connect and log in with the request's settings (command timeout applied).
pub async fn connect(req: &ConnectionRequest) -> Result<Client> {
    connect_with(req, ConnectOptions::default()).await
}

/// Connect and log in.
pub async fn connect_with(req: &ConnectionRequest, opts: ConnectOptions) -> Result<Client> {
    let target = parse_target(&req.server)?;
    let ca = validate(req).await?;
    open(req, &target, opts, ca).await
}

/// Connect and log in after [`validate`] (`ca` holds `ca_file`'s bytes).
pub(crate) async fn open(req: &ConnectionRequest, target: &Target, opts: ConnectOptions, ca: Option<Vec<u8>>) -> Result<Client> {
    crate::runtime::install_crypto_provider();
    let connect_timeout = Duration::from_secs(req.connect_timeout_s.max(1) as u64);
    // what was under way when the timeout struck, for its message
    let phase = std::sync::Mutex::new("");
    let set_phase = |p: &'static str| *phase.lock().unwrap_or_else(|e| e.into_inner()) = p;
    let fut = async {
        set_phase("while looking up the instance's port (SQL Server Browser)");
        let port = match (&target.instance, target.port) {
            (Some(inst), _) => browser::resolve(&target.host, inst, connect_timeout.min(Duration::from_secs(5))).await?,
            (None, Some(p)) => p,
            (None, None) => 1433,
        };
        let mut config = build_config(req, target, port, opts, ca)?;
        set_phase(if matches!(req.auth, Auth::ManagedIdentity { .. }) { "while getting the managed-identity token" } else { "" });
        config.authentication(auth_method(&req.auth).await?);
        set_phase("while opening the TCP connection");
        let tcp = TcpStream::connect((target.host.as_str(), port)).await.map_err(|e| {
            let kind = match e.kind() {
                std::io::ErrorKind::TimedOut => ErrorKind::ConnectionTimeout,
                _ => ErrorKind::ConnectionRefused,
            };
            Error::Connection { kind, message: format!("Cannot connect to {} (port {port}): {e}", target.describe()) }
        })?;
        let _ = tcp.set_nodelay(true);
        set_phase("during TLS and login");
        tiberius::Client::connect(config, tcp.compat_write())
            .await
            .map_err(|e| integrated_auth_context(&req.auth, Error::from_tiberius_connect(e)))
    };
    match tokio::time::timeout(connect_timeout, fut).await {
        Ok(r) => r,
        Err(_) => Err(Error::Connection {
            kind: ErrorKind::ConnectionTimeout,
            message: format!("Connecting to {} did not complete within {} s (connect_timeout_s){}.", target.describe(), connect_timeout.as_secs(), phase_suffix(&phase.lock().unwrap_or_else(|e| e.into_inner()))),
        }),
    }
}

fn phase_suffix(phase: &str) -> String {
    if phase.is_empty() { String::new() } else { format!(", {phase}") }
}

/// Every check of [`connect_with`] made before a packet is sent (server name, TLS options, the
/// CA file, database name, credentials present), without connecting.
pub async fn check(req: &ConnectionRequest) -> Result<()> {
    parse_target(&req.server)?;
    validate(req).await.map(|_| ())
}

/// With integrated authentication, an SSPI handshake failure surfaces from tiberius as a bare
/// I/O error (under wine: "Success (os error 0)") after the TCP connection succeeded: name it as
/// the integrated login failing, not as a refused connection.
fn integrated_auth_context(auth: &Auth, e: Error) -> Error {
    match (auth, e) {
        (Auth::Integrated, Error::Connection { kind: ErrorKind::ConnectionRefused, message }) => Error::Connection {
            kind: ErrorKind::LoginFailed,
            message: format!("Windows integrated authentication (SSPI) failed during login: {message}"),
        },
        (_, e) => e,
    }
}

/// Checks the request and reads `ca_file` — on tokio's blocking pool, never on an async worker.
/// Returns the CA bytes (when `ca_file` is set).
pub(crate) async fn validate(req: &ConnectionRequest) -> Result<Option<Vec<u8>>> {
    if req.trust_server_certificate && req.ca_file.is_some() {
        return Err(Error::invalid("trust_server_certificate and ca_file exclude each other: either validate against a CA or trust any certificate."));
    }
    let ca_bytes = match req.ca_file.clone() {
        Some(ca) => Some(tokio::task::spawn_blocking(move || read_ca_file(&ca)).await.map_err(|e| Error::Internal(format!("reading ca_file failed: {e}")))??),
        None => None,
    };
    if let Some(db) = &req.database {
        if db.is_empty() || db.chars().count() > 128 {
            return Err(Error::invalid("connection.database must be 1-128 characters."));
        }
    }
    match &req.auth {
        Auth::Sql { user, password } if user.is_empty() || password.expose().is_empty() => {
            Err(Error::invalid("SQL authentication needs a user and a password."))
        }
        Auth::AccessToken { token } if token.expose().is_empty() => Err(Error::invalid("The access token is empty.")),
        _ => Ok(ca_bytes),
    }
}

/// Reads a CA file (blocking: run it on the blocking pool).
fn read_ca_file(ca: &str) -> Result<Vec<u8>> {
    if !std::path::Path::new(ca).is_file() {
        return Err(Error::invalid(format!("ca_file '{ca}' does not exist or is not a file.")));
    }
    std::fs::read(ca).map_err(|e| Error::invalid(format!("cannot read ca_file '{ca}': {e}")))
}

/// The tiberius configuration, without authentication (pure: `ca` holds `ca_file`'s bytes).
pub fn build_config(req: &ConnectionRequest, target: &Target, port: u16, opts: ConnectOptions, ca: Option<Vec<u8>>) -> Result<Config> {
    let mut c = Config::new();
    c.host(&target.host);
    c.port(port);
    c.database(req.database.as_deref().unwrap_or("master"));
    c.application_name("SqlUrlBackup");
    c.encryption(match req.encrypt {
        Encrypt::Mandatory => EncryptionLevel::Required,
        Encrypt::Optional => EncryptionLevel::Off,
        Encrypt::Strict => EncryptionLevel::Strict,
        Encrypt::Off => EncryptionLevel::NotSupported,
    });
    if req.trust_server_certificate {
        c.trust_cert();
    } else if let Some(bytes) = ca {
        c.trust_cert_ca_bundle(bytes);
    }
    if let Some(h) = &req.host_name_in_certificate {
        c.hostname_in_certificate(h);
    }
    let secs = req.command_timeout_s;
    c.command_timeout(if opts.no_command_timeout || secs == 0 { None } else { Some(Duration::from_secs(secs as u64)) });
    Ok(c)
}

async fn auth_method(auth: &Auth) -> Result<AuthMethod> {
    Ok(match auth {
        Auth::Sql { user, password } => AuthMethod::sql_server(user, password.expose()),
        Auth::AccessToken { token } => AuthMethod::aad_token(token.expose()),
        Auth::ManagedIdentity { client_id, object_id, resource_id } => {
            let sel = crate::identity::IdentitySelector { client_id: client_id.clone(), object_id: object_id.clone(), resource_id: resource_id.clone() };
            let tok = crate::identity::acquire_token(crate::identity::SQL_RESOURCE, &sel).await?;
            AuthMethod::aad_token(tok.token.expose())
        }
        Auth::Integrated => integrated()?,
    })
}

#[cfg(windows)]
fn integrated() -> Result<AuthMethod> {
    Ok(AuthMethod::Integrated)
}

#[cfg(not(windows))]
fn integrated() -> Result<AuthMethod> {
    Err(Error::not_supported("Windows integrated authentication is available in the Windows build only; use a SQL login, an access token or a managed identity."))
}

/// How long closing a connection may take (the server's goodbye) before it is simply dropped.
pub const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// Closes a connection politely, bounded by [`CLOSE_TIMEOUT`] (dropping it closes the socket).
pub async fn close(client: Client) {
    let _ = tokio::time::timeout(CLOSE_TIMEOUT, client.close()).await;
}

/// Run a batch whose results are not needed, mapping errors and attaching the masked statement.
pub async fn execute(client: &mut Client, sql: &crate::tsql::Sql) -> Result<u64> {
    let r = client.execute(sql.text(), &[]).await.map_err(|e| Error::from_tiberius(e).with_statement(sql.masked()))?;
    Ok(r.total())
}

/// Run a query and collect all rows of its first result set.
pub async fn query_rows(client: &mut Client, sql: &crate::tsql::Sql) -> Result<Vec<tiberius::Row>> {
    let stream = client.simple_query(sql.text()).await.map_err(|e| Error::from_tiberius(e).with_statement(sql.masked()))?;
    stream.into_first_result().await.map_err(|e| Error::from_tiberius(e).with_statement(sql.masked()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::parse_request;

    fn req(extra: &str) -> ConnectionRequest {
        parse_request(&format!(r#"{{"server":"127.0.0.1,14331","auth":{{"kind":"sql","user":"sa","password":"x"}}{extra}}}"#)).unwrap()
    }

    #[test]
    fn config_defaults_encrypt_and_timeouts() {
        let r = req("");
        let t = parse_target(&r.server).unwrap();
        let c = build_config(&r, &t, 14331, ConnectOptions::default(), None).unwrap();
        assert_eq!(c.get_addr(), "127.0.0.1:14331");
        assert_eq!(c.get_command_timeout(), Some(Duration::from_secs(30)));
        let c = build_config(&r, &t, 14331, ConnectOptions { no_command_timeout: true }, None).unwrap();
        assert_eq!(c.get_command_timeout(), None);
    }

    #[test]
    fn rejects_conflicting_tls_options_and_missing_ca() {
        let r = req(r#","trust_server_certificate":true,"ca_file":"/etc/hosts""#);
        assert!(matches!(crate::runtime::block_on(validate(&r)), Err(Error::InvalidArgument(_))));
        let r = req(r#","ca_file":"/nonexistent/ca.pem""#);
        assert!(crate::runtime::block_on(validate(&r)).unwrap_err().to_string().contains("does not exist"));
    }

    #[cfg(not(windows))]
    #[test]
    fn integrated_is_not_supported_here() {
        assert!(matches!(integrated(), Err(Error::NotSupported(_))));
    }

    #[test]
    fn a_failed_integrated_handshake_is_a_login_failure_not_a_refused_connection() {
        let refused = || Error::Connection { kind: ErrorKind::ConnectionRefused, message: "Connection failed: Success. (os error 0)".into() };
        match integrated_auth_context(&Auth::Integrated, refused()) {
            Error::Connection { kind, message } => {
                assert_eq!(kind, ErrorKind::LoginFailed);
                assert!(message.starts_with("Windows integrated authentication (SSPI) failed"), "{message}");
            }
            other => panic!("unexpected {other:?}"),
        }
        // Other sign-ins keep the connection classification.
        let sql = req("").auth;
        assert!(matches!(integrated_auth_context(&sql, refused()), Error::Connection { kind: ErrorKind::ConnectionRefused, .. }));
        // A timeout stays a timeout even with integrated authentication.
        let timeout = Error::Connection { kind: ErrorKind::ConnectionTimeout, message: "t".into() };
        assert!(matches!(integrated_auth_context(&Auth::Integrated, timeout), Error::Connection { kind: ErrorKind::ConnectionTimeout, .. }));
    }
}
