//! Authentication: what a request carries to prove who sends it.

use crate::{Error, Result, Secret};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Where an api key travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiKeyLocation {
    /// `<name>: <key>` header, no prefix.
    Header,
    /// `?<name>=<key>` on every request, next-page URLs included.
    Query,
    /// `Cookie: <name>=<key>` (dlt raises NotImplemented here).
    Cookie,
}

/// The authentication of a connector (or of one endpoint), with its secrets filled in
/// at run time.
#[derive(Clone, Debug, Default)]
pub enum Auth {
    #[default]
    None,
    /// `Authorization: Bearer <token>`.
    Bearer { token: Secret },
    /// An api key in a header, the query string or a cookie.
    ApiKey {
        name: String,
        location: ApiKeyLocation,
        key: Secret,
    },
    /// `Authorization: Basic base64(username:password)`.
    HttpBasic { username: String, password: Secret },
    /// OAuth2 client credentials: a token fetched from `access_token_url`, cached until
    /// shortly before it expires, sent as a bearer token. Build it with [`Auth::oauth2`].
    OAuth2ClientCredentials(Arc<OAuth2>),
}

/// Settings of OAuth2 client-credentials auth.
#[derive(Debug)]
pub struct OAuth2 {
    pub access_token_url: String,
    pub client_id: Secret,
    pub client_secret: Secret,
    /// Extra form fields of the token request (dlt's `access_token_request_data`).
    pub request_data: Vec<(String, String)>,
    /// Lifetime of a token whose response has no `expires_in` (dlt: 3600 s).
    pub default_expiration: Duration,
    token: tokio::sync::Mutex<Option<Token>>,
    /// The token replaced last: still masked (a request may still carry it), unlike the
    /// ones before it, so that the forms masking searches for do not pile up.
    retired: std::sync::Mutex<Option<Secret>>,
}

#[derive(Debug)]
struct Token {
    value: Secret,
    refresh_at: Instant,
}

impl Auth {
    /// OAuth2 client-credentials auth with an empty token cache.
    pub fn oauth2(
        access_token_url: impl Into<String>,
        client_id: impl Into<Secret>,
        client_secret: impl Into<Secret>,
        request_data: Vec<(String, String)>,
        default_expiration: Duration,
    ) -> Auth {
        Auth::OAuth2ClientCredentials(Arc::new(OAuth2 {
            access_token_url: access_token_url.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            request_data,
            default_expiration,
            token: tokio::sync::Mutex::new(None),
            retired: std::sync::Mutex::new(None),
        }))
    }

    /// The query parameter this auth adds to every request, if any.
    pub(crate) fn query_param(&self) -> Option<(&str, &str)> {
        match self {
            Auth::ApiKey {
                name,
                location: ApiKeyLocation::Query,
                key,
            } => Some((name, key.expose())),
            _ => None,
        }
    }

    /// Remembers, for masking, the secrets this auth derives from its [`Secret`]s (which
    /// are remembered already): the base64 of basic credentials.
    pub(crate) fn remember_derived_secrets(&self) {
        if let Auth::HttpBasic { username, password } = self {
            crate::mask::remember_basic(username, password.expose());
        }
    }

    /// Whether requests under this auth carry a credential.
    pub(crate) fn sends_credentials(&self) -> bool {
        !matches!(self, Auth::None)
    }

    /// Adds the headers of this auth to a request; fetches an OAuth2 token first when
    /// there is none or it is about to expire.
    pub(crate) async fn apply(
        &self,
        http: &reqwest::Client,
        request: reqwest::RequestBuilder,
        resource: &'static str,
    ) -> Result<reqwest::RequestBuilder> {
        Ok(match self {
            Auth::None => request,
            Auth::Bearer { token } => request.header(
                reqwest::header::AUTHORIZATION,
                sensitive(&format!("Bearer {}", token.expose()))?,
            ),
            Auth::ApiKey {
                name,
                location: ApiKeyLocation::Header,
                key,
            } => request.header(name.as_str(), sensitive(key.expose())?),
            Auth::ApiKey {
                name,
                location: ApiKeyLocation::Cookie,
                key,
            } => request.header(
                reqwest::header::COOKIE,
                sensitive(&format!("{name}={}", key.expose()))?,
            ),
            Auth::ApiKey { .. } => request,
            Auth::HttpBasic { username, password } => {
                request.basic_auth(username, Some(password.expose()))
            }
            Auth::OAuth2ClientCredentials(oauth) => {
                let token = oauth.token(http, resource).await?;
                request.header(
                    reqwest::header::AUTHORIZATION,
                    sensitive(&format!("Bearer {}", token.expose()))?,
                )
            }
        })
    }

    /// After a 401: forgets a cached OAuth2 token. Returns whether there was one to
    /// forget (and so whether the request is worth sending once more).
    pub(crate) async fn forget_token(&self) -> bool {
        match self {
            Auth::OAuth2ClientCredentials(oauth) => match oauth.token.lock().await.take() {
                Some(token) => {
                    oauth.retire(token.value);
                    true
                }
                None => false,
            },
            _ => false,
        }
    }
}

/// A header value that `Debug` output does not show.
fn sensitive(value: &str) -> Result<reqwest::header::HeaderValue> {
    let mut value = reqwest::header::HeaderValue::from_str(value)
        .map_err(|_| Error::Config("a credential is not a valid header value".to_owned()))?;
    value.set_sensitive(true);
    Ok(value)
}

impl OAuth2 {
    /// Keeps `token` masked as the last one replaced, and forgets the one before it (a
    /// token handed out again is remembered again when it is made a `Secret`).
    fn retire(&self, token: Secret) {
        let mut retired = self.retired.lock().unwrap_or_else(|e| e.into_inner());
        let same = retired.as_ref() == Some(&token);
        if let Some(older) = retired.replace(token).filter(|_| !same) {
            crate::mask::forget(older.expose());
        }
    }

    /// The cached token, or a new one.
    async fn token(&self, http: &reqwest::Client, resource: &'static str) -> Result<Secret> {
        let mut cached = self.token.lock().await;
        if let Some(token) = cached.as_ref().filter(|t| Instant::now() < t.refresh_at) {
            return Ok(token.value.clone());
        }
        if let Some(expired) = cached.take() {
            self.retire(expired.value);
        }
        let form: Vec<(&str, &str)> = [
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.expose()),
            ("client_secret", self.client_secret.expose()),
        ]
        .into_iter()
        .chain(
            self.request_data
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str())),
        )
        .collect();
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let failed = |message: String| Error::Auth {
            resource,
            url: self.access_token_url.clone(),
            message,
        };
        let response = http
            .post(&self.access_token_url)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body)
            .send()
            .await
            .map_err(|e| failed(format!("token request failed: {}", e.without_url())))?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| failed(format!("token response unreadable: {}", e.without_url())))?;
        if !status.is_success() {
            // Masked before it is cut, so that no part of a secret is left.
            let text = crate::mask::mask_owned(text);
            let text: String = text.chars().take(200).collect();
            return Err(failed(format!(
                "token request returned {status}: {}",
                text.trim()
            )));
        }
        let json: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| failed(format!("token response is not JSON: {e}")))?;
        let value = json
            .get("access_token")
            .and_then(|v| v.as_str())
            .ok_or_else(|| failed("token response has no `access_token`".to_owned()))?;
        let lifetime = json
            .get("expires_in")
            .and_then(crate::util::read_integer)
            .filter(|s| *s > 0)
            .map_or(self.default_expiration, |s| Duration::from_secs(s as u64));
        // Refresh a little early, so that a token does not expire in flight: a tenth of
        // its lifetime, at most a minute.
        let margin = (lifetime / 10).min(Duration::from_secs(60));
        let token = Token {
            value: Secret::new(value),
            refresh_at: Instant::now() + lifetime - margin,
        };
        let value = token.value.clone();
        *cached = Some(token);
        tracing::debug!(
            resource,
            lifetime = lifetime.as_secs(),
            "fetched an OAuth2 token"
        );
        Ok(value)
    }
}
