//! Configs as dlt users write them (tests/specs/dlt_configs.yaml): a placeholder in the
//! base URL becomes a required setting, a dlt-named secret, jsonpath-ng selectors,
//! `total_path: ""`.

use buildrs_example::pipedrive::{Client, Config};
use futures_util::TryStreamExt;
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn a_base_url_placeholder_is_a_setting_filled_when_the_client_is_made() {
    let server = MockServer::start().await;
    for (offset, ids) in [("0", vec![1, 2]), ("2", vec![3]), ("4", vec![])] {
        let data: Vec<_> = ids
            .iter()
            .map(|id| json!({"id": id, "title": format!("deal {id}")}))
            .collect();
        Mock::given(method("GET"))
            .and(path("/api/v2/deals"))
            .and(query_param("api_token", "tok"))
            .and(query_param("offset", offset))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"data": data, "total": ""})),
            )
            .mount(&server)
            .await;
    }
    let port = server.address().port().to_string();
    let client = Client::new(Config::new(port, "v2", "tok")).unwrap();
    let deals: Vec<_> = client.deals().try_collect().await.unwrap();
    let titles: Vec<_> = deals.iter().map(|d| d.title.clone().unwrap()).collect();
    assert_eq!(titles, ["deal 1", "deal 2", "deal 3"]);
    assert_eq!(Config::BASE_URL, "http://127.0.0.1:{port}/api/{version}/");
}

#[test]
fn a_base_url_part_that_is_not_url_safe_is_refused() {
    let error = Client::new(Config::new("80@evil.example", "v2", "tok"))
        .unwrap_err()
        .to_string();
    assert_eq!(
        error,
        "setting `port` is `80@evil.example`, which cannot go into the base URL \
         http://127.0.0.1:{port}/api/{version}/: use letters, digits, `-`, `.`, `_` or `~`"
    );
}

#[test]
fn dots_alone_cannot_move_the_path() {
    let error = Client::new(Config::new("12345", "..", "tok"))
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("setting `version` is `..`, which cannot go into the base URL"),
        "{error}"
    );
}

#[test]
fn from_env_asks_for_every_part_of_the_base_url() {
    std::env::remove_var("PIPEDRIVE_PORT");
    let error = Config::from_env().unwrap_err().to_string();
    assert_eq!(
        error,
        "environment variable PIPEDRIVE_PORT is not set; set it to the setting's value"
    );
}

/// Configs shaped like public dlt projects' (tests/corpus/: dlt-init-openapi output,
/// verified sources, hand-written pipelines) validate and generate; the build script of
/// tests/buildrs-example compiled every one into `buildrs_example::corpus`.
#[test]
fn the_corpus_of_dlt_shaped_configs_validates_generates_and_compiles() {
    use connectorgen_runtime::Connector;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let connector = connectorgen::load(&path).unwrap_or_else(|e| panic!("{e}"));
        connectorgen::library(&connector, connectorgen::Mode::Crate).unwrap();
        names.push(connector.name);
    }
    assert!(names.len() >= 25, "{names:?}");
    use buildrs_example::corpus;
    assert_eq!(<corpus::freshdesk::Client as Connector>::NAME, "freshdesk");
    assert_eq!(
        <corpus::chess::Client as Connector>::SELECTED,
        ["profiles", "archives"]
    );
    assert_eq!(
        corpus::freshdesk::Config::BASE_URL,
        "https://{domain}.freshdesk.com/api/v2/"
    );
}
