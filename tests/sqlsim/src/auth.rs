//! Login checks: SQL authentication against the scenario's logins, and access-token logins.
//!
//! Access tokens are JWTs; the simulator decodes the claims and checks expiry, not-before,
//! audience and that a claim names a configured principal. **The signature is not checked.**

use base64::Engine;

use crate::scenario::{Login, Scenario};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AuthError {
    #[error("no such login or wrong password")]
    BadPassword,
    #[error("the login has no password (an Entra principal)")]
    NoPassword,
    #[error("the access token is not a JWT")]
    NotAJwt,
    #[error("the access token has expired")]
    Expired,
    #[error("the access token is not valid yet")]
    NotYetValid,
    #[error("the access token's audience '{0}' is not https://database.windows.net/")]
    WrongAudience(String),
    #[error("no login matches the token's principal")]
    UnknownPrincipal,
}

/// SQL authentication: the login exists (case-insensitive name) and the password matches.
pub fn check_password<'a>(sc: &'a Scenario, user: &str, password: &str) -> Result<&'a Login, AuthError> {
    let login = sc.logins.iter().find(|l| l.name.eq_ignore_ascii_case(user)).ok_or(AuthError::BadPassword)?;
    match &login.password {
        None => Err(AuthError::NoPassword),
        Some(p) if p == password => Ok(login),
        Some(_) => Err(AuthError::BadPassword),
    }
}

/// Token claims the simulator reads.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Claims {
    pub exp: Option<i64>,
    pub nbf: Option<i64>,
    pub aud: Option<serde_json::Value>,
    pub upn: Option<String>,
    pub unique_name: Option<String>,
    pub oid: Option<String>,
    pub appid: Option<String>,
    pub preferred_username: Option<String>,
}

pub fn decode_claims(token: &str) -> Result<Claims, AuthError> {
    let mut parts = token.split('.');
    let (_h, p) = match (parts.next(), parts.next()) {
        (Some(h), Some(p)) if !h.is_empty() && !p.is_empty() => (h, p),
        _ => return Err(AuthError::NotAJwt),
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(p.trim_end_matches('='))
        .map_err(|_| AuthError::NotAJwt)?;
    serde_json::from_slice(&bytes).map_err(|_| AuthError::NotAJwt)
}

/// Token login: claims decode, time window holds, audience (if present) is Azure SQL's, and
/// `upn`/`unique_name`/`preferred_username`/`oid`/`appid` names a login's `principal`.
pub fn check_token<'a>(sc: &'a Scenario, token: &str, now_epoch: i64) -> Result<&'a Login, AuthError> {
    let c = decode_claims(token)?;
    if let Some(exp) = c.exp {
        if now_epoch >= exp {
            return Err(AuthError::Expired);
        }
    }
    if let Some(nbf) = c.nbf {
        if now_epoch + 300 < nbf {
            return Err(AuthError::NotYetValid);
        }
    }
    if let Some(aud) = &c.aud {
        let ok = |s: &str| s.trim_end_matches('/').eq_ignore_ascii_case("https://database.windows.net");
        let good = match aud {
            serde_json::Value::String(s) => ok(s),
            serde_json::Value::Array(a) => a.iter().any(|v| v.as_str().is_some_and(ok)),
            _ => false,
        };
        if !good {
            return Err(AuthError::WrongAudience(aud.to_string()));
        }
    }
    let names: Vec<&str> = [&c.upn, &c.unique_name, &c.preferred_username, &c.oid, &c.appid]
        .iter()
        .filter_map(|x| x.as_deref())
        .collect();
    sc.logins
        .iter()
        .find(|l| l.principal.as_deref().is_some_and(|p| names.iter().any(|n| n.eq_ignore_ascii_case(p))))
        .ok_or(AuthError::UnknownPrincipal)
}

/// Build an unsigned JWT with the given claims (for tests and tools).
pub fn make_token(claims: &serde_json::Value) -> String {
    let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = e.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let body = e.encode(claims.to_string().as_bytes());
    format!("{header}.{body}.")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario() -> Scenario {
        let mut sc = Scenario::default();
        sc.logins.push(Login { name: "app@contoso.com".into(), principal: Some("app@contoso.com".into()), ..Login::default() });
        sc
    }

    #[test]
    fn passwords() {
        let sc = scenario();
        assert!(check_password(&sc, "SA", "Sim-Passw0rd!").is_ok());
        assert_eq!(check_password(&sc, "sa", "nope").unwrap_err(), AuthError::BadPassword);
        assert_eq!(check_password(&sc, "app@contoso.com", "").unwrap_err(), AuthError::NoPassword);
    }

    #[test]
    fn tokens() {
        let sc = scenario();
        let now = 1_800_000_000;
        let good = make_token(&serde_json::json!({"upn":"app@contoso.com","exp": now + 60, "aud":"https://database.windows.net/"}));
        assert_eq!(check_token(&sc, &good, now).unwrap().name, "app@contoso.com");
        let expired = make_token(&serde_json::json!({"upn":"app@contoso.com","exp": now - 1}));
        assert_eq!(check_token(&sc, &expired, now).unwrap_err(), AuthError::Expired);
        let other = make_token(&serde_json::json!({"upn":"eve@contoso.com","exp": now + 60}));
        assert_eq!(check_token(&sc, &other, now).unwrap_err(), AuthError::UnknownPrincipal);
        let aud = make_token(&serde_json::json!({"upn":"app@contoso.com","aud":"https://storage.azure.com/"}));
        assert!(matches!(check_token(&sc, &aud, now), Err(AuthError::WrongAudience(_))));
        assert_eq!(check_token(&sc, "garbage", now).unwrap_err(), AuthError::NotAJwt);
    }
}
