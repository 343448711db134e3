//! The backup engine driven directly through the executor contract (no TDS), against Azurite:
//! checks the *complete* message sequences (cause, then 3013), which tiberius cannot show, and
//! checks every blob with the independent client in `backup_support`.

mod backup_support;

use std::sync::Arc;
use std::time::Duration;

use backup_support::*;
use sqlsim::backup::admin::{corrupt_blob, Damage};
use sqlsim::exec::{Event, ExecContext, ExecError, ResultSet, SqlValue};
use sqlsim::scenario::Scenario;
use sqlsim::state::ServerState;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Everything one statement produced.
#[derive(Debug)]
struct Run {
    events: Vec<Event>,
    result: Result<(), ExecError>,
}

impl Run {
    /// Message numbers in order: streamed INFO/ERROR events, then those carried by `Failed`.
    fn numbers(&self) -> Vec<u32> {
        let mut v: Vec<u32> = self
            .events
            .iter()
            .filter_map(|e| match e {
                Event::Info(m) | Event::Error(m) => Some(m.number),
                _ => None,
            })
            .collect();
        if let Err(ExecError::Failed(ms)) = &self.result {
            v.extend(ms.iter().map(|m| m.number));
        }
        v
    }
    fn failed(&self) -> Vec<(u32, String)> {
        match &self.result {
            Err(ExecError::Failed(ms)) => ms.iter().map(|m| (m.number, m.text.clone())).collect(),
            other => panic!("expected a failure, got {other:?} after {:?}", self.numbers()),
        }
    }
    fn ok(&self) -> &Self {
        assert!(self.result.is_ok(), "statement failed: {:?}", self.result);
        self
    }
    fn rows(&self) -> &ResultSet {
        self.events
            .iter()
            .find_map(|e| match e {
                Event::Rows(r) => Some(r),
                _ => None,
            })
            .expect("a result set")
    }
    fn texts(&self, number: u32) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Info(m) if m.number == number => Some(m.text.clone()),
                _ => None,
            })
            .collect()
    }
}

fn ctx(server: &Arc<ServerState>, cancel: CancellationToken) -> (ExecContext, mpsc::Receiver<Event>) {
    let (tx, rx) = mpsc::channel(256);
    (
        ExecContext {
            session_id: 60,
            login: "sa".into(),
            out: tx,
            cancel,
            server: Arc::clone(server),
            is_sysadmin: true,
            is_backup_operator: true,
            database: "master".into(),
        },
        rx,
    )
}

async fn exec(server: &Arc<ServerState>, sql: &str) -> Run {
    let (c, mut rx) = ctx(server, CancellationToken::new());
    let collector = tokio::spawn(async move {
        let mut v = Vec::new();
        while let Some(e) = rx.recv().await {
            v.push(e);
        }
        v
    });
    let result = tokio::time::timeout(Duration::from_secs(60), sqlsim::backup::execute(sql, &c))
        .await
        .expect("statement finished within 60 s");
    drop(c);
    Run { events: collector.await.unwrap(), result }
}

fn value<'a>(rs: &'a ResultSet, row: usize, col: &str) -> &'a SqlValue {
    let i = rs.columns.iter().position(|c| c.name == col).unwrap_or_else(|| panic!("no column {col}"));
    &rs.rows[row][i]
}

fn num(v: &SqlValue) -> i128 {
    match v {
        SqlValue::Numeric(n) => *n,
        SqlValue::Int(n) => *n as i128,
        other => panic!("not a number: {other:?}"),
    }
}

async fn setup(tag: &str, role: &str, dbs: Vec<sqlsim::scenario::Database>) -> (Arc<ServerState>, Blobs, String) {
    let blobs = Blobs::new();
    let c = container_name(tag);
    blobs.create_container(&c).await;
    let sc = scenario(&c, role, dbs);
    (Arc::new(ServerState::new(sc)), blobs, c)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_backup_writes_a_committed_blob_that_reads_back() {
    let (server, blobs, c) = setup("full", "Contributor", vec![db("Sales", "FULL", 64)]).await;
    let url = blob_url(&c, "Sales_full.bak");
    let r = exec(&server, &format!("BACKUP DATABASE [Sales] TO URL = N'{url}' WITH COMPRESSION, CHECKSUM, NAME = N'nightly', MAXTRANSFERSIZE = 4194304, BLOCKSIZE = 65536")).await;
    r.ok();
    assert_eq!(r.numbers(), vec![4035, 4035, 3014]);
    assert_eq!(r.texts(4035)[0], "Processed 8192 pages for database 'Sales', file 'Sales' on file 1.");
    assert!(r.texts(3014)[0].starts_with("BACKUP DATABASE successfully processed 8194 pages in "), "{:?}", r.texts(3014));

    // Independent check: a committed block blob, header block + payload blocks, lease released.
    let props = blobs.props(&c, "Sales_full.bak").await.expect("committed blob");
    assert_eq!(props.lease_state, "available");
    let blocks = blobs.committed_blocks(&c, "Sales_full.bak").await.unwrap();
    // 64 MB compressed by 3 → 21.3 MB → 6 blocks of 4 MB (virtual); 6 real blocks + header.
    assert_eq!(blocks, 7);
    let raw = blobs.get(&c, "Sales_full.bak").await.unwrap();
    assert_eq!(&raw[..8], b"SQLSIMBK");
    assert_eq!(raw.len() as u64, props.content_length);

    let h = exec(&server, &format!("RESTORE HEADERONLY FROM URL = N'{url}'")).await;
    h.ok();
    let rs = h.rows();
    assert_eq!(rs.rows.len(), 1);
    assert_eq!(value(rs, 0, "DatabaseName"), &SqlValue::Str("Sales".into()));
    assert_eq!(value(rs, 0, "BackupName"), &SqlValue::Str("nightly".into()));
    assert_eq!(num(value(rs, 0, "BackupType")), 1);
    assert_eq!(value(rs, 0, "Compressed"), &SqlValue::Bit(true));
    assert_eq!(value(rs, 0, "HasBackupChecksums"), &SqlValue::Bit(true));
    assert_eq!(value(rs, 0, "BackupTypeDescription"), &SqlValue::Str("Database".into()));
    assert_eq!(num(value(rs, 0, "BackupSize")), 64 * 1024 * 1024);
    assert!(num(value(rs, 0, "FirstLSN")) < num(value(rs, 0, "LastLSN")));
    assert_eq!(num(value(rs, 0, "DeviceType")), 9);

    let f = exec(&server, &format!("RESTORE FILELISTONLY FROM URL = N'{url}'")).await;
    f.ok();
    let rs = f.rows();
    assert_eq!(rs.rows.len(), 2);
    assert_eq!(value(rs, 0, "LogicalName"), &SqlValue::Str("Sales".into()));
    assert_eq!(value(rs, 0, "PhysicalName"), &SqlValue::Str("F:\\data\\Sales.mdf".into()));
    assert_eq!(value(rs, 1, "Type"), &SqlValue::Str("L".into()));

    let l = exec(&server, &format!("RESTORE LABELONLY FROM URL = N'{url}'")).await;
    l.ok();
    assert_eq!(num(value(l.rows(), 0, "FamilyCount")), 1);

    let v = exec(&server, &format!("RESTORE VERIFYONLY FROM URL = N'{url}' WITH CHECKSUM")).await;
    v.ok();
    assert_eq!(v.texts(3262), vec!["The backup set on file 1 is valid.".to_string()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn existing_blob_needs_format() {
    let (server, blobs, c) = setup("fmt", "Contributor", vec![db("Db1", "FULL", 8)]).await;
    let url = blob_url(&c, "x.bak");
    blobs.put(&c, "x.bak", b"someone else's file".to_vec()).await;
    let r = exec(&server, &format!("BACKUP DATABASE Db1 TO URL = '{url}'")).await;
    let f = r.failed();
    assert_eq!(f[0].0, 3271);
    assert_eq!(
        f[0].1,
        format!("A nonrecoverable I/O error occurred on file \"{url}:\" The file {url} exists on the remote endpoint, and WITH FORMAT was not specified. Backup cannot proceed..")
    );
    assert_eq!(f[1], (3013, "BACKUP DATABASE is terminating abnormally.".into()));
    assert_eq!(blobs.get(&c, "x.bak").await.unwrap(), b"someone else's file");

    exec(&server, &format!("BACKUP DATABASE Db1 TO URL = '{url}' WITH FORMAT")).await.ok();
    assert_eq!(&blobs.get(&c, "x.bak").await.unwrap()[..8], b"SQLSIMBK");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reader_role_none_role_and_blocked_network_are_access_denied() {
    for (role, blocked) in [("Reader", false), ("None", false), ("Contributor", true)] {
        let blobs = Blobs::new();
        let c = container_name("deny");
        blobs.create_container(&c).await;
        let mut sc: Scenario = scenario(&c, role, vec![db("Db1", "FULL", 8)]);
        sc.storage[0].network_blocked = blocked;
        let server = Arc::new(ServerState::new(sc));
        let url = blob_url(&c, "d.bak");
        let f = exec(&server, &format!("BACKUP DATABASE Db1 TO URL = '{url}'")).await.failed();
        assert_eq!(
            f,
            vec![
                (3201, format!("Cannot open backup device '{url}'. Operating system error 5(Access is denied.).")),
                (3013, "BACKUP DATABASE is terminating abnormally.".into())
            ],
            "role {role} blocked {blocked}"
        );
        assert!(blobs.list(&c).await.is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reader_role_can_restore_headers() {
    // Back up with a Contributor server, read with a Reader server.
    let (server, _blobs, c) = setup("rdr", "Contributor", vec![db("Db1", "FULL", 8)]).await;
    let url = blob_url(&c, "r.bak");
    exec(&server, &format!("BACKUP DATABASE Db1 TO URL = '{url}'")).await.ok();
    let reader = Arc::new(ServerState::new(scenario(&c, "Reader", vec![])));
    exec(&reader, &format!("RESTORE HEADERONLY FROM URL = '{url}'")).await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_credential_for_the_container() {
    let (server, _blobs, c) = setup("nocred", "Contributor", vec![db("Db1", "FULL", 8)]).await;
    let url = blob_url(&format!("{c}x"), "d.bak");
    let f = exec(&server, &format!("BACKUP DATABASE Db1 TO URL = '{url}'")).await.failed();
    assert_eq!(f[0], (3201, format!("Cannot open backup device '{url}'. Operating system error 50(The request is not supported.).")));
    assert_eq!(f[1].0, 3013);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sas_credential_writes_and_a_read_only_sas_is_denied() {
    use sqlsim::scenario::CredentialSeed;
    let blobs = Blobs::new();
    let c = container_name("sas");
    blobs.create_container(&c).await;
    let mut sc = scenario(&c, "None", vec![db("Db1", "FULL", 8)]);
    sc.credentials = vec![CredentialSeed {
        name: format!("{ACCOUNT_URL}/{c}"),
        identity: "SHARED ACCESS SIGNATURE".into(),
        secret: Some(account_sas("rwdlac")),
    }];
    let server = Arc::new(ServerState::new(sc.clone()));
    let url = blob_url(&c, "sas.bak");
    exec(&server, &format!("BACKUP DATABASE Db1 TO URL = '{url}'")).await.ok();
    assert!(blobs.props(&c, "sas.bak").await.is_some());

    sc.credentials[0].secret = Some(account_sas("rl"));
    let ro = Arc::new(ServerState::new(sc.clone()));
    let url2 = blob_url(&c, "ro.bak");
    let f = exec(&ro, &format!("BACKUP DATABASE Db1 TO URL = '{url2}'")).await.failed();
    assert_eq!(f[0], (3201, format!("Cannot open backup device '{url2}'. Operating system error 5(Access is denied.).")));
    // Reading works with the read-only SAS.
    exec(&ro, &format!("RESTORE VERIFYONLY FROM URL = '{url}'")).await.ok();

    sc.credentials[0].secret = Some(format!("?{}", account_sas("rwdlac")));
    let q = Arc::new(ServerState::new(sc));
    let f = exec(&q, &format!("BACKUP DATABASE Db1 TO URL = '{url2}'")).await.failed();
    assert_eq!(f[0].0, 3201);
    assert!(f[0].1.ends_with("Operating system error 50(The request is not supported.)."), "{}", f[0].1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_terabyte_on_one_blob_hits_the_block_limit_and_commits_nothing() {
    let (server, blobs, c) = setup("tb", "Contributor", vec![db("Big", "FULL", 1024 * 1024)]).await;
    let url = blob_url(&c, "big.bak");
    let f = exec(&server, &format!("BACKUP DATABASE Big TO URL = '{url}' WITH MAXTRANSFERSIZE = 4194304")).await.failed();
    assert_eq!(
        f,
        vec![
            (3063, format!("Write to backup block blob device {url} failed. Device has reached its limit of allowed blocks.")),
            (3013, "BACKUP DATABASE is terminating abnormally.".into())
        ]
    );
    assert!(blobs.props(&c, "big.bak").await.is_none(), "no committed blob after 3063");
    assert!(blobs.list(&c).await.is_empty());

    // 64 stripes of 1 TB / 64 at 4 MB = 4,096 blocks each: fine (virtual), 64 real blobs.
    let urls: Vec<String> = (0..64).map(|i| format!("URL = '{}'", blob_url(&c, &format!("big_{i:02}.bak")))).collect();
    let r = exec(&server, &format!("BACKUP DATABASE Big TO {} WITH MAXTRANSFERSIZE = 4194304, COMPRESSION", urls.join(", "))).await;
    r.ok();
    assert_eq!(blobs.list(&c).await.len(), 64);
    let h = exec(&server, &format!("RESTORE HEADERONLY FROM URL = '{}'", blob_url(&c, "big_00.bak"))).await;
    assert_eq!(num(value(h.rows(), 0, "BackupSize")), 1i128 << 40);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_and_differential_rules_and_lsn_chain() {
    let (server, _blobs, c) =
        setup("lsn", "Contributor", vec![db("Full1", "FULL", 16), db("Simple1", "SIMPLE", 16)]).await;
    let u = |n: &str| blob_url(&c, n);
    let f = exec(&server, &format!("BACKUP LOG Simple1 TO URL = '{}'", u("s.trn"))).await.failed();
    assert_eq!(f[0].0, 4208);
    assert_eq!(f[0].1, "The statement BACKUP LOG is not allowed while the recovery model is SIMPLE. Use BACKUP DATABASE or change the recovery model using ALTER DATABASE.");
    assert_eq!(f[1], (3013, "BACKUP LOG is terminating abnormally.".into()));
    let f = exec(&server, &format!("BACKUP LOG Full1 TO URL = '{}'", u("l0.trn"))).await.failed();
    assert_eq!(f[0], (4214, "BACKUP LOG cannot be performed because there is no current database backup.".into()));
    let f = exec(&server, &format!("BACKUP DATABASE Full1 TO URL = '{}' WITH DIFFERENTIAL", u("d0.bak"))).await.failed();
    assert_eq!(f[0].0, 3035);

    exec(&server, &format!("BACKUP DATABASE Full1 TO URL = '{}'", u("f.bak"))).await.ok();
    exec(&server, &format!("BACKUP LOG Full1 TO URL = '{}'", u("l1.trn"))).await.ok();
    exec(&server, &format!("BACKUP DATABASE Full1 TO URL = '{}' WITH DIFFERENTIAL", u("d1.bak"))).await.ok();
    exec(&server, &format!("BACKUP LOG Full1 TO URL = '{}'", u("l2.trn"))).await.ok();
    let hdr = |n: &'static str| {
        let server = server.clone();
        let url = u(n);
        async move { exec(&server, &format!("RESTORE HEADERONLY FROM URL = '{url}'")).await.rows().clone() }
    };
    let (full, l1, d1, l2) = (hdr("f.bak").await, hdr("l1.trn").await, hdr("d1.bak").await, hdr("l2.trn").await);
    assert_eq!(num(value(&l1, 0, "BackupType")), 2);
    assert_eq!(num(value(&d1, 0, "BackupType")), 5);
    // The log chain is contiguous: l1 starts at the full's first LSN, l2 where l1 ended.
    assert_eq!(num(value(&l1, 0, "FirstLSN")), num(value(&full, 0, "FirstLSN")));
    assert_eq!(num(value(&l2, 0, "FirstLSN")), num(value(&l1, 0, "LastLSN")));
    assert!(num(value(&l2, 0, "LastLSN")) > num(value(&l2, 0, "FirstLSN")));
    // The differential's base is the full backup.
    assert_eq!(value(&d1, 0, "DifferentialBaseGUID"), value(&full, 0, "BackupSetGUID"));
    assert_eq!(num(value(&d1, 0, "DifferentialBaseLSN")), num(value(&full, 0, "CheckpointLSN")));
    assert_eq!(num(value(&l1, 0, "DatabaseBackupLSN")), num(value(&full, 0, "CheckpointLSN")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_sequence_move_norecovery_logs_and_failures() {
    let mut other = db("Other", "FULL", 8);
    other.in_use = true;
    let (server, _blobs, c) = setup("rst", "Contributor", vec![db("Src", "FULL", 16), other]).await;
    let u = |n: &str| blob_url(&c, n);
    exec(&server, &format!("BACKUP DATABASE Src TO URL = '{}'", u("f.bak"))).await.ok();
    exec(&server, &format!("BACKUP LOG Src TO URL = '{}'", u("l1.trn"))).await.ok();
    exec(&server, &format!("BACKUP LOG Src TO URL = '{}'", u("l2.trn"))).await.ok();

    // A new name without MOVE: the files belong to Src → 1834 + 3156 per file, 3119, 3013.
    let f = exec(&server, &format!("RESTORE DATABASE Copy FROM URL = '{}'", u("f.bak"))).await.failed();
    let nums: Vec<u32> = f.iter().map(|x| x.0).collect();
    assert_eq!(nums, vec![1834, 3156, 1834, 3156, 3119, 3013]);
    assert_eq!(f[0].1, "The file 'F:\\data\\Src.mdf' cannot be overwritten.  It is being used by database 'Src'.");
    assert_eq!(f[1].1, "File 'Src' cannot be restored to 'F:\\data\\Src.mdf'. Use WITH MOVE to identify a valid location for the file.");
    assert_eq!(f[5].1, "RESTORE DATABASE is terminating abnormally.");

    // Over Src itself without REPLACE: the tail of the log was not backed up.
    let f = exec(&server, &format!("RESTORE DATABASE Src FROM URL = '{}'", u("f.bak"))).await.failed();
    assert_eq!(f[0].0, 3159);
    assert!(f[0].1.starts_with("The tail of the log for the database \"Src\" has not been backed up."));
    // Over another database: 3101 (in use) first.
    let f = exec(&server, &format!("RESTORE DATABASE Other FROM URL = '{}' WITH REPLACE", u("f.bak"))).await.failed();
    assert_eq!(f[0], (3101, "Exclusive access could not be obtained because the database is in use.".into()));
    server.lock().database_mut("Other").unwrap().in_use = false;
    let f = exec(&server, &format!("RESTORE DATABASE Other FROM URL = '{}'", u("f.bak"))).await.failed();
    assert_eq!(f[0], (3154, "The backup set holds a backup of a database other than the existing 'Other' database.".into()));

    // Missing blob → OS error 2.
    let f = exec(&server, &format!("RESTORE DATABASE Copy FROM URL = '{}'", u("nope.bak"))).await.failed();
    assert_eq!(f[0], (3201, format!("Cannot open backup device '{}'. Operating system error 2(The system cannot find the file specified.).", u("nope.bak"))));

    // MOVE + NORECOVERY, then the logs in order (l2 first is out of sequence).
    let r = exec(
        &server,
        &format!(
            "RESTORE DATABASE [Copy] FROM URL = '{}' WITH MOVE N'Src' TO N'F:\\data\\Copy.mdf', MOVE N'Src_log' TO N'G:\\log\\Copy_log.ldf', NORECOVERY, STATS = 50",
            u("f.bak")
        ),
    )
    .await;
    r.ok();
    assert_eq!(r.numbers(), vec![3211, 3211, 4035, 4035, 3014]);
    assert!(r.texts(3014)[0].starts_with("RESTORE DATABASE successfully processed "));
    {
        let g = server.lock();
        let d = g.database("Copy").expect("Copy exists");
        assert_eq!(d.state, "RESTORING");
        assert_eq!(d.files[0].physical_name, "F:\\data\\Copy.mdf");
        assert_eq!(d.files[1].physical_name, "G:\\log\\Copy_log.ldf");
    }
    let f = exec(&server, &format!("RESTORE LOG Copy FROM URL = '{}' WITH NORECOVERY", u("l2.trn"))).await.failed();
    assert_eq!(f[0].0, 4305);
    assert!(f[0].1.starts_with("The log in this backup set begins at LSN "), "{}", f[0].1);
    assert!(f[0].1.contains("which is too recent to apply to the database. An earlier log backup that includes LSN "));
    assert_eq!(f[1].1, "RESTORE LOG is terminating abnormally.");
    exec(&server, &format!("RESTORE LOG Copy FROM URL = '{}' WITH NORECOVERY", u("l1.trn"))).await.ok();
    let r = exec(&server, &format!("RESTORE LOG Copy FROM URL = '{}' WITH RECOVERY", u("l2.trn"))).await;
    r.ok();
    assert!(r.texts(3014)[0].starts_with("RESTORE LOG successfully processed "));
    assert_eq!(server.lock().database("Copy").unwrap().state, "ONLINE");
    // Once recovered, no more logs.
    let f = exec(&server, &format!("RESTORE LOG Copy FROM URL = '{}'", u("l2.trn"))).await.failed();
    assert_eq!(f[0].0, 3117);

    // REPLACE over Src works and keeps it ONLINE.
    exec(&server, &format!("RESTORE DATABASE Src FROM URL = '{}' WITH REPLACE", u("f.bak"))).await.ok();
    assert_eq!(server.lock().database("Src").unwrap().state, "ONLINE");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tail_log_backup_with_norecovery_allows_restore() {
    let (server, _blobs, c) = setup("tail", "Contributor", vec![db("T1", "FULL", 8)]).await;
    let u = |n: &str| blob_url(&c, n);
    exec(&server, &format!("BACKUP DATABASE T1 TO URL = '{}'", u("f.bak"))).await.ok();
    exec(&server, &format!("BACKUP LOG T1 TO URL = '{}' WITH NORECOVERY", u("tail.trn"))).await.ok();
    assert_eq!(server.lock().database("T1").unwrap().state, "RESTORING");
    exec(&server, &format!("RESTORE DATABASE T1 FROM URL = '{}' WITH NORECOVERY", u("f.bak"))).await.ok();
    exec(&server, &format!("RESTORE LOG T1 FROM URL = '{}' WITH RECOVERY", u("tail.trn"))).await.ok();
    assert_eq!(server.lock().database("T1").unwrap().state, "ONLINE");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrupt_and_truncated_blobs() {
    let (server, blobs, c) = setup("bad", "Contributor", vec![db("C1", "FULL", 8)]).await;
    let u = |n: &str| blob_url(&c, n);
    for n in ["p.bak", "h.bak", "t.bak"] {
        exec(&server, &format!("BACKUP DATABASE C1 TO URL = '{}'", u(n))).await.ok();
    }
    corrupt_blob(&server, &u("p.bak"), Damage::Payload).await.unwrap();
    corrupt_blob(&server, &u("h.bak"), Damage::Header).await.unwrap();
    // Truncate with the independent client.
    let raw = blobs.get(&c, "t.bak").await.unwrap();
    blobs.put(&c, "t.bak", raw[..raw.len() - 100].to_vec()).await;

    // Payload damage: header still readable, verify and restore fail.
    exec(&server, &format!("RESTORE HEADERONLY FROM URL = '{}'", u("p.bak"))).await.ok();
    let f = exec(&server, &format!("RESTORE VERIFYONLY FROM URL = '{}'", u("p.bak"))).await.failed();
    assert_eq!(f[0].0, 3183);
    assert_eq!(f[1], (3013, "VERIFY DATABASE is terminating abnormally.".into()));
    let f = exec(&server, &format!("RESTORE DATABASE C2 FROM URL = '{}' WITH MOVE 'C1' TO 'F:\\c2.mdf', MOVE 'C1_log' TO 'G:\\c2.ldf'", u("p.bak"))).await.failed();
    assert_eq!(f[0].0, 3183);
    assert!(server.lock().database("C2").is_none(), "nothing restored from a damaged blob");

    let f = exec(&server, &format!("RESTORE HEADERONLY FROM URL = '{}'", u("h.bak"))).await.failed();
    assert_eq!(
        f,
        vec![
            (3241, format!("The media family on device '{}' is incorrectly formed. SQL Server cannot process this media family.", u("h.bak"))),
            (3013, "RESTORE HEADERONLY is terminating abnormally.".into())
        ]
    );
    let f = exec(&server, &format!("RESTORE VERIFYONLY FROM URL = '{}'", u("t.bak"))).await.failed();
    assert_eq!(f[0], (3203, format!("Read on \"{}\" failed: 38(Reached the end of the file.)", u("t.bak"))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stripes_must_all_be_given() {
    let (server, blobs, c) = setup("str", "Contributor", vec![db("S1", "FULL", 32)]).await;
    let u = |n: &str| blob_url(&c, n);
    exec(&server, &format!("BACKUP DATABASE S1 TO URL = '{}', URL = '{}', URL = '{}'", u("a.bak"), u("b.bak"), u("c.bak"))).await.ok();
    assert_eq!(blobs.list(&c).await.len(), 3);
    let f = exec(&server, &format!("RESTORE VERIFYONLY FROM URL = '{}', URL = '{}'", u("a.bak"), u("b.bak"))).await.failed();
    assert_eq!(f[0], (3132, "The media set has 3 media families but only 2 are provided. All members must be provided.".into()));
    exec(&server, &format!("RESTORE VERIFYONLY FROM URL = '{}', URL = '{}', URL = '{}'", u("c.bak"), u("a.bak"), u("b.bak"))).await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsupported_options_for_url() {
    let (server, _blobs, c) = setup("opt", "Contributor", vec![db("O1", "FULL", 8)]).await;
    let f = exec(&server, &format!("BACKUP DATABASE O1 TO URL = '{}' WITH INIT", blob_url(&c, "o.bak"))).await.failed();
    assert_eq!(f[0].0, 3032);
    assert_eq!(f[1], (3013, "BACKUP DATABASE is terminating abnormally.".into()));
}

/// A backup that takes about 2 s (64 MB at 32 MB/s).
async fn slow_setup(tag: &str) -> (Arc<ServerState>, Blobs, String) {
    let blobs = Blobs::new();
    let c = container_name(tag);
    blobs.create_container(&c).await;
    let mut sc = scenario(&c, "Contributor", vec![db("Slow", "FULL", 64)]);
    sc.throughput_mb_per_s = 32.0;
    (Arc::new(ServerState::new(sc)), blobs, c)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_stream_while_running_and_dm_exec_requests_shows_progress() {
    let (server, blobs, c) = slow_setup("stats").await;
    let url = blob_url(&c, "slow.bak");
    let (cx, mut rx) = ctx(&server, CancellationToken::new());
    let sql = format!("BACKUP DATABASE Slow TO URL = '{url}' WITH STATS = 10");
    let task = tokio::spawn(async move { sqlsim::backup::execute(&sql, &cx).await });
    let mut percents = Vec::new();
    let mut seen_progress = None;
    while let Some(ev) = tokio::time::timeout(Duration::from_secs(30), rx.recv()).await.expect("events keep coming") {
        if let Event::Info(m) = &ev {
            if m.number == 3211 {
                percents.push(m.text.clone());
                if m.text == "30 percent processed." {
                    // The statement is still running and other sessions see its progress.
                    assert!(!task.is_finished());
                    let reqs = server.requests();
                    let r = reqs.iter().find(|r| r.session_id == 60).expect("request row");
                    assert_eq!(r.command, "BACKUP DATABASE");
                    seen_progress = Some(r.percent_complete);
                }
            }
            if m.number == 3014 {
                break;
            }
        }
    }
    task.await.unwrap().unwrap();
    let expected: Vec<String> = (1..=10).map(|i| format!("{} percent processed.", i * 10)).collect();
    assert_eq!(percents, expected);
    let p = seen_progress.expect("saw 30 percent");
    assert!((30.0..100.0).contains(&p), "percent_complete {p}");
    assert!(server.requests().is_empty(), "request row removed at the end");
    assert!(blobs.props(&c, "slow.bak").await.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attention_aborts_without_commit_and_parallel_backup_sees_the_lease() {
    let (server, blobs, c) = slow_setup("cancel").await;
    let url = blob_url(&c, "cancel.bak");
    let cancel = CancellationToken::new();
    let (cx, mut rx) = ctx(&server, cancel.clone());
    let sql = format!("BACKUP DATABASE Slow TO URL = '{url}' WITH STATS = 10, FORMAT");
    let task = tokio::spawn(async move { sqlsim::backup::execute(&sql, &cx).await });
    while let Some(ev) = rx.recv().await {
        if matches!(&ev, Event::Info(m) if m.text == "20 percent processed.") {
            break;
        }
    }
    // While it runs, the blob is leased: a second backup to the same URL cannot write it
    // (3271 with the storage service's lease text, as the troubleshooting page shows it).
    let f = exec(&server, &format!("BACKUP DATABASE Slow TO URL = '{url}' WITH FORMAT")).await.failed();
    assert_eq!(f[0].0, 3271);
    assert!(f[0].1.contains("There is currently a lease on the blob"), "{}", f[0].1);
    assert_eq!(f[1].0, 3013);
    cancel.cancel();
    let r = tokio::time::timeout(Duration::from_secs(10), task).await.expect("stops promptly").unwrap();
    assert!(matches!(r, Err(ExecError::Cancelled)), "{r:?}");
    assert!(blobs.props(&c, "cancel.bak").await.is_none(), "no committed blob after ATTENTION");
    assert!(blobs.list(&c).await.is_empty());
    // The database is untouched: no full backup was recorded, so a log backup still has no base.
    let f = exec(&server, &format!("BACKUP LOG Slow TO URL = '{}'", blob_url(&c, "l.trn"))).await.failed();
    assert_eq!(f[0].0, 4214);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drop_connection_fault_and_storage_faults() {
    let (server, blobs, c) = slow_setup("fault").await;
    let url = blob_url(&c, "f.bak");
    let mut faults = server.faults();
    faults.drop_connection_at_percent = Some(40);
    server.set_faults(faults.clone());
    let r = exec(&server, &format!("BACKUP DATABASE Slow TO URL = '{url}' WITH STATS = 10")).await;
    assert!(matches!(r.result, Err(ExecError::DropConnection(_))), "{:?}", r.result);
    assert_eq!(r.texts(3211).last().map(String::as_str), Some("30 percent processed."));
    assert!(blobs.props(&c, "f.bak").await.is_none());

    faults.drop_connection_at_percent = None;
    faults.storage_unavailable = true;
    server.set_faults(faults.clone());
    let f = exec(&server, &format!("BACKUP DATABASE Slow TO URL = '{url}'")).await.failed();
    assert_eq!(f[0], (3201, format!("Cannot open backup device '{url}'. Operating system error 1117(The request could not be performed because of an I/O device error.).")));
    assert_eq!(f[1].0, 3013);

    faults.storage_unavailable = false;
    faults.storage_timeout = true;
    server.set_faults(faults.clone());
    let f = exec(&server, &format!("RESTORE HEADERONLY FROM URL = '{url}'")).await.failed();
    assert_eq!(f[0], (3201, format!("Cannot open backup device '{url}'. Operating system error 12002(The operation timed out).")));
    assert_eq!(f[1], (3013, "RESTORE HEADERONLY is terminating abnormally.".into()));
    assert!(blobs.list(&c).await.is_empty());
}

/// Issue 12 faults with their complete sequences: 3202 (1117) mid-write, 3271 TLS /
/// unreachable, the leased leftover and its retry — each followed by 3013; the sizes 3250/3253.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue12_fault_sequences_end_with_3013() {
    let (server, blobs, c) = slow_setup("f12").await;
    let url = blob_url(&c, "g.bak");
    let base = server.faults();
    server.set_faults(sqlsim::scenario::Faults { storage_write_fail_at_percent: Some(30), ..base.clone() });
    let r = exec(&server, &format!("BACKUP DATABASE Slow TO URL = '{url}' WITH STATS = 10")).await;
    assert_eq!(r.texts(3211).last().map(String::as_str), Some("30 percent processed."), "the device opened and data flowed first");
    let f = r.failed();
    assert_eq!(f[0], (3202, format!("Write on \"{url}\" failed: 1117(The request could not be performed because of an I/O device error.)")));
    assert_eq!(f[1], (3013, "BACKUP DATABASE is terminating abnormally.".into()));
    assert!(blobs.list(&c).await.is_empty(), "cleaned up");

    for (fault, words) in [
        (sqlsim::scenario::Faults { storage_tls_failure: true, ..base.clone() }, "SSL/TLS"),
        (sqlsim::scenario::Faults { storage_unreachable: true, ..base.clone() }, "Unable to connect to the remote server"),
    ] {
        server.set_faults(fault);
        let f = exec(&server, &format!("BACKUP DATABASE Slow TO URL = '{url}'")).await.failed();
        assert_eq!((f[0].0, f[1].0), (3271, 3013), "{f:?}");
        let f = exec(&server, &format!("RESTORE FILELISTONLY FROM URL = '{url}'")).await.failed();
        assert_eq!(f[0].0, 3271);
        assert!(f[0].1.contains(words), "{f:?}");
        assert_eq!(f[1], (3013, "RESTORE FILELIST is terminating abnormally.".into()));
    }

    server.set_faults(sqlsim::scenario::Faults { storage_write_fail_at_percent: Some(30), leave_leased_blob_on_failure: true, ..base.clone() });
    assert_eq!(exec(&server, &format!("BACKUP DATABASE Slow TO URL = '{url}'")).await.failed()[0].0, 3202);
    server.set_faults(base.clone());
    let f = exec(&server, &format!("BACKUP DATABASE Slow TO URL = '{url}' WITH FORMAT")).await.failed();
    assert_eq!(f[0].0, 3271);
    assert!(f[0].1.ends_with("There is currently a lease on the blob and no lease ID was specified in the request.."), "{f:?}");
    assert_eq!(f[1].0, 3013);

    let f = exec(&server, &format!("BACKUP DATABASE Slow TO URL = '{}' WITH BLOCKSIZE = 3000", blob_url(&c, "h.bak"))).await.failed();
    assert_eq!(f.iter().map(|x| x.0).collect::<Vec<_>>(), vec![3253, 3013]);
    let f = exec(&server, &format!("BACKUP DATABASE Slow TO URL = '{}' WITH MAXTRANSFERSIZE = 8388608", blob_url(&c, "h.bak"))).await.failed();
    assert_eq!(f.iter().map(|x| x.0).collect::<Vec<_>>(), vec![3250, 3013]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn differential_restore_and_stopat() {
    let (server, _blobs, c) = setup("diff", "Contributor", vec![db("D1", "FULL", 16)]).await;
    let u = |n: &str| blob_url(&c, n);
    exec(&server, &format!("BACKUP DATABASE D1 TO URL = '{}'", u("f.bak"))).await.ok();
    exec(&server, &format!("BACKUP DATABASE D1 TO URL = '{}'", u("f2.bak"))).await.ok();
    exec(&server, &format!("BACKUP DATABASE D1 TO URL = '{}' WITH DIFFERENTIAL", u("d.bak"))).await.ok();
    // Distinct timestamps for STOPAT (the clock, not an assertion on it).
    tokio::time::sleep(Duration::from_millis(1100)).await;
    exec(&server, &format!("BACKUP LOG D1 TO URL = '{}'", u("l.trn"))).await.ok();
    let hdr = exec(&server, &format!("RESTORE HEADERONLY FROM URL = '{}'", u("l.trn"))).await;
    let SqlValue::DateTime(log_end) = value(hdr.rows(), 0, "BackupFinishDate").clone() else { panic!() };
    let hdr = exec(&server, &format!("RESTORE HEADERONLY FROM URL = '{}'", u("d.bak"))).await;
    let SqlValue::DateTime(diff_end) = value(hdr.rows(), 0, "BackupFinishDate").clone() else { panic!() };
    let mv = "MOVE 'D1' TO 'F:\\data\\D2.mdf', MOVE 'D1_log' TO 'G:\\log\\D2_log.ldf'";

    // The differential is based on f2, not f: after restoring f it is refused (3136).
    exec(&server, &format!("RESTORE DATABASE D2 FROM URL = '{}' WITH {mv}, NORECOVERY", u("f.bak"))).await.ok();
    let f = exec(&server, &format!("RESTORE DATABASE D2 FROM URL = '{}' WITH NORECOVERY", u("d.bak"))).await.failed();
    assert_eq!(f[0].0, 3136);
    // Restart from f2 (REPLACE), apply the differential, then the log with STOPAT.
    exec(&server, &format!("RESTORE DATABASE D2 FROM URL = '{}' WITH {mv}, REPLACE, NORECOVERY", u("f2.bak"))).await.ok();
    exec(&server, &format!("RESTORE DATABASE D2 FROM URL = '{}' WITH NORECOVERY", u("d.bak"))).await.ok();
    let too_early = (diff_end - chrono::Duration::seconds(30)).format("%Y-%m-%dT%H:%M:%S%.3f");
    let f = exec(&server, &format!("RESTORE LOG D2 FROM URL = '{}' WITH STOPAT = '{too_early}', RECOVERY", u("l.trn"))).await.failed();
    assert_eq!(f[0].0, 4335);
    let after = (log_end + chrono::Duration::seconds(30)).format("%Y-%m-%dT%H:%M:%S%.3f");
    let r = exec(&server, &format!("RESTORE LOG D2 FROM URL = '{}' WITH STOPAT = '{after}', RECOVERY", u("l.trn"))).await;
    r.ok();
    assert_eq!(
        r.texts(4322),
        vec!["This backup set contains records that were logged before the designated point in time. The database is being left in the restoring state so that more roll forward can be performed."],
        "STOPAT beyond the log: information 4322, the database stays restoring"
    );
    assert!(r.texts(4323).is_empty());
    assert_eq!(server.lock().database("D2").unwrap().state, "RESTORING");

    // Again, stopping inside the log: recovered.
    // Without MOVE the backup's own paths (D1's files) would be used again: MOVE each time.
    exec(&server, &format!("RESTORE DATABASE D2 FROM URL = '{}' WITH {mv}, REPLACE, NORECOVERY", u("f2.bak"))).await.ok();
    exec(&server, &format!("RESTORE DATABASE D2 FROM URL = '{}' WITH NORECOVERY", u("d.bak"))).await.ok();
    let inside = (log_end - chrono::Duration::milliseconds(300)).format("%Y-%m-%dT%H:%M:%S%.3f");
    exec(&server, &format!("RESTORE LOG D2 FROM URL = '{}' WITH STOPAT = '{inside}', RECOVERY", u("l.trn"))).await.ok();
    assert_eq!(server.lock().database("D2").unwrap().state, "ONLINE");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn managed_identity_credential_without_primary_identity() {
    let blobs = Blobs::new();
    let c = container_name("nopmi");
    blobs.create_container(&c).await;
    let mut sc = scenario(&c, "Contributor", vec![db("P1", "FULL", 8)]);
    sc.primary_managed_identity = false;
    let server = Arc::new(ServerState::new(sc));
    let f = exec(&server, &format!("BACKUP DATABASE P1 TO URL = '{}'", blob_url(&c, "p.bak"))).await.failed();
    assert_eq!(f[0].0, 37563);
    assert_eq!(f[1].0, 3013);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_only_no_compression_description_and_encryption_read_back_from_the_blob() {
    let (server, blobs, c) = setup("opts", "Contributor", vec![db("Opts", "FULL", 8)]).await;
    let url = blob_url(&c, "opts.bak");
    exec(
        &server,
        &format!(
            "BACKUP DATABASE [Opts] TO URL = N'{url}' WITH COPY_ONLY, NO_COMPRESSION, DESCRIPTION = N'it''s nightly', NAME = N'n1', \
             ENCRYPTION (ALGORITHM = AES_256, SERVER CERTIFICATE = [BackupCert])"
        ),
    )
    .await
    .ok();
    assert!(blobs.props(&c, "opts.bak").await.is_some(), "committed blob");
    let h = exec(&server, &format!("RESTORE HEADERONLY FROM URL = N'{url}'")).await;
    h.ok();
    let rs = h.rows();
    assert_eq!(value(rs, 0, "IsCopyOnly"), &SqlValue::Bit(true));
    assert_eq!(value(rs, 0, "Compressed"), &SqlValue::Bit(false));
    assert_eq!(value(rs, 0, "BackupDescription"), &SqlValue::Str("it's nightly".into()));
    assert_eq!(value(rs, 0, "BackupName"), &SqlValue::Str("n1".into()));
    assert_eq!(num(value(rs, 0, "BackupSize")), num(value(rs, 0, "CompressedBackupSize")));
    assert_eq!(value(rs, 0, "KeyAlgorithm"), &SqlValue::Str("AES_256".into()));
    assert_eq!(value(rs, 0, "EncryptorType"), &SqlValue::Str("CERTIFICATE".into()));
    assert!(!matches!(value(rs, 0, "EncryptorThumbprint"), SqlValue::Null));

    // Without those options the same columns say so (the header really carries them).
    let url2 = blob_url(&c, "plain.bak");
    exec(&server, &format!("BACKUP DATABASE [Opts] TO URL = N'{url2}'")).await.ok();
    let h = exec(&server, &format!("RESTORE HEADERONLY FROM URL = N'{url2}'")).await;
    h.ok();
    let rs = h.rows();
    assert_eq!(value(rs, 0, "IsCopyOnly"), &SqlValue::Bit(false));
    assert_eq!(value(rs, 0, "BackupDescription"), &SqlValue::Null);
    assert_eq!(value(rs, 0, "KeyAlgorithm"), &SqlValue::Null);

    // A certificate or key that master does not hold: 15151 + 3013, nothing committed.
    let url3 = blob_url(&c, "nocert.bak");
    let f = exec(&server, &format!("BACKUP DATABASE [Opts] TO URL = N'{url3}' WITH ENCRYPTION (ALGORITHM = AES_256, SERVER CERTIFICATE = [NoSuchCert])")).await.failed();
    assert_eq!(f[0], (15151, "Cannot find the certificate 'NoSuchCert', because it does not exist or you do not have permission.".into()));
    assert_eq!(f[1], (3013, "BACKUP DATABASE is terminating abnormally.".into()));
    let f = exec(&server, &format!("BACKUP DATABASE [Opts] TO URL = N'{url3}' WITH ENCRYPTION (ALGORITHM = AES_128, SERVER ASYMMETRIC KEY = [K1])")).await.failed();
    assert_eq!(f[0], (15151, "Cannot find the asymmetric key 'K1', because it does not exist or you do not have permission.".into()));
    assert!(blobs.props(&c, "nocert.bak").await.is_none());
    // The certificate name is matched case-insensitively, as master's collation does.
    exec(&server, &format!("BACKUP DATABASE [Opts] TO URL = N'{url3}' WITH ENCRYPTION (ALGORITHM = AES_256, SERVER CERTIFICATE = [backupcert])")).await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_than_64_urls_is_refused_before_anything_is_written() {
    let (server, blobs, c) = setup("u65", "Contributor", vec![db("U65", "FULL", 8)]).await;
    let urls: Vec<String> = (0..65).map(|i| format!("URL = '{}'", blob_url(&c, &format!("s_{i:02}.bak")))).collect();
    let f = exec(&server, &format!("BACKUP DATABASE U65 TO {}", urls.join(", "))).await.failed();
    assert_eq!(f[0].0, 3205, "{f:?}");
    assert_eq!(f.last().unwrap(), &(3013, "BACKUP DATABASE is terminating abnormally.".into()));
    assert!(blobs.list(&c).await.is_empty());
}
