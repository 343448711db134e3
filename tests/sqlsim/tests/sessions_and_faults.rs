//! Concurrency, cancellation, and bad input: a broken connection ends only itself.

mod common;

use std::time::Duration;

use common::*;
use sqlsim::tds::login7;
use sqlsim::tds::packet::{ptype, read_message, Header, HEADER_LEN, STATUS_EOM};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_sessions_each_see_their_own_spid() {
    let sim = sqlsim::start(scenario()).await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..8 {
        let addr_sim = sqlsim_handle_clone(&sim);
        tasks.push(tokio::spawn(async move {
            let (port, ca) = addr_sim;
            let mut c = connect_port(port, &ca).await;
            let mut spids = Vec::new();
            for _ in 0..5 {
                let rows = batch(&mut c, &format!("SELECT @@SPID AS s, {i} AS i")).await.unwrap();
                assert_eq!(rows[0][0].get::<i32, _>("i"), Some(i));
                spids.push(rows[0][0].get::<i16, _>("s").unwrap());
            }
            assert!(spids.windows(2).all(|w| w[0] == w[1]));
            spids[0]
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.push(t.await.unwrap());
    }
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 8, "every session has its own @@SPID");
}

fn sqlsim_handle_clone(sim: &sqlsim::SimHandle) -> (u16, String) {
    (sim.port(), sim.ca_pem_path.display().to_string())
}

async fn connect_port(port: u16, ca: &str) -> Tds {
    let mut cfg = tiberius::Config::new();
    cfg.host("localhost");
    cfg.port(port);
    cfg.encryption(tiberius::EncryptionLevel::Required);
    cfg.authentication(tiberius::AuthMethod::sql_server("sa", SA_PASSWORD));
    cfg.trust_cert_ca(ca);
    let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    tiberius::Client::connect(cfg, tokio_util::compat::TokioAsyncWriteCompatExt::compat_write(tcp)).await.unwrap()
}

#[tokio::test]
async fn tiberius_cancel_stops_a_waitfor() {
    let sim = sqlsim::start(scenario()).await.unwrap();
    let mut c = sa(&sim).await;
    let started = std::time::Instant::now();
    {
        let fut = c.simple_query("WAITFOR DELAY '00:00:30'");
        // Give the request time to reach the server, then give up on the future.
        let r = tokio::time::timeout(Duration::from_millis(300), fut).await;
        assert!(r.is_err(), "WAITFOR 30 s cannot finish in 300 ms");
    }
    tokio::time::timeout(Duration::from_secs(10), c.cancel_query()).await.expect("cancel acknowledged").unwrap();
    assert!(started.elapsed() < Duration::from_secs(25), "the WAITFOR was really stopped");
    // The connection is usable afterwards.
    assert_eq!(batch(&mut c, "SELECT 3").await.unwrap()[0][0].get::<i32, _>(0), Some(3));
    assert!(sim.state.requests().is_empty());
}

/// A plain-TCP TDS client for feeding the server bad bytes.
async fn raw_login(sim: &sqlsim::SimHandle) -> TcpStream {
    let mut s = TcpStream::connect(sim.addr).await.unwrap();
    // PRELOGIN with ENCRYPTION = NOT_SUP
    let prelogin = [0x01, 0x00, 0x06, 0x00, 0x01, 0xFF, 0x02];
    send(&mut s, ptype::PRELOGIN, &prelogin).await;
    let reply = read_message(&mut s).await.unwrap();
    assert_eq!(reply.ty, ptype::TABULAR_RESULT);
    send(&mut s, ptype::LOGIN7, &login7::build("sa", SA_PASSWORD, "", &[])).await;
    let ack = read_message(&mut s).await.unwrap();
    assert!(ack.payload.contains(&0xAD), "LOGINACK");
    s
}

async fn send(s: &mut TcpStream, ty: u8, payload: &[u8]) {
    let h = Header { ty, status: STATUS_EOM, length: (payload.len() + HEADER_LEN) as u16, spid: 0, packet_id: 1, window: 0 };
    let mut b = h.to_bytes().to_vec();
    b.extend_from_slice(payload);
    s.write_all(&b).await.unwrap();
}

fn batch_payload(sql: &str) -> Vec<u8> {
    let mut p = 22u32.to_le_bytes().to_vec();
    p.extend_from_slice(&18u32.to_le_bytes());
    p.extend_from_slice(&2u16.to_le_bytes());
    p.extend_from_slice(&[0; 8]);
    p.extend_from_slice(&1u32.to_le_bytes());
    p.extend(sql.encode_utf16().flat_map(|u| u.to_le_bytes()));
    p
}

async fn wait_for_disconnects(sim: &sqlsim::SimHandle, n: usize) -> Vec<String> {
    for _ in 0..200 {
        let d = sim.disconnects();
        if d.len() >= n {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    sim.disconnects()
}

#[tokio::test]
async fn garbage_ends_only_that_connection() {
    let sim = sqlsim::start(scenario()).await.unwrap();
    let mut healthy = sa(&sim).await;

    // 1. Garbage instead of PRELOGIN.
    let mut s = TcpStream::connect(sim.addr).await.unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    // 2. A packet header with a length shorter than the header.
    let mut s2 = TcpStream::connect(sim.addr).await.unwrap();
    s2.write_all(&[0x12, 0x01, 0x00, 0x03, 0, 0, 0, 0]).await.unwrap();
    // 3. A truncated packet, then the client goes away.
    let mut s3 = TcpStream::connect(sim.addr).await.unwrap();
    s3.write_all(&[0x12, 0x01, 0x01, 0x00, 0, 0, 1, 0, 1, 2, 3]).await.unwrap();
    drop(s3);
    // 4. Garbage after a good login.
    let mut s4 = raw_login(&sim).await;
    s4.write_all(&[0x77, 0x01, 0x00, 0x0A, 0, 0, 1, 0, 0xDE, 0xAD]).await.unwrap();
    // 5. A batch whose ALL_HEADERS length points past the end.
    let mut s5 = raw_login(&sim).await;
    send(&mut s5, ptype::SQL_BATCH, &[0xFF, 0, 0, 0, b'S', 0]).await;
    // 6. A LOGIN7 whose offsets point outside the record.
    let mut s6 = TcpStream::connect(sim.addr).await.unwrap();
    send(&mut s6, ptype::PRELOGIN, &[0x01, 0x00, 0x06, 0x00, 0x01, 0xFF, 0x02]).await;
    read_message(&mut s6).await.unwrap();
    let mut bad = login7::build("sa", "x", "", &[]);
    bad[40] = 0xF0;
    bad[41] = 0xFF;
    send(&mut s6, ptype::LOGIN7, &bad).await;

    let d = wait_for_disconnects(&sim, 6).await;
    let all = d.join("\n");
    assert!(all.contains("expected PRELOGIN"), "{all}");
    assert!(all.contains("invalid packet length 3"), "{all}");
    assert!(all.contains("truncated") || all.contains("middle of a packet"), "{all}");
    assert!(all.contains("unexpected packet type 0x77"), "{all}");
    assert!(all.contains("ALL_HEADERS length"), "{all}");
    assert!(all.contains("LOGIN7 field UserName"), "{all}");
    drop((s, s2, s4, s5, s6));

    // Everyone else is fine.
    assert_eq!(batch(&mut healthy, "SELECT 1").await.unwrap()[0][0].get::<i32, _>(0), Some(1));
    let mut fresh = sa(&sim).await;
    assert_eq!(batch(&mut fresh, "SELECT 2").await.unwrap()[0][0].get::<i32, _>(0), Some(2));
}

#[tokio::test]
async fn a_client_that_disconnects_mid_response_ends_only_its_session() {
    let sim = sqlsim::start(scenario()).await.unwrap();
    let mut healthy = sa(&sim).await;
    let mut s = raw_login(&sim).await;
    // A long statement, then the client vanishes: the server cancels it and cleans up.
    send(&mut s, ptype::SQL_BATCH, &batch_payload("WAITFOR DELAY '00:00:30'")).await;
    for _ in 0..200 {
        if sim.state.requests().iter().any(|r| r.command == "WAITFOR") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(sim.state.requests().iter().any(|r| r.command == "WAITFOR"));
    drop(s);
    for _ in 0..200 {
        if sim.state.requests().iter().all(|r| r.command != "WAITFOR") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(sim.state.requests().iter().all(|r| r.command != "WAITFOR"), "the abandoned WAITFOR was stopped");

    // A client that closes while a large result is being written.
    let mut s = raw_login(&sim).await;
    let big = (0..300).map(|i| format!("SELECT name, physical_name FROM sys.master_files WHERE file_id >= {}", i % 3)).collect::<Vec<_>>().join(";");
    send(&mut s, ptype::SQL_BATCH, &batch_payload(&big)).await;
    let mut one = [0u8; 16];
    let _ = tokio::io::AsyncReadExt::read(&mut s, &mut one).await;
    drop(s);

    assert_eq!(batch(&mut healthy, "SELECT 5").await.unwrap()[0][0].get::<i32, _>(0), Some(5));
    let mut fresh = sa(&sim).await;
    assert_eq!(batch(&mut fresh, "SELECT 6").await.unwrap()[0][0].get::<i32, _>(0), Some(6));
}

#[tokio::test]
async fn attention_after_completion_is_still_acknowledged() {
    let sim = sqlsim::start(scenario()).await.unwrap();
    let mut s = raw_login(&sim).await;
    send(&mut s, ptype::SQL_BATCH, &batch_payload("SELECT 1")).await;
    let r = read_message(&mut s).await.unwrap();
    assert_eq!(&r.payload[r.payload.len() - 13..r.payload.len() - 11], &[0xFD, 0x10]);
    send(&mut s, ptype::ATTENTION, &[]).await;
    let r = read_message(&mut s).await.unwrap();
    assert_eq!(r.payload, vec![0xFD, 0x20, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], "DONE with ATTN");
    // And during a WAITFOR: the ATTN DONE ends the response.
    send(&mut s, ptype::SQL_BATCH, &batch_payload("WAITFOR DELAY '00:00:30'")).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    send(&mut s, ptype::ATTENTION, &[]).await;
    let r = tokio::time::timeout(Duration::from_secs(5), read_message(&mut s)).await.expect("attention answered").unwrap();
    assert_eq!(&r.payload[r.payload.len() - 13..r.payload.len() - 11], &[0xFD, 0x20]);
}

#[tokio::test]
async fn info_messages_stream_before_the_statement_ends() {
    let sim = sqlsim::start(scenario()).await.unwrap();
    let mut s = raw_login(&sim).await;
    send(&mut s, ptype::SQL_BATCH, &batch_payload("PRINT N'first'; WAITFOR DELAY '00:00:30'")).await;
    // The INFO arrives in a packet of its own (no EOM) while the WAITFOR still runs.
    let mut hb = [0u8; HEADER_LEN];
    tokio::time::timeout(Duration::from_secs(10), tokio::io::AsyncReadExt::read_exact(&mut s, &mut hb)).await.expect("a packet").unwrap();
    let h = Header::parse(&hb);
    assert_eq!(h.status & STATUS_EOM, 0, "not the end of the response");
    let mut body = vec![0u8; h.length as usize - HEADER_LEN];
    tokio::io::AsyncReadExt::read_exact(&mut s, &mut body).await.unwrap();
    assert_eq!(body[0], 0xAB, "INFO token");
    let text: Vec<u8> = "first".encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    assert!(body.windows(text.len()).any(|w| w == text.as_slice()));
    assert!(sim.state.requests().iter().any(|r| r.command == "WAITFOR"), "the statement is still running");
    send(&mut s, ptype::ATTENTION, &[]).await;
    let r = tokio::time::timeout(Duration::from_secs(10), read_message(&mut s)).await.expect("attention answered").unwrap();
    assert_eq!(&r.payload[r.payload.len() - 13..r.payload.len() - 11], &[0xFD, 0x20]);
}

/// xorshift: deterministic pseudo-random bytes without another dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[tokio::test]
async fn random_requests_never_take_the_server_down() {
    let sim = sqlsim::start(scenario()).await.unwrap();
    let mut healthy = sa(&sim).await;
    let words = [
        "SELECT", "FROM", "WHERE", "sys.databases", "sys.credentials", "CAST(", "AS", "int", ")", "(", ",", "'x'", "N'",
        "[a]]", "@P1", "@@SPID", "DBCC", "TRACEON", "-1", "4675", "CREATE", "CREDENTIAL", "WITH", "IDENTITY", "=", ";",
        "WAITFOR", "DELAY", "'00:00:00.010'", "ORDER BY", "TOP", "*", "SERVERPROPERTY", "/*", "--", "\n", "\"q", "0x1F",
        "BACKUP", "RESTORE", "USE", "SET", "NOCOUNT", "ON", "PRINT", "é", "💾",
    ];
    let mut rng = Rng(0x5EED_1234_ABCD_0042);
    let mut s = raw_login(&sim).await;
    for i in 0..200 {
        let n = 1 + rng.below(12);
        let text: Vec<&str> = (0..n).map(|_| words[rng.below(words.len())]).collect();
        let text = text.join(" ");
        send(&mut s, ptype::SQL_BATCH, &batch_payload(&text)).await;
        let r = tokio::time::timeout(Duration::from_secs(10), read_message(&mut s)).await.unwrap_or_else(|_| panic!("no answer to #{i}: {text}"));
        let r = r.unwrap_or_else(|e| panic!("connection lost on #{i} `{text}`: {e}\n{:?}", sim.disconnects()));
        assert_eq!(r.ty, ptype::TABULAR_RESULT);
        // Every answer ends with a final DONE (no MORE bit).
        let tail = &r.payload[r.payload.len() - 13..];
        assert_eq!(tail[0], 0xFD, "#{i} `{text}`");
        assert_eq!(tail[1] & 0x01, 0, "#{i} `{text}`");
    }
    // Random RPC bodies and random bytes: each may end its own connection, never the server.
    for _ in 0..30 {
        let mut s = raw_login(&sim).await;
        let mut body = 22u32.to_le_bytes().to_vec();
        body.extend_from_slice(&18u32.to_le_bytes());
        body.extend_from_slice(&2u16.to_le_bytes());
        body.extend_from_slice(&[0; 12]);
        let len = rng.below(200);
        body.extend((0..len).map(|_| rng.next() as u8));
        let ty = [ptype::RPC, ptype::SQL_BATCH, ptype::TRANSACTION_MANAGER, ptype::BULK_LOAD][rng.below(4)];
        send(&mut s, ty, &body).await;
        let _ = tokio::time::timeout(Duration::from_secs(10), read_message(&mut s)).await.expect("an answer or a close");
    }
    for _ in 0..30 {
        let mut s = TcpStream::connect(sim.addr).await.unwrap();
        let len = 8 + rng.below(100);
        let mut bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        bytes[0] = ptype::PRELOGIN;
        s.write_all(&bytes).await.unwrap();
        drop(s);
    }
    assert_eq!(batch(&mut healthy, "SELECT 9").await.unwrap()[0][0].get::<i32, _>(0), Some(9));
}

#[tokio::test]
async fn dropping_the_handle_closes_client_connections() {
    let sim = sqlsim::start(scenario()).await.unwrap();
    let addr = sim.addr;
    let mut s = raw_login(&sim).await;
    drop(sim);
    let r = tokio::time::timeout(Duration::from_secs(10), read_message(&mut s)).await.expect("the server closed the socket");
    assert!(r.is_err(), "no data, just the close");
    // Nobody listens any more.
    for _ in 0..100 {
        if TcpStream::connect(addr).await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the listener is still accepting after the handle was dropped");
}

/// Figures, not assertions: round trips per second over TLS, batch and sp_executesql.
#[tokio::test]
async fn figures_round_trips() {
    let sim = sqlsim::start(scenario()).await.unwrap();
    let t0 = std::time::Instant::now();
    let mut c = sa(&sim).await;
    let login = t0.elapsed();
    let n = 200;
    let t1 = std::time::Instant::now();
    for _ in 0..n {
        batch(&mut c, "SELECT @@SPID").await.unwrap();
    }
    let batches = t1.elapsed();
    let t2 = std::time::Instant::now();
    for i in 0..n {
        c.query("SELECT name FROM sys.databases WHERE database_id = @P1", &[&(1 + i % 4)]).await.unwrap().into_results().await.unwrap();
    }
    let rpcs = t2.elapsed();
    println!(
        "figures: TLS login {:?}; {n} batches {:?} ({:.0}/s); {n} sp_executesql {:?} ({:.0}/s)",
        login,
        batches,
        n as f64 / batches.as_secs_f64(),
        rpcs,
        n as f64 / rpcs.as_secs_f64()
    );
}
