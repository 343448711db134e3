//! What Microsoft's clients receive on the wire, read by a recording TCP relay between them and
//! the simulator. With `Encrypt=Optional` / `Encrypt=false` TDS 7.x encrypts only the first
//! LOGIN7 packet, so the PRELOGIN reply, the login response (ENVCHANGEs, LOGINACK,
//! FEATUREEXTACK) and every later request and response cross the relay in clear text:
//! - PRELOGIN reply in one packet, ENCRYPTION OFF (login-only TLS), MARS present and 0;
//! - LOGINACK: interface 1, TDS 7.4, "Microsoft SQL Server", 16.0.4175; SPID in every header;
//! - ENVCHANGE only of types SqlClient parses (never 3/5/6, which desynchronise MDS 6.1+);
//! - FEATUREEXTACK: only features the client asked for, never the Azure-only or SQL Server
//!   2025 ones (0x08 AZURESQL, 0x0B DNS caching, 0x0D JSON, 0x0E VECTOR, 0x0F enhanced
//!   routing), payloads of the size SqlClient requires; System.Data.SqlClient only ever gets
//!   ids it knows (0x01, 0x02, 0x05, 0x0A);
//! - pool reset: the request carrying RESETCONNECTION (status 0x08) is answered with
//!   ENVCHANGE 18 (`E3 03 00 12 00 00`).

mod common;
mod msclients_support;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use msclients_support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Default, Debug, Clone)]
struct Recorded {
    c2s: Vec<u8>,
    s2c: Vec<u8>,
}

/// A loopback relay to `target`; every connection's bytes in both directions are recorded.
async fn relay(target: std::net::SocketAddr) -> (u16, Arc<Mutex<Vec<Arc<Mutex<Recorded>>>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let conns: Arc<Mutex<Vec<Arc<Mutex<Recorded>>>>> = Arc::default();
    let all = conns.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let server = match TcpStream::connect(target).await {
                Ok(s) => s,
                Err(_) => continue,
            };
            let rec = Arc::new(Mutex::new(Recorded::default()));
            all.lock().unwrap().push(rec.clone());
            let (mut cr, mut cw) = client.into_split();
            let (mut sr, mut sw) = server.into_split();
            let r1 = rec.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                // Record before forwarding: whatever the other side has seen is already recorded.
                while let Ok(n) = cr.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                    r1.lock().unwrap().c2s.extend_from_slice(&buf[..n]);
                    if sw.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
                let _ = sw.shutdown().await;
            });
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                while let Ok(n) = sr.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                    rec.lock().unwrap().s2c.extend_from_slice(&buf[..n]);
                    if cw.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
                let _ = cw.shutdown().await;
            });
        }
    });
    (port, conns)
}

/// One TDS message (packets up to EOM) or one raw TLS record in a recorded stream.
#[derive(Debug)]
enum Unit {
    Tds { ty: u8, first_status: u8, spids: Vec<u16>, payload: Vec<u8> },
    TlsRecord,
}

fn units(stream: &[u8]) -> Vec<Unit> {
    let mut out = Vec::new();
    let mut i = 0;
    let mut cur: Option<(u8, u8, Vec<u16>, Vec<u8>)> = None;
    while i + 5 <= stream.len() {
        let b = stream[i];
        if cur.is_none() && (0x14..=0x17).contains(&b) && stream[i + 1] == 0x03 {
            let len = u16::from_be_bytes([stream[i + 3], stream[i + 4]]) as usize;
            i += 5 + len;
            out.push(Unit::TlsRecord);
            continue;
        }
        if i + 8 > stream.len() {
            break;
        }
        let (ty, status) = (stream[i], stream[i + 1]);
        let len = u16::from_be_bytes([stream[i + 2], stream[i + 3]]) as usize;
        let spid = u16::from_be_bytes([stream[i + 4], stream[i + 5]]);
        assert!(len >= 8 && i + len <= stream.len(), "truncated TDS packet at {i}: {:02X?}", &stream[i..(i + 16).min(stream.len())]);
        let c = cur.get_or_insert_with(|| (ty, status, Vec::new(), Vec::new()));
        c.2.push(spid);
        c.3.extend_from_slice(&stream[i + 8..i + len]);
        i += len;
        if status & 0x01 != 0 {
            let (ty, first_status, spids, payload) = cur.take().unwrap();
            out.push(Unit::Tds { ty, first_status, spids, payload });
        }
    }
    out
}

/// Tabular-result messages (not PRELOGIN, not TLS handshake data) in order.
fn token_messages(units: &[Unit]) -> Vec<(&[u16], &[u8])> {
    units
        .iter()
        .skip(1) // the PRELOGIN reply
        .filter_map(|u| match u {
            Unit::Tds { ty: 0x04, spids, payload, .. } if !payload.is_empty() && !(0x14..=0x17).contains(&payload[0]) => {
                Some((spids.as_slice(), payload.as_slice()))
            }
            _ => None,
        })
        .collect()
}

/// LOGINACK fields: interface, TDS version, program name, (major, minor, build).
type LoginAck = (u8, u32, String, (u8, u8, u16));

#[derive(Debug, Default)]
struct LoginResponse {
    envchange_types: Vec<u8>,
    loginack: Option<LoginAck>,
    feature_acks: Vec<(u8, Vec<u8>)>,
    has_featureextack: bool,
    infos: Vec<u32>,
    done_last: bool,
}

fn utf16(b: &[u8]) -> String {
    String::from_utf16_lossy(&b.chunks(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect::<Vec<_>>())
}

/// Walk the tokens of a login response (the subset SQL Server sends at login).
fn parse_login_response(p: &[u8]) -> LoginResponse {
    let mut r = LoginResponse::default();
    let mut i = 0;
    while i < p.len() {
        let tok = p[i];
        i += 1;
        let u16len = |i: usize| u16::from_le_bytes([p[i], p[i + 1]]) as usize;
        match tok {
            0xE3 => {
                let len = u16len(i);
                r.envchange_types.push(p[i + 2]);
                i += 2 + len;
            }
            0xAB | 0xAA => {
                let len = u16len(i);
                r.infos.push(u32::from_le_bytes([p[i + 2], p[i + 3], p[i + 4], p[i + 5]]));
                i += 2 + len;
            }
            0xAD => {
                let len = u16len(i);
                let b = &p[i + 2..i + 2 + len];
                let iface = b[0];
                let tds = u32::from_be_bytes([b[1], b[2], b[3], b[4]]);
                let nlen = b[5] as usize;
                let name = utf16(&b[6..6 + nlen * 2]);
                let v = &b[6 + nlen * 2..];
                r.loginack = Some((iface, tds, name, (v[0], v[1], u16::from_be_bytes([v[2], v[3]]))));
                i += 2 + len;
            }
            0xAE => {
                r.has_featureextack = true;
                loop {
                    let id = p[i];
                    i += 1;
                    if id == 0xFF {
                        break;
                    }
                    let len = u32::from_le_bytes([p[i], p[i + 1], p[i + 2], p[i + 3]]) as usize;
                    r.feature_acks.push((id, p[i + 4..i + 4 + len].to_vec()));
                    i += 4 + len;
                }
            }
            0xFD => {
                i += 12;
                r.done_last = i == p.len();
            }
            other => panic!("unexpected token 0x{other:02X} in the login response at {i}: {:02X?}", &p[i - 1..]),
        }
    }
    r
}

fn check_prelogin_reply(units: &[Unit]) {
    match &units[0] {
        Unit::Tds { ty: 0x04, payload, .. } => {
            // Option table: (token, offset, length) until 0xFF.
            let mut opts = std::collections::BTreeMap::new();
            let mut i = 0;
            while payload[i] != 0xFF {
                let off = u16::from_be_bytes([payload[i + 1], payload[i + 2]]) as usize;
                let len = u16::from_be_bytes([payload[i + 3], payload[i + 4]]) as usize;
                opts.insert(payload[i], payload[off..off + len].to_vec());
                i += 5;
            }
            assert!(opts[&0x00].len() >= 4, "VERSION needs 4+ bytes");
            assert_eq!(&opts[&0x00][..4], &[16, 0, 0x10, 0x4F], "VERSION 16.0.4175");
            assert_eq!(opts[&0x01], vec![0x00], "ENCRYPTION OFF to a client that sent OFF: login-only TLS");
            assert_eq!(opts[&0x02], vec![0x00], "INSTOPT 0 (no instance failure)");
            assert_eq!(opts[&0x04], vec![0x00], "MARS present and off (no SMUX)");
            if let Some(f) = opts.get(&0x06) {
                assert!(f == &vec![0x00] || f == &vec![0x01], "FEDAUTHREQUIRED must be 0 or 1");
            }
        }
        other => panic!("first server message is not a PRELOGIN reply: {other:?}"),
    }
}

fn check_login(units: &[Unit], allowed_acks: &[u8]) -> (LoginResponse, u16) {
    check_prelogin_reply(units);
    let msgs = token_messages(units);
    let (spids, login) = msgs.first().expect("a clear-text login response");
    let r = parse_login_response(login);
    let (iface, tds, name, ver) = r.loginack.clone().expect("LOGINACK");
    assert_eq!((iface, tds, name.as_str(), ver), (1, 0x7400_0004, "Microsoft SQL Server\0\0", (16, 0, 4175)));
    assert!(r.done_last, "DONE ends the login response");
    for t in &r.envchange_types {
        assert!([1u8, 2, 4, 7].contains(t), "ENVCHANGE type {t} at login (3/5/6 desynchronise Microsoft.Data.SqlClient)");
    }
    for t in [1u8, 2, 4, 7] {
        assert!(r.envchange_types.contains(&t), "ENVCHANGE {t} missing at login (7 = collation is required)");
    }
    assert_eq!(r.infos, vec![5701, 5703]);
    assert!(r.has_featureextack, "FEATUREEXTACK answers the client's feature extensions");
    for (id, data) in &r.feature_acks {
        assert!(allowed_acks.contains(id), "feature 0x{id:02X} acknowledged: not requested, or not a SQL Server 2022 feature");
        match id {
            0x02 => assert!(data.is_empty(), "FEDAUTH ack must be empty"),
            0x05 | 0x0A => assert!(!data.is_empty()),
            0x09 => assert_eq!(data.len(), 2),
            0x04 => assert_eq!(data.as_slice(), &[1], "TCE only as version 1 (2+ adds enclave bytes to every request)"),
            _ => {}
        }
    }
    println!("login response: {r:?}");
    let spid = spids[0];
    assert!(spid >= 51 && spids.iter().all(|s| *s == spid), "SPID {spid} in every login response header");
    (r, spid)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn microsoft_data_sqlclient_login_response_on_the_wire() {
    let sim = sqlsim::start(common::scenario()).await.unwrap();
    let (port, conns) = relay(sim.addr).await;
    let cs = conn_str("127.0.0.1", port, "sa", common::SA_PASSWORD, "Optional", "");
    let r = mds(&[&cs, "SELECT @@SPID AS spid"], None).await;
    assert_eq!(r.exit, 0, "{:#?}", r.events);
    let spid_seen = r.result_sets()[0]["rows"][0][0].as_i64().unwrap();
    let rec = conns.lock().unwrap()[0].lock().unwrap().clone();
    let s2c = units(&rec.s2c);
    // MDS 7.1 requests SRECOVERY, TCE, GLOBALTX, DATACLASS, UTF8, DNSCACHE, JSON, VECTOR,
    // ENHANCEDROUTING and USERAGENT; SQL Server 2022 may ack the first five.
    let (login, spid) = check_login(&s2c, &[0x01, 0x04, 0x05, 0x09, 0x0A]);
    assert!(login.feature_acks.iter().any(|(id, d)| *id == 0x0A && d == &[1]), "UTF8_SUPPORT acked with 01: {:?}", login.feature_acks);
    assert_eq!(spid as i64, spid_seen, "header SPID = @@SPID");
    // Every later server message (after the PRELOGIN reply) carries the SPID in its headers.
    for u in s2c.iter().skip(1) {
        if let Unit::Tds { ty: 0x04, spids, payload, .. } = u {
            if !payload.is_empty() && !(0x14..=0x17).contains(&payload[0]) {
                assert!(spids.iter().all(|s| *s == spid), "SPID in every packet header");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn microsoft_data_sqlclient_read_only_intent_and_mars_request() {
    // ApplicationIntent=ReadOnly adds AZURESQLSUPPORT (0x08): any ack would make SqlClient treat
    // the server as Azure SQL. MARS=true: the reply must still say MARS off (no SMUX).
    let sim = sqlsim::start(common::scenario()).await.unwrap();
    let (port, conns) = relay(sim.addr).await;
    let cs = conn_str("127.0.0.1", port, "sa", common::SA_PASSWORD, "Optional", "ApplicationIntent=ReadOnly;MultipleActiveResultSets=true");
    let r = mds(&[&cs, "SELECT 1 AS one"], None).await;
    assert_eq!(r.exit, 0, "{:#?}", r.events);
    let rec = conns.lock().unwrap()[0].lock().unwrap().clone();
    let (login, _) = check_login(&units(&rec.s2c), &[0x01, 0x04, 0x05, 0x09, 0x0A]);
    assert!(login.feature_acks.iter().all(|(id, _)| *id != 0x08));
}

fn pwsh() -> PathBuf {
    // scripts/test-all.sh exports SQLURL_PWSH; else the bundled copy in ../shared/tools.
    for var in ["SQLURL_PWSH", "PWSH"] {
        if let Ok(p) = std::env::var(var) {
            if !p.is_empty() {
                return PathBuf::from(p);
            }
        }
    }
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for dir in manifest.ancestors() {
        let c = dir.join("shared/tools/pwsh/pwsh");
        if c.is_file() {
            return c;
        }
    }
    PathBuf::from("pwsh")
}

/// Run a PowerShell script (System.Data.SqlClient inside pwsh); returns its standard output.
async fn run_pwsh(script: &str) -> String {
    let out = tokio::time::timeout(
        Duration::from_secs(120),
        tokio::process::Command::new(pwsh())
            .args(["-NoProfile", "-NonInteractive", "-Command", script])
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("pwsh finished within 120 s")
    .expect("run pwsh");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "pwsh failed: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn system_data_sqlclient_login_token_and_pool_reset_on_the_wire() {
    let sim = sqlsim::start(common::scenario()).await.unwrap();
    let (port, conns) = relay(sim.addr).await;
    let token = common::token(serde_json::json!({
        "aud": "https://database.windows.net/", "upn": "app@contoso.com",
        "exp": chrono::Utc::now().timestamp() + 3600
    }));
    // 1: SQL login, pooled: open, set a session trace flag, close, open again (same physical
    // connection → RESETCONNECTION on the next request), read the flag.
    // 2: access token (TrustServerCertificate because a token makes SqlClient validate).
    let script = format!(
        r#"$ErrorActionPreference = 'Stop'
$cs = 'Server=tcp:127.0.0.1,{port};User ID=sa;Password={pw};Encrypt=false;Pooling=true;Connect Timeout=15'
function Q($c, $sql) {{ $cmd = $c.CreateCommand(); $cmd.CommandText = $sql; $t = [System.Data.DataTable]::new(); $t.Load($cmd.ExecuteReader()); , $t }}
$c = [System.Data.SqlClient.SqlConnection]::new($cs); $c.Open()
$null = Q $c 'DBCC TRACEON(4675)'
'before ' + (Q $c 'DBCC TRACESTATUS(4675)').Rows[0].Session
$c.Close()
$c = [System.Data.SqlClient.SqlConnection]::new($cs); $c.Open()
'after ' + (Q $c 'DBCC TRACESTATUS(4675)').Rows[0].Session
$c.Close(); [System.Data.SqlClient.SqlConnection]::ClearAllPools()
$t = [System.Data.SqlClient.SqlConnection]::new('Server=tcp:127.0.0.1,{port};Encrypt=false;TrustServerCertificate=true;Pooling=false;Connect Timeout=15')
$t.AccessToken = '{token}'; $t.Open()
'token ' + (Q $t 'SELECT SUSER_SNAME() AS w').Rows[0].w
$t.Close()
"#,
        pw = common::SA_PASSWORD
    );
    let out = run_pwsh(&script).await;
    assert!(out.contains("before 1"), "{out}");
    assert!(out.contains("after 0"), "the pooled connection starts clean: {out}");
    assert!(out.contains("token app@contoso.com"), "{out}");

    let recs: Vec<Recorded> = conns.lock().unwrap().iter().map(|r| r.lock().unwrap().clone()).collect();
    assert_eq!(recs.len(), 2, "one pooled connection, one token connection");

    // SQL login: System.Data.SqlClient 4.8 asks for SRECOVERY, GLOBALTX and UTF8 only, and
    // fails on any other ack id.
    let s2c = units(&recs[0].s2c);
    let (login, _) = check_login(&s2c, &[0x01, 0x05, 0x0A]);
    assert!(login.feature_acks.iter().all(|(id, _)| *id != 0x02), "no FEDAUTH ack without FEDAUTH");

    // Pool reset: exactly one request carries RESETCONNECTION, and its response starts with
    // ENVCHANGE 18 with empty values.
    let c2s = units(&recs[0].c2s);
    let requests: Vec<(u8, u8)> = c2s
        .iter()
        .filter_map(|u| match u {
            Unit::Tds { ty, first_status, .. } if *ty == 0x01 || *ty == 0x03 || *ty == 0x0E => Some((*ty, *first_status)),
            _ => None,
        })
        .collect();
    assert_eq!(requests.len(), 3, "three batches: {requests:?}");
    let reset: Vec<usize> = requests.iter().enumerate().filter(|(_, (_, st))| st & 0x18 != 0).map(|(i, _)| i).collect();
    assert_eq!(reset, vec![2], "the first request after the second Open() carries RESETCONNECTION: {requests:?}");
    let responses = token_messages(&s2c);
    assert_eq!(responses.len(), 4, "login + three responses");
    assert_eq!(&responses[3].1[..6], &[0xE3, 0x03, 0x00, 0x12, 0x00, 0x00], "ENVCHANGE 18 acknowledges the reset");
    for (_, r) in &responses[1..3] {
        assert!(!r.windows(4).any(|w| w == [0xE3, 0x03, 0x00, 0x12]), "no reset ack without a reset request");
    }

    // Token login: FEDAUTH acknowledged with an empty payload (SqlClient fails the login otherwise).
    let s2c = units(&recs[1].s2c);
    let (login, _) = check_login(&s2c, &[0x01, 0x02, 0x05, 0x0A]);
    assert!(login.feature_acks.iter().any(|(id, d)| *id == 0x02 && d.is_empty()), "{:?}", login.feature_acks);
}
