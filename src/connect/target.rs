//! The server part of a connection: `host`, `host,port`, `host\instance` (also `tcp:` prefix).

use crate::errors::{Error, Result};

/// Where to connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub host: String,
    /// An explicit port (`host,port`).
    pub port: Option<u16>,
    /// A named instance (`host\instance`), resolved through SQL Server Browser.
    pub instance: Option<String>,
}

impl Target {
    /// `host:port` form for messages.
    pub fn describe(&self) -> String {
        match (&self.instance, self.port) {
            (Some(i), _) => format!("{}\\{}", self.host, i),
            (None, Some(p)) => format!("{},{}", self.host, p),
            (None, None) => format!("{},1433", self.host),
        }
    }
}

/// Parse `host`, `host,port`, `host\instance` (and `tcp:` / `(local)` / `.` shorthands).
pub fn parse_target(server: &str) -> Result<Target> {
    let s = server.trim();
    let s = s.strip_prefix("tcp:").unwrap_or(s);
    if s.is_empty() {
        return Err(Error::invalid("connection.server is empty: give host, host,port or host\\instance"));
    }
    if s.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(Error::invalid("connection.server contains white space or control characters"));
    }
    let (hostpart, port) = match s.rsplit_once(',') {
        Some((h, p)) => {
            let port: u16 = p.parse().ok().filter(|p| *p != 0).ok_or_else(|| {
                Error::invalid(format!("connection.server: '{p}' is not a valid port (1-65535)"))
            })?;
            (h, Some(port))
        }
        None => (s, None),
    };
    let (host, instance) = match hostpart.split_once('\\') {
        Some((h, i)) => {
            if i.is_empty() || i.contains('\\') {
                return Err(Error::invalid("connection.server: the instance name after '\\' is empty or invalid"));
            }
            (h, Some(i.to_string()))
        }
        None => (hostpart, None),
    };
    if host.is_empty() {
        return Err(Error::invalid("connection.server names no host"));
    }
    if instance.is_some() && port.is_some() {
        // SqlClient lets the port win; so do we, and skip the Browser.
        return Ok(Target { host: normalise_host(host), port, instance: None });
    }
    // [::1] style IPv6 literals are accepted; strip the brackets for the socket address.
    Ok(Target { host: normalise_host(host), port, instance })
}

fn normalise_host(h: &str) -> String {
    let h = h.trim_start_matches('[').trim_end_matches(']');
    if h == "." || h.eq_ignore_ascii_case("(local)") || h.eq_ignore_ascii_case("localhost") {
        "localhost".to_string()
    } else {
        h.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_forms() {
        assert_eq!(parse_target("sql01").unwrap(), Target { host: "sql01".into(), port: None, instance: None });
        assert_eq!(parse_target("127.0.0.1,14331").unwrap(), Target { host: "127.0.0.1".into(), port: Some(14331), instance: None });
        assert_eq!(parse_target("sql01\\PROD").unwrap(), Target { host: "sql01".into(), port: None, instance: Some("PROD".into()) });
        assert_eq!(parse_target("tcp:sql01,1500").unwrap().port, Some(1500));
        assert_eq!(parse_target(".\\SQLEXPRESS").unwrap().host, "localhost");
        assert_eq!(parse_target("[::1],1433").unwrap().host, "::1");
        assert_eq!(parse_target("h\\i,1500").unwrap(), Target { host: "h".into(), port: Some(1500), instance: None });
    }

    #[test]
    fn rejects_bad_forms() {
        for bad in ["", "h,", "h,0", "h,70000", "h,abc", "h\\", ",1433", "a b"] {
            assert!(matches!(parse_target(bad), Err(Error::InvalidArgument(_))), "{bad}");
        }
    }
}
