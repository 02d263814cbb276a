//! The state every handler shares: the world, the signature verifier and the request limits.

use std::sync::Arc;

use crate::aliyun::signature::Verifier;
use crate::config::{Keyring, ServeArgs};
use crate::domain::catalog::Catalog;
use crate::domain::clock::{Clock, Durations};
use crate::domain::seed::Seed;
use crate::domain::{Cloud, World};

/// Request-size and time limits.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest accepted body.
    pub max_body_bytes: usize,
    /// Time allowed to receive a body.
    pub request_timeout: std::time::Duration,
}

/// Cheap to clone: every field is a handle.
#[derive(Clone)]
pub struct AppState {
    /// The simulated cloud.
    pub world: World,
    /// Signature checks.
    pub verifier: Arc<Verifier>,
    /// Limits.
    pub limits: Limits,
    /// What `/_emulator/health` reports about the configuration.
    pub settings: Arc<serde_json::Value>,
}

impl AppState {
    /// Builds the state from `serve` flags: catalog, seed, clock, keys.
    ///
    /// # Errors
    /// An unreadable or inconsistent seed file, described for the user.
    pub fn from_args(args: &ServeArgs) -> Result<Self, String> {
        let catalog = Arc::new(Catalog::builtin().map_err(|e| e.to_string())?);
        let seed = args.fixtures.as_deref().map(Seed::load).transpose()?;
        let durations = Durations::for_timing(args.timing, args.rpo_scale);
        let cloud = Cloud::new(catalog, durations, args.seed);
        let world = World::new(cloud, seed.as_ref(), Clock::new(args.clock))
            .map_err(|e| format!("fixtures: {e}"))?;
        let settings = serde_json::json!({
            "auth": format!("{:?}", args.auth).to_lowercase(),
            "timing": format!("{:?}", args.timing).to_lowercase(),
            "clock": format!("{:?}", args.clock).to_lowercase(),
            "rpo_scale": args.rpo_scale,
            "fixtures": args.fixtures.as_ref().map(|p| p.display().to_string()),
            "access_keys": args.access_keys.len(),
        });
        Ok(Self {
            world,
            verifier: Arc::new(Verifier::new(
                args.auth,
                Keyring::new(args.access_keys.iter().cloned()),
            )),
            limits: Limits {
                max_body_bytes: args.max_body_bytes,
                request_timeout: std::time::Duration::from_secs(args.request_timeout_secs),
            },
            settings: Arc::new(settings),
        })
    }
}
