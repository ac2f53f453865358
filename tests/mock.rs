//! `connectorgen mock`: every checked-in spec served by the mock and read back through
//! its generated connector, and the sync of a parent/child, incremental connector
//! against it.

use connectorgen::mock::{self, MockOptions};
use connectorgen_runtime::load::{sqlite::Sqlite, SyncOptions};
use connectorgen_runtime::{Connector, Overrides};
use futures_util::StreamExt;
use std::path::Path;

/// Secrets every spec's connector reads, set once for the whole test process; the mock
/// checks requests against the same variables.
fn secrets() {
    static SET: std::sync::Once = std::sync::Once::new();
    SET.call_once(|| {
        for (name, value) in [
            ("EVENTS_API_KEY", "events-key"),
            ("SCHEDULING_API_KEY", "scheduling-key"),
            ("CONFERENCE_TOKEN", "conference-token"),
            ("GITHUB_TOKEN", "github-token"),
            ("STRIPE_SECRET_KEY", "stripe-key"),
            ("MOVIES_API_KEY", "movies-key"),
            ("CRM_CLIENT_ID", "crm-client"),
            ("CRM_CLIENT_SECRET", "crm-secret"),
            ("SEARCH_API_KEY", "search-key"),
        ] {
            std::env::set_var(name, value);
        }
    });
}

async fn serve(spec: &str, options: MockOptions) -> mock::Mock {
    secrets();
    let connector = connectorgen::load(Path::new(spec)).unwrap();
    mock::start(connector, options).await.unwrap()
}

/// Record counts of every resource of connector `C`, read from the mock.
async fn counts<C: Connector>(spec: &str, records: u64) -> Vec<(String, usize)> {
    let mock = serve(
        spec,
        MockOptions {
            records,
            ..MockOptions::default()
        },
    )
    .await;
    if spec.ends_with("crm.yaml") {
        // The OAuth2 token URL is a setting: point it at the mock's token endpoint.
        std::env::set_var(
            "CRM_ACCESS_TOKEN_URL",
            format!("http://{}/oauth/token", mock.address),
        );
    }
    let connector = C::from_env_with(Overrides::new(Some(mock.base_url.clone()), None)).unwrap();
    let mut counts = Vec::new();
    for resource in C::RESOURCES {
        let (values, _) = connector.values(resource, None).unwrap();
        let values: Vec<_> = values.collect().await;
        let records: Vec<_> = values
            .into_iter()
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{spec} {resource}: {e}"));
        counts.push((resource.to_string(), records.len()));
    }
    counts
}

fn named(counts: &[(&str, usize)]) -> Vec<(String, usize)> {
    counts.iter().map(|(n, c)| (n.to_string(), *c)).collect()
}

#[tokio::test]
async fn every_spec_is_served_with_its_paginator_envelope_and_auth() {
    // Offset with a total, in `data`.
    assert_eq!(
        counts::<events_connector::Client>("specs/events.json", 237).await,
        named(&[("event_data", 237)])
    );
    assert_eq!(
        counts::<scheduling_connector::Client>("specs/scheduling.yaml", 101).await,
        named(&[("resource_name", 101)])
    );
    // Link headers; Stripe's cursor from the last record with has_more; page numbers
    // with total pages; OAuth2 then offset; a POST with the cursor in the body.
    let github = counts::<github_connector::Client>("specs/github.yaml", 45).await;
    assert!(github.iter().all(|(_, n)| *n > 0), "{github:?}");
    assert_eq!(
        counts::<stripe_connector::Client>("specs/stripe.yaml", 45).await,
        named(&[("customers", 45), ("charges", 45)])
    );
    let movies = counts::<movies_connector::Client>("specs/movies.yaml", 45).await;
    assert!(movies.iter().all(|(_, n)| *n == 45), "{movies:?}");
    assert_eq!(
        counts::<crm_connector::Client>("specs/crm.yaml", 45).await,
        named(&[("contacts", 45), ("companies", 45)])
    );
    assert_eq!(
        counts::<search_connector::Client>("specs/search.yaml", 45).await,
        named(&[("documents", 45)])
    );
}

#[tokio::test]
async fn every_paginator_type_is_served() {
    let counts =
        counts::<buildrs_example::paginators::Client>("tests/specs/paginators.yaml", 45).await;
    let expected: Vec<(String, usize)> = [
        "by_offset",
        "by_page_number",
        "by_cursor",
        "by_json_link",
        "by_header_link",
        "by_header_cursor",
        "by_auto",
        "in_one_page",
    ]
    .iter()
    .map(|name| (name.to_string(), 45))
    .collect();
    assert_eq!(counts, expected);
}

#[tokio::test]
async fn the_mock_refuses_wrong_credentials_and_injects_faults() {
    let mock = serve(
        "specs/events.json",
        MockOptions {
            records: 30,
            fail_every: 2,
            ..MockOptions::default()
        },
    )
    .await;
    let mut config = events_connector::Config::new("not-the-key");
    config.base_url = mock.base_url.clone();
    let client = events_connector::Client::new(config).unwrap();
    let error = std::pin::pin!(client.event_data())
        .next()
        .await
        .unwrap()
        .unwrap_err()
        .to_string();
    assert!(error.contains("returned 401 Unauthorized"), "{error}");
    assert!(error.contains("api_key=***"), "{error}");

    // Every second request fails with 503; the seed's retry policy gets through.
    let mut config = events_connector::Config::from_env().unwrap();
    config.base_url = mock.base_url.clone();
    config.retry.backoff_factor = 0.01;
    let client = events_connector::Client::new(config).unwrap();
    let records: Vec<_> = client.event_data().collect().await;
    assert_eq!(records.len(), 30);
    assert!(records.iter().all(Result::is_ok));
}

#[tokio::test]
async fn a_parent_child_incremental_connector_syncs_from_the_mock() {
    let mock = serve(
        "specs/conference.yaml",
        MockOptions {
            records: 30,
            ..MockOptions::default()
        },
    )
    .await;
    let client = conference_connector::Client::from_env_with(Overrides::new(
        Some(mock.base_url.clone()),
        None,
    ))
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("conference.db");

    let mut destination = Sqlite::open(&db).unwrap();
    let first = client
        .sync(&mut destination, &SyncOptions::default())
        .await
        .unwrap();
    let records: Vec<(&str, u64)> = first
        .tables
        .iter()
        .map(|t| (t.resource.as_str(), t.records))
        .collect();
    // Event n has 1 + n % 3 attendees: ten events each of 1, 2 and 3.
    assert_eq!(records, [("events", 30), ("attendees", 60)]);
    let connection = rusqlite::Connection::open(&db).unwrap();
    let linked: i64 = connection
        .query_row(
            "SELECT count(*) FROM event_attendees a JOIN events e ON a._events_id = e.id",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(linked, 60, "every attendee names its event");

    // Nothing changed: the incremental resource asks from its last cursor and gets
    // only the last event again (start is inclusive), which dlt's dedup drops.
    let second = client
        .sync(
            &mut destination,
            &SyncOptions {
                resources: vec!["events".into()],
                ..SyncOptions::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(second.tables[0].records, 0);
}
