//! BACKUP TO URL / RESTORE FROM URL through tiberius (TLS, SQL login) against the simulator and
//! Azurite. Blobs are checked with the independent REST client in `backup_support`.
//! (tiberius shows only the first error of a failed request; the complete sequences with 3013
//! are checked in `backup_engine.rs` and by the python-tds test.)

mod backup_support;

use std::time::Duration;

use backup_support::*;
use sqlsim::scenario::Scenario;




async fn start(sc: Scenario) -> sqlsim::SimHandle {
    sqlsim::start(sc).await.expect("start sqlsim")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_headers_verify_restore_with_move_through_tiberius() {
    let blobs = Blobs::new();
    let c = container_name("tds");
    blobs.create_container(&c).await;
    let sim = start(scenario(&c, "Contributor", vec![db("Sales", "FULL", 32)])).await;
    let mut cl = connect(&sim).await;
    let url = blob_url(&c, "Sales.bak");

    run(&mut cl, &format!("BACKUP DATABASE [Sales] TO URL = N'{url}' WITH COMPRESSION, CHECKSUM, FORMAT, STATS = 10")).await.unwrap();
    let p = blobs.props(&c, "Sales.bak").await.expect("committed blob in Azurite");
    assert_eq!(p.lease_state, "available");
    assert!(blobs.committed_blocks(&c, "Sales.bak").await.unwrap() >= 2);

    let rows = run(&mut cl, &format!("RESTORE HEADERONLY FROM URL = N'{url}'")).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get::<&str, _>("DatabaseName"), Some("Sales"));
    assert_eq!(rows[0].get::<i16, _>("BackupType"), Some(1));
    assert_eq!(rows[0].get::<&str, _>("BackupTypeDescription"), Some("Database"));
    assert_eq!(rows[0].get::<bool, _>("IsCopyOnly"), Some(false));
    let first: tiberius::numeric::Numeric = rows[0].get("FirstLSN").unwrap();
    let last: tiberius::numeric::Numeric = rows[0].get("LastLSN").unwrap();
    assert!(first.value() < last.value());

    let rows = run(&mut cl, &format!("RESTORE FILELISTONLY FROM URL = N'{url}'")).await.unwrap();
    let names: Vec<&str> = rows.iter().filter_map(|r| r.get::<&str, _>("LogicalName")).collect();
    assert_eq!(names, vec!["Sales", "Sales_log"]);

    run(&mut cl, &format!("RESTORE VERIFYONLY FROM URL = N'{url}' WITH CHECKSUM")).await.unwrap();

    // New database from the backup, files moved.
    run(
        &mut cl,
        &format!(
            "RESTORE DATABASE [Sales2] FROM URL = N'{url}' WITH MOVE N'Sales' TO N'F:\\data\\Sales2.mdf', MOVE N'Sales_log' TO N'G:\\log\\Sales2_log.ldf', RECOVERY, STATS = 25"
        ),
    )
    .await
    .unwrap();
    let g = sim.state.lock();
    let d = g.database("Sales2").expect("restored database in the server state");
    assert_eq!(d.state, "ONLINE");
    assert_eq!(d.files[0].physical_name, "F:\\data\\Sales2.mdf");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_carry_sql_server_numbers_through_tiberius() {
    let blobs = Blobs::new();
    let c = container_name("tdsfail");
    blobs.create_container(&c).await;
    let mut big = db("Big", "FULL", 1024 * 1024);
    big.in_use = false;
    let sim = start(scenario(&c, "Contributor", vec![db("Sales", "FULL", 16), db("Simple", "SIMPLE", 8), big])).await;
    let mut cl = connect(&sim).await;
    let u = |n: &str| blob_url(&c, n);

    let (n, m) = run(&mut cl, &format!("BACKUP LOG Sales TO URL = '{}'", u("l.trn"))).await.unwrap_err();
    assert_eq!((n, m.as_str()), (4214, "BACKUP LOG cannot be performed because there is no current database backup."));
    let (n, _) = run(&mut cl, &format!("BACKUP LOG Simple TO URL = '{}'", u("s.trn"))).await.unwrap_err();
    assert_eq!(n, 4208);
    let (n, m) = run(&mut cl, &format!("BACKUP DATABASE Big TO URL = '{}' WITH MAXTRANSFERSIZE = 4194304", u("big.bak"))).await.unwrap_err();
    assert_eq!(n, 3063, "{m}");
    assert!(blobs.props(&c, "big.bak").await.is_none());

    run(&mut cl, &format!("BACKUP DATABASE Sales TO URL = '{}'", u("f.bak"))).await.unwrap();
    let (n, m) = run(&mut cl, &format!("BACKUP DATABASE Sales TO URL = '{}'", u("f.bak"))).await.unwrap_err();
    assert_eq!(n, 3271, "{m}");
    let (n, m) = run(&mut cl, &format!("RESTORE DATABASE Sales FROM URL = '{}'", u("f.bak"))).await.unwrap_err();
    assert_eq!(n, 3159, "{m}");
    let (n, m) = run(&mut cl, &format!("RESTORE DATABASE Other FROM URL = '{}'", u("f.bak"))).await.unwrap_err();
    assert_eq!((n, m.as_str()), (1834, "The file 'F:\\data\\Sales.mdf' cannot be overwritten.  It is being used by database 'Sales'."));
    let (n, m) = run(&mut cl, &format!("RESTORE HEADERONLY FROM URL = '{}'", u("missing.bak"))).await.unwrap_err();
    assert_eq!(
        (n, m),
        (3201, format!("Cannot open backup device '{}'. Operating system error 2(The system cannot find the file specified.).", u("missing.bak")))
    );
    let (n, _) = run(&mut cl, &format!("BACKUP DATABASE Sales TO URL = '{}' WITH SKIP", u("g.bak"))).await.unwrap_err();
    assert_eq!(n, 3032);

    // The connection is still usable after all these failures.
    run(&mut cl, &format!("RESTORE LABELONLY FROM URL = '{}'", u("f.bak"))).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_from_another_connection_and_attention_cancels() {
    let blobs = Blobs::new();
    let c = container_name("tdsprog");
    blobs.create_container(&c).await;
    let mut sc = scenario(&c, "Contributor", vec![db("Slow", "FULL", 96)]);
    sc.throughput_mb_per_s = 32.0; // ~3 s
    let sim = start(sc).await;
    let mut a = connect(&sim).await;
    let mut b = connect(&sim).await;
    let spid: i16 = run(&mut a, "SELECT CAST(@@SPID AS smallint) AS spid").await.unwrap()[0].get("spid").unwrap();
    let url = blob_url(&c, "slow.bak");

    // Connection A runs the backup; B watches sys.dm_exec_requests.
    let sql = format!("BACKUP DATABASE Slow TO URL = '{url}' WITH STATS = 5");
    let backup = tokio::spawn(async move {
        let r = run(&mut a, &sql).await;
        (a, r)
    });
    let mut seen = Vec::new();
    for _ in 0..100 {
        let rows = run(&mut b, &format!("SELECT percent_complete, command FROM sys.dm_exec_requests WHERE session_id = {spid}")).await.unwrap();
        if let Some(r) = rows.first() {
            let pc: f32 = r.get("percent_complete").unwrap();
            seen.push(pc);
        }
        if backup.is_finished() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (mut a, r) = backup.await.unwrap();
    r.unwrap();
    assert!(seen.iter().any(|p| *p > 0.0 && *p < 100.0), "saw progress {seen:?}");
    assert!(blobs.props(&c, "slow.bak").await.is_some());

    // ATTENTION: start a backup, give up waiting after ~1 s, cancel; nothing is committed.
    let url2 = blob_url(&c, "cancelled.bak");
    let sql = format!("BACKUP DATABASE Slow TO URL = '{url2}'");
    let timed_out = tokio::time::timeout(Duration::from_millis(1000), async {
        let s = a.simple_query(sql).await?;
        s.into_results().await
    })
    .await;
    assert!(timed_out.is_err(), "the backup should still be running after 1 s");
    tokio::time::timeout(Duration::from_secs(10), a.cancel_query()).await.expect("attention acknowledged").unwrap();
    assert!(blobs.props(&c, "cancelled.bak").await.is_none(), "no committed blob after ATTENTION");
    // The connection is reusable and the request row is gone.
    let rows = run(&mut b, &format!("SELECT session_id FROM sys.dm_exec_requests WHERE session_id = {spid}")).await.unwrap();
    assert!(rows.is_empty(), "request row gone after ATTENTION");
    run(&mut a, "SELECT 1 AS one").await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn managed_identity_role_and_network_through_tiberius() {
    let blobs = Blobs::new();
    let c = container_name("tdsrole");
    blobs.create_container(&c).await;
    let mut sc = scenario(&c, "Reader", vec![db("Sales", "FULL", 8)]);
    let sim = start(sc.clone()).await;
    let mut cl = connect(&sim).await;
    let url = blob_url(&c, "r.bak");
    let (n, m) = run(&mut cl, &format!("BACKUP DATABASE Sales TO URL = '{url}'")).await.unwrap_err();
    assert_eq!((n, m), (3201, format!("Cannot open backup device '{url}'. Operating system error 5(Access is denied.).")));
    drop(cl);
    drop(sim);
    sc.storage[0].managed_identity_role = "Contributor".into();
    sc.storage[0].network_blocked = true;
    let sim = start(sc).await;
    let mut cl = connect(&sim).await;
    let (n, _) = run(&mut cl, &format!("BACKUP DATABASE Sales TO URL = '{url}'")).await.unwrap_err();
    assert_eq!(n, 3201);
    assert!(blobs.list(&c).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drop_connection_fault_closes_the_session_without_commit() {
    let blobs = Blobs::new();
    let c = container_name("tdsdrop");
    blobs.create_container(&c).await;
    let mut sc = scenario(&c, "Contributor", vec![db("Slow", "FULL", 64)]);
    sc.throughput_mb_per_s = 64.0; // ~1 s
    sc.faults.drop_connection_at_percent = Some(50);
    let sim = start(sc).await;
    let mut cl = connect(&sim).await;
    let url = blob_url(&c, "drop.bak");
    let r = tokio::time::timeout(Duration::from_secs(30), async {
        let s = cl.simple_query(format!("BACKUP DATABASE Slow TO URL = '{url}' WITH STATS = 10")).await?;
        s.into_results().await
    })
    .await
    .expect("the client notices the dropped connection");
    match r {
        Err(tiberius::error::Error::Server(e)) => panic!("expected a dropped connection, got server error {e:?}"),
        Err(_) => {}
        Ok(_) => panic!("the backup should not succeed"),
    }
    assert!(blobs.props(&c, "drop.bak").await.is_none(), "no committed blob after the drop");
    assert!(blobs.list(&c).await.is_empty());
}

/// The remaining documented failures of issue 3, over TDS through tiberius (backup_engine.rs checks
/// them at the executor): exact number and text of the first error of each request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_failures_and_damaged_blobs_through_tiberius() {
    use sqlsim::backup::admin::{corrupt_blob, Damage};
    let blobs = Blobs::new();
    let c = container_name("tdsrst");
    blobs.create_container(&c).await;
    let mut other = db("Other", "FULL", 8);
    other.in_use = true;
    let sim = start(scenario(&c, "Contributor", vec![db("Src", "FULL", 16), other])).await;
    let mut cl = connect(&sim).await;
    let u = |n: &str| blob_url(&c, n);

    // No credential for the container.
    let nocred = blob_url(&format!("{c}x"), "d.bak");
    let (n, m) = run(&mut cl, &format!("BACKUP DATABASE Src TO URL = '{nocred}'")).await.unwrap_err();
    assert_eq!((n, m), (3201, format!("Cannot open backup device '{nocred}'. Operating system error 50(The request is not supported.).")));
    // Differential without a base.
    let (n, _) = run(&mut cl, &format!("BACKUP DATABASE Src TO URL = '{}' WITH DIFFERENTIAL", u("d0.bak"))).await.unwrap_err();
    assert_eq!(n, 3035);

    for (verb, name) in [("DATABASE", "f.bak"), ("LOG", "l1.trn"), ("LOG", "l2.trn"), ("DATABASE", "p.bak"), ("DATABASE", "h.bak"), ("DATABASE", "t.bak")] {
        run(&mut cl, &format!("BACKUP {verb} Src TO URL = '{}'", u(name))).await.unwrap();
    }
    run(&mut cl, &format!("BACKUP DATABASE Src TO URL = '{}', URL = '{}'", u("s1.bak"), u("s2.bak"))).await.unwrap();

    // 3101 before 3154 for a database in use; 3154 once it is free.
    let (n, m) = run(&mut cl, &format!("RESTORE DATABASE Other FROM URL = '{}' WITH REPLACE", u("f.bak"))).await.unwrap_err();
    assert_eq!((n, m.as_str()), (3101, "Exclusive access could not be obtained because the database is in use."));
    sim.state.lock().database_mut("Other").unwrap().in_use = false;
    let (n, m) = run(&mut cl, &format!("RESTORE DATABASE Other FROM URL = '{}'", u("f.bak"))).await.unwrap_err();
    assert_eq!((n, m.as_str()), (3154, "The backup set holds a backup of a database other than the existing 'Other' database."));

    // Log restore out of sequence (4305), then in sequence, then 3117 once recovered.
    run(
        &mut cl,
        &format!("RESTORE DATABASE [Copy] FROM URL = '{}' WITH MOVE N'Src' TO N'F:\\data\\Copy.mdf', MOVE N'Src_log' TO N'G:\\log\\Copy_log.ldf', NORECOVERY", u("f.bak")),
    )
    .await
    .unwrap();
    let (n, m) = run(&mut cl, &format!("RESTORE LOG Copy FROM URL = '{}' WITH NORECOVERY", u("l2.trn"))).await.unwrap_err();
    assert_eq!(n, 4305);
    assert!(m.starts_with("The log in this backup set begins at LSN ") && m.contains("which is too recent to apply to the database."), "{m}");
    run(&mut cl, &format!("RESTORE LOG Copy FROM URL = '{}' WITH NORECOVERY", u("l1.trn"))).await.unwrap();
    run(&mut cl, &format!("RESTORE LOG Copy FROM URL = '{}' WITH RECOVERY", u("l2.trn"))).await.unwrap();
    let (n, _) = run(&mut cl, &format!("RESTORE LOG Copy FROM URL = '{}'", u("l2.trn"))).await.unwrap_err();
    assert_eq!(n, 3117);

    // Damaged blobs: payload (3183), header (3241), truncated by an independent client (3203).
    corrupt_blob(&sim.state, &u("p.bak"), Damage::Payload).await.unwrap();
    corrupt_blob(&sim.state, &u("h.bak"), Damage::Header).await.unwrap();
    let raw = blobs.get(&c, "t.bak").await.unwrap();
    blobs.put(&c, "t.bak", raw[..raw.len() - 100].to_vec()).await;
    let (n, _) = run(&mut cl, &format!("RESTORE VERIFYONLY FROM URL = '{}'", u("p.bak"))).await.unwrap_err();
    assert_eq!(n, 3183);
    let (n, m) = run(&mut cl, &format!("RESTORE HEADERONLY FROM URL = '{}'", u("h.bak"))).await.unwrap_err();
    assert_eq!((n, m), (3241, format!("The media family on device '{}' is incorrectly formed. SQL Server cannot process this media family.", u("h.bak"))));
    let (n, m) = run(&mut cl, &format!("RESTORE VERIFYONLY FROM URL = '{}'", u("t.bak"))).await.unwrap_err();
    assert_eq!((n, m), (3203, format!("Read on \"{}\" failed: 38(Reached the end of the file.)", u("t.bak"))));

    // A striped set needs every stripe.
    let (n, m) = run(&mut cl, &format!("RESTORE VERIFYONLY FROM URL = '{}'", u("s1.bak"))).await.unwrap_err();
    assert_eq!((n, m.as_str()), (3132, "The media set has 2 media families but only 1 are provided. All members must be provided."));
    run(&mut cl, &format!("RESTORE VERIFYONLY FROM URL = '{}', URL = '{}'", u("s2.bak"), u("s1.bak"))).await.unwrap();
    assert!(sim.state.lock().database("Other").is_some_and(|d| d.state == "ONLINE"), "the failed restores left Other untouched");
}

/// Differential restore, STOPAT, and storage faults (503, time-out) over TDS through tiberius
/// (`backup_engine.rs` has the executor-level variants).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn differential_stopat_and_storage_faults_through_tiberius() {
    let blobs = Blobs::new();
    let c = container_name("tdsdiff");
    blobs.create_container(&c).await;
    let sim = start(scenario(&c, "Contributor", vec![db("D1", "FULL", 16)])).await;
    let mut cl = connect(&sim).await;
    let u = |n: &str| blob_url(&c, n);
    run(&mut cl, &format!("BACKUP DATABASE D1 TO URL = '{}'", u("f.bak"))).await.unwrap();
    run(&mut cl, &format!("BACKUP DATABASE D1 TO URL = '{}' WITH DIFFERENTIAL", u("d.bak"))).await.unwrap();
    // Distinct timestamps for STOPAT (the clock, not an assertion on it).
    tokio::time::sleep(Duration::from_millis(1100)).await;
    run(&mut cl, &format!("BACKUP LOG D1 TO URL = '{}'", u("l.trn"))).await.unwrap();
    let rows = run(&mut cl, &format!("RESTORE HEADERONLY FROM URL = '{}'", u("d.bak"))).await.unwrap();
    assert_eq!(rows[0].get::<i16, _>("BackupType"), Some(5));
    let diff_end: chrono::NaiveDateTime = rows[0].get("BackupFinishDate").unwrap();
    let rows = run(&mut cl, &format!("RESTORE HEADERONLY FROM URL = '{}'", u("l.trn"))).await.unwrap();
    let log_end: chrono::NaiveDateTime = rows[0].get("BackupFinishDate").unwrap();

    let mv = "MOVE 'D1' TO 'F:\\data\\D2.mdf', MOVE 'D1_log' TO 'G:\\log\\D2_log.ldf'";
    run(&mut cl, &format!("RESTORE DATABASE D2 FROM URL = '{}' WITH {mv}, NORECOVERY", u("f.bak"))).await.unwrap();
    run(&mut cl, &format!("RESTORE DATABASE D2 FROM URL = '{}' WITH NORECOVERY", u("d.bak"))).await.unwrap();
    let too_early = (diff_end - chrono::Duration::seconds(30)).format("%Y-%m-%dT%H:%M:%S%.3f");
    let (n, _) = run(&mut cl, &format!("RESTORE LOG D2 FROM URL = '{}' WITH STOPAT = '{too_early}', RECOVERY", u("l.trn"))).await.unwrap_err();
    assert_eq!(n, 4335);
    let inside = (log_end - chrono::Duration::milliseconds(300)).format("%Y-%m-%dT%H:%M:%S%.3f");
    run(&mut cl, &format!("RESTORE LOG D2 FROM URL = '{}' WITH STOPAT = '{inside}', RECOVERY", u("l.trn"))).await.unwrap();
    let rows = run(&mut cl, "SELECT state_desc FROM sys.databases WHERE name = N'D2'").await.unwrap();
    assert_eq!(rows[0].get::<&str, _>(0), Some("ONLINE"));

    // Storage answering 503, then timing out: 3201 with the OS error SQL Server shows; no blob.
    let mut faults = sim.state.faults();
    faults.storage_unavailable = true;
    sim.state.set_faults(faults.clone());
    let (n, m) = run(&mut cl, &format!("BACKUP DATABASE D1 TO URL = '{}'", u("busy.bak"))).await.unwrap_err();
    assert_eq!(
        (n, m),
        (3201, format!("Cannot open backup device '{}'. Operating system error 1117(The request could not be performed because of an I/O device error.).", u("busy.bak")))
    );
    faults.storage_unavailable = false;
    faults.storage_timeout = true;
    sim.state.set_faults(faults);
    let (n, m) = run(&mut cl, &format!("RESTORE HEADERONLY FROM URL = '{}'", u("f.bak"))).await.unwrap_err();
    assert_eq!((n, m), (3201, format!("Cannot open backup device '{}'. Operating system error 12002(The operation timed out).", u("f.bak"))));
    assert!(blobs.props(&c, "busy.bak").await.is_none());
}

/// A SAS credential created over TDS (CREATE CREDENTIAL … SECRET) writes the backup; ALTERed to a
/// read-only SAS the backup is denied (3201, OS error 5) while a restore check still reads. The
/// secret never appears in the statement log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sas_credential_created_over_tds_through_tiberius() {
    let blobs = Blobs::new();
    let c = container_name("tdssas");
    blobs.create_container(&c).await;
    let mut sc = scenario(&c, "None", vec![db("Db1", "FULL", 8)]);
    sc.credentials.clear();
    let sim = start(sc).await;
    let mut cl = connect(&sim).await;
    let cred = format!("{ACCOUNT_URL}/{c}");
    let rw = account_sas("rwdlac");
    let sig = rw.split("sig=").nth(1).expect("SAS has a signature").split('&').next().unwrap().to_string();
    run(&mut cl, &format!("CREATE CREDENTIAL [{cred}] WITH IDENTITY = N'SHARED ACCESS SIGNATURE', SECRET = N'{}'", rw.replace('\'', "''"))).await.unwrap();
    let url = blob_url(&c, "sas.bak");
    run(&mut cl, &format!("BACKUP DATABASE Db1 TO URL = N'{url}'")).await.unwrap();
    assert!(blobs.props(&c, "sas.bak").await.is_some(), "committed with the SAS");

    let ro = account_sas("rl");
    run(&mut cl, &format!("ALTER CREDENTIAL [{cred}] WITH IDENTITY = N'SHARED ACCESS SIGNATURE', SECRET = N'{}'", ro.replace('\'', "''"))).await.unwrap();
    let url2 = blob_url(&c, "ro.bak");
    let (n, m) = run(&mut cl, &format!("BACKUP DATABASE Db1 TO URL = N'{url2}'")).await.unwrap_err();
    assert_eq!((n, m), (3201, format!("Cannot open backup device '{url2}'. Operating system error 5(Access is denied.).")));
    run(&mut cl, &format!("RESTORE VERIFYONLY FROM URL = N'{url}'")).await.unwrap();
    assert!(blobs.props(&c, "ro.bak").await.is_none());

    let log = sim.statement_log();
    assert!(log.iter().any(|s| s.text.starts_with("CREATE CREDENTIAL")));
    assert!(!log.iter().any(|s| s.text.contains(&sig) || s.params.contains(&sig)), "a SAS signature reached the statement log");
}
