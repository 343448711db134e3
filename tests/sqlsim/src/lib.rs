//! sqlsim
