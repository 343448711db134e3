//! The restore drill (issue 15) end to end: backups written by the library (with catalog
//! metadata) into Azurite through the simulator, then `sqlurl_restore_drill_start`: the newest
//! chain restored under a scratch name with relocated files, DBCC CHECKDB, DROP DATABASE —
//! also after a failed restore. The statement log is the witness. Also: blobs of other tools read
//! through RESTORE HEADERONLY when the catalog listing is given a server.
#![cfg(not(windows))]

#[path = "sqlsim/tests/backup_support/mod.rs"]
mod backup_support;
mod common;

use std::time::Duration;

use backup_support::{container_name, db, scenario, Blobs, ACCOUNT_URL};
use serde_json::{json, Value};
use sqlurl::operation::Operation;

use common::azurite::ensure_azurite;

struct Sim {
    server: sqlsim::SimHandle,
    rt: tokio::runtime::Runtime,
}

impl Sim {
    fn start(sc: sqlsim::scenario::Scenario) -> Sim {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let server = rt.block_on(sqlsim::start(sc)).expect("start sqlsim");
        Sim { server, rt }
    }
    fn connection(&self) -> Value {
        json!({"server": format!("127.0.0.1,{}", self.server.port()), "auth": {"kind": "sql", "user": "sa", "password": "Sim-Passw0rd!"},
               "ca_file": self.server.ca_pem_path.to_string_lossy(), "connect_timeout_s": 15})
    }
    fn statements(&self) -> Vec<String> {
        self.server.statement_log().into_iter().map(|s| s.text).collect()
    }
    fn databases(&self) -> Vec<String> {
        self.server.state.lock().databases.iter().map(|d| d.name.clone()).collect()
    }
}

fn block<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

fn finish(op: &Operation) -> Value {
    let (st, done) = op.wait(Duration::from_secs(240));
    assert!(done, "operation did not finish within the bound");
    serde_json::to_value(&st).unwrap()
}

/// A container with the simulator's credential, and the storage JSON the library lists it with.
fn setup(tag: &str, dbs: Vec<sqlsim::scenario::Database>) -> (Sim, String, Value) {
    setup_at(tag, dbs, 1.0e9)
}

/// As [`setup`], with the simulator's backup/restore throughput.
fn setup_at(tag: &str, dbs: Vec<sqlsim::scenario::Database>, mb_per_s: f64) -> (Sim, String, Value) {
    let c = container_name(tag);
    ensure_azurite();
    block(Blobs::new().create_container(&c));
    let mut sc = scenario(&c, "Contributor", dbs);
    sc.throughput_mb_per_s = mb_per_s;
    let sim = Sim::start(sc);
    let az = backup_support::azurite();
    let storage = json!({"container_url": format!("{ACCOUNT_URL}/{c}"), "endpoint": az.endpoint, "ca_file": az.ca,
        "auth": {"kind": "sas", "sas": backup_support::account_sas("rwl")}});
    (sim, c, storage)
}

/// A backup through the library (which writes the catalog metadata); returns its result.
fn backup(sim: &Sim, storage: &Value, databases: &[&str], kind: &str) -> Vec<Value> {
    let req = json!({"connection": sim.connection(), "databases": databases, "type": kind, "container_url": storage["container_url"], "storage": storage});
    let op = sqlurl::ops::backup::start(serde_json::from_value(req).unwrap()).unwrap();
    let st = finish(&op);
    assert_eq!(st["state"], "succeeded", "{st:#}");
    st["results"].as_array().unwrap().clone()
}

fn drill(sim: &Sim, storage: &Value, databases: &[&str], extra: Value) -> Value {
    let mut req = json!({"connection": sim.connection(), "storage": storage, "databases": databases});
    for (k, v) in extra.as_object().unwrap() {
        req[k] = v.clone();
    }
    let op = sqlurl::ops::drill::start(serde_json::from_value(req).unwrap()).unwrap();
    finish(&op)
}

#[test]
fn two_databases_drill_in_parallel_restore_relocated_check_clean_and_drop() {
    // restores take a noticeable time (64 MB at 100 MB/s), so the two drills overlap visibly
    let (sim, _c, storage) = setup_at("drill", vec![db("Sales", "FULL", 64), db("HR", "FULL", 32)], 100.0);
    backup(&sim, &storage, &["Sales", "HR"], "full");
    let logs = backup(&sim, &storage, &["Sales"], "log");
    let st = drill(&sim, &storage, &["Sales", "HR"], json!({"throttle": 2}));
    assert_eq!(st["state"], "succeeded", "{st:#}");
    assert_eq!(st["kind"], "drill");
    let res = st["results"].as_array().unwrap();
    let sales = &res[0];
    assert_eq!(sales["database"], "Sales", "{sales:#}");
    let scratch = sales["scratch_database"].as_str().unwrap();
    assert!(scratch.starts_with("SqlUrlDrill_Sales_") && scratch.len() == "SqlUrlDrill_Sales_".len() + 8, "{scratch}");
    assert_eq!((sales["backup_sets"].as_u64(), sales["checkdb"].as_str(), sales["dropped"].as_bool()), (Some(2), Some("clean"), Some(true)), "{sales:#}");
    assert_eq!(sales["checkdb_messages"], json!([]));
    assert!(sales["restore_seconds"].as_f64().is_some() && sales["checkdb_seconds"].as_f64().is_some());
    assert!(sales["full_finish"].is_string() && sales["restore_point"].is_string());
    assert_eq!(sales["urls"].as_array().unwrap().last().unwrap(), &logs[0]["urls"][0]);
    // every file relocated under the scratch name, never onto Sales' own files
    let files = sales["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert!(files.iter().all(|f| f["physical_name"].as_str().unwrap().contains(scratch)), "{files:?}");
    assert_eq!(res[1]["database"], "HR");
    assert_eq!((res[1]["backup_sets"].as_u64(), res[1]["checkdb"].as_str()), (Some(1), Some("clean")));

    let log = sim.statements();
    let q = format!("[{scratch}]");
    let restore_at = log.iter().position(|s| s.starts_with(&format!("RESTORE DATABASE {q}")) && s.contains("MOVE")).expect("RESTORE DATABASE with MOVE");
    let log_at = log.iter().position(|s| s.starts_with(&format!("RESTORE LOG {q}"))).expect("RESTORE LOG");
    let check_at = log.iter().position(|s| s == &format!("DBCC CHECKDB ({q}) WITH NO_INFOMSGS, ALL_ERRORMSGS")).expect("CHECKDB");
    let drop_at = log.iter().position(|s| s == &format!("DROP DATABASE {q}")).expect("DROP DATABASE");
    assert!(restore_at < log_at && log_at < check_at && check_at < drop_at);
    // in parallel (throttle 2): both copies were being restored before the first CHECKDB ran
    let first_check = log.iter().position(|s| s.starts_with("DBCC CHECKDB")).unwrap();
    let hr_restore = log.iter().position(|s| s.starts_with("RESTORE DATABASE [SqlUrlDrill_HR_")).expect("HR restored");
    assert!(restore_at < first_check && hr_restore < first_check, "{log:#?}");
    assert_eq!(sales["statements"].as_array().unwrap().last().unwrap(), &json!(format!("DROP DATABASE {q}")));
    let dbs = sim.databases();
    assert!(dbs.iter().all(|d| !d.starts_with("SqlUrlDrill_")), "{dbs:?}");
    assert!(dbs.iter().any(|d| d == "Sales") && dbs.iter().any(|d| d == "HR"));
}

#[test]
fn planted_corruption_is_reported_with_the_checkdb_messages_and_the_copy_is_dropped() {
    let mut sales = db("Sales", "FULL", 64);
    sales.corrupt = true;
    let (sim, _c, storage) = setup("drillbad", vec![sales]);
    backup(&sim, &storage, &["Sales"], "full");
    let st = drill(&sim, &storage, &["Sales"], json!({}));
    assert_eq!(st["state"], "failed", "{st:#}");
    let r = &st["results"][0];
    assert_eq!(r["checkdb"], "corruption_found", "{r:#}");
    let numbers: Vec<u64> = r["checkdb_messages"].as_array().unwrap().iter().map(|m| m["number"].as_u64().unwrap()).collect();
    // the errors (class 16) of the damaged page; the summary 8989 and 8958 are informational
    assert_eq!(numbers, vec![8928, 8939], "{r:#}");
    assert!(r["checkdb_messages"][0]["message"].as_str().unwrap().contains("could not be processed"));
    assert_eq!(r["error"]["kind"], "DatabaseCorrupt");
    assert_eq!(r["error"]["database"], "Sales");
    assert!(r["error"]["recommended_action"].is_string());
    assert_eq!(r["dropped"], true);
    let scratch = r["scratch_database"].as_str().unwrap();
    assert!(sim.statements().contains(&format!("DROP DATABASE [{scratch}]")));
    assert!(!sim.databases().iter().any(|d| d == scratch));
}

#[test]
fn a_failed_restore_still_drops_the_copy_and_a_dry_run_sends_nothing() {
    let (sim, c, storage) = setup("drillfail", vec![db("Sales", "FULL", 64)]);
    backup(&sim, &storage, &["Sales"], "full");
    let logs = backup(&sim, &storage, &["Sales"], "log");
    // damage the log's payload (header intact: the chain and HEADERONLY still work, RESTORE LOG
    // fails after the full was restored WITH NORECOVERY), keeping its catalog metadata
    let url = logs[0]["urls"][0].as_str().unwrap().to_string();
    let name = url.split_once(&format!("/{c}/")).unwrap().1.to_string();
    let st: sqlurl::api_catalog::StorageRequest = serde_json::from_value(storage.clone()).unwrap();
    let target = st.target();
    let mut meta = None;
    block(sqlurl::storage::list::list(&target, None, None, |page| {
        for b in page {
            if b.name == name {
                meta = Some(b.metadata);
            }
        }
    }))
    .unwrap();
    let state = sim.server.state.clone();
    sim.rt.block_on(async move { sqlsim::backup::admin::corrupt_blob(&state, &url, sqlsim::backup::admin::Damage::Payload).await }).expect("damage");
    block(sqlurl::storage::list::set_metadata(&target, &name, &meta.unwrap())).unwrap();

    let before = sim.statements().len();
    let dry = drill(&sim, &storage, &["Sales"], json!({"dry_run": true}));
    assert_eq!(dry["state"], "succeeded", "{dry:#}");
    assert_eq!(dry["results"][0]["backup_sets"], 2);
    assert!(dry["results"][0]["statements"][0].as_str().unwrap().starts_with("DBCC CHECKDB"));
    assert_eq!(sim.statements().len(), before, "a dry run sends nothing to the server");

    let st = drill(&sim, &storage, &["Sales"], json!({}));
    assert_eq!(st["state"], "failed", "{st:#}");
    let r = &st["results"][0];
    assert_eq!(r["checkdb"], "not_run", "{r:#}");
    assert!(r["error"]["statement"].as_str().unwrap_or("").starts_with("RESTORE LOG"), "{r:#}");
    assert_eq!(r["dropped"], true);
    let scratch = r["scratch_database"].as_str().unwrap();
    let log = sim.statements();
    assert!(log.contains(&format!("DROP DATABASE [{scratch}]")), "{log:#?}");
    assert!(!log.iter().any(|s| s.starts_with("DBCC CHECKDB")));
    assert!(!sim.databases().iter().any(|d| d == scratch));
}

#[test]
fn invalid_drill_requests_say_why() {
    let conn = r#"{"server":"127.0.0.1,1","auth":{"kind":"sql","user":"sa","password":"x"}}"#;
    let st = r#"{"container_url":"https://acct.blob.core.windows.net/ctr","auth":{"kind":"sas","sas":"sv=x"}}"#;
    for (body, needle) in [
        (format!(r#"{{"connection":{conn},"storage":{st},"databases":[]}}"#), "databases is empty"),
        (format!(r#"{{"connection":{conn},"storage":{st},"databases":["a","A"]}}"#), "twice"),
        (format!(r#"{{"connection":{conn},"storage":{st},"databases":["a"],"throttle":0}}"#), "throttle"),
        (format!(r#"{{"connection":{conn},"storage":{st},"databases":["a"],"point_in_time":"soon"}}"#), "soon"),
        (format!(r#"{{"connection":{conn},"storage":{st},"databases":["a"],"replace":true}}"#), "replace"),
    ] {
        let e = sqlurl::api::parse_request::<sqlurl::ops::drill::RestoreDrillRequest>(&body).and_then(sqlurl::ops::drill::start).err().expect(needle);
        assert!(e.to_string().contains(needle), "{body}: {e}");
    }
}

/// Issue 15, foreign blobs: a backup written without catalog metadata (as another tool would)
/// is read through RESTORE HEADERONLY on the server given and listed as a set like the others;
/// a blob that is no backup stays unknown with the server's reason; without a server both stay
/// unknown.
#[test]
fn blobs_of_other_tools_are_read_through_headeronly_when_a_server_is_given() {
    let (sim, c, storage) = setup("foreign", vec![db("Sales", "FULL", 64)]);
    backup(&sim, &storage, &["Sales"], "full");
    // no `storage` in the request: no metadata, as another tool's backup
    // (striped over two blobs: HEADERONLY reads each member, LABELONLY's family numbers group them)
    let req = json!({"connection": sim.connection(), "databases": ["Sales"], "type": "log", "stripes": 2, "container_url": storage["container_url"]});
    let op = sqlurl::ops::backup::start(serde_json::from_value(req).unwrap()).unwrap();
    let st = finish(&op);
    let foreign_urls = st["results"][0]["urls"].clone();
    assert_eq!(foreign_urls.as_array().unwrap().len(), 2);
    block(Blobs::new().put(&c, "other-tool/not-a-backup.bak", vec![1u8; 4096]));

    let list = |with_server: bool| {
        let mut req = json!({"storage": storage});
        if with_server {
            req["connection"] = sim.connection();
        }
        let r = block(sqlurl::storage::catalog::list(serde_json::from_value(req).unwrap())).expect("list");
        serde_json::to_value(r).unwrap()
    };
    let plain = list(false);
    assert_eq!(plain["sets"].as_array().unwrap().len(), 1, "{plain:#}");
    assert_eq!(plain["unknown"].as_array().unwrap().len(), 3);

    let before = sim.statements().len();
    let read = list(true);
    let sets = read["sets"].as_array().unwrap();
    assert_eq!(sets.len(), 2, "{read:#}");
    let log = sets.iter().find(|s| s["type"] == "log").expect("the foreign log backup as a set");
    assert_eq!((log["source"].as_str(), log["database"].as_str(), log["complete"].as_bool()), (Some("headeronly"), Some("Sales"), Some(true)), "{log:#}");
    assert_eq!(log["urls"], foreign_urls, "both stripes, in stripe order: {log:#}");
    assert_eq!(log["stripes"], 2);
    assert!(log["first_lsn"].as_str().unwrap().parse::<u128>().is_ok());
    assert_eq!(sets.iter().find(|s| s["type"] == "full").unwrap()["source"], "metadata");
    let unknown = read["unknown"].as_array().unwrap();
    assert_eq!(unknown.len(), 1);
    assert!(unknown[0]["url"].as_str().unwrap().ends_with("/other-tool/not-a-backup.bak"));
    assert!(unknown[0]["reason"].as_str().unwrap().contains("RESTORE HEADERONLY on 127.0.0.1"), "{unknown:#?}");
    let headeronly: Vec<String> = sim.statements()[before..].iter().filter(|s| s.starts_with("RESTORE HEADERONLY")).cloned().collect();
    assert_eq!(headeronly.len(), 3, "one HEADERONLY per unknown blob: {headeronly:#?}");
    let labelonly = sim.statements()[before..].iter().filter(|s| s.starts_with("RESTORE LABELONLY")).count();
    assert_eq!(labelonly, 2, "one LABELONLY per blob HEADERONLY read");
    // the chain planner (no server) still sees only what carries metadata; filters apply to read sets
    let mut req = json!({"storage": storage, "connection": sim.connection(), "type": "log"});
    req["database"] = json!("sales");
    let r = serde_json::to_value(block(sqlurl::storage::catalog::list(serde_json::from_value(req).unwrap())).unwrap()).unwrap();
    assert_eq!(r["sets"].as_array().unwrap().len(), 1);
}

fn take(s: *mut std::ffi::c_char) -> Value {
    assert!(!s.is_null());
    // SAFETY: `s` is a string the library returned, freed exactly once here.
    let text = unsafe { std::ffi::CStr::from_ptr(s) }.to_str().unwrap().to_string();
    // SAFETY: as above.
    unsafe { sqlurl::ffi::sqlurl_string_free(s) };
    assert!(!text.contains("Sim-Passw0rd!"), "secret leaked: {text}");
    serde_json::from_str(&text).unwrap()
}

/// Through the C ABI: a drill cancelled while its RESTORE runs still drops the copy (on a
/// connection of its own) and reports Cancelled; invalid requests fail at start with no handle.
#[test]
fn a_cancelled_drill_still_drops_its_copy_through_the_c_abi() {
    use sqlurl::ffi::catalog::sqlurl_restore_drill_start;
    use sqlurl::ffi::operation::{sqlurl_operation_cancel, sqlurl_operation_free, sqlurl_operation_poll, sqlurl_operation_wait, SqlurlOperation};
    use sqlurl::ffi::SqlurlResult;
    let (fast, c, storage) = setup("drillcancel", vec![db("Archive", "FULL", 3000)]);
    backup(&fast, &storage, &["Archive"], "full");
    let mut sc = scenario(&c, "Contributor", vec![]);
    sc.throughput_mb_per_s = 50.0; // the restore would take about a minute
    let slow = Sim::start(sc);
    let start = |body: Value| {
        let req = std::ffi::CString::new(body.to_string()).unwrap();
        let mut op: *mut SqlurlOperation = std::ptr::null_mut();
        let mut out: *mut std::ffi::c_char = std::ptr::null_mut();
        // SAFETY: a live C string and &mut locals valid for the call.
        let rc = unsafe { sqlurl_restore_drill_start(req.as_ptr(), &mut op, &mut out) };
        (rc, op, take(out))
    };
    let (rc, op, v) = start(json!({"connection": slow.connection(), "storage": storage, "databases": []}));
    assert_eq!((rc, op.is_null()), (SqlurlResult::SQLURL_ERROR_INVALID_ARGUMENT, true));
    assert!(v["error"]["message"].as_str().unwrap().contains("databases is empty"));

    let (rc, op, first) = start(json!({"connection": slow.connection(), "storage": storage, "databases": ["Archive"]}));
    assert_eq!(rc, SqlurlResult::SQLURL_OK, "{first}");
    assert_eq!(first["kind"], "drill");
    let poll = || {
        let mut out = std::ptr::null_mut();
        // SAFETY: `op` is the live handle started above; `out` a &mut local.
        assert_eq!(unsafe { sqlurl_operation_poll(op, &mut out) }, SqlurlResult::SQLURL_OK);
        take(out)
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while std::time::Instant::now() < deadline && poll()["items"][0]["percent_complete"].as_f64().unwrap_or(0.0) <= 0.0 {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(slow.statements().iter().any(|s| s.starts_with("RESTORE DATABASE [SqlUrlDrill_Archive_")), "the restore started");
    // SAFETY: the live handle.
    assert_eq!(unsafe { sqlurl_operation_cancel(op) }, SqlurlResult::SQLURL_OK);
    let mut out = std::ptr::null_mut();
    // SAFETY: the live handle; `out` a &mut local.
    assert_eq!(unsafe { sqlurl_operation_wait(op, 120_000, &mut out) }, SqlurlResult::SQLURL_OK);
    let st = take(out);
    // SAFETY: the handle, freed once, not used after.
    unsafe { sqlurl_operation_free(op) };
    assert_eq!(st["state"], "cancelled", "{st:#}");
    let r = &st["results"][0];
    assert_eq!((r["database"].as_str(), r["checkdb"].as_str(), r["error"]["kind"].as_str()), (Some("Archive"), Some("not_run"), Some("Cancelled")), "{r:#}");
    assert_eq!(r["dropped"], true, "{r:#}");
    let scratch = r["scratch_database"].as_str().unwrap();
    assert!(!slow.databases().iter().any(|d| d == scratch), "the copy is gone");
    // after the cancel the drill still looked for the copy on a connection of its own (the
    // simulator removes a new database whose first RESTORE was cancelled, so there was nothing
    // to drop; a copy left RESTORING is dropped, as the failed-restore test shows)
    let log = slow.statements();
    let cancelled_at = log.iter().position(|s| s.starts_with(&format!("RESTORE DATABASE [{scratch}]"))).unwrap();
    assert!(log[cancelled_at..].contains(&format!("SELECT name, state_desc FROM sys.databases WHERE name = N'{scratch}'")), "{log:#?}");
}

/// A drill to a point in time: the chain ends with the log that covers the point and the last
/// RESTORE LOG carries STOPAT; the restore point reported is that point.
#[test]
fn a_drill_to_a_point_in_time_stops_there() {
    let (sim, _c, storage) = setup("drillpit", vec![db("Sales", "FULL", 64)]);
    backup(&sim, &storage, &["Sales"], "full");
    std::thread::sleep(Duration::from_millis(1100)); // the point lies after the full's finish
    let log1 = backup(&sim, &storage, &["Sales"], "log");
    std::thread::sleep(Duration::from_millis(1100));
    backup(&sim, &storage, &["Sales"], "log");
    // the first log's finish, server-local, from its header
    let req: sqlurl::ops::inspect::InspectRequest = serde_json::from_value(json!({"connection": sim.connection(), "urls": log1[0]["urls"]})).unwrap();
    let h = serde_json::to_value(sqlurl::runtime::block_on(sqlurl::ops::inspect::header(req)).unwrap()).unwrap();
    let finish = h["headers"][0]["backup_finish_date"].as_str().unwrap().to_string();
    let point = chrono::NaiveDateTime::parse_from_str(&finish[..19], "%Y-%m-%dT%H:%M:%S").unwrap() - chrono::Duration::milliseconds(1);
    let point = point.format("%Y-%m-%dT%H:%M:%S%.3f").to_string();
    let st = drill(&sim, &storage, &["Sales"], json!({"point_in_time": point}));
    assert_eq!(st["state"], "succeeded", "{st:#}");
    let r = &st["results"][0];
    assert_eq!(r["restore_point"].as_str(), Some(point.as_str()), "{r:#}");
    assert_eq!(r["backup_sets"], 2, "full + the log that covers the point: {r:#}");
    let stmts: Vec<&str> = r["statements"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    let last_log = stmts.iter().rfind(|s| s.starts_with("RESTORE LOG")).unwrap();
    assert!(last_log.contains(&format!("STOPAT = N'{point}'")), "{last_log}");
}
