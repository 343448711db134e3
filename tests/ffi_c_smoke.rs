//! Builds tests/c/smoke.c with `cc` against include/sqlurl.h and the built cdylib, and runs it:
//! once plainly and once under valgrind (no leaks, no invalid accesses). Both runs drive the whole
//! operation lifecycle through the C ABI against the simulator (+ Azurite): start a backup that
//! runs long, poll until the server reports progress, wait with a timeout (SQLURL_PENDING),
//! cancel, wait (cancelled), free; then start again and free while running (the server's
//! sessions must all close). The plain run also lists credentials over validated TLS.
//!
//! A second program, tests/c/threads.c, runs operations from several pthreads at once (credential
//! list, a backup through the whole handle lifecycle, a header read of that backup, per thread and
//! round) under valgrind: no invalid access, no definite leak, every result its own request's.
//!
//! Under valgrind the C program connects with `encrypt: off`: ring's assembly AES-GCM/ChaCha code
//! makes memcheck report uninitialised-value false positives during a TLS handshake, and
//! suppressing those would hide real findings, so the TLS path is not run under valgrind.

#![cfg(not(windows))]

mod common;
#[path = "sqlsim/tests/backup_support/mod.rs"]
mod backup_support;

use std::time::{Duration, Instant};

use std::path::{Path, PathBuf};
use std::process::Command;

/// target/<profile>, found from this test executable (target/<profile>/deps/ffi_c_smoke-*).
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().and_then(Path::parent).unwrap().to_path_buf()
}

fn build_smoke(name: &str) -> PathBuf {
    build_c("smoke.c", name)
}

/// Compiles tests/c/`source` against the header and the built library.
fn build_c(source: &str, name: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lib_dir = profile_dir();
    assert!(lib_dir.join("libsqlurl.so").exists(), "libsqlurl.so not found in {}", lib_dir.display());
    let out = lib_dir.join(format!("sqlurl-c-smoke-{name}-{}", std::process::id()));
    let st = Command::new("cc")
        .args(["-Wall", "-Wextra", "-Werror", "-std=c11", "-pthread", "-g"])
        .arg("-I").arg(root.join("include"))
        .arg(root.join("tests/c").join(source))
        .arg("-L").arg(&lib_dir)
        .arg("-lsqlurl")
        .arg("-o").arg(&out)
        .status()
        .expect("cc not found: install a C compiler");
    assert!(st.success(), "compiling tests/c/{source} failed");
    out
}

fn list_request(sim: &common::sim::Sim) -> String {
    serde_json::json!({"connection": sim.conn()}).to_string()
}

/// A simulator whose database `Long` backs up slowly (4000 MB at 50 MB/s, ~80 s uncancelled)
/// to a fresh Azurite container; the backup request for it, over `encrypt`.
fn long_backup(encrypt: &str) -> (common::sim::Sim, String) {
    common::azurite::ensure_azurite();
    let c = backup_support::container_name("csmoke");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(backup_support::Blobs::new().create_container(&c));
    let mut sc = backup_support::scenario(&c, "Contributor", vec![backup_support::db("Long", "FULL", 4000)]);
    sc.throughput_mb_per_s = 50.0;
    let sim = common::sim::Sim::start(sc);
    let mut conn = sim.conn();
    conn["encrypt"] = encrypt.into();
    if encrypt == "off" {
        conn.as_object_mut().unwrap().remove("ca_file");
    }
    let req = serde_json::json!({"connection": conn, "databases": ["Long"], "container_url": format!("{}/{c}", backup_support::ACCOUNT_URL)});
    (sim, req.to_string())
}

/// After the C program: every session of the simulator closed (the freed running backup was
/// cancelled on the server too), within a bounded wait.
fn assert_sessions_closed(sim: &common::sim::Sim) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let open = || sim.handle.state.lock().sessions.len();
    while open() > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let left: Vec<String> = sim.handle.state.lock().sessions.values().map(|s| format!("{} ({})", s.session_id, s.login)).collect();
    assert!(left.is_empty(), "sessions still open after the C program ended: {left:?}");
    let backups = sim.statements().iter().filter(|s| s.starts_with("BACKUP DATABASE [Long]")).count();
    assert_eq!(backups, 2, "two backups reached the server: {:?}", sim.statements());
}

fn run(cmd: &mut Command) -> (bool, String) {
    let o = cmd.env("LD_LIBRARY_PATH", profile_dir()).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    (o.status.success(), text)
}

#[test]
fn c_smoke_test_passes() {
    let sim = common::sim::Sim::start(common::sim::ready_scenario());
    let (long_sim, backup) = long_backup("mandatory");
    let exe = build_smoke("plain");
    let (ok, text) = run(Command::new(&exe).arg(list_request(&sim)).arg(&backup));
    println!("{text}");
    let _ = std::fs::remove_file(&exe);
    assert!(ok, "smoke test failed:\n{text}");
    assert!(text.contains("passed: 0 failure(s)"));
    assert!(text.contains("ok   sqlurl_credential_list against the server gives SQLURL_OK"), "{text}");
    assert!(text.contains("ok   the operation ends cancelled"), "{text}");
    assert!(text.contains("ok   sqlurl_operation_free of a running operation returns"), "{text}");
    assert_sessions_closed(&long_sim);
}

#[test]
fn c_smoke_test_is_clean_under_valgrind() {
    if Command::new("valgrind").arg("--version").output().is_err() {
        panic!("valgrind is not installed (scripts/setup.sh installs it)");
    }
    let (long_sim, backup) = long_backup("off");
    let exe = build_smoke("valgrind");
    let supp = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/c/valgrind.supp");
    let (ok, text) = run(Command::new("valgrind")
        .args(["--leak-check=full", "--errors-for-leak-kinds=definite,indirect,possible", "--error-exitcode=99", "-q"])
        .arg(format!("--suppressions={}", supp.display()))
        .arg(&exe)
        .arg("-")
        .arg(&backup));
    println!("{text}");
    let _ = std::fs::remove_file(&exe);
    assert!(ok, "valgrind reported errors or leaks:\n{text}");
    assert!(text.contains("passed: 0 failure(s)"));
    assert!(text.contains("ok   the operation ends cancelled"), "{text}");
    assert_sessions_closed(&long_sim);
}

#[test]
fn c_threads_running_operations_at_once_are_clean_under_valgrind() {
    if Command::new("valgrind").arg("--version").output().is_err() {
        panic!("valgrind is not installed (scripts/setup.sh installs it)");
    }
    const THREADS: usize = 4;
    common::azurite::ensure_azurite();
    let c = backup_support::container_name("cthreads");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(backup_support::Blobs::new().create_container(&c));
    let dbs = (0..THREADS).map(|i| backup_support::db(&format!("T{i}"), "FULL", 8)).collect();
    let sim = common::sim::Sim::start(backup_support::scenario(&c, "Contributor", dbs));
    let mut conn = sim.conn();
    conn["encrypt"] = "off".into();
    conn.as_object_mut().unwrap().remove("ca_file");
    let exe = build_c("threads.c", "threads-valgrind");
    let supp = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/c/valgrind.supp");
    let (ok, text) = run(Command::new("valgrind")
        .args(["--leak-check=full", "--errors-for-leak-kinds=definite", "--error-exitcode=99", "-q"])
        .arg(format!("--suppressions={}", supp.display()))
        .arg(&exe)
        .arg(conn.to_string())
        .arg(format!("{}/{c}", backup_support::ACCOUNT_URL))
        .arg(THREADS.to_string())
        .arg("2"));
    println!("{text}");
    let _ = std::fs::remove_file(&exe);
    assert!(ok, "valgrind reported errors or leaks, or a check failed:\n{text}");
    assert!(text.contains("passed: 0 failure(s)"), "{text}");
    // the simulator's own log: each thread's database backed up once per round, to its own blob
    let backups: Vec<String> = sim.statements().into_iter().filter(|s| s.starts_with("BACKUP DATABASE")).collect();
    for i in 0..THREADS {
        for r in 0..2 {
            let want = format!("BACKUP DATABASE [T{i}] TO URL = N'{}/{c}/threads/T{i}_{r}.bak'", backup_support::ACCOUNT_URL);
            assert_eq!(backups.iter().filter(|s| s.starts_with(&want)).count(), 1, "{want} in {backups:#?}");
        }
    }
}
