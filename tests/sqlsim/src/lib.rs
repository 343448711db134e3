//! sqlsim: a SQL Server simulator speaking TDS 7.4 on loopback, for SqlUrlBackup's tests.
//!
//! ```no_run
//! # async fn f() -> Result<(), Box<dyn std::error::Error>> {
//! let sim = sqlsim::start(sqlsim::scenario::Scenario::default()).await?;
//! println!("{} {}", sim.addr, sim.ca_pem_path.display());
//! # Ok(()) }
//! ```
pub mod auth;
pub mod backup;
pub mod exec;
pub mod fidelity;
pub mod scenario;
pub mod sql;
pub mod state;
pub mod tds;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use scenario::Scenario;
use state::{LoggedStatement, ServerState};
use tds::tls::{TlsMaterial, TlsSetupError};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("the simulator only listens on loopback addresses, not {0}")]
    NotLoopback(SocketAddr),
    #[error(transparent)]
    Tls(#[from] TlsSetupError),
    #[error("cannot open the statement log {path}: {source}")]
    StatementLog { path: PathBuf, source: std::io::Error },
}

/// Options beyond the scenario.
#[derive(Debug, Clone, Default)]
pub struct StartOptions {
    /// Address to listen on; default `127.0.0.1:0` (a free port).
    pub listen: Option<SocketAddr>,
    /// Where to write the test CA (PEM); default: a fresh file in the temp directory.
    pub ca_out: Option<PathBuf>,
    /// Also append every received statement to this file as JSON lines.
    pub statement_log: Option<PathBuf>,
}

/// A running simulator. Dropping it stops accepting connections and ends the sessions.
pub struct SimHandle {
    pub addr: SocketAddr,
    /// PEM of the CA that signed the server certificate (for `localhost`, 127.0.0.1, ::1).
    pub ca_pem_path: PathBuf,
    pub state: Arc<ServerState>,
    pub tls: Arc<TlsMaterial>,
    stop: CancellationToken,
    remove_ca_on_drop: bool,
}

impl std::fmt::Debug for SimHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimHandle").field("addr", &self.addr).field("ca_pem_path", &self.ca_pem_path).finish()
    }
}

impl SimHandle {
    /// Every statement as received (batch text, or sp_executesql's statement).
    pub fn statement_log(&self) -> Vec<LoggedStatement> {
        self.state.statement_log()
    }
    /// Why connections ended abnormally.
    pub fn disconnects(&self) -> Vec<String> {
        self.state.lock().disconnects.clone()
    }
    /// Stop accepting and end all sessions.
    pub fn shutdown(&self) {
        self.stop.cancel();
    }
    pub fn port(&self) -> u16 {
        self.addr.port()
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        self.stop.cancel();
        if self.remove_ca_on_drop {
            let _ = std::fs::remove_file(&self.ca_pem_path);
        }
    }
}

/// Start on 127.0.0.1 with a free port.
pub async fn start(scenario: Scenario) -> Result<SimHandle, StartError> {
    start_with(scenario, StartOptions::default()).await
}

pub async fn start_with(scenario: Scenario, opts: StartOptions) -> Result<SimHandle, StartError> {
    let addr = opts.listen.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
    if !addr.ip().is_loopback() {
        return Err(StartError::NotLoopback(addr));
    }
    let tls = Arc::new(tds::tls::generate(&scenario.server_name)?);
    let mut server = ServerState::new(scenario);
    if let Some(p) = &opts.statement_log {
        server = server.with_statement_log_file(p).map_err(|source| StartError::StatementLog { path: p.clone(), source })?;
    }
    let server = Arc::new(server);
    let listener = TcpListener::bind(addr).await.map_err(|source| StartError::Bind { addr, source })?;
    let addr = listener.local_addr().map_err(|source| StartError::Bind { addr, source })?;
    let (ca_pem_path, remove_ca_on_drop) = match &opts.ca_out {
        Some(p) => (p.clone(), false),
        None => (std::env::temp_dir().join(format!("sqlsim-ca-{}-{}.pem", std::process::id(), addr.port())), true),
    };
    tds::tls::write_ca(&tls, Path::new(&ca_pem_path))?;
    let stop = CancellationToken::new();
    tokio::spawn(accept_loop(listener, server.clone(), tls.clone(), stop.clone()));
    Ok(SimHandle { addr, ca_pem_path, state: server, tls, stop, remove_ca_on_drop })
}

async fn accept_loop(listener: TcpListener, server: Arc<ServerState>, tls: Arc<TlsMaterial>, stop: CancellationToken) {
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            r = listener.accept() => match r {
                Ok((tcp, peer)) => {
                    let server = server.clone();
                    let tls = tls.clone();
                    let stop = stop.clone();
                    tokio::spawn(async move {
                        tokio::select! {
                            _ = stop.cancelled() => {}
                            _ = tds::session::serve(tcp, peer, server, tls) => {}
                        }
                    });
                }
                Err(e) => {
                    eprintln!("sqlsim: accept failed: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            }
        }
    }
}
