//! The one tokio runtime of the library, created on first use, and the rustls crypto provider.
//!
//! tiberius' tokio-rustls also compiles aws-lc-rs, so rustls cannot pick a provider by itself:
//! we install `ring` as the process default before the first TLS handshake (the Windows cross
//! build prefers ring too). If the host process already installed a provider, that one stays.

use once_cell::sync::Lazy;
use std::future::Future;
use std::sync::Once;

static CRYPTO: Once = Once::new();

/// Install `ring` as the process-wide rustls provider (once; keeps one installed by the host).
pub fn install_crypto_provider() {
    CRYPTO.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

static RUNTIME: Lazy<tokio::runtime::Runtime> = Lazy::new(|| {
    install_crypto_provider();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("sqlurl-worker")
        .enable_all()
        .build()
        .expect("sqlurl: cannot start the tokio runtime")
});

/// The shared runtime (created on first call).
pub fn runtime() -> &'static tokio::runtime::Runtime {
    &RUNTIME
}

/// Run a future to completion on the shared runtime, from a thread that is not a runtime
/// worker (plain `#[test]`s, the C entry points through [`block_on_outside`]). Many threads may
/// call it at once. Panics (tokio's "Cannot start a runtime from within a runtime") when called
/// on a thread that runs a tokio runtime.
pub fn block_on<F: Future>(f: F) -> F::Output {
    install_crypto_provider();
    RUNTIME.block_on(f)
}

/// [`block_on`] for the C entry points: on a thread that runs a tokio runtime (an async task
/// of the host, or of this library) it returns `NotSupported` instead of panicking or blocking
/// that runtime's worker. The blocking `sqlurl_*` functions must be called from a plain thread
/// (in async code: through `spawn_blocking`).
pub fn block_on_outside<F: Future>(f: F) -> crate::errors::Result<F::Output> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(crate::errors::Error::not_supported(
            "A blocking sqlurl_* function was called on a thread that runs a tokio runtime (inside an async task); call it from a plain thread, or from async code through spawn_blocking.",
        ));
    }
    Ok(block_on(f))
}
