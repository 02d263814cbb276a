//! The markdown report: machine, start-up, load table, and each target with whether it is met.

use std::fmt::Write as _;
use std::time::Duration;

use crate::load::LoadResult;
use crate::scenarios::{Target, CEILING};

/// Emulator cold start must stay under this.
pub const COLD_START_LIMIT: Duration = Duration::from_millis(25);
/// ... and within this many times the ceiling's.
pub const COLD_START_FACTOR: f64 = 5.0;
/// Emulator idle RSS must stay under this many bytes.
pub const IDLE_RSS_LIMIT_BYTES: u64 = 15_000_000;

/// Cold start and idle memory of one server.
#[derive(Debug, Clone)]
pub struct Startup {
    /// "ceiling" or "emulator".
    pub name: &'static str,
    /// What was launched.
    pub command: String,
    /// Every measured launch, sorted.
    pub cold_starts: Vec<Duration>,
    /// VmRSS after one second of idling, KiB.
    pub idle_rss_kib: u64,
}

impl Startup {
    /// Median launch.
    pub fn median(&self) -> Duration {
        median(&self.cold_starts)
    }
}

fn median(sorted: &[Duration]) -> Duration {
    match sorted.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2,
    }
}

/// What became of one scenario.
#[derive(Debug, Clone)]
pub enum Run {
    /// Measured, once per round.
    Done(Vec<LoadResult>),
    /// Not run, and why.
    Skipped(String),
    /// Failed, and how.
    Failed(String),
}

/// One scenario's line in the report.
#[derive(Debug, Clone)]
pub struct ScenarioReport {
    /// Name.
    pub name: &'static str,
    /// What it sends.
    pub what: &'static str,
    /// What happened.
    pub run: Run,
    /// Its targets.
    pub targets: Vec<Target>,
}

/// Everything the report shows.
pub struct Report {
    /// Date and time of the run, UTC.
    pub date: String,
    /// CPU count, model and kernel.
    pub machine: String,
    /// Run settings in words.
    pub settings: String,
    /// `/proc/loadavg` before and after the run: other work on the machine skews throughput.
    pub load_average: (String, String),
    /// Ceiling first, then the emulator.
    pub startup: Vec<Startup>,
    /// Scenarios in run order.
    pub scenarios: Vec<ScenarioReport>,
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn latency(d: Duration) -> String {
    if d >= Duration::from_millis(1) {
        format!("{:.2} ms", d.as_secs_f64() * 1e3)
    } else {
        format!("{} µs", d.as_micros())
    }
}

fn us(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

fn mb(kib: u64) -> String {
    format!("{:.1} MB", kib as f64 * 1024.0 / 1e6)
}

fn yes_no(met: bool) -> &'static str {
    if met {
        "**met**"
    } else {
        "**missed**"
    }
}

/// The round with the median throughput: what the load table shows.
fn representative(rounds: &[LoadResult]) -> &LoadResult {
    let mut order: Vec<&LoadResult> = rounds.iter().collect();
    order.sort_by(|a, b| a.throughput().total_cmp(&b.throughput()));
    order[order.len() / 2]
}

fn median_f64(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// "median× (rounds: a×, b×, c×)" and the median.
fn ratios(
    mine: &[LoadResult],
    base: &[LoadResult],
    f: impl Fn(&LoadResult) -> f64,
) -> (f64, String) {
    let each: Vec<f64> = mine.iter().zip(base).map(|(m, b)| f(m) / f(b)).collect();
    let listed: Vec<String> = each.iter().map(|r| format!("{r:.2}")).collect();
    let median = median_f64(each);
    (
        median,
        format!("{median:.2}× (per round: {})", listed.join(", ")),
    )
}

impl Report {
    fn rounds(&self, name: &str) -> Option<&[LoadResult]> {
        self.scenarios.iter().find_map(|s| match &s.run {
            Run::Done(r) if s.name == name && !r.is_empty() => Some(r.as_slice()),
            _ => None,
        })
    }

    /// (target, measured, verdict) rows.
    fn targets(&self) -> Vec<(String, String, &'static str)> {
        let mut rows = Vec::new();
        let ceiling = self.startup.iter().find(|s| s.name == "ceiling");
        if let Some(emu) = self.startup.iter().find(|s| s.name == "emulator") {
            let factor = ceiling.map_or(f64::NAN, |c| {
                emu.median().as_secs_f64() / c.median().as_secs_f64()
            });
            let limit = ceiling.map_or(COLD_START_LIMIT, |c| {
                COLD_START_LIMIT.min(c.median().mul_f64(COLD_START_FACTOR))
            });
            rows.push((
                format!(
                    "emulator cold start (median) under {} and within {COLD_START_FACTOR}× the ceiling's",
                    ms(COLD_START_LIMIT)
                ),
                format!("{} ({factor:.1}× the ceiling's)", ms(emu.median())),
                yes_no(emu.median() < limit),
            ));
            rows.push((
                format!(
                    "emulator idle RSS under {}",
                    mb(IDLE_RSS_LIMIT_BYTES / 1024)
                ),
                mb(emu.idle_rss_kib),
                yes_no(emu.idle_rss_kib * 1024 < IDLE_RSS_LIMIT_BYTES),
            ));
        }
        for s in &self.scenarios {
            for &target in &s.targets {
                rows.push(self.target_row(s, target));
            }
        }
        rows
    }

    /// One scenario's (target, measured, verdict) row.
    fn target_row(&self, s: &ScenarioReport, target: Target) -> (String, String, &'static str) {
        let mine = match &s.run {
            Run::Done(r) => r,
            Run::Skipped(why) => {
                return (describe(s.name, target), format!("skipped: {why}"), "n/a");
            }
            Run::Failed(_) => return (describe(s.name, target), "failed".into(), "**missed**"),
        };
        let served = mine.iter().all(|r| r.unserved == 0);
        let p50 = |r: &LoadResult| r.percentile(50.0).as_secs_f64();
        let row = match target {
            Target::ThroughputAtLeast { of, fraction } => self.rounds(of).map(|base| {
                let (median, text) = ratios(mine, base, LoadResult::throughput);
                (
                    format!(
                        "{text}; median round {:.0} vs {:.0} req/s",
                        representative(mine).throughput(),
                        representative(base).throughput()
                    ),
                    yes_no(median >= fraction && served),
                )
            }),
            Target::P50AtMost { of, factor } => self.rounds(of).map(|base| {
                let (median, text) = ratios(mine, base, p50);
                (
                    format!(
                        "{text}; median round p50 {} vs {}",
                        latency(representative(mine).percentile(50.0)),
                        latency(representative(base).percentile(50.0))
                    ),
                    yes_no(median <= factor && served),
                )
            }),
            Target::P50Under { limit } => {
                let each: Vec<f64> = mine.iter().map(p50).collect();
                let listed: Vec<String> = each.iter().map(|v| format!("{:.1}", v * 1e3)).collect();
                let median = median_f64(each);
                Some((
                    format!(
                        "p50 {:.2} ms (per round: {} ms)",
                        median * 1e3,
                        listed.join(", ")
                    ),
                    yes_no(median < limit.as_secs_f64() && served),
                ))
            }
        };
        let (measured, verdict) =
            row.unwrap_or_else(|| ("reference scenario not measured".into(), "n/a"));
        (describe(s.name, target), measured, verdict)
    }

    /// The whole report as markdown.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let w = &mut out;
        let _ = writeln!(w, "# ecs-emulator benchmark — {}\n", self.date);
        let _ = writeln!(w, "- Machine: {}", self.machine);
        let _ = writeln!(w, "- Settings: {}", self.settings);
        let _ = writeln!(
            w,
            "- Load average (1/5/15 min) before: {}, after: {}\n",
            self.load_average.0, self.load_average.1
        );

        let _ = writeln!(w, "## Start-up\n");
        let _ = writeln!(
            w,
            "| server | cold start median | cold start min | launches | idle RSS |"
        );
        let _ = writeln!(w, "|---|---:|---:|---:|---:|");
        for s in &self.startup {
            let _ = writeln!(
                w,
                "| {} | {} | {} | {} | {} |",
                s.name,
                ms(s.median()),
                ms(s.cold_starts.first().copied().unwrap_or_default()),
                s.cold_starts.len(),
                mb(s.idle_rss_kib)
            );
        }
        let _ = writeln!(w);
        for s in &self.startup {
            let _ = writeln!(w, "- {}: `{}`", s.name, s.command);
        }

        let _ = writeln!(w, "\n## Load\n");
        let _ = writeln!(
            w,
            "Each row is the scenario's round with the median throughput.\n"
        );
        let _ = writeln!(
            w,
            "| scenario | conns | req/s | p50 | p99 | server CPU/req | client CPU/req | answers | server RSS after (peak) |"
        );
        let _ = writeln!(w, "|---|---:|---:|---:|---:|---:|---:|---|---:|");
        for s in &self.scenarios {
            match &s.run {
                Run::Done(rounds) => {
                    let r = representative(rounds);
                    let answers: Vec<String> = r
                        .outcomes
                        .iter()
                        .map(|(k, v)| format!("{k}: {v}"))
                        .collect();
                    let _ = writeln!(
                        w,
                        "| {} | {} | {:.0} | {} | {} | {} | {} | {} | {} ({}) |",
                        s.name,
                        r.connections,
                        r.throughput(),
                        latency(r.percentile(50.0)),
                        latency(r.percentile(99.0)),
                        us(r.server_cpu_per_request()),
                        us(r.client_cpu_per_request()),
                        answers.join(", "),
                        mb(r.rss_after_kib),
                        mb(r.rss_peak_kib),
                    );
                }
                Run::Skipped(why) => {
                    let _ = writeln!(w, "| {} | skipped: {why} |{}", s.name, " |".repeat(7));
                }
                Run::Failed(why) => {
                    let why = why.replace('|', "\\|");
                    let _ = writeln!(w, "| {} | failed: {why} |{}", s.name, " |".repeat(7));
                }
            }
        }
        let _ = writeln!(w);
        for s in &self.scenarios {
            let note = match &s.run {
                Run::Done(rounds) => representative(rounds)
                    .note
                    .as_ref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default(),
                _ => String::new(),
            };
            let _ = writeln!(w, "- {}: {}{note}", s.name, s.what);
        }

        let _ = writeln!(w, "\n## Targets\n");
        let _ = writeln!(w, "| target | measured | verdict |");
        let _ = writeln!(w, "|---|---|---|");
        for (target, measured, verdict) in self.targets() {
            let _ = writeln!(w, "| {target} | {measured} | {verdict} |");
        }
        out
    }
}

fn describe(name: &str, target: Target) -> String {
    match target {
        Target::ThroughputAtLeast { of, fraction } if of == CEILING => {
            format!("{name}: throughput at least {fraction}× the ceiling's, every answer served")
        }
        Target::ThroughputAtLeast { of, fraction } => {
            format!("{name}: throughput at least {fraction}× {of}")
        }
        Target::P50AtMost { of, factor } => {
            format!("{name}: p50 latency within {factor}× {of}")
        }
        Target::P50Under { limit } => format!("{name}: p50 latency under {}", ms(limit)),
    }
}
