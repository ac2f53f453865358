use crate::Paginator;

/// HTTP method of an endpoint (dlt allows GET and POST).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// Everything the runtime needs to fetch one resource, written by generated code as a
/// `static`.
#[derive(Clone, Copy, Debug)]
pub struct Endpoint {
    /// The resource name as written in the spec; errors and logs name it.
    pub resource: &'static str,
    pub method: Method,
    /// Joined to the base URL (`base_url.trim_end('/') + '/' + path.trim_start('/')`),
    /// unless it is an absolute `http(s)://` URL.
    pub path: &'static str,
    /// Query parameters, already encoded by dlt's rules (lists repeat the key,
    /// `true` is `True`, nulls are left out).
    pub params: &'static [(&'static str, &'static str)],
    /// Headers of the endpoint; they win over the client's headers of the same name.
    pub headers: &'static [(&'static str, &'static str)],
    /// A JSON body (POST), as JSON text.
    pub json: Option<&'static str>,
    /// A form body (POST), `application/x-www-form-urlencoded`.
    pub data: &'static [(&'static str, &'static str)],
    /// JSONPath to the records in a response; `None` detects them.
    pub data_selector: Option<&'static str>,
    pub paginator: Paginator,
    /// Checked on the final response (after retries), before the default handling.
    pub response_actions: &'static [ResponseAction],
    /// For a child resource: its parent's name. Its path, params, headers and JSON body
    /// then hold `{resources.<parent>.<field>}` placeholders.
    pub parent: Option<&'static str>,
    /// Parent fields copied into each child record as `_<parent>_<field>`.
    pub include_from_parent: &'static [&'static str],
    /// Incremental loading: records filtered by a cursor, a state across runs.
    pub incremental: Option<crate::incremental::Incremental>,
    /// Primary key columns (incremental de-duplication uses them).
    pub primary_key: &'static [&'static str],
}

impl Endpoint {
    /// A GET endpoint with nothing set and the paginator detected from the first
    /// response. Generated statics write the fields that differ and take the rest from
    /// here, so a new field does not change every generated crate.
    pub const DEFAULT: Endpoint = Endpoint {
        resource: "",
        method: Method::Get,
        path: "",
        params: &[],
        headers: &[],
        json: None,
        data: &[],
        data_selector: None,
        paginator: Paginator::Auto,
        response_actions: &[],
        parent: None,
        include_from_parent: &[],
        incremental: None,
        primary_key: &[],
    };

    /// Whether a response action says to ignore this response.
    pub(crate) fn ignores(&self, status: u16, body: &[u8]) -> bool {
        self.response_actions
            .iter()
            .any(|action| matches!(action.action, Action::Ignore) && action.matches(status, body))
    }
}

/// dlt's `response_actions` entry: when the status and/or the body text match, do
/// `action`. With both set, both must match.
#[derive(Clone, Copy, Debug)]
pub struct ResponseAction {
    pub status_code: Option<u16>,
    /// A substring of the response body.
    pub content: Option<&'static str>,
    pub action: Action,
}

/// What a response action does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// No records from this response, and no further pages of the resource.
    Ignore,
}

impl ResponseAction {
    fn matches(&self, status: u16, body: &[u8]) -> bool {
        self.status_code.is_none_or(|code| code == status)
            && self
                .content
                .is_none_or(|text| String::from_utf8_lossy(body).contains(text))
    }
}
