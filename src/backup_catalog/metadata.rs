//! The metadata SqlUrlBackup writes on each backup blob, after the backup succeeded (from
//! `RESTORE HEADERONLY`), so that a container can be listed as a catalog without a server.
//!
//! Names are C# identifiers (Azure's rule for metadata names) with the prefix `sqlurl_`; values
//! are ASCII (HTTP headers): anything else is percent-encoded (UTF-8). Times are the server's
//! local time as HEADERONLY reports them (`YYYY-MM-DDTHH:MM:SS[.fff]`).

use std::collections::BTreeMap;

use crate::ops::inspect::BackupHeader;

/// Version of the metadata layout.
pub const LAYOUT_VERSION: &str = "1";

pub const VERSION: &str = "sqlurl_version";
pub const SERVER: &str = "sqlurl_server";
pub const DATABASE: &str = "sqlurl_database";
pub const TYPE: &str = "sqlurl_type";
pub const FIRST_LSN: &str = "sqlurl_first_lsn";
pub const LAST_LSN: &str = "sqlurl_last_lsn";
pub const CHECKPOINT_LSN: &str = "sqlurl_checkpoint_lsn";
pub const DATABASE_BACKUP_LSN: &str = "sqlurl_database_backup_lsn";
pub const DIFFERENTIAL_BASE_LSN: &str = "sqlurl_differential_base_lsn";
pub const BACKUP_SET_ID: &str = "sqlurl_backup_set_id";
pub const STRIPE: &str = "sqlurl_stripe";
pub const START: &str = "sqlurl_start";
pub const FINISH: &str = "sqlurl_finish";
pub const COPY_ONLY: &str = "sqlurl_copy_only";
pub const SIZE: &str = "sqlurl_size";
/// When the backup finished, in UTC (`YYYY-MM-DDTHH:MM:SSZ`): what retention ages a set by.
pub const FINISH_UTC: &str = "sqlurl_finish_utc";

/// What the metadata of one blob says.
#[derive(Debug, Clone, PartialEq)]
pub struct BackupMeta {
    pub header: BackupHeader,
    /// This blob's stripe, 1-based, and the set's stripe count.
    pub stripe: u32,
    pub stripes: u32,
    /// The finish time in UTC, when the writer knew the server's offset ([`with_finish_utc`]).
    pub finish_utc: Option<chrono::DateTime<chrono::Utc>>,
}

/// Adds the finish time in UTC (the writer converts the header's server-local finish with the
/// server's offset, as STOPAT conversion does).
pub fn with_finish_utc(mut m: BTreeMap<String, String>, t: chrono::DateTime<chrono::Utc>) -> BTreeMap<String, String> {
    m.insert(FINISH_UTC.to_string(), t.format("%Y-%m-%dT%H:%M:%SZ").to_string());
    m
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetadataError {
    #[error("metadata {0} is missing")]
    Missing(&'static str),
    #[error("metadata {name} has an unreadable value '{value}'")]
    Bad { name: &'static str, value: String },
    #[error("metadata layout version {0} is not known to this version of SqlUrlBackup")]
    Version(String),
}

/// Percent-encodes what is not printable ASCII (and `%` itself).
pub fn encode_value(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        if (0x20..0x7f).contains(&b) && b != b'%' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The inverse of [`encode_value`]; an invalid escape is kept as it is.
pub fn decode_value(v: &str) -> String {
    let b = v.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Some(x) = std::str::from_utf8(&b[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(x);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn type_word(t: i32) -> &'static str {
    match t {
        1 => "full",
        5 => "differential",
        2 => "log",
        _ => "other",
    }
}

fn fmt_time(t: &Option<chrono::NaiveDateTime>) -> Option<String> {
    t.map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3f").to_string())
}

/// The metadata for stripe `stripe` of `stripes` of the backup set described by `h`.
pub fn to_metadata(h: &BackupHeader, stripe: u32, stripes: u32) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            m.insert(k.to_string(), encode_value(&v));
        }
    };
    put(VERSION, Some(LAYOUT_VERSION.into()));
    put(SERVER, Some(h.server_name.clone()));
    put(DATABASE, Some(h.database_name.clone()));
    put(TYPE, Some(type_word(h.backup_type).into()));
    put(FIRST_LSN, Some(h.first_lsn.clone()));
    put(LAST_LSN, Some(h.last_lsn.clone()));
    put(CHECKPOINT_LSN, Some(h.checkpoint_lsn.clone()));
    put(DATABASE_BACKUP_LSN, Some(h.database_backup_lsn.clone()));
    put(DIFFERENTIAL_BASE_LSN, Some(h.differential_base_lsn.clone()));
    put(BACKUP_SET_ID, Some(h.backup_set_guid.clone()));
    put(STRIPE, Some(format!("{stripe}-of-{stripes}")));
    put(START, fmt_time(&h.backup_start_date));
    put(FINISH, fmt_time(&h.backup_finish_date));
    put(COPY_ONLY, Some(if h.is_copy_only { "1" } else { "0" }.into()));
    put(SIZE, h.backup_size.map(|s| s.to_string()));
    m
}

/// Reads our metadata back. `Ok(None)`: the blob carries none (written by another tool).
pub fn from_metadata(m: &BTreeMap<String, String>) -> Result<Option<BackupMeta>, MetadataError> {
    // the service returns names in the case they were set; compare case-insensitively
    let get = |k: &'static str| m.iter().find(|(n, _)| n.eq_ignore_ascii_case(k)).map(|(_, v)| decode_value(v));
    let Some(version) = get(VERSION) else {
        return Ok(None);
    };
    if version != LAYOUT_VERSION {
        return Err(MetadataError::Version(version));
    }
    let need = |k: &'static str| get(k).filter(|v| !v.is_empty()).ok_or(MetadataError::Missing(k));
    let lsn = |k: &'static str| -> Result<String, MetadataError> {
        let v = need(k)?;
        v.parse::<u128>().map_err(|_| MetadataError::Bad { name: k, value: v.clone() })?;
        Ok(v)
    };
    let opt_lsn = |k: &'static str| -> Result<String, MetadataError> {
        match get(k) {
            None => Ok(String::new()),
            Some(v) => {
                v.parse::<u128>().map_err(|_| MetadataError::Bad { name: k, value: v.clone() })?;
                Ok(v)
            }
        }
    };
    let time = |k: &'static str| -> Result<Option<chrono::NaiveDateTime>, MetadataError> {
        match get(k) {
            None => Ok(None),
            Some(v) => crate::tsql::restore::parse_stop_at(&v).map(Some).map_err(|_| MetadataError::Bad { name: k, value: v }),
        }
    };
    let backup_type = match need(TYPE)?.as_str() {
        "full" => 1,
        "differential" => 5,
        "log" => 2,
        other => return Err(MetadataError::Bad { name: TYPE, value: other.to_string() }),
    };
    let stripe_text = need(STRIPE)?;
    let (stripe, stripes) = stripe_text
        .split_once("-of-")
        .and_then(|(a, b)| Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?)))
        .filter(|(a, b)| *a >= 1 && a <= b && *b <= 64)
        .ok_or(MetadataError::Bad { name: STRIPE, value: stripe_text.clone() })?;
    let header = BackupHeader {
        backup_type,
        backup_type_description: match backup_type {
            1 => "Database",
            5 => "Database Differential",
            _ => "Transaction Log",
        }
        .into(),
        database_name: need(DATABASE)?,
        server_name: get(SERVER).unwrap_or_default(),
        first_lsn: lsn(FIRST_LSN)?,
        last_lsn: lsn(LAST_LSN)?,
        checkpoint_lsn: opt_lsn(CHECKPOINT_LSN)?,
        database_backup_lsn: opt_lsn(DATABASE_BACKUP_LSN)?,
        differential_base_lsn: opt_lsn(DIFFERENTIAL_BASE_LSN)?,
        backup_start_date: time(START)?,
        backup_finish_date: time(FINISH)?,
        backup_size: get(SIZE).and_then(|v| v.parse().ok()),
        is_copy_only: get(COPY_ONLY).as_deref() == Some("1"),
        position: 1,
        backup_set_guid: need(BACKUP_SET_ID)?,
        ..Default::default()
    };
    let finish_utc = match get(FINISH_UTC) {
        None => None,
        Some(v) => Some(
            chrono::DateTime::parse_from_rfc3339(&v).map(|t| t.with_timezone(&chrono::Utc)).map_err(|_| MetadataError::Bad { name: FINISH_UTC, value: v })?,
        ),
    };
    Ok(Some(BackupMeta { header, stripe, stripes, finish_utc }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(t: i32, db: &str, first: u128, last: u128) -> BackupHeader {
        let mut h = super::super::group::tests::hdr(t, db, "6f1c2b9e-0000-4000-8000-000000000001", first, last, 0);
        h.database_backup_lsn = "0".into();
        h.backup_start_date = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap().and_hms_milli_opt(16, 40, 0, 123);
        h.backup_finish_date = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap().and_hms_milli_opt(16, 41, 0, 456);
        h.backup_size = Some(123_456);
        h
    }

    #[test]
    fn round_trip_with_non_ascii_names() {
        let mut h = header(5, "Ventes été 100%", 4_000_000_000_000_000_000, 4_000_000_000_000_000_100);
        h.differential_base_lsn = "3900000000000000000".into();
        h.server_name = "SQLVM01\\INST1".into();
        let m = to_metadata(&h, 2, 4);
        assert_eq!(m[DATABASE], "Ventes %C3%A9t%C3%A9 100%25");
        assert_eq!(m[STRIPE], "2-of-4");
        assert_eq!(m[TYPE], "differential");
        assert_eq!(m[FINISH], "2026-11-26T16:41:00.456");
        assert!(m.keys().all(|k| k.starts_with("sqlurl_") && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')));
        assert!(m.values().all(|v| v.bytes().all(|b| (0x20..0x7f).contains(&b))));
        let back = from_metadata(&m).unwrap().unwrap();
        assert_eq!(back.stripe, 2);
        assert_eq!(back.stripes, 4);
        assert_eq!(back.header.database_name, "Ventes été 100%");
        assert_eq!(back.header.server_name, "SQLVM01\\INST1");
        assert_eq!(back.header.backup_type, 5);
        assert_eq!(back.header.differential_base_lsn, "3900000000000000000");
        assert_eq!(back.header.backup_finish_date, h.backup_finish_date);
        assert_eq!(back.header.backup_size, Some(123_456));
        assert_eq!(back.finish_utc, None);
        let t = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        assert_eq!(from_metadata(&with_finish_utc(m.clone(), t)).unwrap().unwrap().finish_utc, Some(t));
        // names come back in any case from the service
        let upper: BTreeMap<String, String> = m.iter().map(|(k, v)| (k.to_ascii_uppercase(), v.clone())).collect();
        assert_eq!(from_metadata(&upper).unwrap().unwrap().header.database_name, "Ventes été 100%");
    }

    #[test]
    fn foreign_and_broken_metadata() {
        assert_eq!(from_metadata(&BTreeMap::new()), Ok(None));
        let mut m = to_metadata(&header(1, "Sales", 10, 20), 1, 1);
        m.insert(LAST_LSN.into(), "abc".into());
        assert!(matches!(from_metadata(&m), Err(MetadataError::Bad { name: LAST_LSN, .. })));
        let mut m = to_metadata(&header(1, "Sales", 10, 20), 1, 1);
        m.insert(STRIPE.into(), "3-of-2".into());
        assert!(matches!(from_metadata(&m), Err(MetadataError::Bad { name: STRIPE, .. })));
        let mut m = to_metadata(&header(1, "Sales", 10, 20), 1, 1);
        m.remove(BACKUP_SET_ID);
        assert_eq!(from_metadata(&m), Err(MetadataError::Missing(BACKUP_SET_ID)));
        let mut m = to_metadata(&header(1, "Sales", 10, 20), 1, 1);
        m.insert(VERSION.into(), "9".into());
        assert_eq!(from_metadata(&m), Err(MetadataError::Version("9".into())));
        assert_eq!(decode_value("50%"), "50%");
        assert_eq!(decode_value("a%zzb"), "a%zzb");
        assert_eq!(decode_value("a%é"), "a%é");
    }
}
