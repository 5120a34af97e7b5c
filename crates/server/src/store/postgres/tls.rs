//! TLS to PostgreSQL with rustls (the aws-lc-rs provider, the binary's only crypto backend),
//! following libpq's `sslmode`: `disable`; `allow` and `prefer` (TLS when the server offers it,
//! certificate not checked); `require` (TLS, certificate not checked, unless `sslrootcert`
//! names a file: then as `verify-ca`); `verify-ca` (the chain must lead to a trusted root);
//! `verify-full` (also the host name). Trusted roots come from `sslrootcert` (a PEM file), or
//! are the Mozilla roots shipped in the binary when it is absent or `system`.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use aws_lc_rs::digest;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{ClientConfig, WebPkiServerVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_postgres::config::SslMode;
use tokio_postgres::tls::{ChannelBinding, MakeTlsConnect, TlsConnect, TlsStream};

use crate::store::StoreError;

/// What a URL's `sslmode` asks of the server's certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Check {
    /// Encrypt, trust any certificate (libpq's `prefer` and `require`).
    None,
    /// The chain must end at a trusted root; any host name.
    Chain,
    /// The chain and the host name.
    Full,
}

/// A database URL split into what tokio-postgres understands and the TLS settings it does not.
#[derive(Debug)]
pub(super) struct Settings {
    /// The connection settings, `sslmode` included (as disable, prefer or require).
    pub config: tokio_postgres::Config,
    /// The TLS connector (unused with `sslmode=disable`).
    pub tls: MakeRustls,
}

/// Parses a `postgres://` URL, taking `sslmode` and `sslrootcert` out of its query.
pub(super) fn settings(url: &str) -> Result<Settings, StoreError> {
    let invalid = |why: String| StoreError::Config(format!("invalid PostgreSQL URL: {why}"));
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, query),
        None => (url, ""),
    };
    let mut mode = "prefer".to_string();
    let mut root_file = None;
    let mut rest = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "sslmode" => mode = percent_decode(value),
            "sslrootcert" => root_file = Some(percent_decode(value)),
            _ => rest.push(pair),
        }
    }
    let (ssl_mode, check) = match (mode.as_str(), &root_file) {
        ("disable", _) => (SslMode::Disable, Check::None),
        ("allow" | "prefer", _) => (SslMode::Prefer, Check::None),
        ("require", None) => (SslMode::Require, Check::None),
        ("require" | "verify-ca", _) => (SslMode::Require, Check::Chain),
        ("verify-full", _) => (SslMode::Require, Check::Full),
        (other, _) => {
            return Err(invalid(format!(
                "sslmode={other} (expected disable, allow, prefer, require, verify-ca or verify-full)"
            )));
        }
    };
    let passed_on = if rest.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", rest.join("&"))
    };
    let mut config: tokio_postgres::Config =
        passed_on.parse().map_err(|e| invalid(describe(&e)))?;
    config.ssl_mode(ssl_mode);
    let tls = MakeRustls::new(check, root_file.as_deref().filter(|f| *f != "system"))?;
    Ok(Settings { config, tls })
}

/// `%XX` escapes of a URL query value, as text.
fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An error and its causes on one line: tokio-postgres puts the server's message in the cause.
pub(super) fn describe(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// Makes a TLS connector per connection, all sharing one rustls configuration.
#[derive(Clone, Debug)]
pub(super) struct MakeRustls {
    config: Arc<ClientConfig>,
}

impl MakeRustls {
    fn new(check: Check, root_file: Option<&str>) -> Result<Self, StoreError> {
        let tls_error = |e: rustls::Error| StoreError::Config(format!("TLS settings: {e}"));
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
            .with_safe_default_protocol_versions()
            .map_err(tls_error)?;
        let verifier: Arc<dyn ServerCertVerifier> = match check {
            Check::None => Arc::new(AnyCertificate { provider }),
            Check::Chain | Check::Full => {
                let roots = Arc::new(roots(root_file)?);
                let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider)
                    .build()
                    .map_err(|e| StoreError::Config(format!("TLS settings: {e}")))?;
                if check == Check::Full {
                    webpki
                } else {
                    Arc::new(AnyName { inner: webpki })
                }
            }
        };
        let config = builder
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        Ok(MakeRustls {
            config: Arc::new(config),
        })
    }
}

/// The roots of `sslrootcert`, or the Mozilla roots.
fn roots(root_file: Option<&str>) -> Result<RootCertStore, StoreError> {
    let Some(path) = root_file else {
        return Ok(RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        });
    };
    let unreadable =
        |why: String| StoreError::Config(format!("sslrootcert {path} cannot be used: {why}"));
    let mut store = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(path).map_err(|e| unreadable(e.to_string()))? {
        let cert = cert.map_err(|e| unreadable(e.to_string()))?;
        store.add(cert).map_err(|e| unreadable(e.to_string()))?;
    }
    if store.is_empty() {
        return Err(unreadable("it holds no certificate".into()));
    }
    Ok(store)
}

/// Accepts any certificate but still checks that the server holds its key: libpq's `require`,
/// which protects against eavesdropping, not against an impostor.
#[derive(Debug)]
struct AnyCertificate {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// `verify-ca`: the full check, except that the certificate may name another host.
#[derive(Debug)]
struct AnyName {
    inner: Arc<WebPkiServerVerifier>,
}

impl ServerCertVerifier for AnyName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

impl<S> MakeTlsConnect<S> for MakeRustls
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = RustlsStream<S>;
    type TlsConnect = RustlsConnect;
    type Error = io::Error;

    fn make_tls_connect(&mut self, domain: &str) -> io::Result<RustlsConnect> {
        let name = ServerName::try_from(domain.to_owned())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        Ok(RustlsConnect {
            connector: tokio_rustls::TlsConnector::from(Arc::clone(&self.config)),
            name,
        })
    }
}

/// The TLS handshake of one connection.
pub(super) struct RustlsConnect {
    connector: tokio_rustls::TlsConnector,
    name: ServerName<'static>,
}

impl<S> TlsConnect<S> for RustlsConnect
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = RustlsStream<S>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<RustlsStream<S>>> + Send>>;

    fn connect(self, stream: S) -> Self::Future {
        Box::pin(async move {
            let tls = self.connector.connect(self.name, stream).await?;
            Ok(RustlsStream(tls))
        })
    }
}

/// A TLS session to the server.
pub(super) struct RustlsStream<S>(tokio_rustls::client::TlsStream<S>);

impl<S: AsyncRead + AsyncWrite + Unpin> TlsStream for RustlsStream<S> {
    fn channel_binding(&self) -> ChannelBinding {
        let (_, session) = self.0.get_ref();
        match session
            .peer_certificates()
            .and_then(|certs| certs.first())
            .map(|cert| end_point_hash(cert.as_ref()))
        {
            Some(hash) => ChannelBinding::tls_server_end_point(hash),
            None => ChannelBinding::none(),
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for RustlsStream<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for RustlsStream<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }
}

/// The `tls-server-end-point` channel binding (RFC 5929): the certificate's hash, with the
/// hash function of its signature, SHA-256 for anything weaker or unknown. SCRAM with channel
/// binding then proves that no one relays the session between client and server.
fn end_point_hash(cert: &[u8]) -> Vec<u8> {
    const SHA384_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c];
    const SHA512_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d];
    const SHA384_ECDSA: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03];
    const SHA512_ECDSA: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04];
    let algorithm = match signature_oid(cert) {
        Some(SHA384_RSA | SHA384_ECDSA) => &digest::SHA384,
        Some(SHA512_RSA | SHA512_ECDSA) => &digest::SHA512,
        _ => &digest::SHA256,
    };
    digest::digest(algorithm, cert).as_ref().to_vec()
}

/// The OID of `signatureAlgorithm` in `Certificate ::= SEQUENCE { tbsCertificate,
/// signatureAlgorithm, signature }`.
fn signature_oid(cert: &[u8]) -> Option<&[u8]> {
    let (_, certificate, _) = der(cert)?;
    let (_, _, after_tbs) = der(certificate)?;
    let (_, algorithm, _) = der(after_tbs)?;
    match der(algorithm)? {
        (0x06, oid, _) => Some(oid),
        _ => None,
    }
}

/// One DER element: its tag, its contents and what follows it.
fn der(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        (len, &rest[n..])
    };
    if rest.len() < len {
        return None;
    }
    Some((tag, &rest[..len], &rest[len..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sslmode_and_sslrootcert_are_taken_out_of_the_url() {
        let s = settings("postgres://u:p@localhost:5432/db?sslmode=require&application_name=x")
            .expect("valid");
        assert_eq!(s.config.get_ssl_mode(), SslMode::Require);
        assert_eq!(s.config.get_application_name(), Some("x"));
        let s = settings("postgres://u@localhost/db").expect("valid");
        assert_eq!(s.config.get_ssl_mode(), SslMode::Prefer, "libpq's default");
        let s = settings("postgres://u@localhost/db?sslmode=verify-full").expect("valid");
        assert_eq!(s.config.get_ssl_mode(), SslMode::Require);
        assert!(settings("postgres://u@localhost/db?sslmode=sometimes").is_err());
        assert!(
            settings("postgres://u@localhost/db?sslmode=verify-ca&sslrootcert=/nonexistent.pem")
                .is_err(),
            "a root file that cannot be read is refused at start, not at the first query"
        );
    }

    #[test]
    fn the_channel_binding_hash_follows_the_certificate_signature() {
        // A minimal certificate shape: SEQUENCE { SEQUENCE {} , SEQUENCE { OID }, BIT STRING }.
        let cert = |oid: &[u8]| {
            let mut alg = vec![0x06, oid.len() as u8];
            alg.extend_from_slice(oid);
            let mut body = vec![0x30, 0x00, 0x30, alg.len() as u8];
            body.extend_from_slice(&alg);
            body.extend_from_slice(&[0x03, 0x01, 0x00]);
            let mut der = vec![0x30, body.len() as u8];
            der.extend_from_slice(&body);
            der
        };
        let sha384 = cert(&[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03]);
        assert_eq!(end_point_hash(&sha384).len(), 48);
        let sha256 = cert(&[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]);
        assert_eq!(end_point_hash(&sha256).len(), 32);
        assert_eq!(end_point_hash(b"not DER").len(), 32);
    }

    #[test]
    fn percent_escapes_in_query_values_are_decoded() {
        assert_eq!(percent_decode("%2Fetc%2Froot.pem"), "/etc/root.pem");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
