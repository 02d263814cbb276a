//! The control-plane scenarios: what the request log and persistence (`--data-dir`) cost signed StartInstance/StopInstance, and how long reset and state import take in a world of 10,000 resources.
//!
//! The request-log comparison runs in every run (the log is on by default, so it is part of every
//! other figure); persistence, reset and import only with `--control`. Persistence runs the
//! in-memory StartInstance/StopInstance scenario with a fresh `--data-dir` per launch, removed
//! when the server stops. Reset and import are timed on one connection, each call the same
//! request: `POST /_emulator/reset` without a body, and `PUT /_emulator/state` with the document
//! `GET /_emulator/state` exported after the seed was loaded.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::Value;

use crate::http;
use crate::load::{ok_200, Workload};
use crate::scale::{self, World};
use crate::scenarios::{self, Env, Group, Scenario, Target, START_STOP};
use crate::server::{Launch, Running};

/// StartInstance/StopInstance with the request log off.
pub const LOG_OFF: &str = "emulator: StartInstance/StopInstance, request log off";
/// With the log on, throughput must be at least this share of [`LOG_OFF`]'s.
pub const LOG_FRACTION: f64 = 0.95;
/// With persistence, throughput must be at least this share of the in-memory figure's.
const PERSISTENCE_FRACTION: f64 = 0.25;
/// Reset and import must take less than this (p50).
const CONTROL_LIMIT: Duration = Duration::from_millis(50);

/// 10,000 resources: 2,500 instances, their 2,500 system disks, 5,000 free-standing disks.
const TARGET_WORLD: World = World {
    instances: 2_500,
    free_disks: 5_000,
};
/// 3,000 resources: a document small enough (about 1.6 MB) for the server's 2 MiB body limit.
const SMALL_WORLD: World = World {
    instances: 750,
    free_disks: 1_500,
};

/// StartInstance/StopInstance as in memory, with `--request-log-size 0` (a `Main` scenario).
pub fn log_off() -> Scenario {
    Scenario {
        name: LOG_OFF,
        what: "as StartInstance/StopInstance, with --request-log-size 0 (the other scenarios keep the default log of 1,000 calls)",
        launch: Box::new(|env| scenarios::start_stop_launch(env, &["--request-log-size", "0"])),
        requires_action: None,
        connections: None,
        prepare: Box::new(scenarios::start_stop),
        targets: Vec::new(),
        group: Group::Main,
    }
}

/// The `--control` scenarios, in run order.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        persistence(
            "control: StartInstance/StopInstance, --data-dir strict",
            "strict",
        ),
        persistence(
            "control: StartInstance/StopInstance, --data-dir relaxed",
            "relaxed",
        ),
        reset(
            "control: POST /_emulator/reset, 3,000 resources",
            SMALL_WORLD,
            Vec::new(),
        ),
        import(
            "control: PUT /_emulator/state, 3,000 resources",
            SMALL_WORLD,
            Vec::new(),
        ),
        reset(
            "control: POST /_emulator/reset, 10,000 resources",
            TARGET_WORLD,
            vec![Target::P50Under {
                limit: CONTROL_LIMIT,
            }],
        ),
        import(
            "control: PUT /_emulator/state, 10,000 resources",
            TARGET_WORLD,
            vec![Target::P50Under {
                limit: CONTROL_LIMIT,
            }],
        ),
    ]
}

fn persistence(name: &'static str, durability: &'static str) -> Scenario {
    Scenario {
        name,
        what: "as StartInstance/StopInstance, with a fresh --data-dir in the temp directory and --durability as named",
        launch: Box::new(move |env| persistent_launch(env, durability)),
        requires_action: None,
        connections: None,
        prepare: Box::new(move |env, server, connections| {
            let mut workload = scenarios::start_stop(env, server, connections)?;
            workload.note = Some(format!(
                "durability {durability}; the data directory is on {}",
                filesystem(&env.workdir)
            ));
            Ok(workload)
        }),
        targets: vec![Target::ThroughputAtLeast {
            of: START_STOP,
            fraction: PERSISTENCE_FRACTION,
        }],
        group: Group::Control,
    }
}

/// The StartInstance/StopInstance server with a data directory of its own.
fn persistent_launch(env: &Env, durability: &str) -> Result<Launch, String> {
    static LAUNCHES: AtomicUsize = AtomicUsize::new(0);
    let dir = env
        .workdir
        .join(format!("data-{}", LAUNCHES.fetch_add(1, Ordering::Relaxed)));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.display().to_string();
    let mut launch =
        scenarios::start_stop_launch(env, &["--data-dir", &path, "--durability", durability])?;
    launch.owned_dir = Some(dir);
    Ok(launch)
}

/// The type of the filesystem holding `path` (the longest mount point in `/proc/mounts` that
/// contains it): a sync costs what that filesystem makes it cost.
fn filesystem(path: &Path) -> String {
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    let mounts = std::fs::read_to_string("/proc/mounts").unwrap_or_default();
    mounts
        .lines()
        .filter_map(|l| {
            let mut fields = l.split_whitespace();
            let (device, point, kind) = (fields.next()?, fields.next()?, fields.next()?);
            path.starts_with(point)
                .then(|| (point.len(), format!("{kind} ({device})")))
        })
        .max_by_key(|(len, _)| *len)
        .map_or_else(|| "an unknown filesystem".into(), |(_, kind)| kind)
}

/// The emulator on `world`'s generated seed.
fn world_launch(env: &Env, world: World) -> Result<Launch, String> {
    let seed = scale::seed(env, world)?.display().to_string();
    Ok(scenarios::emulator(env, "warn", &["--fixtures", &seed]))
}

fn reset(name: &'static str, world: World, targets: Vec<Target>) -> Scenario {
    Scenario {
        name,
        what: "POST /_emulator/reset without a body (back to the seed); one connection",
        launch: Box::new(move |env| world_launch(env, world)),
        requires_action: None,
        connections: Some(1),
        prepare: Box::new(move |_, server, connections| {
            let (document, counted) = export(server, world)?;
            let request = http::request("POST", server.addr, "/_emulator/reset", None);
            check_200(server, &request, "POST /_emulator/reset")?;
            Ok(Workload {
                lanes: vec![vec![request]; connections],
                classify: ok_200,
                note: Some(format!(
                    "{counted}; its exported document is {} bytes",
                    document.len()
                )),
            })
        }),
        targets,
        group: Group::Control,
    }
}

fn import(name: &'static str, world: World, targets: Vec<Target>) -> Scenario {
    Scenario {
        name,
        what: "PUT /_emulator/state with the document GET /_emulator/state exported after start; one connection",
        launch: Box::new(move |env| world_launch(env, world)),
        requires_action: None,
        connections: Some(1),
        prepare: Box::new(move |_, server, connections| {
            let (document, counted) = export(server, world)?;
            let request = http::request("PUT", server.addr, "/_emulator/state", Some(&document));
            check_200(server, &request, "PUT /_emulator/state")
                .map_err(|e| format!("{e} (a document of {} bytes: {counted})", document.len()))?;
            Ok(Workload {
                lanes: vec![vec![request]; connections],
                classify: ok_200,
                note: Some(format!("{counted}; the document is {} bytes", document.len())),
            })
        }),
        targets,
        group: Group::Control,
    }
}

/// `GET /_emulator/state`: the document, and its resources counted (they must be the world's).
fn export(server: &Running, world: World) -> Result<(Vec<u8>, String), String> {
    let (status, document) =
        http::blocking_get(server.addr, "/_emulator/state", Duration::from_secs(30))
            .map_err(|e| format!("GET /_emulator/state: {e}"))?;
    if status != 200 {
        return Err(format!("GET /_emulator/state answered {status}"));
    }
    let parsed: Value = serde_json::from_slice(&document)
        .map_err(|e| format!("GET /_emulator/state: not JSON: {e}"))?;
    let count = |kind: &str| -> usize {
        parsed["accounts"]
            .as_object()
            .into_iter()
            .flat_map(|accounts| accounts.values())
            .map(|account| account[kind].as_object().map_or(0, serde_json::Map::len))
            .sum()
    };
    let (instances, disks) = (count("instances"), count("disks"));
    if (instances, disks) != (world.instances, world.disks()) {
        return Err(format!(
            "the exported world holds {instances} instances and {disks} disks; the seed implies {} and {}",
            world.instances,
            world.disks()
        ));
    }
    Ok((
        document,
        format!(
            "{} resources: {instances} instances and {disks} disks ({} of them free-standing)",
            instances + disks,
            world.free_disks
        ),
    ))
}

/// Sends `request` once (untimed, on a connection of its own) and insists on a 200.
fn check_200(server: &Running, request: &[u8], what: &str) -> Result<(), String> {
    match http::send_once(server.addr, request, Duration::from_secs(30)) {
        Ok((200, _)) => Ok(()),
        Ok((status, body)) => Err(format!(
            "{what} answered {status}: {}",
            String::from_utf8_lossy(&body[..body.len().min(300)])
        )),
        Err(e) => Err(format!("{what}: {e}")),
    }
}
