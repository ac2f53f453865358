//! What dlt's Python API looks like to the importer: the classes a config may hold (as
//! the dicts they stand for) and, for each place a Python callable may sit, how to get
//! the same in Rust.

/// dlt's classes a config may hold: the dict `type` they stand for, and the names of
/// their positional parameters, in order.
pub fn class(name: &str) -> Option<(&'static str, &'static [&'static str])> {
    Some(match name {
        "SinglePagePaginator" => ("single_page", &[]),
        "OffsetPaginator" => (
            "offset",
            &[
                "limit",
                "offset",
                "offset_param",
                "limit_param",
                "total_path",
                "maximum_offset",
            ],
        ),
        "PageNumberPaginator" => (
            "page_number",
            &[
                "base_page",
                "page",
                "page_param",
                "total_path",
                "maximum_page",
            ],
        ),
        "JSONLinkPaginator" | "JSONResponsePaginator" => ("json_link", &["next_url_path"]),
        "HeaderLinkPaginator" => ("header_link", &["links_next_key"]),
        "JSONResponseCursorPaginator" => ("cursor", &["cursor_path", "cursor_param"]),
        "HeaderCursorPaginator" => ("header_cursor", &["cursor_key", "cursor_param"]),
        "BearerTokenAuth" => ("bearer", &["token"]),
        "APIKeyAuth" => ("api_key", &["name", "api_key", "location"]),
        "HttpBasicAuth" => ("http_basic", &["username", "password"]),
        "OAuth2ClientCredentials" => (
            "oauth2_client_credentials",
            &["access_token_url", "client_id", "client_secret"],
        ),
        "incremental" | "Incremental" => (
            "",
            &[
                "cursor_path",
                "initial_value",
                "last_value_func",
                "primary_key",
                "end_value",
            ],
        ),
        _ => return None,
    })
}

/// How to get in Rust what a Python callable did at `key`.
pub fn rust_way(key: &str) -> String {
    match key {
        "processing_steps" | "filter" | "map" => "filter or map the typed records in Rust: `client.issues().try_filter(|issue| ...)`".into(),
        "paginator" => "a custom paginator is Rust code: page with `Client::pages` and your own requests, or pick the dlt paginator that fits".into(),
        "auth" => "custom auth is Rust code: build the client's `ClientConfig` with your own headers".into(),
        "table_name" => "a table name computed per record is not supported: write one name".into(),
        _ => "compute it in Rust around the generated client".into(),
    }
}
