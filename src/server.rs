//! The listener: HTTP/1.1 connections, each with a header-read and an idle keep-alive timeout,
//! a cap on how many are open at once, and a graceful shutdown bounded by a grace period.
//!
//! Every connection runs in its own task next to a small watchdog. The watchdog knows three
//! things about its connection — whether a request is in flight, when the first byte of the
//! next request head arrived, and since when it has been idle — and closes it when the head
//! takes longer than the header timeout, or when it has been idle longer than the idle timeout.
//! While a request is in flight the connection is never cut here: receiving a body is bounded
//! by the request timeout, inside the handler.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tower::Service;

/// Connection limits (see the `--header-timeout-secs`, `--idle-timeout-secs`,
/// `--max-connections` and `--shutdown-grace-secs` flags).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// From the first byte of a request head to its end.
    pub header_timeout: Duration,
    /// How long a keep-alive connection may sit without a request.
    pub idle_timeout: Duration,
    /// Connections open at once; further ones wait in the listen queue until one closes.
    pub max_connections: usize,
    /// How long a shutdown lets open requests finish before it closes what is left.
    pub shutdown_grace: Duration,
}

/// Open files kept for everything but connections (the listener, logs, a seed file, …) when
/// the connection cap is fitted to the open-file limit.
pub const RESERVED_FILES: u64 = 64;

/// Raises the soft limit on open files to the hard limit, and returns the new soft limit
/// (`None` where the platform has none or it cannot be read).
pub fn raise_open_file_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        rlimit::increase_nofile_limit(u64::MAX).ok()
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Serves `app` on `listener` until `shutdown` completes; then stops accepting, lets requests
/// in flight finish (their answers carry `Connection: close`) for at most the grace period,
/// closes whatever is left and returns.
///
/// # Errors
/// None today: errors accepting a connection are logged and the loop goes on. The `Result`
/// leaves room for listener errors a caller must see.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (drain, draining) = watch::channel(false);
    let mut connections = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // Reap finished connections, so the set holds only open ones.
        while connections.try_join_next().is_some() {}
        let permit = tokio::select! {
            () = &mut shutdown => break,
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break, // the semaphore is never closed
            },
        };
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, _)) => {
                let conn = connection(stream, app.clone(), limits, draining.clone(), permit);
                connections.spawn(conn);
            }
            Err(e) => {
                // Typically out of file descriptors: wait a little rather than spin.
                tracing::warn!("accept error: {e}");
                tokio::select! {
                    () = &mut shutdown => break,
                    () = tokio::time::sleep(Duration::from_millis(100)) => {}
                }
            }
        }
    }
    drop(listener);
    let open = connections.len();
    let _ = drain.send(true);
    let drained = tokio::time::timeout(limits.shutdown_grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            left = connections.len(),
            "closing connections still open after the {} s grace period",
            limits.shutdown_grace.as_secs_f64()
        );
        connections.shutdown().await;
    } else if open > 0 {
        tracing::info!(connections = open, "drained");
    }
    Ok(())
}

/// Marks a response whose connection is closed without sending it (an injected fault): the
/// connection ends at once, and the client sees the connection close with no answer.
#[derive(Debug, Clone, Copy)]
pub struct DropConnection;

/// One connection: HTTP/1.1 over `stream`, watched.
async fn connection(
    stream: TcpStream,
    app: Router,
    limits: ConnectionLimits,
    mut draining: watch::Receiver<bool>,
    _permit: OwnedSemaphorePermit,
) {
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Watched {
        inner: stream,
        activity: Arc::clone(&activity),
    });
    let requests = Arc::clone(&activity);
    let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
        let guard = InFlight::start(Arc::clone(&requests));
        let activity = Arc::clone(&requests);
        let mut app = app.clone();
        async move {
            let res = app.call(req.map(Body::new)).await;
            drop(guard);
            if res
                .as_ref()
                .is_ok_and(|r| r.extensions().get::<DropConnection>().is_some())
            {
                // The answer is never handed to the connection: the watchdog closes it first.
                activity.abort();
                std::future::pending::<()>().await;
            }
            res
        }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .serve_connection(io, service);
    let mut conn = std::pin::pin!(conn);
    let mut drain_started = *draining.borrow();
    if drain_started {
        conn.as_mut().graceful_shutdown();
    }
    // One timer, moved as the deadline moves (no new timer per request).
    let mut timer = std::pin::pin!(tokio::time::sleep(limits.idle_timeout));
    loop {
        // Every change the watchdog follows (bytes read, a request starting or ending, an
        // abort) happens while the connection itself is being polled, on this task: so the
        // deadline is read again right after each poll of the connection, and nothing needs
        // to wake the task a second time.
        let watched = std::future::poll_fn(|cx| {
            if let Poll::Ready(result) = conn.as_mut().poll(cx) {
                return Poll::Ready(Exit::Ended(result));
            }
            if activity.with(|s| s.aborted) {
                return Poll::Ready(Exit::Aborted);
            }
            let Some(deadline) = activity.deadline(&limits) else {
                // A request is in flight: its end comes from a poll of the connection.
                return Poll::Pending;
            };
            if timer.deadline() != deadline {
                timer.as_mut().reset(deadline);
            }
            timer.as_mut().poll(cx).map(|()| Exit::TimedOut)
        });
        tokio::select! {
            exit = watched => {
                match exit {
                    Exit::Ended(Err(e)) => tracing::debug!("connection ended: {e}"),
                    Exit::Ended(Ok(())) => {}
                    Exit::Aborted => {
                        tracing::debug!("dropping a connection without an answer (injected fault)");
                    }
                    Exit::TimedOut => {
                        tracing::debug!("closing a connection past its header or idle timeout");
                    }
                }
                return;
            }
            changed = draining.changed(), if !drain_started => {
                drain_started = true;
                if changed.is_ok() {
                    conn.as_mut().graceful_shutdown();
                }
            }
        }
    }
}

/// Why a connection's task ends.
enum Exit {
    /// The connection finished (the client closed it, or a graceful shutdown completed).
    Ended(Result<(), hyper::Error>),
    /// An answer asked for the connection to be dropped unanswered.
    Aborted,
    /// The header or idle timeout passed.
    TimedOut,
}

/// What the watchdog of one connection knows about it.
struct Activity {
    // A std mutex: every critical section is a few assignments and never awaits.
    state: Mutex<ActivityState>,
}

struct ActivityState {
    in_flight: usize,
    aborted: bool,
    head_started: Option<Instant>,
    idle_since: Instant,
}

impl Activity {
    fn new() -> Self {
        Self {
            state: Mutex::new(ActivityState {
                in_flight: 0,
                aborted: false,
                head_started: None,
                idle_since: Instant::now(),
            }),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut ActivityState) -> R) -> R {
        // Nothing here can panic half-way, so a poisoned lock holds consistent data.
        f(&mut self.state.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// When the connection must be closed unless something happens first; `None` while a
    /// request is in flight.
    fn deadline(&self, limits: &ConnectionLimits) -> Option<Instant> {
        self.with(|s| match (s.in_flight, s.head_started) {
            (0, Some(head)) => Some(head + limits.header_timeout),
            (0, None) => Some(s.idle_since + limits.idle_timeout),
            _ => None,
        })
    }

    /// An answer asked for the connection to be dropped unanswered.
    fn abort(&self) {
        self.with(|s| s.aborted = true);
    }

    /// Bytes arrived: with no request in flight, they start the next request head.
    fn bytes_read(&self) {
        self.with(|s| {
            if s.in_flight == 0 && s.head_started.is_none() {
                s.head_started = Some(Instant::now());
            }
        });
    }
}

/// A request in flight on a connection, from its complete head to its answer.
struct InFlight(Arc<Activity>);

impl InFlight {
    fn start(activity: Arc<Activity>) -> Self {
        activity.with(|s| {
            s.in_flight += 1;
            s.head_started = None;
        });
        Self(activity)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.with(|s| {
            s.in_flight = s.in_flight.saturating_sub(1);
            s.idle_since = Instant::now();
        });
    }
}

/// The TCP stream, telling the watchdog when bytes arrive.
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(poll, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.bytes_read();
        }
        poll
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
