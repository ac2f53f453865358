//! `json_link` and `header_link`: the API names the next page's URL.

use super::{find, Prepared, Seen};
use crate::select::Selector;
use url::Url;

/// dlt's `json_link` paginator (alias `json_response`).
#[derive(Clone, Copy, Debug)]
pub struct JsonLinkPaginator {
    /// Where the next URL is in the response body (default `next`).
    pub next_url_path: &'static str,
}

/// dlt's `header_link` paginator.
#[derive(Clone, Copy, Debug)]
pub struct HeaderLinkPaginator {
    /// The `rel` of the `Link` header entry to follow (default `next`).
    pub links_next_key: &'static str,
}

impl JsonLinkPaginator {
    /// dlt's default: the next URL at `next`.
    pub const DEFAULT: JsonLinkPaginator = JsonLinkPaginator {
        next_url_path: "next",
    };
}

impl HeaderLinkPaginator {
    /// dlt's default: the `Link` entry with `rel="next"`.
    pub const DEFAULT: HeaderLinkPaginator = HeaderLinkPaginator {
        links_next_key: "next",
    };
}

#[derive(Debug)]
enum Source {
    Body((String, Selector)),
    Header(String),
}

/// The next URL replaces the request's URL, query included (the original params are
/// dropped, as in dlt); the JSON body is kept.
#[derive(Debug)]
pub(crate) struct LinkState {
    source: Source,
    next: Option<Url>,
}

impl LinkState {
    pub(crate) fn body_paths(&self) -> Vec<&str> {
        match &self.source {
            Source::Body((path, _)) => vec![path.as_str()],
            Source::Header(_) => Vec::new(),
        }
    }

    pub(crate) fn json(config: &JsonLinkPaginator) -> Result<Self, String> {
        Self::detected_json(config.next_url_path.to_owned())
    }

    pub(crate) fn header(config: &HeaderLinkPaginator) -> Self {
        LinkState {
            source: Source::Header(config.links_next_key.to_owned()),
            next: None,
        }
    }

    /// A json_link state reading the next URL at `path` (configured or detected).
    pub(crate) fn detected_json(path: String) -> Result<Self, String> {
        let selector = Selector::parse(&path)?;
        Ok(LinkState {
            source: Source::Body((path, selector)),
            next: None,
        })
    }

    pub(crate) fn detected_header() -> Self {
        LinkState {
            source: Source::Header("next".to_owned()),
            next: None,
        }
    }

    pub(crate) fn prepare(&self, request: &mut Prepared) {
        if let Some(next) = &self.next {
            request.url = next.clone();
        }
    }

    pub(crate) fn advance(&mut self, seen: &Seen) -> Result<bool, String> {
        let link = match &self.source {
            Source::Body(path) => find(path, seen.doc).and_then(link_of).map(str::to_owned),
            Source::Header(rel) => seen
                .headers
                .get_all(reqwest::header::LINK)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find_map(|v| link_with_rel(v, rel)),
        };
        let Some(link) = link.filter(|l| !l.trim().is_empty()) else {
            return Ok(false);
        };
        // Relative links are resolved against the URL of the request that got them.
        let next = seen
            .url
            .join(link.trim())
            .map_err(|e| format!("next page link `{link}` is not a URL: {e}"))?;
        self.next = Some(next);
        Ok(true)
    }
}

/// A next link in a body: a string, or an object with `href` or `url`.
pub(crate) fn link_of(value: &serde_json::Value) -> Option<&str> {
    match value {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Object(map) => map
            .get("href")
            .or_else(|| map.get("url"))
            .and_then(|v| v.as_str()),
        _ => None,
    }
}

/// The URL of the entry with `rel` in a `Link` header:
/// `<https://api/x?page=2>; rel="next", <https://api/x?page=9>; rel="last"`.
pub(crate) fn link_with_rel(header: &str, rel: &str) -> Option<String> {
    let mut rest = header;
    while let Some(start) = rest.find('<') {
        let end = start + rest[start..].find('>')?;
        let url = &rest[start + 1..end];
        let params_end = rest[end..].find('<').map_or(rest.len(), |i| end + i);
        let params = &rest[end + 1..params_end];
        let matches = params.split(';').any(|param| {
            let Some((key, value)) = param.split_once('=') else {
                return false;
            };
            key.trim().eq_ignore_ascii_case("rel")
                && value
                    .trim()
                    .trim_end_matches(',')
                    .trim()
                    .trim_matches('"')
                    .split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case(rel))
        });
        if matches {
            return Some(url.to_owned());
        }
        rest = &rest[params_end..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_headers_are_parsed() {
        let header = r#"<https://api.example.com/r?page=2>; rel="next", <https://api.example.com/r?page=9>; rel="last""#;
        assert_eq!(
            link_with_rel(header, "next").as_deref(),
            Some("https://api.example.com/r?page=2")
        );
        assert_eq!(
            link_with_rel(header, "last").as_deref(),
            Some("https://api.example.com/r?page=9")
        );
        assert_eq!(link_with_rel(header, "prev"), None);
        assert_eq!(
            link_with_rel("</p3>; rel=\"prev next\"", "next").as_deref(),
            Some("/p3")
        );
        assert_eq!(link_with_rel("garbage", "next"), None);
    }
}
