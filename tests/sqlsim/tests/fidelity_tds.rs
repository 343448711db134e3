//! Issue 12 (fidelity) through tiberius: the scenario knobs the product's tests use and the
//! behaviour SQL Server documents for them — server time zone, 4322, CREATE DATABASE and
//! VIEW SERVER PERFORMANCE STATE per login, 3250 / 3253 for bad sizes (4 MB ceiling for Azure),
//! partial blocks (3063 early), 3271 with other inner texts, 3202 mid-write, a leased leftover,
//! `@@VERSION` per build. Blobs are checked with the independent REST client in `backup_support`.

mod backup_support;

use std::time::Duration;

use backup_support::*;
use sqlsim::scenario::{BlockFill, Login, Scenario};





fn login(name: &str, password: &str) -> Login {
    Login { name: name.into(), password: Some(password.into()), ..Login::default() }
}

/// GETDATE / SYSDATETIME / SYSDATETIMEOFFSET follow the scenario's offset, GETUTCDATE stays UTC;
/// backup dates are local; STOPAT is read in local time (a UTC time two hours "early" is before
/// the log and refused with 4335).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_time_zone_drives_getdate_backup_dates_and_stopat() {
    let blobs = Blobs::new();
    let c = container_name("tz");
    blobs.create_container(&c).await;
    let sim = sqlsim::start(Scenario { utc_offset_minutes: 120, ..scenario(&c, "Contributor", vec![db("Tz", "FULL", 16)]) })
        .await
        .unwrap();
    let mut cl = connect(&sim).await;
    let rows = run(
        &mut cl,
        "SELECT GETDATE() AS l, GETUTCDATE() AS u, SYSDATETIME() AS s, SYSUTCDATETIME() AS su, SYSDATETIMEOFFSET() AS o, \
         DATEPART(TZOFFSET, SYSDATETIMEOFFSET()) AS tz, DATEDIFF(MINUTE, GETUTCDATE(), GETDATE()) AS d",
    )
    .await
    .unwrap();
    let local: chrono::NaiveDateTime = rows[0].get("l").unwrap();
    let utc: chrono::NaiveDateTime = rows[0].get("u").unwrap();
    let sys: chrono::NaiveDateTime = rows[0].get("s").unwrap();
    let sysu: chrono::NaiveDateTime = rows[0].get("su").unwrap();
    let off: chrono::DateTime<chrono::FixedOffset> = rows[0].get("o").unwrap();
    assert_eq!(off.offset().local_minus_utc(), 7200, "{off}");
    assert!((off.naive_local() - sys).num_seconds().abs() < 5, "{off} vs {sys}");
    assert!(((local - utc).num_minutes() - 120).abs() <= 1, "{local} vs {utc}");
    assert!(((sys - sysu).num_minutes() - 120).abs() <= 1, "{sys} vs {sysu}");
    assert!((utc - chrono::Utc::now().naive_utc()).num_seconds().abs() < 5, "GETUTCDATE is UTC");
    assert_eq!(rows[0].get::<i32, _>("tz"), Some(120));
    assert_eq!(rows[0].get::<i32, _>("d"), Some(120));

    let u = |n: &str| blob_url(&c, n);
    run(&mut cl, &format!("BACKUP DATABASE Tz TO URL = '{}'", u("f.bak"))).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    run(&mut cl, &format!("BACKUP LOG Tz TO URL = '{}'", u("l.trn"))).await.unwrap();
    let rows = run(&mut cl, &format!("RESTORE HEADERONLY FROM URL = '{}'", u("l.trn"))).await.unwrap();
    let log_end: chrono::NaiveDateTime = rows[0].get("BackupFinishDate").unwrap();
    assert!((log_end - chrono::Utc::now().naive_utc() - chrono::Duration::minutes(120)).num_seconds().abs() < 10, "local {log_end}");

    let mv = "MOVE 'Tz' TO 'F:\\data\\Tz2.mdf', MOVE 'Tz_log' TO 'G:\\log\\Tz2_log.ldf'";
    run(&mut cl, &format!("RESTORE DATABASE Tz2 FROM URL = '{}' WITH {mv}, NORECOVERY", u("f.bak"))).await.unwrap();
    // The UTC wall-clock of a point inside the log is two hours before the server's local time.
    let inside_utc = (log_end - chrono::Duration::minutes(120) - chrono::Duration::milliseconds(300)).format("%Y-%m-%dT%H:%M:%S%.3f");
    let (n, _) = run(&mut cl, &format!("RESTORE LOG Tz2 FROM URL = '{}' WITH STOPAT = '{inside_utc}', RECOVERY", u("l.trn"))).await.unwrap_err();
    assert_eq!(n, 4335, "a UTC time given as local is too early");
    let inside_local = (log_end - chrono::Duration::milliseconds(300)).format("%Y-%m-%dT%H:%M:%S%.3f");
    run(&mut cl, &format!("RESTORE LOG Tz2 FROM URL = '{}' WITH STOPAT = '{inside_local}', RECOVERY", u("l.trn"))).await.unwrap();
    let rows = run(&mut cl, "SELECT state_desc FROM sys.databases WHERE name = N'Tz2'").await.unwrap();
    assert_eq!(rows[0].get::<&str, _>(0), Some("ONLINE"));
}

/// STOPAT past the end of the log: the restore succeeds (4322 is information), the database
/// stays RESTORING; tiberius shows no INFO, so the state is checked (the text: backup_engine.rs
/// and the python-tds test).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopat_past_the_end_of_the_log_leaves_the_database_restoring() {
    let blobs = Blobs::new();
    let c = container_name("past");
    blobs.create_container(&c).await;
    let sim = sqlsim::start(scenario(&c, "Contributor", vec![db("P1", "FULL", 16)])).await.unwrap();
    let mut cl = connect(&sim).await;
    let u = |n: &str| blob_url(&c, n);
    run(&mut cl, &format!("BACKUP DATABASE P1 TO URL = '{}'", u("f.bak"))).await.unwrap();
    run(&mut cl, &format!("BACKUP LOG P1 TO URL = '{}'", u("l.trn"))).await.unwrap();
    let mv = "MOVE 'P1' TO 'F:\\data\\P2.mdf', MOVE 'P1_log' TO 'G:\\log\\P2_log.ldf'";
    run(&mut cl, &format!("RESTORE DATABASE P2 FROM URL = '{}' WITH {mv}, NORECOVERY", u("f.bak"))).await.unwrap();
    let later = (chrono::Utc::now().naive_utc() + chrono::Duration::hours(1)).format("%Y-%m-%dT%H:%M:%S");
    run(&mut cl, &format!("RESTORE LOG P2 FROM URL = '{}' WITH STOPAT = '{later}', RECOVERY", u("l.trn"))).await.unwrap();
    let rows = run(&mut cl, "SELECT state_desc FROM sys.databases WHERE name = N'P2'").await.unwrap();
    assert_eq!(rows[0].get::<&str, _>(0), Some("RESTORING"));
}

/// A login without CREATE DATABASE: HEADERONLY / FILELISTONLY / LABELONLY / VERIFYONLY get 262;
/// HAS_PERMS_BY_NAME answers per login for CREATE ANY DATABASE and VIEW SERVER PERFORMANCE
/// STATE; sys.dm_exec_requests shows other sessions only with VIEW SERVER PERFORMANCE STATE.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_database_and_view_server_performance_state_per_login() {
    let blobs = Blobs::new();
    let c = container_name("perm");
    blobs.create_container(&c).await;
    let mut sc = scenario(&c, "Contributor", vec![db("Pm", "FULL", 16)]);
    sc.logins.push(Login { create_database: Some(false), ..login("nocreate", "No-Create1!") });
    sc.logins.push(Login { create_database: Some(true), view_server_performance_state: Some(true), ..login("perf", "Perf-Passw0rd1") });
    sc.logins.push(Login { can_view_server_state: true, ..login("vss", "Vss-Passw0rd1") });
    let sim = sqlsim::start(sc).await.unwrap();
    let mut sa = connect(&sim).await;
    let url = blob_url(&c, "f.bak");
    run(&mut sa, &format!("BACKUP DATABASE Pm TO URL = '{url}'")).await.unwrap();

    let perms = "SELECT HAS_PERMS_BY_NAME(NULL, NULL, 'CREATE ANY DATABASE') AS cad, \
                 HAS_PERMS_BY_NAME(NULL, NULL, 'VIEW SERVER PERFORMANCE STATE') AS vsps, \
                 HAS_PERMS_BY_NAME('master', 'DATABASE', 'CREATE DATABASE') AS cd";
    let mut no = connect_as(&sim, "nocreate", "No-Create1!").await;
    for stmt in ["RESTORE HEADERONLY", "RESTORE FILELISTONLY", "RESTORE LABELONLY", "RESTORE VERIFYONLY"] {
        let (n, m) = run(&mut no, &format!("{stmt} FROM URL = '{url}'")).await.unwrap_err();
        assert_eq!((n, m.as_str()), (262, "CREATE DATABASE permission denied in database 'master'."), "{stmt}");
    }
    let r = run(&mut no, perms).await.unwrap();
    assert_eq!((r[0].get::<i32, _>("cad"), r[0].get::<i32, _>("vsps"), r[0].get::<i32, _>("cd")), (Some(0), Some(0), Some(0)));
    let mut perf = connect_as(&sim, "perf", "Perf-Passw0rd1").await;
    let r = run(&mut perf, perms).await.unwrap();
    assert_eq!((r[0].get::<i32, _>("cad"), r[0].get::<i32, _>("vsps"), r[0].get::<i32, _>("cd")), (Some(1), Some(1), Some(1)));
    assert_eq!(run(&mut perf, &format!("RESTORE HEADERONLY FROM URL = '{url}'")).await.unwrap().len(), 1);
    let mut vss = connect_as(&sim, "vss", "Vss-Passw0rd1").await;
    let r = run(&mut vss, perms).await.unwrap();
    assert_eq!(r[0].get::<i32, _>("vsps"), Some(1), "VIEW SERVER STATE implies VIEW SERVER PERFORMANCE STATE");
    let r = run(&mut sa, perms).await.unwrap();
    assert_eq!((r[0].get::<i32, _>("cad"), r[0].get::<i32, _>("vsps")), (Some(1), Some(1)), "sysadmin");
    // fn_my_permissions lists the effective permissions the same way.
    let fmp = "SELECT permission_name FROM fn_my_permissions(NULL, 'SERVER') ORDER BY permission_name";
    let names = |rows: Vec<tiberius::Row>| rows.iter().map(|r| r.get::<&str, _>(0).unwrap().to_string()).collect::<Vec<_>>();
    assert_eq!(names(run(&mut no, fmp).await.unwrap()), vec!["CONNECT SQL", "VIEW ANY DATABASE"]);
    assert_eq!(
        names(run(&mut perf, fmp).await.unwrap()),
        vec!["CONNECT SQL", "CREATE ANY DATABASE", "VIEW ANY DATABASE", "VIEW SERVER PERFORMANCE STATE"]
    );
    let all = names(run(&mut sa, fmp).await.unwrap());
    assert!(all.contains(&"VIEW SERVER PERFORMANCE STATE".to_string()) && all.contains(&"CREATE ANY DATABASE".to_string()), "{all:?}");

    // Another session's request is visible only with VIEW SERVER PERFORMANCE STATE (2022).
    let waiting = tokio::spawn(async move {
        let _ = run(&mut sa, "WAITFOR DELAY '00:00:03'").await;
        sa
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let q = "SELECT session_id, command FROM sys.dm_exec_requests WHERE command = N'WAITFOR'";
    assert_eq!(run(&mut no, q).await.unwrap().len(), 0);
    assert_eq!(run(&mut perf, q).await.unwrap().len(), 1);
    assert_eq!(run(&mut vss, q).await.unwrap().len(), 1);
    waiting.await.unwrap();
}

/// BLOCKSIZE / MAXTRANSFERSIZE: out of range → 3250, not a power of two (multiple of 64 KB) →
/// 3253; 8 MB is above Azure's 4 MB ceiling. Nothing is written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_sizes_get_3250_and_3253_and_write_nothing() {
    let blobs = Blobs::new();
    let c = container_name("sizes");
    blobs.create_container(&c).await;
    let sim = sqlsim::start(scenario(&c, "Contributor", vec![db("Sz", "FULL", 16)])).await.unwrap();
    let mut cl = connect(&sim).await;
    let url = blob_url(&c, "s.bak");
    let cases = [
        ("MAXTRANSFERSIZE = 8388608", 3250, "The value '8388608' is not within range for the MAXTRANSFERSIZE parameter."),
        ("MAXTRANSFERSIZE = 20971520", 3250, "The value '20971520' is not within range for the MAXTRANSFERSIZE parameter."),
        ("MAXTRANSFERSIZE = 1000", 3250, "The value '1000' is not within range for the MAXTRANSFERSIZE parameter."),
        ("MAXTRANSFERSIZE = 100000", 3253, "The block size parameter must supply a value that is a power of 2."),
        ("BLOCKSIZE = 1000", 3253, "The block size parameter must supply a value that is a power of 2."),
        ("BLOCKSIZE = 131072", 3250, "The value '131072' is not within range for the BLOCKSIZE parameter."),
        ("BLOCKSIZE = 256", 3250, "The value '256' is not within range for the BLOCKSIZE parameter."),
    ];
    for (opt, num, text) in cases {
        let (n, m) = run(&mut cl, &format!("BACKUP DATABASE Sz TO URL = '{url}' WITH {opt}")).await.unwrap_err();
        assert_eq!((n, m.as_str()), (num, text), "{opt}");
    }
    assert!(blobs.list(&c).await.is_empty(), "no blob written");
    run(&mut cl, &format!("BACKUP DATABASE Sz TO URL = '{url}' WITH MAXTRANSFERSIZE = 4194304, BLOCKSIZE = 512")).await.unwrap();
    assert!(blobs.props(&c, "s.bak").await.is_some());
}

/// Partial blocks: with a differential block fill of 0.1 a 6.4 GB differential on one URL needs
/// about 65,000 blocks of 1 MB → 3063 (50,000 × 1 MB would be 50 GB); on two URLs it fits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn low_block_fill_hits_3063_early_and_more_stripes_fix_it() {
    let blobs = Blobs::new();
    let c = container_name("fill");
    blobs.create_container(&c).await;
    let sc = Scenario {
        block_fill: BlockFill { differential: 0.1, ..BlockFill::default() },
        ..scenario(&c, "Contributor", vec![db("Fill", "FULL", 64 * 1024)])
    };
    let sim = sqlsim::start(sc).await.unwrap();
    let mut cl = connect(&sim).await;
    let u = |n: &str| blob_url(&c, n);
    run(&mut cl, &format!("BACKUP DATABASE Fill TO URL = '{}' WITH MAXTRANSFERSIZE = 4194304", u("f.bak"))).await.unwrap();
    let (n, m) = run(&mut cl, &format!("BACKUP DATABASE Fill TO URL = '{}' WITH DIFFERENTIAL", u("d.bak"))).await.unwrap_err();
    assert_eq!((n, m), (3063, format!("Write to backup block blob device {} failed. Device has reached its limit of allowed blocks.", u("d.bak"))));
    assert!(blobs.props(&c, "d.bak").await.is_none(), "nothing committed");
    run(&mut cl, &format!("BACKUP DATABASE Fill TO URL = '{}', URL = '{}' WITH DIFFERENTIAL", u("d1.bak"), u("d2.bak"))).await.unwrap();
    assert!(blobs.props(&c, "d1.bak").await.is_some() && blobs.props(&c, "d2.bak").await.is_some());
}

/// 3271 with a TLS and an unreachable-endpoint inner text; 3202 with 1117 when storage fails
/// mid-write; with `leave_leased_blob_on_failure` the failed backup leaves a leased blob and the
/// retry fails with the lease text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn storage_faults_3271_inner_texts_3202_mid_write_and_leased_leftover() {
    let blobs = Blobs::new();
    let c = container_name("flt");
    blobs.create_container(&c).await;
    let sc = Scenario { throughput_mb_per_s: 200.0, ..scenario(&c, "Contributor", vec![db("Ft", "FULL", 64)]) };
    let sim = sqlsim::start(sc).await.unwrap();
    let mut cl = connect(&sim).await;
    let url = blob_url(&c, "x.bak");
    let base = sim.state.faults();

    sim.state.set_faults(sqlsim::scenario::Faults { storage_tls_failure: true, ..base.clone() });
    let (n, m) = run(&mut cl, &format!("BACKUP DATABASE Ft TO URL = '{url}'")).await.unwrap_err();
    assert_eq!(n, 3271);
    assert!(m.starts_with(&format!("A nonrecoverable I/O error occurred on file \"{url}:\" ")) && m.contains("SSL/TLS"), "{m}");
    let (n, m) = run(&mut cl, &format!("RESTORE HEADERONLY FROM URL = '{url}'")).await.unwrap_err();
    assert_eq!(n, 3271, "{m}");
    sim.state.set_faults(sqlsim::scenario::Faults { storage_unreachable: true, ..base.clone() });
    let (n, m) = run(&mut cl, &format!("BACKUP DATABASE Ft TO URL = '{url}'")).await.unwrap_err();
    assert_eq!(n, 3271);
    assert!(m.contains("Unable to connect to the remote server"), "{m}");
    assert!(blobs.list(&c).await.is_empty());

    // Mid-write: the device opened, then writes fail → 3202 (1117); nothing committed, cleaned up.
    sim.state.set_faults(sqlsim::scenario::Faults { storage_write_fail_at_percent: Some(50), ..base.clone() });
    let (n, m) = run(&mut cl, &format!("BACKUP DATABASE Ft TO URL = '{url}' WITH STATS = 10")).await.unwrap_err();
    assert_eq!(
        (n, m),
        (3202, format!("Write on \"{url}\" failed: 1117(The request could not be performed because of an I/O device error.)"))
    );
    assert!(blobs.props(&c, "x.bak").await.is_none());
    assert!(blobs.list(&c).await.is_empty(), "default: the uncommitted blob is deleted");

    // The same failure with the leftover switch: the blob stays leased and the retry fails.
    sim.state.set_faults(sqlsim::scenario::Faults { storage_write_fail_at_percent: Some(50), leave_leased_blob_on_failure: true, ..base.clone() });
    let (n, _) = run(&mut cl, &format!("BACKUP DATABASE Ft TO URL = '{url}'")).await.unwrap_err();
    assert_eq!(n, 3202);
    sim.state.set_faults(base.clone());
    let (n, m) = run(&mut cl, &format!("BACKUP DATABASE Ft TO URL = '{url}' WITH FORMAT")).await.unwrap_err();
    assert_eq!(n, 3271);
    assert!(m.contains("There is currently a lease on the blob"), "{m}");
    assert!(blobs.props(&c, "x.bak").await.is_none(), "nothing committed");
}

/// `@@VERSION` follows the scenario's build: CU19 and a GDR on CU25.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn version_string_per_build() {
    let sim = sqlsim::start(Scenario {
        product_version: "16.0.4195.2".into(),
        product_update_level: "CU19".into(),
        product_update_reference: "KB5054531".into(),
        ..Scenario::default()
    })
    .await
    .unwrap();
    let mut cl = connect(&sim).await;
    let v: String = run(&mut cl, "SELECT @@VERSION").await.unwrap()[0].get::<&str, _>(0).unwrap().to_string();
    assert!(v.starts_with("Microsoft SQL Server 2022 (RTM-CU19) (KB5054531) - 16.0.4195.2 (X64)"), "{v}");
    drop(cl);
    drop(sim);
    let sim = sqlsim::start(Scenario {
        product_version: "16.0.4230.2".into(),
        product_update_level: "CU25".into(),
        product_build_type: "GDR".into(),
        product_update_reference: "KB5099999".into(),
        build_date: "Oct 1 2025 12:00:00".into(),
        ..Scenario::default()
    })
    .await
    .unwrap();
    let mut cl = connect(&sim).await;
    let r = run(&mut cl, "SELECT @@VERSION AS v, CAST(SERVERPROPERTY('ProductBuildType') AS nvarchar(10)) AS t").await.unwrap();
    let v = r[0].get::<&str, _>("v").unwrap();
    assert!(v.starts_with("Microsoft SQL Server 2022 (RTM-CU25-GDR) (KB5099999) - 16.0.4230.2 (X64) \n\tOct 1 2025 12:00:00"), "{v}");
    assert_eq!(r[0].get::<&str, _>("t"), Some("GDR"));
    drop(cl);
    drop(sim);
    // SQL Server 2019: no VIEW SERVER PERFORMANCE STATE; VIEW SERVER STATE governs the DMVs.
    let mut sc = Scenario { product_version: "15.0.4415.2".into(), product_update_level: "CU30".into(), ..Scenario::default() };
    sc.logins.push(Login { can_view_server_state: true, ..login("vss", "Vss-Passw0rd1") });
    let sim = sqlsim::start(sc).await.unwrap();
    let mut cl = connect_as(&sim, "vss", "Vss-Passw0rd1").await;
    let r = run(&mut cl, "SELECT @@VERSION AS v, HAS_PERMS_BY_NAME(NULL, NULL, 'VIEW SERVER PERFORMANCE STATE') AS p").await.unwrap();
    assert!(r[0].get::<&str, _>("v").unwrap().starts_with("Microsoft SQL Server 2019 (RTM-CU30)"));
    assert_eq!(r[0].get::<i32, _>("p"), None);
    assert_eq!(run(&mut cl, "SELECT value_name FROM sys.dm_server_registry WHERE value_name = N'SQLArg0'").await.unwrap().len(), 1);
}

/// HEADERONLY: RecoveryModel `BULK-LOGGED`, Compressed as bit, SoftwareVersion* of the server
/// that wrote the backup; FILELISTONLY: the all-zero DifferentialBaseGUID for the log file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headeronly_and_filelistonly_values() {
    let blobs = Blobs::new();
    let c = container_name("hdr");
    blobs.create_container(&c).await;
    let sc = Scenario {
        product_version: "16.0.4185.3".into(),
        product_update_level: "CU18".into(),
        product_update_reference: "KB5050771".into(),
        ..scenario(&c, "Contributor", vec![db("Bl", "BULK_LOGGED", 16)])
    };
    let sim = sqlsim::start(sc).await.unwrap();
    let mut cl = connect(&sim).await;
    let url = blob_url(&c, "b.bak");
    run(&mut cl, &format!("BACKUP DATABASE Bl TO URL = '{url}' WITH COMPRESSION")).await.unwrap();
    let r = run(&mut cl, &format!("RESTORE HEADERONLY FROM URL = '{url}'")).await.unwrap();
    assert_eq!(r[0].get::<&str, _>("RecoveryModel"), Some("BULK-LOGGED"));
    assert_eq!(r[0].get::<bool, _>("Compressed"), Some(true));
    assert_eq!(
        (r[0].get::<i32, _>("SoftwareVersionMajor"), r[0].get::<i32, _>("SoftwareVersionMinor"), r[0].get::<i32, _>("SoftwareVersionBuild")),
        (Some(16), Some(0), Some(4185))
    );
    let r = run(&mut cl, &format!("RESTORE FILELISTONLY FROM URL = '{url}'")).await.unwrap();
    let log = r.iter().find(|row| row.get::<&str, _>("Type") == Some("L")).expect("log file row");
    assert_eq!(log.get::<uuid::Uuid, _>("DifferentialBaseGUID"), Some(uuid::Uuid::nil()));
    let v: String = run(&mut cl, "SELECT @@VERSION").await.unwrap()[0].get::<&str, _>(0).unwrap().to_string();
    assert!(v.starts_with("Microsoft SQL Server 2022 (RTM-CU18) (KB5050771) - 16.0.4185.3 (X64)"), "{v}");
}

/// `sys.dm_server_registry`: startup parameters SQLArg0..n (scenario `startup_parameters` after
/// -d/-e/-l) and CurrentVersion; needs VIEW SERVER PERFORMANCE STATE on 2022 (300 otherwise).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dm_server_registry_shows_startup_parameters_with_permission() {
    let mut sc = Scenario { startup_parameters: vec!["-T4675".into(), "-T3226".into()], ..Scenario::default() };
    sc.logins.push(login("plain", "Plain-Passw0rd1"));
    sc.logins.push(Login { view_server_performance_state: Some(true), ..login("perf", "Perf-Passw0rd1") });
    let sim = sqlsim::start(sc).await.unwrap();
    let mut sa = connect(&sim).await;
    let q = "SELECT value_name, CAST(value_data AS nvarchar(512)) AS v FROM sys.dm_server_registry \
             WHERE registry_key LIKE N'%Parameters' AND value_name LIKE N'SQLArg%' ORDER BY value_name";
    let rows = run(&mut sa, q).await.unwrap();
    let got: Vec<(String, String)> =
        rows.iter().map(|r| (r.get::<&str, _>(0).unwrap().to_string(), r.get::<&str, _>(1).unwrap().to_string())).collect();
    assert_eq!(got.len(), 5, "{got:?}");
    assert!(got[0].1.starts_with("-d") && got[0].1.ends_with("\\DATA\\master.mdf"), "{got:?}");
    assert!(got[1].1.starts_with("-e") && got[2].1.starts_with("-l"), "{got:?}");
    assert_eq!(&got[3..], &[("SQLArg3".to_string(), "-T4675".to_string()), ("SQLArg4".to_string(), "-T3226".to_string())]);
    let rows = run(&mut sa, "SELECT value_data FROM sys.dm_server_registry WHERE value_name = N'CurrentVersion'").await.unwrap();
    assert_eq!(rows.len(), 1);
    let mut perf = connect_as(&sim, "perf", "Perf-Passw0rd1").await;
    assert_eq!(run(&mut perf, q).await.unwrap().len(), 5);
    let mut plain = connect_as(&sim, "plain", "Plain-Passw0rd1").await;
    let (n, m) = run(&mut plain, q).await.unwrap_err();
    assert_eq!((n, m.as_str()), (300, "VIEW SERVER PERFORMANCE STATE permission was denied on object 'server', database 'master'."));
}

/// Options documented for URL: MEDIANAME / MEDIADESCRIPTION (LABELONLY shows them; RESTORE …
/// MEDIANAME must match), RESTART (no effect), PARTIAL, STOPATMARK / STOPBEFOREMARK against the
/// scenario's marks, EXPIREDATE / RETAINDAYS behind `url_accepts_expiredate`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn url_options_media_marks_partial_restart_and_expiry() {
    let blobs = Blobs::new();
    let c = container_name("opts");
    blobs.create_container(&c).await;
    let mark_at = chrono::Utc::now().naive_utc() + chrono::Duration::milliseconds(1000);
    let mut sc = scenario(&c, "Contributor", vec![db("Mk", "FULL", 16)]);
    sc.marks = vec![sqlsim::scenario::Mark { database: "Mk".into(), name: "deploy_42".into(), time: mark_at.format("%Y-%m-%dT%H:%M:%S%.3f").to_string() }];
    let sim = sqlsim::start(sc.clone()).await.unwrap();
    let mut cl = connect(&sim).await;
    let u = |n: &str| blob_url(&c, n);

    run(&mut cl, &format!("BACKUP DATABASE Mk TO URL = '{}' WITH MEDIANAME = N'Nightly', MEDIADESCRIPTION = N'set A', RESTART", u("f.bak"))).await.unwrap();
    let r = run(&mut cl, &format!("RESTORE LABELONLY FROM URL = '{}'", u("f.bak"))).await.unwrap();
    assert_eq!((r[0].get::<&str, _>("MediaName"), r[0].get::<&str, _>("MediaDescription")), (Some("Nightly"), Some("set A")));
    let (n, m) = run(&mut cl, &format!("RESTORE VERIFYONLY FROM URL = '{}' WITH MEDIANAME = 'Other'", u("f.bak"))).await.unwrap_err();
    assert_eq!(n, 3232, "{m}");
    run(&mut cl, &format!("RESTORE VERIFYONLY FROM URL = '{}' WITH MEDIANAME = 'nightly'", u("f.bak"))).await.unwrap();
    let (n, _) = run(&mut cl, &format!("BACKUP DATABASE Mk TO URL = '{}' WITH RETAINDAYS = 7", u("r.bak"))).await.unwrap_err();
    assert_eq!(n, 3032, "EXPIREDATE/RETAINDAYS refused without the switch");

    tokio::time::sleep(Duration::from_millis(1500)).await;
    run(&mut cl, &format!("BACKUP LOG Mk TO URL = '{}'", u("l.trn"))).await.unwrap();
    let mv = |d: &str| format!("MOVE 'Mk' TO 'F:\\data\\{d}.mdf', MOVE 'Mk_log' TO 'G:\\log\\{d}_log.ldf'");
    // The mark lies inside the log: recovery stops there and the database comes online.
    run(&mut cl, &format!("RESTORE DATABASE M2 FROM URL = '{}' WITH {}, NORECOVERY, PARTIAL", u("f.bak"), mv("M2"))).await.unwrap();
    run(&mut cl, &format!("RESTORE LOG M2 FROM URL = '{}' WITH STOPATMARK = 'deploy_42', RECOVERY, RESTART", u("l.trn"))).await.unwrap();
    // A mark this log does not hold: the log is applied, the database stays restoring.
    run(&mut cl, &format!("RESTORE DATABASE M3 FROM URL = '{}' WITH {}, NORECOVERY", u("f.bak"), mv("M3"))).await.unwrap();
    run(&mut cl, &format!("RESTORE LOG M3 FROM URL = '{}' WITH STOPBEFOREMARK = 'no_such_mark', RECOVERY", u("l.trn"))).await.unwrap();
    let mut rows = run(&mut cl, "SELECT name, state_desc FROM sys.databases WHERE name = N'M2'").await.unwrap();
    rows.extend(run(&mut cl, "SELECT name, state_desc FROM sys.databases WHERE name = N'M3'").await.unwrap());
    let states: Vec<(&str, &str)> = rows.iter().map(|r| (r.get::<&str, _>(0).unwrap(), r.get::<&str, _>(1).unwrap())).collect();
    assert_eq!(states, vec![("M2", "ONLINE"), ("M3", "RESTORING")]);
    drop(cl);
    drop(sim);

    // With the switch (a build reported to accept them): ExpirationDate in HEADERONLY.
    let sim = sqlsim::start(Scenario { url_accepts_expiredate: true, ..sc }).await.unwrap();
    let mut cl = connect(&sim).await;
    run(&mut cl, &format!("BACKUP DATABASE Mk TO URL = '{}' WITH EXPIREDATE = '2030-01-02T03:04:05'", u("e.bak"))).await.unwrap();
    let r = run(&mut cl, &format!("RESTORE HEADERONLY FROM URL = '{}'", u("e.bak"))).await.unwrap();
    let exp: chrono::NaiveDateTime = r[0].get("ExpirationDate").unwrap();
    assert_eq!(exp.format("%Y-%m-%d %H:%M:%S").to_string(), "2030-01-02 03:04:05");
    run(&mut cl, &format!("BACKUP DATABASE Mk TO URL = '{}' WITH RETAINDAYS = 7", u("r.bak"))).await.unwrap();
    let r = run(&mut cl, &format!("RESTORE HEADERONLY FROM URL = '{}'", u("r.bak"))).await.unwrap();
    let exp: chrono::NaiveDateTime = r[0].get("ExpirationDate").unwrap();
    let start: chrono::NaiveDateTime = r[0].get("BackupStartDate").unwrap();
    assert_eq!((exp - start).num_days(), 7);
}
