//! tiberius runs every supported statement and sees SQL Server's result shapes and errors.

mod common;

use common::*;
use sqlsim::scenario::{CredentialSeed, DbFile, Database, Scenario};
use tiberius::{AuthMethod, EncryptionLevel};

const MI_URL: &str = "https://acct.blob.core.windows.net/backups";

#[tokio::test]
async fn server_facts() {
    let sim = sqlsim::start(scenario()).await.unwrap();
    let mut c = sa(&sim).await;
    let rows = batch(
        &mut c,
        "SELECT CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) AS v,
                CAST(SERVERPROPERTY('ProductUpdateLevel') AS nvarchar(128)) AS cu,
                CAST(SERVERPROPERTY('ProductUpdateReference') AS nvarchar(128)) AS kb,
                CAST(SERVERPROPERTY('EngineEdition') AS int) AS ee,
                CAST(SERVERPROPERTY('IsClustered') AS int) AS fci,
                CONVERT(nvarchar(4000), SERVERPROPERTY('InstanceDefaultDataPath')) AS datapath,
                CAST(SERVERPROPERTY('InstanceDefaultLogPath') AS nvarchar(4000)) AS logpath,
                CAST(SERVERPROPERTY('NoSuchProperty') AS nvarchar(10)) AS missing,
                @@SERVERNAME AS sn",
    )
    .await
    .unwrap();
    let r = &rows[0][0];
    assert_eq!(r.get::<&str, _>("v"), Some("16.0.4175.1"));
    assert_eq!(r.get::<&str, _>("cu"), Some("CU17"));
    assert_eq!(r.get::<&str, _>("kb"), Some("KB5048038"));
    assert_eq!(r.get::<i32, _>("ee"), Some(3));
    assert_eq!(r.get::<i32, _>("fci"), Some(0));
    assert_eq!(r.get::<&str, _>("datapath"), Some("F:\\data\\"));
    assert_eq!(r.get::<&str, _>("logpath"), Some("G:\\log\\"));
    assert_eq!(r.get::<&str, _>("missing"), None);
    assert_eq!(r.get::<&str, _>("sn"), Some("SQLVM01"));

    let rows = batch(&mut c, "SELECT host_platform, host_distribution FROM sys.dm_os_host_info").await.unwrap();
    assert_eq!(str_col(&rows[0][0], 0), "Windows");

    // SERVERPROPERTY without CAST is sql_variant, as in SQL Server.
    let rows = batch(&mut c, "SELECT SERVERPROPERTY('ProductVersion') AS v, SERVERPROPERTY('EngineEdition') AS e, SERVERPROPERTY('Nope') AS n").await.unwrap();
    assert_eq!(rows[0][0].get::<&str, _>("v"), Some("16.0.4175.1"));
    assert_eq!(rows[0][0].get::<i32, _>("e"), Some(3));
    assert_eq!(rows[0][0].get::<&str, _>("n"), None);
}

#[tokio::test]
async fn linux_fci_scenario() {
    let sc = Scenario { host_platform: "Linux".into(), clustered: true, engine_edition: 2, ..scenario() };
    let sim = sqlsim::start(sc).await.unwrap();
    let mut c = sa(&sim).await;
    let rows = batch(&mut c, "SELECT host_platform FROM sys.dm_os_host_info; SELECT CAST(SERVERPROPERTY('IsClustered') AS int), CAST(SERVERPROPERTY('EngineEdition') AS int)").await.unwrap();
    assert_eq!(rows.len(), 2, "two result sets");
    assert_eq!(str_col(&rows[0][0], 0), "Linux");
    assert_eq!(rows[1][0].get::<i32, _>(0), Some(1));
    assert_eq!(rows[1][0].get::<i32, _>(1), Some(2));
}

#[tokio::test]
async fn databases_and_files() {
    let mut sc = scenario();
    sc.databases.push(Database {
        name: "Big".into(),
        recovery_model: "SIMPLE".into(),
        files: vec![
            DbFile { logical_name: "Big".into(), physical_name: "F:\\data\\Big.mdf".into(), file_type: "ROWS".into(), size_mb: 1024 },
            DbFile { logical_name: "Big_log".into(), physical_name: "G:\\log\\Big_log.ldf".into(), file_type: "LOG".into(), size_mb: 64 },
        ],
        ..Database::default()
    });
    let sim = sqlsim::start(sc).await.unwrap();
    let mut c = sa(&sim).await;
    let rows = batch(&mut c, "SELECT name, database_id, state_desc, recovery_model_desc FROM sys.databases WHERE database_id > 4 ORDER BY name").await.unwrap();
    let names: Vec<String> = rows[0].iter().map(|r| str_col(r, 0)).collect();
    assert_eq!(names, vec!["Big", "Sales"]);
    assert_eq!(str_col(&rows[0][0], 3), "SIMPLE");
    assert_eq!(str_col(&rows[0][1], 2), "ONLINE");

    // sp_executesql with a parameter (tiberius `query`).
    let rows = query(&mut c, "SELECT f.name, f.physical_name, f.type_desc, f.size FROM sys.master_files f WHERE f.database_id = @P1 ORDER BY f.file_id", &[&6i32]).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(str_col(&rows[0], 0), "Big");
    assert_eq!(str_col(&rows[0], 1), "F:\\data\\Big.mdf");
    assert_eq!(str_col(&rows[1], 2), "LOG");
    assert_eq!(rows[0].get::<i32, _>("size"), Some(1024 * 128));

    let rows = query(&mut c, "SELECT database_id FROM sys.databases WHERE name = @P1", &[&"sales"]).await.unwrap();
    assert_eq!(rows[0].get::<i32, _>(0), Some(5));

    // Unknown objects: SQL Server's 208.
    let (n, class, _, text) = batch_err(&mut c, "SELECT * FROM dbo.NoSuchTable").await;
    assert_eq!((n, class), (208, 16));
    assert_eq!(text, "Invalid object name 'dbo.NoSuchTable'.");
}

#[tokio::test]
async fn credentials_lifecycle() {
    let mut sc = scenario();
    sc.credentials.push(CredentialSeed { name: "https://acct.blob.core.windows.net/old".into(), identity: "SHARED ACCESS SIGNATURE".into(), secret: Some("sv=x&sig=SEEDSECRET".into()) });
    let sim = sqlsim::start(sc).await.unwrap();
    let mut c = sa(&sim).await;
    batch(&mut c, &format!("CREATE CREDENTIAL [{MI_URL}] WITH IDENTITY = N'Managed Identity'")).await.unwrap();
    let (n, class, _, text) = batch_err(&mut c, &format!("CREATE CREDENTIAL [{}] WITH IDENTITY = 'Managed Identity'", MI_URL.to_uppercase())).await;
    assert_eq!((n, class), (15025, 16));
    assert_eq!(text, format!("The server principal '{}' already exists.", MI_URL.to_uppercase()));

    let rows = query(&mut c, "SELECT credential_id, name, credential_identity, create_date, modify_date, target_type, target_id FROM sys.credentials WHERE name = @P1", &[&MI_URL]).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(str_col(&rows[0], 2), "Managed Identity");
    assert!(rows[0].get::<chrono::NaiveDateTime, _>("create_date").is_some());
    assert_eq!(rows[0].get::<&str, _>("target_type"), None);

    batch(&mut c, "ALTER CREDENTIAL [https://acct.blob.core.windows.net/old] WITH IDENTITY = 'SHARED ACCESS SIGNATURE', SECRET = 'sv=2&sig=NEW'").await.unwrap();
    assert_eq!(sim.state.lock().credential("https://acct.blob.core.windows.net/old").unwrap().secret.as_deref(), Some("sv=2&sig=NEW"));
    batch(&mut c, "DROP CREDENTIAL [https://acct.blob.core.windows.net/old]").await.unwrap();
    let (n, _, _, text) = batch_err(&mut c, "DROP CREDENTIAL [https://acct.blob.core.windows.net/old]").await;
    assert_eq!(n, 15151);
    assert_eq!(text, "Cannot drop the credential 'https://acct.blob.core.windows.net/old', because it does not exist or you do not have permission.");
    let (n, _, _, _) = batch_err(&mut c, "ALTER CREDENTIAL [nope] WITH IDENTITY = 'x'").await;
    assert_eq!(n, 15151);

    let rows = batch(&mut c, "SELECT name FROM sys.credentials ORDER BY name").await.unwrap();
    assert_eq!(rows[0].len(), 1);
    // The server collation is case-insensitive; COLLATE …_BIN2 makes the match exact.
    let upper = MI_URL.to_uppercase();
    assert_eq!(batch(&mut c, &format!("SELECT name FROM sys.credentials WHERE name = N'{upper}'")).await.unwrap()[0].len(), 1);
    assert_eq!(batch(&mut c, &format!("SELECT name FROM sys.credentials WHERE name = N'{upper}' COLLATE Latin1_General_BIN2")).await.unwrap()[0].len(), 0);
    assert_eq!(batch(&mut c, &format!("SELECT name FROM sys.credentials WHERE name = N'{MI_URL}' COLLATE Latin1_General_BIN2")).await.unwrap()[0].len(), 1);
    assert_eq!(sim.state.find_credential_for_url(&format!("{MI_URL}/db/full.bak")).unwrap().identity, "Managed Identity");

    // A non-sysadmin may not create credentials and sees none.
    let mut r = connect_with(&sim, config(&sim, EncryptionLevel::Required, AuthMethod::sql_server("reader", "R3ader-pw"))).await.unwrap();
    let (n, _, _, text) = batch_err(&mut r, "CREATE CREDENTIAL [x] WITH IDENTITY = 'Managed Identity'").await;
    assert_eq!((n, text.as_str()), (15247, "User does not have permission to perform this action."));
    assert!(batch(&mut r, "SELECT * FROM sys.credentials").await.unwrap()[0].is_empty());

    // Secrets never reach a result set or an error.
    let log = sim.statement_log();
    assert!(log.iter().any(|s| s.text.contains("ALTER CREDENTIAL")));
    assert!(!log.iter().any(|s| s.text.contains("sig=NEW") || s.params.contains("sig=NEW")), "the new secret reached the statement log");
}

#[tokio::test]
async fn trace_flag_4675_and_the_primary_managed_identity() {
    let sc = Scenario { primary_managed_identity: false, ..scenario() };
    let sim = sqlsim::start(sc).await.unwrap();
    let mut c = sa(&sim).await;
    // Without the flag, CREATE CREDENTIAL succeeds silently although no primary MI is set.
    batch(&mut c, "CREATE CREDENTIAL [https://a.blob.core.windows.net/one] WITH IDENTITY = 'Managed Identity'").await.unwrap();
    assert!(!sim.state.lock().credential("https://a.blob.core.windows.net/one").unwrap().created_with_tf4675);

    let rows = batch(&mut c, "DBCC TRACESTATUS(4675, -1)").await.unwrap();
    let r = &rows[0][0];
    assert_eq!(
        (r.get::<i32, _>("TraceFlag"), r.get::<i32, _>("Status"), r.get::<i32, _>("Global"), r.get::<i32, _>("Session")),
        (Some(4675), Some(0), Some(0), Some(0))
    );
    batch(&mut c, "DBCC TRACEON(4675, -1)").await.unwrap();
    let rows = batch(&mut c, "DBCC TRACESTATUS(4675)").await.unwrap();
    assert_eq!(rows[0][0].get::<i32, _>("Global"), Some(1));
    let (n, class, state, text) = batch_err(&mut c, "CREATE CREDENTIAL [https://a.blob.core.windows.net/two] WITH IDENTITY = 'Managed Identity'").await;
    assert_eq!((n, class, state), (37563, 16, 2));
    assert!(text.starts_with("The primary managed identity is not selected for this server."), "{text}");
    // SAS credentials are not affected.
    batch(&mut c, "CREATE CREDENTIAL [https://a.blob.core.windows.net/sas] WITH IDENTITY = 'SHARED ACCESS SIGNATURE', SECRET = 'sv=1&sig=x'").await.unwrap();

    // Global flags are seen by other sessions; session flags are not.
    let mut other = sa(&sim).await;
    assert_eq!(batch(&mut other, "DBCC TRACESTATUS(4675)").await.unwrap()[0][0].get::<i32, _>("Status"), Some(1));
    batch(&mut c, "DBCC TRACEOFF(4675, -1)").await.unwrap();
    batch(&mut c, "DBCC TRACEON(4675)").await.unwrap();
    let rows = batch(&mut c, "DBCC TRACESTATUS()").await.unwrap();
    assert_eq!((rows[0][0].get::<i32, _>("Global"), rows[0][0].get::<i32, _>("Session")), (Some(0), Some(1)));
    assert_eq!(batch(&mut other, "DBCC TRACESTATUS(4675)").await.unwrap()[0][0].get::<i32, _>("Status"), Some(0));
    assert_eq!(batch_err(&mut c, "CREATE CREDENTIAL [https://a.blob.core.windows.net/three] WITH IDENTITY = 'Managed Identity'").await.0, 37563);
    assert_eq!(batch_err(&mut other, "CREATE CREDENTIAL [https://a.blob.core.windows.net/one] WITH IDENTITY = 'Managed Identity'").await.0, 15025);

    // DBCC TRACEON needs sysadmin.
    let mut r = connect_with(&sim, config(&sim, EncryptionLevel::Required, AuthMethod::sql_server("reader", "R3ader-pw"))).await.unwrap();
    let (n, class, state, text) = batch_err(&mut r, "DBCC TRACEON(4675, -1)").await;
    assert_eq!((n, class, state), (2571, 14, 3));
    assert_eq!(text, "User 'reader' does not have permission to run DBCC TRACEON.");
    // TRACESTATUS is allowed to public.
    batch(&mut r, "DBCC TRACESTATUS(4675) WITH NO_INFOMSGS").await.unwrap();
}

#[tokio::test]
async fn readiness_checks_and_requests() {
    let sim = sqlsim::start(scenario()).await.unwrap();
    let mut c = sa(&sim).await;
    let rows = batch(&mut c, "SELECT IS_SRVROLEMEMBER('sysadmin') AS sa, HAS_PERMS_BY_NAME(NULL, NULL, 'VIEW SERVER STATE') AS vss, @@SPID AS spid").await.unwrap();
    assert_eq!(rows[0][0].get::<i32, _>("sa"), Some(1));
    assert_eq!(rows[0][0].get::<i32, _>("vss"), Some(1));
    let spid = rows[0][0].get::<i16, _>("spid").unwrap();
    // The session sees its own request while it runs.
    let rows = query(&mut c, "SELECT session_id, command, percent_complete, estimated_completion_time FROM sys.dm_exec_requests WHERE session_id = @P1", &[&(spid as i32)]).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(str_col(&rows[0], 1), "SELECT");
    assert_eq!(rows[0].get::<f32, _>(2), Some(0.0));

    // A second session sees a WAITFOR of the first one, with progress set through the state API.
    let mut waiter = sa(&sim).await;
    let wspid = batch(&mut waiter, "SELECT @@SPID").await.unwrap()[0][0].get::<i16, _>(0).unwrap();
    let sim_state = sim.state.clone();
    let h = tokio::spawn(async move {
        batch(&mut waiter, "WAITFOR DELAY '00:00:01'").await.unwrap();
        waiter
    });
    let mut seen = false;
    for _ in 0..100 {
        sim_state.set_progress(wspid as u16, 42.5, 1234);
        let rows = query(&mut c, "SELECT command, percent_complete, estimated_completion_time FROM sys.dm_exec_requests WHERE session_id = @P1", &[&(wspid as i32)]).await.unwrap();
        if let Some(r) = rows.first() {
            assert_eq!(str_col(r, 0), "WAITFOR");
            if r.get::<f32, _>(1) == Some(42.5) {
                assert_eq!(r.get::<i64, _>(2), Some(1234));
                seen = true;
                break;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(seen, "the WAITFOR request never showed up in sys.dm_exec_requests");
    let _ = h.await.unwrap();
    assert!(sim.state.requests().iter().all(|r| r.session_id != wspid as u16), "the request row is removed when it ends");

    let rows = batch(&mut c, "SELECT permission_name FROM fn_my_permissions(NULL, 'SERVER') WHERE permission_name = 'ALTER ANY CREDENTIAL'").await.unwrap();
    assert_eq!(rows[0].len(), 1);

    // Without VIEW SERVER STATE only the own session is visible.
    let mut r = connect_with(&sim, config(&sim, EncryptionLevel::Required, AuthMethod::sql_server("reader", "R3ader-pw"))).await.unwrap();
    let rows = batch(&mut r, "SELECT IS_SRVROLEMEMBER('sysadmin'), HAS_PERMS_BY_NAME(NULL, NULL, 'VIEW SERVER STATE')").await.unwrap();
    assert_eq!((rows[0][0].get::<i32, _>(0), rows[0][0].get::<i32, _>(1)), (Some(0), Some(0)));
    let rows = batch(&mut r, "SELECT entity_name, permission_name FROM sys.fn_my_permissions(NULL, 'SERVER') ORDER BY permission_name").await.unwrap();
    let perms: Vec<String> = rows[0].iter().map(|x| str_col(x, 1)).collect();
    assert_eq!(perms, vec!["CONNECT SQL", "VIEW ANY DATABASE"]);
    assert_eq!(str_col(&rows[0][0], 0), "server");
}

#[tokio::test]
async fn several_result_sets_and_statement_errors_in_one_batch() {
    let sim = sqlsim::start(scenario()).await.unwrap();
    let mut c = sa(&sim).await;
    let s = c.simple_query("SELECT 1 AS a; SELECT N'x' AS b, 2 AS c\nSELECT name FROM sys.databases ORDER BY database_id").await.unwrap();
    let sets = s.into_results().await.unwrap();
    assert_eq!(sets.len(), 3);
    assert_eq!(sets[0][0].get::<i32, _>("a"), Some(1));
    assert_eq!(sets[1][0].get::<&str, _>("b"), Some("x"));
    assert_eq!(str_col(&sets[2][0], 0), "master");
    // An error in a later statement still reports it (tiberius returns the first error).
    let (n, _, _, text) = batch_err(&mut c, "SELECT 1; DROP CREDENTIAL [missing]").await;
    assert_eq!(n, 15151);
    assert!(text.contains("missing"));
    // Syntax errors stop the whole batch before anything runs.
    let (n, class, _, text) = batch_err(&mut c, "CREATE CREDENTIAL [z] WITH IDENTITY = 'Managed Identity'; SELECT FROM").await;
    assert_eq!((n, class), (156, 15));
    assert_eq!(text, "Incorrect syntax near the keyword 'FROM'.");
    assert!(sim.state.lock().credential("z").is_none(), "nothing of a batch with a syntax error runs");
    // Unknown procedures and unmodelled statements are errors, never silent successes.
    assert_eq!(batch_err(&mut c, "sp_who2").await.0, 2812);
    let (n, _, _, text) = batch_err(&mut c, "UPDATE t SET a = 1").await;
    assert_eq!(n, 50000);
    assert_eq!(text, "sqlsim: the statement UPDATE is not supported by the simulator.");
    let (n, _, _, text) = batch_err(&mut c, "SELECT 'abc").await;
    assert_eq!((n, text.as_str()), (105, "Unclosed quotation mark after the character string 'abc'."));
    // The session still works.
    assert_eq!(batch(&mut c, "SELECT 7").await.unwrap()[0][0].get::<i32, _>(0), Some(7));
}

#[tokio::test]
async fn statement_log_shows_exactly_what_arrived() {
    let dir = std::env::temp_dir().join(format!("sqlsim-stmtlog-{}.jsonl", std::process::id()));
    let _ = std::fs::remove_file(&dir);
    let sim = sqlsim::start_with(scenario(), sqlsim::StartOptions { statement_log: Some(dir.clone()), ..Default::default() }).await.unwrap();
    let mut c = sa(&sim).await;
    batch(&mut c, "CREATE CREDENTIAL [https://a.blob.core.windows.net/c]]x] WITH IDENTITY = N'it''s'").await.unwrap();
    c.query("SELECT name FROM sys.credentials WHERE name = @P1", &[&"a'b"]).await.unwrap().into_results().await.unwrap();
    let log = sim.statement_log();
    assert_eq!(log[0].kind, "batch");
    assert_eq!(log[0].login, "sa");
    assert_eq!(log[0].text, "CREATE CREDENTIAL [https://a.blob.core.windows.net/c]]x] WITH IDENTITY = N'it''s'");
    assert_eq!(log[1].kind, "rpc");
    assert_eq!(log[1].text, "SELECT name FROM sys.credentials WHERE name = @P1");
    assert!(log[1].params.contains("@P1"));
    assert_eq!(sim.state.lock().credentials[0].name, "https://a.blob.core.windows.net/c]x");
    let file = std::fs::read_to_string(&dir).unwrap();
    let lines: Vec<serde_json::Value> = file.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["text"], "SELECT name FROM sys.credentials WHERE name = @P1");

    // A SECRET literal is masked in the log (memory and file); the server stores it as sent.
    let sas_create = "ALTER CREDENTIAL [https://a.blob.core.windows.net/c]]x] WITH IDENTITY = N'SHARED ACCESS SIGNATURE', SECRET = N'sv=2022-11-02&sig=Log''Secret'";
    batch(&mut c, sas_create).await.unwrap();
    let masked = "ALTER CREDENTIAL [https://a.blob.core.windows.net/c]]x] WITH IDENTITY = N'SHARED ACCESS SIGNATURE', SECRET = N'***'";
    assert_eq!(sim.statement_log()[2].text, masked);
    let file = std::fs::read_to_string(&dir).unwrap();
    assert!(!file.contains("LogSecret") && !file.contains("Log''Secret"), "{file}");
    assert_eq!(serde_json::from_str::<serde_json::Value>(file.lines().nth(2).unwrap()).unwrap()["text"], masked);
    assert_eq!(sim.state.lock().credentials[0].secret.as_deref(), Some("sv=2022-11-02&sig=Log'Secret"));
    let _ = std::fs::remove_file(&dir);
}

#[tokio::test]
async fn use_print_set_and_types() {
    let sim = sqlsim::start(scenario()).await.unwrap();
    let mut c = sa(&sim).await;
    batch(&mut c, "SET NOCOUNT ON; USE [Sales]; PRINT N'hello'").await.unwrap();
    assert_eq!(str_col(&batch(&mut c, "SELECT DB_NAME()").await.unwrap()[0][0], 0), "Sales");
    assert_eq!(batch_err(&mut c, "USE nope").await.0, 911);
    let rows = batch(&mut c, "SELECT CAST(1 AS bit) AS b, CAST(5 AS bigint) AS big, CAST(12 AS numeric(20,0)) AS n, CAST('ab' AS char(4)) AS ch, GETDATE() AS d, SYSDATETIME() AS d2, CAST(NULL AS int) AS nul").await.unwrap();
    let r = &rows[0][0];
    assert_eq!(r.get::<bool, _>("b"), Some(true));
    assert_eq!(r.get::<i64, _>("big"), Some(5));
    assert_eq!(r.get::<tiberius::numeric::Numeric, _>("n").map(|n| n.value()), Some(12));
    assert_eq!(r.get::<&str, _>("ch"), Some("ab  "));
    let d = r.get::<chrono::NaiveDateTime, _>("d").unwrap();
    let d2 = r.get::<chrono::NaiveDateTime, _>("d2").unwrap();
    assert!((d2 - d).num_seconds().abs() < 5);
    assert_eq!(r.get::<i32, _>("nul"), None);
    let (n, _, _, text) = batch_err(&mut c, "SELECT CAST(N'x1' AS int)").await;
    assert_eq!((n, text.as_str()), (245, "Conversion failed when converting the nvarchar value 'x1' to data type int."));
}

#[tokio::test]
async fn credential_names_are_sysname_at_most_128_characters() {
    let sim = sqlsim::start(scenario()).await.unwrap();
    let mut c = sa(&sim).await;
    let base = "https://acct.blob.core.windows.net/";
    let n128 = format!("{base}{}", "a".repeat(128 - base.len()));
    let n129 = format!("{n128}b");
    let (n, class, state, text) = batch_err(&mut c, &format!("CREATE CREDENTIAL [{n129}] WITH IDENTITY = 'Managed Identity'")).await;
    assert_eq!((n, class, state), (103, 15, 4));
    assert_eq!(text, format!("The identifier that starts with '{n128}' is too long. Maximum length is 128."));
    batch(&mut c, &format!("CREATE CREDENTIAL [{n128}] WITH IDENTITY = 'Managed Identity'")).await.unwrap();
    let rows = batch(&mut c, "SELECT name FROM sys.credentials ORDER BY name").await.unwrap();
    let names: Vec<String> = rows[0].iter().map(|r| str_col(r, 0)).collect();
    assert_eq!(names, vec![n128.clone()], "only the 128-character name was created");
    let (n, _, _, _) = batch_err(&mut c, &format!("DROP CREDENTIAL [{n129}]")).await;
    assert_eq!(n, 103);
}
