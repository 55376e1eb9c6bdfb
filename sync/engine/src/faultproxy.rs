//! [`FaultProxy`]: a TCP proxy for tests and benchmarks that sits between the engine and
//! central and misbehaves on purpose: cuts connections mid-request or mid-response,
//! delays, drops, answers 5xx, and caps bandwidth with a token bucket. It works below TLS,
//! so it exercises the real stack.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What to do to one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Pass through untouched.
    None,
    /// Close both sides after this many bytes went from client to server.
    CutRequestAfter(u64),
    /// Close both sides after this many bytes went from server to client.
    CutResponseAfter(u64),
    /// Wait this long before connecting upstream.
    Delay(Duration),
    /// Accept and close at once.
    Drop,
    /// Answer `503 Service Unavailable` without contacting central.
    ServiceUnavailable,
}

/// Shared settings of the proxy (changeable while it runs).
#[derive(Debug)]
struct Plan {
    upstream: SocketAddr,
    /// Faults for the next connections, in order; afterwards `default_fault`.
    queue: VecDeque<Fault>,
    default_fault: Fault,
    /// Bytes per second in each direction, when capped.
    rate: Option<u64>,
}

#[derive(Debug)]
struct Bucket {
    rate: u64,
    tokens: f64,
    last: Instant,
}

/// A running fault-injecting proxy.
#[derive(Debug, Clone)]
pub struct FaultProxy {
    addr: SocketAddr,
    plan: Arc<Mutex<Plan>>,
    up_bucket: Arc<tokio::sync::Mutex<Option<Bucket>>>,
    down_bucket: Arc<tokio::sync::Mutex<Option<Bucket>>>,
    stats: Arc<Mutex<ProxyStats>>,
    /// Bumped by [`FaultProxy::cut_all`]: every open connection ends.
    cuts: Arc<tokio::sync::watch::Sender<u64>>,
}

/// Counters of what went through.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProxyStats {
    /// Connections accepted.
    pub connections: u64,
    /// Bytes from client to server.
    pub bytes_up: u64,
    /// Bytes from server to client.
    pub bytes_down: u64,
    /// Faults applied (other than `None`).
    pub faults: u64,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl FaultProxy {
    /// Starts a proxy on `127.0.0.1` (random port) forwarding to `upstream`.
    pub async fn start(upstream: SocketAddr) -> std::io::Result<FaultProxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let proxy = FaultProxy {
            addr: listener.local_addr()?,
            plan: Arc::new(Mutex::new(Plan {
                upstream,
                queue: VecDeque::new(),
                default_fault: Fault::None,
                rate: None,
            })),
            up_bucket: Arc::new(tokio::sync::Mutex::new(None)),
            down_bucket: Arc::new(tokio::sync::Mutex::new(None)),
            stats: Arc::new(Mutex::new(ProxyStats::default())),
            cuts: Arc::new(tokio::sync::watch::channel(0).0),
        };
        let p = proxy.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let p = p.clone();
                tokio::spawn(async move { p.handle(stream).await });
            }
        });
        Ok(proxy)
    }

    /// Where clients connect.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Points the proxy at another upstream (central restarted elsewhere).
    pub fn set_upstream(&self, upstream: SocketAddr) {
        lock(&self.plan).upstream = upstream;
    }

    /// Queues faults for the next connections.
    pub fn push_faults(&self, faults: impl IntoIterator<Item = Fault>) {
        lock(&self.plan).queue.extend(faults);
    }

    /// The fault for connections once the queue is empty.
    pub fn set_default_fault(&self, fault: Fault) {
        lock(&self.plan).default_fault = fault;
    }

    /// Caps bandwidth in each direction (token bucket), or lifts the cap.
    pub async fn set_rate(&self, bytes_per_sec: Option<u64>) {
        lock(&self.plan).rate = bytes_per_sec;
        let make = |rate| Bucket {
            rate,
            tokens: 0.0,
            last: Instant::now(),
        };
        *self.up_bucket.lock().await = bytes_per_sec.map(make);
        *self.down_bucket.lock().await = bytes_per_sec.map(make);
    }

    /// Severs every open connection at once (the cable pulled; kept-alive connections
    /// too). New connections meet the faults as usual: set a default fault of
    /// [`Fault::Drop`] first to keep the link down.
    pub fn cut_all(&self) {
        self.cuts.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// What went through so far.
    pub fn stats(&self) -> ProxyStats {
        *lock(&self.stats)
    }

    async fn handle(&self, mut client: TcpStream) {
        let mut cut = self.cuts.subscribe();
        let _ = client.set_nodelay(true);
        let (fault, upstream) = {
            let mut plan = lock(&self.plan);
            let fault = plan.queue.pop_front().unwrap_or(plan.default_fault);
            (fault, plan.upstream)
        };
        {
            let mut s = lock(&self.stats);
            s.connections += 1;
            if fault != Fault::None {
                s.faults += 1;
            }
        }
        match fault {
            Fault::Drop => return,
            Fault::ServiceUnavailable => {
                let body = r#"{"code":"unavailable","message":"proxy 503"}"#;
                let answer = format!(
                    "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                // Read a little of the request first so the client is mid-exchange.
                let mut buf = [0u8; 1024];
                let _ =
                    tokio::time::timeout(Duration::from_millis(200), client.read(&mut buf)).await;
                let _ = client.write_all(answer.as_bytes()).await;
                let _ = client.shutdown().await;
                return;
            }
            Fault::Delay(d) => tokio::time::sleep(d).await,
            _ => {}
        }
        let Ok(server) = TcpStream::connect(upstream).await else {
            return;
        };
        let _ = server.set_nodelay(true);
        let (cut_up, cut_down) = match fault {
            Fault::CutRequestAfter(n) => (Some(n), None),
            Fault::CutResponseAfter(n) => (None, Some(n)),
            _ => (None, None),
        };
        let (cr, cw) = client.into_split();
        let (sr, sw) = server.into_split();
        let up = self.pump(cr, sw, cut_up, self.up_bucket.clone(), true);
        let down = self.pump(sr, cw, cut_down, self.down_bucket.clone(), false);
        tokio::pin!(up, down);
        // When either direction is cut, drop both: the peer sees a reset mid-exchange.
        tokio::select! {
            cut = &mut up => if !cut {
                // The client finished sending: let the answer flow.
                let _ = (&mut down).await;
            },
            _ = &mut down => {},
            // Dropping both pumps closes both sockets.
            _ = cut.changed() => {},
        }
    }

    async fn pump(
        &self,
        mut from: tokio::net::tcp::OwnedReadHalf,
        mut to: tokio::net::tcp::OwnedWriteHalf,
        cut_after: Option<u64>,
        bucket: Arc<tokio::sync::Mutex<Option<Bucket>>>,
        upward: bool,
    ) -> bool {
        let mut buf = vec![0u8; 16 * 1024];
        let mut passed = 0u64;
        loop {
            let max = match cut_after {
                Some(limit) => ((limit - passed) as usize).min(buf.len()),
                None => buf.len(),
            };
            if max == 0 {
                return true;
            }
            // Small reads when throttled so the bucket meters smoothly.
            let max = if lock(&self.plan).rate.is_some() {
                max.min(4096)
            } else {
                max
            };
            let n = match from.read(&mut buf[..max]).await {
                Ok(0) | Err(_) => {
                    let _ = to.shutdown().await;
                    return false;
                }
                Ok(n) => n,
            };
            take_tokens(&bucket, n).await;
            if to.write_all(&buf[..n]).await.is_err() {
                return false;
            }
            passed += n as u64;
            {
                let mut s = lock(&self.stats);
                if upward {
                    s.bytes_up += n as u64;
                } else {
                    s.bytes_down += n as u64;
                }
            }
        }
    }
}

async fn take_tokens(bucket: &tokio::sync::Mutex<Option<Bucket>>, n: usize) {
    loop {
        let wait = {
            let mut guard = bucket.lock().await;
            let Some(b) = guard.as_mut() else { return };
            let now = Instant::now();
            let elapsed = now.duration_since(b.last).as_secs_f64();
            b.last = now;
            // At most a 16 KiB burst.
            b.tokens = (b.tokens + elapsed * b.rate as f64).min(16_384.0_f64.max(n as f64));
            if b.tokens >= n as f64 {
                b.tokens -= n as f64;
                return;
            }
            Duration::from_secs_f64((n as f64 - b.tokens) / b.rate as f64)
        };
        tokio::time::sleep(wait).await;
    }
}
