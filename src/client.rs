//! A minimal HTTP/1.1 client for the binary's own subcommands (`healthcheck`, `info`, `state`,
//! …): one request per connection, fixed-length or chunked answers. No client library, so the
//! scratch image needs nothing else.

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// A request to a running emulator.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// `GET`, `POST`, `PUT`, `DELETE`.
    pub method: &'a str,
    /// The base URL, `http://HOST:PORT`.
    pub base: &'a str,
    /// Path and query, starting with `/`.
    pub path: &'a str,
    /// A JSON body.
    pub body: Option<&'a [u8]>,
    /// The control plane's bearer token.
    pub token: Option<&'a str>,
}

/// An answer.
#[derive(Debug, Clone)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// Body (decoded from chunks).
    pub body: Vec<u8>,
}

fn authority(base: &str) -> Result<&str, String> {
    base.strip_prefix("http://")
        .map(|rest| rest.trim_end_matches('/'))
        .filter(|a| !a.is_empty() && !a.contains('/'))
        .ok_or_else(|| format!("{base}: only http://HOST:PORT URLs are supported"))
}

async fn open(req: &Request<'_>) -> Result<BufReader<TcpStream>, String> {
    let authority = authority(req.base)?;
    let mut stream = TcpStream::connect(authority)
        .await
        .map_err(|e| format!("{}: {e}", req.base))?;
    let mut head = format!(
        "{} {} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\nAccept: application/json\r\n",
        req.method, req.path
    );
    if let Some(t) = req.token {
        head.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    let body = req.body.unwrap_or_default();
    if req.body.is_some() || matches!(req.method, "POST" | "PUT" | "DELETE") {
        head.push_str("Content-Type: application/json\r\n");
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    stream
        .write_all(head.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    stream.write_all(body).await.map_err(|e| e.to_string())?;
    Ok(BufReader::new(stream))
}

/// Reads the status line and headers; returns (status, chunked).
async fn read_head(reader: &mut BufReader<TcpStream>) -> Result<(u16, bool), String> {
    let mut line = String::new();
    reader
        .read_line(&mut line)
        .await
        .map_err(|e| e.to_string())?;
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("not an HTTP answer: {line:?}"))?;
    let mut chunked = false;
    loop {
        line.clear();
        let n = reader
            .read_line(&mut line)
            .await
            .map_err(|e| e.to_string())?;
        if n == 0 || line == "\r\n" {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
            chunked = true;
        }
    }
    Ok((status, chunked))
}

/// Reads one chunk of a chunked body; `None` at the end.
async fn read_chunk(reader: &mut BufReader<TcpStream>) -> Result<Option<Vec<u8>>, String> {
    let mut size = String::new();
    if reader
        .read_line(&mut size)
        .await
        .map_err(|e| e.to_string())?
        == 0
    {
        return Ok(None);
    }
    let n = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16)
        .map_err(|_| format!("bad chunk size {size:?}"))?;
    if n == 0 {
        return Ok(None);
    }
    let mut chunk = vec![0; n + 2];
    reader
        .read_exact(&mut chunk)
        .await
        .map_err(|e| e.to_string())?;
    chunk.truncate(n);
    Ok(Some(chunk))
}

/// Sends `req` and reads the whole answer within `timeout`.
///
/// # Errors
/// A connection or protocol problem, or no answer in time.
pub async fn send(req: &Request<'_>, timeout: Duration) -> Result<Answer, String> {
    let exchange = async {
        let mut reader = open(req).await?;
        let (status, chunked) = read_head(&mut reader).await?;
        let mut body = Vec::new();
        if chunked {
            while let Some(chunk) = read_chunk(&mut reader).await? {
                body.extend_from_slice(&chunk);
            }
        } else {
            reader
                .read_to_end(&mut body)
                .await
                .map_err(|e| e.to_string())?;
        }
        Ok(Answer { status, body })
    };
    tokio::time::timeout(timeout, exchange)
        .await
        .map_err(|_| format!("{}: no answer within {} s", req.base, timeout.as_secs()))?
}

/// Sends `req` and hands every piece of a streamed answer to `each` until the server ends it.
///
/// # Errors
/// A connection or protocol problem, or a status other than 200.
pub async fn stream(req: &Request<'_>, mut each: impl FnMut(&[u8])) -> Result<(), String> {
    let mut reader = open(req).await?;
    let (status, chunked) = read_head(&mut reader).await?;
    if status != 200 {
        return Err(format!("{}{} answered {status}", req.base, req.path));
    }
    if !chunked {
        let mut body = Vec::new();
        reader
            .read_to_end(&mut body)
            .await
            .map_err(|e| e.to_string())?;
        each(&body);
        return Ok(());
    }
    while let Some(chunk) = read_chunk(&mut reader).await? {
        each(&chunk);
    }
    Ok(())
}
