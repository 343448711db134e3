//! Progress and cancel latency of an operation (issue 14), through the C ABI.
//!
//! `cargo run --example op_latency [-- BACKUPS CANCELS]` — prints figures, asserts nothing.
//!
//! The simulator runs in this process, so its state is observable directly: a sampler thread
//! reads `sys.dm_exec_requests`' backing row (`ServerState::requests`) every millisecond and
//! records when the server's `percent_complete` changed. The caller side polls
//! `sqlurl_operation_poll` every 5 ms and records when the item's percentage changed.
//! * progress latency: for each whole percent the server crossed, the time from the crossing to
//!   the first poll result at or above it (also printed: the age of each value the poll showed,
//!   from the moment the server first held it);
//! * cancel latency: from `sqlurl_operation_cancel` returning to the first poll that shows the
//!   operation final (cancelled), and to the server's request row going away.
#![cfg_attr(windows, allow(dead_code))]

#[cfg(not(windows))]
#[path = "../../tests/sqlsim/tests/backup_support/mod.rs"]
mod backup_support;
#[cfg(not(windows))]
#[path = "../../tests/common/mod.rs"]
mod common;

#[cfg(windows)]
fn main() {
    eprintln!("op_latency runs the simulator in-process: Linux only");
}

#[cfg(not(windows))]
fn main() {
    bench::main();
}

#[cfg(not(windows))]
mod bench {
    use std::ffi::{c_char, CStr, CString};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    use serde_json::{json, Value};
    use sqlurl::ffi::operation::{sqlurl_backup_start, sqlurl_operation_cancel, sqlurl_operation_free, sqlurl_operation_poll, SqlurlOperation};
    use sqlurl::ffi::{sqlurl_string_free, SqlurlResult};

    use super::backup_support::{container_name, db, scenario, Blobs, ACCOUNT_URL};

    /// Server-side samples: (when, percent) each time the stored value changed; `None` = no row.
    type Samples = Arc<Mutex<Vec<ServerSample>>>;
    type ServerSample = (Instant, Option<f64>);
    /// What a poll showed: (when, the item's percent).
    type Seen = (Instant, f64);

    struct Sampler {
        samples: Samples,
        stop: Arc<AtomicBool>,
        thread: Option<std::thread::JoinHandle<()>>,
    }

    impl Sampler {
        fn start(state: Arc<sqlsim::state::ServerState>) -> Sampler {
            let samples: Samples = Arc::default();
            let stop = Arc::new(AtomicBool::new(false));
            let (s2, st2) = (samples.clone(), stop.clone());
            let thread = std::thread::spawn(move || {
                let mut last: Option<Option<f64>> = None;
                while !st2.load(Ordering::Relaxed) {
                    let now = state.requests().iter().find(|r| r.command.starts_with("BACKUP")).map(|r| r.percent_complete as f64);
                    if last != Some(now) {
                        s2.lock().unwrap().push((Instant::now(), now));
                        last = Some(now);
                    }
                    std::thread::sleep(Duration::from_millis(1));
                }
            });
            Sampler { samples, stop, thread: Some(thread) }
        }

        fn finish(mut self) -> Vec<ServerSample> {
            self.stop.store(true, Ordering::Relaxed);
            if let Some(t) = self.thread.take() {
                let _ = t.join();
            }
            std::mem::take(&mut *self.samples.lock().unwrap())
        }
    }

    struct Op(*mut SqlurlOperation);

    impl Op {
        fn start(req: &Value) -> Op {
            let req = CString::new(req.to_string()).unwrap();
            let (mut op, mut out): (*mut SqlurlOperation, *mut c_char) = (std::ptr::null_mut(), std::ptr::null_mut());
            // SAFETY: a live C string and two writable locals; the returned string is freed below.
            let rc = unsafe { sqlurl_backup_start(req.as_ptr(), &mut op, &mut out) };
            let text = take(out);
            assert_eq!(rc, SqlurlResult::SQLURL_OK, "sqlurl_backup_start: {text}");
            Op(op)
        }

        fn poll(&self) -> Value {
            let mut out: *mut c_char = std::ptr::null_mut();
            // SAFETY: the handle is live until Drop; `out` is a writable local.
            let rc = unsafe { sqlurl_operation_poll(self.0, &mut out) };
            let text = take(out);
            assert_eq!(rc, SqlurlResult::SQLURL_OK, "sqlurl_operation_poll: {text}");
            serde_json::from_str(&text).unwrap()
        }

        fn cancel(&self) {
            // SAFETY: the handle is live until Drop.
            assert_eq!(unsafe { sqlurl_operation_cancel(self.0) }, SqlurlResult::SQLURL_OK);
        }
    }

    impl Drop for Op {
        fn drop(&mut self) {
            // SAFETY: the handle came from sqlurl_backup_start and is freed once.
            unsafe { sqlurl_operation_free(self.0) };
        }
    }

    /// Copies and frees a string the library returned.
    fn take(p: *mut c_char) -> String {
        if p.is_null() {
            return String::new();
        }
        // SAFETY: a NUL-terminated string from the library, freed exactly once here.
        let s = unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned();
        // SAFETY: as above.
        unsafe { sqlurl_string_free(p) };
        s
    }

    fn is_final(state: &str) -> bool {
        matches!(state, "succeeded" | "failed" | "cancelled" | "partially_succeeded")
    }

    struct Env {
        server: sqlsim::SimHandle,
        container: String,
        _rt: tokio::runtime::Runtime,
    }

    impl Env {
        fn start() -> Env {
            super::common::azurite::ensure_azurite();
            let container = container_name("latency");
            tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(Blobs::new().create_container(&container));
            // 400 MB at 40 MB/s: 10 s per backup (progress); 4000 MB: 100 s (cancel, never reached)
            let mut sc = scenario(&container, "Contributor", vec![db("Timed", "FULL", 400), db("Long", "FULL", 4000)]);
            sc.throughput_mb_per_s = 40.0;
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            let server = rt.block_on(sqlsim::start(sc)).expect("start sqlsim");
            Env { server, container, _rt: rt }
        }

        fn request(&self, database: &str, n: usize) -> Value {
            json!({
                "connection": {"server": format!("127.0.0.1,{}", self.server.port()), "auth": {"kind": "sql", "user": "sa", "password": "Sim-Passw0rd!"},
                    "ca_file": self.server.ca_pem_path.to_string_lossy(), "connect_timeout_s": 15},
                "databases": [database], "container_url": format!("{ACCOUNT_URL}/{}", self.container),
                "file_name_template": format!("{{database}}_{n}.bak"), "overwrite": true
            })
        }
    }

    /// One timed backup: (client observations, server samples).
    fn observe_progress(env: &Env, n: usize) -> (Vec<Seen>, Vec<ServerSample>) {
        let sampler = Sampler::start(env.server.state.clone());
        let op = Op::start(&env.request("Timed", n));
        let mut seen: Vec<Seen> = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(120);
        while Instant::now() < deadline {
            let st = op.poll();
            let at = Instant::now();
            if is_final(st["state"].as_str().unwrap_or("")) {
                assert_eq!(st["state"], "succeeded", "{st:#}");
                break;
            }
            if let Some(p) = st["items"][0]["percent_complete"].as_f64() {
                if seen.last().map(|l| l.1) != Some(p) {
                    seen.push((at, p));
                }
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        (seen, sampler.finish())
    }

    /// Age of each value the poll showed: from the first server sample at or above it.
    fn value_ages(seen: &[Seen], server: &[ServerSample]) -> Vec<f64> {
        seen.iter()
            .filter_map(|(at, p)| {
                let first = server.iter().find(|(_, sp)| sp.is_some_and(|sp| sp >= p - 1e-3))?;
                Some(at.saturating_duration_since(first.0).as_secs_f64())
            })
            .collect()
    }

    /// For each whole percent the server crossed (1..=99): from the crossing to the first poll
    /// result at or above it (how stale the caller's view of the server's progress gets).
    fn crossing_latencies(seen: &[Seen], server: &[ServerSample]) -> Vec<f64> {
        (1..100)
            .filter_map(|k| {
                let k = k as f64;
                let crossed = server.iter().find(|(_, sp)| sp.is_some_and(|sp| sp >= k))?.0;
                let shown = seen.iter().find(|(_, p)| *p >= k)?.0;
                Some(shown.saturating_duration_since(crossed).as_secs_f64())
            })
            .collect()
    }

    /// One cancel: (cancel → poll shows final, cancel → server row gone, final state).
    fn observe_cancel(env: &Env, n: usize) -> (f64, Option<f64>, String) {
        let op = Op::start(&env.request("Long", n));
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline && op.poll()["items"][0]["percent_complete"].as_f64().unwrap_or(0.0) <= 1.0 {
            std::thread::sleep(Duration::from_millis(20));
        }
        let t0 = Instant::now();
        op.cancel();
        let mut server_gone = None;
        loop {
            let st = op.poll();
            if server_gone.is_none() && !env.server.state.requests().iter().any(|r| r.command.starts_with("BACKUP")) {
                server_gone = Some(t0.elapsed().as_secs_f64());
            }
            let state = st["state"].as_str().unwrap_or("").to_string();
            if is_final(&state) || t0.elapsed() > Duration::from_secs(60) {
                return (t0.elapsed().as_secs_f64(), server_gone, state);
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    fn summary(v: &mut [f64]) -> String {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        if v.is_empty() {
            return "no samples".into();
        }
        let q = |f: f64| v[((v.len() - 1) as f64 * f).round() as usize];
        format!("n={} min {:.3} s, median {:.3} s, p95 {:.3} s, max {:.3} s", v.len(), v[0], q(0.5), q(0.95), v[v.len() - 1])
    }

    pub fn main() {
        let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
        let (backups, cancels) = (args.first().copied().unwrap_or(2), args.get(1).copied().unwrap_or(5));
        let env = Env::start();
        let (mut ages, mut lat) = (Vec::new(), Vec::new());
        for n in 0..backups {
            let (seen, server) = observe_progress(&env, n);
            let (a, l) = (value_ages(&seen, &server), crossing_latencies(&seen, &server));
            println!("backup {n}: {} percentages seen by poll, {} server changes; worst crossing {:.3} s", seen.len(), server.len(), l.iter().cloned().fold(0.0, f64::max));
            ages.extend(a);
            lat.extend(l);
        }
        println!("progress latency (server crosses a whole percent -> first poll result showing it): {}", summary(&mut lat));
        println!("age of each polled value (server first held it -> poll shows it): {}", summary(&mut ages));
        let (mut fin, mut gone) = (Vec::new(), Vec::new());
        for n in 0..cancels {
            let (f, g, state) = observe_cancel(&env, 100 + n);
            println!("cancel {n}: operation {state} after {f:.3} s; server's BACKUP request gone after {}", g.map_or("-".into(), |g| format!("{g:.3} s")));
            fin.push(f);
            gone.extend(g);
        }
        println!("cancel latency (sqlurl_operation_cancel -> poll shows final): {}", summary(&mut fin));
        println!("cancel -> server's request row gone: {}", summary(&mut gone));
        let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
        println!("load average {}", load.split_whitespace().next().unwrap_or("n/a"));
    }
}
