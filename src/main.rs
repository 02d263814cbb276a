//! The `ecs-emulator` binary: parses the command line, sets up logging, serves or probes.

use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use ecs_emulator::config::{Cli, Command, HealthcheckArgs, LogFormat, ServeArgs};
use ecs_emulator::{cli, AppState};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ECS_EMULATOR_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// SIGTERM and SIGINT as soon as `main` runs: from then on they set a flag instead of killing
/// the process, so a signal that arrives while the seed loads or before the listener is up
/// still ends the process cleanly (exit 0).
#[derive(Debug, Clone, Default)]
struct StopFlag(Arc<AtomicBool>);

impl StopFlag {
    fn install() -> Self {
        let flag = Self::default();
        #[cfg(unix)]
        for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
            if let Err(e) = signal_hook::flag::register(signal, Arc::clone(&flag.0)) {
                eprintln!("ecs-emulator: cannot catch signal {signal}: {e}");
            }
        }
        flag
    }

    fn raised(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Completes on SIGTERM or Ctrl-C, including one that came before this was called. The signal
/// streams are registered here, synchronously, and the flag read after that, so no signal falls
/// between the two.
fn shutdown_signal(stop: &StopFlag) -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let (term, int) = {
        use tokio::signal::unix::{signal, SignalKind};
        (
            signal(SignalKind::terminate()).ok(),
            signal(SignalKind::interrupt()).ok(),
        )
    };
    let already = stop.raised();
    async move {
        if !already {
            #[cfg(unix)]
            tokio::select! { () = received(term) => {}, () = received(int) => {} }
            #[cfg(not(unix))]
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::info!("shutting down");
    }
}

/// The next delivery of a signal (never, if it could not be registered).
#[cfg(unix)]
async fn received(signal: Option<tokio::signal::unix::Signal>) {
    match signal {
        Some(mut s) => {
            s.recv().await;
        }
        None => std::future::pending().await,
    }
}

/// Raises the open-file limit, logs it once, and fits the connection cap under it.
fn fit_open_files(args: &mut ServeArgs) {
    let Some(limit) = ecs_emulator::server::raise_open_file_limit() else {
        return;
    };
    let room = limit.saturating_sub(ecs_emulator::server::RESERVED_FILES);
    let room = usize::try_from(room).unwrap_or(usize::MAX).max(1);
    let wanted = args.connections.max_connections;
    args.connections.max_connections = wanted.min(room);
    tracing::info!(
        open_files = limit,
        max_connections = args.connections.max_connections,
        "open-file limit"
    );
    if wanted > room {
        tracing::warn!("--max-connections {wanted} lowered to {room} to fit the open-file limit");
    }
}

async fn serve(mut args: ServeArgs, stop: StopFlag) -> ExitCode {
    init_logging(args.log_format);
    let shutdown = shutdown_signal(&stop);
    fit_open_files(&mut args);
    let state = match AppState::from_args(&args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("ecs-emulator: {e}");
            return ExitCode::from(2);
        }
    };
    if stop.raised() {
        tracing::info!("stopped before listening");
        return ExitCode::SUCCESS;
    }
    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("ecs-emulator: cannot listen on {}: {e}", args.listen);
            return ExitCode::from(2);
        }
    };
    let addr = listener
        .local_addr()
        .map_or_else(|_| args.listen.to_string(), |a| a.to_string());
    if args.auth == ecs_emulator::config::AuthMode::Strict && args.access_keys.is_empty() {
        tracing::warn!("strict mode without --access-key: every request will be refused");
    }
    tracing::info!(%addr, timing = ?args.timing, clock = ?args.clock, auth = ?args.auth, "listening");
    println!("ecs-emulator listening on http://{addr}");
    let _ = std::io::stdout().flush();
    let server = tokio::spawn(ecs_emulator::run(listener, state.clone(), shutdown));
    // Persisted state loads while the listener answers 503 (health says "starting").
    if let Err(e) = state.load_persisted(&args).await {
        eprintln!("ecs-emulator: {e}");
        return ExitCode::from(2);
    }
    let served = server.await;
    state.flush().await;
    match served {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            eprintln!("ecs-emulator: {e}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("ecs-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A minimal HTTP/1.1 GET (no client library needed in a scratch image): exit 0 on a 200.
async fn healthcheck(args: HealthcheckArgs) -> ExitCode {
    let Some(rest) = args.url.strip_prefix("http://") else {
        eprintln!("healthcheck: only http:// URLs are supported");
        return ExitCode::from(2);
    };
    let (authority, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_owned()), |(a, p)| (a, format!("/{p}")));
    let probe = async {
        let mut stream = tokio::net::TcpStream::connect(authority).await?;
        let req = format!("GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n");
        stream.write_all(req.as_bytes()).await?;
        let mut buf = Vec::new();
        stream.read_to_end(&mut buf).await?;
        Ok::<_, std::io::Error>(buf)
    };
    match tokio::time::timeout(Duration::from_secs(args.timeout_secs), probe).await {
        Ok(Ok(buf)) if buf.starts_with(b"HTTP/1.1 200") || buf.starts_with(b"HTTP/1.0 200") => {
            ExitCode::SUCCESS
        }
        Ok(Ok(buf)) => {
            let line = String::from_utf8_lossy(&buf)
                .lines()
                .next()
                .unwrap_or_default()
                .to_owned();
            eprintln!("healthcheck: {} answered {line}", args.url);
            ExitCode::FAILURE
        }
        Ok(Err(e)) => {
            eprintln!("healthcheck: {}: {e}", args.url);
            ExitCode::FAILURE
        }
        Err(_) => {
            eprintln!(
                "healthcheck: {}: no answer within {} s",
                args.url, args.timeout_secs
            );
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    // First of all, so that no instant of `serve` is left to the default action (a healthcheck
    // is short and simply finishes its probe).
    let stop = StopFlag::install();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("ecs-emulator: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match cli.command {
        Command::Serve(args) => runtime.block_on(serve(args, stop)),
        Command::Healthcheck(args) => runtime.block_on(healthcheck(args)),
        Command::Info(remote) => runtime.block_on(cli::info(remote)),
        Command::Reset(args) => runtime.block_on(cli::reset(args)),
        Command::State(cmd) => runtime.block_on(cli::state(cmd)),
        Command::Clock(args) => runtime.block_on(cli::clock(args)),
        Command::Faults(cmd) => runtime.block_on(cli::faults(cmd)),
        Command::Requests(args) => runtime.block_on(cli::requests(args)),
    }
}

/// mimalloc instead of glibc's allocator: a request makes many small, short-lived allocations
/// plus a few large answer buffers, on which glibc spends time consolidating its fast bins.
/// `no_thp` keeps transparent huge pages out, so idle memory stays small.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
