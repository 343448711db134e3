//! The pool of logged-in connections that short calls reuse (issue 14): credential list /
//! create / remove, the server check, HEADERONLY / FILELISTONLY, the database list. BACKUP,
//! RESTORE, VERIFYONLY and the progress poll keep dedicated connections ([`crate::connect::connect_with`]).
//!
//! - **Key**: [`crate::connect::pool_key`] — server, login database, authentication (the secret
//!   by salted digest: never shared across credentials), TLS settings and CA contents, command
//!   timeout. `pooling: false` in the request, or integrated authentication, bypasses the pool.
//! - **Reset**: tiberius 0.13 cannot set the TDS RESETCONNECTION status bit (MS-TDS 2.2.3.1.2;
//!   tiberius issue #299), so the library instead changes no session state on pooled paths (no
//!   `USE`, `SET`, transactions, temporary tables, session trace flags) and checks each idle
//!   connection before reuse with [`crate::tsql::pool_session_check`]: no open transaction and
//!   the login database, or it is discarded. The check also finds dead sockets (killed sessions,
//!   restarted servers); the call then runs on another idle connection or a fresh one.
//! - **Broken connections**: a connection goes back only through [`Pooled::release`], which the
//!   calls use on success; on any error the [`Pooled`] is dropped and its socket closed.
//! - **Idle**: closed after [`idle_timeout`] (60 s) by a reaper task on the library's runtime
//!   and on every checkout / release; at most [`MAX_IDLE_PER_KEY`] idle connections per key.
//! - **Drain**: [`clear`] (`sqlurl_pool_clear`) closes every idle connection.

use crate::api::ConnectionRequest;
use crate::connect::pool_key::{pool_key, PoolKey};
use crate::connect::{close, open, parse_target, query_rows, validate, Client, ConnectOptions};
use crate::errors::Result;
use once_cell::sync::Lazy;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, Once};
use std::time::{Duration, Instant};

/// Idle connections are closed after this long unless [`set_idle_timeout`] changed it.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// At most this many idle connections are kept per key; more are closed on release.
pub const MAX_IDLE_PER_KEY: usize = 16;

static IDLE_TIMEOUT_MS: AtomicU64 = AtomicU64::new(DEFAULT_IDLE_TIMEOUT.as_millis() as u64);

struct Idle {
    client: Client,
    since: Instant,
}

static POOL: Lazy<Mutex<HashMap<PoolKey, Vec<Idle>>>> = Lazy::new(|| Mutex::new(HashMap::new()));
static REAPER: Once = Once::new();
/// Wakes the reaper when the idle timeout changes.
static TIMEOUT_CHANGED: Lazy<tokio::sync::Notify> = Lazy::new(tokio::sync::Notify::new);

fn lock() -> MutexGuard<'static, HashMap<PoolKey, Vec<Idle>>> {
    POOL.lock().unwrap_or_else(|p| p.into_inner())
}

/// How long an idle connection is kept.
pub fn idle_timeout() -> Duration {
    Duration::from_millis(IDLE_TIMEOUT_MS.load(Ordering::Relaxed))
}

/// Change the idle timeout (tests and benches; the product uses [`DEFAULT_IDLE_TIMEOUT`]).
pub fn set_idle_timeout(d: Duration) {
    IDLE_TIMEOUT_MS.store(d.as_millis().max(1) as u64, Ordering::Relaxed);
    TIMEOUT_CHANGED.notify_one();
}

/// Idle connections in the pool now (all keys).
pub fn idle_count() -> usize {
    lock().values().map(Vec::len).sum()
}

/// A connection checked out for one call. Dereferences to the tiberius [`Client`]. Give it back
/// with [`Pooled::release`] when the call succeeded; dropping it closes the connection.
pub struct Pooled {
    client: Option<Client>,
    key: Option<PoolKey>,
    reused: bool,
}

impl Pooled {
    /// Whether this connection came from the pool (rather than a fresh login).
    pub fn reused(&self) -> bool {
        self.reused
    }

    /// Return the connection to the pool (or close it, when the request opted out).
    pub async fn release(mut self) {
        let Some(client) = self.client.take() else { return };
        match self.key.take() {
            Some(key) => put_idle(key, client).await,
            None => close(client).await,
        }
    }

    /// End a call: `r` is the call's result. On success the connection goes back to the pool;
    /// on an error it is closed (it may be broken). Returns `r`.
    pub async fn finish<T>(self, r: Result<T>) -> Result<T> {
        if r.is_ok() {
            self.release().await;
        }
        r
    }
}

impl std::ops::Deref for Pooled {
    type Target = Client;
    fn deref(&self) -> &Client {
        self.client.as_ref().expect("a Pooled holds its client until released")
    }
}

impl std::ops::DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut Client {
        self.client.as_mut().expect("a Pooled holds its client until released")
    }
}

/// A logged-in connection for a short call: an idle pooled one that passes the session check,
/// else a fresh login (with the checks of [`crate::connect::connect`]).
pub async fn checkout(req: &ConnectionRequest) -> Result<Pooled> {
    let target = parse_target(&req.server)?;
    let ca = validate(req).await?;
    let key = pool_key(req, &target, ca.as_deref());
    if let Some(k) = &key {
        start_reaper();
        if let Some(client) = reuse(k, req).await {
            return Ok(Pooled { client: Some(client), key, reused: true });
        }
    }
    let client = open(req, &target, ConnectOptions::default(), ca).await?;
    Ok(Pooled { client: Some(client), key, reused: false })
}

/// The newest idle connection of `key` whose session is clean; unclean or dead ones are closed.
async fn reuse(key: &PoolKey, req: &ConnectionRequest) -> Option<Client> {
    for _ in 0..=MAX_IDLE_PER_KEY {
        let mut client = take_idle(key).await?;
        if session_is_clean(&mut client, req).await {
            return Some(client);
        }
        // Dead socket or changed session: dropping closes it.
    }
    None
}

/// Pops the newest idle connection of `key`; expired ones are closed on the way.
async fn take_idle(key: &PoolKey) -> Option<Client> {
    let timeout = idle_timeout();
    let (got, expired) = {
        let mut g = lock();
        let list = g.get_mut(key)?;
        let got = list.pop().filter(|i| i.since.elapsed() < timeout);
        // The list is in release order: when the newest has expired, so have all the others.
        let expired = if got.is_none() { std::mem::take(list) } else { Vec::new() };
        if list.is_empty() {
            g.remove(key);
        }
        (got, expired)
    };
    close_all(expired).await;
    got.map(|i| i.client)
}

/// The session check: one row, no open transaction, still in the login database.
async fn session_is_clean(client: &mut Client, req: &ConnectionRequest) -> bool {
    let limit = Duration::from_secs(req.connect_timeout_s.max(1) as u64);
    let sql = crate::tsql::pool_session_check();
    let rows = match tokio::time::timeout(limit, query_rows(client, &sql)).await {
        Ok(Ok(rows)) => rows,
        _ => return false,
    };
    let want = req.database.as_deref().unwrap_or("master");
    match rows.as_slice() {
        [row] => {
            crate::connect::rows::cell_i64(row, "trancount") == Some(0)
                && crate::connect::rows::cell_string(row, "db").is_some_and(|d| d.eq_ignore_ascii_case(want))
        }
        _ => false,
    }
}

async fn put_idle(key: PoolKey, client: Client) {
    let timeout = idle_timeout();
    let mut closing = Vec::new();
    {
        let mut g = lock();
        let list = g.entry(key).or_default();
        closing.extend(take_expired(list, timeout));
        if list.len() < MAX_IDLE_PER_KEY {
            list.push(Idle { client, since: Instant::now() });
        } else {
            closing.push(Idle { client, since: Instant::now() });
        }
    }
    close_all(closing).await;
}

/// Removes from `list` the connections idle for `timeout` or longer and returns them (to close).
fn take_expired(list: &mut Vec<Idle>, timeout: Duration) -> Vec<Idle> {
    let (keep, expired): (Vec<Idle>, Vec<Idle>) = std::mem::take(list).into_iter().partition(|i| i.since.elapsed() < timeout);
    *list = keep;
    expired
}

async fn close_all(idle: Vec<Idle>) {
    futures_util::future::join_all(idle.into_iter().map(|i| close(i.client))).await;
}

/// Close the idle connections older than [`idle_timeout`]; returns how many.
pub async fn reap() -> usize {
    let timeout = idle_timeout();
    let old: Vec<Idle> = {
        let mut g = lock();
        let mut old = Vec::new();
        for list in g.values_mut() {
            old.extend(take_expired(list, timeout));
        }
        g.retain(|_, l| !l.is_empty());
        old
    };
    let n = old.len();
    close_all(old).await;
    n
}

/// Close every idle connection (connections checked out now are not affected and return to the
/// pool when their calls end); returns how many were closed.
pub async fn clear() -> usize {
    let all: Vec<Idle> = lock().drain().flat_map(|(_, l)| l).collect();
    let n = all.len();
    close_all(all).await;
    n
}

/// The reaper: one task on the library's runtime, waking every quarter of the idle timeout
/// (at most every 15 s), so idle connections close although no further call comes.
fn start_reaper() {
    REAPER.call_once(|| {
        crate::runtime::runtime().spawn(async {
            loop {
                let period = (idle_timeout() / 4).clamp(Duration::from_millis(20), Duration::from_secs(15));
                tokio::select! {
                    _ = tokio::time::sleep(period) => { reap().await; }
                    _ = TIMEOUT_CHANGED.notified() => {}
                }
            }
        });
    });
}
