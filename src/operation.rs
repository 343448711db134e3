//! Long-running operations (backup, restore): started, polled, waited on, cancelled.
//!
//! An [`Operation`] owns a status behind a mutex (read by `poll`, waited on through a condition
//! variable by `wait`) and a cancellation token. The work runs as one task on the shared runtime;
//! it runs one sub-task per database ("item"), at most `throttle` at once (a tokio semaphore).
//!
//! State machine: `pending` → `running` → one of `succeeded`, `failed`, `cancelled`. The final
//! state is `cancelled` when the caller cancelled and at least one item stopped because of it,
//! `failed` when any item failed, `succeeded` otherwise. Items follow the same states.
//! Dropping an [`Operation`] cancels it (the task then stops the server side and ends by itself).

use std::future::Future;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use futures_util::FutureExt;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

/// The state of an operation or one of its items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Pending,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

impl State {
    pub fn is_final(self) -> bool {
        matches!(self, State::Succeeded | State::Failed | State::Cancelled)
    }
}

/// What kind of operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpKind {
    Backup,
    Restore,
    /// The restore drill: restore the newest chain under a scratch name, check it, drop it.
    Drill,
}

/// Where progress figures come from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgressSource {
    /// `sys.dm_exec_requests.percent_complete` of the statement's session.
    DmExecRequests,
    /// No percent available (no permission to see the view, or not yet): elapsed time only.
    #[default]
    ElapsedOnly,
}

/// One database of the operation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound(deserialize = "R: Deserialize<'de>"))]
pub struct ItemStatus<R = crate::api::ItemResult> {
    pub database: String,
    pub state: State,
    pub percent_complete: Option<f64>,
    pub estimated_seconds_left: Option<f64>,
    #[serde(default)]
    pub progress_source: ProgressSource,
    #[serde(skip)]
    pub started: Option<Instant>,
    /// (step, steps) of a multi-statement item (a restore sequence): the server's percentage of
    /// the running statement maps onto this step's share of the item.
    #[serde(skip, default = "one_phase")]
    pub phase: (usize, usize),
    /// This item's BackupResult / RestoreResult as soon as the item is final (so a caller can
    /// stream results while other items still run); absent before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<R>,
}

fn one_phase() -> (usize, usize) {
    (0, 1)
}

/// `OperationStatus` of the JSON contract.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound(deserialize = "R: Deserialize<'de>"))]
pub struct OperationStatus<R = crate::api::ItemResult> {
    pub kind: OpKind,
    pub state: State,
    pub percent_complete: Option<f64>,
    pub estimated_seconds_left: Option<f64>,
    pub elapsed_seconds: f64,
    pub progress_source: ProgressSource,
    pub items: Vec<ItemStatus<R>>,
    pub messages: Vec<String>,
    /// One entry per item once the operation is final (BackupResult / RestoreResult).
    pub results: Option<Vec<R>>,
}

struct Status<R> {
    kind: OpKind,
    state: State,
    started: Instant,
    finished: Option<Instant>,
    items: Vec<ItemStatus<R>>,
    messages: Vec<String>,
    results: Option<Vec<R>>,
    cancel_requested: bool,
}

struct Inner<R> {
    status: Mutex<Status<R>>,
    changed: Condvar,
    cancel: CancellationToken,
}

impl<R> Inner<R> {
    fn lock(&self) -> MutexGuard<'_, Status<R>> {
        // A panic while holding the lock must not make the handle unusable: take the data.
        self.status.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// What one item's work reports back.
#[derive(Debug, Clone)]
pub struct ItemOutcome<R = crate::api::ItemResult> {
    pub state: State,
    /// BackupResult / RestoreResult (with `error` set when it failed).
    pub result: R,
}

impl<R: Clone> ItemOutcome<R> {
    /// A finished item and its result.
    pub fn succeeded(result: &R) -> Self {
        ItemOutcome { state: State::Succeeded, result: result.clone() }
    }
    /// An item that stopped with `e`: `Cancelled` for a cancel, else `Failed`. `result` should
    /// already carry the error.
    pub fn stopped(e: &crate::errors::Error, result: &R) -> Self {
        let state = if matches!(e, crate::errors::Error::Cancelled) { State::Cancelled } else { State::Failed };
        ItemOutcome { state, result: result.clone() }
    }
}

/// The view of an operation that its work gets: report progress and messages, see cancel.
pub struct Reporter<R = crate::api::ItemResult> {
    inner: Arc<Inner<R>>,
    index: usize,
}

impl<R> Clone for Reporter<R> {
    fn clone(&self) -> Self {
        Reporter { inner: self.inner.clone(), index: self.index }
    }
}

impl<R> Reporter<R> {
    /// The item this reporter belongs to (its index in the operation's items).
    pub fn index(&self) -> usize {
        self.index
    }
    pub fn database(&self) -> String {
        self.inner.lock().items[self.index].database.clone()
    }
    /// Renames the item (a restore learns its target name from the backup header).
    pub fn set_database(&self, name: &str) {
        self.inner.lock().items[self.index].database = name.to_string();
    }
    /// The operation's cancellation token (cancelled by `cancel` or drop).
    pub fn cancel_token(&self) -> CancellationToken {
        self.inner.cancel.clone()
    }
    pub fn is_cancelled(&self) -> bool {
        self.inner.cancel.is_cancelled()
    }
    pub fn set_state(&self, state: State) {
        let mut s = self.inner.lock();
        let it = &mut s.items[self.index];
        if state == State::Running && it.started.is_none() {
            it.started = Some(Instant::now());
        }
        it.state = state;
        if state == State::Succeeded {
            it.percent_complete = Some(100.0);
            it.estimated_seconds_left = Some(0.0);
        }
        drop(s);
        self.inner.changed.notify_all();
    }
    /// A progress sample from `sys.dm_exec_requests`. Percent never goes backwards.
    pub fn set_progress(&self, percent: f64, eta_seconds: Option<f64>) {
        let mut s = self.inner.lock();
        let it = &mut s.items[self.index];
        if it.state.is_final() {
            return;
        }
        let (step, steps) = it.phase;
        let p = (step as f64 + percent.clamp(0.0, 100.0) / 100.0) / steps.max(1) as f64 * 100.0;
        let p = p.clamp(0.0, 100.0);
        it.percent_complete = Some(it.percent_complete.map_or(p, |old| old.max(p)));
        it.estimated_seconds_left = eta_seconds;
        it.progress_source = ProgressSource::DmExecRequests;
    }
    /// A multi-statement item is now at `step` (0-based) of `steps`.
    pub fn set_phase(&self, step: usize, steps: usize) {
        self.inner.lock().items[self.index].phase = (step.min(steps), steps.max(1));
    }
    /// Appends a message (shown by poll).
    pub fn message(&self, m: impl Into<String>) {
        let db = self.database();
        self.inner.lock().messages.push(format!("{db}: {}", m.into()));
    }
}

/// What an item reports when it ends: the operation's result type (BackupResult /
/// RestoreResult, see [`crate::api::ItemResult`]). The operation itself makes one only for an
/// item that never ran its work or whose work panicked.
pub trait ItemReport: Serialize + Clone + Send + Sync + 'static {
    /// The result of an item that stopped outside its work: `message` (if any) and `error`.
    fn stopped(database: &str, message: Option<&str>, error: &crate::errors::Error) -> Self;
}

/// Untyped results (the operation's unit tests use them).
impl ItemReport for serde_json::Value {
    fn stopped(database: &str, message: Option<&str>, error: &crate::errors::Error) -> Self {
        let mut v = serde_json::json!({"database": database, "error": error.to_json()});
        if let Some(m) = message {
            v["message"] = m.into();
        }
        v
    }
}

/// An operation handle. Cheap to share behind `&`; `poll`, `wait` and `cancel` take `&self`.
pub struct Operation<R: ItemReport = crate::api::ItemResult> {
    inner: Arc<Inner<R>>,
}

fn pending_item<R>(database: &str) -> ItemStatus<R> {
    ItemStatus {
        database: database.to_string(),
        state: State::Pending,
        percent_complete: None,
        estimated_seconds_left: None,
        progress_source: ProgressSource::ElapsedOnly,
        started: None,
        phase: (0, 1),
        result: None,
    }
}

/// One item: waits for a throttle slot (or a cancel), runs `work`, catches its panic.
async fn run_item<R, F, Fut>(rep: Reporter<R>, sem: Arc<tokio::sync::Semaphore>, work: Arc<F>) -> ItemOutcome<R>
where
    R: ItemReport,
    F: Fn(Reporter<R>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ItemOutcome<R>> + Send + 'static,
{
    let permit = tokio::select! {
        biased;
        _ = rep.inner.cancel.cancelled() => None,
        p = sem.acquire_owned() => p.ok(),
    };
    // cancelled while waiting for the throttle: never start
    let Some(permit) = permit.filter(|_| !rep.inner.cancel.is_cancelled()) else {
        let e = crate::errors::Error::Cancelled;
        return ItemOutcome { state: State::Cancelled, result: R::stopped(&rep.database(), Some("cancelled before it started"), &e) };
    };
    rep.set_state(State::Running);
    let o = match std::panic::AssertUnwindSafe(work(rep.clone())).catch_unwind().await {
        Ok(o) => o,
        Err(p) => ItemOutcome { state: State::Failed, result: panic_result(&rep.database(), p) },
    };
    // final before the throttle slot goes to the next item, so a poll never shows more than
    // `throttle` items running
    rep.set_state(o.state);
    drop(permit);
    o
}

/// Records one finished item.
fn record<R: ItemReport>(inner: &Inner<R>, index: usize, outcome: &ItemOutcome<R>) {
    let mut s = inner.lock();
    s.items[index].state = outcome.state;
    s.items[index].result = Some(outcome.result.clone());
    if outcome.state == State::Succeeded {
        s.items[index].percent_complete = Some(100.0);
        s.items[index].estimated_seconds_left = Some(0.0);
    }
}

/// The final state from the items' results (a missing result is an aborted task).
fn finish<R: ItemReport>(inner: &Inner<R>, results: Vec<Option<R>>) {
    let mut s = inner.lock();
    let mut any_failed = false;
    let mut any_cancelled = false;
    let mut done = Vec::with_capacity(results.len());
    for (i, r) in results.into_iter().enumerate() {
        let r = r.unwrap_or_else(|| {
            s.items[i].state = State::Failed;
            panic_result(&s.items[i].database, Box::new("task aborted"))
        });
        match s.items[i].state {
            State::Failed => any_failed = true,
            State::Cancelled => any_cancelled = true,
            _ => {}
        }
        done.push(r);
    }
    s.state = if any_cancelled && s.cancel_requested {
        State::Cancelled
    } else if any_failed || any_cancelled {
        State::Failed
    } else {
        State::Succeeded
    };
    s.results = Some(done);
    s.finished = Some(Instant::now());
    drop(s);
    inner.changed.notify_all();
}

/// The task that runs every item (at most `throttle` at once) and then finishes the operation.
async fn drive<R, F, Fut>(inner: Arc<Inner<R>>, throttle: usize, work: Arc<F>)
where
    R: ItemReport,
    F: Fn(Reporter<R>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ItemOutcome<R>> + Send + 'static,
{
    let n = {
        let mut s = inner.lock();
        s.state = State::Running;
        s.items.len()
    };
    inner.changed.notify_all();
    let sem = Arc::new(tokio::sync::Semaphore::new(throttle.max(1)));
    let mut set = tokio::task::JoinSet::new();
    for index in 0..n {
        let rep = Reporter { inner: inner.clone(), index };
        let (sem, work) = (sem.clone(), work.clone());
        set.spawn(async move { (index, run_item(rep, sem, work).await) });
    }
    let mut results: Vec<Option<R>> = vec![None; n];
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok((index, outcome)) => {
                record(&inner, index, &outcome);
                results[index] = Some(outcome.result);
                inner.changed.notify_all();
            }
            Err(e) => {
                // join errors cannot name their index; the slot stays None and is filled below
                inner.lock().messages.push(format!("internal error: a task ended abnormally: {e}"));
            }
        }
    }
    finish(&inner, results);
}

impl<R: ItemReport> Operation<R> {
    /// Starts an operation over `databases`: `work(reporter)` runs for each, at most `throttle`
    /// at once, on the shared runtime. `work` must return an [`ItemOutcome`]; a panic inside it is
    /// caught and reported as an internal error of that item.
    pub fn start<F, Fut>(kind: OpKind, databases: Vec<String>, throttle: usize, work: F) -> Operation<R>
    where
        F: Fn(Reporter<R>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ItemOutcome<R>> + Send + 'static,
    {
        let inner = Arc::new(Inner {
            status: Mutex::new(Status {
                kind,
                state: State::Pending,
                started: Instant::now(),
                finished: None,
                items: databases.iter().map(|d| pending_item(d)).collect(),
                messages: vec![],
                results: None,
                cancel_requested: false,
            }),
            changed: Condvar::new(),
            cancel: CancellationToken::new(),
        });
        crate::runtime::runtime().spawn(drive(inner.clone(), throttle, Arc::new(work)));
        Operation { inner }
    }

    /// A snapshot of the status; never blocks for longer than the status lock.
    pub fn poll(&self) -> OperationStatus<R> {
        snapshot(&self.inner.lock())
    }

    /// Waits until the operation is final or `timeout` passed; returns the snapshot and whether
    /// it is final.
    pub fn wait(&self, timeout: Duration) -> (OperationStatus<R>, bool) {
        let deadline = Instant::now() + timeout;
        let mut s = self.inner.lock();
        loop {
            if s.state.is_final() {
                return (snapshot(&s), true);
            }
            let now = Instant::now();
            if now >= deadline {
                return (snapshot(&s), false);
            }
            let (g, _) = self.inner.changed.wait_timeout(s, deadline - now).unwrap_or_else(|p| p.into_inner());
            s = g;
        }
    }

    /// Asks every item to stop (the server gets ATTENTION); returns at once.
    pub fn cancel(&self) {
        {
            let mut s = self.inner.lock();
            if !s.state.is_final() {
                s.cancel_requested = true;
            }
        }
        self.inner.cancel.cancel();
    }

    pub fn is_final(&self) -> bool {
        self.inner.lock().state.is_final()
    }
}

impl<R: ItemReport> Drop for Operation<R> {
    fn drop(&mut self) {
        self.cancel();
    }
}

fn snapshot<R: Clone>(s: &Status<R>) -> OperationStatus<R> {
    let elapsed = s.finished.unwrap_or_else(Instant::now).duration_since(s.started).as_secs_f64();
    // overall percent: finished items count as done, pending ones as not started; unknown
    // (None) while no item has reported a percentage and none has finished (elapsed-only)
    let n = s.items.len().max(1) as f64;
    let any_known = s.items.iter().any(|i| i.percent_complete.is_some() || i.state.is_final());
    let percent = if any_known {
        let sum: f64 = s
            .items
            .iter()
            .map(|i| if i.state.is_final() { 100.0 } else { i.percent_complete.unwrap_or(0.0) })
            .sum();
        Some(((sum / n) * 10.0).round() / 10.0)
    } else {
        None
    };
    let eta = s
        .items
        .iter()
        .filter(|i| i.state == State::Running)
        .filter_map(|i| i.estimated_seconds_left)
        .fold(None, |acc: Option<f64>, v| Some(acc.map_or(v, |a| a.max(v))));
    let source = if s.items.iter().any(|i| i.progress_source == ProgressSource::DmExecRequests) {
        ProgressSource::DmExecRequests
    } else {
        ProgressSource::ElapsedOnly
    };
    OperationStatus {
        kind: s.kind,
        state: s.state,
        percent_complete: percent,
        estimated_seconds_left: if s.state.is_final() { None } else { eta },
        elapsed_seconds: (elapsed * 10.0).round() / 10.0,
        progress_source: source,
        items: s.items.clone(),
        messages: s.messages.clone(),
        results: s.results.clone(),
    }
}

fn panic_result<R: ItemReport>(db: &str, p: Box<dyn std::any::Any + Send>) -> R {
    let e = crate::errors::Error::Internal(format!("the operation panicked: {}", crate::errors::panic_message(p.as_ref())));
    R::stopped(db, None, &e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(db: &str) -> ItemOutcome<serde_json::Value> {
        ItemOutcome { state: State::Succeeded, result: serde_json::json!({"database": db}) }
    }

    #[test]
    fn item_outcomes_from_results_and_errors() {
        let r = serde_json::json!({"database": "a"});
        let o = ItemOutcome::succeeded(&r);
        assert_eq!((o.state, o.result), (State::Succeeded, r.clone()));
        let o = ItemOutcome::stopped(&crate::errors::Error::Cancelled, &r);
        assert_eq!(o.state, State::Cancelled);
        let o = ItemOutcome::stopped(&crate::errors::Error::invalid("x"), &r);
        assert_eq!((o.state, o.result), (State::Failed, r));
    }

    #[test]
    fn runs_all_items_and_reports_results_in_order() {
        let op = Operation::start(OpKind::Backup, vec!["a".into(), "b".into(), "c".into()], 2, |r: Reporter<serde_json::Value>| async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            r.set_progress(50.0, Some(1.0));
            ok(&r.database())
        });
        let (st, done) = op.wait(Duration::from_secs(20));
        assert!(done);
        assert_eq!(st.state, State::Succeeded);
        let res = st.results.unwrap();
        assert_eq!(res.iter().map(|r| r["database"].as_str().unwrap()).collect::<Vec<_>>(), vec!["a", "b", "c"]);
        assert_eq!(st.percent_complete, Some(100.0));
    }

    #[test]
    fn throttle_limits_concurrency() {
        let running = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let peak = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (r2, p2) = (running.clone(), peak.clone());
        let dbs: Vec<String> = (0..12).map(|i| format!("db{i}")).collect();
        let op = Operation::start(OpKind::Backup, dbs, 3, move |r: Reporter<serde_json::Value>| {
            let (running, peak) = (r2.clone(), p2.clone());
            async move {
                let now = running.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                peak.fetch_max(now, std::sync::atomic::Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(30)).await;
                running.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
                ok(&r.database())
            }
        });
        let (st, done) = op.wait(Duration::from_secs(30));
        assert!(done);
        assert_eq!(st.state, State::Succeeded);
        assert_eq!(peak.load(std::sync::atomic::Ordering::SeqCst), 3);
    }

    #[test]
    fn cancel_and_drop_stop_the_work() {
        let op = Operation::start(OpKind::Backup, vec!["a".into(), "b".into()], 1, |r: Reporter<serde_json::Value>| async move {
            let t = r.cancel_token();
            tokio::select! {
                _ = t.cancelled() => ItemOutcome { state: State::Cancelled, result: serde_json::json!({"database": r.database()}) },
                _ = tokio::time::sleep(Duration::from_secs(60)) => ok(&r.database()),
            }
        });
        let (st, done) = op.wait(Duration::from_millis(50));
        assert!(!done);
        assert_eq!(st.state, State::Running);
        op.cancel();
        let (st, done) = op.wait(Duration::from_secs(20));
        assert!(done);
        assert_eq!(st.state, State::Cancelled);
        assert!(st.items.iter().all(|i| i.state == State::Cancelled));
        // the item that never started says so
        assert!(st.results.unwrap().iter().any(|r| r["error"]["kind"] == "Cancelled"));

        // dropping a running operation cancels it
        let flag = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let f2 = flag.clone();
        let op = Operation::start(OpKind::Restore, vec!["x".into()], 1, move |r: Reporter<serde_json::Value>| {
            let f = f2.clone();
            async move {
                r.cancel_token().cancelled().await;
                f.store(true, std::sync::atomic::Ordering::SeqCst);
                ItemOutcome { state: State::Cancelled, result: serde_json::Value::Null }
            }
        });
        std::thread::sleep(Duration::from_millis(30));
        drop(op);
        let deadline = Instant::now() + Duration::from_secs(20);
        while !flag.load(std::sync::atomic::Ordering::SeqCst) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(flag.load(std::sync::atomic::Ordering::SeqCst));
    }

    #[test]
    fn a_failed_item_fails_the_operation_and_a_panic_is_caught() {
        let op = Operation::start(OpKind::Backup, vec!["ok".into(), "boom".into(), "bad".into()], 3, |r: Reporter<serde_json::Value>| async move {
            match r.database().as_str() {
                "boom" => panic!("kaboom"),
                "bad" => ItemOutcome { state: State::Failed, result: serde_json::json!({"database": "bad", "error": {"kind": "SqlError"}}) },
                d => ok(d),
            }
        });
        let (st, done) = op.wait(Duration::from_secs(20));
        assert!(done);
        assert_eq!(st.state, State::Failed);
        let res = st.results.unwrap();
        assert_eq!(res[0]["database"], "ok");
        assert_eq!(res[1]["error"]["kind"], "Internal");
        assert!(res[1]["error"]["message"].as_str().unwrap().contains("kaboom"));
        assert_eq!(res[2]["error"]["kind"], "SqlError");
    }

    #[test]
    fn progress_never_goes_backwards_and_poll_reports_it() {
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let rx = Arc::new(Mutex::new(rx));
        let op = Operation::start(OpKind::Backup, vec!["a".into()], 1, move |r: Reporter<serde_json::Value>| {
            let rx = rx.clone();
            async move {
                r.set_progress(40.0, Some(3.0));
                r.set_progress(30.0, Some(2.0));
                // wait for the test to look
                tokio::task::spawn_blocking(move || rx.lock().unwrap().recv_timeout(Duration::from_secs(20))).await.ok();
                ok(&r.database())
            }
        });
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut seen = None;
        while Instant::now() < deadline {
            let st = op.poll();
            if st.items[0].percent_complete.is_some() {
                seen = Some(st);
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let st = seen.expect("progress seen");
        assert_eq!(st.progress_source, ProgressSource::DmExecRequests);
        tx.send(()).unwrap();
        let (st2, _) = op.wait(Duration::from_secs(20));
        assert_eq!(st2.state, State::Succeeded);
        assert!(st.items[0].percent_complete.unwrap() >= 30.0);
    }
}

#[cfg(test)]
mod percent_tests {
    use super::*;

    fn item(state: State, p: Option<f64>) -> ItemStatus<serde_json::Value> {
        ItemStatus { database: "d".into(), state, percent_complete: p, estimated_seconds_left: None, progress_source: ProgressSource::ElapsedOnly, started: None, phase: (0, 1), result: None }
    }

    fn status(items: Vec<ItemStatus<serde_json::Value>>) -> Status<serde_json::Value> {
        Status { kind: OpKind::Backup, state: State::Running, started: Instant::now(), finished: None, items, messages: vec![], results: None, cancel_requested: false }
    }

    #[test]
    fn overall_percent_counts_finished_as_done_and_pending_as_zero() {
        let s = status(vec![item(State::Succeeded, Some(100.0)), item(State::Running, Some(50.0)), item(State::Pending, None), item(State::Pending, None)]);
        assert_eq!(snapshot(&s).percent_complete, Some(37.5));
        let s = status(vec![item(State::Running, None), item(State::Pending, None)]);
        assert_eq!(snapshot(&s).percent_complete, None);
    }

    #[test]
    fn phases_map_a_statement_percentage_onto_the_item() {
        let op = Operation::start(OpKind::Restore, vec!["r".into()], 1, |r: Reporter<serde_json::Value>| async move {
            r.set_phase(1, 4);
            r.set_progress(50.0, None);
            let p = r.inner.lock().items[0].percent_complete;
            ItemOutcome { state: State::Succeeded, result: serde_json::json!({ "p": p }) }
        });
        let (st, _) = op.wait(Duration::from_secs(20));
        assert_eq!(st.results.unwrap()[0]["p"], 37.5);
    }
}
