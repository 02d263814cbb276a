//! The state every handler shares: the engine (the world and its one path), each dialect's own
//! parts, the registry of operations served, and the request limits.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::aliyun::signature::Verifier;
use crate::aliyun::vocab::AliyunNaming;
use crate::config::{Keyring, ServeArgs};
use crate::control::Access;
use crate::domain::catalog::Catalog;
use crate::domain::clock::{wall_ms, Durations};
use crate::domain::Naming;
use crate::domain::{Cloud, World};
use crate::engine::{Engine, Operation};
use crate::persist::{Store, COMPACT_AFTER};
use crate::seed::SeedFile;
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
    /// The OTC dialect's parts.
    pub otc: Arc<crate::otc::Otc>,
    /// Every operation served, by dialect, version and action.
    pub registry: Arc<Vec<Operation>>,
    /// Limits.
    pub limits: Limits,
    /// What `/_emulator/health` reports about the configuration.
    pub settings: Arc<serde_json::Value>,
    /// Who may use the control plane.
    pub access: Arc<Access>,
    /// True once the seed and any persisted state are loaded.
    pub ready: Arc<AtomicBool>,
}

impl AppState {
    /// Builds the state from `serve` flags: catalog, seed, clock, keys.
    ///
    /// # Errors
    /// An unreadable or inconsistent seed file, or a non-loopback listener without an admin
    /// token, described for the user.
    pub fn from_args(args: &ServeArgs) -> Result<Self, String> {
        if !args.listen.ip().is_loopback() && args.admin_token.is_none() {
            return Err(format!(
                "listening on {} (not a loopback address) needs --admin-token (ECS_EMULATOR_ADMIN_TOKEN): the control endpoints must not be open to the network",
                args.listen
            ));
        }
        let catalog = Arc::new(Catalog::builtin().map_err(|e| e.to_string())?);
        let seed = args.fixtures.as_deref().map(SeedFile::load).transpose()?;
        let durations = Durations::for_timing(args.timing.into(), args.rpo_scale);
        let identity = crate::otc::identity::Identity::configured(
            &args.otc_users,
            &args.otc_projects,
            seed.as_ref()
                .and_then(SeedFile::openstack)
                .unwrap_or(&crate::seed::SeedOpenStack::default()),
            &catalog,
        )
        .map_err(|e| match &args.fixtures {
            Some(path) if e.starts_with("openstack.") => format!("{}: {e}", path.display()),
            _ => e,
        })?;
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
            "limits": {
                "max_body_bytes": args.max_body_bytes,
                "request_timeout_secs": args.request_timeout_secs,
                "header_timeout_secs": args.connections.header_timeout_secs,
                "idle_timeout_secs": args.connections.idle_timeout_secs,
                "max_connections": args.connections.max_connections,
                "shutdown_grace_secs": args.connections.shutdown_grace_secs,
                "quotas": {
                    "instances": args.quotas.quota_instances,
                    "disks": args.quotas.quota_disks,
                    "replica_pairs": args.quotas.quota_replica_pairs,
                    "replica_groups": args.quotas.quota_replica_groups,
                },
            },
        });
        Ok(Self {
            engine: Engine::new(
                World::new(cloud),
                broken,
                usize::try_from(args.request_log_size).unwrap_or(1000),
                args.seed,
            ),
            aliyun: Arc::new(Aliyun {
                verifier: Verifier::new(args.auth, Keyring::new(args.access_keys.iter().cloned())),
            }),
            otc: Arc::new(crate::otc::Otc { identity }),
            registry: Arc::new(
                crate::aliyun::actions::operations()
                    .into_iter()
                    .chain(crate::otc::operations())
                    .collect(),
            ),
            limits: Limits {
                max_body_bytes: args.max_body_bytes,
                request_timeout: Duration::from_secs(args.request_timeout_secs),
                connections: args.connections.limits(),
            },
            settings: Arc::new(settings),
            access: Arc::new(Access {
                admin_token: args.admin_token.clone(),
                allowed_hosts: args.allowed_hosts.clone(),
                listen: Some(args.listen),
            }),
            ready: Arc::new(AtomicBool::new(args.data_dir.is_none())),
        })
    }

    /// Loads the persisted state (with `--data-dir`) into the world, turns persistence on, and
    /// marks the server ready. Slow work: it runs off the async runtime.
    ///
    /// # Errors
    /// An unusable data directory or a snapshot that cannot be loaded.
    pub async fn load_persisted(&self, args: &ServeArgs) -> Result<(), String> {
        if let Some(dir) = args.data_dir.clone() {
            let world = self.engine.world().clone();
            let durability = args.durability.into();
            let store = tokio::task::spawn_blocking(move || {
                Store::open(&dir, durability, &world, naming_by_name)
            })
            .await
            .map_err(|e| e.to_string())??;
            self.engine.set_store(store.clone());
            let world = self.engine.world().clone();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
                loop {
                    tick.tick().await;
                    if store.since_snapshot() >= COMPACT_AFTER {
                        let (store, world) = (store.clone(), world.clone());
                        let done = tokio::task::spawn_blocking(move || store.compact(&world)).await;
                        if let Ok(Err(e)) = done {
                            tracing::error!("snapshot: {e}");
                        }
                    }
                }
            });
        }
        self.ready.store(true, Ordering::Release);
        Ok(())
    }

    /// Writes what is pending to disk and a final snapshot (graceful shutdown).
    pub async fn flush(&self) {
        if let Some(store) = self.engine.store() {
            store.close().await;
            let (store, world) = (store.clone(), self.engine.world().clone());
            if let Ok(Err(e)) = tokio::task::spawn_blocking(move || store.compact(&world)).await {
                tracing::error!("final snapshot: {e}");
            }
        }
    }
}

/// The naming style a journal entry was recorded with.
fn naming_by_name(name: &str) -> Option<&'static dyn Naming> {
    match name {
        "alibaba" => Some(&AliyunNaming),
        "otc" => Some(&crate::otc::vocab::OtcNaming),
        _ => None,
    }
}
