//! The state every handler shares: the engine (the world and its one path), each dialect's own
//! parts, the registry of operations served, and the request limits.

use std::sync::Arc;
use std::time::Duration;

use crate::aliyun::signature::Verifier;
use crate::config::{Keyring, ServeArgs};
use crate::domain::catalog::Catalog;
use crate::domain::clock::{wall_ms, Durations};
use crate::domain::{Cloud, World};
use crate::engine::{Engine, Operation};
use crate::seed::Seed;
use crate::server::ConnectionLimits;

/// Request-size and time limits.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest accepted body.
    pub max_body_bytes: usize,
    /// Time allowed to receive a body.
    pub request_timeout: Duration,
    /// Connection timeouts, the connection cap and the shutdown grace period.
    pub connections: ConnectionLimits,
}

/// The Alibaba Cloud dialect's own state.
pub struct Aliyun {
    /// Signature checks.
    pub verifier: Verifier,
}

/// Cheap to clone: every field is a handle.
#[derive(Clone)]
pub struct AppState {
    /// The world and the one path to it.
    pub engine: Engine,
    /// The Alibaba dialect's parts.
    pub aliyun: Arc<Aliyun>,
    /// Every operation served, by dialect, version and action.
    pub registry: Arc<Vec<Operation>>,
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
        let durations = Durations::for_timing(args.timing.into(), args.rpo_scale);
        let mut cloud = Cloud::new(catalog, durations, args.clock.into(), wall_ms(), args.seed);
        cloud.quotas = args.quotas.into();
        let broken = match &seed {
            Some(seed) => seed
                .apply(&mut cloud)
                .map_err(|e| format!("fixtures: {e}"))?,
            None => Vec::new(),
        };
        let settings = serde_json::json!({
            "auth": format!("{:?}", args.auth).to_lowercase(),
            "timing": format!("{:?}", args.timing).to_lowercase(),
            "clock": format!("{:?}", args.clock).to_lowercase(),
            "rpo_scale": args.rpo_scale,
            "fixtures": args.fixtures.as_ref().map(|p| p.display().to_string()),
            "access_keys": args.access_keys.len(),
        });
        Ok(Self {
            engine: Engine::new(World::new(cloud), broken),
            aliyun: Arc::new(Aliyun {
                verifier: Verifier::new(args.auth, Keyring::new(args.access_keys.iter().cloned())),
            }),
            registry: Arc::new(crate::aliyun::actions::operations()),
            limits: Limits {
                max_body_bytes: args.max_body_bytes,
                request_timeout: Duration::from_secs(args.request_timeout_secs),
                connections: args.connections.limits(),
            },
            settings: Arc::new(settings),
        })
    }
}
