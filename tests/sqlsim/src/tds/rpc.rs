//! Client requests: SQL batch text and RPC calls (MS-TDS 2.2.6.6/2.2.6.7), after ALL_HEADERS.

use crate::exec::SqlValue;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum RequestError {
    #[error("request truncated while reading {0}")]
    Truncated(&'static str),
    #[error("ALL_HEADERS length {0} is invalid")]
    BadHeaders(u32),
    #[error("RPC parameter type 0x{0:02X} is not supported by the simulator")]
    UnsupportedType(u8),
    #[error("RPC parameter of type 0x{ty:02X} has invalid length {len}")]
    BadLength { ty: u8, len: usize },
}

struct Cur<'a> {
    p: &'a [u8],
    i: usize,
}

impl<'a> Cur<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], RequestError> {
        let s = self.p.get(self.i..self.i + n).ok_or(RequestError::Truncated(what))?;
        self.i += n;
        Ok(s)
    }
    fn u8(&mut self, what: &'static str) -> Result<u8, RequestError> {
        Ok(self.take(1, what)?[0])
    }
    fn u16(&mut self, what: &'static str) -> Result<u16, RequestError> {
        let b = self.take(2, what)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self, what: &'static str) -> Result<u32, RequestError> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self, what: &'static str) -> Result<u64, RequestError> {
        let b = self.take(8, what)?;
        Ok(u64::from_le_bytes(b.try_into().expect("8 bytes")))
    }
    fn done(&self) -> bool {
        self.i >= self.p.len()
    }
}

fn utf16(b: &[u8]) -> String {
    let u: Vec<u16> = b.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
    String::from_utf16_lossy(&u)
}

/// Skip ALL_HEADERS (present in TDS 7.2+ batch and RPC requests) and return the rest.
pub fn skip_all_headers(p: &[u8]) -> Result<&[u8], RequestError> {
    if p.len() < 4 {
        return Err(RequestError::Truncated("ALL_HEADERS"));
    }
    let total = u32::from_le_bytes([p[0], p[1], p[2], p[3]]);
    // A batch without ALL_HEADERS would start with UTF-16 text; a total of 0..4 or past the
    // end is invalid.
    if total < 4 || total as usize > p.len() {
        return Err(RequestError::BadHeaders(total));
    }
    Ok(&p[total as usize..])
}

/// The text of a SQL batch.
pub fn batch_text(payload: &[u8]) -> Result<String, RequestError> {
    let rest = skip_all_headers(payload)?;
    Ok(utf16(rest))
}

/// One RPC parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcParam {
    /// With the leading `@` (may be empty for positional parameters).
    pub name: String,
    pub output: bool,
    pub value: SqlValue,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RpcCall {
    /// Procedure name, or a well-known name for a ProcID (10 → `sp_executesql`).
    pub proc_name: String,
    pub params: Vec<RpcParam>,
}

pub fn proc_id_name(id: u16) -> &'static str {
    match id {
        1 => "sp_cursor",
        2 => "sp_cursoropen",
        3 => "sp_cursorprepare",
        4 => "sp_cursorexecute",
        5 => "sp_cursorprepexec",
        6 => "sp_cursorunprepare",
        7 => "sp_cursorfetch",
        8 => "sp_cursoroption",
        9 => "sp_cursorclose",
        10 => "sp_executesql",
        11 => "sp_prepare",
        12 => "sp_execute",
        13 => "sp_prepexec",
        14 => "sp_prepexecrpc",
        15 => "sp_unprepare",
        _ => "?",
    }
}

/// Parse all RPC calls of a message (separated by 0xFF / 0x80 batch flags).
pub fn parse_rpc(payload: &[u8]) -> Result<Vec<RpcCall>, RequestError> {
    let rest = skip_all_headers(payload)?;
    let mut c = Cur { p: rest, i: 0 };
    let mut calls = Vec::new();
    loop {
        let name_len = c.u16("ProcName")?;
        let proc_name = if name_len == 0xFFFF {
            proc_id_name(c.u16("ProcID")?).to_string()
        } else {
            utf16(c.take(name_len as usize * 2, "ProcName")?)
        };
        let _flags = c.u16("OptionFlags")?;
        let mut params = Vec::new();
        loop {
            if c.done() {
                calls.push(RpcCall { proc_name, params });
                return Ok(calls);
            }
            let b = c.p[c.i];
            if b == 0xFF || b == 0x80 {
                c.i += 1;
                calls.push(RpcCall { proc_name, params });
                break;
            }
            params.push(param(&mut c)?);
        }
        if c.done() {
            return Ok(calls);
        }
    }
}

fn param(c: &mut Cur) -> Result<RpcParam, RequestError> {
    let n = c.u8("parameter name")? as usize;
    let name = utf16(c.take(n * 2, "parameter name")?);
    let status = c.u8("parameter status")?;
    let ty = c.u8("TYPE_INFO")?;
    let value = typed_value(c, ty)?;
    Ok(RpcParam { name, output: status & 0x01 != 0, value })
}

fn le_int(b: &[u8]) -> i64 {
    match b.len() {
        1 => b[0] as i64,
        2 => i16::from_le_bytes([b[0], b[1]]) as i64,
        4 => i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as i64,
        8 => i64::from_le_bytes(b.try_into().expect("8")),
        _ => 0,
    }
}

fn plp(c: &mut Cur) -> Result<Option<Vec<u8>>, RequestError> {
    let total = c.u64("PLP length")?;
    if total == u64::MAX {
        return Ok(None);
    }
    let mut out = Vec::new();
    loop {
        let n = c.u32("PLP chunk")? as usize;
        if n == 0 {
            break;
        }
        out.extend_from_slice(c.take(n, "PLP chunk")?);
        if out.len() > crate::tds::packet::MAX_MESSAGE_LEN {
            return Err(RequestError::BadLength { ty: 0xE7, len: out.len() });
        }
    }
    Ok(Some(out))
}

/// A variable-length value: PLP when the type's max length is 0xFFFF (`MAX` types), else a
/// USHORT length; `None` is NULL.
fn short_or_plp(c: &mut Cur, max: u16) -> Result<Option<Vec<u8>>, RequestError> {
    if max == 0xFFFF {
        return plp(c);
    }
    match c.u16("value length")? {
        0xFFFF => Ok(None),
        len => Ok(Some(c.take(len as usize, "value")?.to_vec())),
    }
}

/// Single-byte (VARCHAR/CHAR/TEXT) data, each byte one character.
fn latin1(b: &[u8]) -> String {
    b.iter().map(|x| *x as char).collect()
}

fn date_from_days(days: u32) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::from_ymd_opt(1, 1, 1)?.checked_add_days(chrono::Days::new(days as u64))
}

fn typed_value(c: &mut Cur, ty: u8) -> Result<SqlValue, RequestError> {
    let bad = |len: usize| RequestError::BadLength { ty, len };
    Ok(match ty {
        // fixed-length
        0x30 => SqlValue::Int(c.u8("TINYINT")? as i64),
        0x32 => SqlValue::Bit(c.u8("BIT")? != 0),
        0x34 => SqlValue::Int(le_int(c.take(2, "SMALLINT")?)),
        0x38 => SqlValue::Int(le_int(c.take(4, "INT")?)),
        0x7F => SqlValue::Int(le_int(c.take(8, "BIGINT")?)),
        0x3E => SqlValue::Float(f64::from_le_bytes(c.take(8, "FLOAT")?.try_into().expect("8"))),
        0x3B => SqlValue::Float(f32::from_le_bytes(c.take(4, "REAL")?.try_into().expect("4")) as f64),
        0x1F => SqlValue::Null,
        // INTN, BITN, FLTN
        0x26 | 0x68 | 0x6D => {
            let _max = c.u8("TYPE_INFO length")?;
            let len = c.u8("value length")? as usize;
            if len == 0 {
                SqlValue::Null
            } else {
                let b = c.take(len, "value")?;
                match (ty, len) {
                    (0x26, 1 | 2 | 4 | 8) => SqlValue::Int(le_int(b)),
                    (0x68, 1) => SqlValue::Bit(b[0] != 0),
                    (0x6D, 4) => SqlValue::Float(f32::from_le_bytes(b.try_into().expect("4")) as f64),
                    (0x6D, 8) => SqlValue::Float(f64::from_le_bytes(b.try_into().expect("8"))),
                    _ => return Err(bad(len)),
                }
            }
        }
        // NVARCHAR / NCHAR / VARCHAR / CHAR
        0xE7 | 0xEF | 0xA7 | 0xAF => {
            let max = c.u16("max length")?;
            c.take(5, "collation")?;
            let bytes = short_or_plp(c, max)?;
            match bytes {
                None => SqlValue::Null,
                Some(b) if ty == 0xE7 || ty == 0xEF => SqlValue::Str(utf16(&b)),
                Some(b) => SqlValue::Str(latin1(&b)),
            }
        }
        // NTEXT / TEXT
        0x63 | 0x23 => {
            let _max = c.u32("max length")?;
            c.take(5, "collation")?;
            let tp = c.u8("text pointer length")? as usize;
            if tp == 0 {
                SqlValue::Null
            } else {
                c.take(tp + 8, "text pointer")?;
                let len = c.u32("value length")? as usize;
                let b = c.take(len, "value")?;
                if ty == 0x63 {
                    SqlValue::Str(utf16(b))
                } else {
                    SqlValue::Str(latin1(b))
                }
            }
        }
        // VARBINARY / BINARY
        0xA5 | 0xAD => {
            let max = c.u16("max length")?;
            let bytes = short_or_plp(c, max)?;
            bytes.map(SqlValue::Bytes).unwrap_or(SqlValue::Null)
        }
        // GUID
        0x24 => {
            let _max = c.u8("TYPE_INFO length")?;
            let len = c.u8("value length")? as usize;
            match len {
                0 => SqlValue::Null,
                16 => {
                    let b: [u8; 16] = c.take(16, "GUID")?.try_into().expect("16");
                    SqlValue::Guid(uuid::Uuid::from_bytes_le(b))
                }
                _ => return Err(bad(len)),
            }
        }
        // DECIMALN / NUMERICN
        0x6A | 0x6C => {
            let _max = c.u8("TYPE_INFO length")?;
            let _p = c.u8("precision")?;
            let _s = c.u8("scale")?;
            let len = c.u8("value length")? as usize;
            if len == 0 {
                SqlValue::Null
            } else {
                let b = c.take(len, "value")?;
                let mut mag = [0u8; 16];
                let n = (len - 1).min(16);
                mag[..n].copy_from_slice(&b[1..1 + n]);
                let v = u128::from_le_bytes(mag) as i128;
                SqlValue::Numeric(if b[0] == 0 { -v } else { v })
            }
        }
        // DATETIMN
        0x6F => {
            let _max = c.u8("TYPE_INFO length")?;
            let len = c.u8("value length")? as usize;
            match len {
                0 => SqlValue::Null,
                8 => {
                    let b = c.take(8, "DATETIME")?;
                    let days = le_int(&b[..4]);
                    let ticks = u32::from_le_bytes(b[4..8].try_into().expect("4")) as i64;
                    let base = chrono::NaiveDate::from_ymd_opt(1900, 1, 1).expect("date").and_hms_opt(0, 0, 0).expect("t");
                    SqlValue::DateTime(base + chrono::Duration::days(days) + chrono::Duration::milliseconds(ticks * 1000 / 300))
                }
                4 => {
                    let b = c.take(4, "SMALLDATETIME")?;
                    let days = u16::from_le_bytes([b[0], b[1]]) as i64;
                    let mins = u16::from_le_bytes([b[2], b[3]]) as i64;
                    let base = chrono::NaiveDate::from_ymd_opt(1900, 1, 1).expect("date").and_hms_opt(0, 0, 0).expect("t");
                    SqlValue::DateTime(base + chrono::Duration::days(days) + chrono::Duration::minutes(mins))
                }
                _ => return Err(bad(len)),
            }
        }
        // DATEN
        0x28 => {
            let len = c.u8("value length")? as usize;
            match len {
                0 => SqlValue::Null,
                3 => {
                    let b = c.take(3, "DATE")?;
                    let d = date_from_days(u32::from_le_bytes([b[0], b[1], b[2], 0])).ok_or(bad(len))?;
                    SqlValue::DateTime(d.and_hms_opt(0, 0, 0).expect("midnight"))
                }
                _ => return Err(bad(len)),
            }
        }
        // DATETIME2N / TIMEN / DATETIMEOFFSETN
        0x29..=0x2B => {
            let scale = c.u8("scale")?.min(7);
            let len = c.u8("value length")? as usize;
            if len == 0 {
                SqlValue::Null
            } else {
                let b = c.take(len, "value")?;
                let tl = match scale {
                    0..=2 => 3,
                    3..=4 => 4,
                    _ => 5,
                };
                if b.len() < tl {
                    return Err(bad(len));
                }
                let mut t = [0u8; 8];
                t[..tl].copy_from_slice(&b[..tl]);
                let units = u64::from_le_bytes(t);
                let ns = units * 10u64.pow(9 - scale as u32);
                let time = chrono::NaiveTime::from_num_seconds_from_midnight_opt(
                    (ns / 1_000_000_000) as u32,
                    (ns % 1_000_000_000) as u32,
                )
                .ok_or(bad(len))?;
                let date = if ty == 0x29 {
                    chrono::NaiveDate::from_ymd_opt(1900, 1, 1).expect("date")
                } else {
                    if b.len() < tl + 3 {
                        return Err(bad(len));
                    }
                    date_from_days(u32::from_le_bytes([b[tl], b[tl + 1], b[tl + 2], 0])).ok_or(bad(len))?
                };
                SqlValue::DateTime(date.and_time(time))
            }
        }
        other => return Err(RequestError::UnsupportedType(other)),
    })
}

/// Parameter names are `@stmt` on the wire from SqlClient, `stmt` from tiberius.
fn is_named(name: &str, want: &str) -> bool {
    name.trim_start_matches('@').eq_ignore_ascii_case(want)
}

impl RpcCall {
    /// For `sp_executesql`: the statement text (first parameter or `@stmt`).
    pub fn stmt(&self) -> Option<&str> {
        let p = self.params.iter().find(|p| is_named(&p.name, "stmt")).or(self.params.first())?;
        match &p.value {
            SqlValue::Str(s) => Some(s),
            _ => None,
        }
    }
    /// For `sp_executesql`: the parameter declaration string (second parameter or `@params`).
    pub fn params_decl(&self) -> Option<&str> {
        let p = self
            .params
            .iter()
            .find(|p| is_named(&p.name, "params"))
            .or_else(|| self.params.get(1).filter(|p| p.name.is_empty()))?;
        match &p.value {
            SqlValue::Str(s) => Some(s),
            _ => None,
        }
    }
    /// The values after `@stmt` and `@params`, by name (`@P1` → value). Positional ones are
    /// named from the declaration order.
    pub fn bound_values(&self) -> Vec<(String, SqlValue)> {
        let decl_names: Vec<String> = self
            .params_decl()
            .map(|d| {
                d.split(',')
                    .filter_map(|x| x.split_whitespace().next())
                    .map(|s| s.to_string())
                    .collect()
            })
            .unwrap_or_default();
        self.params
            .iter()
            .skip(2)
            .enumerate()
            .map(|(i, p)| {
                let name = if p.name.is_empty() {
                    decl_names.get(i).cloned().unwrap_or_default()
                } else if p.name.starts_with('@') {
                    p.name.clone()
                } else {
                    format!("@{}", p.name)
                };
                (name, p.value.clone())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_headers() -> Vec<u8> {
        let mut v = 22u32.to_le_bytes().to_vec();
        v.extend_from_slice(&18u32.to_le_bytes());
        v.extend_from_slice(&2u16.to_le_bytes());
        v.extend_from_slice(&[0; 8]);
        v.extend_from_slice(&1u32.to_le_bytes());
        v
    }

    fn nvarchar(out: &mut Vec<u8>, name: &str, s: &str) {
        out.push(name.encode_utf16().count() as u8);
        out.extend(name.encode_utf16().flat_map(|u| u.to_le_bytes()));
        out.push(0);
        out.push(0xE7);
        out.extend_from_slice(&8000u16.to_le_bytes());
        out.extend_from_slice(&[0x09, 0x04, 0xD0, 0x00, 0x34]);
        let b: Vec<u8> = s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        out.extend_from_slice(&(b.len() as u16).to_le_bytes());
        out.extend_from_slice(&b);
    }

    #[test]
    fn sp_executesql_by_proc_id() {
        let mut p = all_headers();
        p.extend_from_slice(&[0xFF, 0xFF, 10, 0, 0, 0]);
        nvarchar(&mut p, "", "SELECT @P1");
        nvarchar(&mut p, "", "@P1 int");
        // @P1 INTN 4 = 7
        p.extend_from_slice(&[0, 0, 0x26, 4, 4, 7, 0, 0, 0]);
        let calls = parse_rpc(&p).unwrap();
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].proc_name, "sp_executesql");
        assert_eq!(calls[0].stmt(), Some("SELECT @P1"));
        assert_eq!(calls[0].bound_values(), vec![("@P1".to_string(), SqlValue::Int(7))]);
    }

    #[test]
    fn truncated_rpc_is_an_error() {
        let mut p = all_headers();
        p.extend_from_slice(&[0xFF, 0xFF, 10, 0, 0, 0]);
        nvarchar(&mut p, "", "SELECT 1");
        p.truncate(p.len() - 3);
        assert!(matches!(parse_rpc(&p), Err(RequestError::Truncated(_))));
        assert!(matches!(batch_text(&[1, 0]), Err(RequestError::Truncated(_))));
        assert!(matches!(batch_text(&[200, 0, 0, 0, 1, 2]), Err(RequestError::BadHeaders(200))));
    }
}
