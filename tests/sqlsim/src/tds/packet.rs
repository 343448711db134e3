//! TDS packet framing (MS-TDS 2.2.3): an 8-byte header, then payload; a message is one or more
//! packets, the last with the EOM status bit.

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

pub const HEADER_LEN: usize = 8;
/// Largest packet size a client may negotiate (MS-TDS: 32767; SqlClient allows 32768).
pub const MAX_PACKET_SIZE: usize = 32768;
/// Upper bound on one request message, so a hostile length cannot exhaust memory.
pub const MAX_MESSAGE_LEN: usize = 64 * 1024 * 1024;

pub const STATUS_EOM: u8 = 0x01;
pub const STATUS_IGNORE: u8 = 0x02;

pub mod ptype {
    pub const SQL_BATCH: u8 = 0x01;
    pub const RPC: u8 = 0x03;
    pub const TABULAR_RESULT: u8 = 0x04;
    pub const ATTENTION: u8 = 0x06;
    pub const BULK_LOAD: u8 = 0x07;
    pub const FEDAUTH_TOKEN: u8 = 0x08;
    pub const TRANSACTION_MANAGER: u8 = 0x0E;
    pub const LOGIN7: u8 = 0x10;
    pub const SSPI: u8 = 0x11;
    pub const PRELOGIN: u8 = 0x12;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub ty: u8,
    pub status: u8,
    pub length: u16,
    pub spid: u16,
    pub packet_id: u8,
    pub window: u8,
}

impl Header {
    pub fn parse(b: &[u8; HEADER_LEN]) -> Header {
        Header {
            ty: b[0],
            status: b[1],
            length: u16::from_be_bytes([b[2], b[3]]),
            spid: u16::from_be_bytes([b[4], b[5]]),
            packet_id: b[6],
            window: b[7],
        }
    }
    pub fn to_bytes(self) -> [u8; HEADER_LEN] {
        let l = self.length.to_be_bytes();
        let s = self.spid.to_be_bytes();
        [self.ty, self.status, l[0], l[1], s[0], s[1], self.packet_id, self.window]
    }
}

/// Why reading from the client failed.
#[derive(Debug, thiserror::Error)]
pub enum PacketError {
    #[error("connection closed by the client")]
    Closed,
    #[error("connection closed in the middle of a packet")]
    Truncated,
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    #[error("invalid packet length {0} (must be 8..={MAX_PACKET_SIZE})")]
    BadLength(u16),
    #[error("packet type 0x{got:02X} in the middle of a message of type 0x{expected:02X}")]
    MixedTypes { expected: u8, got: u8 },
    #[error("request message larger than {MAX_MESSAGE_LEN} bytes")]
    TooLarge,
}

/// Read one packet. `Closed` when the client closed cleanly between packets.
pub async fn read_packet<R: AsyncRead + Unpin>(r: &mut R) -> Result<(Header, Vec<u8>), PacketError> {
    let mut hb = [0u8; HEADER_LEN];
    let mut got = 0;
    while got < HEADER_LEN {
        let n = match r.read(&mut hb[got..]).await {
            Ok(n) => n,
            // TLS peers often close without close_notify: between packets that is a plain close.
            Err(e) if got == 0 && e.kind() == std::io::ErrorKind::UnexpectedEof => 0,
            Err(e) => return Err(e.into()),
        };
        if n == 0 {
            return Err(if got == 0 { PacketError::Closed } else { PacketError::Truncated });
        }
        got += n;
    }
    let h = Header::parse(&hb);
    let len = h.length as usize;
    if !(HEADER_LEN..=MAX_PACKET_SIZE).contains(&len) {
        return Err(PacketError::BadLength(h.length));
    }
    let mut payload = vec![0u8; len - HEADER_LEN];
    r.read_exact(&mut payload).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            PacketError::Truncated
        } else {
            PacketError::Io(e)
        }
    })?;
    Ok((h, payload))
}

/// A whole message: type, status of the last packet, payload of all packets.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub ty: u8,
    /// Status of the first packet (RESETCONNECTION bits live there).
    pub first_status: u8,
    /// Status of the last packet (EOM, IGNORE).
    pub last_status: u8,
    pub payload: Vec<u8>,
}

/// Read packets until EOM. An ATTENTION packet is always a message by itself.
pub async fn read_message<R: AsyncRead + Unpin>(r: &mut R) -> Result<Message, PacketError> {
    let (h, mut payload) = read_packet(r).await?;
    let ty = h.ty;
    let first_status = h.status;
    let mut last_status = h.status;
    while last_status & STATUS_EOM == 0 && ty != ptype::ATTENTION {
        let (h2, p2) = match read_packet(r).await {
            Err(PacketError::Closed) => return Err(PacketError::Truncated),
            other => other?,
        };
        if h2.ty != ty {
            return Err(PacketError::MixedTypes { expected: ty, got: h2.ty });
        }
        if payload.len() + p2.len() > MAX_MESSAGE_LEN {
            return Err(PacketError::TooLarge);
        }
        payload.extend_from_slice(&p2);
        last_status = h2.status;
    }
    Ok(Message { ty, first_status, last_status, payload })
}

/// Writes one response message as packets of the negotiated size. Bytes are buffered until a
/// packet is full, [`PacketWriter::flush_partial`] (stream what we have now) or
/// [`PacketWriter::finish`] (EOM).
pub struct PacketWriter {
    pub spid: u16,
    pub packet_size: usize,
    pub ty: u8,
    buf: Vec<u8>,
    packet_id: u8,
}

impl PacketWriter {
    pub fn new(spid: u16, packet_size: usize) -> Self {
        PacketWriter { spid, packet_size, ty: ptype::TABULAR_RESULT, buf: Vec::new(), packet_id: 1 }
    }

    /// Queue token bytes; whole packets are written as soon as they fill.
    pub async fn put<W: AsyncWrite + Unpin>(&mut self, w: &mut W, bytes: &[u8]) -> std::io::Result<()> {
        self.buf.extend_from_slice(bytes);
        let max = self.packet_size - HEADER_LEN;
        while self.buf.len() > max {
            let rest = self.buf.split_off(max);
            let chunk = std::mem::replace(&mut self.buf, rest);
            self.write_packet(w, &chunk, 0).await?;
        }
        Ok(())
    }

    /// Bytes are waiting for the next packet.
    pub fn has_buffered(&self) -> bool {
        !self.buf.is_empty()
    }

    /// Send what is buffered now as a non-final packet (streams INFO messages to the client).
    pub async fn flush_partial<W: AsyncWrite + Unpin>(&mut self, w: &mut W) -> std::io::Result<()> {
        if !self.buf.is_empty() {
            let chunk = std::mem::take(&mut self.buf);
            self.write_packet(w, &chunk, 0).await?;
            w.flush().await?;
        }
        Ok(())
    }

    /// Send the rest with EOM and start a new message.
    pub async fn finish<W: AsyncWrite + Unpin>(&mut self, w: &mut W) -> std::io::Result<()> {
        let chunk = std::mem::take(&mut self.buf);
        self.write_packet(w, &chunk, STATUS_EOM).await?;
        w.flush().await?;
        self.packet_id = 1;
        Ok(())
    }

    async fn write_packet<W: AsyncWrite + Unpin>(&mut self, w: &mut W, data: &[u8], status: u8) -> std::io::Result<()> {
        let h = Header {
            ty: self.ty,
            status,
            length: (data.len() + HEADER_LEN) as u16,
            spid: self.spid,
            packet_id: self.packet_id,
            window: 0,
        };
        self.packet_id = self.packet_id.wrapping_add(1);
        let mut out = Vec::with_capacity(data.len() + HEADER_LEN);
        out.extend_from_slice(&h.to_bytes());
        out.extend_from_slice(data);
        w.write_all(&out).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn messages_span_packets_and_writer_splits() {
        let mut wire = Vec::new();
        let mut pw = PacketWriter::new(52, 512);
        pw.ty = ptype::SQL_BATCH;
        let data: Vec<u8> = (0..1200u32).map(|i| i as u8).collect();
        pw.put(&mut wire, &data).await.unwrap();
        pw.finish(&mut wire).await.unwrap();
        // 504 + 504 + 192
        assert_eq!(wire.len(), 1200 + 3 * 8);
        let mut r = &wire[..];
        let m = read_message(&mut r).await.unwrap();
        assert_eq!(m.ty, ptype::SQL_BATCH);
        assert_eq!(m.payload, data);
    }

    #[tokio::test]
    async fn bad_lengths_and_truncation_are_errors() {
        let mut r: &[u8] = &[0x01, 0x01, 0x00, 0x04, 0, 0, 1, 0];
        assert!(matches!(read_message(&mut r).await, Err(PacketError::BadLength(4))));
        let mut r: &[u8] = &[0x01, 0x01, 0x00, 0x20, 0, 0, 1, 0, 1, 2];
        assert!(matches!(read_message(&mut r).await, Err(PacketError::Truncated)));
        let mut r: &[u8] = &[0x01, 0x00];
        assert!(matches!(read_message(&mut r).await, Err(PacketError::Truncated)));
        let mut r: &[u8] = &[];
        assert!(matches!(read_message(&mut r).await, Err(PacketError::Closed)));
    }
}
