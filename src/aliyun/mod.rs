//! The Alibaba Cloud RPC wire: parameters, signatures, replies and error codes.

pub mod encoding;
pub mod error;
pub mod signature;
