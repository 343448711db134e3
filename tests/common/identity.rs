//! A fake managed-identity token endpoint on 127.0.0.1 (IMDS or IDENTITY_ENDPOINT style).
//!
//! Plain blocking std networking on its own thread, so it works beside any runtime. It answers
//! every GET with a JWT-shaped token whose claims name `principal` (upn, unique_name, oid and
//! appid) and audience `https://database.windows.net/`, or with a configured error. It records
//! each request (request line and headers) for assertions, and stops when dropped or after
//! 120 s, whichever comes first.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;

/// One recorded request.
#[derive(Debug, Clone)]
pub struct SeenRequest {
    /// e.g. `/metadata/identity/oauth2/token?api-version=2018-02-01&resource=...`
    pub target: String,
    /// Header lines, lower-cased names: (name, value).
    pub headers: Vec<(String, String)>,
}

impl SeenRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

pub struct FakeIdentity {
    pub addr: SocketAddr,
    seen: Arc<Mutex<Vec<SeenRequest>>>,
    stop: Arc<AtomicBool>,
}

/// What to answer.
#[derive(Clone)]
pub enum Answer {
    /// A token naming this principal.
    Token { principal: String },
    /// An HTTP error with this body.
    Error { status: u16, body: String },
    /// HTTP 200 with this body as is (garbage, or a token response without a token).
    Raw { body: String },
    /// A well-formed token response whose token (and `expires_on`) expired an hour ago.
    Expired { principal: String },
    /// Read the request, then answer nothing for this long (a hung endpoint).
    Hang { seconds: u64 },
}

/// A JWT-shaped token (unsigned: header.payload.signature) naming `principal`.
pub fn mint_jwt(principal: &str, audience: &str) -> String {
    mint_jwt_at(principal, audience, SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs())
}

/// A JWT-shaped token as [`mint_jwt`] makes it at `now` (epoch seconds): valid from a minute
/// before `now` for an hour.
pub fn mint_jwt_at(principal: &str, audience: &str, now: u64) -> String {
    let header = serde_json::json!({"typ": "JWT", "alg": "RS256", "kid": "fake"});
    let claims = serde_json::json!({
        "aud": audience,
        "iss": "https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/",
        "iat": now - 60, "nbf": now - 60, "exp": now + 3600,
        "oid": principal, "upn": principal, "unique_name": principal, "appid": principal,
        "tid": "72f988bf-86f1-41af-91ab-2d7cd011db47",
    });
    let b = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!("{}.{}.{}", b.encode(header.to_string()), b.encode(claims.to_string()), b.encode(b"not-a-real-signature"))
}

impl FakeIdentity {
    pub fn start(answer: Answer) -> FakeIdentity {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind fake identity endpoint");
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen2, stop2) = (seen.clone(), stop.clone());
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(120);
            while !stop2.load(Ordering::SeqCst) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((stream, _)) => {
                        stream.set_nonblocking(false).ok();
                        stream.set_read_timeout(Some(Duration::from_secs(5))).ok();
                        let _ = serve(stream, &answer, &seen2);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        FakeIdentity { addr, seen, stop }
    }

    /// The IMDS-style token URL of this fake.
    pub fn imds_url(&self) -> String {
        format!("http://{}/metadata/identity/oauth2/token", self.addr)
    }

    /// The IDENTITY_ENDPOINT-style URL of this fake.
    pub fn app_service_url(&self) -> String {
        format!("http://{}/msi/token", self.addr)
    }

    pub fn seen(&self) -> Vec<SeenRequest> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for FakeIdentity {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn serve(stream: std::net::TcpStream, answer: &Answer, seen: &Mutex<Vec<SeenRequest>>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let target = line.split_whitespace().nth(1).unwrap_or("").to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" || h == "\n" {
            break;
        }
        if let Some((n, v)) = h.trim_end().split_once(':') {
            headers.push((n.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    seen.lock().unwrap().push(SeenRequest { target: target.clone(), headers });
    let resource = target
        .split(['?', '&'])
        .find_map(|kv| kv.strip_prefix("resource="))
        .map(|r| r.replace("%3A", ":").replace("%2F", "/"))
        .unwrap_or_default();
    let (status, body) = match answer {
        Answer::Raw { body } => (200, body.clone()),
        Answer::Hang { seconds } => {
            std::thread::sleep(Duration::from_secs(*seconds));
            return Ok(());
        }
        Answer::Expired { principal } => {
            let then = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() - 7200;
            let body = serde_json::json!({
                "access_token": mint_jwt_at(principal, &resource, then),
                "expires_in": "3599", "expires_on": (then + 3600).to_string(), "not_before": then.to_string(),
                "resource": resource, "token_type": "Bearer",
            });
            (200, body.to_string())
        }
        Answer::Token { principal } => {
            let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
            let body = serde_json::json!({
                "access_token": mint_jwt(principal, &resource),
                "expires_in": "3599", "expires_on": (now + 3599).to_string(), "not_before": now.to_string(),
                "resource": resource, "token_type": "Bearer",
            });
            (200, body.to_string())
        }
        Answer::Error { status, body } => (*status, body.clone()),
    };
    let mut w = stream;
    write!(w, "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len())?;
    w.flush()
}
