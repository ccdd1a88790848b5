//! The `websocket_probe` fact: open a WebSocket to a URL the pack names and
//! report what happened, as a WebSocket client sees it. This is the only
//! network access clawcheck has (the `--deep` gateway probe), so it is
//! narrow and bounded:
//!
//! - `ws://` only speaks WebSocket; for `wss://` (clawcheck builds no TLS
//!   stack) the TCP connection is opened and closed, nothing is sent.
//! - What is sent: the HTTP upgrade request (`GET <path>`, `Host`,
//!   `Connection`, `Upgrade`, `Sec-WebSocket-Version`, `Sec-WebSocket-Key`),
//!   then, once the server has sent its first message or closed, a close
//!   frame. The URL's user info, query and fragment are never sent, and no
//!   credential is: clawcheck does not authenticate.
//! - Bounded: one deadline for everything (name lookup, connect, upgrade,
//!   first message), at most [`MAX_READ_BYTES`] read from the peer, and the
//!   first message kept only up to [`MAX_MESSAGE_BYTES`].
//!
//! Errors are worded as Node's `ws` client words them (`connect ECONNREFUSED
//! 127.0.0.1:18789`, `socket hang up`), so a pack can repeat them as the
//! audited tool does.

use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::lang::{Map, Value};

/// Most bytes read from the peer in one probe (the upgrade response and the
/// first message together).
pub const MAX_READ_BYTES: u64 = 256 * 1024;
/// Largest first message kept (longer ones end the probe as an error).
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;
/// Longest a pack may ask a probe to take.
pub const MAX_TIMEOUT_MS: u64 = 30_000;

/// What the probe saw. Fields a stage did not reach stay null.
#[derive(Debug, Default, PartialEq)]
pub struct Probe {
    /// The TCP connection and, for `ws://`, the upgrade succeeded.
    pub opened: bool,
    /// The HTTP status of a refused upgrade.
    pub status: Option<u16>,
    /// Why the probe failed, in Node's words.
    pub error: Option<String>,
    /// The deadline passed first.
    pub timed_out: bool,
    /// The close the server sent (or 1006 when the connection dropped
    /// after the upgrade without one).
    pub close: Option<(u16, String)>,
    /// The first text (or binary, decoded lossily) message.
    pub message: Option<String>,
}

/// `{url, attempted, opened, status, error, timed_out, close: {code,
/// reason} | null, message}` for the probe of `url` within `timeout_ms`.
pub fn read(url: &str, timeout_ms: u64) -> Value {
    let timeout = Duration::from_millis(timeout_ms.min(MAX_TIMEOUT_MS));
    record(url, true, &probe(url, Instant::now() + timeout))
}

/// The record of a probe (`attempted: false`: none was made).
pub fn record(url: &str, attempted: bool, p: &Probe) -> Value {
    let mut m = Map::new();
    m.insert("url".into(), Value::str(url));
    m.insert("attempted".into(), Value::Bool(attempted));
    m.insert("opened".into(), Value::Bool(p.opened));
    m.insert("status".into(), p.status.map_or(Value::Null, |s| Value::Int(i64::from(s))));
    m.insert("error".into(), p.error.as_deref().map_or(Value::Null, Value::str));
    m.insert("timed_out".into(), Value::Bool(p.timed_out));
    let close = p.close.as_ref().map_or(Value::Null, |(code, reason)| {
        let mut c = Map::new();
        c.insert("code".into(), Value::Int(i64::from(*code)));
        c.insert("reason".into(), Value::str(reason.as_str()));
        Value::map(c)
    });
    m.insert("close".into(), close);
    m.insert("message".into(), p.message.as_deref().map_or(Value::Null, Value::str));
    Value::map(m)
}

fn failed(error: impl Into<String>) -> Probe {
    Probe { error: Some(error.into()), ..Probe::default() }
}

fn timed_out() -> Probe {
    Probe { timed_out: true, ..Probe::default() }
}

/// Probes `url` before `deadline`.
pub fn probe(url: &str, deadline: Instant) -> Probe {
    let Ok(parsed) = url::Url::parse(url) else { return failed(format!("Invalid URL: {url}")) };
    let tls = match parsed.scheme() {
        "ws" => false,
        "wss" => true,
        other => {
            return failed(format!(
                "The URL's protocol must be one of \"ws:\", \"wss:\", \"http:\", \"https:\", or \"ws+unix:\" (got {other}:)"
            ));
        }
    };
    let Some(host) = parsed.host_str().filter(|h| !h.is_empty()) else { return failed(format!("Invalid URL: {url}")) };
    let host = host.trim_start_matches('[').trim_end_matches(']').to_string();
    let port = parsed.port_or_known_default().unwrap_or(if tls { 443 } else { 80 });
    let addrs = match resolve(&host, port, deadline) {
        Resolved::Addrs(a) => a,
        Resolved::TimedOut => return timed_out(),
        Resolved::NotFound => return failed(format!("getaddrinfo ENOTFOUND {host}")),
    };
    let stream = match connect(&addrs, deadline) {
        Ok(s) => s,
        Err(p) => return p,
    };
    if tls {
        // No TLS stack: the gateway accepted the connection, which is as far
        // as clawcheck goes. Nothing was sent.
        return Probe { opened: true, ..Probe::default() };
    }
    let mut path = parsed.path().to_string();
    if path.is_empty() {
        path.push('/');
    }
    let authority = match parsed.port() {
        Some(p) => format!("{}:{p}", parsed.host_str().unwrap_or_default()),
        None => parsed.host_str().unwrap_or_default().to_string(),
    };
    upgrade(&format!("ws://{authority}{path}"), Bounded { inner: stream, deadline, read: 0 })
}

enum Resolved {
    Addrs(Vec<SocketAddr>),
    TimedOut,
    NotFound,
}

/// The host's addresses: an IP literal as it is, a name through the system
/// resolver on a thread of its own, so a resolver that hangs cannot hold
/// the audit past the deadline.
fn resolve(host: &str, port: u16, deadline: Instant) -> Resolved {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Resolved::Addrs(vec![SocketAddr::new(ip, port)]);
    }
    let (tx, rx) = mpsc::channel();
    let name = host.to_string();
    std::thread::spawn(move || {
        let found = (name.as_str(), port).to_socket_addrs().map(Iterator::collect::<Vec<_>>);
        let _ = tx.send(found);
    });
    match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        Ok(Ok(addrs)) if !addrs.is_empty() => Resolved::Addrs(addrs),
        Ok(_) => Resolved::NotFound,
        Err(_) => Resolved::TimedOut,
    }
}

/// The first address that accepts, else the last one's error.
fn connect(addrs: &[SocketAddr], deadline: Instant) -> Result<TcpStream, Probe> {
    let mut last = failed("connect failed");
    for addr in addrs {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(timed_out());
        }
        match TcpStream::connect_timeout(addr, left) {
            Ok(s) => return Ok(s),
            Err(e) if matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock) => {
                return Err(timed_out());
            }
            Err(e) => last = failed(format!("connect {} {}:{}", errno_name(&e), addr.ip(), addr.port())),
        }
    }
    Err(last)
}

/// Node's name for a connection error (`ECONNREFUSED`).
fn errno_name(e: &io::Error) -> String {
    use io::ErrorKind as K;
    match e.kind() {
        K::ConnectionRefused => "ECONNREFUSED".into(),
        K::ConnectionReset => "ECONNRESET".into(),
        K::HostUnreachable => "EHOSTUNREACH".into(),
        K::NetworkUnreachable => "ENETUNREACH".into(),
        K::AddrNotAvailable => "EADDRNOTAVAIL".into(),
        K::PermissionDenied => "EACCES".into(),
        _ => e.raw_os_error().map_or_else(|| e.to_string(), |n| format!("errno {n}")),
    }
}

/// The upgrade and the first message.
fn upgrade(request: &str, stream: Bounded) -> Probe {
    use tungstenite::Message;
    use tungstenite::error::{Error, ProtocolError};
    use tungstenite::handshake::HandshakeError;
    let config = tungstenite::protocol::WebSocketConfig::default()
        .read_buffer_size(16 * 1024)
        .max_message_size(Some(MAX_MESSAGE_BYTES))
        .max_frame_size(Some(MAX_MESSAGE_BYTES));
    let mut ws = match tungstenite::client::client_with_config(request, stream, Some(config)) {
        Ok((ws, _)) => ws,
        Err(HandshakeError::Interrupted(_)) => return timed_out(),
        Err(HandshakeError::Failure(e)) => {
            return match e {
                Error::Http(response) => {
                    let status = response.status().as_u16();
                    Probe {
                        status: Some(status),
                        error: Some(format!("Unexpected server response: {status}")),
                        ..Probe::default()
                    }
                }
                Error::Io(e) if e.kind() == io::ErrorKind::TimedOut => timed_out(),
                // Node's http client: the connection ended (or was reset)
                // before a response.
                Error::Io(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::UnexpectedEof | io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe
                    ) =>
                {
                    failed("socket hang up")
                }
                Error::Io(e) => failed(e.to_string()),
                // tungstenite reads at most 64 KiB of response head (Node's
                // parser stops earlier, with this message).
                Error::AttackAttempt => failed("Parse Error: Header overflow"),
                Error::Protocol(ProtocolError::HandshakeIncomplete) => failed("socket hang up"),
                Error::Protocol(ProtocolError::SecWebSocketAcceptKeyMismatch) => {
                    failed("Invalid Sec-WebSocket-Accept header")
                }
                other => failed(other.to_string()),
            };
        }
    };
    let mut probe = Probe { opened: true, ..Probe::default() };
    loop {
        match ws.read() {
            Ok(Message::Text(t)) => {
                probe.message = Some(t.as_str().to_string());
                break;
            }
            Ok(Message::Binary(b)) => {
                probe.message = Some(String::from_utf8_lossy(&b).into_owned());
                break;
            }
            Ok(Message::Close(frame)) => {
                // A close without a status code reads as 1005, as the
                // WebSocket API reports it.
                probe.close = Some(frame.map_or((1005, String::new()), |f| (u16::from(f.code), f.reason.to_string())));
                break;
            }
            Ok(_) => {} // ping, pong: tungstenite answers pings itself
            Err(Error::Io(e)) if e.kind() == io::ErrorKind::TimedOut => {
                probe.timed_out = true;
                return probe;
            }
            Err(Error::Io(e)) if e.kind() == io::ErrorKind::Other => {
                probe.error = Some(e.to_string());
                probe.close = Some((1006, String::new()));
                return probe;
            }
            Err(
                Error::Io(_)
                | Error::ConnectionClosed
                | Error::AlreadyClosed
                | Error::Protocol(ProtocolError::ResetWithoutClosingHandshake),
            ) => {
                probe.close = Some((1006, String::new()));
                return probe;
            }
            Err(other) => {
                probe.error = Some(other.to_string());
                probe.close = Some((1006, String::new()));
                return probe;
            }
        }
    }
    // Say goodbye within what is left of the deadline; the outcome is known.
    let _ = ws.close(None);
    let _ = ws.flush();
    probe
}

/// The TCP stream with the probe's deadline on every read and write, and a
/// cap on the bytes read.
struct Bounded {
    inner: TcpStream,
    deadline: Instant,
    read: u64,
}

impl Bounded {
    fn left(&self) -> io::Result<Duration> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() { Err(io::ErrorKind::TimedOut.into()) } else { Ok(left) }
    }
}

/// A read timeout reads as `WouldBlock` on some systems, which tungstenite
/// takes for a non-blocking stream: both are the deadline here.
fn deadline_error(e: io::Error) -> io::Error {
    if e.kind() == io::ErrorKind::WouldBlock { io::ErrorKind::TimedOut.into() } else { e }
}

impl Read for Bounded {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.left()?;
        if self.read >= MAX_READ_BYTES {
            return Err(io::Error::other(format!("the gateway sent more than {MAX_READ_BYTES} bytes")));
        }
        self.inner.set_read_timeout(Some(left))?;
        let room = usize::try_from(MAX_READ_BYTES - self.read).unwrap_or(usize::MAX).min(buf.len());
        let n = self.inner.read(&mut buf[..room]).map_err(deadline_error)?;
        self.read += n as u64;
        Ok(n)
    }
}

impl Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let left = self.left()?;
        self.inner.set_write_timeout(Some(left))?;
        self.inner.write(buf).map_err(deadline_error)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    fn soon() -> Instant {
        Instant::now() + Duration::from_secs(5)
    }

    #[test]
    fn a_closed_port_is_refused_in_nodes_words() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let p = probe(&format!("ws://127.0.0.1:{port}"), soon());
        assert_eq!(p, failed(format!("connect ECONNREFUSED 127.0.0.1:{port}")));
    }

    #[test]
    fn a_server_that_hangs_up_before_answering_is_a_hang_up() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || drop(listener.accept().unwrap()));
        let p = probe(&format!("ws://127.0.0.1:{port}"), soon());
        server.join().unwrap();
        assert_eq!(p, failed("socket hang up"));
    }

    #[test]
    fn a_silent_server_runs_into_the_deadline() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let p = probe(&format!("ws://127.0.0.1:{port}"), Instant::now() + Duration::from_millis(300));
        assert_eq!(p, timed_out());
        drop(listener);
    }

    #[test]
    fn urls_that_are_not_websocket_urls_are_errors() {
        assert_eq!(
            probe("http://127.0.0.1:1", soon()).error.as_deref().map(|e| e.starts_with("The URL's protocol")),
            Some(true)
        );
        assert_eq!(probe("not a url", soon()), failed("Invalid URL: not a url"));
    }
}
