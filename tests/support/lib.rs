//! Helpers shared by the end-to-end tests: a fake offset-paginated API served by a real
//! HTTP server (wiremock), with faults that can be injected per request.

pub mod http;
pub mod postgres;

use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// A failure the fake API answers with instead of a page.
#[derive(Clone, Debug)]
pub struct Fault {
    /// Fail when this offset is requested (the first such request, then the next fault).
    pub offset: usize,
    pub status: u16,
    pub retry_after: Option<String>,
}

impl Fault {
    pub fn new(offset: usize, status: u16) -> Fault {
        Fault {
            offset,
            status,
            retry_after: None,
        }
    }

    pub fn retry_after(mut self, value: &str) -> Fault {
        self.retry_after = Some(value.to_owned());
        self
    }
}

/// Serves `records` at `GET <path>?offset=&limit=` as `{"data": [...], "total": N}`,
/// like the seed APIs; answers 401 unless the query holds `<key_param>=<key>`.
#[derive(Clone)]
pub struct OffsetApi {
    records: Arc<Vec<Value>>,
    key_param: String,
    key: String,
    offset_param: String,
    limit_param: String,
    records_key: String,
    total_key: Option<String>,
    key_header: Option<String>,
    faults: Arc<Mutex<VecDeque<Fault>>>,
    delay: std::time::Duration,
}

impl OffsetApi {
    pub fn new(records: Vec<Value>, key_param: &str, key: &str) -> OffsetApi {
        OffsetApi {
            records: Arc::new(records),
            key_param: key_param.to_owned(),
            key: key.to_owned(),
            offset_param: "offset".to_owned(),
            limit_param: "limit".to_owned(),
            records_key: "data".to_owned(),
            total_key: Some("total".to_owned()),
            key_header: None,
            faults: Arc::default(),
            delay: std::time::Duration::ZERO,
        }
    }

    /// Other names for the offset and limit parameters.
    pub fn params(mut self, offset: &str, limit: &str) -> OffsetApi {
        self.offset_param = offset.to_owned();
        self.limit_param = limit.to_owned();
        self
    }

    /// Expects the key in this header instead of the query.
    pub fn key_in_header(mut self, header: &str) -> OffsetApi {
        self.key_header = Some(header.to_owned());
        self
    }

    /// Other keys for the records and the total (`None`: no total in responses); a
    /// dotted total key (`meta.total`) nests the total.
    pub fn keys(mut self, records: &str, total: Option<&str>) -> OffsetApi {
        self.records_key = records.to_owned();
        self.total_key = total.map(str::to_owned);
        self
    }

    /// Answers every page after `delay` (a slow API).
    pub fn delay(mut self, delay: std::time::Duration) -> OffsetApi {
        self.delay = delay;
        self
    }

    pub fn faults(self, faults: impl IntoIterator<Item = Fault>) -> OffsetApi {
        self.faults.lock().unwrap().extend(faults);
        self
    }

    /// Starts a server that serves this API at `route`.
    pub async fn serve(self, route: &str) -> MockServer {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path(route))
            .respond_with(self)
            .mount(&server)
            .await;
        server
    }
}

impl Respond for OffsetApi {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let query: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
        let get = |name: &str| {
            query
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        let key = match &self.key_header {
            Some(header) => request
                .headers
                .get(header.as_str())
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            None => get(&self.key_param),
        };
        if key.as_deref() != Some(self.key.as_str()) {
            return ResponseTemplate::new(401).set_body_json(json!({"error": "invalid api key"}));
        }
        let offset: usize = get(&self.offset_param)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let limit: usize = get(&self.limit_param)
            .and_then(|v| v.parse().ok())
            .unwrap_or(10);
        {
            let mut faults = self.faults.lock().unwrap();
            if faults.front().is_some_and(|f| f.offset == offset) {
                let fault = faults.pop_front().unwrap();
                let mut response = ResponseTemplate::new(fault.status)
                    .set_body_string(format!("injected {}", fault.status));
                if let Some(after) = fault.retry_after {
                    response = response.insert_header("Retry-After", after.as_str());
                }
                return response;
            }
        }
        let page: Vec<Value> = self
            .records
            .iter()
            .skip(offset)
            .take(limit)
            .cloned()
            .collect();
        let mut body = serde_json::Map::new();
        body.insert(self.records_key.clone(), Value::Array(page));
        let mut body = Value::Object(body);
        if let Some(total) = &self.total_key {
            let mut at = &mut body;
            let mut keys = total.split('.').peekable();
            while let Some(key) = keys.next() {
                if keys.peek().is_none() {
                    at[key] = json!(self.records.len());
                    break;
                }
                if at.get(key).is_none() {
                    at[key] = json!({});
                }
                at = &mut at[key];
            }
        }
        ResponseTemplate::new(200)
            .set_body_json(body)
            .set_delay(self.delay)
    }
}

/// The `(name, value)` query pairs of a request.
pub fn query(request: &Request) -> Vec<(String, String)> {
    request.url.query_pairs().into_owned().collect()
}

/// The value of one query parameter of a request.
pub fn param(request: &Request, name: &str) -> Option<String> {
    query(request)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// A request as `METHOD path?query body`, for asserting the exact requests sent.
pub fn describe(request: &Request) -> String {
    let mut text = format!("{} {}", request.method, request.url.path());
    if let Some(query) = request.url.query() {
        text.push('?');
        text.push_str(query);
    }
    if !request.body.is_empty() {
        text.push(' ');
        text.push_str(&String::from_utf8_lossy(&request.body));
    }
    text
}

/// Declares `struct $name(events_connector::Client)`: the events connector whose
/// `event_data` table differs in the fields given (another write disposition, keys,
/// ...), for tests of the loader: `events_with_table!(Append, write_disposition: ...)`.
#[macro_export]
macro_rules! events_with_table {
    ($name:ident, $($field:ident: $value:expr),+ $(,)?) => {
        struct $name(events_connector::Client);

        impl ::connectorgen_runtime::Connector for $name {
            const NAME: &'static str = "events";
            const RESOURCES: &'static [&'static str] = &["event_data"];
            const TABLES: &'static [::connectorgen_runtime::load::TableDef] =
                &[::connectorgen_runtime::load::TableDef {
                    $($field: $value,)+
                    ..<events_connector::Client as ::connectorgen_runtime::Connector>::TABLES[0]
                }];

            fn from_env_with(
                _: ::connectorgen_runtime::Overrides,
            ) -> ::connectorgen_runtime::Result<Self> {
                unreachable!("tests build their clients")
            }

            fn json_lines(&self, resource: &str) -> Option<::connectorgen_runtime::JsonLines> {
                self.0.json_lines(resource)
            }

            fn values(
                &self,
                resource: &str,
                state: Option<::connectorgen_runtime::IncrementalState>,
            ) -> Option<(
                ::connectorgen_runtime::Values,
                Option<::connectorgen_runtime::StateHandle>,
            )> {
                self.0.values(resource, state)
            }
        }
    };
}

/// Events with a nested object and two kinds of lists (so every load fills child
/// tables), their start times written with the UTC offset `zone` (`Z`, `+02:00`).
pub fn nested_events(count: i64, zone: &str) -> Vec<Value> {
    (1..=count)
        .map(|id| {
            json!({
                "id": id,
                "name": format!("event {id}"),
                "start_time": format!("2026-03-{:02}T10:00:00{zone}", id % 28 + 1),
                "end_time": null,
                "venue": {"name": format!("hall {}", id % 3), "geo": {"lat": 38.7, "lon": -9.1}},
                "tags": (0..id % 3).map(|t| format!("tag{t}")).collect::<Vec<_>>(),
                "sessions": [{"title": format!("talk {id}"), "speakers": ["ann", "bob"]}],
            })
        })
        .collect()
}

/// Peak resident memory of this process, in MiB (Linux).
pub fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Where cargo builds this workspace.
pub fn target_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// Builds a binary of this workspace as a user would (`cargo build ARGS`), once per
/// test process and arguments; its path under `target/debug`.
fn built(args: &[&str], binary: &str) -> std::path::PathBuf {
    let output = std::process::Command::new(env!("CARGO"))
        .arg("build")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "cargo build {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    target_dir().join("debug").join(binary)
}

/// The generated `events` program (api key in the query), built as a user builds it.
pub fn events_program() -> std::path::PathBuf {
    static BUILT: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            built(
                &[
                    "-p",
                    "events-connector",
                    "--features",
                    "cli",
                    "--bin",
                    "events",
                ],
                "events",
            )
        })
        .clone()
}

/// The `connectorgen` binary, with the features the workspace's tests build it with
/// (so that it is compiled once).
pub fn connectorgen_command() -> std::process::Command {
    static BUILT: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    let binary = BUILT.get_or_init(|| {
        built(
            &[
                "-p",
                "connectorgen",
                "--features",
                "mock,schema,infer",
                "--bin",
                "connectorgen",
            ],
            "connectorgen",
        )
    });
    std::process::Command::new(binary)
}

/// A log sink shared with the test that reads it: give clones to a subscriber's
/// `with_writer(move || captured.clone())`.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// The number after `name` among a bench's arguments (`--rounds 5`).
pub fn option(args: &[String], name: &str) -> Option<usize> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
}
