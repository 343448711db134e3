//! Backup and restore operations end to end: sqlurl → TDS → sqlsim → Azurite.
//!
//! Every wait is bounded; no assertion is about time. Blobs are checked with an independent
//! client (plain REST + account SAS, `tests/sqlsim/tests/backup_support`).
#![cfg(not(windows))]

#[path = "sqlsim/tests/backup_support/mod.rs"]
mod backup_support;
mod common;

use std::time::{Duration, Instant};

use common::azurite::ensure_azurite;
use backup_support::{blob_url, container_name, db, scenario, Blobs, ACCOUNT_URL};
use serde_json::{json, Value};
use sqlsim::scenario::{Faults, Scenario};
use sqlurl::operation::{Operation, State};


/// A running simulator for one test (its own runtime; dropped at the end of the test).
struct Sim {
    server: sqlsim::SimHandle,
    _rt: tokio::runtime::Runtime,
}

impl Sim {
    fn start(sc: Scenario) -> Sim {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let server = rt.block_on(sqlsim::start(sc)).expect("start sqlsim");
        Sim { server, _rt: rt }
    }

    fn connection(&self) -> Value {
        json!({
            "server": format!("127.0.0.1,{}", self.server.port()),
            "auth": {"kind": "sql", "user": "sa", "password": "Sim-Passw0rd!"},
            "encrypt": "mandatory",
            "ca_file": self.server.ca_pem_path.to_string_lossy(),
            "connect_timeout_s": 15
        })
    }

    /// Statements the server received, in order.
    fn statements(&self) -> Vec<String> {
        self.server.statement_log().into_iter().map(|s| s.text).collect()
    }

    fn set_faults(&self, f: Faults) {
        self.server.state.set_faults(f);
    }

    fn database_state(&self, name: &str) -> Option<String> {
        self.server.state.lock().database(name).map(|d| d.state.clone())
    }

    fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self._rt.block_on(f)
    }

    fn database_files(&self, name: &str) -> Vec<String> {
        self.server.state.lock().database(name).map(|d| d.files.iter().map(|f| f.physical_name.clone()).collect()).unwrap_or_default()
    }
}

fn block<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

fn backup(sim: &Sim, body: Value) -> Operation {
    let mut req = body;
    req["connection"] = sim.connection();
    let r: sqlurl::ops::backup::BackupRequest = serde_json::from_value(req).expect("backup request");
    sqlurl::ops::backup::start(r).expect("backup start")
}

fn restore(sim: &Sim, body: Value) -> std::result::Result<Operation, sqlurl::Error> {
    let mut req = body;
    req["connection"] = sim.connection();
    let r: sqlurl::ops::restore::RestoreRequest = serde_json::from_value(req).expect("restore request");
    sqlurl::ops::restore::start(r)
}

/// Waits (bounded) for the end; returns the status as JSON.
fn finish(op: &Operation) -> Value {
    let (st, done) = op.wait(Duration::from_secs(240));
    assert!(done, "operation did not finish within the bound: {:?}", serde_json::to_value(&st).unwrap());
    serde_json::to_value(&st).unwrap()
}

fn ok_results(st: &Value) -> Vec<Value> {
    assert_eq!(st["state"], "succeeded", "{st:#}");
    st["results"].as_array().unwrap().clone()
}

fn header(sim: &Sim, urls: &[String]) -> Vec<Value> {
    let req: sqlurl::ops::inspect::InspectRequest = serde_json::from_value(json!({"connection": sim.connection(), "urls": urls})).unwrap();
    let r = sqlurl::runtime::block_on(sqlurl::ops::inspect::header(req)).expect("header");
    serde_json::to_value(r).unwrap()["headers"].as_array().unwrap().clone()
}

fn urls_of(r: &Value) -> Vec<String> {
    r["urls"].as_array().unwrap().iter().map(|u| u.as_str().unwrap().to_string()).collect()
}

fn blob_name(url: &str, container: &str) -> String {
    url.split_once(&format!("/{container}/")).unwrap().1.to_string()
}

#[test]
fn full_diff_log_with_options_and_explicit_stripes() {
    let c = container_name("opts");
    ensure_azurite();
    let blobs = Blobs::new();
    block(blobs.create_container(&c));
    let sim = Sim::start(scenario(&c, "Contributor", vec![db("Sales", "FULL", 64)]));
    let container = format!("{ACCOUNT_URL}/{c}");

    // full: compression, checksum, description, name; three explicit stripes
    let urls: Vec<String> = (1..=3).map(|i| blob_url(&c, &format!("Sales_full_{i}-of-3.bak"))).collect();
    let op = backup(&sim, json!({"databases": ["Sales"], "type": "full", "urls": urls, "compression": true, "checksum": true,
        "description": "nightly 'full'", "name": "Sales full"}));
    let r = &ok_results(&finish(&op))[0];
    assert_eq!(r["stripes"], 3);
    assert_eq!(r["checksum"], true);
    assert_eq!(r["compressed"], true);
    assert!(r["bytes"].as_i64().unwrap() > 0, "{r}");
    assert!(r["first_lsn"].as_str().unwrap().parse::<u128>().unwrap() > 0);
    assert!(r["statements"][0].as_str().unwrap().contains("DESCRIPTION = N'nightly ''full'''"));
    assert!(r["message"].as_str().unwrap().contains("successfully processed"));
    for u in &urls {
        assert!(block(blobs.props(&c, &blob_name(u, &c))).is_some(), "{u} committed");
    }
    let full_last = r["last_lsn"].as_str().unwrap().parse::<u128>().unwrap();

    // the same URLs again without overwrite: the server refuses (3271), classified
    let op = backup(&sim, json!({"databases": ["Sales"], "urls": urls}));
    let st = finish(&op);
    assert_eq!(st["state"], "failed");
    assert_eq!(st["results"][0]["error"]["kind"], "BlobExists", "{st:#}");
    // with overwrite: FORMAT is sent and it succeeds
    let op = backup(&sim, json!({"databases": ["Sales"], "urls": urls, "overwrite": true}));
    let r = &ok_results(&finish(&op))[0];
    assert!(r["statements"][0].as_str().unwrap().contains("FORMAT"));

    // differential and log, through the container + template
    let op = backup(&sim, json!({"databases": ["Sales"], "type": "differential", "container_url": container}));
    let d = &ok_results(&finish(&op))[0];
    assert_eq!(d["type"], "differential");
    assert!(d["statements"][0].as_str().unwrap().contains("DIFFERENTIAL"));
    assert!(urls_of(d)[0].contains("/Sales/Sales_differential_"), "{d}");
    let h = header(&sim, &urls_of(d));
    assert_eq!(h[0]["backup_type"], 5);

    let op = backup(&sim, json!({"databases": ["Sales"], "type": "log", "container_url": container, "copy_only": true, "compression": false}));
    let l = &ok_results(&finish(&op))[0];
    assert_eq!(l["copy_only"], true);
    let s = l["statements"][0].as_str().unwrap();
    assert!(s.starts_with("BACKUP LOG [Sales]") && s.contains("COPY_ONLY") && s.contains("NO_COMPRESSION"), "{s}");
    assert!(l["last_lsn"].as_str().unwrap().parse::<u128>().unwrap() > full_last);
    let h = header(&sim, &urls_of(l));
    assert_eq!(h[0]["backup_type"], 2);
    assert_eq!(h[0]["is_copy_only"], true);

    // encryption with algorithm and server certificate
    let op = backup(&sim, json!({"databases": ["Sales"], "type": "full", "copy_only": true, "container_url": container,
        "file_name_template": "{database}_{type}_enc_{timestamp}{stripe}.bak",
        "encryption": {"algorithm": "AES_256", "server_certificate": "BackupCert"}}));
    let e = &ok_results(&finish(&op))[0];
    assert!(e["statements"][0].as_str().unwrap().contains("ENCRYPTION (ALGORITHM = AES_256, SERVER CERTIFICATE = [BackupCert])"), "{e}");
    assert!(urls_of(e)[0].contains("/Sales_full_enc_"), "{e}");
    let h = header(&sim, &urls_of(e));
    assert!(h[0]["key_algorithm"].as_str().unwrap_or_default().eq_ignore_ascii_case("aes_256"), "{:?}", h[0]);
    assert_eq!(h[0]["is_copy_only"], true);

    // every BACKUP carried the block-blob defaults
    for s in sim.statements().iter().filter(|s| s.starts_with("BACKUP")) {
        assert!(s.contains("MAXTRANSFERSIZE = 4194304") && s.contains("BLOCKSIZE = 65536"), "{s}");
    }
}

#[test]
fn automatic_striping_of_a_1_tb_database_keeps_every_blob_under_the_block_limit() {
    let c = container_name("tb");
    ensure_azurite();
    let blobs = Blobs::new();
    block(blobs.create_container(&c));
    let mut sc = scenario(&c, "Contributor", vec![db("Big", "FULL", 1024 * 1024)]);
    sc.throughput_mb_per_s = 1.0e9;
    let sim = Sim::start(sc);
    let op = backup(&sim, json!({"databases": ["Big"], "container_url": format!("{ACCOUNT_URL}/{c}")}));
    let r = &ok_results(&finish(&op))[0];
    let stripes = r["stripes"].as_u64().unwrap();
    // 1 TiB / (50,000 blocks × 4 MiB × 50% assumed fill × 80%) = 14 stripes
    assert_eq!(stripes, 14, "{r}");
    let reason = r["stripe_reason"].as_str().unwrap();
    assert!(reason.contains("50,000-block") && reason.contains("assumed average block fill 50%"), "{r}");
    assert_eq!(r["warnings"], json!([]), "{r}");
    let urls = urls_of(r);
    assert_eq!(urls.len(), 14);
    assert!(urls[0].ends_with("_1-of-14.bak") && urls[13].ends_with("_14-of-14.bak"), "{urls:?}");
    // what the server wrote: each stripe's share of the backup fits in 50,000 blocks of 4 MiB
    let bytes = r["bytes"].as_u64().unwrap();
    assert!(bytes.div_ceil(stripes).div_ceil(4_194_304) < 50_000, "{bytes} bytes over {stripes} stripes");
    for u in &urls {
        assert!(block(blobs.props(&c, &blob_name(u, &c))).is_some(), "{u}");
    }
}

#[test]
fn progress_increases_during_a_timed_backup() {
    let c = container_name("prog");
    ensure_azurite();
    let blobs = Blobs::new();
    block(blobs.create_container(&c));
    let mut sc = scenario(&c, "Contributor", vec![db("Slow", "FULL", 400)]);
    sc.throughput_mb_per_s = 80.0; // a few seconds
    let sim = Sim::start(sc);
    let op = backup(&sim, json!({"databases": ["Slow"], "container_url": format!("{ACCOUNT_URL}/{c}")}));
    let mut seen: Vec<f64> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline && !op.is_final() {
        let st = op.poll();
        if let Some(p) = st.items[0].percent_complete {
            if st.state == State::Running && seen.last() != Some(&p) {
                seen.push(p);
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let st = finish(&op);
    let r = ok_results(&st)[0].clone();
    eprintln!(
        "figures: timed backup of 400 MB at 80 MB/s simulated: {} progress samples {:?}; duration {} s, {} MB/s measured",
        seen.len(), seen, r["duration_seconds"], r["throughput_mb_per_second"]
    );
    assert_eq!(st["progress_source"], "dm_exec_requests");
    assert!(seen.len() >= 2, "at least two different percentages while running: {seen:?}");
    assert!(seen.windows(2).all(|w| w[1] > w[0]), "increasing: {seen:?}");
    assert!(seen[0] < 100.0);
    // the progress poller stops with the operation: its second connection (and the backup's own)
    // goes away, so the server is left with no session (bounded wait for the sockets to close)
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline && !sim.server.state.lock().sessions.is_empty() {
        std::thread::sleep(Duration::from_millis(100));
    }
    let left: Vec<String> = sim.server.state.lock().sessions.values().map(|s| format!("{} ({})", s.session_id, s.login)).collect();
    assert!(left.is_empty(), "sessions still open after the operation ended: {left:?}");
}

#[test]
fn cancel_mid_backup_leaves_no_blob_and_the_database_untouched() {
    let c = container_name("cancel");
    ensure_azurite();
    let blobs = Blobs::new();
    block(blobs.create_container(&c));
    let mut sc = scenario(&c, "Contributor", vec![db("Long", "FULL", 4000)]);
    sc.throughput_mb_per_s = 50.0; // ~80 s if not cancelled
    let sim = Sim::start(sc);
    let op = backup(&sim, json!({"databases": ["Long"], "container_url": format!("{ACCOUNT_URL}/{c}")}));
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline && op.poll().items[0].percent_complete.unwrap_or(0.0) <= 0.0 {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(op.poll().items[0].percent_complete.unwrap_or(0.0) > 0.0, "backup started");
    op.cancel();
    let st = finish(&op);
    assert_eq!(st["state"], "cancelled", "{st:#}");
    assert_eq!(st["results"][0]["error"]["kind"], "Cancelled");
    let msg = st["results"][0]["message"].as_str().unwrap();
    assert!(msg.contains("ATTENTION was sent and acknowledged"), "{msg}");
    // no committed blob, and nobody holds a lease any more
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut names = block(blobs.list(&c));
    while !names.is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
        names = block(blobs.list(&c));
    }
    assert!(names.is_empty(), "no committed blob after cancel: {names:?}");
    assert_eq!(sim.database_state("Long").as_deref(), Some("ONLINE"));

    // dropping the handle of a running backup cancels it too
    let op = backup(&sim, json!({"databases": ["Long"], "container_url": format!("{ACCOUNT_URL}/{c}")}));
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline && op.poll().items[0].percent_complete.unwrap_or(0.0) <= 0.0 {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!sim.server.state.requests().is_empty(), "the backup runs on the server");
    drop(op);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !sim.server.state.requests().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(sim.server.state.requests().is_empty(), "the server stopped the backup after the handle was dropped");
    assert!(block(blobs.list(&c)).is_empty());
}

#[test]
fn a_dropped_connection_mid_backup_is_a_clear_failure() {
    let c = container_name("drop");
    ensure_azurite();
    let blobs = Blobs::new();
    block(blobs.create_container(&c));
    let mut sc = scenario(&c, "Contributor", vec![db("Fragile", "FULL", 400)]);
    sc.throughput_mb_per_s = 100.0;
    let sim = Sim::start(sc);
    sim.set_faults(Faults { drop_connection_at_percent: Some(30), ..Faults::default() });
    let op = backup(&sim, json!({"databases": ["Fragile"], "container_url": format!("{ACCOUNT_URL}/{c}")}));
    let st = finish(&op);
    assert_eq!(st["state"], "failed", "{st:#}");
    let e = &st["results"][0]["error"];
    assert_ne!(e["kind"], "Cancelled");
    assert!(e["message"].as_str().unwrap().contains("connection to the server was lost"), "{e}");
    assert!(st["results"][0]["last_lsn"].is_null());
}

#[test]
fn restore_with_automatic_relocation_and_database_exists_check() {
    let c = container_name("reloc");
    ensure_azurite();
    let blobs = Blobs::new();
    block(blobs.create_container(&c));
    let sim = Sim::start(scenario(&c, "Contributor", vec![db("Sales", "FULL", 64)]));
    let op = backup(&sim, json!({"databases": ["Sales"], "container_url": format!("{ACCOUNT_URL}/{c}"), "stripes": 2}));
    let b = &ok_results(&finish(&op))[0];
    let urls = urls_of(b);
    assert_eq!(urls.len(), 2);

    // restoring over the existing Sales without replace: refused before any RESTORE DATABASE
    let before = sim.statements().len();
    let op = restore(&sim, json!({"urls": urls})).unwrap();
    let st = finish(&op);
    assert_eq!(st["state"], "failed");
    assert_eq!(st["results"][0]["error"]["kind"], "DatabaseExists", "{st:#}");
    assert!(!sim.statements()[before..].iter().any(|s| s.starts_with("RESTORE DATABASE")));

    // restore as a copy: files relocated to the default paths under the new name
    let op = restore(&sim, json!({"urls": urls, "database": "Sales_copy"})).unwrap();
    let r = &ok_results(&finish(&op))[0];
    let files: Vec<(String, String)> = r["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["logical_name"].as_str().unwrap().to_string(), f["physical_name"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(files, vec![("Sales".into(), "F:\\data\\Sales_copy.mdf".into()), ("Sales_log".into(), "G:\\log\\Sales_copy_log.ldf".into())]);
    assert_eq!(sim.database_state("Sales_copy").as_deref(), Some("ONLINE"));
    let phys = sim.database_files("Sales_copy");
    assert!(phys.contains(&"F:\\data\\Sales_copy.mdf".to_string()), "{phys:?}");
    assert_eq!(sim.database_state("Sales").as_deref(), Some("ONLINE"));
}

#[test]
fn point_in_time_restore_over_full_diff_and_logs_and_a_broken_chain_is_refused() {
    let c = container_name("pit");
    ensure_azurite();
    let blobs = Blobs::new();
    block(blobs.create_container(&c));
    let sim = Sim::start(scenario(&c, "Contributor", vec![db("Orders", "FULL", 64)]));
    let container = format!("{ACCOUNT_URL}/{c}");
    let mut all: Vec<String> = Vec::new();
    let run = |kind: &str| {
        // the full backup is striped over two blobs: a sequence groups stripes by backup set
        let stripes = if kind == "full" { 2 } else { 1 };
        let op = backup(&sim, json!({"databases": ["Orders"], "type": kind, "container_url": container, "stripes": stripes}));
        let r = ok_results(&finish(&op))[0].clone();
        std::thread::sleep(Duration::from_millis(1100)); // distinct timestamps in names and headers
        urls_of(&r)
    };
    let full = run("full");
    let log1 = run("log");
    let diff = run("differential");
    let log2 = run("log");
    let log3 = run("log");
    let log4 = run("log");
    for u in [&full, &log1, &diff, &log2, &log3, &log4] {
        all.extend(u.iter().cloned());
    }
    // stop at a time inside log3: between log2's and log3's finish
    let h2 = &header(&sim, &log2)[0];
    let h3 = &header(&sim, &log3)[0];
    let t2 = chrono::NaiveDateTime::parse_from_str(h2["backup_finish_date"].as_str().unwrap(), "%Y-%m-%dT%H:%M:%S%.f").unwrap();
    let t3 = chrono::NaiveDateTime::parse_from_str(h3["backup_finish_date"].as_str().unwrap(), "%Y-%m-%dT%H:%M:%S%.f").unwrap();
    let stop = t2 + (t3 - t2) / 2;

    // broken chain first: log2 missing → refused, and no RESTORE DATABASE/LOG reached the server
    let before = sim.statements().len();
    let broken: Vec<String> = all.iter().filter(|u| !log2.contains(u)).cloned().collect();
    let op = restore(&sim, json!({"urls": broken, "sequence": true, "database": "Orders_pit"})).unwrap();
    let st = finish(&op);
    assert_eq!(st["state"], "failed");
    let e = &st["results"][0]["error"];
    assert_eq!(e["kind"], "BackupChainBroken", "{e}");
    assert!(e["message"].as_str().unwrap().contains("missing"), "{e}");
    let sent = &sim.statements()[before..];
    assert!(!sent.iter().any(|s| s.starts_with("RESTORE DATABASE") || s.starts_with("RESTORE LOG")), "{sent:?}");

    // the full chain, shuffled, with stop_at inside log3
    let mut shuffled = all.clone();
    shuffled.reverse();
    let op = restore(&sim, json!({"urls": shuffled, "sequence": true, "database": "Orders_pit",
        "stop_at": stop.format("%Y-%m-%dT%H:%M:%S%.3f").to_string()})).unwrap();
    let r = &ok_results(&finish(&op))[0];
    let steps: Vec<(String, String)> = r["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["backup_type"].as_str().unwrap().to_string(), s["url"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        steps,
        vec![
            ("full".to_string(), full.join(" ")),
            ("differential".to_string(), diff[0].clone()),
            ("log".to_string(), log2[0].clone()),
            ("log".to_string(), log3[0].clone()),
        ],
        "full → latest diff → logs up to the one holding stop_at"
    );
    let last = r["steps"][3]["statement"].as_str().unwrap();
    assert!(last.contains("RECOVERY, STOPAT = N'") && !last.contains("NORECOVERY"), "{last}");
    assert_eq!(sim.database_state("Orders_pit").as_deref(), Some("ONLINE"));
}

#[test]
fn twenty_databases_back_up_concurrently_under_a_throttle() {
    let c = container_name("many");
    ensure_azurite();
    let blobs = Blobs::new();
    block(blobs.create_container(&c));
    let names: Vec<String> = (1..=20).map(|i| format!("Db{i:02}")).collect();
    let mut sc = scenario(&c, "Contributor", names.iter().map(|n| db(n, "FULL", 100)).collect());
    sc.throughput_mb_per_s = 200.0; // each takes a moment, so several overlap
    let sim = Sim::start(sc);
    let t0 = Instant::now();
    let op = backup(&sim, json!({"databases": names, "container_url": format!("{ACCOUNT_URL}/{c}"), "throttle": 4}));
    let mut peak = 0;
    let deadline = Instant::now() + Duration::from_secs(200);
    while Instant::now() < deadline && !op.is_final() {
        let running = op.poll().items.iter().filter(|i| i.state == State::Running).count();
        peak = peak.max(running);
        std::thread::sleep(Duration::from_millis(20));
    }
    let results = ok_results(&finish(&op));
    eprintln!("figures: 20 databases x 100 MB, throttle 4: peak {peak} running, {:.1} s wall clock", t0.elapsed().as_secs_f64());
    assert_eq!(results.len(), 20);
    assert!(peak <= 4, "throttle respected: peak {peak}");
    assert!(peak >= 2, "backups overlapped: peak {peak}");
    for (r, n) in results.iter().zip(&names) {
        assert_eq!(&r["database"], n);
        assert!(r["error"].is_null());
    }
    let listed = block(blobs.list(&c));
    assert_eq!(listed.len(), 20, "{listed:?}");
}

mod c_abi {
    use std::ffi::{c_char, CStr, CString};

    use sqlurl::ffi::SqlurlResult;

    pub fn call(f: unsafe extern "C" fn(*const c_char, *mut *mut c_char) -> SqlurlResult, req: &serde_json::Value) -> (SqlurlResult, serde_json::Value) {
        let req = CString::new(req.to_string()).unwrap();
        let mut out: *mut c_char = std::ptr::null_mut();
        // SAFETY: arguments are NULL, live C strings or &mut locals valid for the call; every string or handle the library returned is freed exactly once.
        let rc = unsafe { f(req.as_ptr(), &mut out) };
        assert!(!out.is_null());
        // SAFETY: arguments are NULL, live C strings or &mut locals valid for the call; every string or handle the library returned is freed exactly once.
        let text = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_string();
        // SAFETY: arguments are NULL, live C strings or &mut locals valid for the call; every string or handle the library returned is freed exactly once.
        unsafe { sqlurl::ffi::sqlurl_string_free(out) };
        assert!(!text.contains("Sim-Passw0rd!"), "password leaked: {text}");
        (rc, serde_json::from_str(&text).unwrap())
    }
}

#[test]
fn header_filelist_and_verify_through_the_c_abi() {
    use sqlurl::ffi::operation::{sqlurl_backup_filelist, sqlurl_backup_header, sqlurl_backup_verify};
    use sqlurl::ffi::SqlurlResult;
    let c = container_name("insp");
    ensure_azurite();
    let blobs = Blobs::new();
    block(blobs.create_container(&c));
    let sim = Sim::start(scenario(&c, "Contributor", vec![db("Sales", "FULL", 64)]));
    let op = backup(&sim, json!({"databases": ["Sales"], "container_url": format!("{ACCOUNT_URL}/{c}"), "stripes": 2, "checksum": true}));
    let b = ok_results(&finish(&op))[0].clone();
    let urls = urls_of(&b);
    let req = json!({"connection": sim.connection(), "urls": urls});

    let (rc, h) = c_abi::call(sqlurl_backup_header, &req);
    assert_eq!(rc, SqlurlResult::SQLURL_OK, "{h}");
    assert_eq!(h["contract_version"], 1);
    let h0 = &h["headers"][0];
    assert_eq!(h0["backup_type"], 1);
    assert_eq!(h0["database_name"], "Sales");
    assert_eq!(h0["first_lsn"], b["first_lsn"]);
    assert_eq!(h0["last_lsn"], b["last_lsn"]);
    assert!(h0["backup_finish_date"].is_string());

    let (rc, f) = c_abi::call(sqlurl_backup_filelist, &req);
    assert_eq!(rc, SqlurlResult::SQLURL_OK, "{f}");
    let files = f["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["logical_name"], "Sales");
    assert_eq!(files[0]["type"], "D");
    assert_eq!(files[1]["type"], "L");

    let (rc, v) = c_abi::call(sqlurl_backup_verify, &json!({"connection": sim.connection(), "urls": urls, "checksum": true}));
    assert_eq!(rc, SqlurlResult::SQLURL_OK, "{v}");
    assert_eq!(v["valid"], true);

    // damage one stripe's payload: verify is a typed server failure
    let state = sim.server.state.clone();
    let u = urls[1].clone();
    sim.block_on(async move { sqlsim::backup::admin::corrupt_blob(&state, &u, sqlsim::backup::admin::Damage::Payload).await })
        .expect("corrupt");
    let (rc, v) = c_abi::call(sqlurl_backup_verify, &json!({"connection": sim.connection(), "urls": urls}));
    assert_eq!(rc, SqlurlResult::SQLURL_ERROR_SERVER, "{v}");
    assert!(v["error"]["statement"].as_str().unwrap().starts_with("RESTORE VERIFYONLY"), "{v}");

    // a missing blob: classified with its remedy
    let (rc, v) = c_abi::call(sqlurl_backup_header, &json!({"connection": sim.connection(), "urls": [blob_url(&c, "nope.bak")]}));
    assert_eq!(rc, SqlurlResult::SQLURL_ERROR_SERVER);
    assert_eq!(v["error"]["kind"], "BackupBlobNotFound", "{v}");
    assert!(v["error"]["recommended_action"].is_string());
}

#[test]
fn restore_failures_come_back_classified() {
    let c = container_name("rerr");
    ensure_azurite();
    let blobs = Blobs::new();
    block(blobs.create_container(&c));
    let mut busy = db("Busy", "FULL", 64);
    busy.in_use = true;
    let sim = Sim::start(scenario(&c, "Contributor", vec![db("Sales", "FULL", 64), busy]));
    let container = format!("{ACCOUNT_URL}/{c}");
    let op = backup(&sim, json!({"databases": ["Sales", "Busy"], "container_url": container}));
    let res = ok_results(&finish(&op));
    let sales = urls_of(&res[0]);
    let busy_urls = urls_of(&res[1]);

    // no relocation, no moves: the copy would land on Sales' own files → 1834/3156
    let op = restore(&sim, json!({"urls": sales, "database": "Sales_clash", "relocate": false})).unwrap();
    let st = finish(&op);
    let e = &st["results"][0]["error"];
    assert_eq!(e["kind"], "FilesInUse", "{e}");
    assert!(e["recommended_action"].as_str().unwrap().contains("MOVE"), "{e}");
    assert_eq!(e["database"], "Sales_clash");
    assert!(sim.database_state("Sales_clash").is_none());

    // replace over a database that is in use → 3101
    let op = restore(&sim, json!({"urls": busy_urls, "replace": true})).unwrap();
    let st = finish(&op);
    assert_eq!(st["results"][0]["error"]["kind"], "DatabaseInUse", "{st:#}");
    assert_eq!(sim.database_state("Busy").as_deref(), Some("ONLINE"));
}

#[test]
fn progress_degrades_to_elapsed_time_without_view_server_state() {
    let c = container_name("noview");
    ensure_azurite();
    let blobs = Blobs::new();
    block(blobs.create_container(&c));
    let mut sc = scenario(&c, "Contributor", vec![db("Slow", "FULL", 400)]);
    sc.throughput_mb_per_s = 100.0;
    sc.logins.push(sqlsim::scenario::Login {
        name: "operator".into(),
        password: Some("Op-Passw0rd!".into()),
        backup_operator: true,
        can_view_server_state: false,
        ..Default::default()
    });
    let sim = Sim::start(sc);
    let mut req = json!({"databases": ["Slow"], "container_url": format!("{ACCOUNT_URL}/{c}")});
    req["connection"] = sim.connection();
    req["connection"]["auth"] = json!({"kind": "sql", "user": "operator", "password": "Op-Passw0rd!"});
    let r: sqlurl::ops::backup::BackupRequest = serde_json::from_value(req).unwrap();
    let op = sqlurl::ops::backup::start(r).unwrap();
    let st = finish(&op);
    ok_results(&st);
    assert_eq!(st["progress_source"], "elapsed_only", "{st:#}");
    assert!(st["elapsed_seconds"].as_f64().unwrap() > 0.0);
    assert!(st["messages"].as_array().unwrap().iter().any(|m| m.as_str().unwrap().contains("elapsed time only")), "{st:#}");
}

#[test]
fn step_by_step_restore_continues_a_restoring_database_without_replace() {
    let c = container_name("steps");
    ensure_azurite();
    let blobs = Blobs::new();
    block(blobs.create_container(&c));
    let sim = Sim::start(scenario(&c, "Contributor", vec![db("Ledger", "FULL", 32)]));
    let container = format!("{ACCOUNT_URL}/{c}");
    let full = urls_of(&ok_results(&finish(&backup(&sim, json!({"databases": ["Ledger"], "container_url": container}))))[0]);
    let log = urls_of(&ok_results(&finish(&backup(&sim, json!({"databases": ["Ledger"], "type": "log", "container_url": container}))))[0]);

    // stop_at without any log backup to stop in: refused before anything is restored
    let op = restore(&sim, json!({"urls": full, "database": "Ledger2", "stop_at": "2026-11-26T12:00:00"})).unwrap();
    let st = finish(&op);
    assert_eq!(st["results"][0]["error"]["kind"], "InvalidArgument", "{st:#}");
    assert!(sim.database_state("Ledger2").is_none());

    let op = restore(&sim, json!({"urls": full, "database": "Ledger2", "recovery": false})).unwrap();
    let r = &ok_results(&finish(&op))[0];
    assert!(r["statements"][0].as_str().unwrap().contains("NORECOVERY"));
    assert_eq!(sim.database_state("Ledger2").as_deref(), Some("RESTORING"));

    let op = restore(&sim, json!({"urls": log, "database": "Ledger2"})).unwrap();
    let r = &ok_results(&finish(&op))[0];
    let s = r["statements"][0].as_str().unwrap();
    assert!(s.starts_with("RESTORE LOG [Ledger2]") && s.contains("WITH RECOVERY") && !s.contains("MOVE"), "{s}");
    assert_eq!(sim.database_state("Ledger2").as_deref(), Some("ONLINE"));
}

#[test]
fn dry_runs_through_the_c_abi_send_nothing_that_changes_the_server() {
    use sqlurl::ffi::operation::*;
    use sqlurl::ffi::SqlurlResult;
    use std::ffi::{c_char, CStr, CString};
    let c = container_name("dry");
    ensure_azurite();
    let blobs = Blobs::new();
    block(blobs.create_container(&c));
    let sim = Sim::start(scenario(&c, "Contributor", vec![db("Sales", "FULL", 64)]));
    let container = format!("{ACCOUNT_URL}/{c}");
    let run = |start: unsafe extern "C" fn(*const c_char, *mut *mut SqlurlOperation, *mut *mut c_char) -> SqlurlResult, req: Value| -> Value {
        let req = CString::new(req.to_string()).unwrap();
        let mut op: *mut SqlurlOperation = std::ptr::null_mut();
        let mut out: *mut c_char = std::ptr::null_mut();
        // SAFETY: arguments are NULL, live C strings or &mut locals valid for the call; every string or handle the library returned is freed exactly once.
        assert_eq!(unsafe { start(req.as_ptr(), &mut op, &mut out) }, SqlurlResult::SQLURL_OK);
        // SAFETY: arguments are NULL, live C strings or &mut locals valid for the call; every string or handle the library returned is freed exactly once.
        unsafe { sqlurl::ffi::sqlurl_string_free(out) };
        let mut out: *mut c_char = std::ptr::null_mut();
        // SAFETY: arguments are NULL, live C strings or &mut locals valid for the call; every string or handle the library returned is freed exactly once.
        assert_eq!(unsafe { sqlurl_operation_wait(op, 120_000, &mut out) }, SqlurlResult::SQLURL_OK);
        // SAFETY: arguments are NULL, live C strings or &mut locals valid for the call; every string or handle the library returned is freed exactly once.
        let text = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_string();
        // SAFETY: arguments are NULL, live C strings or &mut locals valid for the call; every string or handle the library returned is freed exactly once.
        unsafe { sqlurl::ffi::sqlurl_string_free(out) };
        // SAFETY: arguments are NULL, live C strings or &mut locals valid for the call; every string or handle the library returned is freed exactly once.
        unsafe { sqlurl_operation_free(op) };
        assert!(!text.contains("Sim-Passw0rd!"));
        serde_json::from_str(&text).unwrap()
    };
    let st = run(sqlurl_backup_start, json!({"connection": sim.connection(), "databases": ["Sales"], "container_url": container, "dry_run": true}));
    assert_eq!(st["contract_version"], 1);
    let r = &ok_results(&st)[0];
    assert!(r["statements"][0].as_str().unwrap().starts_with("BACKUP DATABASE [Sales] TO URL = N'https://simacct.blob.core.windows.net/"), "{r}");
    assert!(!sim.statements().iter().any(|s| s.starts_with("BACKUP")));
    assert!(block(blobs.list(&c)).is_empty());

    // a real backup through the C ABI, then a dry-run restore of it
    let st = run(sqlurl_backup_start, json!({"connection": sim.connection(), "databases": ["Sales"], "container_url": container}));
    let urls = urls_of(&ok_results(&st)[0]);
    let st = run(sqlurl_restore_start, json!({"connection": sim.connection(), "urls": urls, "database": "Sales_dry", "dry_run": true}));
    let r = &ok_results(&st)[0];
    assert!(r["statements"][0].as_str().unwrap().contains("MOVE N'Sales' TO N'F:\\data\\Sales_dry.mdf'"), "{r}");
    assert!(!sim.statements().iter().any(|s| s.starts_with("RESTORE DATABASE")));
    assert!(sim.database_state("Sales_dry").is_none());
}

#[test]
fn cancel_mid_restore_reports_cancelled() {
    let c = container_name("rcancel");
    ensure_azurite();
    let blobs = Blobs::new();
    block(blobs.create_container(&c));
    // a fast server makes the backup; a slow one (same storage) restores it
    let fast = Sim::start(scenario(&c, "Contributor", vec![db("Archive", "FULL", 3000)]));
    let op = backup(&fast, json!({"databases": ["Archive"], "container_url": format!("{ACCOUNT_URL}/{c}")}));
    let urls = urls_of(&ok_results(&finish(&op))[0]);
    let mut sc = scenario(&c, "Contributor", vec![]);
    sc.throughput_mb_per_s = 50.0; // ~60 s if not cancelled
    let slow = Sim::start(sc);
    let op = restore(&slow, json!({"urls": urls, "database": "Archive"})).unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline && op.poll().items[0].percent_complete.unwrap_or(0.0) <= 0.0 {
        std::thread::sleep(Duration::from_millis(100));
    }
    let before = op.poll();
    assert!(before.items[0].percent_complete.unwrap_or(0.0) > 0.0, "restore started: {:?}", serde_json::to_value(&before).unwrap());
    assert_eq!(before.items[0].database, "Archive");
    op.cancel();
    let st = finish(&op);
    assert_eq!(st["state"], "cancelled", "{st:#}");
    let r = &st["results"][0];
    assert_eq!(r["error"]["kind"], "Cancelled");
    assert!(r["message"].as_str().unwrap().contains("ATTENTION was sent and acknowledged"), "{r}");
    assert_ne!(slow.database_state("Archive").as_deref(), Some("ONLINE"));
}

#[test]
fn restore_with_explicit_file_moves_and_checksum() {
    let c = container_name("moves");
    ensure_azurite();
    let blobs = Blobs::new();
    block(blobs.create_container(&c));
    let sim = Sim::start(scenario(&c, "Contributor", vec![db("Sales", "FULL", 64)]));
    let op = backup(&sim, json!({"databases": ["Sales"], "container_url": format!("{ACCOUNT_URL}/{c}"), "checksum": true}));
    let urls = urls_of(&ok_results(&finish(&op))[0]);

    // explicit moves win over automatic relocation; a quote in a path reaches the server doubled
    let data = "H:\\moved\\Sales_o'copy.mdf";
    let log = "I:\\moved\\Sales_o'copy_log.ldf";
    let before = sim.statements().len();
    let op = restore(&sim, json!({"urls": urls, "database": "Sales_moved", "checksum": true,
        "move": {"Sales": data, "Sales_log": log}})).unwrap();
    let r = &ok_results(&finish(&op))[0];
    let s = r["statements"][0].as_str().unwrap();
    assert!(s.starts_with("RESTORE DATABASE [Sales_moved]"), "{s}");
    assert!(s.contains("MOVE N'Sales' TO N'H:\\moved\\Sales_o''copy.mdf'"), "{s}");
    assert!(s.contains("MOVE N'Sales_log' TO N'I:\\moved\\Sales_o''copy_log.ldf'"), "{s}");
    assert!(s.contains("CHECKSUM"), "{s}");
    // no FILELISTONLY was needed for explicit moves, and the server got exactly this statement
    let sent = &sim.statements()[before..];
    assert!(!sent.iter().any(|q| q.contains("FILELISTONLY")), "{sent:?}");
    assert!(sent.iter().any(|q| q == s), "{sent:?}");
    let files: Vec<String> = r["files"].as_array().unwrap().iter().map(|f| f["physical_name"].as_str().unwrap().to_string()).collect();
    assert_eq!(files, vec![data.to_string(), log.to_string()]);
    assert_eq!(sim.database_state("Sales_moved").as_deref(), Some("ONLINE"));
    let mut phys = sim.database_files("Sales_moved");
    phys.sort();
    assert_eq!(phys, vec![data.to_string(), log.to_string()]);
    assert_eq!(sim.database_state("Sales").as_deref(), Some("ONLINE"));
}

// ---- issue 12: what the documentation says, through the simulator's fidelity knobs ----

/// A differential backup with a low block fill (the simulator writes blocks 5 % full) hits 3063
/// when the caller forces one stripe — and was warned before it started — while the planner's
/// choice (which assumes 20 % fill for a differential and keeps 80 % of the limit) succeeds.
#[test]
fn differential_with_low_block_fill_hits_3063_on_forced_stripes_and_succeeds_with_the_plan() {
    let c = container_name("fill");
    ensure_azurite();
    let blobs = Blobs::new();
    block(blobs.create_container(&c));
    // 150 GiB of data; the simulator's differential is a tenth of it (15 GiB)
    let mut sc = scenario(&c, "Contributor", vec![db("Big", "FULL", 150 * 1024)]);
    sc.throughput_mb_per_s = 1.0e9;
    sc.block_fill.differential = 0.05;
    let sim = Sim::start(sc);
    let container = format!("{ACCOUNT_URL}/{c}");
    ok_results(&finish(&backup(&sim, json!({"databases": ["Big"], "container_url": container}))));

    // forced onto 1 stripe: 15 GiB / (4 MiB × 5 %) = 76,800 blocks > 50,000
    let op = backup(&sim, json!({"databases": ["Big"], "type": "differential", "container_url": container, "stripes": 1}));
    let st = finish(&op);
    assert_eq!(st["state"], "failed", "{st:#}");
    let r = &st["results"][0];
    assert_eq!(r["error"]["kind"], "BlockLimitReached", "{r:#}");
    assert!(r["error"]["sql"].as_array().unwrap().iter().any(|m| m["number"] == 3063), "{r:#}");
    let w = r["warnings"][0].as_str().unwrap_or_else(|| panic!("no warning: {r:#}"));
    assert!(w.contains("1 stripe(s) were requested") && w.contains("3063") && w.contains("20%"), "{w}");
    // the warning was posted before the BACKUP was sent
    let msgs = st["messages"].as_array().unwrap();
    assert!(msgs.iter().any(|m| m.as_str().unwrap().contains("warning: 1 stripe(s) were requested")), "{st:#}");

    // the planner's choice: 150 GiB allocated / 31.25 GiB per blob = 5 stripes (15,360 blocks each here)
    let op = backup(&sim, json!({"databases": ["Big"], "type": "differential", "container_url": container}));
    let r = &ok_results(&finish(&op))[0];
    assert_eq!(r["stripes"], 5, "{r:#}");
    assert_eq!(r["warnings"], json!([]), "{r:#}");
    let reason = r["stripe_reason"].as_str().unwrap();
    assert!(reason.contains("assumed average block fill 20%"), "{reason}");
    for u in urls_of(r) {
        assert!(block(blobs.props(&c, &blob_name(&u, &c))).is_some(), "{u}");
    }
}

/// 3271 is classified by its inner text: TLS and unreachable endpoints are StorageUnreachable
/// (remedy: the network path), never "blob exists"; an existing blob stays BlobExists.
#[test]
fn storage_tls_failure_and_unreachable_endpoint_are_storage_unreachable() {
    let c = container_name("tls");
    ensure_azurite();
    let blobs = Blobs::new();
    block(blobs.create_container(&c));
    let sim = Sim::start(scenario(&c, "Contributor", vec![db("Sales", "FULL", 64)]));
    let container = format!("{ACCOUNT_URL}/{c}");
    for (faults, inner) in [
        (Faults { storage_tls_failure: true, ..Faults::default() }, "SSL/TLS secure channel"),
        (Faults { storage_unreachable: true, ..Faults::default() }, "Unable to connect to the remote server"),
    ] {
        sim.set_faults(faults);
        let st = finish(&backup(&sim, json!({"databases": ["Sales"], "container_url": container})));
        assert_eq!(st["state"], "failed", "{st:#}");
        let e = &st["results"][0]["error"];
        assert_eq!(e["kind"], "StorageUnreachable", "{e:#}");
        assert_eq!(e["category"], "ConnectionError");
        assert_eq!(e["sql"][0]["number"], 3271);
        assert!(e["sql"][0]["message"].as_str().unwrap().contains(inner), "{e:#}");
        let action = e["recommended_action"].as_str().unwrap();
        assert!(action.contains("private endpoint") && action.contains("firewall") && action.contains("proxy"), "{action}");
        assert!(!action.contains("overwrite"), "{action}");
    }
    sim.set_faults(Faults::default());
    let r = &ok_results(&finish(&backup(&sim, json!({"databases": ["Sales"], "container_url": container, "file_name_template": "again.bak"}))))[0];
    assert_eq!(urls_of(r), vec![format!("{container}/again.bak")]);
    let st = finish(&backup(&sim, json!({"databases": ["Sales"], "container_url": container, "file_name_template": "again.bak"})));
    assert_eq!(st["results"][0]["error"]["kind"], "BlobExists", "{st:#}");
}

/// A write failing mid-backup is 3202 (OS error 1117) then 3013: BackupWriteFailed, saying that
/// nothing usable was written. With the leftover-lease switch, the retry meets a leased blob
/// (3271 with the lease text): BlobLeased, not a network problem.
#[test]
fn write_failure_mid_backup_says_nothing_usable_was_written_and_a_leased_leftover_is_blob_leased() {
    let c = container_name("wfail");
    ensure_azurite();
    let blobs = Blobs::new();
    block(blobs.create_container(&c));
    let sim = Sim::start(scenario(&c, "Contributor", vec![db("Sales", "FULL", 64)]));
    let container = format!("{ACCOUNT_URL}/{c}");
    sim.set_faults(Faults { storage_write_fail_at_percent: Some(50), leave_leased_blob_on_failure: true, ..Faults::default() });
    let body = json!({"databases": ["Sales"], "container_url": container, "file_name_template": "sales.bak"});
    let st = finish(&backup(&sim, body.clone()));
    assert_eq!(st["state"], "failed", "{st:#}");
    let e = &st["results"][0]["error"];
    assert_eq!(e["kind"], "BackupWriteFailed", "{e:#}");
    assert_eq!(e["os_error"], 1117, "{e:#}");
    assert_eq!(e["sql"][0]["number"], 3202);
    assert!(e["message"].as_str().unwrap().contains("nothing usable was written"), "{e:#}");
    assert!(e["recommended_action"].as_str().unwrap().contains("nothing usable was written"), "{e:#}");

    sim.set_faults(Faults::default());
    let st = finish(&backup(&sim, body));
    let e = &st["results"][0]["error"];
    assert_eq!(e["kind"], "BlobLeased", "{st:#}");
    assert!(e["sql"][0]["message"].as_str().unwrap().contains("lease"), "{e:#}");
    assert!(e["recommended_action"].as_str().unwrap().contains("break the lease"), "{e:#}");
}

fn finish_date(sim: &Sim, urls: &[String]) -> chrono::NaiveDateTime {
    let h = &header(sim, urls)[0];
    chrono::NaiveDateTime::parse_from_str(h["backup_finish_date"].as_str().unwrap(), "%Y-%m-%dT%H:%M:%S%.f").unwrap()
}

/// STOPAT is read in the server's local time. A runbook in UTC gives the point with `Z`; against a
/// server at UTC+2 the library sends the local time (two hours later, milliseconds kept) and the
/// result shows both forms. A point past the end of the log given: SQL Server's 4322 leaves the
/// database RESTORING, which comes back as a warning.
#[test]
fn stopat_given_in_utc_is_sent_in_the_server_local_time_and_4322_comes_back_as_a_warning() {
    let c = container_name("tz");
    ensure_azurite();
    let blobs = Blobs::new();
    block(blobs.create_container(&c));
    let mut sc = scenario(&c, "Contributor", vec![db("Orders", "FULL", 64)]);
    sc.utc_offset_minutes = 120;
    let sim = Sim::start(sc);
    let container = format!("{ACCOUNT_URL}/{c}");
    let run = |kind: &str| {
        let r = ok_results(&finish(&backup(&sim, json!({"databases": ["Orders"], "type": kind, "container_url": container}))))[0].clone();
        std::thread::sleep(Duration::from_millis(1100));
        urls_of(&r)
    };
    let full = run("full");
    let log1 = run("log");
    let log2 = run("log");
    // a point inside log2, on the server's clock (backup dates are server-local), to the millisecond
    let (t1, t2) = (finish_date(&sim, &log1), finish_date(&sim, &log2));
    let local = t1 + (t2 - t1) / 2;
    let local = chrono::NaiveDateTime::parse_from_str(&local.format("%Y-%m-%dT%H:%M:%S%.3f").to_string(), "%Y-%m-%dT%H:%M:%S%.3f").unwrap();
    let utc = local - chrono::Duration::hours(2);
    let utc_text = utc.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    let local_text = local.format("%Y-%m-%dT%H:%M:%S%.3f").to_string();

    let urls: Vec<String> = full.iter().chain(&log1).chain(&log2).cloned().collect();
    let before = sim.statements().len();
    let op = restore(&sim, json!({"urls": urls, "sequence": true, "database": "Orders_tz", "stop_at": utc_text})).unwrap();
    let r = &ok_results(&finish(&op))[0];
    let sent = &sim.statements()[before..];
    assert!(sent.iter().any(|s| s.contains("DATEPART(TZOFFSET, SYSDATETIMEOFFSET())")), "{sent:?}");
    let last = sent.iter().rev().find(|s| s.starts_with("RESTORE LOG")).unwrap();
    assert!(last.contains(&format!("STOPAT = N'{local_text}'")), "sent {last}, expected the local time {local_text} for {utc_text}");
    assert_eq!(r["stop_at_server_local"], local_text.as_str(), "{r:#}");
    assert_eq!(r["stop_at_utc"], utc_text.as_str(), "{r:#}");
    assert_eq!(r["server_utc_offset_minutes"], 120);
    assert_eq!(r["warnings"], json!([]), "{r:#}");
    assert_eq!(sim.database_state("Orders_tz").as_deref(), Some("ONLINE"));

    // past the end of the one log given (no sequence): the server applies it, sends 4322 and
    // leaves the database RESTORING; the result says so instead of claiming a recovered database
    let op = restore(&sim, json!({"urls": full, "database": "Orders_past", "recovery": false})).unwrap();
    ok_results(&finish(&op));
    let past = (t1 + chrono::Duration::hours(1) - chrono::Duration::hours(2)).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    let op = restore(&sim, json!({"urls": log1, "database": "Orders_past", "stop_at": past})).unwrap();
    let r = &ok_results(&finish(&op))[0];
    let w = r["warnings"][0].as_str().unwrap_or_else(|| panic!("no warning: {r:#}"));
    assert!(w.contains("RESTORING") && w.contains("4322"), "{w}");
    assert!(r["message"].as_str().unwrap().contains("left RESTORING"), "{r:#}");
    assert_eq!(sim.database_state("Orders_past").as_deref(), Some("RESTORING"));
}

/// STOPATMARK / STOPBEFOREMARK on the last log of a sequence; a mark's AFTER time given in UTC
/// is sent in the server's local time. (The backups are taken on one simulated server and restored
/// on a second one that knows the marked transaction: marks are a scenario list.)
#[test]
fn restore_to_a_marked_transaction_with_stopatmark_and_stopbeforemark() {
    let c = container_name("mark");
    ensure_azurite();
    let blobs = Blobs::new();
    block(blobs.create_container(&c));
    let mut sc = scenario(&c, "Contributor", vec![db("Orders", "FULL", 64)]);
    sc.utc_offset_minutes = 60;
    let sim = Sim::start(sc.clone());
    let container = format!("{ACCOUNT_URL}/{c}");
    let run = |kind: &str| {
        let r = ok_results(&finish(&backup(&sim, json!({"databases": ["Orders"], "type": kind, "container_url": container}))))[0].clone();
        std::thread::sleep(Duration::from_millis(1100));
        urls_of(&r)
    };
    let full = run("full");
    let log1 = run("log");
    let log2 = run("log");
    let (t1, t2) = (finish_date(&sim, &log1), finish_date(&sim, &log2));
    let mark_time = t1 + (t2 - t1) / 2;
    let urls: Vec<String> = full.iter().chain(&log1).chain(&log2).cloned().collect();

    sc.marks = vec![sqlsim::scenario::Mark { database: "Orders".into(), name: "PriceUpdate".into(), time: mark_time.format("%Y-%m-%dT%H:%M:%S%.3f").to_string() }];
    let sim2 = Sim::start(sc);
    let op = restore(&sim2, json!({"urls": urls, "sequence": true, "database": "Orders_at", "stop_at_mark": "PriceUpdate"})).unwrap();
    let r = &ok_results(&finish(&op))[0];
    let last = r["steps"][2]["statement"].as_str().unwrap();
    assert!(last.starts_with("RESTORE LOG [Orders_at]") && last.ends_with("WITH RECOVERY, STOPATMARK = N'PriceUpdate', STATS = 10"), "{last}");
    assert!(!r["steps"][1]["statement"].as_str().unwrap().contains("MARK"), "{r:#}");
    assert_eq!(sim2.database_state("Orders_at").as_deref(), Some("ONLINE"));
    assert_eq!(r["warnings"], json!([]), "{r:#}");

    // STOPBEFOREMARK ... AFTER, the AFTER time in UTC: sent as the server's local time (UTC+1)
    let after_local = t1 - chrono::Duration::seconds(1);
    let after_local = chrono::NaiveDateTime::parse_from_str(&after_local.format("%Y-%m-%dT%H:%M:%S").to_string(), "%Y-%m-%dT%H:%M:%S").unwrap();
    let after_utc = (after_local - chrono::Duration::hours(1)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let op = restore(&sim2, json!({"urls": urls, "sequence": true, "database": "Orders_before", "stop_before_mark": "PriceUpdate", "stop_mark_after": after_utc})).unwrap();
    let r = &ok_results(&finish(&op))[0];
    let expected = format!("STOPBEFOREMARK = N'PriceUpdate' AFTER N'{}.000'", after_local.format("%Y-%m-%dT%H:%M:%S"));
    let sent = sim2.statements();
    assert!(sent.iter().any(|s| s.starts_with("RESTORE LOG [Orders_before]") && s.contains(&expected)), "expected {expected} in {sent:?}");
    assert_eq!(r["server_utc_offset_minutes"], 60, "{r:#}");
    assert_eq!(sim2.database_state("Orders_before").as_deref(), Some("ONLINE"));
}
