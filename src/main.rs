//! The `ecs-emulator` binary: parses the command line, sets up logging, serves or probes.

use std::io::Write;
use std::process::ExitCode;
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

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
    tracing::info!("shutting down");
}

async fn serve(args: ServeArgs) -> ExitCode {
    init_logging(args.log_format);
    let state = match AppState::from_args(&args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("ecs-emulator: {e}");
            return ExitCode::from(2);
        }
    };
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
    let server = tokio::spawn(ecs_emulator::run(
        listener,
        state.clone(),
        shutdown_signal(),
    ));
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
        Command::Serve(args) => runtime.block_on(serve(args)),
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
