//! Transaction-manager requests (packet type 0x0E, MS-TDS 2.2.6.9): parsing (pure) and the
//! session's transaction state. SQL Server answers TM_BEGIN_XACT with ENVCHANGE 8 carrying an
//! 8-byte transaction descriptor, TM_COMMIT_XACT / TM_ROLLBACK_XACT with ENVCHANGE 9 / 10
//! (old value = the descriptor), each followed by DONE (MS-TDS 2.2.7.9). python-tds sends
//! TM_BEGIN_XACT right after login when autocommit is off.

use super::rpc::{skip_all_headers, RequestError};

/// TM_BEGIN_XACT
pub const TM_BEGIN_XACT: u16 = 5;
/// TM_COMMIT_XACT
pub const TM_COMMIT_XACT: u16 = 7;
/// TM_ROLLBACK_XACT
pub const TM_ROLLBACK_XACT: u16 = 8;

/// One parsed transaction-manager request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TmRequest {
    /// Begin a transaction (isolation level byte, optional name).
    Begin { isolation: u8, name: String },
    /// Commit or roll back (optional name); `then_begin` = fBeginXact: start a new transaction
    /// at once (with that isolation level and name).
    End { commit: bool, name: String, then_begin: Option<(u8, String)> },
    /// A request type the simulator does not model (GET_DTC_ADDRESS, PROPAGATE, PROMOTE, SAVE).
    Other(u16),
}

fn take<'a>(p: &mut &'a [u8], n: usize, what: &'static str) -> Result<&'a [u8], RequestError> {
    if p.len() < n {
        return Err(RequestError::Truncated(what));
    }
    let (a, b) = p.split_at(n);
    *p = b;
    Ok(a)
}

/// B_VARCHAR: a byte count of UTF-16 characters, then the characters.
fn b_varchar(p: &mut &[u8], what: &'static str) -> Result<String, RequestError> {
    let n = take(p, 1, what)?[0] as usize;
    let raw = take(p, n * 2, what)?;
    let units: Vec<u16> = raw.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
    Ok(String::from_utf16_lossy(&units))
}

/// Parse the payload of a TM request (ALL_HEADERS first).
pub fn parse(payload: &[u8]) -> Result<TmRequest, RequestError> {
    let mut p = skip_all_headers(payload)?;
    let ty = take(&mut p, 2, "TM request type")?;
    let ty = u16::from_le_bytes([ty[0], ty[1]]);
    Ok(match ty {
        TM_BEGIN_XACT => {
            let isolation = take(&mut p, 1, "TM isolation level")?[0];
            // The name is optional on the wire (a bare isolation byte is accepted).
            let name = if p.is_empty() { String::new() } else { b_varchar(&mut p, "TM transaction name")? };
            TmRequest::Begin { isolation, name }
        }
        TM_COMMIT_XACT | TM_ROLLBACK_XACT => {
            let name = b_varchar(&mut p, "TM transaction name")?;
            let flags = if p.is_empty() { 0 } else { take(&mut p, 1, "TM flags")?[0] };
            let then_begin = if flags & 1 != 0 {
                let iso = take(&mut p, 1, "TM new isolation level")?[0];
                let n = if p.is_empty() { String::new() } else { b_varchar(&mut p, "TM new transaction name")? };
                Some((iso, n))
            } else {
                None
            };
            TmRequest::End { commit: ty == TM_COMMIT_XACT, name, then_begin }
        }
        other => TmRequest::Other(other),
    })
}

/// A session's transaction, as far as TM requests go.
#[derive(Debug, Default)]
pub struct TxState {
    /// The descriptor of the open transaction.
    pub current: Option<u64>,
    next: u64,
}

impl TxState {
    /// Open a transaction and return its new descriptor.
    pub fn begin(&mut self, spid: u16) -> u64 {
        self.next += 1;
        // Distinct per session and per transaction; the value is opaque to clients.
        let d = ((spid as u64) << 32) | self.next;
        self.current = Some(d);
        d
    }
    /// Close the open transaction; its descriptor, or None when there was none.
    pub fn end(&mut self) -> Option<u64> {
        self.current.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_headers(body: &[u8]) -> Vec<u8> {
        // ALL_HEADERS: total 22, one transaction-descriptor header (type 2).
        let mut v = 22u32.to_le_bytes().to_vec();
        v.extend_from_slice(&18u32.to_le_bytes());
        v.extend_from_slice(&2u16.to_le_bytes());
        v.extend_from_slice(&[0; 8]);
        v.extend_from_slice(&1u32.to_le_bytes());
        v.extend_from_slice(body);
        v
    }

    #[test]
    fn parses_begin_commit_rollback_and_refuses_truncation() {
        assert_eq!(parse(&with_headers(&[5, 0, 2, 0])).unwrap(), TmRequest::Begin { isolation: 2, name: String::new() });
        assert_eq!(
            parse(&with_headers(&[7, 0, 0, 1, 2, 0])).unwrap(),
            TmRequest::End { commit: true, name: String::new(), then_begin: Some((2, String::new())) }
        );
        assert_eq!(parse(&with_headers(&[8, 0, 1, b'a', 0, 0])).unwrap(), TmRequest::End { commit: false, name: "a".into(), then_begin: None });
        assert_eq!(parse(&with_headers(&[9, 0])).unwrap(), TmRequest::Other(9));
        assert!(parse(&with_headers(&[5])).is_err());
        assert!(parse(&with_headers(&[7, 0, 3, b'a', 0])).is_err());
    }

    #[test]
    fn descriptors_differ_and_end_clears() {
        let mut t = TxState::default();
        let a = t.begin(52);
        assert_eq!(t.end(), Some(a));
        assert_eq!(t.end(), None);
        assert_ne!(t.begin(52), a);
    }
}
