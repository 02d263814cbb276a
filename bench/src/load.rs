//! The closed-loop load generator: N keep-alive connections, each sending its pre-built requests back to back, one in flight at a time.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::http::Conn;
use crate::server::{self, Running};

/// How an answer counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// Label in the report's split, e.g. `200` or `403 IncorrectInstanceStatus`.
    pub label: &'static str,
    /// Whether the answer counts as served (anything else is a failure of the run).
    pub served: bool,
}

/// Classifies one answer by status and body.
pub type Classify = fn(u16, &[u8]) -> Outcome;

/// What the connections send during a load run.
pub struct Workload {
    /// One list per connection, replayed in order and from the start again when exhausted.
    pub lanes: Vec<Vec<Vec<u8>>>,
    /// How answers count.
    pub classify: Classify,
    /// What preparation found worth reporting (e.g. how many records a listing matches).
    pub note: Option<String>,
}

/// Accepts only 200.
pub fn ok_200(status: u16, _: &[u8]) -> Outcome {
    if status == 200 {
        Outcome {
            label: "200",
            served: true,
        }
    } else {
        Outcome {
            label: "other",
            served: false,
        }
    }
}

/// Timing of a load run.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    /// Requests are sent but not recorded for this long first (connections are open by then).
    pub warmup: Duration,
    /// The recorded window.
    pub duration: Duration,
    /// OS threads of the load generator, each with a single-threaded runtime.
    pub client_threads: usize,
}

/// What one load run measured.
#[derive(Debug, Clone)]
pub struct LoadResult {
    /// Connections used.
    pub connections: usize,
    /// Requests sent and answered inside the window.
    pub requests: u64,
    /// The window's length.
    pub window: Duration,
    /// Sorted round-trip times of the recorded requests.
    pub latencies: Vec<Duration>,
    /// Answers by label.
    pub outcomes: BTreeMap<&'static str, u64>,
    /// Answers that did not count as served.
    pub unserved: u64,
    /// Server user+system CPU spent inside the window.
    pub server_cpu: Duration,
    /// Load generator user+system CPU spent inside the window.
    pub client_cpu: Duration,
    /// Server resident set size after the run, KiB.
    pub rss_after_kib: u64,
    /// Server peak resident set size, KiB.
    pub rss_peak_kib: u64,
    /// The workload's note.
    pub note: Option<String>,
}

impl LoadResult {
    /// Answered requests per second.
    pub fn throughput(&self) -> f64 {
        self.requests as f64 / self.window.as_secs_f64()
    }

    /// Nearest-rank percentile, `p` in 0..=100.
    pub fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * self.latencies.len() as f64).ceil() as usize;
        self.latencies[rank.clamp(1, self.latencies.len()) - 1]
    }

    /// Server CPU per recorded request.
    pub fn server_cpu_per_request(&self) -> Duration {
        per_request(self.server_cpu, self.requests)
    }

    /// Load generator CPU per recorded request.
    pub fn client_cpu_per_request(&self) -> Duration {
        per_request(self.client_cpu, self.requests)
    }
}

fn per_request(cpu: Duration, requests: u64) -> Duration {
    if requests == 0 {
        Duration::ZERO
    } else {
        cpu / u32::try_from(requests).unwrap_or(u32::MAX)
    }
}

#[derive(Default)]
struct LaneStats {
    latencies: Vec<Duration>,
    outcomes: BTreeMap<&'static str, u64>,
    unserved: u64,
}

/// Drives `workload` against `server` and measures the window.
pub fn run(server: &Running, workload: Workload, window: Window) -> Result<LoadResult, String> {
    let connections = workload.lanes.len();
    if connections == 0 || workload.lanes.iter().any(Vec::is_empty) {
        return Err("a workload needs at least one request per connection".into());
    }
    let threads = window.client_threads.clamp(1, connections);
    let start = Instant::now() + window.warmup;
    let end = start + window.duration;
    let mut per_thread: Vec<Vec<Vec<Vec<u8>>>> = (0..threads).map(|_| Vec::new()).collect();
    for (i, lane) in workload.lanes.into_iter().enumerate() {
        per_thread[i % threads].push(lane);
    }
    let addr = server.addr;
    let classify = workload.classify;
    let note = workload.note;
    let handles: Vec<_> = per_thread
        .into_iter()
        .map(|lanes| std::thread::spawn(move || drive(addr, lanes, classify, start, end)))
        .collect();

    sleep_until(start);
    let (server0, client0) = (server.cpu()?, server::own_cpu()?);
    sleep_until(end);
    let (server1, client1) = (server.cpu()?, server::own_cpu()?);

    let mut total = LaneStats::default();
    for h in handles {
        for lane in h.join().map_err(|_| "a load thread panicked")?? {
            total.latencies.extend(lane.latencies);
            total.unserved += lane.unserved;
            for (k, v) in lane.outcomes {
                *total.outcomes.entry(k).or_default() += v;
            }
        }
    }
    total.latencies.sort_unstable();
    Ok(LoadResult {
        connections,
        requests: total.latencies.len() as u64,
        window: window.duration,
        latencies: total.latencies,
        outcomes: total.outcomes,
        unserved: total.unserved,
        server_cpu: server1.saturating_sub(server0),
        client_cpu: client1.saturating_sub(client0),
        rss_after_kib: server.status_kib("VmRSS")?,
        rss_peak_kib: server.status_kib("VmHWM")?,
        note,
    })
}

fn sleep_until(t: Instant) {
    std::thread::sleep(t.saturating_duration_since(Instant::now()));
}

/// One load thread: its connections on a single-threaded runtime.
fn drive(
    addr: SocketAddr,
    lanes: Vec<Vec<Vec<u8>>>,
    classify: Classify,
    start: Instant,
    end: Instant,
) -> Result<Vec<LaneStats>, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let mut tasks = tokio::task::JoinSet::new();
        for lane in lanes {
            tasks.spawn(lane_loop(addr, lane, classify, start, end));
        }
        let mut out = Vec::new();
        while let Some(done) = tasks.join_next().await {
            out.push(done.map_err(|e| e.to_string())??);
        }
        Ok(out)
    })
}

async fn lane_loop(
    addr: SocketAddr,
    lane: Vec<Vec<u8>>,
    classify: Classify,
    start: Instant,
    end: Instant,
) -> Result<LaneStats, String> {
    let mut conn = Conn::connect(addr)
        .await
        .map_err(|e| format!("connect {addr}: {e}"))?;
    let expected = (end - start).as_secs() as usize * 100_000 / 32;
    let mut stats = LaneStats {
        latencies: Vec::with_capacity(expected),
        ..LaneStats::default()
    };
    for request in lane.iter().cycle() {
        let t0 = Instant::now();
        if t0 >= end {
            break;
        }
        let response = conn
            .call(request)
            .await
            .map_err(|e| format!("request to {addr}: {e}"))?;
        let t1 = Instant::now();
        if t0 >= start {
            let outcome = classify(response.status, response.body);
            stats.latencies.push(t1 - t0);
            *stats.outcomes.entry(outcome.label).or_default() += 1;
            stats.unserved += u64::from(!outcome.served);
        }
    }
    Ok(stats)
}
