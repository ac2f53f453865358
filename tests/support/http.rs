//! A minimal HTTP/1.1 keep-alive server for GET requests, for the benches and the tests
//! that count what reaches the server. Not wiremock: wiremock keeps every request (its
//! memory would be counted as the client's) and cannot tell how many requests it holds
//! at once.

use std::future::Future;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

/// Serves on a thread of its own with its own runtime, like a remote API: the threads
/// of the client under test do not serve it. `respond` gets each request's target
/// (`/v1/events?offset=100&limit=100`) and returns the whole response (a shared one
/// need not be copied).
pub fn serve_on_thread<F, Fut>(respond: F) -> String
where
    F: Fn(String) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output: AsRef<[u8]> + Send> + Send + 'static,
{
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            accept(
                tokio::net::TcpListener::from_std(listener).unwrap(),
                respond,
            )
            .await
        });
    });
    format!("http://{address}")
}

/// Serves on the current runtime.
pub async fn serve<F, Fut>(respond: F) -> String
where
    F: Fn(String) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output: AsRef<[u8]> + Send> + Send + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(accept(listener, respond));
    format!("http://{address}")
}

async fn accept<F, Fut>(listener: tokio::net::TcpListener, respond: F)
where
    F: Fn(String) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output: AsRef<[u8]> + Send> + Send + 'static,
{
    while let Ok((stream, _)) = listener.accept().await {
        let respond = respond.clone();
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            let (read, mut write) = stream.into_split();
            let mut lines = tokio::io::BufReader::new(read).lines();
            let mut target = String::new();
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(rest) = line.strip_prefix("GET ") {
                    target = rest.split(' ').next().unwrap_or_default().to_owned();
                } else if line.is_empty() {
                    let response = respond(std::mem::take(&mut target)).await;
                    if write.write_all(response.as_ref()).await.is_err() {
                        return;
                    }
                }
            }
        });
    }
}

/// A query parameter of a request target, as a number.
pub fn number_param(target: &str, name: &str) -> Option<usize> {
    let query = target.split_once('?')?.1;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
        .and_then(|value| value.parse().ok())
}

/// A whole response, head and body in one buffer: written in two, the body would wait
/// on Nagle's algorithm.
pub fn response(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut head = format!("HTTP/1.1 {status} X\r\ncontent-length: {}\r\n", body.len());
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut response = head.into_bytes();
    response.extend_from_slice(body);
    response
}

/// A 200 response with a JSON body.
pub fn json(body: &[u8]) -> Vec<u8> {
    response(200, &[("content-type", "application/json")], body)
}
