//! The Alibaba Cloud RPC wire: parameters, signatures, replies and error codes.

pub mod error;
