//! `connectorgen import`: dlt pipelines (the two seed documents, a hand-written Python
//! pipeline) to specs.

use serde_json::{json, Value};
use std::path::Path;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/import")
        .join(name)
}

/// The checked-in spec as a value tree, without what the seed documents say only in
/// prose (name, description, retry policy, columns), and with `{secret: x}` written
/// as the document writes it, `dlt.secrets["x"]`.
fn checked_in_without_prose(spec: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("specs")
        .join(spec);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut value = connectorgen::spec::Document::parse(spec, text)
        .unwrap()
        .value;
    let spec = value.as_object_mut().unwrap();
    spec.remove("name");
    spec.remove("description");
    // Where editors find the schema, not part of the connector.
    spec.remove("$schema");
    spec["client"].as_object_mut().unwrap().remove("retry");
    spec["client"]["auth"]["api_key"] = json!("dlt.secrets[\"api_key\"]");
    for resource in spec["resources"].as_array_mut().unwrap() {
        resource.as_object_mut().unwrap().remove("columns");
    }
    value
}

#[test]
fn the_seed_documents_import_to_the_checked_in_specs_minus_their_prose() {
    for (document, spec) in [
        ("seed_events.md", "events.json"),
        ("seed_scheduling.md", "scheduling.yaml"),
    ] {
        let imported = connectorgen::import::import(&fixture(document)).unwrap();
        assert!(imported.notes.is_empty(), "{:?}", imported.notes);
        let mut value = imported.spec.clone();
        value.as_object_mut().unwrap().remove("name");
        assert_eq!(value, checked_in_without_prose(spec), "{document}");

        // The spec written validates and generates.
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("imported.yaml");
        std::fs::write(&out, imported.yaml(document)).unwrap();
        let connector = connectorgen::load(&out).unwrap();
        assert!(connector.warnings.is_empty());
        connectorgen::library(&connector, connectorgen::Mode::Crate).unwrap();
    }
}

/// Constants and f-strings resolved, a `dlt.secrets.value` parameter as the secret dlt
/// would read, dlt's paginator and incremental classes as dicts; a lambda, a custom
/// class and a setting outside the base URL named with their lines and the Rust way.
#[test]
fn a_python_pipeline_imports_with_a_note_for_what_a_spec_cannot_hold() {
    let imported = connectorgen::import::import(&fixture("github_pipeline.py")).unwrap();
    assert_eq!(
        imported.yaml("github_pipeline.py"),
        r#"# Imported from github_pipeline.py by connectorgen import.
# line 24: `access_token` (`dlt.secrets.value` in `github_source`) is the secret `sources.github_pipeline.access_token`
# line 42: `resources.0.processing_steps`: Python functions are not expressible in a spec
#   filter or map the typed records in Rust: `client.issues().try_filter(|issue| ...)`
# line 46: `resources.1.endpoint.paginator`: `CommitsPaginator(...)` is computed at run time (a custom class or function)
#   a custom paginator is Rust code: page with `Client::pages` and your own requests, or pick the dlt paginator that fits
# line 51: `resources.2.endpoint.path`: the setting `org` (dlt.config) is left as `{org}`
#   only `client.base_url` takes settings: write the value here
name: github_issues
client:
  base_url: https://api.github.com/repos/dlt-hub/dlt/
  auth:
    type: bearer
    token: dlt.secrets["sources.github_pipeline.access_token"]
  paginator: header_link
resource_defaults:
  primary_key: id
  write_disposition: merge
  endpoint:
    params:
      per_page: 100
resources:
- name: issues
  endpoint:
    path: issues
    params:
      state: open
      since: '{incremental.start_value}'
    incremental:
      cursor_path: updated_at
      initial_value: 2024-01-01T00:00:00Z
- name: commits
  endpoint:
    path: commits
  table_name: repo_commits
- name: members
  endpoint:
    path: orgs/{org}/members
    paginator: single_page
"#
    );
}

/// Settings in the base URL become `{placeholders}` (required settings); dlt's auth
/// classes become dicts; an environment variable read in Python is named.
#[test]
fn settings_auth_classes_and_environment_reads() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("desk_pipeline.py");
    std::fs::write(
        &file,
        r#"import os
import dlt
from dlt.sources.helpers.rest_client.auth import HttpBasicAuth
from dlt.sources.helpers.rest_client.paginators import PageNumberPaginator

@dlt.source(name="freshdesk")
def desk(domain=dlt.config.value, api_key=dlt.secrets.value):
    return rest_api_source({
        "client": {
            "base_url": f"https://{domain}.freshdesk.com/api/v2/",
            "auth": HttpBasicAuth(api_key, ""),
            "paginator": PageNumberPaginator(base_page=1, total_path=None),
            "headers": {"X-Trace": os.getenv("TRACE_ID")},
        },
        "resources": ["tickets"],
    })
"#,
    )
    .unwrap();
    let imported = connectorgen::import::import(&file).unwrap();
    assert_eq!(
        imported.spec,
        json!({
            "name": "desk_pipeline",
            "client": {
                "base_url": "https://{domain}.freshdesk.com/api/v2/",
                "auth": {
                    "type": "http_basic",
                    "username": "dlt.secrets[\"sources.desk_pipeline.api_key\"]",
                    "password": ""
                },
                "paginator": {"type": "page_number", "base_page": 1, "total_path": null},
                "headers": {}
            },
            "resources": ["tickets"]
        })
    );
    let notes = notes(&imported);
    assert_eq!(
        notes,
        [
            "11: `api_key` (`dlt.secrets.value` in `desk`) is the secret `sources.desk_pipeline.api_key`",
            "13: `client.headers.X-Trace`: an environment variable read in Python",
        ]
    );
}

#[test]
fn a_file_without_a_config_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.md");
    std::fs::write(&file, "# Notes\n\n```python\nprint('hello')\n```\n").unwrap();
    let error = connectorgen::import::import(&file).unwrap_err().to_string();
    assert!(
        error.ends_with("error: no rest_api config found: no call of `rest_api_source(...)` or `rest_api_resources(...)`, and no variable annotated `RESTAPIConfig`"),
        "{error}"
    );
    std::fs::write(&file, "```python\nconfig = {'a': 'open\n```\n").unwrap();
    let error = connectorgen::import::import(&file).unwrap_err().to_string();
    assert!(
        error.contains("notes.md:2:1: error: a string is not closed on its line"),
        "{error}"
    );
}

/// Ordinary Python around the config does not stop the import: comprehensions with
/// calls, slices, sets, typed parameters; a secret spliced into text is named; nesting
/// deeper than any config is refused, not a crash.
#[test]
fn the_python_around_the_config_does_not_get_in_the_way() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("busy.py");
    std::fs::write(
        &file,
        r#"from typing import Any, Dict
import dlt
NAMES = [n.upper() for n in sorted(set(["a", "b"]))]
FIRST = NAMES[:1]
TAGS = {"x", "y"}
def helper(options: Dict[str, Any] = None, *args, **kwargs) -> Dict[str, Any]:
    return {k: v for k, v in options.items()}
source = rest_api_source({
    "client": {
        "base_url": "https://api.example.com/",
        "headers": {"Authorization": "Token " + dlt.secrets["token"]},
    },
    "resources": ["items"],
})
"#,
    )
    .unwrap();
    let imported = connectorgen::import::import(&file).unwrap();
    assert_eq!(
        imported.spec,
        json!({
            "name": "busy",
            "client": {"base_url": "https://api.example.com/", "headers": {}},
            "resources": ["items"]
        })
    );
    let notes = notes(&imported);
    assert_eq!(
        notes,
        ["11: `client.headers.Authorization`: a secret inside a string"]
    );

    let deep = format!("rest_api_source({}1{})\n", "[".repeat(500), "]".repeat(500));
    std::fs::write(&file, deep).unwrap();
    let error = connectorgen::import::import(&file).unwrap_err().to_string();
    assert!(
        error.contains("busy.py:1:1: error: values nested more than 100 deep"),
        "{error}"
    );
}

/// The importer's notes as `line: message`.
fn notes(imported: &connectorgen::import::Imported) -> Vec<String> {
    imported
        .notes
        .iter()
        .map(|n| format!("{}: {}", n.line, n.message))
        .collect()
}
