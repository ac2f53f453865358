//! Generation time of a large spec: `cargo bench --bench generate [-- RESOURCES]
//! [--build [--out DIR]]`.
//!
//! Writes a spec with RESOURCES resources (default 1,000; the largest real-world specs
//! have about 240) in the shapes real APIs mix: offset, page-number, cursor and
//! Link-header paginators, a child resource for every tenth, an incremental cursor for
//! every seventh, six typed columns each. Times loading, checking and generating its
//! crate (the median of five runs, with min–max), then with `--build` runs `cargo
//! build` on the crate in a temporary folder and reports how long the build took, with
//! its dependencies and then the crate alone from scratch.

use std::fmt::Write as _;
use std::process::Command;
use std::time::Instant;

fn spec(resources: usize) -> String {
    let mut yaml = String::from(
        "name: large\nclient:\n  base_url: https://api.example.com/v2\n  auth:\n    type: bearer\n    token: { secret: token }\nresources:\n",
    );
    for i in 0..resources {
        let paginator = match i % 4 {
            0 => "{ type: offset, limit: 100 }",
            1 => "{ type: page_number, base_page: 1, total_path: meta.pages }",
            2 => "{ type: cursor, cursor_path: meta.next, cursor_param: after }",
            _ => "header_link",
        };
        let _ = writeln!(
            yaml,
            "  - name: resource_{i}\n    primary_key: id\n    endpoint:\n      path: /things_{i}\n      data_selector: data\n      paginator: {paginator}"
        );
        if i % 7 == 3 {
            let _ = writeln!(
                yaml,
                "      incremental: {{ cursor_path: updated_at, start_param: since, initial_value: '2024-01-01T00:00:00Z' }}"
            );
        }
        yaml.push_str(
            "    columns:\n      id: { data_type: bigint, nullable: false }\n      name: { data_type: text }\n      updated_at: { data_type: timestamp }\n      amount: { data_type: decimal }\n      active: { data_type: bool }\n      tags: { data_type: json }\n",
        );
        if i % 10 == 9 {
            let _ = writeln!(
                yaml,
                "  - name: resource_{i}_items\n    endpoint:\n      path: /things_{i}/{{resources.resource_{i}.id}}/items\n      paginator: single_page\n    include_from_parent: [name]\n    columns:\n      sku: {{ data_type: text }}\n      quantity: {{ data_type: bigint }}"
            );
        }
    }
    yaml
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let resources: usize = args
        .iter()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .next()
        .unwrap_or(1000);
    let dir = tempfile::tempdir().unwrap();
    let spec_path = dir.path().join("large.yaml");
    std::fs::write(&spec_path, spec(resources)).unwrap();
    let runtime_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("runtime");
    let runtime = connectorgen::RuntimeSource::Path(runtime_dir.to_string_lossy().into_owned());

    let mut times = Vec::new();
    let mut files = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let connector = connectorgen::load(&spec_path).unwrap();
        files = connectorgen::crate_files(&connector, &runtime).unwrap();
        times.push(started.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let lines: usize = files.iter().map(|(_, text)| text.lines().count()).sum();
    let total = connectorgen::load(&spec_path).unwrap().resources.len();
    println!(
        "{total} resources: generated in {:.3} s (min {:.3}, max {:.3}), {lines} lines",
        times[2], times[0], times[4]
    );

    if args.iter().any(|a| a == "--build") {
        // `--out DIR` keeps the crate there, to look at or to build again.
        let crate_dir = match args.iter().position(|a| a == "--out") {
            Some(i) => std::path::PathBuf::from(&args[i + 1]),
            None => dir.path().join("large"),
        };
        connectorgen::write_files(&crate_dir, &files).unwrap();
        // A workspace of its own; its target folder is kept under this workspace's, so
        // the dependencies build once. Then the crate alone, from scratch.
        std::fs::write(
            crate_dir.join("Cargo.toml"),
            std::fs::read_to_string(crate_dir.join("Cargo.toml")).unwrap() + "\n[workspace]\n",
        )
        .unwrap();
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let target = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/generate-bench");
        for what in ["with dependencies (cold the first time)", "the crate alone"] {
            if what == "the crate alone" {
                let status = Command::new(&cargo)
                    .args(["clean", "--quiet", "-p", "large-connector"])
                    .env("CARGO_TARGET_DIR", &target)
                    .current_dir(&crate_dir)
                    .status()
                    .unwrap();
                assert!(status.success());
            }
            let started = Instant::now();
            let status = Command::new(&cargo)
                .args(["build", "--quiet", "--lib"])
                .env("CARGO_TARGET_DIR", &target)
                .current_dir(&crate_dir)
                .status()
                .unwrap();
            assert!(status.success());
            println!(
                "cargo build (debug), {what}: {:.1} s",
                started.elapsed().as_secs_f64()
            );
        }
    }
}
