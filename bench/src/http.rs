//! A deliberately small HTTP/1.1 client: pre-built request bytes, keep-alive, Content-Length framing.
//!
//! The load generator shares the machine with the server, so the client does as little as it
//! can per request: one `write` of bytes built before the timed window, then reads into a buffer
//! that is reused for the life of the connection. No header map, no body allocation.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One answer, borrowed from the connection's buffer until the next call.
pub struct Response<'a> {
    /// HTTP status code.
    pub status: u16,
    /// Body bytes.
    pub body: &'a [u8],
}

/// A keep-alive connection.
pub struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    /// Bytes of `buf` received so far.
    filled: usize,
    /// Bytes of `buf` already handed out in an earlier response.
    consumed: usize,
}

impl Conn {
    /// Connects with Nagle off.
    pub async fn connect(addr: SocketAddr) -> io::Result<Self> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream,
            buf: vec![0; 64 * 1024],
            filled: 0,
            consumed: 0,
        })
    }

    /// Sends `request` (a complete HTTP/1.1 request) and reads the whole response.
    pub async fn call(&mut self, request: &[u8]) -> io::Result<Response<'_>> {
        self.stream.write_all(request).await?;
        self.read_response().await
    }

    async fn read_response(&mut self) -> io::Result<Response<'_>> {
        self.buf.copy_within(self.consumed..self.filled, 0);
        self.filled -= self.consumed;
        self.consumed = 0;
        let (status, head_len, body_len) = loop {
            if let Some(parsed) = parse_head(&self.buf[..self.filled])? {
                break parsed;
            }
            self.fill().await?;
        };
        let total = head_len + body_len;
        if self.buf.len() < total {
            self.buf.resize(total.next_power_of_two(), 0);
        }
        while self.filled < total {
            self.fill().await?;
        }
        self.consumed = total;
        Ok(Response {
            status,
            body: &self.buf[head_len..total],
        })
    }

    async fn fill(&mut self) -> io::Result<()> {
        if self.filled == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        let n = self.stream.read(&mut self.buf[self.filled..]).await?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the server closed the connection",
            ));
        }
        self.filled += n;
        Ok(())
    }
}

/// `Some((status, head length, body length))` once the head is complete.
fn parse_head(buf: &[u8]) -> io::Result<Option<(u16, usize, usize)>> {
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Ok(None);
    };
    let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_owned());
    let head = std::str::from_utf8(&buf[..end]).map_err(|_| bad("non-UTF-8 response head"))?;
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| bad("malformed status line"))?;
    let mut length = None;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let name = name.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = value.trim().parse::<usize>().ok();
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(bad(
                "chunked responses are not supported by the bench client",
            ));
        }
    }
    let length = length.ok_or_else(|| bad("response without Content-Length"))?;
    Ok(Some((status, end + 4, length)))
}

/// A `GET` request with every header the servers need, ready to write.
pub fn get_request(host: SocketAddr, path_and_query: &str) -> Vec<u8> {
    format!(
        "GET {path_and_query} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: ecs-emulator-bench\r\nAccept: */*\r\n\r\n"
    )
    .into_bytes()
}

/// A request with any method; a JSON `body` goes with its `Content-Type` and length (a bodiless
/// `POST` or `PUT` still says `Content-Length: 0`).
pub fn request(method: &str, host: SocketAddr, path: &str, body: Option<&[u8]>) -> Vec<u8> {
    let mut out = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: ecs-emulator-bench\r\nAccept: */*\r\n"
    );
    match body {
        Some(b) => out.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            b.len()
        )),
        None => out.push_str("Content-Length: 0\r\n\r\n"),
    }
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body.unwrap_or_default());
    bytes
}

/// One blocking `GET` on a fresh connection (`Connection: close`): status and body.
pub fn blocking_get(addr: SocketAddr, path: &str, timeout: Duration) -> io::Result<(u16, Vec<u8>)> {
    let mut stream = std::net::TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_nodelay(true)?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes())?;
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf)?;
    match parse_head(&buf)? {
        Some((status, head, len)) if buf.len() >= head + len => {
            Ok((status, buf[head..head + len].to_vec()))
        }
        _ => Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "incomplete response",
        )),
    }
}

/// Sends one request on a fresh connection and reads the answer *while* the request is being
/// written: a server that answers before it has read the whole body (a `413` for a body over its
/// limit, then closing) is heard, where a write-then-read client sees only a broken pipe.
pub fn send_once(
    addr: SocketAddr,
    request: &[u8],
    timeout: Duration,
) -> io::Result<(u16, Vec<u8>)> {
    let mut reader = std::net::TcpStream::connect_timeout(&addr, timeout)?;
    reader.set_read_timeout(Some(timeout))?;
    reader.set_write_timeout(Some(timeout))?;
    reader.set_nodelay(true)?;
    let mut writer = reader.try_clone()?;
    std::thread::scope(|scope| {
        let sending = scope.spawn(move || writer.write_all(request));
        let answer = read_answer(&mut reader);
        // Unblocks the writer when the server answered without reading everything.
        let _ = reader.shutdown(std::net::Shutdown::Both);
        let sent = sending
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the writing thread panicked")));
        match (answer, sent) {
            (Ok(answer), _) => Ok(answer),
            (Err(_), Err(write)) => Err(write),
            (Err(read), Ok(())) => Err(read),
        }
    })
}

/// Reads one Content-Length-framed answer from a blocking stream.
fn read_answer(stream: &mut std::net::TcpStream) -> io::Result<(u16, Vec<u8>)> {
    read_answer_and_head(stream).map(|(status, _, body)| (status, body))
}

/// Reads one Content-Length-framed answer: status, head (as text) and body.
fn read_answer_and_head(stream: &mut std::net::TcpStream) -> io::Result<(u16, String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = vec![0; 64 * 1024];
    loop {
        if let Some((status, head, len)) = parse_head(&buf)? {
            if buf.len() >= head + len {
                let text = String::from_utf8_lossy(&buf[..head]).into_owned();
                return Ok((status, text, buf[head..head + len].to_vec()));
            }
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the server closed the connection before answering",
            ));
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Sends one request on a fresh blocking connection: status, the response head (status line and
/// headers, as text) and the body.
pub fn send_with_head(addr: SocketAddr, request: &[u8]) -> io::Result<(u16, String, Vec<u8>)> {
    let timeout = Duration::from_secs(30);
    let mut stream = std::net::TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.write_all(request)?;
    read_answer_and_head(&mut stream)
}

/// Polls `GET path` until it answers 200 or `deadline` passes; returns when the 200 arrived.
pub fn wait_for_200(addr: SocketAddr, path: &str, deadline: Instant) -> io::Result<Instant> {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("no 200 from {addr}{path}"),
            ));
        }
        match blocking_get(addr, path, left) {
            Ok((200, _)) => return Ok(Instant::now()),
            Ok(_) | Err(_) => std::thread::sleep(Duration::from_micros(100)),
        }
    }
}

/// Sends every request once over `connections` keep-alive connections (a preparation step, not
/// timed) and returns the answers in input order.
pub fn call_all(
    addr: SocketAddr,
    requests: Vec<Vec<u8>>,
    connections: usize,
) -> io::Result<Vec<(u16, Vec<u8>)>> {
    let connections = connections.clamp(1, requests.len().max(1));
    let mut lanes: Vec<Vec<(usize, Vec<u8>)>> = (0..connections).map(|_| Vec::new()).collect();
    for (i, r) in requests.into_iter().enumerate() {
        lanes[i % connections].push((i, r));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let mut tasks = tokio::task::JoinSet::new();
        for lane in lanes {
            tasks.spawn(async move {
                let mut conn = Conn::connect(addr).await?;
                let mut out = Vec::with_capacity(lane.len());
                for (i, req) in lane {
                    let resp = conn.call(&req).await?;
                    out.push((i, resp.status, resp.body.to_vec()));
                }
                Ok::<_, io::Error>(out)
            });
        }
        let mut all = Vec::new();
        while let Some(done) = tasks.join_next().await {
            all.extend(done.map_err(io::Error::other)??);
        }
        all.sort_by_key(|(i, _, _)| *i);
        Ok(all.into_iter().map(|(_, s, b)| (s, b)).collect())
    })
}

#[cfg(test)]
mod tests {
    use super::parse_head;

    #[test]
    fn parses_status_and_length() {
        let raw = b"HTTP/1.1 403 Forbidden\r\ncontent-length: 2\r\nx: y\r\n\r\n{}";
        assert_eq!(parse_head(raw).unwrap(), Some((403, raw.len() - 2, 2)));
        assert_eq!(parse_head(b"HTTP/1.1 200 OK\r\n").unwrap(), None);
        assert!(parse_head(b"HTTP/1.1 200 OK\r\n\r\n").is_err());
        assert!(parse_head(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n").is_err());
    }
}
