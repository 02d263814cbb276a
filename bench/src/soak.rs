//! The soak (`--soak`): minutes of mixed signed load in strict mode — creates with ClientTokens
//! and their retries, junk parameters, reads, deletes, instance start/stop, nonces at the length
//! limit and refused over-long ones, every request with a fresh nonce — while the server's RSS is
//! sampled. After the warm-up (long enough to fill the bounded nonce and token memories) the RSS
//! must stay flat.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::http::Conn;
use crate::scenarios::{self, Env, ACCESS_KEY_ID, ACCESS_KEY_SECRET, ACCOUNT};
use crate::server::{Launch, Running};
use crate::sign::{Signer, ECS};

/// How long a soak runs and how it samples.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Unrecorded load first.
    pub warmup: Duration,
    /// The recorded window.
    pub duration: Duration,
    /// Concurrent keep-alive connections.
    pub connections: usize,
    /// Load generator threads.
    pub client_threads: usize,
    /// Time between RSS samples.
    pub sample_every: Duration,
}

/// RSS is flat when it ends within this share of where the window started…
const FLAT_SHARE: f64 = 0.05;
/// …or within this many KiB, whichever is larger.
const FLAT_KIB: u64 = 4 * 1024;
/// A junk parameter of this many bytes rides on every create.
const JUNK_BYTES: usize = 1024;
/// The emulator's nonce length limit.
const NONCE_LIMIT: usize = 128;
/// How many nonces the emulator remembers at most; the warm-up lasts until about this many
/// requests (and 5 % more) have been answered, so that the window starts with it full.
const NONCE_BOUND: u64 = 1 << 20;
/// A soak ends within this (nonces older than 15 minutes are forgotten by time instead).
pub const MAX_SOAK: Duration = Duration::from_secs(14 * 60);

/// What the soak measured.
pub struct SoakReport {
    settings: Settings,
    command: String,
    samples: Vec<Sample>,
    /// When the recorded window began (seconds since start).
    window_start: f64,
    peak_kib: u64,
    outcomes: BTreeMap<&'static str, u64>,
    failures: u64,
    first_failure: Option<String>,
}

fn launch(env: &Env) -> Result<Launch, String> {
    let seed = pool_seed(env)?;
    let args = [
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--auth",
        "strict",
        "--timing",
        "instant",
        "--fixtures",
        &seed,
        "--access-key",
        &format!("{ACCESS_KEY_ID}:{ACCESS_KEY_SECRET}:{ACCOUNT}"),
    ];
    Ok(Launch {
        name: "emulator",
        program: env.emulator.clone(),
        args: args.iter().map(|s| (*s).to_owned()).collect(),
        env: vec![("ECS_EMULATOR_LOG".into(), "warn".into())],
        health_path: "/_emulator/health",
        owned_dir: None,
    })
}

fn soak_instance(i: usize) -> String {
    format!("i-bp1benchsoak{i:08}")
}

/// One stopped instance per connection.
fn pool_seed(env: &Env) -> Result<String, String> {
    let instances: Vec<Value> = (0..env.connections)
        .map(|i| {
            serde_json::json!({ "id": soak_instance(i), "region_id": "cn-hangzhou",
                                "zone_id": "cn-hangzhou-h", "status": "Stopped" })
        })
        .collect();
    let seed = serde_json::json!({ "accounts": [{ "id": ACCOUNT, "instances": instances }] });
    let path = scenarios::write_json(&env.workdir.join("soak-seed.json"), &seed)?;
    Ok(path.display().to_string())
}

/// One RSS sample: seconds since the start, RSS in KiB, requests answered so far.
type Sample = (f64, u64, u64);

/// Counts shared by the lanes.
#[derive(Default)]
struct Tally {
    answered: AtomicU64,
    outcomes: Mutex<BTreeMap<&'static str, u64>>,
    failures: AtomicU64,
    first_failure: Mutex<Option<String>>,
}

impl Tally {
    fn count(&self, label: &'static str) {
        self.answered.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut o) = self.outcomes.lock() {
            *o.entry(label).or_default() += 1;
        }
    }

    fn fail(&self, what: String) {
        self.answered.fetch_add(1, Ordering::Relaxed);
        self.failures.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut f) = self.first_failure.lock() {
            f.get_or_insert(what);
        }
    }
}

/// Runs the soak against a fresh emulator.
pub fn run(env: &Env, settings: Settings) -> Result<SoakReport, String> {
    let launch = launch(env)?;
    let server = launch.start()?;
    let command = std::iter::once(launch.program.display().to_string())
        .chain(launch.args.iter().cloned())
        .collect::<Vec<_>>()
        .join(" ");
    let tally = Arc::new(Tally::default());
    let stop = Arc::new(AtomicBool::new(false));
    let threads = settings
        .client_threads
        .clamp(1, settings.connections.max(1));
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let lanes: Vec<usize> = (0..settings.connections)
                .filter(|c| c % threads == t)
                .collect();
            let (tally, stop, addr) = (Arc::clone(&tally), Arc::clone(&stop), server.addr);
            std::thread::spawn(move || drive(addr, lanes, tally, stop))
        })
        .collect();
    let (samples, window_start) = sample(&server, &tally, settings)?;
    stop.store(true, Ordering::Relaxed);
    for h in handles {
        h.join().map_err(|_| "a soak thread panicked")??;
    }
    let outcomes = tally.outcomes.lock().map(|o| o.clone()).unwrap_or_default();
    let first_failure = tally.first_failure.lock().ok().and_then(|f| f.clone());
    Ok(SoakReport {
        settings,
        command,
        samples,
        window_start,
        peak_kib: server.status_kib("VmHWM")?,
        outcomes,
        failures: tally.failures.load(Ordering::Relaxed),
        first_failure,
    })
}

/// Reads the server's RSS every `sample_every`. The window starts once the warm-up has lasted
/// `warmup` and enough requests were answered to fill the nonce memory (or when waiting longer
/// would not leave room for the window within [`MAX_SOAK`]), and lasts `duration`. Returns the
/// samples and the window's start.
fn sample(server: &Running, tally: &Tally, s: Settings) -> Result<(Vec<Sample>, f64), String> {
    let t0 = Instant::now();
    let latest_start = t0 + MAX_SOAK.saturating_sub(s.duration);
    let filled = NONCE_BOUND + NONCE_BOUND / 20;
    let mut window: Option<Instant> = None;
    let mut samples = Vec::new();
    let mut next = t0;
    loop {
        let now = Instant::now();
        let answered = tally.answered.load(Ordering::Relaxed);
        samples.push((
            now.duration_since(t0).as_secs_f64(),
            server.status_kib("VmRSS")?,
            answered,
        ));
        if window.is_none() && now >= t0 + s.warmup && (answered >= filled || now >= latest_start) {
            window = Some(now);
        }
        if let Some(start) = window {
            if now >= start + s.duration {
                return Ok((samples, start.duration_since(t0).as_secs_f64()));
            }
        }
        next += s.sample_every;
        std::thread::sleep(next.saturating_duration_since(Instant::now()));
    }
}

/// One load thread: its lanes on a single-threaded runtime.
fn drive(
    addr: SocketAddr,
    lanes: Vec<usize>,
    tally: Arc<Tally>,
    stop: Arc<AtomicBool>,
) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let mut tasks = tokio::task::JoinSet::new();
        for lane in lanes {
            tasks.spawn(lane_loop(addr, lane, Arc::clone(&tally), Arc::clone(&stop)));
        }
        while let Some(done) = tasks.join_next().await {
            done.map_err(|e| e.to_string())??;
        }
        Ok(())
    })
}

/// A signer whose timestamp is renewed every minute (strict mode refuses one older than 15).
struct FreshSigner {
    signer: Signer,
    made: Instant,
    addr: SocketAddr,
}

impl FreshSigner {
    fn new(addr: SocketAddr) -> Self {
        Self {
            signer: Signer::new(ACCESS_KEY_ID, ACCESS_KEY_SECRET, addr),
            made: Instant::now(),
            addr,
        }
    }

    fn get(&mut self) -> &Signer {
        if self.made.elapsed() > Duration::from_secs(60) {
            *self = Self::new(self.addr);
        }
        &self.signer
    }
}

/// One connection's loop: create with a token, retry it, read, delete, start or stop, and now
/// and then a nonce at the limit and one past it.
async fn lane_loop(
    addr: SocketAddr,
    lane: usize,
    tally: Arc<Tally>,
    stop: Arc<AtomicBool>,
) -> Result<(), String> {
    let mut conn = Conn::connect(addr)
        .await
        .map_err(|e| format!("connect {addr}: {e}"))?;
    let mut signer = FreshSigner::new(addr);
    let instance = soak_instance(lane);
    let junk = "j".repeat(JUNK_BYTES);
    let mut i: u64 = 0;
    while !stop.load(Ordering::Relaxed) {
        i += 1;
        let token = format!("soak-{lane}-{i}");
        let create = signer.get().request(
            ECS,
            "CreateDisk",
            &[
                ("RegionId", "cn-hangzhou"),
                ("ZoneId", "cn-hangzhou-h"),
                ("Size", "40"),
                ("ClientToken", &token),
                ("Junk", &junk),
            ],
        );
        let Some(disk) = call(&mut conn, &create, &tally, "CreateDisk").await? else {
            continue;
        };
        let Some(disk) = disk["DiskId"].as_str().map(str::to_owned) else {
            tally.fail("CreateDisk answered no DiskId".into());
            continue;
        };
        // The retry, with other junk: the same disk.
        let retry = signer.get().request(
            ECS,
            "CreateDisk",
            &[
                ("RegionId", "cn-hangzhou"),
                ("ZoneId", "cn-hangzhou-h"),
                ("Size", "40"),
                ("ClientToken", &token),
                ("OtherJunk", &junk),
            ],
        );
        if let Some(again) = call(&mut conn, &retry, &tally, "CreateDisk retry").await? {
            if again["DiskId"].as_str() != Some(disk.as_str()) {
                tally.fail(format!("a retry of {token} created another disk"));
            }
        }
        let ids = format!("[\"{disk}\"]");
        let read = signer.get().request(
            ECS,
            "DescribeDisks",
            &[("RegionId", "cn-hangzhou"), ("DiskIds", &ids)],
        );
        call(&mut conn, &read, &tally, "DescribeDisks").await?;
        let delete = signer
            .get()
            .request(ECS, "DeleteDisk", &[("DiskId", &disk)]);
        call(&mut conn, &delete, &tally, "DeleteDisk").await?;
        let action = if i % 2 == 1 {
            "StartInstance"
        } else {
            "StopInstance"
        };
        let flip = signer
            .get()
            .request(ECS, action, &[("InstanceId", &instance)]);
        call(&mut conn, &flip, &tally, action).await?;
        if i % 16 == 0 {
            let base = signer.get().fresh_nonce();
            let at_limit = format!("{base:-<NONCE_LIMIT$}");
            let req = signer
                .get()
                .request_with_nonce(ECS, "DescribeRegions", &[], &at_limit);
            call(
                &mut conn,
                &req,
                &tally,
                "DescribeRegions, 128-character nonce",
            )
            .await?;
            let over = format!("{at_limit}-");
            let req = signer
                .get()
                .request_with_nonce(ECS, "DescribeRegions", &[], &over);
            let answer = conn
                .call(&req)
                .await
                .map_err(|e| format!("request to {addr}: {e}"))?;
            if answer.status == 400 {
                tally.count("400 over-long nonce (expected)");
            } else {
                tally.fail(format!("a 129-character nonce answered {}", answer.status));
            }
        }
    }
    Ok(())
}

/// Sends one request; counts its answer under `what` (200, or a 403 IncorrectInstanceStatus of
/// a start or stop); returns the parsed 200 body.
async fn call(
    conn: &mut Conn,
    request: &[u8],
    tally: &Tally,
    what: &'static str,
) -> Result<Option<Value>, String> {
    let answer = conn
        .call(request)
        .await
        .map_err(|e| format!("{what}: {e}"))?;
    match answer.status {
        200 => {
            tally.count(what);
            Ok(serde_json::from_slice(answer.body).ok())
        }
        403 if answer
            .body
            .windows(b"IncorrectInstanceStatus".len())
            .any(|w| w == b"IncorrectInstanceStatus") =>
        {
            tally.count("403 IncorrectInstanceStatus");
            Ok(None)
        }
        status => {
            tally.fail(format!(
                "{what}: {status} {}",
                String::from_utf8_lossy(answer.body)
            ));
            Ok(None)
        }
    }
}

impl SoakReport {
    /// Samples inside the recorded window.
    fn window(&self) -> Vec<Sample> {
        self.samples
            .iter()
            .copied()
            .filter(|(t, _, _)| *t >= self.window_start)
            .collect()
    }

    /// RSS at the start and end of the window, and whether it stayed flat.
    pub fn flat(&self) -> Option<(u64, u64, bool)> {
        let window = self.window();
        let (first, last) = (window.first()?.1, window.last()?.1);
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let allowed = FLAT_KIB.max((first as f64 * FLAT_SHARE) as u64);
        Some((first, last, last <= first + allowed && self.failures == 0))
    }

    /// The report as markdown.
    pub fn markdown(&self, date: &str, machine: &str) -> String {
        let s = &self.settings;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# Soak: ecs-emulator under mixed signed load
"
        );
        let _ = writeln!(
            out,
            "- date: {date}
- machine: {machine}"
        );
        let _ = writeln!(
            out,
            "- server: `{}` (`ECS_EMULATOR_LOG=warn`)",
            self.command
        );
        let _ = writeln!(
            out,
            "- load: {} keep-alive connections on {} client thread(s); warm-up at least {} s and until \
             {} requests were answered (it took {:.0} s), then {} s recorded; RSS every {} s",
            s.connections,
            s.client_threads,
            s.warmup.as_secs(),
            NONCE_BOUND + NONCE_BOUND / 20,
            self.window_start,
            s.duration.as_secs(),
            s.sample_every.as_secs()
        );
        let _ = writeln!(
            out,
            "- each connection loops: CreateDisk with a new ClientToken and a {JUNK_BYTES}-byte junk \
             parameter; the same token again with other junk (must answer the same DiskId); \
             DescribeDisks of it; DeleteDisk; StartInstance or StopInstance of its own instance; \
             every 16th round DescribeRegions with a {NONCE_LIMIT}-character nonce and one with a \
             {}-character nonce (refused). Every request RPC-signed with a fresh nonce, strict mode.\n",
            NONCE_LIMIT + 1
        );
        let _ = writeln!(
            out,
            "| time (s) | RSS (MiB) | requests answered | requests/s since last |"
        );
        let _ = writeln!(out, "|---:|---:|---:|---:|");
        let mut prev: Option<(f64, u64)> = None;
        let every = (self.samples.len() / 24).max(1);
        for (i, (t, rss, n)) in self.samples.iter().enumerate() {
            if i % every != 0 && i + 1 != self.samples.len() {
                continue;
            }
            let rate = prev.map_or(0.0, |(pt, pn)| (n - pn) as f64 / (t - pt).max(1e-9));
            let _ = writeln!(
                out,
                "| {t:.0} | {:.1} | {n} | {rate:.0} |",
                *rss as f64 / 1024.0
            );
            prev = Some((*t, *n));
        }
        let _ = writeln!(
            out,
            "
Peak RSS (VmHWM): {:.1} MiB.
",
            self.peak_kib as f64 / 1024.0
        );
        let _ = writeln!(
            out,
            "| answer | count |
|---|---:|"
        );
        for (label, n) in &self.outcomes {
            let _ = writeln!(out, "| {label} | {n} |");
        }
        let _ = writeln!(out, "| unexpected | {} |", self.failures);
        if let Some(f) = &self.first_failure {
            let _ = writeln!(
                out,
                "
First unexpected answer: `{}`",
                f.chars().take(300).collect::<String>()
            );
        }
        if let Some((first, last, flat)) = self.flat() {
            let _ = writeln!(
                out,
                "
RSS over the recorded window: {:.1} MiB → {:.1} MiB ({:+.1} MiB): {}.",
                first as f64 / 1024.0,
                last as f64 / 1024.0,
                (last as f64 - first as f64) / 1024.0,
                if flat { "flat" } else { "NOT flat" }
            );
        }
        out
    }
}
