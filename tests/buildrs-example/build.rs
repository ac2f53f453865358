use std::fmt::Write as _;
use std::path::Path;

fn main() -> Result<(), connectorgen::Error> {
    // Written to OUT_DIR/events.rs, OUT_DIR/tricky_api.rs, OUT_DIR/parity.rs, OUT_DIR/children.rs, OUT_DIR/incremental.rs, OUT_DIR/paginators.rs, OUT_DIR/pipedrive.rs and OUT_DIR/hostile.rs.
    connectorgen::Builder::new("../../specs/events.json").generate()?;
    // These exercise dlt's deprecated and legacy forms on purpose (`complex`,
    // `json_response`, resolve and incremental params): their warnings are known.
    connectorgen::Builder::new("../specs/tricky_names.yaml")
        .warnings(false)
        .generate()?;
    connectorgen::Builder::new("../specs/parity.yaml")
        .warnings(false)
        .generate()?;
    connectorgen::Builder::new("../specs/children.yaml")
        .warnings(false)
        .generate()?;
    connectorgen::Builder::new("../specs/incremental.yaml")
        .warnings(false)
        .generate()?;
    connectorgen::Builder::new("../specs/paginators.yaml").generate()?;
    connectorgen::Builder::new("../specs/dlt_configs.yaml").generate()?;
    // Hostile but valid (tests/hostile_specs.rs): compiled here, clippy-clean, and its
    // docs hold no doctest for `cargo test` to run.
    connectorgen::Builder::new("../hostile/compiles.yaml").generate()?;
    corpus()
}

/// Every config of `tests/corpus/` (shaped like public dlt projects', ignored keys and
/// legacy forms included on purpose) into `OUT_DIR/corpus/`, and `OUT_DIR/corpus.rs`
/// with one module per config, so that all of them are compiled.
fn corpus() -> Result<(), connectorgen::Error> {
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let dir = Path::new(&out).join("corpus");
    println!("cargo:rerun-if-changed=../corpus");
    let mut specs: Vec<_> = std::fs::read_dir("../corpus")
        .expect("tests/corpus exists")
        .map(|entry| entry.expect("a readable entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "yaml" || e == "json"))
        .collect();
    specs.sort();
    let mut modules = String::new();
    for spec in specs {
        let stem = spec
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("corpus files have UTF-8 names")
            .to_owned();
        connectorgen::Builder::new(&spec)
            .out_dir(&dir)
            .file_name(format!("{stem}.rs"))
            .warnings(false)
            .generate()?;
        writeln!(
            modules,
            "pub mod {stem} {{ include!(concat!(env!(\"OUT_DIR\"), \"/corpus/{stem}.rs\")); }}"
        )
        .expect("writing to a String");
    }
    std::fs::write(Path::new(&out).join("corpus.rs"), modules).expect("OUT_DIR is writable");
    Ok(())
}
