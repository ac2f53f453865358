//! The connector as the emitter sees it: defaults merged, every choice resolved, every
//! name sanitized. Built from a spec by [`resolve`](resolve::resolve).

mod jsonpath;
mod merge;
mod resolve;
mod template;
mod types;

pub use resolve::resolve;
pub use types::DataType;

#[derive(Clone, Debug)]
pub struct Connector {
    /// As written in the spec (or the file stem).
    pub name: String,
    pub description: Option<String>,
    /// The spec's file name, for the `@generated` header.
    pub spec_file: String,
    /// SHA-256 of the spec's text.
    pub spec_sha256: String,
    pub base_url: String,
    pub headers: Vec<(String, String)>,
    pub auth: Auth,
    pub retry: Retry,
    /// `client.timeout` in milliseconds, when the spec sets it.
    pub timeout_millis: Option<u64>,
    pub resources: Vec<Resource>,
    /// What `Config` holds that the environment can supply, in the order of its fields.
    pub settings: Vec<Setting>,
    /// What the spec says that works but deserves a word: dlt keys connectorgen
    /// ignores, deprecated forms. Printed by the CLI, `cargo:warning` in build.rs.
    pub warnings: Vec<crate::SpecError>,
}

impl Connector {
    /// Names of the run-time secrets, each once, in order of appearance.
    pub fn secrets(&self) -> Vec<&SecretField> {
        let mut secrets: Vec<&SecretField> = Vec::new();
        let endpoint_auths = self.resources.iter().filter_map(|r| r.auth.as_ref());
        for secret in std::iter::once(&self.auth)
            .chain(endpoint_auths)
            .flat_map(Auth::secrets)
        {
            if !secrets.iter().any(|s| s.name == secret.name) {
                secrets.push(secret);
            }
        }
        secrets
    }

    /// Whether a resource is fetched for the records of a parent.
    pub fn has_children(&self) -> bool {
        self.resources.iter().any(|r| r.parent.is_some())
    }

    /// Whether the base URL has placeholders that settings fill.
    pub fn has_base_url_parts(&self) -> bool {
        self.settings
            .iter()
            .any(|s| matches!(s.kind, SettingKind::BaseUrlPart))
    }

    /// The setting held in the `Config` field `field`.
    pub fn setting(&self, field: &str) -> Option<&Setting> {
        self.settings.iter().find(|setting| setting.field == field)
    }

    /// The name of the generated crate: `events-connector`.
    pub fn crate_name(&self) -> String {
        format!(
            "{}-connector",
            crate::sanitize::snake(&self.name).replace('_', "-")
        )
    }

    /// The name of the generated program: `events`.
    pub fn program_name(&self) -> String {
        crate::sanitize::snake(&self.name).replace('_', "-")
    }
}

/// A field of the generated `Config` that the environment can supply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting {
    /// The `Config` field: `base_url`, `api_key`.
    pub field: String,
    /// The environment variable `from_env` reads: `EVENTS_API_KEY`.
    pub env_var: String,
    pub kind: SettingKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SettingKind {
    /// A URL written in the spec, kept in a constant of `Config` and optional in the
    /// environment.
    Url {
        /// The constant: `BASE_URL`.
        constant: String,
        default: String,
        /// What it is, for docs: `the API's base URL`.
        what: &'static str,
    },
    /// A placeholder of the base URL (`{company_domain}`): an argument of
    /// `Config::new`, required in the environment, filled in when the client is made.
    BaseUrlPart,
    /// A secret: an argument of `Config::new`, required in the environment.
    Secret {
        /// What it is used as, for docs: `api key sent as query parameter \`key\``.
        used_as: String,
        /// dlt's name for it, when the spec uses one (see [`SecretField::dlt_name`]).
        dlt_name: Option<String>,
    },
    /// How many requests of one resource (and children of one parent resource) may be
    /// on their way at once: optional in the environment, default
    /// `ClientConfig::CONCURRENCY`.
    Concurrency,
    /// Time allowed for one request: the spec's `client.timeout`, else 60 s; optional
    /// in the environment (seconds).
    Timeout {
        /// The default, in milliseconds.
        default_millis: u64,
    },
    /// Time allowed for one paginated call; optional in the environment, default none.
    ResourceTimeout,
    /// Pages allowed for one paginated call; optional in the environment, default none.
    MaxPages,
}

impl SettingKind {
    /// Whether `Config::new` takes the setting (else it has a default).
    pub fn required(&self) -> bool {
        matches!(self, SettingKind::BaseUrlPart | SettingKind::Secret { .. })
    }
}

/// A value supplied at run time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretField {
    /// The `Config` field that holds it: the name as written (`api_key`), or for a
    /// dlt name the same in snake_case (`sources_github_token`).
    pub name: String,
    /// The name when written as dlt writes it, `dlt.secrets["sources.github.token"]`:
    /// the connector then also reads it as dlt does.
    pub dlt_name: Option<String>,
}

/// A value that is either written in the spec or supplied at run time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    Literal(String),
    Secret(SecretField),
}

#[derive(Clone, Debug)]
pub enum Auth {
    None,
    Bearer {
        token: SecretField,
    },
    ApiKey {
        name: String,
        location: ApiKeyLocation,
        key: SecretField,
    },
    HttpBasic {
        username: Credential,
        /// A secret, or the empty string (an API key as the user name, no password).
        password: Credential,
    },
    OAuth2 {
        access_token_url: String,
        client_id: Credential,
        client_secret: SecretField,
        request_data: Vec<(String, String)>,
        /// Seconds.
        default_expiration: u64,
    },
}

impl Auth {
    /// Its run-time secrets, in order.
    pub fn secrets(&self) -> Vec<&SecretField> {
        fn credential(c: &Credential) -> Option<&SecretField> {
            match c {
                Credential::Secret(secret) => Some(secret),
                Credential::Literal(_) => None,
            }
        }
        match self {
            Auth::None => vec![],
            Auth::Bearer { token } => vec![token],
            Auth::ApiKey { key, .. } => vec![key],
            Auth::HttpBasic { username, password } => credential(username)
                .into_iter()
                .chain(credential(password))
                .collect(),
            Auth::OAuth2 {
                client_id,
                client_secret,
                ..
            } => credential(client_id)
                .into_iter()
                .chain([client_secret])
                .collect(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiKeyLocation {
    Header,
    Query,
    Cookie,
}

/// `client.retry`, with only what the spec sets; the rest is the runtime's default.
#[derive(Clone, Debug, Default)]
pub struct Retry {
    pub statuses: Option<Vec<u16>>,
    pub max_retries: Option<u32>,
    pub backoff_factor: Option<f64>,
    pub max_delay: Option<f64>,
}

#[derive(Clone, Debug)]
pub struct Resource {
    /// As written in the spec.
    pub name: String,
    /// The record struct: `EventData`.
    pub type_name: String,
    /// The fetch function: `event_data`.
    pub fn_name: String,
    /// The page-level fetch function: `event_data_pages`.
    pub pages_fn_name: String,
    /// The fetch function with state, for an incremental resource: `event_data_incremental`.
    pub incremental_fn_name: String,
    /// The endpoint static: `EVENT_DATA`.
    pub static_name: String,
    pub method: Method,
    pub path: String,
    /// Query parameters, encoded as dlt encodes them.
    pub params: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    /// A JSON body, as JSON text.
    pub json: Option<String>,
    /// A form body, encoded like params.
    pub data: Vec<(String, String)>,
    pub data_selector: Option<String>,
    pub paginator: Paginator,
    /// `response_actions` (only `ignore` exists).
    pub ignore: Vec<Ignore>,
    /// `endpoint.auth`, replacing the client's.
    pub auth: Option<Auth>,
    /// Incremental loading.
    pub incremental: Option<IncrementalModel>,
    /// For a child resource: its parent. The path, params, headers and JSON body then
    /// hold `{resources.<parent>.<field>}` placeholders for the runtime.
    pub parent: Option<ParentLink>,
    pub primary_key: Vec<String>,
    pub write_disposition: WriteDisposition,
    /// dlt's `selected`: `false` leaves it out when no resources are named (it can
    /// still be fetched by name, and be a parent).
    pub selected: bool,
    /// The table it loads into: `table_name`, else the resource name.
    pub table_name: String,
    /// `merge_key` and the columns with the `merge_key: true` hint.
    pub merge_key: Vec<String>,
    pub fields: Vec<Field>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Field {
    /// The column name as written in the spec (and sent by the API).
    pub name: String,
    /// The Rust field: `start_time`, `type_`.
    pub ident: String,
    pub data_type: DataType,
    pub nullable: bool,
    pub primary_key: bool,
    /// Column hint `merge_key: true`.
    pub merge_key: bool,
    pub description: Option<String>,
    /// Its type is known from the spec (`false` for an `include_from_parent` field whose
    /// parent column is not declared: the loader infers its type from the data).
    pub typed: bool,
}

/// `incremental`, resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct IncrementalModel {
    pub cursor_path: String,
    /// Runtime name: Timestamp, Date, Integer, Number or Text.
    pub cursor_type: &'static str,
    /// JSON text.
    pub initial_value: Option<String>,
    pub end_value: Option<String>,
    pub start_param: Option<String>,
    pub end_param: Option<String>,
    /// `Asc` or `Desc`.
    pub row_order: Option<&'static str>,
    /// `Raise`, `Include` or `Exclude`.
    pub on_cursor_value_missing: &'static str,
    /// `Max` or `Min`.
    pub last_value_func: &'static str,
    /// `Closed` or `Open`.
    pub range_start: &'static str,
    /// `Open` or `Closed`.
    pub range_end: &'static str,
    pub lag: Option<f64>,
}

/// A child resource's parent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParentLink {
    /// The parent resource's name.
    pub resource: String,
    /// `include_from_parent`: parent fields copied into each child record.
    pub include: Vec<String>,
    /// The fetch functions for one parent record: `tickets_of`, `tickets_pages_of`.
    pub of_fn_name: String,
    pub pages_of_fn_name: String,
}

/// A response action that ignores a response: by status, body substring, or both.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ignore {
    pub status_code: Option<u16>,
    pub content: Option<String>,
}

/// dlt's paginators, with every default filled in.
#[derive(Clone, Debug, PartialEq)]
pub enum Paginator {
    SinglePage,
    Offset(Offset),
    PageNumber(PageNumber),
    Cursor(Cursor),
    JsonLink {
        next_url_path: String,
    },
    HeaderLink {
        links_next_key: String,
    },
    HeaderCursor {
        cursor_key: String,
        cursor_param: String,
    },
    /// Detected from the first response.
    Auto,
}

/// Where a paginator puts a value: a query parameter or a dot path in the JSON body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Param(String),
    Body(String),
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Param(name) => write!(f, "`{name}`"),
            Target::Body(path) => write!(f, "body `{path}`"),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Offset {
    pub limit: u64,
    pub offset: u64,
    pub offset_target: Target,
    pub limit_target: Target,
    pub total_path: Option<String>,
    pub maximum_offset: Option<u64>,
    pub stop_after_empty_page: bool,
    pub has_more_path: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PageNumber {
    pub base_page: u64,
    pub page: Option<u64>,
    pub page_target: Target,
    pub total_path: Option<String>,
    pub maximum_page: Option<u64>,
    pub stop_after_empty_page: bool,
    pub has_more_path: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Cursor {
    pub cursor_path: String,
    pub cursor_target: Target,
    pub has_more_path: Option<String>,
    pub stop_after_empty_page: bool,
}

/// Query parameters APIs commonly take the page size in: what `openapi` reads as the
/// limit of an offset API, and what the mock reads the page size from.
pub const PAGE_SIZE_PARAMS: &[&str] = &[
    "limit",
    "per_page",
    "page_size",
    "pageSize",
    "size",
    "count",
];

impl Paginator {
    /// A one-line description, for READMEs.
    pub fn describe(&self) -> String {
        match self {
            Paginator::SinglePage => "single page".to_owned(),
            Paginator::Offset(o) => format!(
                "offset ({}/{}, {} per page)",
                o.offset_target, o.limit_target, o.limit
            ),
            Paginator::PageNumber(p) => format!(
                "page number ({}, from {})",
                p.page_target,
                p.page.unwrap_or(p.base_page)
            ),
            Paginator::Cursor(c) => format!("cursor (`{}` -> {})", c.cursor_path, c.cursor_target),
            Paginator::JsonLink { next_url_path } => format!("next URL at `{next_url_path}`"),
            Paginator::HeaderLink { links_next_key } => {
                format!("`Link` header, rel={links_next_key}")
            }
            Paginator::HeaderCursor {
                cursor_key,
                cursor_param,
            } => {
                format!("cursor from header `{cursor_key}` -> `{cursor_param}`")
            }
            Paginator::Auto => "detected from the first response".to_owned(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteDisposition {
    Append,
    Replace,
    Merge(Option<MergeStrategy>),
    Skip,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MergeStrategy {
    DeleteInsert,
    Upsert,
    Scd2,
    InsertOnly,
}

impl WriteDisposition {
    pub fn describe(self) -> String {
        match self {
            WriteDisposition::Append => "append".into(),
            WriteDisposition::Replace => "replace".into(),
            WriteDisposition::Merge(None) => "merge".into(),
            WriteDisposition::Merge(Some(s)) => format!("merge ({})", s.name()),
            WriteDisposition::Skip => "skip".into(),
        }
    }
}

impl MergeStrategy {
    pub const NAMES: &'static [&'static str] = &["delete-insert", "upsert", "scd2", "insert-only"];

    pub fn parse(name: &str) -> Option<MergeStrategy> {
        Some(match name {
            "delete-insert" => MergeStrategy::DeleteInsert,
            "upsert" => MergeStrategy::Upsert,
            "scd2" => MergeStrategy::Scd2,
            "insert-only" => MergeStrategy::InsertOnly,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            MergeStrategy::DeleteInsert => "delete-insert",
            MergeStrategy::Upsert => "upsert",
            MergeStrategy::Scd2 => "scd2",
            MergeStrategy::InsertOnly => "insert-only",
        }
    }
}
