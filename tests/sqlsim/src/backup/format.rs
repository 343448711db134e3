//! The simulator's backup blob format. Pure: encode/decode and the synthetic payload.
//!
//! A blob (one stripe / "media family") is: one header block, then the payload blocks.
//!
//! ```text
//! header block:  b"SQLSIMBK" | u32 LE format version | u32 LE json length | JSON (BackupHeader)
//!                | 32-byte SHA-256 of the JSON
//! payload:       `payload_len` bytes, SHA-256 = `payload_sha256`
//! ```
//!
//! **Virtual size.** A simulated database may be 1 TB; the blob does not hold 1 TB. The header
//! records the *virtual* sizes (`backup_size`, `compressed_backup_size`, `virtual_blocks`: how
//! many MAXTRANSFERSIZE blocks SQL Server would have written to this blob), and the payload holds
//! at most [`MAX_REAL_BLOCKS`] real blocks of at most [`MAX_REAL_BLOCK_BYTES`] each, filled with
//! deterministic pseudo-random bytes derived from the backup set GUID. The 50,000-block limit is
//! checked against `virtual_blocks` by the engine while the virtual bytes "flow" at the scenario's
//! throughput. Restore re-hashes the real payload, so corruption anywhere in the blob is detected.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const MAGIC: &[u8; 8] = b"SQLSIMBK";
pub const FORMAT_VERSION: u32 = 1;
/// Most real payload blocks per blob.
pub const MAX_REAL_BLOCKS: u64 = 8;
/// Most real bytes per payload block.
pub const MAX_REAL_BLOCK_BYTES: u64 = 64 * 1024;
/// Block blob limit of Azure Storage (and SQL Server's 3063).
pub const MAX_BLOCKS_PER_BLOB: u64 = 50_000;
/// Headers larger than this are refused as malformed (protects the decoder).
const MAX_HEADER_JSON: usize = 4 * 1024 * 1024;

/// One database file as recorded in the backup (RESTORE FILELISTONLY).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileEntry {
    pub logical_name: String,
    pub physical_name: String,
    /// `D` data, `L` log.
    pub file_type: char,
    pub file_id: i64,
    pub size_bytes: u64,
    pub backup_size_bytes: u64,
    pub filegroup: Option<String>,
}

/// Everything RESTORE HEADERONLY / FILELISTONLY / LABELONLY need, and the restore engine's facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackupHeader {
    pub backup_set_guid: Uuid,
    pub media_set_guid: Uuid,
    pub family_count: u32,
    /// 1-based.
    pub family_number: u32,
    pub backup_name: Option<String>,
    pub backup_description: Option<String>,
    /// 1 database, 2 log, 5 differential database.
    pub backup_type: i16,
    pub server_name: String,
    pub machine_name: String,
    pub user_name: String,
    pub database_name: String,
    /// Identity of the database (HEADERONLY `FamilyGUID`); restore compares it (3154).
    pub database_guid: Uuid,
    pub database_version: i32,
    pub database_creation_date: NaiveDateTime,
    pub recovery_model: String,
    pub compatibility_level: u8,
    pub first_lsn: u64,
    pub last_lsn: u64,
    pub checkpoint_lsn: u64,
    pub database_backup_lsn: u64,
    pub differential_base_lsn: Option<u64>,
    pub differential_base_guid: Option<Uuid>,
    pub begins_log_chain: bool,
    pub backup_start_date: NaiveDateTime,
    pub backup_finish_date: NaiveDateTime,
    /// For a log backup, the point in time its first record belongs to (STOPAT).
    pub log_start_time: Option<NaiveDateTime>,
    pub is_copy_only: bool,
    pub compressed: bool,
    pub has_checksums: bool,
    /// (algorithm, encryptor) when encrypted.
    pub encryption: Option<(String, String)>,
    /// Uncompressed bytes of the whole backup set (virtual).
    pub backup_size: u64,
    /// Bytes written to all blobs of the set (virtual).
    pub compressed_backup_size: u64,
    pub block_size: u32,
    pub max_transfer_size: u64,
    /// Blocks SQL Server would have written to *this* blob (virtual).
    pub virtual_blocks: u64,
    pub files: Vec<FileEntry>,
    /// Data pages in the backup (for 4035/3014 on restore).
    pub data_pages: u64,
    pub log_pages: u64,
    pub payload_len: u64,
    /// Lower-case hex SHA-256 of the payload.
    pub payload_sha256: String,
    /// ProductVersion of the server that wrote the backup (HEADERONLY SoftwareVersion*);
    /// absent in blobs written before issue 12.
    #[serde(default)]
    pub software_version: String,
    /// MEDIANAME / MEDIADESCRIPTION (LABELONLY MediaName / MediaDescription).
    #[serde(default)]
    pub media_name: Option<String>,
    #[serde(default)]
    pub media_description: Option<String>,
    /// EXPIREDATE, or backup start + RETAINDAYS (HEADERONLY ExpirationDate).
    #[serde(default)]
    pub expiration_date: Option<NaiveDateTime>,
    /// The database had planted corruption when it was backed up.
    #[serde(default)]
    pub corrupt: bool,
}

impl BackupHeader {
    pub fn backup_type_description(&self) -> &'static str {
        match self.backup_type {
            1 => "Database",
            2 => "Transaction Log",
            5 => "Database Differential",
            _ => "Unknown",
        }
    }
}

/// Why a blob is not a readable backup.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DecodeError {
    /// Not our magic / version / JSON: SQL Server 3241 "media family … incorrectly formed".
    #[error("malformed: {0}")]
    Malformed(String),
    /// Shorter than the header says: SQL Server 3203 "Read on … failed: 38(Reached the end of the file.)".
    #[error("truncated: {0}")]
    Truncated(String),
}

/// Why a payload check failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PayloadError {
    #[error("payload has {actual} bytes, header says {expected}")]
    Truncated { expected: u64, actual: u64 },
    #[error("payload checksum mismatch")]
    Checksum,
}

pub fn sha256_hex(data: &[u8]) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, data);
    d.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Encode the header block.
pub fn encode_header(h: &BackupHeader) -> Vec<u8> {
    let json = serde_json::to_vec(h).expect("header serializes");
    let mut out = Vec::with_capacity(16 + json.len() + 32);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(&json);
    out.extend_from_slice(ring::digest::digest(&ring::digest::SHA256, &json).as_ref());
    out
}

/// Decode a whole blob: the header, and the payload slice that follows it.
pub fn decode(blob: &[u8]) -> Result<(BackupHeader, &[u8]), DecodeError> {
    if blob.len() < 16 {
        if blob.is_empty() || MAGIC.starts_with(&blob[..blob.len().min(8)]) {
            return Err(DecodeError::Truncated(format!("{} bytes", blob.len())));
        }
        return Err(DecodeError::Malformed("too short".into()));
    }
    if &blob[..8] != MAGIC {
        return Err(DecodeError::Malformed("bad magic".into()));
    }
    let version = u32::from_le_bytes(blob[8..12].try_into().expect("4 bytes"));
    if version != FORMAT_VERSION {
        return Err(DecodeError::Malformed(format!("format version {version}")));
    }
    let len = u32::from_le_bytes(blob[12..16].try_into().expect("4 bytes")) as usize;
    if len > MAX_HEADER_JSON {
        return Err(DecodeError::Malformed(format!("header length {len}")));
    }
    let end = 16 + len + 32;
    if blob.len() < end {
        return Err(DecodeError::Truncated(format!("header needs {end} bytes, blob has {}", blob.len())));
    }
    let json = &blob[16..16 + len];
    let digest = &blob[16 + len..end];
    if ring::digest::digest(&ring::digest::SHA256, json).as_ref() != digest {
        return Err(DecodeError::Malformed("header checksum".into()));
    }
    let h: BackupHeader =
        serde_json::from_slice(json).map_err(|e| DecodeError::Malformed(format!("header json: {e}")))?;
    Ok((h, &blob[end..]))
}

/// Check a payload against its header.
pub fn check_payload(h: &BackupHeader, payload: &[u8]) -> Result<(), PayloadError> {
    if payload.len() as u64 != h.payload_len {
        return Err(PayloadError::Truncated { expected: h.payload_len, actual: payload.len() as u64 });
    }
    if sha256_hex(payload) != h.payload_sha256 {
        return Err(PayloadError::Checksum);
    }
    Ok(())
}

/// How many blocks of `max_transfer` bytes `bytes` need (at least 1).
pub fn blocks_for(bytes: u64, max_transfer: u64) -> u64 {
    bytes.div_ceil(max_transfer.max(1)).max(1)
}

/// The real payload blocks of one blob: how many and how big.
pub fn real_block_plan(virtual_blocks: u64, max_transfer: u64) -> (u64, u64) {
    (virtual_blocks.clamp(1, MAX_REAL_BLOCKS), max_transfer.clamp(1, MAX_REAL_BLOCK_BYTES))
}

/// Deterministic pseudo-random content of real payload block `index` (xorshift64*).
pub fn payload_block(seed: Uuid, family: u32, index: u64, len: u64) -> Vec<u8> {
    let (a, b) = seed.as_u64_pair();
    let mut x = a ^ b.rotate_left(17) ^ ((family as u64) << 32) ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    if x == 0 {
        x = 0x2545_F491_4F6C_DD1D;
    }
    let mut out = Vec::with_capacity(len as usize);
    while (out.len() as u64) < len {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        let v = x.wrapping_mul(0x2545_F491_4F6C_DD1D);
        for byte in v.to_le_bytes() {
            if (out.len() as u64) < len {
                out.push(byte);
            }
        }
    }
    out
}

/// A block id of fixed length (20 bytes): the backup set GUID and the block index.
pub fn block_id(backup_set: Uuid, index: u32) -> Vec<u8> {
    let mut id = backup_set.as_bytes().to_vec();
    id.extend_from_slice(&index.to_be_bytes());
    id
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn sample_header() -> BackupHeader {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 1, 2).unwrap().and_hms_opt(3, 4, 5).unwrap();
        BackupHeader {
            backup_set_guid: Uuid::from_u128(1),
            media_set_guid: Uuid::from_u128(2),
            family_count: 1,
            family_number: 1,
            backup_name: Some("n".into()),
            backup_description: None,
            backup_type: 1,
            server_name: "SQLVM01".into(),
            machine_name: "SQLVM01".into(),
            user_name: "sa".into(),
            database_name: "Sales".into(),
            database_guid: Uuid::from_u128(3),
            database_version: 957,
            database_creation_date: t,
            recovery_model: "FULL".into(),
            compatibility_level: 160,
            first_lsn: 37000000010000001,
            last_lsn: 37000000010200001,
            checkpoint_lsn: 37000000010100001,
            database_backup_lsn: 0,
            differential_base_lsn: None,
            differential_base_guid: None,
            begins_log_chain: false,
            backup_start_date: t,
            backup_finish_date: t,
            log_start_time: None,
            is_copy_only: false,
            compressed: true,
            has_checksums: true,
            encryption: None,
            backup_size: 1 << 40,
            compressed_backup_size: 1 << 38,
            block_size: 65536,
            max_transfer_size: 4 << 20,
            virtual_blocks: 65536,
            files: vec![],
            data_pages: 10,
            log_pages: 2,
            payload_len: 3,
            payload_sha256: sha256_hex(b"abc"),
            software_version: "16.0.4175.1".into(),
            media_name: None,
            media_description: None,
            expiration_date: None,
            corrupt: false,
        }
    }

    #[test]
    fn header_round_trips_and_payload_checks() {
        let h = sample_header();
        let mut blob = encode_header(&h);
        blob.extend_from_slice(b"abc");
        let (d, payload) = decode(&blob).unwrap();
        assert_eq!(d, h);
        assert_eq!(payload, b"abc");
        check_payload(&d, payload).unwrap();
        assert_eq!(check_payload(&d, b"abd"), Err(PayloadError::Checksum));
        assert!(matches!(check_payload(&d, b"ab"), Err(PayloadError::Truncated { .. })));
    }

    #[test]
    fn corrupt_and_truncated_headers() {
        let h = sample_header();
        let blob = encode_header(&h);
        assert!(matches!(decode(&blob[..blob.len() - 5]), Err(DecodeError::Truncated(_))));
        assert!(matches!(decode(&blob[..4]), Err(DecodeError::Truncated(_))));
        assert!(matches!(decode(b"not a backup at all"), Err(DecodeError::Malformed(_))));
        let mut bad = blob.clone();
        bad[20] ^= 0xFF;
        assert!(matches!(decode(&bad), Err(DecodeError::Malformed(_))));
    }

    #[test]
    fn block_arithmetic() {
        assert_eq!(blocks_for(0, 4 << 20), 1);
        assert_eq!(blocks_for((4 << 20) + 1, 4 << 20), 2);
        // 1 TB at 4 MB: beyond the 50,000 limit.
        assert!(blocks_for(1 << 40, 4 << 20) > MAX_BLOCKS_PER_BLOB);
        assert_eq!(real_block_plan(3, 1 << 20), (3, MAX_REAL_BLOCK_BYTES));
        assert_eq!(real_block_plan(262_144, 65536), (MAX_REAL_BLOCKS, 65536));
    }

    #[test]
    fn payload_is_deterministic_and_ids_fixed_length() {
        let g = Uuid::from_u128(42);
        assert_eq!(payload_block(g, 1, 0, 100), payload_block(g, 1, 0, 100));
        assert_ne!(payload_block(g, 1, 0, 100), payload_block(g, 1, 1, 100));
        assert_eq!(payload_block(g, 1, 0, 100).len(), 100);
        assert_eq!(block_id(g, 0).len(), block_id(g, u32::MAX).len());
    }
}
