//! SQL Server Browser (SSRP, [MS-SQLR]): resolve a named instance to its TCP port.
//!
//! Written here rather than through tiberius' `sql-browser-tokio` so the Browser's address is
//! explicit (tests point `SQLURL_SQL_BROWSER_PORT` at a fake on 127.0.0.1) and an unreachable
//! Browser becomes our own clear `InstanceNotFound` error.

use crate::errors::{Error, ErrorKind, Result};
use std::time::Duration;
use tokio::net::UdpSocket;

/// The Browser's UDP port (1434), overridable with `SQLURL_SQL_BROWSER_PORT` for tests.
pub fn browser_port() -> u16 {
    std::env::var("SQLURL_SQL_BROWSER_PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(1434)
}

/// CLNT_UCAST_INST request: 0x04 followed by the instance name (MBCS, here ASCII/UTF-8).
pub fn request(instance: &str) -> Vec<u8> {
    let mut v = vec![0x04u8];
    v.extend_from_slice(instance.as_bytes());
    v
}

/// Parse SVR_RESP: 0x05, u16 LE length, then `ServerName;X;InstanceName;I;IsClustered;No;Version;V;tcp;1433;;`.
pub fn parse_response(buf: &[u8], instance: &str) -> Result<u16> {
    let not_found = |why: String| Error::Connection { kind: ErrorKind::InstanceNotFound, message: why };
    if buf.len() < 3 || buf[0] != 0x05 {
        return Err(not_found(format!("SQL Server Browser sent an unexpected reply for instance '{instance}'")));
    }
    let len = u16::from_le_bytes([buf[1], buf[2]]) as usize;
    let body = &buf[3..buf.len().min(3 + len)];
    let text = String::from_utf8_lossy(body);
    // Several instances may be listed, each ending with ";;".
    for rec in text.split(";;") {
        let parts: Vec<&str> = rec.split(';').collect();
        let mut name = None;
        let mut tcp = None;
        for kv in parts.chunks(2) {
            if kv.len() == 2 {
                match kv[0] {
                    k if k.eq_ignore_ascii_case("InstanceName") => name = Some(kv[1]),
                    k if k.eq_ignore_ascii_case("tcp") => tcp = Some(kv[1]),
                    _ => {}
                }
            }
        }
        if name.map(|n| n.eq_ignore_ascii_case(instance)).unwrap_or(false) {
            return match tcp.and_then(|p| p.parse::<u16>().ok()) {
                Some(p) => Ok(p),
                None => Err(not_found(format!("instance '{instance}' does not listen on TCP (SQL Server Browser lists no tcp port)"))),
            };
        }
    }
    Err(not_found(format!("SQL Server Browser does not know instance '{instance}'")))
}

/// Ask the Browser on `host` for the port of `instance`, waiting at most `timeout`.
pub async fn resolve(host: &str, instance: &str, timeout: Duration) -> Result<u16> {
    let port = browser_port();
    let unreachable = |why: String| Error::Connection {
        kind: ErrorKind::InstanceNotFound,
        message: format!(
            "Cannot resolve instance '{instance}' on {host}: SQL Server Browser (UDP {port}) is unreachable ({why}). Start the Browser service or connect with host,port."
        ),
    };
    let addrs: Vec<_> = tokio::net::lookup_host((host, port)).await.map_err(|e| unreachable(format!("cannot resolve {host}: {e}")))?.collect();
    let addr = *addrs.first().ok_or_else(|| unreachable("no address".into()))?;
    let bind = if addr.is_ipv4() { "0.0.0.0:0" } else { "[::]:0" };
    let sock = UdpSocket::bind(bind).await.map_err(|e| unreachable(e.to_string()))?;
    sock.connect(addr).await.map_err(|e| unreachable(e.to_string()))?;
    sock.send(&request(instance)).await.map_err(|e| unreachable(e.to_string()))?;
    let mut buf = vec![0u8; 4096];
    let n = match tokio::time::timeout(timeout, sock.recv(&mut buf)).await {
        Err(_) => return Err(unreachable(format!("no answer within {} ms", timeout.as_millis()))),
        Ok(Err(e)) => return Err(unreachable(e.to_string())),
        Ok(Ok(n)) => n,
    };
    parse_response(&buf[..n], instance)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(s: &str) -> Vec<u8> {
        let mut v = vec![0x05];
        v.extend_from_slice(&(s.len() as u16).to_le_bytes());
        v.extend_from_slice(s.as_bytes());
        v
    }

    #[test]
    fn parses_port() {
        let r = reply("ServerName;SQLVM01;InstanceName;PROD;IsClustered;No;Version;16.0.4175.1;tcp;50123;;");
        assert_eq!(parse_response(&r, "prod").unwrap(), 50123);
        assert!(parse_response(&r, "OTHER").is_err());
        let r = reply("ServerName;S;InstanceName;PROD;IsClustered;No;Version;16.0;np;\\\\S\\pipe\\x;;");
        assert!(parse_response(&r, "PROD").unwrap_err().to_string().contains("does not listen on TCP"));
        assert_eq!(request("PROD"), b"\x04PROD".to_vec());
    }
}
