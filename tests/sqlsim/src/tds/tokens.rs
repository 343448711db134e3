//! Server → client tokens (MS-TDS 2.2.7): ENVCHANGE, LOGINACK, FEATUREEXTACK, INFO, ERROR,
//! DONE/DONEPROC/DONEINPROC, RETURNSTATUS, COLMETADATA and ROW with the column types the
//! simulator produces.

use chrono::{NaiveDate, NaiveDateTime, Timelike};

use crate::exec::{Column, SqlMessage, SqlType, SqlValue};

pub const TOKEN_COLMETADATA: u8 = 0x81;
pub const TOKEN_ERROR: u8 = 0xAA;
pub const TOKEN_INFO: u8 = 0xAB;
pub const TOKEN_LOGINACK: u8 = 0xAD;
pub const TOKEN_FEATUREEXTACK: u8 = 0xAE;
pub const TOKEN_ROW: u8 = 0xD1;
pub const TOKEN_ENVCHANGE: u8 = 0xE3;
pub const TOKEN_DONE: u8 = 0xFD;
pub const TOKEN_DONEPROC: u8 = 0xFE;
pub const TOKEN_DONEINPROC: u8 = 0xFF;
pub const TOKEN_RETURNSTATUS: u8 = 0x79;

pub const DONE_FINAL: u16 = 0x00;
pub const DONE_MORE: u16 = 0x01;
pub const DONE_ERROR: u16 = 0x02;
pub const DONE_COUNT: u16 = 0x10;
pub const DONE_ATTN: u16 = 0x20;
pub const DONE_SRVERROR: u16 = 0x100;

/// SQL_Latin1_General_CP1_CI_AS (LCID 0x0409, flags 0xD0, sort id 52).
pub const COLLATION: [u8; 5] = [0x09, 0x04, 0xD0, 0x00, 0x34];

/// TDS 7.4 as LOGINACK carries it (big-endian on the wire).
pub const TDS_74: u32 = 0x7400_0004;

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()
}

fn b_varchar(out: &mut Vec<u8>, s: &str) {
    let u: Vec<u16> = s.encode_utf16().take(255).collect();
    out.push(u.len() as u8);
    for c in u {
        out.extend_from_slice(&c.to_le_bytes());
    }
}

fn us_varchar(out: &mut Vec<u8>, s: &str) {
    let u: Vec<u16> = s.encode_utf16().take(65535).collect();
    out.extend_from_slice(&(u.len() as u16).to_le_bytes());
    for c in u {
        out.extend_from_slice(&c.to_le_bytes());
    }
}

fn with_u16_len(token: u8, body: Vec<u8>) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 3);
    out.push(token);
    out.extend_from_slice(&(body.len() as u16).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

/// ENVCHANGE with B_VARCHAR new/old values (database 1, language 2, packet size 4).
pub fn env_change_str(ty: u8, new: &str, old: &str) -> Vec<u8> {
    let mut b = vec![ty];
    b_varchar(&mut b, new);
    b_varchar(&mut b, old);
    with_u16_len(TOKEN_ENVCHANGE, b)
}

/// ENVCHANGE with B_VARBYTE values (8 begin / 9 commit / 10 rollback transaction: the 8-byte
/// transaction descriptor as new value on begin, as old value on commit/rollback).
pub fn env_change_bytes(ty: u8, new: &[u8], old: &[u8]) -> Vec<u8> {
    let mut b = vec![ty, new.len() as u8];
    b.extend_from_slice(new);
    b.push(old.len() as u8);
    b.extend_from_slice(old);
    with_u16_len(TOKEN_ENVCHANGE, b)
}

/// ENVCHANGE 7: SQL collation (new value only).
pub fn env_change_collation() -> Vec<u8> {
    let mut b = vec![7u8, COLLATION.len() as u8];
    b.extend_from_slice(&COLLATION);
    b.push(0);
    with_u16_len(TOKEN_ENVCHANGE, b)
}

/// ENVCHANGE 18: reset connection acknowledged (empty values).
pub fn env_change_reset_ack() -> Vec<u8> {
    with_u16_len(TOKEN_ENVCHANGE, vec![18, 0, 0])
}

/// LOGINACK: interface SQL (1), TDS 7.4, "Microsoft SQL Server", version.
pub fn login_ack(major: u8, minor: u8, build: u16) -> Vec<u8> {
    let mut b = vec![1u8];
    b.extend_from_slice(&TDS_74.to_be_bytes());
    b_varchar(&mut b, "Microsoft SQL Server\0\0");
    b.push(major);
    b.push(minor);
    b.extend_from_slice(&build.to_be_bytes());
    with_u16_len(TOKEN_LOGINACK, b)
}

/// FEATUREEXTACK with the given (id, data) acks, then the terminator.
pub fn feature_ext_ack(acks: &[(u8, Vec<u8>)]) -> Vec<u8> {
    let mut out = vec![TOKEN_FEATUREEXTACK];
    for (id, d) in acks {
        out.push(*id);
        out.extend_from_slice(&(d.len() as u32).to_le_bytes());
        out.extend_from_slice(d);
    }
    out.push(0xFF);
    out
}

/// INFO (class <= 10) or ERROR token for a message.
pub fn message(m: &SqlMessage, server: &str, procedure: &str) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&(m.number as i32).to_le_bytes());
    b.push(m.state);
    b.push(m.class);
    us_varchar(&mut b, &m.text);
    b_varchar(&mut b, server);
    b_varchar(&mut b, procedure);
    b.extend_from_slice(&m.line.to_le_bytes());
    with_u16_len(if m.class > 10 { TOKEN_ERROR } else { TOKEN_INFO }, b)
}

pub fn done(token: u8, status: u16, cur_cmd: u16, rows: u64) -> Vec<u8> {
    let mut out = vec![token];
    out.extend_from_slice(&status.to_le_bytes());
    out.extend_from_slice(&cur_cmd.to_le_bytes());
    out.extend_from_slice(&rows.to_le_bytes());
    out
}

pub fn return_status(v: i32) -> Vec<u8> {
    let mut out = vec![TOKEN_RETURNSTATUS];
    out.extend_from_slice(&v.to_le_bytes());
    out
}

/// Wire size of a NUMERIC with this precision.
fn numeric_len(precision: u8) -> u8 {
    match precision {
        0..=9 => 5,
        10..=19 => 9,
        20..=28 => 13,
        _ => 17,
    }
}

fn time_len(scale: u8) -> usize {
    match scale {
        0..=2 => 3,
        3..=4 => 4,
        _ => 5,
    }
}

/// NOT NULL integer, bit, float and datetime columns travel as SQL Server sends them: as the
/// fixed-length types (INT4, BIT, FLT8, DATETIME, ...), without a length byte per value.
/// (SqlClient reads a non-nullable INTN column as fixed-length and desynchronises otherwise.)
fn fixed_type(ty: &SqlType) -> Option<(u8, usize)> {
    Some(match ty {
        SqlType::TinyInt => (0x30, 1),
        SqlType::SmallInt => (0x34, 2),
        SqlType::Int => (0x38, 4),
        SqlType::BigInt => (0x7F, 8),
        SqlType::Bit => (0x32, 1),
        SqlType::Real => (0x3B, 4),
        SqlType::Float => (0x3E, 8),
        SqlType::DateTime => (0x3D, 8),
        _ => return None,
    })
}

fn type_info(ty: &SqlType, nullable: bool, out: &mut Vec<u8>) {
    if !nullable {
        if let Some((t, _)) = fixed_type(ty) {
            out.push(t);
            return;
        }
    }
    match ty {
        SqlType::TinyInt => out.extend_from_slice(&[0x26, 1]),
        SqlType::SmallInt => out.extend_from_slice(&[0x26, 2]),
        SqlType::Int => out.extend_from_slice(&[0x26, 4]),
        SqlType::BigInt => out.extend_from_slice(&[0x26, 8]),
        SqlType::Bit => out.extend_from_slice(&[0x68, 1]),
        SqlType::Real => out.extend_from_slice(&[0x6D, 4]),
        SqlType::Float => out.extend_from_slice(&[0x6D, 8]),
        SqlType::NVarChar(n) => {
            out.push(0xE7);
            let max = n.map(|n| n.saturating_mul(2)).unwrap_or(0xFFFF);
            out.extend_from_slice(&max.to_le_bytes());
            out.extend_from_slice(&COLLATION);
        }
        SqlType::NChar(n) => {
            out.push(0xEF);
            out.extend_from_slice(&n.saturating_mul(2).to_le_bytes());
            out.extend_from_slice(&COLLATION);
        }
        SqlType::VarChar(n) => {
            out.push(0xA7);
            out.extend_from_slice(&n.to_le_bytes());
            out.extend_from_slice(&COLLATION);
        }
        SqlType::Char(n) => {
            out.push(0xAF);
            out.extend_from_slice(&n.to_le_bytes());
            out.extend_from_slice(&COLLATION);
        }
        SqlType::DateTime => out.extend_from_slice(&[0x6F, 8]),
        SqlType::DateTime2(s) => out.extend_from_slice(&[0x2A, *s]),
        SqlType::DateTimeOffset(s) => out.extend_from_slice(&[0x2B, *s]),
        SqlType::Numeric(p, s) => out.extend_from_slice(&[0x6C, numeric_len(*p), *p, *s]),
        SqlType::UniqueIdentifier => out.extend_from_slice(&[0x24, 16]),
        SqlType::VarBinary(n) => {
            out.push(0xA5);
            out.extend_from_slice(&n.unwrap_or(0xFFFF).to_le_bytes());
        }
        SqlType::Variant => {
            out.push(0x62);
            out.extend_from_slice(&8016u32.to_le_bytes());
        }
    }
}

/// DATETIME2 / DATETIMEOFFSET body: length byte (time + 3 date bytes + `extra`), time in
/// 10^-scale s units, days since 0001-01-01; the caller appends `extra` bytes (the offset).
fn time_and_date(out: &mut Vec<u8>, dt: &chrono::NaiveDateTime, scale: u8, extra: usize) {
    let scale = scale.min(7);
    let t = dt.time();
    let ns = t.num_seconds_from_midnight() as u64 * 1_000_000_000 + t.nanosecond().min(999_999_999) as u64;
    let units = ns / 10u64.pow(9 - scale as u32);
    let tl = time_len(scale);
    out.push((tl + 3 + extra) as u8);
    out.extend_from_slice(&units.to_le_bytes()[..tl]);
    let days = days_since_0001(dt.date()) as u32;
    out.extend_from_slice(&days.to_le_bytes()[..3]);
}

/// A sql_variant value: u32 length, base type, property bytes, data.
fn variant(out: &mut Vec<u8>, v: &SqlValue) -> bool {
    let mut body = Vec::new();
    match v {
        SqlValue::Null => {
            out.extend_from_slice(&0u32.to_le_bytes());
            return true;
        }
        SqlValue::Str(s) => {
            let data = utf16(s);
            body.extend_from_slice(&[0xE7, 7]);
            body.extend_from_slice(&COLLATION);
            body.extend_from_slice(&(data.len().max(2) as u16).to_le_bytes());
            body.extend_from_slice(&data);
        }
        SqlValue::Int(i) => match i32::try_from(*i) {
            Ok(x) => {
                body.extend_from_slice(&[0x38, 0]);
                body.extend_from_slice(&x.to_le_bytes());
            }
            Err(_) => {
                body.extend_from_slice(&[0x7F, 0]);
                body.extend_from_slice(&i.to_le_bytes());
            }
        },
        SqlValue::Bit(b) => body.extend_from_slice(&[0x32, 0, *b as u8]),
        _ => return false,
    }
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&body);
    true
}

/// COLMETADATA for a result set.
pub fn col_metadata(cols: &[Column]) -> Vec<u8> {
    let mut out = vec![TOKEN_COLMETADATA];
    out.extend_from_slice(&(cols.len() as u16).to_le_bytes());
    for c in cols {
        out.extend_from_slice(&0u32.to_le_bytes()); // UserType
        let flags: u16 = if c.nullable { 0x0001 } else { 0x0000 };
        out.extend_from_slice(&flags.to_le_bytes());
        type_info(&c.ty, c.nullable, &mut out);
        b_varchar(&mut out, &c.name);
    }
    out
}

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("column '{column}' of type {ty:?} cannot hold {value}")]
pub struct ValueError {
    pub column: String,
    pub ty: SqlType,
    pub value: String,
}

fn plp(out: &mut Vec<u8>, data: Option<&[u8]>) {
    match data {
        None => out.extend_from_slice(&u64::MAX.to_le_bytes()),
        Some(d) => {
            out.extend_from_slice(&(d.len() as u64).to_le_bytes());
            if !d.is_empty() {
                out.extend_from_slice(&(d.len() as u32).to_le_bytes());
                out.extend_from_slice(d);
            }
            out.extend_from_slice(&0u32.to_le_bytes());
        }
    }
}

fn latin1(s: &str) -> Vec<u8> {
    s.chars().map(|c| if (c as u32) < 256 { c as u32 as u8 } else { b'?' }).collect()
}

const DAYS_0001_TO_1900: i64 = 693_595;

fn days_since_0001(d: NaiveDate) -> i64 {
    d.signed_duration_since(NaiveDate::from_ymd_opt(1, 1, 1).expect("valid date")).num_days()
}

/// One value of a ROW.
fn value(col: &Column, v: &SqlValue, out: &mut Vec<u8>) -> Result<(), ValueError> {
    let bad = || ValueError { column: col.name.clone(), ty: col.ty.clone(), value: format!("{v:?}") };
    match (&col.ty, v) {
        (SqlType::Variant, v) => {
            if !variant(out, v) {
                return Err(bad());
            }
        }
        (SqlType::TinyInt | SqlType::SmallInt | SqlType::Int | SqlType::BigInt, SqlValue::Null) => out.push(0),
        (SqlType::TinyInt, SqlValue::Int(i)) => out.extend_from_slice(&[1, u8::try_from(*i).map_err(|_| bad())?]),
        (SqlType::SmallInt, SqlValue::Int(i)) => {
            out.push(2);
            out.extend_from_slice(&i16::try_from(*i).map_err(|_| bad())?.to_le_bytes());
        }
        (SqlType::Int, SqlValue::Int(i)) => {
            out.push(4);
            out.extend_from_slice(&i32::try_from(*i).map_err(|_| bad())?.to_le_bytes());
        }
        (SqlType::BigInt, SqlValue::Int(i)) => {
            out.push(8);
            out.extend_from_slice(&i.to_le_bytes());
        }
        (SqlType::Bit, SqlValue::Null) => out.push(0),
        (SqlType::Bit, SqlValue::Bit(b)) => out.extend_from_slice(&[1, *b as u8]),
        (SqlType::Bit, SqlValue::Int(i)) => out.extend_from_slice(&[1, (*i != 0) as u8]),
        (SqlType::Real | SqlType::Float, SqlValue::Null) => out.push(0),
        (SqlType::Real, SqlValue::Float(f)) => {
            out.push(4);
            out.extend_from_slice(&(*f as f32).to_le_bytes());
        }
        (SqlType::Real, SqlValue::Int(i)) => {
            out.push(4);
            out.extend_from_slice(&(*i as f32).to_le_bytes());
        }
        (SqlType::Float, SqlValue::Float(f)) => {
            out.push(8);
            out.extend_from_slice(&f.to_le_bytes());
        }
        (SqlType::NVarChar(None), SqlValue::Null) => plp(out, None),
        (SqlType::NVarChar(None), SqlValue::Str(s)) => plp(out, Some(&utf16(s))),
        (SqlType::NVarChar(Some(_)) | SqlType::NChar(_), SqlValue::Null) => out.extend_from_slice(&0xFFFFu16.to_le_bytes()),
        (SqlType::NVarChar(Some(n)), SqlValue::Str(s)) => {
            let b = utf16(s);
            if b.len() > *n as usize * 2 {
                return Err(bad());
            }
            out.extend_from_slice(&(b.len() as u16).to_le_bytes());
            out.extend_from_slice(&b);
        }
        (SqlType::NChar(n), SqlValue::Str(s)) => {
            let mut b = utf16(s);
            if b.len() > *n as usize * 2 {
                return Err(bad());
            }
            while b.len() < *n as usize * 2 {
                b.extend_from_slice(&[0x20, 0]);
            }
            out.extend_from_slice(&(b.len() as u16).to_le_bytes());
            out.extend_from_slice(&b);
        }
        (SqlType::VarChar(_) | SqlType::Char(_), SqlValue::Null) => out.extend_from_slice(&0xFFFFu16.to_le_bytes()),
        (SqlType::VarChar(n), SqlValue::Str(s)) => {
            let b = latin1(s);
            if b.len() > *n as usize {
                return Err(bad());
            }
            out.extend_from_slice(&(b.len() as u16).to_le_bytes());
            out.extend_from_slice(&b);
        }
        (SqlType::Char(n), SqlValue::Str(s)) => {
            let mut b = latin1(s);
            if b.len() > *n as usize {
                return Err(bad());
            }
            b.resize(*n as usize, b' ');
            out.extend_from_slice(&(b.len() as u16).to_le_bytes());
            out.extend_from_slice(&b);
        }
        (SqlType::DateTime | SqlType::DateTime2(_) | SqlType::DateTimeOffset(_), SqlValue::Null) => out.push(0),
        (SqlType::DateTimeOffset(scale), SqlValue::DateTimeOffset(local, offset)) => {
            // MS-TDS 2.2.5.5.1.8: time and date are UTC, then the offset in minutes (i16).
            let utc = *local - chrono::Duration::minutes(*offset as i64);
            time_and_date(out, &utc, *scale, 2);
            out.extend_from_slice(&offset.to_le_bytes());
        }
        (SqlType::DateTime, SqlValue::DateTime(dt)) => {
            let days = days_since_0001(dt.date()) - DAYS_0001_TO_1900;
            let t = dt.time();
            let ms = t.num_seconds_from_midnight() as u64 * 1000 + (t.nanosecond() / 1_000_000) as u64;
            let ticks = ((ms * 300 + 500) / 1000) as u32;
            out.push(8);
            out.extend_from_slice(&(days as i32).to_le_bytes());
            out.extend_from_slice(&ticks.to_le_bytes());
        }
        (SqlType::DateTime2(scale), SqlValue::DateTime(dt)) => time_and_date(out, dt, *scale, 0),
        (SqlType::Numeric(..), SqlValue::Null) => out.push(0),
        (SqlType::Numeric(p, _), SqlValue::Numeric(n)) => numeric(out, *p, *n),
        (SqlType::Numeric(p, s), SqlValue::Int(i)) => numeric(out, *p, *i as i128 * 10i128.pow(*s as u32)),
        (SqlType::UniqueIdentifier, SqlValue::Null) => out.push(0),
        (SqlType::UniqueIdentifier, SqlValue::Guid(g)) => {
            out.push(16);
            out.extend_from_slice(&g.to_bytes_le());
        }
        (SqlType::VarBinary(None), SqlValue::Null) => plp(out, None),
        (SqlType::VarBinary(None), SqlValue::Bytes(b)) => plp(out, Some(b)),
        (SqlType::VarBinary(Some(_)), SqlValue::Null) => out.extend_from_slice(&0xFFFFu16.to_le_bytes()),
        (SqlType::VarBinary(Some(n)), SqlValue::Bytes(b)) => {
            if b.len() > *n as usize {
                return Err(bad());
            }
            out.extend_from_slice(&(b.len() as u16).to_le_bytes());
            out.extend_from_slice(b);
        }
        _ => return Err(bad()),
    }
    Ok(())
}

fn numeric(out: &mut Vec<u8>, precision: u8, v: i128) {
    let len = numeric_len(precision);
    out.push(len);
    out.push(if v < 0 { 0 } else { 1 });
    let mag = v.unsigned_abs().to_le_bytes();
    out.extend_from_slice(&mag[..(len - 1) as usize]);
}

/// One ROW token.
pub fn row(cols: &[Column], values: &[SqlValue]) -> Result<Vec<u8>, ValueError> {
    if cols.len() != values.len() {
        return Err(ValueError {
            column: format!("<{} columns>", cols.len()),
            ty: SqlType::Int,
            value: format!("{} values", values.len()),
        });
    }
    let mut out = vec![TOKEN_ROW];
    for (c, v) in cols.iter().zip(values) {
        if !c.nullable && *v == SqlValue::Null {
            return Err(ValueError { column: c.name.clone(), ty: c.ty.clone(), value: "NULL".into() });
        }
        match (c.nullable, fixed_type(&c.ty)) {
            (false, Some((_, len))) => {
                // Same bytes as the nullable form, without the length byte.
                let mut tmp = Vec::with_capacity(len + 1);
                value(c, v, &mut tmp)?;
                debug_assert_eq!(tmp.len(), len + 1);
                out.extend_from_slice(&tmp[1..]);
            }
            _ => value(c, v, &mut out)?,
        }
    }
    Ok(out)
}

/// `DateTime` as SQL Server rounds it (1/300 s); used by tests to compare.
pub fn round_to_datetime(dt: NaiveDateTime) -> NaiveDateTime {
    let ms = dt.and_utc().timestamp_subsec_millis() as i64;
    let ticks = (ms * 300 + 500) / 1000;
    let back_ms = ticks * 1000 / 300;
    dt.with_nanosecond(0).expect("valid") + chrono::Duration::milliseconds(back_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn done_layout() {
        assert_eq!(done(TOKEN_DONE, DONE_COUNT, 0xC1, 3), vec![0xFD, 0x10, 0, 0xC1, 0, 3, 0, 0, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn datetime_epoch_and_numeric() {
        let c = Column::new("d", SqlType::DateTime, true);
        let dt = NaiveDate::from_ymd_opt(1900, 1, 2).unwrap().and_hms_opt(0, 0, 1).unwrap();
        let r = row(&[c], &[SqlValue::DateTime(dt)]).unwrap();
        assert_eq!(r, vec![0xD1, 8, 1, 0, 0, 0, 44, 1, 0, 0]);
        // NOT NULL: fixed-length DATETIME, no length byte.
        let c = Column::new("d", SqlType::DateTime, false);
        assert_eq!(col_metadata(std::slice::from_ref(&c))[9], 0x3D);
        assert_eq!(row(&[c], &[SqlValue::DateTime(dt)]).unwrap(), vec![0xD1, 1, 0, 0, 0, 44, 1, 0, 0]);
        let n = Column::new("n", SqlType::Numeric(20, 0), false);
        let r = row(&[n], &[SqlValue::Numeric(-5)]).unwrap();
        assert_eq!(r[1], 13);
        assert_eq!(r[2], 0);
        assert_eq!(r[3], 5);
    }

    #[test]
    fn type_mismatch_is_an_error() {
        let c = Column::new("i", SqlType::Int, false);
        assert!(row(std::slice::from_ref(&c), &[SqlValue::Str("x".into())]).is_err());
        assert!(row(&[c], &[SqlValue::Null]).is_err());
    }

    #[test]
    fn error_token_layout() {
        let m = SqlMessage::new(18456, 14, 1, "Login failed for user 'x'.");
        let t = message(&m, "SQLVM01", "");
        assert_eq!(t[0], TOKEN_ERROR);
        assert_eq!(&t[3..7], &18456i32.to_le_bytes());
        assert_eq!(t[7], 1);
        assert_eq!(t[8], 14);
    }
}
