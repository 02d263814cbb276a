//! The subcommands that drive a running emulator's control plane (`info`, `reset`, `state`,
//! `clock`, `faults`, `requests`): each is one call to a `/_emulator/` endpoint, its JSON
//! answer printed on stdout; a refused call prints the answer on stderr and exits 1.

use std::io::{Read, Write};
use std::process::ExitCode;
use std::time::Duration;

use crate::client::{self, Request};
use crate::config::{ClockArgs, FaultsCommand, Remote, RequestsArgs, ResetArgs, StateCommand};

const TIMEOUT: Duration = Duration::from_secs(60);

/// Percent-encodes a query value.
fn q(v: &str) -> String {
    crate::aliyun::encoding::pe(v)
}

async fn call(remote: &Remote, method: &str, path: &str, body: Option<&[u8]>) -> ExitCode {
    let req = Request {
        method,
        base: &remote.url,
        path,
        body,
        token: remote.admin_token.as_deref(),
    };
    match client::send(&req, TIMEOUT).await {
        Ok(a) if (200..300).contains(&a.status) => {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(&a.body);
            if !a.body.ends_with(b"\n") {
                let _ = out.write_all(b"\n");
            }
            ExitCode::SUCCESS
        }
        Ok(a) => {
            eprintln!(
                "ecs-emulator: {method} {path} answered {}: {}",
                a.status,
                String::from_utf8_lossy(&a.body)
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("ecs-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `info`.
pub async fn info(remote: Remote) -> ExitCode {
    call(&remote, "GET", "/_emulator/info", None).await
}

/// `reset`.
pub async fn reset(args: ResetArgs) -> ExitCode {
    let body = serde_json::json!({ "account": args.account, "seed": args.seed }).to_string();
    call(
        &args.remote,
        "POST",
        "/_emulator/reset",
        Some(body.as_bytes()),
    )
    .await
}

fn account_query(account: Option<&str>) -> String {
    account.map_or_else(String::new, |a| format!("?account={}", q(a)))
}

/// `state export` / `state import`.
pub async fn state(cmd: StateCommand) -> ExitCode {
    match cmd {
        StateCommand::Export { remote, account } => {
            let path = format!("/_emulator/state{}", account_query(account.as_deref()));
            call(&remote, "GET", &path, None).await
        }
        StateCommand::Import {
            remote,
            account,
            file,
        } => {
            let mut doc = Vec::new();
            let read = if file.as_os_str() == "-" {
                std::io::stdin().read_to_end(&mut doc).map(|_| ())
            } else {
                std::fs::read(&file).map(|d| doc = d)
            };
            if let Err(e) = read {
                eprintln!("ecs-emulator: {}: {e}", file.display());
                return ExitCode::from(2);
            }
            let path = format!("/_emulator/state{}", account_query(account.as_deref()));
            call(&remote, "PUT", &path, Some(&doc)).await
        }
    }
}

/// `clock`.
pub async fn clock(args: ClockArgs) -> ExitCode {
    let change = if let Some(s) = args.advance {
        serde_json::json!({ "advance_seconds": s })
    } else if args.pause {
        serde_json::json!({ "mode": "manual" })
    } else if args.resume {
        serde_json::json!({ "mode": "system" })
    } else {
        return call(&args.remote, "GET", "/_emulator/clock", None).await;
    };
    let body = change.to_string();
    call(
        &args.remote,
        "POST",
        "/_emulator/clock",
        Some(body.as_bytes()),
    )
    .await
}

/// `faults …`.
pub async fn faults(cmd: FaultsCommand) -> ExitCode {
    match cmd {
        FaultsCommand::Add { remote, rule } => {
            call(&remote, "POST", "/_emulator/faults", Some(rule.as_bytes())).await
        }
        FaultsCommand::List { remote } => call(&remote, "GET", "/_emulator/faults", None).await,
        FaultsCommand::Delete { remote, id } => {
            let path = format!("/_emulator/faults/{}", q(&id));
            call(&remote, "DELETE", &path, None).await
        }
        FaultsCommand::Clear { remote } => call(&remote, "DELETE", "/_emulator/faults", None).await,
    }
}

/// `requests`.
pub async fn requests(args: RequestsArgs) -> ExitCode {
    let mut query = Vec::new();
    if let Some(a) = &args.action {
        query.push(format!("action={}", q(a)));
    }
    if let Some(s) = args.status {
        query.push(format!("status={s}"));
    }
    if let Some(a) = &args.account {
        query.push(format!("account={}", q(a)));
    }
    if let Some(n) = args.limit.filter(|_| !args.follow) {
        query.push(format!("limit={n}"));
    }
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{}", query.join("&"))
    };
    if !args.follow {
        let path = format!("/_emulator/requests{query}");
        return call(&args.remote, "GET", &path, None).await;
    }
    let path = format!("/_emulator/requests/stream{query}");
    let req = Request {
        method: "GET",
        base: &args.remote.url,
        path: &path,
        body: None,
        token: args.remote.admin_token.as_deref(),
    };
    let mut pending = String::new();
    let printed = client::stream(&req, |bytes| {
        pending.push_str(&String::from_utf8_lossy(bytes));
        while let Some(end) = pending.find('\n') {
            let line: String = pending.drain(..=end).collect();
            if let Some(data) = line.trim_end().strip_prefix("data:") {
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{}", data.trim_start());
                let _ = out.flush();
            }
        }
    })
    .await;
    match printed {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ecs-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}
