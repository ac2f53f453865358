//! The JSON Schema of the spec format (`connectorgen schema`, generated from the spec's
//! Rust types): checked in at codegen/spec.schema.json, pointed to by every spec in
//! specs/, accepting every spec of the repository and refusing unknown keys.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};

const WORKSPACE: &str = env!("CARGO_MANIFEST_DIR");

fn checked_in() -> PathBuf {
    Path::new(WORKSPACE).join("codegen/spec.schema.json")
}

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&connectorgen::spec::spec_schema()).expect("a valid schema")
}

/// A spec file's value tree as written (before connectorgen drops the keys it ignores).
fn tree(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    connectorgen::spec::Document::parse(&name, text)
        .unwrap_or_else(|e| panic!("{e}"))
        .value
}

fn specs_in(dir: &str) -> Vec<PathBuf> {
    let mut specs: Vec<PathBuf> = std::fs::read_dir(Path::new(WORKSPACE).join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "json"))
        .collect();
    specs.sort();
    specs
}

#[test]
fn the_checked_in_schema_is_what_connectorgen_schema_prints() {
    let printed = connectorgen_e2e::connectorgen_command()
        .arg("schema")
        .output()
        .unwrap();
    assert!(
        printed.status.success(),
        "{}",
        String::from_utf8_lossy(&printed.stderr)
    );
    let printed = String::from_utf8(printed.stdout).unwrap();
    let file = std::fs::read_to_string(checked_in()).unwrap();
    assert!(
        printed == file,
        "codegen/spec.schema.json is stale: cargo run -p connectorgen --features schema -- schema > codegen/spec.schema.json"
    );
    let schema: Value = serde_json::from_str(&file).unwrap();
    assert_eq!(schema, connectorgen::spec::spec_schema());
}

#[test]
fn every_spec_of_the_repository_is_valid_against_the_schema() {
    let validator = validator();
    let mut checked = 0;
    for dir in ["specs", "tests/specs", "tests/hostile", "tests/corpus"] {
        for path in specs_in(dir) {
            let tree = tree(&path);
            let errors: Vec<String> = validator
                .iter_errors(&tree)
                .map(|e| format!("{} at {}", e, e.instance_path))
                .collect();
            assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
            checked += 1;
        }
    }
    assert!(checked >= 40, "{checked} specs");
}

#[test]
fn the_schema_refuses_unknown_keys_and_wrong_shapes() {
    let validator = validator();
    let good = json!({
        "client": {"base_url": "https://api.example.com", "paginator": "single_page"},
        "resources": ["users", {"name": "posts", "endpoint": {"path": "posts"},
                                "parallelized": true,
                                "columns": {"id": {"data_type": "bigint", "x-note": 1, "precision": 3}}}]
    });
    assert!(validator.is_valid(&good), "{:?}", validator.validate(&good));
    for (pointer, value) in [
        // Typos, at every level.
        ("/client/paginater", json!("single_page")),
        ("/resources/1/endpoint/data_selecter", json!("data")),
        ("/resources/1/primry_key", json!("id")),
        ("/resources/1/columns/id/data_tipe", json!("text")),
        ("/clients", json!({})),
        // Wrong shapes.
        ("/resources/1/endpoint/paginator", json!(7)),
        ("/client/timeout", json!("soon")),
        ("/resources/1/selected", json!("yes")),
    ] {
        let mut bad = good.clone();
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        bad.pointer_mut(parent).unwrap()[key] = value;
        assert!(!validator.is_valid(&bad), "{pointer} was accepted");
    }
}

#[test]
fn every_spec_in_specs_points_editors_to_the_schema() {
    for path in specs_in("specs") {
        let text = std::fs::read_to_string(&path).unwrap();
        let target = if path.extension().is_some_and(|e| e == "json") {
            tree(&path)["$schema"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        } else {
            let first = text.lines().next().unwrap_or_default();
            first
                .strip_prefix("# yaml-language-server: $schema=")
                .unwrap_or_else(|| panic!("{}: first line is {first:?}", path.display()))
                .to_owned()
        };
        let resolved = path.parent().unwrap().join(&target);
        assert_eq!(
            resolved.canonicalize().unwrap(),
            checked_in().canonicalize().unwrap(),
            "{}",
            path.display()
        );
    }
}
