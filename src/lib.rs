//! sqlurl
