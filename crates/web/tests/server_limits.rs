//! The server loop over real sockets: a client that never finishes its request head is cut off
//! after the header-read timeout, idle keep-alive connections end the same way, connections
//! beyond the limit are closed at once, and real requests are served throughout.

mod common;

use common::TestApp;
use faktura_web::server::{serve_router, ServeOptions};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn start(options: ServeOptions) -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let app = TestApp::with_demo(faktura_store::test_support::sqlite().await).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(serve_router(listener, app.router, options, async move {
        let _ = stopped.await;
    }));
    (address, stop)
}

/// Whether the server closed the connection within `wait` (reads EOF or a reset).
async fn closed_within(stream: &mut TcpStream, wait: Duration) -> bool {
    let mut buffer = [0u8; 1024];
    loop {
        match tokio::time::timeout(wait, stream.read(&mut buffer)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            // A response (e.g. 408) before closing: keep reading.
            Ok(Ok(_)) => continue,
        }
    }
}

async fn healthz(address: SocketAddr) -> String {
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: faktura.test\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_string(&mut answer))
        .await
        .expect("an answer")
        .unwrap();
    answer
}

#[tokio::test]
async fn half_sent_headers_and_idle_connections_are_closed() {
    let (address, _stop) = start(ServeOptions {
        header_read_timeout: Duration::from_millis(300),
        ..ServeOptions::default()
    })
    .await;
    let mut slow = TcpStream::connect(address).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: faktura.test\r\nX-Slow: ")
        .await
        .unwrap();
    assert!(
        closed_within(&mut slow, Duration::from_secs(3)).await,
        "a half-sent request head must not keep the connection open"
    );

    // Keep-alive: after one answer, an idle connection ends by the same timeout.
    let mut idle = TcpStream::connect(address).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: faktura.test\r\n\r\n")
        .await
        .unwrap();
    assert!(closed_within(&mut idle, Duration::from_secs(3)).await);

    assert!(healthz(address).await.starts_with("HTTP/1.1 200"));
}

#[tokio::test]
async fn connections_beyond_the_limit_are_closed_at_once() {
    let (address, _stop) = start(ServeOptions {
        header_read_timeout: Duration::from_secs(2),
        max_connections: 3,
        ..ServeOptions::default()
    })
    .await;
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut stream = TcpStream::connect(address).await.unwrap();
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\n")
            .await
            .unwrap();
        held.push(stream);
    }
    // Let the server accept the three before the fourth arrives.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut extra = TcpStream::connect(address).await.unwrap();
    assert!(
        closed_within(&mut extra, Duration::from_millis(1000)).await,
        "the fourth connection is over the limit"
    );
    // Once the slow ones are cut off, there is room again.
    for stream in &mut held {
        assert!(closed_within(stream, Duration::from_secs(5)).await);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(healthz(address).await.starts_with("HTTP/1.1 200"));
}
