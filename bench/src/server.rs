//! Launching a server under test and reading its CPU time and memory from `/proc`.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use crate::http;

/// How long a server may take to answer its first 200.
const READY_TIMEOUT: Duration = Duration::from_secs(20);

/// What to launch: a program, its arguments and extra environment.
#[derive(Debug, Clone)]
pub struct Launch {
    /// Short name for reports ("ceiling", "emulator").
    pub name: &'static str,
    /// Executable.
    pub program: PathBuf,
    /// Arguments (the launcher adds nothing; include the listen flag).
    pub args: Vec<String>,
    /// Extra environment variables.
    pub env: Vec<(String, String)>,
    /// A path that answers 200 once the server is ready.
    pub health_path: &'static str,
    /// A directory this launch alone writes to (e.g. its `--data-dir`), removed once the server
    /// has stopped.
    pub owned_dir: Option<PathBuf>,
}

/// A running server; killed when dropped.
pub struct Running {
    child: Child,
    // Held open so that a late write to stdout never meets a closed pipe.
    _stdout: BufReader<ChildStdout>,
    /// Where it listens.
    pub addr: SocketAddr,
    /// From `spawn` to the first 200 on the health path.
    pub cold_start: Duration,
    owned_dir: Option<PathBuf>,
}

impl Launch {
    /// Spawns the server, reads its `listening on http://ADDR` line, then polls the health path
    /// until it answers 200. The clock runs from just before `spawn` to that 200.
    pub fn start(&self) -> Result<Running, String> {
        let mut cmd = Command::new(&self.program);
        // Only what the scenario sets: no ECS_EMULATOR_* leaking in from the caller's shell.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("ECS_EMULATOR_") {
                cmd.env_remove(name);
            }
        }
        cmd.args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let t0 = Instant::now();
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("{}: {e}", self.program.display()))?;
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut line = String::new();
        let addr = loop {
            line.clear();
            match stdout.read_line(&mut line) {
                Ok(0) | Err(_) => {
                    let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
                    return Err(format!(
                        "{} exited before listening ({status}); run it by hand: {} {}",
                        self.name,
                        self.program.display(),
                        self.args.join(" ")
                    ));
                }
                Ok(_) => {}
            }
            if let Some(rest) = line.split("listening on http://").nth(1) {
                break rest
                    .trim()
                    .parse::<SocketAddr>()
                    .map_err(|e| format!("{}: bad address in {line:?}: {e}", self.name))?;
            }
        };
        let mut running = Running {
            child,
            _stdout: stdout,
            addr,
            cold_start: Duration::ZERO,
            owned_dir: self.owned_dir.clone(),
        };
        // On failure `running` is dropped here, which kills the child.
        let ready = http::wait_for_200(addr, self.health_path, t0 + READY_TIMEOUT)
            .map_err(|e| format!("{}: {e}", self.name))?;
        running.cold_start = ready - t0;
        Ok(running)
    }
}

impl Running {
    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// User plus system CPU time consumed so far by every thread, living or exited.
    pub fn cpu(&self) -> Result<Duration, String> {
        cpu_time(&format!("/proc/{}/stat", self.pid()))
    }

    /// A line of `/proc/PID/status` such as `VmRSS` or `VmHWM`, in KiB.
    pub fn status_kib(&self, field: &str) -> Result<u64, String> {
        status_kib(self.pid(), field)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(dir) = &self.owned_dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// CPU time of this process (the load generator), for comparison with the server's.
pub fn own_cpu() -> Result<Duration, String> {
    cpu_time("/proc/self/stat")
}

fn cpu_time(stat_path: &str) -> Result<Duration, String> {
    let stat = std::fs::read_to_string(stat_path).map_err(|e| format!("{stat_path}: {e}"))?;
    // The command name may contain spaces and parentheses; fields resume after the last ')'.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .ok_or_else(|| format!("{stat_path}: unexpected format"))?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After ')' index 0 is field 3 (state): utime is field 14, stime field 15.
    let ticks = |i: usize| -> Result<u64, String> {
        fields
            .get(i)
            .and_then(|f| f.parse().ok())
            .ok_or_else(|| format!("{stat_path}: no field {}", i + 3))
    };
    let total = ticks(11)? + ticks(12)?;
    Ok(Duration::from_nanos(
        total * 1_000_000_000 / clock_ticks_per_second(),
    ))
}

fn status_kib(pid: u32, field: &str) -> Result<u64, String> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .ok_or_else(|| format!("{path}: no {field}"))
}

/// `sysconf(_SC_CLK_TCK)` without a libc binding: ask `getconf`, else the universal Linux 100.
pub fn clock_ticks_per_second() -> u64 {
    static TICKS: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .filter(|&t| t > 0)
            .unwrap_or(100)
    })
}
