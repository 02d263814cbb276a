//! The Alibaba Cloud RPC wire: parameters, signatures, replies and error codes.

pub mod actions;
pub mod encoding;
pub mod error;
pub mod names;
pub mod params;
pub mod reply;
pub mod rpc;
pub mod signature;
pub mod vocab;
