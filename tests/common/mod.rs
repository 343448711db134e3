//! Shared helpers of the integration tests.
#![allow(dead_code)]

pub mod ffi;
pub mod identity;
#[cfg(not(windows))]
pub mod sim;
