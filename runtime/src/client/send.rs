//! The retry loop: sends attempts ([`super::attempt`]) until one succeeds, the policy
//! gives up, or the outcome cannot be retried; fetches a new OAuth2 token once on a 401.

use super::attempt::Outcome;
use super::request::header_map;
use super::Client;
use crate::error::seconds;
use crate::mask::{mask_owned, mask_secrets};
use crate::{Endpoint, Error, Result};
use reqwest::header::HeaderMap;
use url::Url;

/// How much of an error response's body an error message quotes.
const BODY_IN_ERRORS: usize = 512;

/// Why an attempt is retried.
enum Failure {
    Status(reqwest::StatusCode, Option<String>),
    Transport(String),
    /// Never retried.
    Refused(String),
}

impl Client {
    /// Sends one request, retrying by the policy; returns the headers and body of a
    /// success, or `None` when a response action ignores the response.
    pub(super) async fn send(
        &self,
        endpoint: &Endpoint,
        url: &Url,
        json: Option<&serde_json::Value>,
        extra_headers: &[(String, String)],
    ) -> Result<Option<(HeaderMap, Vec<u8>)>> {
        let inner = &*self.inner;
        let method = endpoint.method.as_str();
        let masked = || inner.masker.url(url);
        let max_attempts = inner.retry.max_retries.saturating_add(1);
        let mut headers = inner.headers.clone();
        headers.extend(header_map(extra_headers)?);
        let auth = inner.auth_for(endpoint);
        let mut attempt = 0;
        let mut refreshed = false;
        loop {
            attempt += 1;
            tracing::debug!(resource = endpoint.resource, url = %masked(), attempt, "{method}");
            let failure = match self.attempt(endpoint, url, json, &headers, auth).await? {
                Outcome::Success {
                    status,
                    headers,
                    body,
                } => {
                    if endpoint.ignores(status, &body) {
                        return Ok(None);
                    }
                    return Ok(Some((headers, body)));
                }
                // An OAuth2 token may have been revoked early: fetch a new one, once.
                Outcome::Status(response)
                    if response.status() == reqwest::StatusCode::UNAUTHORIZED
                        && !refreshed
                        && auth.forget_token().await =>
                {
                    refreshed = true;
                    attempt -= 1;
                    tracing::debug!(resource = endpoint.resource, "401: fetching a new token");
                    continue;
                }
                Outcome::Status(response) => {
                    let status = response.status();
                    let retry_after = response
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    if inner.retry.retries_status(status.as_u16()) && attempt < max_attempts {
                        Failure::Status(status, retry_after)
                    } else {
                        let body = response.text().await.unwrap_or_default();
                        if endpoint.ignores(status.as_u16(), body.as_bytes()) {
                            tracing::debug!(resource = endpoint.resource, %status, "ignored by a response action");
                            return Ok(None);
                        }
                        return Err(Error::Status {
                            resource: endpoint.resource,
                            method,
                            url: masked(),
                            status,
                            attempts: attempt,
                            // Masked before it is cut, so that no part of a secret is left.
                            body: truncate(&mask_secrets(body.trim()), BODY_IN_ERRORS).to_owned(),
                        });
                    }
                }
                Outcome::Transport(message) => Failure::Transport(message),
                Outcome::Refused(message) => Failure::Refused(message),
            };
            let (retry_after, reason) = match failure {
                Failure::Status(status, retry_after) => (retry_after, status.to_string()),
                Failure::Transport(message) if attempt < max_attempts => (None, message),
                Failure::Transport(message) | Failure::Refused(message) => {
                    return Err(Error::Transport {
                        resource: endpoint.resource,
                        method,
                        url: masked(),
                        attempts: attempt,
                        message: mask_owned(message),
                    })
                }
            };
            let delay = inner.retry.delay(attempt, retry_after.as_deref());
            tracing::warn!(
                resource = endpoint.resource,
                url = %masked(),
                "{method} failed ({}); retry {attempt} of {} in {}",
                mask_secrets(&reason),
                max_attempts - 1,
                seconds(delay)
            );
            tokio::time::sleep(delay).await;
        }
    }
}

fn truncate(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}
