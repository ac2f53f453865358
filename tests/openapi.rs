//! `connectorgen openapi`: five OpenAPI documents shaped like public APIs
//! (tests/openapi/: 3.0 and 3.1, `$ref`, `allOf`, both forms of nullable, path
//! parameters, several security schemes) become specs that load and generate, with the
//! base URL, auth, records, paginator, primary key, parents and typed columns each API
//! implies, and what was guessed listed.

use connectorgen::openapi::{self, Imported};
use serde_json::{json, Value};
use std::path::Path;

const WORKSPACE: &str = env!("CARGO_MANIFEST_DIR");

/// Imports a document, writes the spec, loads it and generates its code.
fn imported(document: &str) -> (Imported, Value) {
    let path = Path::new(WORKSPACE).join("tests/openapi").join(document);
    let imported = openapi::import(&path).unwrap_or_else(|e| panic!("{e}"));
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.yaml");
    std::fs::write(&spec, imported.yaml(document)).unwrap();
    let connector = connectorgen::load(&spec)
        .unwrap_or_else(|e| panic!("{document}: {e}\n{}", imported.yaml(document)));
    connectorgen::library(&connector, connectorgen::Mode::Crate).unwrap();
    let spec = imported.spec.clone();
    (imported, spec)
}

fn resource<'a>(spec: &'a Value, name: &str) -> &'a Value {
    spec["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == json!(name))
        .unwrap_or_else(|| panic!("no resource {name} in {spec:#}"))
}

#[test]
fn an_offset_api_with_refs_all_of_a_single_entity_and_a_child() {
    let (imported, spec) = imported("petstore.yaml");
    assert_eq!(spec["name"], json!("pet_store"));
    // Server variables filled with their defaults, no trailing slash.
    assert_eq!(
        spec["client"]["base_url"],
        json!("https://eu.petstore.example/v1")
    );
    assert_eq!(
        spec["client"]["auth"],
        json!({"type": "api_key", "name": "X-Pet-Key", "location": "header", "api_key": {"secret": "api_key"}})
    );
    let pets = resource(&spec, "pets");
    assert_eq!(pets["endpoint"]["data_selector"], json!("data"));
    assert_eq!(
        pets["endpoint"]["paginator"],
        json!({"type": "offset", "limit": 50, "offset_param": "offset", "limit_param": "limit", "total_path": "total"})
    );
    assert_eq!(pets["primary_key"], json!("id"));
    // allOf merged, required and `nullable: true` read, formats typed, docs kept.
    assert_eq!(
        pets["columns"]["id"],
        json!({"data_type": "bigint", "nullable": false})
    );
    assert_eq!(
        pets["columns"]["name"],
        json!({"data_type": "text", "nullable": false, "description": "The pet's name."})
    );
    assert_eq!(pets["columns"]["tag"], json!({"data_type": "text"}));
    assert_eq!(pets["columns"]["born"], json!({"data_type": "date"}));
    assert_eq!(pets["columns"]["weight"], json!({"data_type": "double"}));
    // `/pets/{id}` is one pet of each listed pet; `/pets/{pet_id}/visits` their visits.
    assert_eq!(
        resource(&spec, "pet")["endpoint"]["path"],
        json!("pets/{resources.pets.id}")
    );
    let visits = resource(&spec, "visits");
    assert_eq!(
        visits["endpoint"]["path"],
        json!("pets/{resources.pets.id}/visits")
    );
    assert_eq!(visits["endpoint"]["data_selector"], json!("$"));
    assert_eq!(visits["primary_key"], json!("visit_id"));
    assert!(imported
        .guesses
        .contains(&"/pets/{pet_id}/visits: `{pet_id}` is the `id` of a `pets` record".to_owned()));
    assert!(imported
        .yaml("petstore.yaml")
        .contains("# - visits: primary key `visit_id`\n"));
}

#[test]
fn a_page_number_api_in_openapi_3_1() {
    let (_, spec) = imported("tracker.json");
    assert_eq!(
        spec["client"]["auth"],
        json!({"type": "bearer", "token": {"secret": "token"}})
    );
    let projects = resource(&spec, "projects");
    assert_eq!(projects["endpoint"]["data_selector"], json!("items"));
    assert_eq!(
        projects["endpoint"]["paginator"],
        json!({"type": "page_number", "base_page": 1, "page_param": "page", "total_path": "meta.total_pages"})
    );
    // 3.1's `type: [string, "null"]` and a decimal.
    assert_eq!(
        projects["columns"]["archived_at"],
        json!({"data_type": "timestamp"})
    );
    assert_eq!(
        projects["columns"]["budget"],
        json!({"data_type": "decimal"})
    );
    // The child comes first in the document; it is matched all the same.
    let issues = resource(&spec, "issues");
    assert_eq!(
        issues["endpoint"]["path"],
        json!("projects/{resources.projects.id}/issues")
    );
    assert_eq!(issues["columns"]["labels"], json!({"data_type": "json"}));
    // `oneOf` a boolean or null.
    assert_eq!(issues["columns"]["closed"], json!({"data_type": "bool"}));
}

#[test]
fn cursors_and_oauth2_client_credentials() {
    let (imported, spec) = imported("shop.yaml");
    assert_eq!(
        spec["client"]["auth"],
        json!({"type": "oauth2_client_credentials", "access_token_url": "https://auth.shop.example/token",
               "client_id": {"secret": "client_id"}, "client_secret": {"secret": "client_secret"}})
    );
    assert_eq!(
        resource(&spec, "orders")["endpoint"]["paginator"],
        json!({"type": "cursor", "cursor_param": "cursor", "cursor_path": "next_cursor"})
    );
    assert_eq!(resource(&spec, "orders")["primary_key"], json!("order_id"));
    assert_eq!(
        resource(&spec, "orders")["columns"]["total"],
        json!({"data_type": "double"}),
        "required, but nullable in 3.1's way"
    );
    assert_eq!(
        resource(&spec, "customers")["endpoint"]["paginator"],
        json!({"type": "cursor", "cursor_param": "starting_after", "cursor_path": "data[-1].id", "has_more_path": "has_more"})
    );
    assert!(imported
        .guesses
        .contains(&"customers: the cursor is the last record's id".to_owned()));
}

#[test]
fn link_headers_next_links_and_basic_auth() {
    let (_, spec) = imported("news.yaml");
    assert_eq!(spec["client"]["base_url"], json!("https://news.example"));
    assert_eq!(spec["client"]["auth"]["type"], json!("http_basic"));
    let articles = resource(&spec, "articles");
    assert_eq!(
        articles["endpoint"]["paginator"],
        json!({"type": "header_link"})
    );
    assert_eq!(articles["endpoint"]["data_selector"], json!("$"));
    assert_eq!(articles["primary_key"], json!("article_id"));
    assert_eq!(
        resource(&spec, "feeds")["endpoint"]["paginator"],
        json!({"type": "json_link", "next_url_path": "next"})
    );
}

#[test]
fn the_applied_scheme_of_several_a_single_object_and_what_is_left_out() {
    let (imported, spec) = imported("stats.yaml");
    assert_eq!(
        spec["client"]["auth"],
        json!({"type": "api_key", "name": "api_key", "location": "query", "api_key": {"secret": "api_key"}})
    );
    let summary = resource(&spec, "summary");
    assert_eq!(summary["endpoint"]["paginator"], json!("single_page"));
    assert!(summary["endpoint"].get("data_selector").is_none());
    assert_eq!(
        summary["columns"]["visits"],
        json!({"data_type": "bigint", "nullable": false})
    );
    // A POST is not a resource; an answer without JSON is left out, and said so.
    assert_eq!(spec["resources"].as_array().unwrap().len(), 1);
    assert_eq!(
        imported.skipped,
        ["GET /export: no JSON schema for a success response"]
    );
    assert!(imported
        .guesses
        .contains(&"auth: `queryKey` of 2 security schemes".to_owned()));
}

#[test]
fn the_command_writes_a_spec_that_validates_and_lists_its_guesses() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pets.yaml");
    let output = connectorgen_e2e::connectorgen_command()
        .args(["openapi", "tests/openapi/petstore.yaml", "--out"])
        .arg(&out)
        .current_dir(WORKSPACE)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("guessed: visits: primary key `visit_id`"),
        "{stderr}"
    );
    assert!(stderr.contains("pets.yaml: ok (3 resources)"), "{stderr}");
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(
        written.starts_with(
            "# Imported from petstore.yaml by connectorgen openapi.\n# Guessed (check these):\n"
        ),
        "{written}"
    );
}
