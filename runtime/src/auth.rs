//! Authentication: what a request carries to prove who sends it.

use crate::Secret;

/// Where an api key travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiKeyLocation {
    /// `<name>: <key>` header, no prefix.
    Header,
    /// `?<name>=<key>` on every request, next-page URLs included.
    Query,
}

/// The authentication of a connector, with its secrets filled in at run time.
#[derive(Clone, Debug, Default)]
pub enum Auth {
    #[default]
    None,
    /// `Authorization: Bearer <token>`.
    Bearer { token: Secret },
    /// An api key in a header or the query string.
    ApiKey {
        name: String,
        location: ApiKeyLocation,
        key: Secret,
    },
    /// `Authorization: Basic base64(username:password)`.
    HttpBasic { username: String, password: Secret },
}

impl Auth {
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

    /// Secret values, so that they can be masked wherever text leaves the runtime.
    pub(crate) fn secrets(&self) -> Vec<Secret> {
        match self {
            Auth::None => vec![],
            Auth::Bearer { token } => vec![token.clone()],
            Auth::ApiKey { key, .. } => vec![key.clone()],
            Auth::HttpBasic { password, .. } => vec![password.clone()],
        }
    }

    /// Adds the headers of this auth to a request.
    pub(crate) fn apply(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self {
            Auth::None => request,
            Auth::Bearer { token } => request.bearer_auth(token.expose()),
            Auth::ApiKey {
                name,
                location: ApiKeyLocation::Header,
                key,
            } => match reqwest::header::HeaderValue::from_str(key.expose()) {
                Ok(mut value) => {
                    value.set_sensitive(true);
                    request.header(name.as_str(), value)
                }
                // An api key that is not a valid header value: let reqwest report it
                // without echoing the value.
                Err(_) => request.header(name.as_str(), "\u{0}"),
            },
            Auth::ApiKey { .. } => request,
            Auth::HttpBasic { username, password } => {
                request.basic_auth(username, Some(password.expose()))
            }
        }
    }
}
