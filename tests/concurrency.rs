//! Concurrency (issue 14): 64 backups at once, each started, waited on, polled and freed through
//! the C ABI on its own OS thread, against four simulators. No crash, no cross-talk (each result
//! names its own database, and its blob carries its own server's name), every handle freed, and
//! afterwards no session left open on any simulator. Every wait is bounded.
#![cfg(not(windows))]

#[path = "sqlsim/tests/backup_support/mod.rs"]
mod backup_support;
mod common;

use std::ffi::{c_char, CStr, CString};
use std::ptr;
use std::time::{Duration, Instant};

use backup_support::{container_name, db, scenario, Blobs, ACCOUNT_URL};
use common::azurite::ensure_azurite;
use serde_json::{json, Value};
use sqlurl::ffi::operation::*;
use sqlurl::ffi::{sqlurl_string_free, SqlurlResult};

const SIMS: usize = 4;
const THREADS: usize = 64;

struct Sim {
    server: sqlsim::SimHandle,
    _rt: tokio::runtime::Runtime,
}

fn block<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

/// Takes ownership of a string the library returned: parses it and frees it.
fn take(s: *mut c_char) -> Value {
    assert!(!s.is_null(), "the library wrote no JSON");
    // SAFETY: a NUL-terminated string the library returned, read before it is freed once.
    let text = unsafe { CStr::from_ptr(s) }.to_str().unwrap().to_string();
    // SAFETY: returned by the library, freed exactly once.
    unsafe { sqlurl_string_free(s) };
    assert!(!text.contains("Sim-Passw0rd!"), "secret in the output: {text}");
    serde_json::from_str(&text).unwrap()
}

/// One thread's work: start, poll, (for every eighth) free while running, else wait (bounded)
/// and free. Returns (thread, final status or null when freed while running).
fn one(t: usize, request: String) -> (usize, Value) {
    let req = CString::new(request).unwrap();
    let mut op: *mut SqlurlOperation = ptr::null_mut();
    let mut out: *mut c_char = ptr::null_mut();
    // SAFETY: live C string and &mut locals; the handle is freed exactly once below.
    let rc = unsafe { sqlurl_backup_start(req.as_ptr(), &mut op, &mut out) };
    let started = take(out);
    assert_eq!(rc, SqlurlResult::SQLURL_OK, "thread {t}: {started}");
    assert!(!op.is_null());
    let mut out: *mut c_char = ptr::null_mut();
    // SAFETY: op is a live handle; out a &mut local.
    let rc = unsafe { sqlurl_operation_poll(op, &mut out) };
    let polled = take(out);
    assert_eq!(rc, SqlurlResult::SQLURL_OK, "thread {t}: {polled}");
    if t % 8 == 7 {
        // freeing a running handle cancels its work
        // SAFETY: live handle, no call on it running, freed once.
        unsafe { sqlurl_operation_free(op) };
        return (t, Value::Null);
    }
    let deadline = Instant::now() + Duration::from_secs(240);
    let status = loop {
        let mut out: *mut c_char = ptr::null_mut();
        // SAFETY: op is a live handle; out a &mut local.
        let rc = unsafe { sqlurl_operation_wait(op, 1000, &mut out) };
        let v = take(out);
        if rc == SqlurlResult::SQLURL_OK {
            break v;
        }
        assert_eq!(rc, SqlurlResult::SQLURL_PENDING, "thread {t}: {v}");
        assert!(Instant::now() < deadline, "thread {t}: not finished within 240 s: {v}");
    };
    // SAFETY: live handle, no call on it running, freed once.
    unsafe { sqlurl_operation_free(op) };
    (t, status)
}

#[test]
fn sixty_four_backups_on_os_threads_through_the_c_abi_against_four_simulators() {
    ensure_azurite();
    let blobs = Blobs::new();
    let per = THREADS / SIMS;
    let mut sims = Vec::new();
    let mut containers = Vec::new();
    for s in 0..SIMS {
        let c = container_name(&format!("conc{s}"));
        block(blobs.create_container(&c));
        let dbs = (0..per).map(|k| db(&format!("S{s}_Db{k}"), "FULL", 64)).collect();
        let mut sc = scenario(&c, "Contributor", dbs);
        sc.server_name = format!("SIMSRV{s}");
        sc.throughput_mb_per_s = 64.0; // about a second of simulated backup each
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let server = rt.block_on(sqlsim::start(sc)).expect("start sqlsim");
        sims.push(Sim { server, _rt: rt });
        containers.push(c);
    }

    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let (s, k) = (t % SIMS, t / SIMS);
            let sim = &sims[s].server;
            let request = json!({
                "connection": {
                    "server": format!("127.0.0.1,{}", sim.port()),
                    "auth": {"kind": "sql", "user": "sa", "password": "Sim-Passw0rd!"},
                    "ca_file": sim.ca_pem_path.to_string_lossy(),
                    "connect_timeout_s": 30
                },
                "databases": [format!("S{s}_Db{k}")],
                "container_url": format!("{ACCOUNT_URL}/{}", containers[s]),
            })
            .to_string();
            std::thread::Builder::new().name(format!("op{t}")).spawn(move || one(t, request)).unwrap()
        })
        .collect();
    let results: Vec<(usize, Value)> = threads.into_iter().map(|h| h.join().expect("no thread panicked")).collect();

    let mut succeeded = 0;
    for (t, st) in &results {
        let (s, k) = (t % SIMS, t / SIMS);
        if st.is_null() {
            continue; // freed while running
        }
        let name = format!("S{s}_Db{k}");
        assert_eq!(st["state"], "succeeded", "thread {t}: {st:#}");
        assert_eq!(st["items"].as_array().unwrap().len(), 1, "{st:#}");
        assert_eq!(st["items"][0]["database"], name.as_str(), "{st:#}");
        let r = &st["results"][0];
        assert_eq!(r["database"], name.as_str(), "thread {t}: {r:#}");
        let url = r["urls"][0].as_str().unwrap();
        assert!(
            url.starts_with(&format!("{ACCOUNT_URL}/{}/SIMSRV{s}/{name}/{name}_full_", containers[s])),
            "thread {t}: its own server, container and database: {url}"
        );
        assert!(r["statements"].to_string().contains(&format!("BACKUP DATABASE [{name}]")), "{r:#}");
        succeeded += 1;
    }
    assert_eq!(succeeded, THREADS - THREADS / 8);

    // each server saw exactly its own databases' backups, and each container holds only its own
    for (s, sim) in sims.iter().enumerate() {
        for st in sim.server.statement_log() {
            if st.text.starts_with("BACKUP DATABASE") {
                assert!(st.text.starts_with(&format!("BACKUP DATABASE [S{s}_Db")), "cross-talk on server {s}: {}", st.text);
            }
        }
        let names = block(blobs.list(&containers[s]));
        assert!(names.iter().all(|n| n.starts_with(&format!("SIMSRV{s}/S{s}_Db"))), "{names:?}");
        let waited = (0..per).filter(|k| (k * SIMS + s) % 8 != 7).count();
        assert!(names.len() >= waited && names.len() <= per, "server {s}: {} blobs for {waited} finished backups: {names:?}", names.len());
    }

    // every handle is freed: its work stops and its connections close (bounded wait)
    let deadline = Instant::now() + Duration::from_secs(60);
    let open = || sims.iter().map(|s| s.server.state.lock().sessions.len()).sum::<usize>();
    while open() > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(open(), 0, "sessions still open after every handle was freed");
    assert!(sims.iter().all(|s| s.server.state.requests().is_empty()), "no backup still running");
}
