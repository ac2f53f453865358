//! `connectorgen mock SPEC`: a local HTTP API that speaks a spec, built from the same
//! model as the generated code, so that demos and tests need no hand-written fake.
//!
//! Every resource is served at its path and method, behind its paginator and inside
//! its data_selector envelope; child paths are filled from parent records; incremental
//! start and end parameters filter records; credentials are checked against the
//! environment variables the connector reads (unchecked when unset).

mod records;
mod respond;

use crate::model::{Auth, Connector, Method, Resource};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The access token the mock's OAuth2 token endpoint hands out.
const OAUTH_TOKEN: &str = "mock-access-token";

/// How the mock behaves.
#[derive(Clone, Debug)]
pub struct MockOptions {
    /// 0: any free port.
    pub port: u16,
    /// Records of each top-level resource (children: 1 to 3 per parent).
    pub records: u64,
    /// Every K-th request fails with 503 (0: never).
    pub fail_every: u64,
    /// Every K-th request is throttled with 429 and `Retry-After: 1` (0: never).
    pub throttle_every: u64,
}

impl Default for MockOptions {
    fn default() -> Self {
        MockOptions {
            port: 0,
            records: 250,
            fail_every: 0,
            throttle_every: 0,
        }
    }
}

/// A running mock: its address, and the task serving it.
pub struct Mock {
    pub base_url: String,
    pub address: std::net::SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Mock {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct State {
    connector: Connector,
    options: MockOptions,
    routes: Vec<Route>,
    requests: AtomicU64,
}

struct Route {
    /// `None`: the OAuth2 token endpoint.
    resource: Option<usize>,
    method: &'static str,
    segments: Vec<String>,
}

/// Starts serving `connector` on 127.0.0.1 (in the current tokio runtime).
pub async fn start(connector: Connector, options: MockOptions) -> std::io::Result<Mock> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", options.port)).await?;
    let address = listener.local_addr()?;
    let base_path = url::Url::parse(&connector.base_url)
        .map(|u| u.path().trim_end_matches('/').to_owned())
        .unwrap_or_default();
    let mut routes: Vec<Route> = connector
        .resources
        .iter()
        .enumerate()
        .map(|(i, r)| Route {
            resource: Some(i),
            method: match r.method {
                Method::Get => "GET",
                Method::Post => "POST",
            },
            segments: segments(&full_path(&base_path, &r.path)),
        })
        .collect();
    if let Auth::OAuth2 {
        access_token_url, ..
    } = &connector.auth
    {
        let path = url::Url::parse(access_token_url)
            .map(|u| u.path().to_owned())
            .unwrap_or_else(|_| full_path(&base_path, access_token_url));
        routes.push(Route {
            resource: None,
            method: "POST",
            segments: segments(&path),
        });
    }
    let base_url = format!("http://{address}{base_path}");
    let state = Arc::new(State {
        connector,
        options,
        routes,
        requests: AtomicU64::new(0),
    });
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let state = state.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request| {
                    let state = state.clone();
                    async move {
                        Ok::<_, std::convert::Infallible>(handle(&state, address, request).await)
                    }
                });
                let io = hyper_util::rt::TokioIo::new(stream);
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(io, service)
                    .await;
            });
        }
    });
    Ok(Mock {
        base_url,
        address,
        task,
    })
}

fn full_path(base_path: &str, path: &str) -> String {
    if let Ok(url) = url::Url::parse(path) {
        return url.path().to_owned();
    }
    format!("{base_path}/{}", path.trim_start_matches('/'))
}

fn segments(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The route of a path, with the values of its `{...}` segments.
fn route<'s>(state: &'s State, method: &str, path: &str) -> Option<(&'s Route, Vec<String>)> {
    let asked = segments(path);
    state.routes.iter().find_map(|route| {
        if route.method != method || route.segments.len() != asked.len() {
            return None;
        }
        let mut captured = Vec::new();
        for (template, segment) in route.segments.iter().zip(&asked) {
            if template.starts_with('{') && template.ends_with('}') {
                captured.push(segment.clone());
            } else if template != segment {
                return None;
            }
        }
        Some((route, captured))
    })
}

async fn handle(
    state: &State,
    address: std::net::SocketAddr,
    request: hyper::Request<Incoming>,
) -> hyper::Response<Full<Bytes>> {
    let n = state.requests.fetch_add(1, Ordering::Relaxed) + 1;
    let (parts, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let options = &state.options;
    if options.throttle_every > 0 && n.is_multiple_of(options.throttle_every) {
        let mut response = reply(respond::Response::error(429, "slow down"));
        response
            .headers_mut()
            .insert("retry-after", hyper::header::HeaderValue::from_static("1"));
        return response;
    }
    if options.fail_every > 0 && n.is_multiple_of(options.fail_every) {
        return reply(respond::Response::error(503, "injected failure"));
    }
    let Some((route, captured)) = route(state, parts.method.as_str(), parts.uri.path()) else {
        return reply(respond::Response::error(404, "no such resource"));
    };
    let Some(index) = route.resource else {
        return reply(respond::Response {
            status: 200,
            headers: Vec::new(),
            body: serde_json::json!({"access_token": OAUTH_TOKEN, "token_type": "bearer", "expires_in": 3600}),
        });
    };
    let resource: &Resource = &state.connector.resources[index];
    let url = url::Url::parse(&format!("http://{address}{}", parts.uri))
        .unwrap_or_else(|_| url::Url::parse("http://127.0.0.1/").expect("a fixed URL"));
    let query: BTreeMap<String, String> = url.query_pairs().into_owned().collect();
    let request = respond::Request {
        url: &url,
        query,
        headers: &parts.headers,
        body: serde_json::from_slice(&body).ok(),
    };
    if let Some(denied) = respond::check_auth(&state.connector, resource, &request) {
        return reply(denied);
    }
    // A child's records are numbered after the parent value in its path.
    let seed = captured
        .iter()
        .find_map(|c| {
            c.parse::<u64>()
                .ok()
                .or_else(|| c.rsplit('-').next()?.parse().ok())
        })
        .unwrap_or(0);
    reply(respond::page(resource, &request, seed, options.records))
}

fn reply(response: respond::Response) -> hyper::Response<Full<Bytes>> {
    let mut builder = hyper::Response::builder()
        .status(response.status)
        .header("content-type", "application/json");
    for (name, value) in &response.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    builder
        .body(Full::new(Bytes::from(response.body.to_string())))
        .unwrap_or_else(|_| hyper::Response::new(Full::new(Bytes::from_static(b"{}"))))
}
