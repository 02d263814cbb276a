//! The simulated cloud: synchronous, knows nothing of HTTP or wire names.

pub mod error;

pub use error::{Denial, Error, Kind, Result};
