//! The TDS 7.4 server side: one file per concern.
pub mod login7;
pub mod packet;
pub mod prelogin;
pub mod rpc;
pub mod session;
pub mod tls;
pub mod tm;
pub mod tokens;
