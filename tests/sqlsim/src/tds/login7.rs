//! LOGIN7 (MS-TDS 2.2.6.4): the fixed header, the offset/length table of UTF-16 strings, the
//! obfuscated password, and the FeatureExt block (FEDAUTH access token and others).

/// Feature ids of the FeatureExt block.
pub mod feature {
    pub const SESSIONRECOVERY: u8 = 0x01;
    pub const FEDAUTH: u8 = 0x02;
    pub const COLUMNENCRYPTION: u8 = 0x04;
    pub const GLOBALTRANSACTIONS: u8 = 0x05;
    pub const AZURESQLSUPPORT: u8 = 0x08;
    pub const DATACLASSIFICATION: u8 = 0x09;
    pub const UTF8_SUPPORT: u8 = 0x0A;
    pub const SQLDNSCACHING: u8 = 0x0B;
    pub const TERMINATOR: u8 = 0xFF;
}

/// FEDAUTH library: security token (an access token in the login record).
pub const FEDAUTH_LIB_SECURITYTOKEN: u8 = 0x01;

#[derive(Clone, Default, PartialEq)]
pub struct Login7 {
    pub tds_version: u32,
    pub packet_size: u32,
    pub option_flags1: u8,
    pub option_flags2: u8,
    pub type_flags: u8,
    pub option_flags3: u8,
    pub hostname: String,
    pub username: String,
    pub password: String,
    pub app_name: String,
    pub server_name: String,
    pub client_interface: String,
    pub language: String,
    pub database: String,
    /// SSPI (integrated auth) bytes were sent.
    pub has_sspi: bool,
    /// FeatureExt entries (id, data), in order.
    pub features: Vec<(u8, Vec<u8>)>,
}

impl std::fmt::Debug for Login7 {
    // Password and token never appear in logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Login7")
            .field("tds_version", &format_args!("0x{:08X}", self.tds_version))
            .field("packet_size", &self.packet_size)
            .field("hostname", &self.hostname)
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("app_name", &self.app_name)
            .field("database", &self.database)
            .field("features", &self.features.iter().map(|(id, d)| (*id, d.len())).collect::<Vec<_>>())
            .finish()
    }
}

/// A FEDAUTH feature with an access token.
#[derive(Clone, PartialEq)]
pub struct FedAuth {
    pub library: u8,
    pub echo: bool,
    /// The token text (for library SECURITYTOKEN).
    pub token: Option<String>,
}

impl std::fmt::Debug for FedAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FedAuth")
            .field("library", &self.library)
            .field("echo", &self.echo)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum Login7Error {
    #[error("LOGIN7 record shorter than its fixed part ({0} bytes)")]
    TooShort(usize),
    #[error("LOGIN7 field {0} points outside the record")]
    BadOffset(&'static str),
    #[error("LOGIN7 FeatureExt block is malformed")]
    BadFeatureExt,
    #[error("LOGIN7 FEDAUTH feature is malformed")]
    BadFedAuth,
}

const FIXED_LEN: usize = 94;

fn u16_at(p: &[u8], i: usize) -> usize {
    u16::from_le_bytes([p[i], p[i + 1]]) as usize
}
fn u32_at(p: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([p[i], p[i + 1], p[i + 2], p[i + 3]])
}

fn utf16(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
    String::from_utf16_lossy(&units)
}

/// Undo the password obfuscation: XOR 0xA5, then swap nibbles.
pub fn decode_password(bytes: &[u8]) -> String {
    let plain: Vec<u8> = bytes
        .iter()
        .map(|b| {
            let x = b ^ 0xA5;
            x.rotate_left(4)
        })
        .collect();
    utf16(&plain)
}

/// The inverse of [`decode_password`] (for tests).
pub fn encode_password(pw: &str) -> Vec<u8> {
    pw.encode_utf16().flat_map(|u| u.to_le_bytes()).map(|b| b.rotate_left(4) ^ 0xA5).collect()
}

pub fn parse(p: &[u8]) -> Result<Login7, Login7Error> {
    if p.len() < FIXED_LEN {
        return Err(Login7Error::TooShort(p.len()));
    }
    let string = |at: usize, name: &'static str| -> Result<String, Login7Error> {
        let off = u16_at(p, at);
        let chars = u16_at(p, at + 2);
        let b = p.get(off..off + chars * 2).ok_or(Login7Error::BadOffset(name))?;
        Ok(utf16(b))
    };
    let mut l = Login7 {
        tds_version: u32_at(p, 4),
        packet_size: u32_at(p, 8),
        option_flags1: p[24],
        option_flags2: p[25],
        type_flags: p[26],
        option_flags3: p[27],
        hostname: string(36, "HostName")?,
        username: string(40, "UserName")?,
        app_name: string(48, "AppName")?,
        server_name: string(52, "ServerName")?,
        client_interface: string(60, "CltIntName")?,
        language: string(64, "Language")?,
        database: string(68, "Database")?,
        ..Default::default()
    };
    {
        let off = u16_at(p, 44);
        let chars = u16_at(p, 46);
        let b = p.get(off..off + chars * 2).ok_or(Login7Error::BadOffset("Password"))?;
        l.password = decode_password(b);
    }
    l.has_sspi = u16_at(p, 80) > 0 || u32_at(p, 90) > 0;
    // fExtension: ibExtension points to a DWORD holding the FeatureExt offset.
    if l.option_flags3 & 0x10 != 0 {
        let ib = u16_at(p, 56);
        let cb = u16_at(p, 58);
        if cb >= 4 {
            let d = p.get(ib..ib + 4).ok_or(Login7Error::BadOffset("Extension"))?;
            let fe = u32::from_le_bytes([d[0], d[1], d[2], d[3]]) as usize;
            l.features = parse_features(p.get(fe..).ok_or(Login7Error::BadFeatureExt)?)?;
        }
    }
    Ok(l)
}

fn parse_features(mut p: &[u8]) -> Result<Vec<(u8, Vec<u8>)>, Login7Error> {
    let mut out = Vec::new();
    loop {
        let (&id, rest) = p.split_first().ok_or(Login7Error::BadFeatureExt)?;
        if id == feature::TERMINATOR {
            return Ok(out);
        }
        if rest.len() < 4 {
            return Err(Login7Error::BadFeatureExt);
        }
        let len = u32_at(rest, 0) as usize;
        let data = rest.get(4..4 + len).ok_or(Login7Error::BadFeatureExt)?;
        out.push((id, data.to_vec()));
        p = &rest[4 + len..];
    }
}

impl Login7 {
    pub fn requested(&self, id: u8) -> bool {
        self.features.iter().any(|(f, _)| *f == id)
    }

    /// The FEDAUTH feature, if the client sent one.
    pub fn fedauth(&self) -> Result<Option<FedAuth>, Login7Error> {
        let Some((_, d)) = self.features.iter().find(|(id, _)| *id == feature::FEDAUTH) else {
            return Ok(None);
        };
        let (&opts, rest) = d.split_first().ok_or(Login7Error::BadFedAuth)?;
        let library = opts >> 1;
        let echo = opts & 1 == 1;
        let token = if library == FEDAUTH_LIB_SECURITYTOKEN {
            if rest.len() < 4 {
                return Err(Login7Error::BadFedAuth);
            }
            let n = u32_at(rest, 0) as usize;
            let t = rest.get(4..4 + n).ok_or(Login7Error::BadFedAuth)?;
            Some(utf16(t))
        } else {
            None
        };
        Ok(Some(FedAuth { library, echo, token }))
    }
}

/// Build a LOGIN7 record (tests and fuzzing use it to talk to the server directly).
pub fn build(user: &str, password: &str, database: &str, features: &[(u8, Vec<u8>)]) -> Vec<u8> {
    let strings: [(usize, Vec<u8>); 9] = [
        (36, "testhost".encode_utf16().flat_map(|u| u.to_le_bytes()).collect()),
        (40, user.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()),
        (44, encode_password(password)),
        (48, "sqlsim-test".encode_utf16().flat_map(|u| u.to_le_bytes()).collect()),
        (52, "localhost".encode_utf16().flat_map(|u| u.to_le_bytes()).collect()),
        (60, "sqlsim".encode_utf16().flat_map(|u| u.to_le_bytes()).collect()),
        (64, Vec::new()),
        (68, database.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()),
        (56, Vec::new()),
    ];
    let mut p = vec![0u8; FIXED_LEN];
    p[4..8].copy_from_slice(&0x7400_0004u32.to_le_bytes());
    p[8..12].copy_from_slice(&4096u32.to_le_bytes());
    p[24] = 0xE0;
    p[25] = 0x03;
    let mut data = Vec::new();
    for (at, bytes) in &strings {
        if *at == 56 {
            continue;
        }
        let off = FIXED_LEN + data.len();
        p[*at..*at + 2].copy_from_slice(&(off as u16).to_le_bytes());
        p[*at + 2..*at + 4].copy_from_slice(&((bytes.len() / 2) as u16).to_le_bytes());
        data.extend_from_slice(bytes);
    }
    if !features.is_empty() {
        p[27] |= 0x10;
        let ib = FIXED_LEN + data.len();
        p[56..58].copy_from_slice(&(ib as u16).to_le_bytes());
        p[58..60].copy_from_slice(&4u16.to_le_bytes());
        let fe = (ib + 4) as u32;
        data.extend_from_slice(&fe.to_le_bytes());
        for (id, d) in features {
            data.push(*id);
            data.extend_from_slice(&(d.len() as u32).to_le_bytes());
            data.extend_from_slice(d);
        }
        data.push(feature::TERMINATOR);
    }
    p.extend_from_slice(&data);
    let len = p.len() as u32;
    p[0..4].copy_from_slice(&len.to_le_bytes());
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_obfuscation_round_trips() {
        assert_eq!(decode_password(&encode_password("Sim-Passw0rd!é")), "Sim-Passw0rd!é");
        // MS-TDS example: 'a' (0x61 0x00) → 0xB3 0xA5
        assert_eq!(encode_password("a"), vec![0xB3, 0xA5]);
    }

    #[test]
    fn parse_built_record_with_token() {
        let tok = "eyJ.x.y";
        let mut fd = vec![(FEDAUTH_LIB_SECURITYTOKEN << 1) | 1];
        let t: Vec<u8> = tok.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        fd.extend_from_slice(&(t.len() as u32).to_le_bytes());
        fd.extend_from_slice(&t);
        let rec = build("", "", "master", &[(feature::FEDAUTH, fd)]);
        let l = parse(&rec).unwrap();
        assert_eq!(l.database, "master");
        assert_eq!(l.tds_version, 0x7400_0004);
        let fa = l.fedauth().unwrap().unwrap();
        assert!(fa.echo);
        assert_eq!(fa.token.as_deref(), Some(tok));
        assert!(!format!("{l:?} {fa:?}").contains("eyJ"));
    }

    #[test]
    fn malformed_records_are_errors() {
        assert_eq!(parse(&[0; 10]), Err(Login7Error::TooShort(10)));
        let mut rec = build("sa", "pw", "", &[]);
        rec[40] = 0xFF;
        rec[41] = 0xFF;
        assert_eq!(parse(&rec), Err(Login7Error::BadOffset("UserName")));
    }
}
