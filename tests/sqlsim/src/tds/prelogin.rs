//! PRELOGIN (MS-TDS 2.2.6.5): parse the client's options, build the server's reply.

pub const OPT_VERSION: u8 = 0x00;
pub const OPT_ENCRYPTION: u8 = 0x01;
pub const OPT_INSTOPT: u8 = 0x02;
pub const OPT_THREADID: u8 = 0x03;
pub const OPT_MARS: u8 = 0x04;
pub const OPT_TRACEID: u8 = 0x05;
pub const OPT_FEDAUTHREQUIRED: u8 = 0x06;
pub const OPT_TERMINATOR: u8 = 0xFF;

pub const ENCRYPT_OFF: u8 = 0x00;
pub const ENCRYPT_ON: u8 = 0x01;
pub const ENCRYPT_NOT_SUP: u8 = 0x02;
pub const ENCRYPT_REQ: u8 = 0x03;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClientPrelogin {
    /// ENCRYPTION byte (masked with 0x3F; absent = NOT_SUP).
    pub encryption: u8,
    pub instance: Option<String>,
    pub mars: bool,
    /// The client sent FEDAUTHREQUIRED (SqlClient always does; tiberius only for token logins).
    pub fedauth_requested: bool,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PreloginError {
    #[error("PRELOGIN option table runs past the end of the packet")]
    Truncated,
    #[error("PRELOGIN option 0x{0:02X} points outside the packet")]
    BadOffset(u8),
}

pub fn parse(p: &[u8]) -> Result<ClientPrelogin, PreloginError> {
    let mut out = ClientPrelogin { encryption: ENCRYPT_NOT_SUP, ..Default::default() };
    let mut i = 0;
    loop {
        let tok = *p.get(i).ok_or(PreloginError::Truncated)?;
        if tok == OPT_TERMINATOR {
            break;
        }
        if i + 5 > p.len() {
            return Err(PreloginError::Truncated);
        }
        let off = u16::from_be_bytes([p[i + 1], p[i + 2]]) as usize;
        let len = u16::from_be_bytes([p[i + 3], p[i + 4]]) as usize;
        let data = p.get(off..off + len).ok_or(PreloginError::BadOffset(tok))?;
        match tok {
            OPT_ENCRYPTION if !data.is_empty() => out.encryption = data[0] & 0x3F,
            OPT_INSTOPT => {
                let name: Vec<u8> = data.iter().copied().take_while(|b| *b != 0).collect();
                if !name.is_empty() {
                    out.instance = Some(String::from_utf8_lossy(&name).into_owned());
                }
            }
            OPT_MARS if !data.is_empty() => out.mars = data[0] != 0,
            OPT_FEDAUTHREQUIRED if !data.is_empty() => out.fedauth_requested = data[0] != 0,
            _ => {}
        }
        i += 5;
    }
    Ok(out)
}

/// What the server answers for the client's ENCRYPTION byte (server setting "encryption
/// available, not forced"; MS-TDS 2.2.6.5 table):
/// client OFF → OFF (TLS for LOGIN7 only), ON/REQ → ON (TLS for the session),
/// NOT_SUP → NOT_SUP (plain TCP).
pub fn negotiate(client: u8, force_encryption: bool) -> u8 {
    match (client, force_encryption) {
        (ENCRYPT_NOT_SUP, _) => ENCRYPT_NOT_SUP,
        (ENCRYPT_OFF, false) => ENCRYPT_OFF,
        (ENCRYPT_OFF, true) => ENCRYPT_REQ,
        _ => ENCRYPT_ON,
    }
}

/// The server's PRELOGIN reply: VERSION, ENCRYPTION, INSTOPT (0x00 = instance OK), THREADID
/// (empty), MARS (0), and FEDAUTHREQUIRED (0x00) only when the client sent it.
pub fn build_reply(version: (u8, u8, u16), encryption: u8, fedauth_requested: bool) -> Vec<u8> {
    let mut opts: Vec<(u8, Vec<u8>)> = Vec::new();
    let mut v = vec![version.0, version.1];
    v.extend_from_slice(&version.2.to_be_bytes());
    v.extend_from_slice(&[0, 0]); // sub-build
    opts.push((OPT_VERSION, v));
    opts.push((OPT_ENCRYPTION, vec![encryption]));
    opts.push((OPT_INSTOPT, vec![0]));
    opts.push((OPT_THREADID, vec![]));
    opts.push((OPT_MARS, vec![0]));
    if fedauth_requested {
        opts.push((OPT_FEDAUTHREQUIRED, vec![0]));
    }
    let mut offset = opts.len() * 5 + 1;
    let mut table = Vec::new();
    let mut data = Vec::new();
    for (tok, d) in &opts {
        table.push(*tok);
        table.extend_from_slice(&(offset as u16).to_be_bytes());
        table.extend_from_slice(&(d.len() as u16).to_be_bytes());
        offset += d.len();
        data.extend_from_slice(d);
    }
    table.push(OPT_TERMINATOR);
    table.extend_from_slice(&data);
    table
}

/// Parse `16.0.4175.1` into (major, minor, build).
pub fn parse_version(v: &str) -> (u8, u8, u16) {
    let mut it = v.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let major = it.next().unwrap_or(16) as u8;
    let minor = it.next().unwrap_or(0) as u8;
    let build = it.next().unwrap_or(0) as u16;
    (major, minor, build)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_round_trips_through_parser() {
        let r = build_reply((16, 0, 4175), ENCRYPT_ON, true);
        let p = parse(&r).unwrap();
        assert_eq!(p.encryption, ENCRYPT_ON);
        // FEDAUTHREQUIRED is present (6 options + terminator) and says 0x00.
        assert_eq!(r[6 * 5], OPT_TERMINATOR);
        assert_eq!(r[5 * 5], OPT_FEDAUTHREQUIRED);
        assert!(!p.fedauth_requested);
        assert!(!p.mars);
        assert_eq!(build_reply((16, 0, 4175), ENCRYPT_ON, false)[5 * 5], OPT_TERMINATOR);
        assert_eq!(&r[r.len() - 10..r.len() - 4], &[16, 0, 0x10, 0x4F, 0, 0]);
    }

    #[test]
    fn negotiation_table() {
        assert_eq!(negotiate(ENCRYPT_NOT_SUP, false), ENCRYPT_NOT_SUP);
        assert_eq!(negotiate(ENCRYPT_OFF, false), ENCRYPT_OFF);
        assert_eq!(negotiate(ENCRYPT_ON, false), ENCRYPT_ON);
        assert_eq!(negotiate(ENCRYPT_REQ, false), ENCRYPT_ON);
        assert_eq!(negotiate(ENCRYPT_OFF, true), ENCRYPT_REQ);
    }

    #[test]
    fn garbage_is_an_error() {
        assert_eq!(parse(&[0x00, 0x00]), Err(PreloginError::Truncated));
        assert_eq!(parse(&[0x01, 0x00, 0x40, 0x00, 0x01, 0xFF]), Err(PreloginError::BadOffset(1)));
        assert_eq!(parse(&[]), Err(PreloginError::Truncated));
    }
}
