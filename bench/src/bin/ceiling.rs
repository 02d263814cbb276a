//! The ceiling: a minimal axum server answering one fixed JSON body on every path, on the same multi-thread tokio runtime as the emulator.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::OnceLock;

use axum::http::header;
use axum::response::IntoResponse;
use axum::Router;

const BODY: &str = r#"{"RequestId":"00000000-0000-0000-0000-000000000000","Status":"ok"}"#;

/// The body every request gets when `--body-bytes` is given; [`BODY`] otherwise.
static PADDED: OnceLock<&'static str> = OnceLock::new();

async fn fixed() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json;charset=utf-8")],
        *PADDED.get().unwrap_or(&BODY),
    )
}

/// [`BODY`] with a `Padding` field making it `bytes` long (never shorter than [`BODY`]).
fn padded(bytes: usize) -> String {
    let head = &BODY[..BODY.len() - 1];
    let fill = bytes.saturating_sub(head.len() + r#","Padding":""}"#.len());
    format!(r#"{head},"Padding":"{}"}}"#, "x".repeat(fill))
}

/// `--listen ADDR` (default 127.0.0.1:0) and `--body-bytes N` (default: the 67-byte body).
fn parse_args() -> Result<(SocketAddr, Option<usize>), String> {
    let mut args = std::env::args().skip(1);
    let mut listen = SocketAddr::from(([127, 0, 0, 1], 0));
    let mut body_bytes = None;
    while let Some(arg) = args.next() {
        let (name, value) = match arg.split_once('=') {
            Some((n, v)) => (n.to_owned(), v.to_owned()),
            None => {
                let v = args.next().ok_or(format!("{arg} needs a value"))?;
                (arg, v)
            }
        };
        match name.as_str() {
            "--listen" => {
                listen = value
                    .parse()
                    .map_err(|e| format!("--listen {value}: {e}"))?
            }
            "--body-bytes" => {
                let n = value
                    .parse()
                    .map_err(|e| format!("--body-bytes {value}: {e}"))?;
                body_bytes = Some(n);
            }
            _ => {
                return Err(format!(
                    "unknown argument {name}; usage: ceiling [--listen ADDR] [--body-bytes N]"
                ))
            }
        }
    }
    Ok((listen, body_bytes))
}

async fn serve(listen: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    println!("ceiling listening on http://{}", listener.local_addr()?);
    axum::serve(listener, Router::new().fallback(fixed)).await
}

fn main() -> ExitCode {
    let listen = match parse_args() {
        Ok((listen, body_bytes)) => {
            if let Some(n) = body_bytes {
                let _ = PADDED.set(String::leak(padded(n)));
            }
            listen
        }
        Err(e) => {
            eprintln!("ceiling: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build();
    match runtime.and_then(|r| r.block_on(serve(listen))) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ceiling: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{padded, BODY};

    #[test]
    fn padding_hits_the_length_and_stays_json() {
        let body = padded(10_443);
        assert_eq!(body.len(), 10_443);
        assert!(body.starts_with(&BODY[..BODY.len() - 1]) && body.ends_with("\"}"));
        assert!(padded(0).len() >= BODY.len());
    }
}
