//! Issues 15 and 18 through tiberius (and python-tds for CHECKDB's complete message sequence):
//! DROP DATABASE, DBCC CHECKDB clean and with planted corruption (carried by backups), msdb
//! backup history, a COPY_ONLY probe backup of `model` verified and visible as COPY_ONLY, a
//! foreign blob read by RESTORE HEADERONLY (3241). Blobs are checked with the independent REST
//! client in `backup_support`.

mod backup_support;

use std::process::Command;

use backup_support::*;
use sqlsim::scenario::Login;

fn strs(rows: &[tiberius::Row], col: &str) -> Vec<String> {
    rows.iter().map(|r| r.get::<&str, _>(col).unwrap_or_default().to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_drill_checkdb_clean_and_corrupt_then_drop() {
    let blobs = Blobs::new();
    let c = container_name("drill");
    blobs.create_container(&c).await;
    let mut bad = db("Bad", "FULL", 16);
    bad.corrupt = true;
    let mut sc = scenario(&c, "Contributor", vec![db("Good", "FULL", 16), bad]);
    sc.logins.push(Login { name: "plain".into(), password: Some("Plain-Passw0rd1".into()), ..Login::default() });
    let sim = sqlsim::start(sc).await.unwrap();
    let mut cl = connect(&sim).await;
    let u = |n: &str| blob_url(&c, n);
    run(&mut cl, &format!("BACKUP DATABASE Good TO URL = '{}'", u("good.bak"))).await.unwrap();
    run(&mut cl, &format!("BACKUP DATABASE Bad TO URL = '{}'", u("bad.bak"))).await.unwrap();

    // The drill: restore under a scratch name, CHECKDB, drop.
    let mv = |from: &str, to: &str| format!("MOVE '{from}' TO 'F:\\data\\{to}.mdf', MOVE '{from}_log' TO 'G:\\log\\{to}_log.ldf'");
    run(&mut cl, &format!("RESTORE DATABASE [Good_drill] FROM URL = '{}' WITH {}", u("good.bak"), mv("Good", "Good_drill"))).await.unwrap();
    run(&mut cl, "DBCC CHECKDB ([Good_drill]) WITH NO_INFOMSGS, ALL_ERRORMSGS").await.unwrap();
    run(&mut cl, "DBCC CHECKDB (N'Good_drill')").await.unwrap();
    run(&mut cl, "DROP DATABASE [Good_drill]").await.unwrap();
    assert!(run(&mut cl, "SELECT name FROM sys.databases WHERE name = N'Good_drill'").await.unwrap().is_empty());
    assert!(run(&mut cl, "SELECT name FROM sys.master_files WHERE name = N'Good'").await.unwrap().len() == 1, "only the source's file is left");

    // Corruption travels in the backup: the restored copy reports it.
    run(&mut cl, &format!("RESTORE DATABASE [Bad_drill] FROM URL = '{}' WITH {}", u("bad.bak"), mv("Bad", "Bad_drill"))).await.unwrap();
    let (n, m) = run(&mut cl, "DBCC CHECKDB ([Bad_drill]) WITH NO_INFOMSGS, ALL_ERRORMSGS").await.unwrap_err();
    assert_eq!(n, 8928, "{m}");
    assert!(m.ends_with("Page (1:312) could not be processed.  See other errors for details."), "{m}");
    run(&mut cl, "DROP DATABASE IF EXISTS [Bad_drill], [NoSuchDb]").await.unwrap();
    // Planted at run time through the admin hook, removed again.
    assert!(sqlsim::backup::admin::set_database_corrupt(&sim.state, "Good", true));
    assert_eq!(run(&mut cl, "DBCC CHECKDB (Good)").await.unwrap_err().0, 8928);
    assert!(sqlsim::backup::admin::set_database_corrupt(&sim.state, "Good", false));
    run(&mut cl, "DBCC CHECKDB (Good)").await.unwrap();
    assert!(!sqlsim::backup::admin::set_database_corrupt(&sim.state, "Nope", true));

    // DROP DATABASE errors.
    let (n, m) = run(&mut cl, "DROP DATABASE [NoSuchDb]").await.unwrap_err();
    assert_eq!((n, m.as_str()), (3701, "Cannot drop the database 'NoSuchDb', because it does not exist or you do not have permission."));
    let (n, _) = run(&mut cl, "DROP DATABASE [model]").await.unwrap_err();
    assert_eq!(n, 3708);
    let mut other = connect(&sim).await;
    run(&mut other, "USE [Good]").await.unwrap();
    let (n, m) = run(&mut cl, "DROP DATABASE [Good]").await.unwrap_err();
    assert_eq!((n, m.as_str()), (3702, "Cannot drop database \"Good\" because it is currently in use."));
    let mut plain = connect_as(&sim, "plain", "Plain-Passw0rd1").await;
    assert_eq!(run(&mut plain, "DROP DATABASE [Bad]").await.unwrap_err().0, 3701);
    assert_eq!(run(&mut plain, "DBCC CHECKDB ([Bad])").await.unwrap_err().0, 2571);
}

/// Issue 18's probe: BACKUP DATABASE [model] … WITH COPY_ONLY to a scratch blob, RESTORE
/// VERIFYONLY, msdb shows it as COPY_ONLY (backupset + backupmediafamily), the blob can then be
/// deleted by the client; a foreign blob (not a backup) read by HEADERONLY → 3241.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn model_probe_backup_is_copy_only_in_msdb_and_foreign_blobs_get_3241() {
    let blobs = Blobs::new();
    let c = container_name("probe");
    blobs.create_container(&c).await;
    let sim = sqlsim::start(scenario(&c, "Contributor", vec![db("Sales", "FULL", 16)])).await.unwrap();
    let mut cl = connect(&sim).await;
    let probe = blob_url(&c, "sqlurl-probe-0f3c.bak");
    run(&mut cl, &format!("BACKUP DATABASE [Sales] TO URL = '{}', URL = '{}'", blob_url(&c, "s1.bak"), blob_url(&c, "s2.bak"))).await.unwrap();
    run(&mut cl, &format!("BACKUP DATABASE [model] TO URL = '{probe}' WITH COPY_ONLY, FORMAT")).await.unwrap();
    run(&mut cl, &format!("RESTORE VERIFYONLY FROM URL = '{probe}'")).await.unwrap();

    let rows = run(
        &mut cl,
        "SELECT TOP 1 backup_set_id, media_set_id, database_name, type, is_copy_only, backup_start_date, backup_finish_date, first_lsn, last_lsn \
         FROM msdb.dbo.backupset WHERE database_name = N'model' ORDER BY backup_finish_date DESC",
    )
    .await
    .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].get::<&str, _>("type"), rows[0].get::<bool, _>("is_copy_only")), (Some("D"), Some(true)));
    let media = rows[0].get::<i32, _>("media_set_id").unwrap();
    let fam = run(&mut cl, &format!("SELECT physical_device_name, family_sequence_number, device_type FROM msdb.dbo.backupmediafamily WHERE media_set_id = {media}"))
        .await
        .unwrap();
    assert_eq!(strs(&fam, "physical_device_name"), vec![probe.clone()]);
    assert_eq!(fam[0].get::<u8, _>("device_type"), Some(9));
    let sales = run(&mut cl, "SELECT media_set_id, is_copy_only FROM msdb.dbo.backupset WHERE database_name = N'Sales' AND type = 'D'").await.unwrap();
    assert_eq!(sales[0].get::<bool, _>("is_copy_only"), Some(false));
    let m = sales[0].get::<i32, _>("media_set_id").unwrap();
    let fam = run(&mut cl, &format!("SELECT physical_device_name FROM msdb.dbo.backupmediafamily WHERE media_set_id = {m} ORDER BY family_sequence_number")).await.unwrap();
    assert_eq!(strs(&fam, "physical_device_name"), vec![blob_url(&c, "s1.bak"), blob_url(&c, "s2.bak")]);
    // USE msdb: the short names work too.
    run(&mut cl, "USE msdb").await.unwrap();
    assert_eq!(run(&mut cl, "SELECT backup_set_id FROM dbo.backupset").await.unwrap().len(), 2);

    // The probe blob is a committed, unleased blob the client can delete.
    let props = blobs.props(&c, "sqlurl-probe-0f3c.bak").await.expect("probe blob");
    assert_eq!(props.lease_state, "available");

    // A foreign blob (written by another tool) is not a backup: 3241.
    blobs.put(&c, "notes.txt", b"hello, not a backup".to_vec()).await;
    let (n, m) = run(&mut cl, &format!("RESTORE HEADERONLY FROM URL = '{}'", blob_url(&c, "notes.txt"))).await.unwrap_err();
    assert_eq!(
        (n, m),
        (3241, format!("The media family on device '{}' is incorrectly formed. SQL Server cannot process this media family.", blob_url(&c, "notes.txt")))
    );
}

/// python-tds sees CHECKDB's complete sequences: clean (2536, 8989, 2528; nothing with
/// NO_INFOMSGS) and corrupt (8928, 8939 class 16, then 8989 with the counts and 8958).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_tds_sees_checkdb_messages() {
    let have = Command::new("python3").args(["-c", "import pytds"]).status().map(|s| s.success()).unwrap_or(false);
    assert!(have, "python-tds is required (pip install python-tds)");
    let mut bad = sqlsim::scenario::Database { name: "Bad".into(), ..Default::default() };
    bad.corrupt = true;
    let sim = sqlsim::start(sqlsim::scenario::Scenario {
        databases: vec![sqlsim::scenario::Database { name: "Good".into(), ..Default::default() }, bad],
        ..Default::default()
    })
    .await
    .unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/pytds_fidelity.py");
    let out = Command::new("python3")
        .arg(script)
        .args([&sim.port().to_string(), "sa", "Sim-Passw0rd!", "run"])
        .args(["DBCC CHECKDB (Good)", "DBCC CHECKDB (Good) WITH NO_INFOMSGS", "DBCC CHECKDB (Bad)"])
        .output()
        .expect("python3");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let v: Vec<serde_json::Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let nums = |x: &serde_json::Value| x["messages"].as_array().unwrap().iter().map(|m| m["number"].as_u64().unwrap()).collect::<Vec<_>>();
    assert_eq!(v[0]["step"], "ok");
    assert_eq!(nums(&v[0]), vec![2536, 8989, 2528]);
    assert_eq!(v[0]["messages"][1]["text"], "CHECKDB found 0 allocation errors and 0 consistency errors in database 'Good'.");
    assert_eq!((v[1]["step"].as_str(), nums(&v[1])), (Some("ok"), vec![]));
    assert_eq!(v[2]["step"], "failed");
    assert_eq!(nums(&v[2]), vec![2536, 8928, 8939, 8989, 8958, 2528]);
    assert_eq!(v[2]["messages"][1]["class"], 16);
    assert_eq!(v[2]["messages"][3]["text"], "CHECKDB found 0 allocation errors and 2 consistency errors in database 'Bad'.");
}
