//! Connections over real TCP: the header-read and idle timeouts, the cap on open connections,
//! the bounded drain at shutdown, early 413s, and SIGTERM at any instant of the real binary.

use std::time::{Duration, Instant};

use ecs_emulator::server::ConnectionLimits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::process::{binary, Process};
use crate::common::{spawn, Opts, Server};

const DESCRIBE_REGIONS: &[u8] =
    b"GET /?Action=DescribeRegions&Version=2014-05-26 HTTP/1.1\r\nHost: x\r\n\r\n";

fn limits(header: u64, idle: u64, max: usize, grace: u64) -> ConnectionLimits {
    ConnectionLimits {
        header_timeout: Duration::from_millis(header),
        idle_timeout: Duration::from_millis(idle),
        max_connections: max,
        shutdown_grace: Duration::from_millis(grace),
    }
}

async fn server(connections: ConnectionLimits) -> Server {
    spawn(Opts {
        connections,
        request_timeout: Duration::from_secs(30),
        ..Opts::default()
    })
    .await
}

/// Reads until the peer closes (`Some(bytes)`) or `limit` passes (`None`).
async fn read_to_close(s: &mut TcpStream, limit: Duration) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    tokio::time::timeout(limit, s.read_to_end(&mut out))
        .await
        .ok()
        .map(|_| out)
}

/// Reads one answer's head and body (by Content-Length), leaving the connection open.
async fn read_answer(s: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut chunk))
            .await
            .expect("an answer in time")
            .expect("read");
        assert!(n > 0, "closed before a whole answer: {buf:?}");
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf).into_owned();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let len = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().to_owned())
                })
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(0);
            if body.len() >= len {
                return text;
            }
        }
    }
}

#[tokio::test]
async fn a_slow_header_client_is_cut_off_at_the_header_timeout() {
    let s = server(limits(600, 5_000, 64, 1_000)).await;
    let mut slow = TcpStream::connect(s.addr).await.unwrap();
    let started = Instant::now();
    // One byte every 100 ms: the head never completes.
    let closed = async {
        for b in b"GET /?Action=DescribeRegions&Version=2014-05-26 HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" {
            if slow.write_all(&[*b]).await.is_err() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    };
    assert!(closed.await, "still open after trickling the whole header");
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(500) && took < Duration::from_millis(2_500),
        "cut off after {took:?}"
    );
    // Everyone else is served.
    s.ecs("DescribeRegions", &[]).await.ok();
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_at_the_idle_timeout() {
    let s = server(limits(300, 1_000, 64, 1_000)).await;
    let mut conn = TcpStream::connect(s.addr).await.unwrap();
    conn.write_all(DESCRIBE_REGIONS).await.unwrap();
    let answer = read_answer(&mut conn).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let idle_from = Instant::now();
    // A second request on the same connection within the idle time is served.
    tokio::time::sleep(Duration::from_millis(500)).await;
    conn.write_all(DESCRIBE_REGIONS).await.unwrap();
    assert!(read_answer(&mut conn).await.starts_with("HTTP/1.1 200"));
    let idle_from = idle_from.max(Instant::now());
    // Then, left alone, it is closed after the idle timeout (not the shorter header timeout).
    let rest = read_to_close(&mut conn, Duration::from_secs(5)).await;
    assert_eq!(rest.as_deref(), Some(&b""[..]), "not closed in time");
    let idle = idle_from.elapsed();
    assert!(
        idle >= Duration::from_millis(900) && idle < Duration::from_millis(2_500),
        "closed after {idle:?}"
    );
}

#[tokio::test]
async fn connections_past_the_cap_wait_for_one_to_close() {
    let s = server(limits(5_000, 5_000, 2, 1_000)).await;
    let mut first = TcpStream::connect(s.addr).await.unwrap();
    first.write_all(DESCRIBE_REGIONS).await.unwrap();
    assert!(read_answer(&mut first).await.starts_with("HTTP/1.1 200"));
    let mut second = TcpStream::connect(s.addr).await.unwrap();
    second.write_all(DESCRIBE_REGIONS).await.unwrap();
    assert!(read_answer(&mut second).await.starts_with("HTTP/1.1 200"));
    // A third connection is not served while two are open...
    let mut third = TcpStream::connect(s.addr).await.unwrap();
    third.write_all(DESCRIBE_REGIONS).await.unwrap();
    let mut byte = [0u8; 1];
    let early = tokio::time::timeout(Duration::from_millis(500), third.read(&mut byte)).await;
    assert!(early.is_err(), "a third connection was served past the cap");
    // ...and is served as soon as one closes.
    drop(first);
    assert!(read_answer(&mut third).await.starts_with("HTTP/1.1 200"));
}

#[tokio::test]
async fn shutdown_drains_with_connection_close_then_cuts_what_is_left() {
    let mut s = server(limits(30_000, 30_000, 64, 1_500)).await;
    // An idle keep-alive connection, a half-sent header block, and a request in flight (its
    // body arrives after the shutdown starts).
    let mut idle = TcpStream::connect(s.addr).await.unwrap();
    idle.write_all(DESCRIBE_REGIONS).await.unwrap();
    assert!(read_answer(&mut idle).await.starts_with("HTTP/1.1 200"));
    let mut half = TcpStream::connect(s.addr).await.unwrap();
    half.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Half: ")
        .await
        .unwrap();
    let body = "Action=DescribeRegions&Version=2014-05-26";
    let mut busy = TcpStream::connect(s.addr).await.unwrap();
    let head = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{}",
        body.len(),
        &body[..10]
    );
    busy.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    let started = Instant::now();
    s.begin_shutdown();
    // The idle connection is closed at once.
    let rest = read_to_close(&mut idle, Duration::from_millis(500)).await;
    assert_eq!(rest.as_deref(), Some(&b""[..]), "idle connection left open");
    // The request in flight completes, told that the connection closes.
    busy.write_all(&body.as_bytes()[10..]).await.unwrap();
    let answer = read_to_close(&mut busy, Duration::from_secs(1))
        .await
        .expect("the answer, then close");
    let answer = String::from_utf8_lossy(&answer).to_ascii_lowercase();
    assert!(
        answer.starts_with("http/1.1 200") && answer.contains("connection: close"),
        "{answer}"
    );
    // The half-sent header does not hold the shutdown past the grace period.
    assert!(
        s.stopped_within(Duration::from_secs(3)).await,
        "the server did not stop"
    );
    let took = started.elapsed();
    assert!(
        took < Duration::from_millis(2_500),
        "stopped after {took:?}"
    );
    assert_eq!(
        read_to_close(&mut half, Duration::from_millis(500))
            .await
            .as_deref(),
        Some(&b""[..])
    );
}

#[tokio::test]
async fn a_declared_body_over_the_limit_is_refused_at_once() {
    let s = spawn(Opts {
        max_body_bytes: 4096,
        request_timeout: Duration::from_secs(30),
        ..Opts::default()
    })
    .await;
    for expect in ["", "Expect: 100-continue\r\n"] {
        let mut conn = TcpStream::connect(s.addr).await.unwrap();
        let head = format!(
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 10485760\r\n{expect}\r\n"
        );
        conn.write_all(head.as_bytes()).await.unwrap();
        let started = Instant::now();
        let mut buf = vec![0u8; 4096];
        let n = tokio::time::timeout(Duration::from_secs(2), conn.read(&mut buf))
            .await
            .expect("an answer at once")
            .unwrap();
        let answer = String::from_utf8_lossy(&buf[..n]).into_owned();
        assert!(started.elapsed() < Duration::from_secs(1));
        assert!(
            answer.starts_with("HTTP/1.1 413")
                && answer.contains("InvalidParameter.RequestTooLarge"),
            "{expect:?}: {answer}"
        );
        assert!(!answer.contains("100 Continue"), "{answer}");
    }
    // Within the limit, 100-continue is honoured and the call served.
    let body = "Action=DescribeRegions&Version=2014-05-26";
    let mut conn = TcpStream::connect(s.addr).await.unwrap();
    let head = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
        body.len()
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 64];
    let n = conn.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 100 Continue"));
    conn.write_all(body.as_bytes()).await.unwrap();
    let rest = read_to_close(&mut conn, Duration::from_secs(2))
        .await
        .unwrap();
    let rest = String::from_utf8_lossy(&rest).into_owned();
    assert!(rest.contains("HTTP/1.1 200"), "{rest}");
}

/// Sends SIGTERM to `pid` (with the `kill` utility: the crate forbids `unsafe`).
fn sigterm(pid: u32) {
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
}

/// True once the process catches SIGTERM (bit 15 of `SigCgt` in `/proc/PID/status`): the
/// earliest instant any program can act on a signal, which `main` reaches first thing.
fn catches_sigterm(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("SigCgt:"))
                .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
        })
        .is_some_and(|mask| mask & (1 << (15 - 1)) != 0)
}

#[test]
fn sigterm_at_any_instant_after_start_exits_0() {
    // Before the listener is up: at several instants after the process has started (catches
    // signals), while it loads the seed and binds.
    for delay_ms in [0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89] {
        let mut child = std::process::Command::new(binary())
            .args(["serve", "--listen", "127.0.0.1:0", "--fixtures"])
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/fixtures/example-seed.json"
            ))
            .env("ECS_EMULATOR_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        let until = Instant::now() + Duration::from_secs(5);
        while !catches_sigterm(child.id()) && Instant::now() < until {
            std::thread::yield_now();
        }
        std::thread::sleep(Duration::from_millis(delay_ms));
        sigterm(child.id());
        let status = child.wait().expect("wait");
        assert_eq!(
            status.code(),
            Some(0),
            "SIGTERM {delay_ms} ms after start: {status}"
        );
    }
    // Right after the listening line, many times.
    for _ in 0..15 {
        let p = Process::start(&[]);
        sigterm(p.pid());
        let status = p.wait(Duration::from_secs(5));
        assert_eq!(status, Some(0), "SIGTERM right after listening");
    }
}
