//! Shared helpers of the integration tests.
#![allow(dead_code)]

#[cfg(not(windows))]
pub mod azurite;
pub mod ffi;
pub mod identity;
#[cfg(not(windows))]
pub mod proxy;
#[cfg(not(windows))]
pub mod sim;
