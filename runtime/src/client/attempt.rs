//! One HTTP attempt: build the request (method, headers, body, auth), send it, and read
//! the body of a success. What to do with the outcome is the retry loop's business
//! ([`super::send`]).

use super::Client;
use crate::{Auth, Endpoint, Result};
use reqwest::header::HeaderMap;
use url::Url;

/// What one attempt got.
pub(super) enum Outcome {
    /// A success, with its body read.
    Success {
        status: u16,
        headers: HeaderMap,
        body: Vec<u8>,
    },
    /// Any other status; the body is still unread.
    Status(reqwest::Response),
    /// No response, or a body that broke off: the reason, without the URL.
    Transport(String),
    /// A redirect this client does not follow (see [`super::redirect`]): not retried.
    Refused(String),
}

impl Client {
    /// Sends `url` once, as `endpoint` says (method, body) with `headers` and `auth`.
    pub(super) async fn attempt(
        &self,
        endpoint: &Endpoint,
        url: &Url,
        json: Option<&serde_json::Value>,
        headers: &HeaderMap,
        auth: &Auth,
    ) -> Result<Outcome> {
        let inner = &*self.inner;
        let method = match endpoint.method {
            crate::Method::Get => reqwest::Method::GET,
            crate::Method::Post => reqwest::Method::POST,
        };
        let request = inner
            .http
            .request(method, url.clone())
            .headers(headers.clone());
        let request = match (json, endpoint.data) {
            (Some(json), _) => request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(json.to_string()),
            (None, data) if !data.is_empty() => request
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(
                    url::form_urlencoded::Serializer::new(String::new())
                        .extend_pairs(data)
                        .finish(),
                ),
            _ => request,
        };
        let request = auth.apply(&inner.http, request, endpoint.resource).await?;
        Ok(match request.send().await {
            Ok(response) if response.status().is_success() => {
                let status = response.status().as_u16();
                let headers = response.headers().clone();
                match response.bytes().await {
                    Ok(body) => Outcome::Success {
                        status,
                        headers,
                        body: body.to_vec(),
                    },
                    Err(e) => Outcome::Transport(describe(&e)),
                }
            }
            Ok(response) => Outcome::Status(response),
            Err(e) if e.is_redirect() => Outcome::Refused(describe(&e)),
            Err(e) => Outcome::Transport(describe(&e)),
        })
    }
}

/// A transport error's text without its URL (which may hold secrets).
fn describe(error: &reqwest::Error) -> String {
    use std::error::Error as _;
    let kind = if error.is_redirect() {
        "redirect refused"
    } else if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_body() || error.is_decode() {
        "broken response body"
    } else {
        "request failed"
    };
    let mut message = kind.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}
