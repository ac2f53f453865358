//! Property tests on the stable toolchain: mutated specs through the loader and the
//! generator, and mutated response bodies through the runtime's decoding. Neither may
//! panic: a spec gets a connector or located errors, a response gets records or an
//! error naming the resource.
//!
//! CI runs each property for its default number of cases (256, or `PROPTEST_CASES`).
//! A longer run: `PROPTEST_CASES=20000 cargo test --release --test fuzz`. A failure
//! proptest finds is written to `tests/fuzz.proptest-regressions`; commit it, and
//! every later run tries it first (and add the input, shrunk, to tests/spec_errors.rs
//! as a plain regression test).

use connectorgen_e2e::http;
use connectorgen_runtime::paginate::OffsetPaginator;
use connectorgen_runtime::{Client, ClientConfig, Endpoint, Method, Paginator, RetryPolicy};
use futures_util::StreamExt;
use proptest::prelude::*;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Every spec of the repository: the seeds and the test specs.
fn spec_texts() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut specs = Vec::new();
    for dir in ["specs", "tests/specs", "tests/hostile"] {
        let mut entries: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.ends_with(".yaml") || name.ends_with(".json") {
                specs.push((name, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    specs
}

/// Pieces of spec syntax and values that often break things when dropped in anywhere.
const FRAGMENTS: &[&str] = &[
    "\n",
    ":",
    "- ",
    "{",
    "}",
    "[",
    "]",
    "\"",
    "'",
    "#",
    "---\n",
    "  ",
    "\t",
    "*",
    "&a ",
    "!!str ",
    "null",
    "-1",
    "1e999",
    "{x}",
    "{{",
    "$.",
    "[*]",
    "..",
    "\u{202e}",
    "\u{0}",
    "é",
    "🎉",
    "type: offset",
    "data_selector: ",
    "paginator: ",
    "secret: ",
    "resources:",
    "columns:",
    "incremental:",
    "data_type: ",
    "json",
    "parent",
    "resolve",
    "\\",
    "%s",
    "<<: *a",
];

#[derive(Clone, Debug)]
enum Edit {
    /// Removes `len` bytes at a position (a fraction of the text's length).
    Delete(f64, usize),
    /// Inserts a fragment.
    Insert(f64, usize),
    /// Replaces a byte with one of printable ASCII.
    Replace(f64, u8),
    /// Cuts the text there.
    Truncate(f64),
    /// Repeats a slice (deep nesting, duplicate keys).
    Repeat(f64, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0.0..1.0, 1usize..40).prop_map(|(at, n)| Edit::Delete(at, n)),
        (0.0..1.0, 0..FRAGMENTS.len()).prop_map(|(at, i)| Edit::Insert(at, i)),
        (0.0..1.0, 32u8..127).prop_map(|(at, b)| Edit::Replace(at, b)),
        (0.0..1.0).prop_map(Edit::Truncate),
        (0.0..1.0, 1usize..200).prop_map(|(at, n)| Edit::Repeat(at, n)),
    ]
}

/// Applies edits to text, on character boundaries.
fn apply(text: &str, edits: &[Edit]) -> String {
    let mut text = text.to_owned();
    let boundary = |text: &str, at: f64| {
        let mut i = ((text.len() as f64) * at) as usize;
        while i > 0 && !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    for edit in edits {
        match *edit {
            Edit::Delete(at, n) => {
                let start = boundary(&text, at);
                let mut end = (start + n).min(text.len());
                while !text.is_char_boundary(end) {
                    end += 1;
                }
                text.replace_range(start..end, "");
            }
            Edit::Insert(at, i) => {
                let at = boundary(&text, at);
                text.insert_str(at, FRAGMENTS[i]);
            }
            Edit::Replace(at, b) => {
                let start = boundary(&text, at);
                if let Some(c) = text[start..].chars().next() {
                    text.replace_range(start..start + c.len_utf8(), &(b as char).to_string());
                }
            }
            Edit::Truncate(at) => {
                let at = boundary(&text, at);
                text.truncate(at);
            }
            Edit::Repeat(at, n) => {
                let start = boundary(&text, at);
                let end = boundary(&text, (at + n as f64 / text.len().max(1) as f64).min(1.0));
                let slice = text[start..end].to_owned();
                text.insert_str(end, &slice);
            }
        }
    }
    text
}

proptest! {
    #[test]
    fn a_mutated_spec_gets_a_connector_or_located_errors(
        spec in 0usize..64,
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        let specs = spec_texts();
        let (name, text) = &specs[spec % specs.len()];
        let mutated = apply(text, &edits);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, &mutated).unwrap();
        match connectorgen::load(&path) {
            Ok(connector) => {
                // What loads, generates.
                let code = connectorgen::library(&connector, connectorgen::Mode::Crate);
                prop_assert!(code.is_ok(), "{:?}\n{mutated}", code.err());
            }
            Err(connectorgen::Error::Spec(errors)) => {
                prop_assert!(!errors.0.is_empty());
                for error in &errors.0 {
                    prop_assert!(
                        error.line >= 1 && error.column >= 1,
                        "unlocated: {error}\n{mutated}"
                    );
                }
            }
            Err(other) => prop_assert!(false, "{other}\n{mutated}"),
        }
    }
}

/// One page of the events API, as the seed serves it.
const PAGE: &str = r#"{"data": [
  {"id": 1, "name": "a", "start_time": "2026-03-01T10:00:00Z", "end_time": null, "tags": ["x"]},
  {"id": 2, "name": "b\u00e9", "start_time": "2026-03-01T11:00:00+02:00", "end_time": "2026-03-01T12:00:00Z"}
], "total": 2}"#;

/// Response fragments that test a decoder.
const BODY_FRAGMENTS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\\",
    "\\u00",
    "\\ud800",
    "null",
    "-0",
    "1e400",
    "18446744073709551616",
    "\"data\":",
    "\"total\":",
    "\u{0}",
    "\u{feff}",
    "{\"id\":\"1\"}",
    "[[[[[[[[",
    "true",
    "\"2026-13-45T99:00:00Z\"",
];

fn body_edit() -> impl Strategy<Value = (f64, usize, usize)> {
    (0.0..1.0, 0..BODY_FRAGMENTS.len(), 0usize..3)
}

/// A server answering every request with the body of the current case.
fn page_server() -> (String, Arc<Mutex<Vec<u8>>>) {
    let body = Arc::new(Mutex::new(Vec::new()));
    let current = body.clone();
    let url = http::serve_on_thread(move |_| {
        let body = current.lock().unwrap().clone();
        async move { http::json(&body) }
    });
    (url, body)
}

static SELECTORS: &[Option<&str>] = &[Some("data"), Some("$.data[*]"), None];

fn endpoint(selector: Option<&'static str>) -> &'static Endpoint {
    Box::leak(Box::new(Endpoint {
        resource: "events",
        method: Method::Get,
        path: "/events",
        params: &[],
        headers: &[],
        json: None,
        data: &[],
        data_selector: selector,
        paginator: Paginator::Offset(OffsetPaginator {
            limit: 2,
            // One page at most: every request gets the same body.
            maximum_offset: Some(2),
            ..OffsetPaginator::DEFAULT
        }),
        response_actions: &[],
        parent: None,
        include_from_parent: &[],
        incremental: None,
        primary_key: &["id"],
    }))
}

proptest! {
    #[test]
    fn a_mutated_response_gets_records_or_an_error_naming_the_resource(
        edits in prop::collection::vec(body_edit(), 0..5),
        bytes in prop::collection::vec((0.0f64..1.0, any::<u8>()), 0..3),
        selector in 0..SELECTORS.len(),
    ) {
        // Built once: a server, a runtime and the endpoints.
        struct Fixture {
            runtime: tokio::runtime::Runtime,
            url: String,
            body: Arc<Mutex<Vec<u8>>>,
            endpoints: Vec<&'static Endpoint>,
        }
        static FIXTURE: std::sync::OnceLock<Fixture> = std::sync::OnceLock::new();
        let fixture = FIXTURE.get_or_init(|| {
            let (url, body) = page_server();
            Fixture {
                runtime: tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .unwrap(),
                url,
                body,
                endpoints: SELECTORS.iter().map(|s| endpoint(*s)).collect(),
            }
        });
        let mut text = PAGE.to_owned();
        for (at, fragment, mode) in &edits {
            let mut i = ((text.len() as f64) * at) as usize;
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            match mode {
                0 => text.insert_str(i, BODY_FRAGMENTS[*fragment]),
                1 => text.truncate(i),
                _ => {
                    let end = (i + BODY_FRAGMENTS[*fragment].len()).min(text.len());
                    let mut end = end;
                    while !text.is_char_boundary(end) {
                        end += 1;
                    }
                    text.replace_range(i..end, "");
                }
            }
        }
        let mut body = text.into_bytes();
        for (at, byte) in &bytes {
            if !body.is_empty() {
                let i = ((body.len() as f64) * at) as usize % body.len();
                body[i] = *byte;
            }
        }
        *fixture.body.lock().unwrap() = body.clone();
        let endpoint = fixture.endpoints[selector];
        let outcome: Result<usize, String> = fixture.runtime.block_on(async {
            let mut config = ClientConfig::new(fixture.url.clone());
            config.retry = RetryPolicy { max_retries: 0, ..RetryPolicy::default() };
            let client = Client::new(config).unwrap();
            // The seed's record type: timestamps, nullable fields, `extra`.
            let mut records = client.records::<events_connector::EventData>(endpoint);
            let mut got = 0;
            while let Some(record) = records.next().await {
                match record {
                    Ok(_) => got += 1,
                    Err(error) => return Err(error.to_string()),
                }
            }
            Ok(got)
        });
        if let Err(error) = outcome {
            prop_assert!(
                error.starts_with("resource `events`: "),
                "{error}\n{}",
                String::from_utf8_lossy(&body)
            );
        }
    }
}
