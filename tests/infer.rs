//! `connectorgen infer` against `connectorgen mock`: the mock serves a spec's resources
//! with records made from its columns; infer, given the same spec without its columns,
//! must find them again through the runtime (auth, paginator, selector), and write a
//! spec that loads and generates.

use connectorgen::infer::{self, Options, Proposal};
use connectorgen::mock::{self, MockOptions};
use std::path::{Path, PathBuf};

const WORKSPACE: &str = env!("CARGO_MANIFEST_DIR");

/// The secrets of the specs used here, for the mock and for infer alike.
fn secrets() {
    static SET: std::sync::Once = std::sync::Once::new();
    SET.call_once(|| {
        std::env::set_var("EVENTS_API_KEY", "events-key");
        std::env::set_var("CONFERENCE_TOKEN", "conference-token");
    });
}

/// `spec` of specs/ with every resource's `columns` taken out, in `dir`.
fn without_columns(spec: &str, dir: &Path) -> PathBuf {
    let path = Path::new(WORKSPACE).join("specs").join(spec);
    let mut tree = connectorgen::spec::load(&path).unwrap().document.value;
    for resource in tree["resources"].as_array_mut().unwrap() {
        if let Some(resource) = resource.as_object_mut() {
            resource.remove("columns");
        }
    }
    let out = dir.join(spec.replace(".yaml", ".json"));
    std::fs::write(&out, serde_json::to_string_pretty(&tree).unwrap()).unwrap();
    out
}

/// Infers `bare` against a mock of `spec`, at the mock's URL plus `suffix`.
async fn proposals_at(spec: &str, bare: &Path, pages: usize, suffix: &str) -> Vec<Proposal> {
    secrets();
    let full = connectorgen::load(&Path::new(WORKSPACE).join("specs").join(spec)).unwrap();
    let server = mock::start(
        full,
        MockOptions {
            records: 150,
            ..MockOptions::default()
        },
    )
    .await
    .unwrap();
    let connector = connectorgen::load(bare).unwrap();
    let options = Options {
        base_url: Some(format!("{}{suffix}", server.base_url)),
        pages,
    };
    infer::infer(&connector, &options).await.unwrap()
}

async fn proposals(spec: &str, bare: &Path, pages: usize) -> Vec<Proposal> {
    proposals_at(spec, bare, pages, "").await
}

fn field<'a>(proposal: &'a Proposal, name: &str) -> &'a infer::columns::Field {
    &proposal
        .observed
        .fields
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("{name} not seen:\n{}", proposal.report()))
        .1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_columns_of_a_spec_are_found_again_from_its_responses() {
    let dir = tempfile::tempdir().unwrap();
    let bare = without_columns("events.json", dir.path());
    let proposals = proposals("events.json", &bare, 2).await;
    let events = &proposals[0];
    // Two pages of 100 (the paginator's limit), 150 records in all.
    assert_eq!(
        (events.pages, events.observed.records),
        (2, 150),
        "{}",
        events.report()
    );
    for (name, data_type) in [
        ("id", "bigint"),
        ("name", "text"),
        ("start_time", "timestamp"),
        ("end_time", "timestamp"),
    ] {
        assert_eq!(field(events, name).data_type().name(), data_type, "{name}");
    }
    assert!(!field(events, "id").nullable());
    assert!(field(events, "end_time").nullable());
    let report = events.report();
    assert!(
        report.starts_with("resource `event_data`: 150 records in 2 pages\n"),
        "{report}"
    );
    assert!(report.contains("  + id: bigint, never null\n"), "{report}");

    // Written next to the spec, it loads, and declares what was seen.
    let written = infer::write_spec(&bare, &proposals).unwrap();
    assert_eq!(written, dir.path().join("events.inferred.json"));
    let connector = connectorgen::load(&written).unwrap_or_else(|e| panic!("{e}"));
    let columns: Vec<(&str, &str)> = connector.resources[0]
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.data_type.name()))
        .collect();
    for expected in [
        ("id", "bigint"),
        ("start_time", "timestamp"),
        ("end_time", "timestamp"),
    ] {
        assert!(columns.contains(&expected), "{columns:?}");
    }
    // Nested fields are left to dlt's layout, not declared as one `json` column.
    assert!(
        !columns
            .iter()
            .any(|(name, _)| name.starts_with("mock_venue")),
        "{columns:?}"
    );
    connectorgen::library(&connector, connectorgen::Mode::Crate).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declared_columns_are_compared_and_children_and_failures_are_noted() {
    let dir = tempfile::tempdir().unwrap();
    // conference: events (top level) and their attendees (children).
    let bare = without_columns("conference.yaml", dir.path());
    let proposals = proposals("conference.yaml", &bare, 1).await;
    let children: Vec<&Proposal> = proposals.iter().filter(|p| p.note.is_some()).collect();
    assert!(!children.is_empty());
    for child in children {
        assert!(
            child.note.as_deref().unwrap().starts_with("a child of `"),
            "{}",
            child.report()
        );
        assert_eq!(child.observed.records, 0);
    }

    // A column declared with another type than the API sends is pointed out.
    let mut tree: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&bare).unwrap()).unwrap();
    tree["resources"][0]["columns"] =
        serde_json::json!({"id": {"data_type": "text"}, "gone": {"data_type": "bool"}});
    std::fs::write(&bare, tree.to_string()).unwrap();
    let proposals = self::proposals("conference.yaml", &bare, 1).await;
    let report = proposals[0].report();
    assert!(
        report.contains("  ~ id: declared text, seen bigint"),
        "{report}"
    );
    assert!(
        report.contains("  - gone: declared bool, never seen"),
        "{report}"
    );

    // An API that fails: the resource says how, and the others are still tried.
    let proposals = proposals_at("conference.yaml", &bare, 1, "/nowhere").await;
    let note = proposals[0].note.clone().unwrap_or_default();
    assert!(
        note.starts_with("resource `events`: GET ") && note.contains("returned 404"),
        "{note}"
    );
    assert_eq!(proposals[0].observed.records, 0);
}
