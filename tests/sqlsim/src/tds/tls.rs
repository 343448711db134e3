//! TLS for the simulator: a test CA and a server certificate generated at start (rcgen), the
//! rustls server configurations, and the adapter that carries TLS handshake records inside
//! PRELOGIN (0x12) packets, as TDS 7.x does, then steps aside.

use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose, SanType};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::packet::{ptype, Header, HEADER_LEN, STATUS_EOM};

#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    #[error("certificate generation failed: {0}")]
    Rcgen(#[from] rcgen::Error),
    #[error("TLS configuration failed: {0}")]
    Rustls(#[from] rustls::Error),
    #[error("cannot write the CA certificate to {path}: {source}")]
    WriteCa { path: PathBuf, source: io::Error },
}

/// The generated certificates and the server configurations built from them.
pub struct TlsMaterial {
    pub ca_pem: String,
    pub ca_der: CertificateDer<'static>,
    /// TDS 7.x in-band TLS: TLS 1.2 only (SQL Server 2022 offers TLS 1.3 only with TDS 8.0).
    pub config_tds7: Arc<rustls::ServerConfig>,
    /// TDS 8.0 strict: TLS 1.2 or 1.3, ALPN `tds/8.0`.
    pub config_tds8: Arc<rustls::ServerConfig>,
}

impl std::fmt::Debug for TlsMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsMaterial").finish_non_exhaustive()
    }
}

/// Generate a CA ("sqlsim test CA") and a server certificate for `localhost`, `127.0.0.1`, `::1`
/// (plus `server_name`), signed by it.
pub fn generate(server_name: &str) -> Result<TlsMaterial, TlsSetupError> {
    let ca_key = KeyPair::generate()?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.distinguished_name.push(DnType::CommonName, "sqlsim test CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let ca_cert = ca_params.self_signed(&ca_key)?;
    let issuer = Issuer::new(ca_params, ca_key);

    let mut names = vec!["localhost".to_string()];
    let lower = server_name.to_ascii_lowercase();
    if !lower.is_empty() && lower != "localhost" {
        names.push(lower);
    }
    let mut params = CertificateParams::new(names)?;
    params.subject_alt_names.push(SanType::IpAddress(std::net::IpAddr::from([127, 0, 0, 1])));
    params.subject_alt_names.push(SanType::IpAddress(std::net::IpAddr::V6(std::net::Ipv6Addr::LOCALHOST)));
    params.distinguished_name.push(DnType::CommonName, "localhost");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    let key = KeyPair::generate()?;
    let cert = params.signed_by(&key, &issuer)?;

    let chain = vec![cert.der().clone(), ca_cert.der().clone()];
    let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());

    let config_tds7 = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS12])?
        .with_no_client_auth()
        .with_single_cert(chain.clone(), key_der.clone_key())?;
    let mut config_tds8 = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .with_no_client_auth()
        .with_single_cert(chain, key_der)?;
    config_tds8.alpn_protocols = vec![b"tds/8.0".to_vec()];

    Ok(TlsMaterial {
        ca_pem: ca_cert.pem(),
        ca_der: ca_cert.der().clone(),
        config_tds7: Arc::new(config_tds7),
        config_tds8: Arc::new(config_tds8),
    })
}

pub fn write_ca(material: &TlsMaterial, path: &Path) -> Result<(), TlsSetupError> {
    std::fs::write(path, &material.ca_pem).map_err(|source| TlsSetupError::WriteCa { path: path.to_path_buf(), source })
}

/// Carries TLS records inside PRELOGIN packets while `wrapping` is on (the TDS 7.x handshake),
/// then passes bytes straight through.
pub struct PreloginTls<S> {
    pub inner: S,
    wrapping: bool,
    // read side: header bytes gathered so far and payload bytes left in the current packet
    rd_header: [u8; HEADER_LEN],
    rd_header_len: usize,
    rd_remaining: usize,
    // write side: framed bytes not yet written
    wr_pending: Vec<u8>,
    wr_pos: usize,
    /// After the handshake: hand rustls at most one TLS record at a time, so it never reads
    /// past a record boundary (login-only encryption: the client may switch to clear text
    /// right after a record).
    record_exact: bool,
    rec_header: [u8; 5],
    rec_header_len: usize,
    rec_remaining: usize,
}

/// Largest TLS chunk per handshake packet (SqlClient uses 4088 payload bytes).
const CHUNK: usize = 4088;

impl<S> PreloginTls<S> {
    pub fn new(inner: S) -> Self {
        PreloginTls {
            inner,
            wrapping: true,
            rd_header: [0; HEADER_LEN],
            rd_header_len: 0,
            rd_remaining: 0,
            wr_pending: Vec::new(),
            wr_pos: 0,
            record_exact: false,
            rec_header: [0; 5],
            rec_header_len: 0,
            rec_remaining: 0,
        }
    }
    /// Raw pass-through from the start (TDS 8.0: TLS directly on the socket).
    pub fn passthrough(inner: S) -> Self {
        let mut s = Self::new(inner);
        s.wrapping = false;
        s
    }
    pub fn handshake_done(&mut self) {
        self.wrapping = false;
    }
    /// Read TLS records one at a time from now on (see `record_exact`).
    pub fn read_record_by_record(&mut self) {
        self.record_exact = true;
    }
    /// True when the last record was read completely (nothing of the next one consumed).
    pub fn at_record_boundary(&self) -> bool {
        self.rec_header_len == 0 && self.rec_remaining == 0
    }
}

impl<S: AsyncWrite + Unpin> PreloginTls<S> {
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.wr_pos < self.wr_pending.len() {
            let n = match Pin::new(&mut self.inner).poll_write(cx, &self.wr_pending[self.wr_pos..]) {
                Poll::Ready(Ok(n)) => n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            };
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.wr_pos += n;
        }
        self.wr_pending.clear();
        self.wr_pos = 0;
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for PreloginTls<S> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if !this.wrapping && this.record_exact {
            // TLS record header (5 bytes: type, version, length) first, then its body.
            if this.rec_remaining == 0 {
                let mut hb = ReadBuf::new(&mut this.rec_header[this.rec_header_len..]);
                match Pin::new(&mut this.inner).poll_read(cx, &mut hb) {
                    Poll::Ready(Ok(())) => {}
                    other => return other,
                }
                let n = hb.filled().len();
                if n == 0 {
                    return Poll::Ready(Ok(()));
                }
                let start = this.rec_header_len;
                buf.put_slice(&this.rec_header[start..start + n]);
                this.rec_header_len += n;
                if this.rec_header_len == 5 {
                    this.rec_remaining = u16::from_be_bytes([this.rec_header[3], this.rec_header[4]]) as usize;
                    this.rec_header_len = 0;
                }
                return Poll::Ready(Ok(()));
            }
            let want = this.rec_remaining.min(buf.remaining());
            let mut tmp = vec![0u8; want];
            let mut rb = ReadBuf::new(&mut tmp);
            return match Pin::new(&mut this.inner).poll_read(cx, &mut rb) {
                Poll::Ready(Ok(())) => {
                    let n = rb.filled().len();
                    buf.put_slice(&tmp[..n]);
                    this.rec_remaining -= n;
                    Poll::Ready(Ok(()))
                }
                other => other,
            };
        }
        if !this.wrapping {
            return Pin::new(&mut this.inner).poll_read(cx, buf);
        }
        while this.rd_remaining == 0 {
            // read the next packet header
            let mut hb = ReadBuf::new(&mut this.rd_header[this.rd_header_len..]);
            match Pin::new(&mut this.inner).poll_read(cx, &mut hb) {
                Poll::Ready(Ok(())) => {}
                other => return other,
            }
            let n = hb.filled().len();
            if n == 0 {
                return Poll::Ready(Ok(())); // EOF
            }
            this.rd_header_len += n;
            if this.rd_header_len == HEADER_LEN {
                let h = Header::parse(&this.rd_header);
                this.rd_header_len = 0;
                let len = h.length as usize;
                if len < HEADER_LEN {
                    return Poll::Ready(Err(io::Error::new(io::ErrorKind::InvalidData, "bad packet length during TLS handshake")));
                }
                this.rd_remaining = len - HEADER_LEN;
            }
        }
        let want = this.rd_remaining.min(buf.remaining());
        let mut tmp = vec![0u8; want];
        let mut rb = ReadBuf::new(&mut tmp);
        match Pin::new(&mut this.inner).poll_read(cx, &mut rb) {
            Poll::Ready(Ok(())) => {
                let n = rb.filled().len();
                buf.put_slice(&tmp[..n]);
                this.rd_remaining -= n;
                Poll::Ready(Ok(()))
            }
            other => other,
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for PreloginTls<S> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if !this.wrapping && this.wr_pending.is_empty() {
            return Pin::new(&mut this.inner).poll_write(cx, buf);
        }
        match this.poll_drain(cx) {
            Poll::Ready(Ok(())) => {}
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Pending => return Poll::Pending,
        }
        if !this.wrapping {
            return Pin::new(&mut this.inner).poll_write(cx, buf);
        }
        let chunks: Vec<&[u8]> = buf.chunks(CHUNK).collect();
        let last = chunks.len().saturating_sub(1);
        for (i, c) in chunks.iter().enumerate() {
            let h = Header {
                ty: ptype::PRELOGIN,
                status: if i == last { STATUS_EOM } else { 0 },
                length: (c.len() + HEADER_LEN) as u16,
                spid: 0,
                packet_id: 0,
                window: 0,
            };
            this.wr_pending.extend_from_slice(&h.to_bytes());
            this.wr_pending.extend_from_slice(c);
        }
        // Best effort now; the rest goes out on the next write or flush.
        if let Poll::Ready(Err(e)) = this.poll_drain(cx) {
            return Poll::Ready(Err(e));
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match this.poll_drain(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut this.inner).poll_flush(cx),
            other => other,
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match this.poll_drain(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut this.inner).poll_shutdown(cx),
            other => other,
        }
    }
}
