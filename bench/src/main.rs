//! `ecs-emulator-bench`: cold start, idle memory, and signed-request load of the built emulator, side by side with a minimal axum server.
//!
//! It builds nothing; `bench/run.sh` builds both binaries and runs this. See `bench/README.md`.

mod control;
mod dialects;
mod http;
mod load;
mod report;
mod scale;
mod scenarios;
mod server;
mod sign;
mod soak;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

use load::Window;
use report::{Report, Run, ScenarioReport, Startup};
use scenarios::Env;
use server::Launch;

/// Command line.
#[derive(Debug, Parser)]
#[command(
    name = "ecs-emulator-bench",
    about = "Benchmark ecs-emulator against a minimal axum server (build both first)."
)]
struct Args {
    /// The emulator binary.
    #[arg(long, default_value = "target/release/ecs-emulator")]
    emulator: PathBuf,
    /// The ceiling binary (a minimal axum server with a fixed JSON body).
    #[arg(long, default_value = "target/release/ceiling")]
    ceiling: PathBuf,
    /// Seed for the DescribeInstances scenario and the start-up measurements.
    #[arg(long, default_value = "fixtures/example-seed.json")]
    fixtures: PathBuf,
    /// Seconds recorded per load scenario.
    #[arg(long, default_value_t = 5.0)]
    duration: f64,
    /// Seconds of unrecorded load before each window.
    #[arg(long, default_value_t = 1.0)]
    warmup: f64,
    /// Concurrent keep-alive connections.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Load generator threads (each a single-threaded runtime driving its share of connections).
    #[arg(long, default_value_t = 1)]
    client_threads: usize,
    /// Rounds: the whole scenario list runs this many times, interleaved, so that the ceiling
    /// and the emulator meet the same background load; targets use the median per-round ratio.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Launches per server for the cold-start figures.
    #[arg(long, default_value_t = 20)]
    launches: usize,
    /// Seconds a freshly started server idles before its RSS is read.
    #[arg(long, default_value_t = 1.0)]
    idle: f64,
    /// Run only the load scenarios whose name contains this text (repeatable).
    #[arg(long)]
    only: Vec<String>,
    /// Also run the diagnostic scenarios (variations that show where a scenario's time goes).
    #[arg(long)]
    diagnostics: bool,
    /// Also run the scale scenarios (DescribeDisks and DescribeInstances on a world of 200,000
    /// disks and 100,000 instances against one of 1,000 disks; each launch loads a large seed).
    #[arg(long)]
    scale: bool,
    /// Also run the control scenarios (StartInstance/StopInstance with --data-dir in strict and
    /// relaxed durability; reset and state import in a world of 10,000 resources).
    #[arg(long)]
    control: bool,
    /// Also run the dialect scenarios (a replication pair create and a group action through the
    /// Open Telekom Cloud dialect, next to the same calls through Alibaba's EBS API).
    #[arg(long)]
    dialects: bool,
    /// Run the soak instead of the load report: minutes of mixed signed load in strict mode
    /// (tokens, nonces, junk parameters, creates and deletes) while the RSS is sampled.
    #[arg(long)]
    soak: bool,
    /// Soak: seconds of load before the recorded window (fills the bounded memories).
    #[arg(long, default_value_t = 120.0)]
    soak_warmup: f64,
    /// Soak: seconds recorded.
    #[arg(long, default_value_t = 180.0)]
    soak_duration: f64,
    /// Soak: seconds between RSS samples.
    #[arg(long, default_value_t = 5.0)]
    soak_sample: f64,
    /// Also write the markdown report here.
    #[arg(long)]
    out: Option<PathBuf>,
}

impl Args {
    /// Whether this run includes scenarios of `group`.
    fn includes(&self, group: scenarios::Group) -> bool {
        match group {
            scenarios::Group::Main => true,
            scenarios::Group::Diagnostic => self.diagnostics,
            scenarios::Group::Scale => self.scale,
            scenarios::Group::Control => self.control,
            scenarios::Group::Dialects => self.dialects,
        }
    }
}

/// The scenarios this run includes, in run order. An `--only` that selects none is an error
/// naming the flag its matches need, rather than an empty report.
fn selected(args: &Args) -> Result<Vec<scenarios::Scenario>, String> {
    let named = |s: &scenarios::Scenario| {
        args.only.is_empty() || args.only.iter().any(|o| s.name.contains(o.as_str()))
    };
    let (list, left_out): (Vec<_>, Vec<_>) = scenarios::all()
        .into_iter()
        .filter(named)
        .partition(|s| args.includes(s.group));
    if list.is_empty() && !args.only.is_empty() {
        let flags: std::collections::BTreeSet<&str> =
            left_out.iter().filter_map(|s| s.group.flag()).collect();
        let need = if flags.is_empty() {
            String::new()
        } else {
            format!(
                "; the scenarios it names need {}",
                flags.into_iter().collect::<Vec<_>>().join(" or ")
            )
        };
        return Err(format!("--only {:?} selects no scenario{need}", args.only));
    }
    Ok(list)
}

/// A directory for generated seed files, removed when dropped.
struct ScratchDir(PathBuf);

impl ScratchDir {
    fn create() -> Result<Self, String> {
        let dir = std::env::temp_dir().join(format!("ecs-emulator-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        Ok(Self(dir))
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn secs(s: f64) -> Result<Duration, String> {
    Duration::try_from_secs_f64(s).map_err(|e| format!("{s} s: {e}"))
}

fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find_map(|l| l.strip_prefix("model name")?.split_once(':'))
                .map(|(_, m)| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map_or_else(|_| "unknown".into(), |k| k.trim().to_owned());
    let mem_kib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        })
        .unwrap_or(0);
    format!(
        "{cpus} CPUs ({model}), {:.0} GB RAM, Linux {kernel}",
        mem_kib as f64 / 1024.0 / 1024.0
    )
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "unknown".into(),
        |l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    )
}

fn date() -> String {
    time::OffsetDateTime::now_utc()
        .format(time::macros::format_description!(
            "[year]-[month]-[day] [hour]:[minute] UTC"
        ))
        .unwrap_or_default()
}

/// Cold start over `launches` launches (after one unrecorded launch), then idle RSS of one more.
fn startup(launch: &Launch, launches: usize, idle: Duration) -> Result<Startup, String> {
    drop(launch.start()?);
    let mut cold_starts = Vec::with_capacity(launches);
    for _ in 0..launches {
        let running = launch.start()?;
        cold_starts.push(running.cold_start);
    }
    cold_starts.sort_unstable();
    let running = launch.start()?;
    std::thread::sleep(idle);
    let idle_rss_kib = running.status_kib("VmRSS")?;
    let command = std::iter::once(launch.program.display().to_string())
        .chain(launch.args.iter().cloned())
        .collect::<Vec<_>>()
        .join(" ");
    let env: String = launch
        .env
        .iter()
        .map(|(k, v)| format!("{k}={v} "))
        .collect();
    Ok(Startup {
        name: launch.name,
        command: format!("{env}{command}"),
        cold_starts,
        idle_rss_kib,
    })
}

fn run_scenario(
    env: &Env,
    scenario: &scenarios::Scenario,
    actions: &[String],
    window: Window,
) -> Run {
    if let Some(action) = scenario.requires_action {
        if !actions.iter().any(|a| a == action) {
            return Run::Skipped(format!("the emulator does not serve {action} yet"));
        }
    }
    let attempt = || -> Result<load::LoadResult, String> {
        let server = (scenario.launch)(env)?.start()?;
        let connections = scenario.connections.unwrap_or(env.connections);
        let workload = (scenario.prepare)(env, &server, connections)?;
        load::run(&server, workload, window)
    };
    match attempt() {
        Ok(r) => Run::Done(vec![r]),
        Err(e) => Run::Failed(e),
    }
}

fn main_inner(args: Args) -> Result<bool, String> {
    for (what, path) in [("emulator", &args.emulator), ("ceiling", &args.ceiling)] {
        if !path.is_file() {
            return Err(format!(
                "{what} binary {} not found; build first: cargo build --release --locked --workspace",
                path.display()
            ));
        }
    }
    let workdir = ScratchDir::create()?;
    let env = Env {
        emulator: args.emulator.clone(),
        ceiling: args.ceiling.clone(),
        fixtures: args.fixtures.clone(),
        workdir: workdir.0.clone(),
        connections: args.connections.max(1),
    };
    let window = Window {
        warmup: secs(args.warmup)?,
        duration: secs(args.duration)?,
        client_threads: args.client_threads.max(1),
    };
    let idle = secs(args.idle)?;

    if args.soak {
        let settings = soak::Settings {
            warmup: secs(args.soak_warmup)?,
            duration: secs(args.soak_duration)?,
            connections: env.connections,
            client_threads: args.client_threads.max(1),
            sample_every: secs(args.soak_sample)?,
        };
        if settings.warmup + settings.duration > soak::MAX_SOAK {
            return Err("a soak must end within 14 minutes (the nonce window is 15)".into());
        }
        eprintln!(
            "soak: {} s warm-up + {} s recorded",
            args.soak_warmup, args.soak_duration
        );
        let report = soak::run(&env, settings)?;
        let markdown = report.markdown(&date(), &machine());
        print!("{markdown}");
        write_out(args.out.as_deref(), &markdown)?;
        drop(workdir);
        return Ok(report.flat().is_some_and(|(_, _, flat)| flat));
    }

    let list = selected(&args)?;
    let load_before = load_average();
    let mut startup_results = Vec::new();
    for launch in [
        scenarios::ceiling(&env),
        scenarios::emulator_describe(&env, "warn"),
    ] {
        eprintln!("start-up: {} × {}", launch.name, args.launches);
        startup_results.push(startup(&launch, args.launches, idle)?);
    }
    let actions = {
        let probe = scenarios::emulator_describe(&env, "warn").start()?;
        scenarios::emulator_actions(probe.addr)?
    };

    let rounds = args.rounds.max(1);
    let mut runs: Vec<Run> = list.iter().map(|_| Run::Done(Vec::new())).collect();
    for round in 1..=rounds {
        for (scenario, run) in list.iter().zip(&mut runs) {
            let Run::Done(done) = run else { continue };
            eprintln!("round {round}/{rounds}: {}", scenario.name);
            match run_scenario(&env, scenario, &actions, window) {
                Run::Done(mut r) => done.append(&mut r),
                other => {
                    if let Run::Failed(why) = &other {
                        eprintln!("  failed: {why}");
                    }
                    *run = other;
                }
            }
        }
    }
    let reports: Vec<ScenarioReport> = list
        .iter()
        .zip(runs)
        .map(|(s, run)| ScenarioReport {
            name: s.name,
            what: s.what,
            run,
            targets: s.targets.clone(),
        })
        .collect();
    drop(workdir);

    let report = Report {
        date: date(),
        machine: machine(),
        settings: format!(
            "{} connections, {} s recorded after {} s warm-up per scenario, a fresh server per scenario, \
             {} interleaved round{}; load generator on the same machine ({} thread{}); \
             cold start over {} launches; idle RSS after {} s",
            env.connections,
            args.duration,
            args.warmup,
            rounds,
            if rounds == 1 { "" } else { "s" },
            window.client_threads,
            if window.client_threads == 1 { "" } else { "s" },
            args.launches,
            args.idle
        ),
        load_average: (load_before, load_average()),
        startup: startup_results,
        scenarios: reports,
    };
    let markdown = report.markdown();
    print!("{markdown}");
    write_out(args.out.as_deref(), &markdown)?;
    Ok(report
        .scenarios
        .iter()
        .all(|s| !matches!(s.run, Run::Failed(_))))
}

/// Writes the report to `out`, creating its directory.
fn write_out(out: Option<&std::path::Path>, markdown: &str) -> Result<(), String> {
    if let Some(out) = out {
        if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::write(out, markdown).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    Ok(())
}

fn main() -> ExitCode {
    match main_inner(Args::parse()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("ecs-emulator-bench: {e}");
            ExitCode::from(2)
        }
    }
}
