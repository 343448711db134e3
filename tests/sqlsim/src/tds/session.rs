//! One client connection: PRELOGIN and encryption, LOGIN7, then requests until the client goes.
//!
//! After login a reader task keeps reading the socket (so ATTENTION is seen while a statement
//! streams its output) and the session task executes requests and writes responses.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf, WriteHalf};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::login7::{self, feature, FEDAUTH_LIB_SECURITYTOKEN};
use super::packet::{self, ptype, read_message, Message, PacketError, PacketWriter, STATUS_IGNORE};
use super::prelogin::{self, ENCRYPT_NOT_SUP, ENCRYPT_OFF};
use super::rpc::{self, RequestError};
use super::tls::{PreloginTls, TlsMaterial};
use super::tokens::{self as tk, DONE_ATTN, DONE_COUNT, DONE_ERROR, DONE_MORE};
use crate::auth;
use crate::exec::{Event, ExecContext, ExecError, SqlMessage, SqlValue};
use crate::sql::lexer::{split_statements, tokenize};
use crate::sql::messages as m;
use crate::sql::parse::{parse, Stmt};
use crate::sql::run;
use crate::state::{ServerState, SessionInfo};

/// Time allowed from TCP accept to the end of LOGIN7 (SQL Server's login timeout is similar).
const LOGIN_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("{0}")]
    Packet(#[from] PacketError),
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    #[error("TLS handshake failed: {0}")]
    Tls(std::io::Error),
    #[error("protocol error: {0}")]
    Protocol(String),
    #[error("login failed: {0}")]
    Login(String),
    #[error("login did not complete within {0:?}")]
    LoginTimeout(Duration),
    #[error("connection dropped on purpose: {0}")]
    Dropped(String),
}

/// The byte stream under the TDS packets: plain TCP or TLS.
pub enum Transport {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::server::TlsStream<PreloginTls<TcpStream>>>),
}

impl AsyncRead for Transport {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Transport::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Transport {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Transport::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Transport::Plain(s) => Pin::new(s).poll_flush(cx),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Transport::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// Serve one connection to its end; an abnormal end is logged (stderr and
/// `Mutable::disconnects`) and affects no other session.
pub async fn serve(tcp: TcpStream, peer: SocketAddr, server: Arc<ServerState>, tls: Arc<TlsMaterial>) {
    let spid = server.next_session_id();
    let res = run(tcp, spid, &server, &tls).await;
    server.remove_session(spid);
    if let Err(e) = res {
        let line = format!("session {spid} from {peer}: {e}");
        eprintln!("sqlsim: connection closed: {line}");
        server.lock().disconnects.push(line);
    }
}

struct LoggedIn {
    transport: Transport,
    login: String,
    is_sysadmin: bool,
    is_backup_operator: bool,
    database: String,
    packet_size: usize,
}

async fn run(tcp: TcpStream, spid: u16, server: &Arc<ServerState>, tls: &TlsMaterial) -> Result<(), SessionError> {
    let _ = tcp.set_nodelay(true);
    let li = match tokio::time::timeout(LOGIN_TIMEOUT, handshake(tcp, spid, server, tls)).await {
        Ok(r) => r?,
        Err(_) => return Err(SessionError::LoginTimeout(LOGIN_TIMEOUT)),
    };
    let Some(li) = li else { return Ok(()) };
    let killed = server.add_session(SessionInfo {
        session_id: spid,
        login: li.login.clone(),
        is_sysadmin: li.is_sysadmin,
        trace_flags: Default::default(),
        database: li.database.clone(),
        in_transaction: false,
    });
    let (mut rd, wr) = tokio::io::split(li.transport);
    let (tx, rx) = mpsc::channel::<Incoming>(64);
    let current = Arc::new(Mutex::new(CancellationToken::new()));
    let cur2 = current.clone();
    let reader = tokio::spawn(async move {
        loop {
            match read_message(&mut rd).await {
                Ok(msg) if msg.ty == ptype::ATTENTION => {
                    cur2.lock().unwrap_or_else(|p| p.into_inner()).cancel();
                    if tx.send(Incoming::Attention).await.is_err() {
                        break;
                    }
                }
                Ok(msg) => {
                    let token = CancellationToken::new();
                    *cur2.lock().unwrap_or_else(|p| p.into_inner()) = token.clone();
                    if tx.send(Incoming::Request(msg, token)).await.is_err() {
                        break;
                    }
                }
                Err(e) => {
                    cur2.lock().unwrap_or_else(|p| p.into_inner()).cancel();
                    let _ = tx.send(Incoming::Closed(e)).await;
                    break;
                }
            }
        }
    });
    let mut s = Session {
        server: server.clone(),
        spid,
        login: li.login,
        is_sysadmin: li.is_sysadmin,
        is_backup_operator: li.is_backup_operator,
        login_database: li.database.clone(),
        database: li.database,
        nocount: false,
        pw: PacketWriter::new(spid, li.packet_size),
        wr,
        pending_done: None,
        tx: super::tm::TxState::default(),
    };
    let _reader = AbortOnDrop(reader);
    let res = tokio::select! {
        r = s.main_loop(rx) => r,
        _ = killed.cancelled() => Ok(()),
    };
    let _ = s.wr.shutdown().await;
    res
}

/// Stops the reader task when the session ends, also when the session future is dropped
/// (simulator shutdown), so the socket closes.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

enum Incoming {
    Request(Message, CancellationToken),
    Attention,
    Closed(PacketError),
}

/// PRELOGIN, TLS, LOGIN7. `None` when the login failed and the client was told so.
async fn handshake(mut tcp: TcpStream, spid: u16, server: &ServerState, tls: &TlsMaterial) -> Result<Option<LoggedIn>, SessionError> {
    let sc = &server.scenario;
    let version = prelogin::parse_version(&sc.product_version);
    let mut first = [0u8; 1];
    let n = tcp.peek(&mut first).await?;
    if n == 0 {
        return Err(PacketError::Closed.into());
    }
    if first[0] != ptype::PRELOGIN && first[0] != 0x16 {
        // Not TDS (e.g. an HTTP request): refuse at once instead of waiting for a bogus length.
        return Err(SessionError::Protocol(format!("expected PRELOGIN (0x12), got packet type 0x{:02X}", first[0])));
    }
    let (mut transport, encryption) = if first[0] == 0x16 {
        // TDS 8.0 (strict): TLS on the raw socket first, then PRELOGIN inside it.
        let acceptor = tokio_rustls::TlsAcceptor::from(tls.config_tds8.clone());
        let s = acceptor.accept(PreloginTls::passthrough(tcp)).await.map_err(SessionError::Tls)?;
        let mut t = Transport::Tls(Box::new(s));
        let msg = read_message(&mut t).await?;
        if msg.ty != ptype::PRELOGIN {
            return Err(SessionError::Protocol(format!("expected PRELOGIN (0x12), got packet type 0x{:02X}", msg.ty)));
        }
        let pl = prelogin::parse(&msg.payload).map_err(|e| SessionError::Protocol(e.to_string()))?;
        let reply = prelogin::build_reply(version, ENCRYPT_NOT_SUP, pl.fedauth_requested);
        write_single(&mut t, spid, &reply).await?;
        (t, None)
    } else {
        let msg = read_message(&mut tcp).await?;
        if msg.ty != ptype::PRELOGIN {
            return Err(SessionError::Protocol(format!("expected PRELOGIN (0x12), got packet type 0x{:02X}", msg.ty)));
        }
        let pl = prelogin::parse(&msg.payload).map_err(|e| SessionError::Protocol(e.to_string()))?;
        let enc = prelogin::negotiate(pl.encryption, false);
        let reply = prelogin::build_reply(version, enc, pl.fedauth_requested);
        write_single(&mut tcp, spid, &reply).await?;
        if enc == ENCRYPT_NOT_SUP {
            (Transport::Plain(tcp), None)
        } else {
            let acceptor = tokio_rustls::TlsAcceptor::from(tls.config_tds7.clone());
            let mut s = acceptor.accept(PreloginTls::new(tcp)).await.map_err(SessionError::Tls)?;
            s.get_mut().0.handshake_done();
            if enc == ENCRYPT_OFF {
                s.get_mut().0.read_record_by_record();
            }
            (Transport::Tls(Box::new(s)), Some(enc))
        }
    };
    let msg = if encryption == Some(ENCRYPT_OFF) {
        // Login-only encryption: the client drops TLS (no close_notify) after LOGIN7 — tiberius
        // after the whole message, SqlClient after its first packet.
        let Transport::Tls(tls_stream) = transport else { unreachable!("OFF negotiates TLS") };
        let (msg, raw) = read_login_only_encrypted(*tls_stream).await?;
        transport = Transport::Plain(raw);
        msg
    } else {
        read_message(&mut transport).await?
    };
    if msg.ty != ptype::LOGIN7 {
        return Err(SessionError::Protocol(format!("expected LOGIN7 (0x10), got packet type 0x{:02X}", msg.ty)));
    }
    let l = login7::parse(&msg.payload).map_err(|e| SessionError::Protocol(e.to_string()))?;
    let fedauth = l.fedauth().map_err(|e| SessionError::Protocol(e.to_string()))?;
    let packet_size = match l.packet_size {
        0 => 4096,
        n => (n as usize).clamp(512, 32767),
    };
    let mut pw = PacketWriter::new(spid, 4096);

    // Authenticate.
    let now_epoch = chrono::Utc::now().timestamp();
    let (login, reason) = match &fedauth {
        Some(fa) if fa.library != FEDAUTH_LIB_SECURITYTOKEN => {
            (None, format!("FEDAUTH library {} (MSAL workflows with FEDAUTHINFO) is not supported by the simulator", fa.library))
        }
        Some(fa) => match auth::check_token(sc, fa.token.as_deref().unwrap_or(""), now_epoch) {
            Ok(lg) => (Some(lg), String::new()),
            Err(e) => (None, format!("token login: {e}")),
        },
        None if l.has_sspi => (None, "integrated authentication is not available".into()),
        None => match auth::check_password(sc, &l.username, &l.password) {
            Ok(lg) => (Some(lg), String::new()),
            Err(e) => (None, format!("user '{}': {e}", l.username)),
        },
    };
    let Some(login) = login else {
        let msg = if fedauth.is_some() {
            m::login_failed("<token-identified principal>")
        } else if l.has_sspi {
            m::untrusted_domain()
        } else {
            m::login_failed(&l.username)
        };
        let mut out = tk::message(&msg, &sc.server_name, "");
        out.extend(tk::done(tk::TOKEN_DONE, DONE_ERROR, 0, 0));
        pw.put(&mut transport, &out).await?;
        pw.finish(&mut transport).await?;
        let _ = transport.shutdown().await;
        return Err(SessionError::Login(reason));
    };
    let database = if l.database.is_empty() { "master".to_string() } else { l.database.clone() };
    let db_ok = server.lock().database(&database).map(|d| (d.name.clone(), d.state_code() == 0));
    let database = match db_ok {
        Some((name, true)) => name,
        _ => {
            let mut out = tk::message(&m::cannot_open_database(&database), &sc.server_name, "");
            out.extend(tk::message(&m::login_failed(&login.name), &sc.server_name, ""));
            out.extend(tk::done(tk::TOKEN_DONE, DONE_ERROR, 0, 0));
            pw.put(&mut transport, &out).await?;
            pw.finish(&mut transport).await?;
            let _ = transport.shutdown().await;
            return Err(SessionError::Login(format!("user '{}': cannot open database '{database}'", login.name)));
        }
    };

    let mut out = Vec::new();
    out.extend(tk::env_change_str(1, &database, "master"));
    out.extend(tk::message(&m::changed_database(&database), &sc.server_name, ""));
    out.extend(tk::env_change_collation());
    out.extend(tk::env_change_str(2, "us_english", ""));
    out.extend(tk::message(&m::changed_language("us_english"), &sc.server_name, ""));
    out.extend(tk::login_ack(version.0, version.1, version.2));
    out.extend(tk::env_change_str(4, &packet_size.to_string(), "4096"));
    if l.option_flags3 & 0x10 != 0 {
        let mut acks = Vec::new();
        if fedauth.is_some() {
            acks.push((feature::FEDAUTH, Vec::new()));
        }
        if l.requested(feature::UTF8_SUPPORT) {
            acks.push((feature::UTF8_SUPPORT, vec![0x01]));
        }
        out.extend(tk::feature_ext_ack(&acks));
    }
    out.extend(tk::done(tk::TOKEN_DONE, 0, 0, 0));
    pw.put(&mut transport, &out).await?;
    pw.finish(&mut transport).await?;
    Ok(Some(LoggedIn {
        transport,
        login: login.name.clone(),
        is_sysadmin: login.sysadmin,
        is_backup_operator: login.sysadmin || login.backup_operator,
        database,
        packet_size,
    }))
}

/// Read LOGIN7 under login-only encryption and return it with the clear-text socket. After
/// each TLS packet without EOM: if no decrypted bytes are pending and the next raw byte does not
/// start a TLS application-data record (0x17), the client went clear text (SqlClient).
async fn read_login_only_encrypted(
    mut s: tokio_rustls::server::TlsStream<PreloginTls<TcpStream>>,
) -> Result<(Message, TcpStream), SessionError> {
    let (h, mut payload) = packet::read_packet(&mut s).await?;
    let ty = h.ty;
    let first_status = h.status;
    let mut last_status = h.status;
    let mut in_tls = true;
    while last_status & packet::STATUS_EOM == 0 {
        if in_tls {
            let pending = s.get_mut().1.process_new_packets().map(|st| st.plaintext_bytes_to_read()).unwrap_or(0);
            if pending == 0 && s.get_ref().0.at_record_boundary() {
                let mut b = [0u8; 1];
                let n = s.get_ref().0.inner.peek(&mut b).await?;
                if n == 0 {
                    return Err(PacketError::Truncated.into());
                }
                in_tls = b[0] == 0x17;
            }
        }
        let (h2, p2) = if in_tls {
            packet::read_packet(&mut s).await?
        } else {
            packet::read_packet(&mut s.get_mut().0.inner).await?
        };
        if h2.ty != ty {
            return Err(PacketError::MixedTypes { expected: ty, got: h2.ty }.into());
        }
        if payload.len() + p2.len() > packet::MAX_MESSAGE_LEN {
            return Err(PacketError::TooLarge.into());
        }
        payload.extend_from_slice(&p2);
        last_status = h2.status;
    }
    Ok((Message { ty, first_status, last_status, payload }, s.into_inner().0.inner))
}

/// One packet, type 0x04 (FreeTDS wants the PRELOGIN reply typed as a tabular result).
async fn write_single<W: AsyncWrite + Unpin>(w: &mut W, spid: u16, payload: &[u8]) -> Result<(), SessionError> {
    let mut pw = PacketWriter::new(spid, packet::MAX_PACKET_SIZE);
    pw.put(w, payload).await?;
    pw.finish(w).await?;
    Ok(())
}

/// How a request ended.
enum Outcome {
    Done,
    Cancelled,
}

struct Session {
    server: Arc<ServerState>,
    spid: u16,
    login: String,
    is_sysadmin: bool,
    is_backup_operator: bool,
    login_database: String,
    database: String,
    nocount: bool,
    pw: PacketWriter,
    wr: WriteHalf<Transport>,
    /// The last DONE-type token, held back until we know whether more follows (MORE bit).
    pending_done: Option<(u8, u16, u16, u64)>,
    /// Transaction opened by a TM request (python-tds with autocommit off).
    tx: super::tm::TxState,
}

/// A statement that runs longer than this gets the buffered output sent ahead of it.
const STREAM_FLUSH_AFTER: Duration = Duration::from_millis(20);

/// DONE `curcmd` for SELECT.
const CURCMD_SELECT: u16 = 0xC1;

impl Session {
    async fn main_loop(&mut self, mut rx: mpsc::Receiver<Incoming>) -> Result<(), SessionError> {
        while let Some(inc) = rx.recv().await {
            match inc {
                Incoming::Attention => {
                    // Acknowledge, even when the request had already finished.
                    self.pending_done = None;
                    self.pw.put(&mut self.wr, &tk::done(tk::TOKEN_DONE, DONE_ATTN, 0, 0)).await?;
                    self.pw.finish(&mut self.wr).await?;
                }
                Incoming::Closed(PacketError::Closed) => return Ok(()),
                Incoming::Closed(e) => return Err(e.into()),
                Incoming::Request(msg, cancel) => {
                    if msg.last_status & STATUS_IGNORE != 0 {
                        continue;
                    }
                    if msg.first_status & 0x18 != 0 {
                        // RESETCONNECTION / RESETCONNECTIONSKIPTRAN
                        self.database = self.login_database.clone();
                        self.nocount = false;
                        if let Some(s) = self.server.lock().sessions.get_mut(&self.spid) {
                            s.trace_flags.clear();
                            s.database = self.database.clone();
                        }
                        self.put(&tk::env_change_reset_ack()).await?;
                    }
                    let outcome = match msg.ty {
                        ptype::SQL_BATCH => {
                            let text = rpc::batch_text(&msg.payload).map_err(|e| SessionError::Protocol(e.to_string()))?;
                            self.server.log_statement(self.spid, &self.login, "batch", &text, "");
                            let o = self.run_text(&text, &[], tk::TOKEN_DONE, &cancel).await?;
                            if let Outcome::Done = o {
                                self.finish_message().await?;
                            }
                            o
                        }
                        ptype::RPC => self.run_rpc(&msg.payload, &cancel).await?,
                        ptype::TRANSACTION_MANAGER => {
                            let req = super::tm::parse(&msg.payload).map_err(|e| SessionError::Protocol(e.to_string()))?;
                            self.run_tm(req).await?;
                            Outcome::Done
                        }
                        other => {
                            return Err(SessionError::Protocol(format!("unexpected packet type 0x{other:02X} after login")));
                        }
                    };
                    if let Outcome::Cancelled = outcome {
                        // The attention (or the closed socket) that cancelled it is next in
                        // `rx`; the attention answer ends the response with DONE_ATTN.
                        self.pending_done = None;
                    }
                }
            }
        }
        Ok(())
    }

    /// Write token bytes, first releasing a held-back DONE with the MORE bit.
    async fn put(&mut self, bytes: &[u8]) -> Result<(), SessionError> {
        if let Some((t, st, cmd, rows)) = self.pending_done.take() {
            self.pw.put(&mut self.wr, &tk::done(t, st | DONE_MORE, cmd, rows)).await?;
        }
        self.pw.put(&mut self.wr, bytes).await?;
        Ok(())
    }

    async fn put_msg(&mut self, msg: &SqlMessage, stmt_line: u32) -> Result<(), SessionError> {
        let mut msg = msg.clone();
        if msg.line == 1 {
            msg.line = stmt_line;
        }
        let bytes = tk::message(&msg, &self.server.scenario.server_name, "");
        self.put(&bytes).await
    }

    /// Answer a transaction-manager request (MS-TDS 2.2.6.9 / 2.2.7.9).
    async fn run_tm(&mut self, req: super::tm::TmRequest) -> Result<(), SessionError> {
        use super::tm::TmRequest;
        match req {
            TmRequest::Begin { .. } => {
                // A BEGIN inside an open transaction keeps the descriptor (nesting is not
                // modelled; *unconfirmed*).
                if self.tx.current.is_none() {
                    let d = self.tx.begin(self.spid);
                    self.put(&tk::env_change_bytes(8, &d.to_le_bytes(), &[])).await?;
                }
            }
            TmRequest::End { commit, then_begin, .. } => match self.tx.end() {
                Some(d) => {
                    self.put(&tk::env_change_bytes(if commit { 9 } else { 10 }, &[], &d.to_le_bytes())).await?;
                    if then_begin.is_some() {
                        let d = self.tx.begin(self.spid);
                        self.put(&tk::env_change_bytes(8, &d.to_le_bytes(), &[])).await?;
                    }
                }
                None => {
                    let msg = if commit { m::commit_without_begin() } else { m::rollback_without_begin() };
                    self.put_msg(&msg, 1).await?;
                    self.pending_done = Some((tk::TOKEN_DONE, DONE_ERROR, 0, 0));
                }
            },
            TmRequest::Other(ty) => {
                self.put_msg(&m::not_supported(&format!("the transaction manager request type {ty}")), 1).await?;
                self.pending_done = Some((tk::TOKEN_DONE, DONE_ERROR, 0, 0));
            }
        }
        let open = self.tx.current.is_some();
        if let Some(s) = self.server.lock().sessions.get_mut(&self.spid) {
            s.in_transaction = open;
        }
        self.finish_message().await
    }

    /// End the response message: the held-back DONE goes out without MORE.
    async fn finish_message(&mut self) -> Result<(), SessionError> {
        let (t, st, cmd, rows) = self.pending_done.take().unwrap_or((tk::TOKEN_DONE, 0, 0, 0));
        self.pw.put(&mut self.wr, &tk::done(t, st & !DONE_MORE, cmd, rows)).await?;
        self.pw.finish(&mut self.wr).await?;
        Ok(())
    }

    async fn run_rpc(&mut self, payload: &[u8], cancel: &CancellationToken) -> Result<Outcome, SessionError> {
        let calls = match rpc::parse_rpc(payload) {
            Ok(c) => c,
            Err(e @ RequestError::UnsupportedType(_)) => {
                self.server.log_statement(self.spid, &self.login, "rpc", "<unparsed RPC>", "");
                self.put_msg(&m::not_supported(&e.to_string().replace(" is not supported by the simulator", "")), 1).await?;
                self.pending_done = Some((tk::TOKEN_DONEPROC, DONE_ERROR, 0, 0));
                self.finish_message().await?;
                return Ok(Outcome::Done);
            }
            Err(e) => return Err(SessionError::Protocol(format!("malformed RPC request: {e}"))),
        };
        for call in calls {
            let error;
            if call.proc_name.eq_ignore_ascii_case("sp_executesql") {
                match call.stmt() {
                    None => {
                        self.server.log_statement(self.spid, &self.login, "rpc", "", "");
                        self.put_msg(&SqlMessage::new(201, 16, 4, "Procedure or function 'sp_executesql' expects parameter '@statement', which was not supplied."), 1).await?;
                        error = true;
                    }
                    Some(text) => {
                        let text = text.to_string();
                        let decl = call.params_decl().unwrap_or("").to_string();
                        self.server.log_statement(self.spid, &self.login, "rpc", &text, &decl);
                        let params = call.bound_values();
                        match self.run_text(&text, &params, tk::TOKEN_DONEINPROC, cancel).await? {
                            Outcome::Cancelled => return Ok(Outcome::Cancelled),
                            Outcome::Done => {}
                        }
                        error = self.pending_done.is_some_and(|(_, st, _, _)| st & DONE_ERROR != 0);
                        if !error {
                            self.put(&tk::return_status(0)).await?;
                        }
                    }
                }
            } else {
                self.server.log_statement(self.spid, &self.login, "rpc", &call.proc_name, "");
                self.put_msg(&m::not_supported(&format!("the RPC procedure {}", call.proc_name)), 1).await?;
                error = true;
            }
            let st = if error { DONE_ERROR } else { 0 };
            // Release the statement's DONEINPROC (with MORE) before DONEPROC.
            if let Some((t, s, c, r)) = self.pending_done.take() {
                self.pw.put(&mut self.wr, &tk::done(t, s | DONE_MORE, c, r)).await?;
            }
            self.pending_done = Some((tk::TOKEN_DONEPROC, st, 0, 0));
        }
        self.finish_message().await?;
        Ok(Outcome::Done)
    }

    /// Run the statements of a batch (or of sp_executesql's @stmt). Statement DONEs use
    /// `done_token`; the last one stays held back in `pending_done`.
    async fn run_text(&mut self, text: &str, params: &[(String, SqlValue)], done_token: u8, cancel: &CancellationToken) -> Result<Outcome, SessionError> {
        let tokens = match tokenize(text) {
            Ok(t) => t,
            Err(e) => {
                let msg = match &e {
                    crate::sql::lexer::LexError::UnclosedQuote { text, .. } | crate::sql::lexer::LexError::UnclosedBracket { text, .. } => m::unclosed_quote(text),
                    other => SqlMessage::new(other.number(), 15, 1, other.to_string()),
                };
                self.put_msg(&msg, e.line()).await?;
                self.pending_done = Some((done_token, DONE_ERROR, 0, 0));
                return Ok(Outcome::Done);
            }
        };
        let stmts = split_statements(text, &tokens);
        if stmts.is_empty() {
            return Ok(Outcome::Done);
        }
        // Compile the whole batch first: a syntax error stops it before anything runs.
        let mut parsed = Vec::with_capacity(stmts.len());
        for s in &stmts {
            let line = s.tokens.first().map(|t| t.line).unwrap_or(1);
            match parse(s) {
                Ok(p) => parsed.push((p, s.text.to_string(), line)),
                Err(msg) => {
                    self.put_msg(&msg, line).await?;
                    self.pending_done = Some((done_token, DONE_ERROR, 0, 0));
                    return Ok(Outcome::Done);
                }
            }
        }
        for (stmt, stmt_text, line) in parsed {
            if cancel.is_cancelled() {
                return Ok(Outcome::Cancelled);
            }
            match &stmt {
                Stmt::SetOption { option, on } => {
                    if option == "NOCOUNT" {
                        self.nocount = *on;
                    }
                    self.put(&[]).await?;
                    self.pending_done = Some((done_token, 0, 0, 0));
                    continue;
                }
                Stmt::Use { database } => {
                    let found = self.server.lock().database(database).map(|d| (d.name.clone(), d.state_code()));
                    match found {
                        Some((name, 0)) => {
                            let old = std::mem::replace(&mut self.database, name.clone());
                            if let Some(s) = self.server.lock().sessions.get_mut(&self.spid) {
                                s.database = name.clone();
                            }
                            self.put(&tk::env_change_str(1, &name, &old)).await?;
                            self.put_msg(&m::changed_database(&name), line).await?;
                            self.pending_done = Some((done_token, 0, 0, 0));
                        }
                        Some((name, _)) => {
                            self.put_msg(&SqlMessage::new(927, 14, 2, format!("Database '{name}' cannot be opened. It is in the middle of a restore.")), line).await?;
                            self.pending_done = Some((done_token, DONE_ERROR, 0, 0));
                        }
                        None => {
                            self.put_msg(&m::no_such_database(database), line).await?;
                            self.pending_done = Some((done_token, DONE_ERROR, 0, 0));
                        }
                    }
                    continue;
                }
                _ => {}
            }
            let command = run::command_name(&stmt, &stmt_text);
            let _req = self.server.register_request(self.spid, &command);
            let curcmd = if matches!(stmt, Stmt::Select(_)) { CURCMD_SELECT } else { 0 };
            let (tx, mut rx) = mpsc::channel::<Event>(64);
            let ctx = ExecContext {
                session_id: self.spid,
                login: self.login.clone(),
                out: tx,
                cancel: cancel.clone(),
                server: self.server.clone(),
                is_sysadmin: self.is_sysadmin,
                is_backup_operator: self.is_backup_operator,
                database: self.database.clone(),
            };
            let mut st = StmtState { error: false, last_rows: None, explicit_done: false, curcmd, done_token, line };
            let result = {
                let fut = run::execute(&stmt, &stmt_text, &ctx, params);
                tokio::pin!(fut);
                loop {
                    tokio::select! {
                        biased;
                        Some(ev) = rx.recv() => {
                            self.write_event(ev, &mut st).await?;
                            if rx.is_empty() {
                                self.pw.flush_partial(&mut self.wr).await?;
                            }
                        }
                        r = &mut fut => break r,
                        // Output of earlier statements (or events written as the executor
                        // finished) must not wait behind a long statement.
                        _ = tokio::time::sleep(STREAM_FLUSH_AFTER), if self.pw.has_buffered() => {
                            self.pw.flush_partial(&mut self.wr).await?;
                        }
                    }
                }
            };
            drop(ctx);
            while let Ok(ev) = rx.try_recv() {
                self.write_event(ev, &mut st).await?;
            }
            match result {
                Ok(()) if cancel.is_cancelled() => return Ok(Outcome::Cancelled),
                Ok(()) => {}
                Err(ExecError::Cancelled) if cancel.is_cancelled() => return Ok(Outcome::Cancelled),
                Err(ExecError::Cancelled) => {
                    st.error = true;
                    self.put_msg(&SqlMessage::new(50000, 16, 1, "sqlsim: the statement stopped without a cancel request."), line).await?;
                    st.explicit_done = false;
                }
                Err(ExecError::Failed(msgs)) => {
                    for msg in &msgs {
                        self.put_msg(msg, line).await?;
                    }
                    st.error = true;
                    st.explicit_done = false;
                }
                Err(ExecError::DropConnection(reason)) => {
                    return Err(SessionError::Dropped(reason));
                }
            }
            if st.explicit_done {
                if st.error {
                    if let Some(p) = self.pending_done.as_mut() {
                        p.1 |= DONE_ERROR;
                    }
                }
            } else {
                let mut status = if st.error { DONE_ERROR } else { 0 };
                let rows = st.last_rows.unwrap_or(0);
                if st.last_rows.is_some() && !self.nocount {
                    status |= DONE_COUNT;
                }
                self.put(&[]).await?;
                self.pending_done = Some((done_token, status, st.curcmd, rows));
            }
        }
        Ok(Outcome::Done)
    }

    async fn write_event(&mut self, ev: Event, st: &mut StmtState) -> Result<(), SessionError> {
        match ev {
            Event::Info(msg) => {
                st.explicit_done = false;
                self.put_msg(&msg, st.line).await?;
            }
            Event::Error(msg) => {
                st.explicit_done = false;
                st.error = true;
                self.put_msg(&msg, st.line).await?;
            }
            Event::Rows(rs) => {
                st.explicit_done = false;
                let mut bytes = tk::col_metadata(&rs.columns);
                let mut bad = None;
                for r in &rs.rows {
                    match tk::row(&rs.columns, r) {
                        Ok(b) => bytes.extend(b),
                        Err(e) => {
                            bad = Some(e);
                            break;
                        }
                    }
                }
                self.put(&bytes).await?;
                if let Some(e) = bad {
                    st.error = true;
                    self.put_msg(&SqlMessage::new(50000, 16, 1, format!("sqlsim internal error: {e}")), st.line).await?;
                }
                st.last_rows = Some(rs.rows.len() as u64);
            }
            Event::StatementDone { rows } => {
                let mut status = if st.error { DONE_ERROR } else { 0 };
                if rows.is_some() && !self.nocount {
                    status |= DONE_COUNT;
                }
                self.put(&[]).await?;
                self.pending_done = Some((st.done_token, status, st.curcmd, rows.unwrap_or(0)));
                st.explicit_done = true;
                st.last_rows = None;
            }
        }
        Ok(())
    }
}

struct StmtState {
    error: bool,
    last_rows: Option<u64>,
    explicit_done: bool,
    curcmd: u16,
    done_token: u8,
    line: u32,
}
