//! The identity of a pooled connection: everything that decides whom the session logs in as,
//! where, and how the server was authenticated.
//!
//! Two requests share a pooled connection only when all of these are equal: server (host, port,
//! instance), login database, authentication (kind, login name, and the password or access token
//! itself — compared through a salted SHA-256 digest, so the pool never keeps a copy of a secret;
//! the managed identity's selector), TLS (encrypt level, trust, host name in the certificate,
//! CA file path *and* contents) and the command timeout (a setting of the connection).
//! Windows integrated logins are never pooled: the Windows identity of the calling thread is not
//! part of the request.

use crate::api::{Auth, ConnectionRequest};
use once_cell::sync::Lazy;
use ring::digest::{Context, SHA256};

/// A random salt per process: the digests mean nothing outside it.
static SALT: Lazy<[u8; 32]> = Lazy::new(|| {
    use ring::rand::SecureRandom;
    let mut s = [0u8; 32];
    // Without randomness the salt stays zero: keys still differ whenever the fields differ.
    let _ = ring::rand::SystemRandom::new().fill(&mut s);
    s
});

/// A salted SHA-256 digest of a connection's identity fields.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PoolKey([u8; 32]);

impl std::fmt::Debug for PoolKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PoolKey(..)")
    }
}

/// Length-prefixed fields, so that ("ab","c") and ("a","bc") differ.
struct Fields(Context);

impl Fields {
    fn put(&mut self, tag: &str, v: &[u8]) {
        for part in [tag.as_bytes(), v] {
            self.0.update(&(part.len() as u64).to_le_bytes());
            self.0.update(part);
        }
    }
    fn opt(&mut self, tag: &str, v: Option<&str>) {
        match v {
            Some(s) => self.put(tag, s.as_bytes()),
            None => self.put(tag, b"\x00none"),
        }
    }
}

/// The key of `req` (`ca` = the CA file's bytes as read for this call); `None` when the request
/// must not be pooled (`pooling: false`, integrated authentication).
pub fn pool_key(req: &ConnectionRequest, target: &super::Target, ca: Option<&[u8]>) -> Option<PoolKey> {
    if !req.pooling || matches!(req.auth, Auth::Integrated) {
        return None;
    }
    let mut f = Fields(Context::new(&SHA256));
    f.put("salt", SALT.as_slice());
    f.put("host", target.host.to_lowercase().as_bytes());
    f.put("port", &target.port.unwrap_or(0).to_le_bytes());
    f.opt("instance", target.instance.as_ref().map(|i| i.to_lowercase()).as_deref());
    f.opt("database", req.database.as_deref());
    auth_fields(&mut f, &req.auth);
    f.put("encrypt", format!("{:?}", req.encrypt).as_bytes());
    f.put("trust", &[req.trust_server_certificate as u8]);
    f.opt("host_name_in_certificate", req.host_name_in_certificate.as_deref());
    f.opt("ca_file", req.ca_file.as_deref());
    f.put("ca", ca.unwrap_or(b"\x00none"));
    f.put("command_timeout_s", &req.command_timeout_s.to_le_bytes());
    let d = f.0.finish();
    let mut k = [0u8; 32];
    k.copy_from_slice(d.as_ref());
    Some(PoolKey(k))
}

fn auth_fields(f: &mut Fields, auth: &Auth) {
    match auth {
        Auth::Sql { user, password } => {
            f.put("sql", user.as_bytes());
            f.put("password", password.expose().as_bytes());
        }
        Auth::AccessToken { token } => f.put("token", token.expose().as_bytes()),
        Auth::ManagedIdentity { client_id, object_id, resource_id } => {
            f.put("managed_identity", b"");
            f.opt("client_id", client_id.as_deref());
            f.opt("object_id", object_id.as_deref());
            f.opt("resource_id", resource_id.as_deref());
        }
        Auth::Integrated => f.put("integrated", b""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::parse_request;

    fn key(json: &str) -> Option<PoolKey> {
        let r: ConnectionRequest = parse_request(json).unwrap();
        let t = super::super::parse_target(&r.server).unwrap();
        pool_key(&r, &t, None)
    }

    const BASE: &str = r#"{"server":"Host,1433","auth":{"kind":"sql","user":"sa","password":"p1"}}"#;

    #[test]
    fn equal_requests_share_a_key_and_host_case_does_not_matter() {
        assert_eq!(key(BASE), key(&BASE.replace("Host", "host")));
    }

    #[test]
    fn every_identity_field_changes_the_key() {
        let base = key(BASE).unwrap();
        for other in [
            BASE.replace("p1", "p2"),
            BASE.replace("\"sa\"", "\"sb\""),
            BASE.replace("1433", "1434"),
            BASE.replace("Host", "other"),
        ] {
            assert_ne!(key(&other).unwrap(), base, "{other}");
        }
        let with = |extra: &str| key(&format!("{}{extra}}}", &BASE[..BASE.len() - 1])).unwrap();
        for extra in [
            r#","trust_server_certificate":true"#,
            r#","encrypt":"strict""#,
            r#","host_name_in_certificate":"x""#,
            r#","database":"db1""#,
            r#","command_timeout_s":5"#,
            r#","ca_file":"/tmp/ca.pem""#,
        ] {
            assert_ne!(with(extra), base, "{extra}");
        }
    }

    #[test]
    fn ca_contents_token_and_identity_change_the_key() {
        let r: ConnectionRequest = parse_request(BASE).unwrap();
        let t = super::super::parse_target(&r.server).unwrap();
        assert_ne!(pool_key(&r, &t, Some(b"ca one")), pool_key(&r, &t, Some(b"ca two")));
        let tok = |t: &str| key(&format!(r#"{{"server":"h","auth":{{"kind":"access_token","token":"{t}"}}}}"#));
        assert_ne!(tok("a.b.c"), tok("a.b.d"));
        let mi = |c: &str| key(&format!(r#"{{"server":"h","auth":{{"kind":"managed_identity","client_id":"{c}"}}}}"#));
        assert_ne!(mi("1"), mi("2"));
    }

    #[test]
    fn opt_out_and_integrated_are_not_pooled() {
        assert!(key(&BASE.replace("}}", r#"},"pooling":false}"#)).is_none());
        assert!(key(r#"{"server":"h","auth":{"kind":"integrated"}}"#).is_none());
    }

    #[test]
    fn the_key_shows_no_secret() {
        assert_eq!(format!("{:?}", key(BASE).unwrap()), "PoolKey(..)");
    }
}
