//! The first request of an endpoint, and the header and query parts every request has.

use super::Client;
use crate::paginate::Prepared;
use crate::template::Context;
use crate::{Endpoint, Error, Result};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use url::Url;

impl Client {
    /// The first request of an endpoint: URL with the endpoint's params, headers, JSON
    /// body; for a child resource, with the parent record's values filled in.
    pub(super) fn first_request(
        &self,
        endpoint: &Endpoint,
        context: Option<&Context>,
    ) -> Result<Prepared> {
        let render = |text: &str| -> Result<String> {
            match context {
                Some(context) => context.render(text),
                None => Ok(text.to_owned()),
            }
        };
        let path = render(endpoint.path)?;
        let joined = if path.starts_with("http://") || path.starts_with("https://") {
            path
        } else {
            format!(
                "{}/{}",
                self.inner.base_url.trim_end_matches('/'),
                path.trim_start_matches('/')
            )
        };
        let mut url = Url::parse(&joined).map_err(|e| {
            Error::Config(format!(
                "resource `{}`: `{joined}` is not a URL: {e}",
                endpoint.resource
            ))
        })?;
        if !endpoint.params.is_empty() {
            let params = endpoint
                .params
                .iter()
                .map(|(k, v)| Ok((*k, render(v)?)))
                .collect::<Result<Vec<_>>>()?;
            url.query_pairs_mut().extend_pairs(params);
        }
        let headers = endpoint
            .headers
            .iter()
            .map(|(k, v)| Ok((k.to_string(), render(v)?)))
            .collect::<Result<Vec<_>>>()?;
        let json = endpoint
            .json
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| {
                Error::Config(format!(
                    "resource `{}`: the JSON body is not JSON: {e}",
                    endpoint.resource
                ))
            })?;
        let json = match (json, context) {
            (Some(json), Some(context)) => Some(context.render_json(&json)?),
            (json, _) => json,
        };
        let mut prepared = Prepared { url, json, headers };
        if let Some(tracker) = context.and_then(|c| c.incremental) {
            for (name, value) in tracker.params() {
                prepared.set(crate::paginate::Target::Param(name), value);
            }
        }
        Ok(prepared)
    }

    /// The URL as sent: with the query api key, on every request (next links included).
    pub(super) fn url_with_auth(&self, endpoint: &Endpoint, url: &Url) -> Url {
        let mut url = url.clone();
        if let Some((name, value)) = self.inner.auth_for(endpoint).query_param() {
            crate::util::set_query(&mut url, name, value);
        }
        url
    }
}

pub(super) fn header_map<N: AsRef<str>, V: AsRef<str>>(headers: &[(N, V)]) -> Result<HeaderMap> {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let (name, value) = (name.as_ref(), value.as_ref());
        map.insert(header_name(name)?, header_value(name, value)?);
    }
    Ok(map)
}

fn header_name(name: &str) -> Result<HeaderName> {
    HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| Error::Config(format!("`{name}` is not a valid header name")))
}

fn header_value(name: &str, value: &str) -> Result<HeaderValue> {
    HeaderValue::from_str(value)
        .map_err(|_| Error::Config(format!("the value of header `{name}` is not valid")))
}
