//! The `connectorgen` command: generate, check, validate; and a crate it generates from
//! someone else's spec, built outside this workspace, run against a local server.

use connectorgen_e2e::{param, target_dir, Fault, OffsetApi};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const WORKSPACE: &str = env!("CARGO_MANIFEST_DIR");

fn connectorgen() -> Command {
    connectorgen_e2e::connectorgen_command()
}

fn cargo(args: &[&str], dir: &Path, target: Option<&Path>) {
    let mut command = Command::new(env!("CARGO"));
    command.args(args).current_dir(dir);
    if let Some(target) = target {
        command.env("CARGO_TARGET_DIR", target);
    }
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "cargo {args:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A spec written by someone else: other names, columns, paginator settings and auth
/// than the seeds.
const LIBRARY_SPEC: &str = r#"
name: library
description: A book catalogue.
client:
  base_url: https://catalogue.example.org/api
  auth:
    type: api_key
    name: X-Api-Key
    location: header
  retry:
    statuses: [429, 503]
    max_retries: 5
    backoff_factor: 0.05
resources:
  - name: books
    primary_key: isbn
    write_disposition: { disposition: merge, strategy: upsert }
    endpoint:
      path: books
      params: { lang: en }
      data_selector: items
      paginator:
        type: offset
        limit: 25
        offset_param: start
        limit_param: count
        total_path: meta.total_count
    columns:
      isbn: { data_type: text }
      title: { data_type: text, nullable: false }
      published: { data_type: date }
      price: { data_type: decimal }
      in_stock: { data_type: bool }
  - name: authors
    endpoint:
      path: /authors
      data_selector: items
      paginator: { type: offset, limit: 40, offset_param: start, limit_param: count, total_path: null }
    columns:
      id: { data_type: bigint, nullable: false }
      born: { data_type: timestamp }
  - name: awards
    include_from_parent: [id]
    endpoint:
      path: "authors/{resources.authors.id}/awards"
      paginator: single_page
  - name: loans
    primary_key: id
    endpoint:
      path: loans
      params: { since: "{incremental.start_value}" }
      data_selector: items
      paginator: single_page
      incremental: { cursor_path: updated, initial_value: 0 }
    columns:
      id: { data_type: bigint, nullable: false }
      updated: { data_type: bigint }
"#;

fn books() -> Vec<Value> {
    (0..203)
        .map(|i| {
            json!({
                "isbn": format!("978-{i:06}"),
                "title": format!("Book {i}"),
                "published": if i % 4 == 0 { Value::Null } else { json!(format!("19{:02}-01-{:02}", i % 100, i % 28 + 1)) },
                "price": format!("{}.{:02}", 5 + i % 40, i % 100),
                "in_stock": i % 3 != 0,
                "shelf": format!("S{}", i % 9),
            })
        })
        .collect()
}

fn authors() -> Vec<Value> {
    (1..=97)
        .map(|id| json!({"id": id, "born": format!("1950-06-{:02}T08:00:00Z", id % 28 + 1), "name": format!("Author {id}")}))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_generated_crate_builds_outside_the_workspace_and_fetches_every_record_through_faults() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("library.yaml");
    std::fs::write(&spec, LIBRARY_SPEC).unwrap();
    let out = dir.path().join("library-connector");

    let generated = connectorgen()
        .args([
            "generate",
            spec.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(generated.status.success(), "{}", text(&generated.stderr));
    for file in ["Cargo.toml", "README.md", "src/lib.rs", "src/main.rs"] {
        assert!(out.join(file).is_file(), "{file} written");
    }
    let manifest = std::fs::read_to_string(out.join("Cargo.toml")).unwrap();
    let runtime = Path::new(WORKSPACE).join("runtime");
    assert!(
        manifest.contains(&format!(
            "connectorgen-runtime = {{ path = \"{}\" }}",
            runtime.display()
        )),
        "{manifest}"
    );
    let readme = std::fs::read_to_string(out.join("README.md")).unwrap();
    assert!(
        readme.contains(
            "| `LIBRARY_API_KEY` | secret `api_key` (api key sent as header `X-Api-Key`) |"
        ),
        "{readme}"
    );
    assert!(
        readme.contains("| `published` | `published` | date | `Option<NaiveDate>` |"),
        "{readme}"
    );

    // Same dependency versions as this workspace, and its compiled dependencies reused.
    std::fs::copy(
        Path::new(WORKSPACE).join("Cargo.lock"),
        out.join("Cargo.lock"),
    )
    .unwrap();
    cargo(
        &["build", "--features", "cli", "--bin", "library"],
        &out,
        Some(&target_dir().join("outside")),
    );
    let program = target_dir().join("outside/debug/library");

    let books_api = OffsetApi::new(books(), "", "library-key")
        .key_in_header("X-Api-Key")
        .params("start", "count")
        .keys("items", Some("meta.total_count"))
        .faults([
            Fault::new(0, 503),
            Fault::new(100, 429).retry_after("1"),
            Fault::new(100, 503),
        ]);
    let authors_api = OffsetApi::new(authors(), "", "library-key")
        .key_in_header("X-Api-Key")
        .params("start", "count")
        .keys("items", None)
        .faults([Fault::new(40, 429), Fault::new(80, 503)]);
    let server = wiremock::MockServer::start().await;
    // Loans: served from a list the test changes between runs; `None` makes it fail.
    let loans = std::sync::Arc::new(std::sync::Mutex::new(Some(vec![(1, 10), (2, 20), (3, 30)])));
    let served = loans.clone();
    wiremock::Mock::given(wiremock::matchers::path("/loans"))
        .respond_with(move |r: &wiremock::Request| {
            let since: i64 = param(r, "since").and_then(|s| s.parse().ok()).unwrap_or(0);
            match served.lock().unwrap().as_ref() {
                Some(loans) => {
                    let items: Vec<Value> = loans
                        .iter()
                        .filter(|(_, updated)| *updated >= since)
                        .map(|(id, updated)| json!({"id": id, "updated": updated}))
                        .collect();
                    wiremock::ResponseTemplate::new(200).set_body_json(json!({ "items": items }))
                }
                None => wiremock::ResponseTemplate::new(404),
            }
        })
        .mount(&server)
        .await;
    // Every 10th author has one award; the others have none.
    wiremock::Mock::given(wiremock::matchers::path_regex(r"^/authors/\d+/awards$"))
        .respond_with(|r: &wiremock::Request| {
            let id: i64 = r.url.path().split('/').nth(2).unwrap().parse().unwrap();
            let awards: Vec<Value> = if id % 10 == 0 {
                vec![json!({"award": format!("prize {id}")})]
            } else {
                vec![]
            };
            wiremock::ResponseTemplate::new(200).set_body_json(awards)
        })
        .mount(&server)
        .await;
    for (route, api) in [("/books", books_api), ("/authors", authors_api)] {
        wiremock::Mock::given(wiremock::matchers::path(route))
            .respond_with(api)
            .mount(&server)
            .await;
    }

    let run = {
        let program = program.clone();
        move |args: &[&str]| -> Output {
            Command::new(&program)
                .args(args)
                .env("LIBRARY_API_KEY", "library-key")
                .env_remove("LIBRARY_BASE_URL")
                .output()
                .unwrap()
        }
    };
    let base_url = server.uri();
    let all = tokio::task::spawn_blocking({
        let run = run.clone();
        let base_url = base_url.clone();
        // One request at a time: the requests below come in a known order (with the
        // default of four at once, the retries of page 100 interleave with later pages).
        move || run(&["--base-url", &base_url, "--concurrency", "1"])
    })
    .await
    .unwrap();
    assert!(all.status.success(), "{}", text(&all.stderr));

    let lines: Vec<Value> = text(&all.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines.len(),
        203 + 97 + 9 + 3,
        "every book, author, award and loan"
    );
    let awards: Vec<&Value> = lines.iter().filter(|l| l.get("award").is_some()).collect();
    assert_eq!(
        awards.len(),
        9,
        "one award for each of authors 10, 20, ..., 90"
    );
    assert_eq!(
        awards
            .iter()
            .map(|a| a["_authors_id"].as_i64().unwrap())
            .sum::<i64>(),
        450
    );
    assert_eq!(
        lines[0],
        json!({"isbn": "978-000000", "title": "Book 0", "published": null, "price": "5.00", "in_stock": false, "shelf": "S0"})
    );
    assert_eq!(lines[1]["published"], json!("1901-01-02"));
    assert_eq!(lines[202]["isbn"], json!("978-000202"));
    assert_eq!(
        lines[203],
        json!({"id": 1, "born": "1950-06-02T08:00:00Z", "name": "Author 1"})
    );
    assert_eq!(lines[299]["id"], json!(97));

    let requests = server.received_requests().await.unwrap();
    let books_starts: Vec<String> = requests
        .iter()
        .filter(|r| r.url.path() == "/books")
        .map(|r| param(r, "start").unwrap())
        .collect();
    // 203 books at 25 a page: 9 pages, plus one retry at 0 and two at 100.
    assert_eq!(
        books_starts,
        ["0", "0", "25", "50", "75", "100", "100", "100", "125", "150", "175", "200"]
    );
    assert!(requests
        .iter()
        .filter(|r| r.url.path() == "/books")
        .all(|r| param(r, "lang").as_deref() == Some("en")
            && param(r, "count").as_deref() == Some("25")));
    let author_starts: Vec<String> = requests
        .iter()
        .filter(|r| r.url.path() == "/authors")
        .map(|r| param(r, "start").unwrap())
        .collect();
    // No total: pages until an empty one (97 authors at 40 a page, then an empty page).
    // Then once more: `awards` streams its parent to fan out over it.
    assert_eq!(
        author_starts,
        ["0", "40", "40", "80", "80", "120", "0", "40", "80", "120"]
    );
    let log = text(&all.stderr);
    assert!(log.contains("books: 203 records"), "{log}");
    assert!(log.contains("authors: 97 records"), "{log}");
    assert!(log.contains("loans: 3 records"), "{log}");
    assert!(log.contains("awards: 9 records"), "{log}");
    assert!(log.contains("retry 1 of 5"), "{log}");
    assert!(!log.contains("library-key"), "{log}");

    let limited = run(&[
        "--base-url",
        &base_url,
        "--resource",
        "authors",
        "--limit",
        "5",
    ]);
    assert!(limited.status.success(), "{}", text(&limited.stderr));
    assert_eq!(text(&limited.stdout).lines().count(), 5);

    // Incremental state: a second run fetches only what changed; a failed run keeps
    // the old state file intact.
    let state_file = dir.path().join("state.json");
    let state_arg = state_file.to_str().unwrap().to_owned();
    let loans_run = |run: &dyn Fn(&[&str]) -> Output| {
        run(&[
            "--base-url",
            &base_url,
            "--resource",
            "loans",
            "--state",
            &state_arg,
            "-q",
        ])
    };
    let first = loans_run(&run);
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert_eq!(text(&first.stdout).lines().count(), 3);
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(&state_file).unwrap()).unwrap();
    assert_eq!(
        saved,
        json!({"loans": {"initial_value": 0, "last_value": 30, "unique_hashes": ["[3]"]}})
    );
    loans
        .lock()
        .unwrap()
        .as_mut()
        .unwrap()
        .extend([(4, 30), (5, 40)]);
    let second = loans_run(&run);
    assert!(second.status.success(), "{}", text(&second.stderr));
    assert_eq!(
        text(&second.stdout),
        "{\"id\":4,\"updated\":30}\n{\"id\":5,\"updated\":40}\n"
    );
    let before = std::fs::read_to_string(&state_file).unwrap();
    assert!(before.contains("\"last_value\": 40"), "{before}");
    *loans.lock().unwrap() = None;
    let failed = loans_run(&run);
    assert_eq!(failed.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(&state_file).unwrap(),
        before,
        "a failed run leaves the state file alone"
    );

    let unknown = run(&["--resource", "magazines"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert_eq!(
        text(&unknown.stderr),
        "library: error: no resource `magazines`; resources: books, authors, awards, loans\n"
    );

    let no_key = Command::new(&program)
        .args(["--base-url", &base_url])
        .env_remove("LIBRARY_API_KEY")
        .output()
        .unwrap();
    assert_eq!(no_key.status.code(), Some(1));
    assert_eq!(
        text(&no_key.stderr),
        "library: error: environment variable LIBRARY_API_KEY is not set; set it to the secret's value\n"
    );

    let down = run(&[
        "--base-url",
        "http://127.0.0.1:9",
        "--resource",
        "authors",
        "-q",
    ]);
    assert_eq!(down.status.code(), Some(1));
    let message = text(&down.stderr);
    assert!(
        message.starts_with("library: error: resource `authors`: GET http://127.0.0.1:9/authors?start=0&count=40 failed after 6 attempts: could not connect"),
        "{message}"
    );
}

#[test]
fn check_names_stale_files_and_generate_refreshes_them() {
    let dir = tempfile::tempdir().unwrap();
    let specs = dir.path().join("specs");
    let generated = dir.path().join("generated");
    std::fs::create_dir(&specs).unwrap();
    for spec in ["events.json", "scheduling.yaml"] {
        std::fs::copy(
            Path::new(WORKSPACE).join("specs").join(spec),
            specs.join(spec),
        )
        .unwrap();
    }
    let check = || {
        connectorgen()
            .args([
                "check",
                "--specs",
                specs.to_str().unwrap(),
                "--generated",
                generated.to_str().unwrap(),
            ])
            .output()
            .unwrap()
    };
    let generate = || {
        connectorgen()
            .args([
                "generate",
                specs.to_str().unwrap(),
                "--out",
                generated.to_str().unwrap(),
            ])
            .output()
            .unwrap()
    };

    let first = generate();
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert_eq!(
        text(&first.stderr),
        format!(
            "[1/2] {0}/events.json -> {1}/events (1 resources)\n[2/2] {0}/scheduling.yaml -> {1}/scheduling (1 resources)\n",
            specs.display(),
            generated.display()
        )
    );
    assert!(check().status.success());

    let spec = specs.join("scheduling.yaml");
    let edited = std::fs::read_to_string(&spec).unwrap().replace(
        "status: { data_type: text }",
        "status: { data_type: text }\n      room: { data_type: bigint }",
    );
    std::fs::write(&spec, edited).unwrap();
    let stale = check();
    assert_eq!(stale.status.code(), Some(1));
    let scheduling = generated.join("scheduling");
    assert_eq!(
        text(&stale.stderr),
        format!(
            "stale: {0}/README.md\nstale: {0}/src/lib.rs\nstale: {0}/src/main.rs\n3 file(s) out of date; run `connectorgen generate {1} --out {2}`\n",
            scheduling.display(),
            specs.display(),
            generated.display()
        )
    );

    assert!(generate().status.success());
    assert!(check().status.success());
    let lib = std::fs::read_to_string(scheduling.join("src/lib.rs")).unwrap();
    assert!(lib.contains("pub room: Option<i64>,"));
}

#[test]
fn bad_specs_exit_with_2_and_a_located_message() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("bad.yaml");
    std::fs::write(&spec, "client:\n  base_url: https://x.example\n  paginator: {type: offset, limit: 10, limt: 5}\nresources: [a]\n").unwrap();
    let output = connectorgen()
        .args([
            "generate",
            spec.to_str().unwrap(),
            "--out",
            dir.path().join("out").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        text(&output.stderr),
        format!("{}:3:40: error: unknown key `limt` (at `client.paginator.limt`)\n  hint: did you mean `limit`?\n", spec.display())
    );
    assert!(
        !dir.path().join("out").exists(),
        "nothing written for a bad spec"
    );

    let missing = connectorgen()
        .args(["validate", "/nonexistent/spec.yaml"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        text(&missing.stderr).starts_with("/nonexistent/spec.yaml: error: cannot read the spec: ")
    );

    // A dlt key connectorgen ignores: a located warning, and the spec is valid.
    let lenient = dir.path().join("lenient.yaml");
    std::fs::write(
        &lenient,
        "client: { base_url: 'https://api.example.com' }\nresources:\n  - name: a\n    parallelized: true\n",
    )
    .unwrap();
    let output = connectorgen()
        .args(["validate", lenient.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        text(&output.stderr),
        format!(
            "{0}:4:5: warning: `parallelized` is a dlt key that connectorgen ignores (at `resources[0].parallelized`)\n  \
             hint: connectorgen fetches the children of many parents at once by itself (`Config::fan_out`)\n\
             {0}: ok (1 resources)\n",
            lenient.display()
        )
    );
}

#[test]
fn the_checked_in_crates_are_fresh() {
    let specs = Path::new(WORKSPACE).join("specs");
    let mut count = 0;
    for entry in std::fs::read_dir(&specs).unwrap() {
        let spec = entry.unwrap().path();
        let connector = connectorgen::load(&spec).unwrap();
        let dir = Path::new(WORKSPACE).join("generated").join(&connector.name);
        let files = connectorgen::crate_files(
            &connector,
            &connectorgen::RuntimeSource::Path("../../runtime".into()),
        )
        .unwrap();
        assert_eq!(
            connectorgen::stale_files(&dir, &files),
            Vec::<PathBuf>::new(),
            "run `cargo run -p connectorgen -- generate specs --out generated`"
        );
        count += 1;
    }
    assert_eq!(count, 8);
}

#[test]
fn the_runtime_dependency_can_be_a_version_or_another_path() {
    let dir = tempfile::tempdir().unwrap();
    let spec = Path::new(WORKSPACE).join("specs/events.json");
    let out = dir.path().join("by-version");
    let output = connectorgen()
        .args([
            "generate",
            spec.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--runtime-version",
            "0.1",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let manifest = std::fs::read_to_string(out.join("Cargo.toml")).unwrap();
    assert!(
        manifest.contains("\nconnectorgen-runtime = { version = \"0.1\" }\n"),
        "{manifest}"
    );

    let output = connectorgen()
        .args([
            "generate",
            spec.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--runtime-path",
            "/nowhere/runtime",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        text(&output.stderr),
        "error: connectorgen-runtime is not at /nowhere/runtime; pass --runtime-path DIR or --runtime-version VERSION\n"
    );
}

/// A child process killed when the test ends, passed or not.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_mock_serves_a_spec_and_the_program_syncs_it_into_sqlite_and_files() {
    use std::io::BufRead as _;
    let mut mock = Killed(
        connectorgen()
            .args([
                "mock",
                "specs/events.json",
                "--records",
                "500",
                "--throttle-every",
                "7",
            ])
            .current_dir(WORKSPACE)
            .env("EVENTS_API_KEY", "mock-key")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut first = String::new();
    // Kept open until the test ends: the mock may still be writing its second line.
    let mut output = std::io::BufReader::new(mock.0.stdout.take().unwrap());
    output.read_line(&mut first).unwrap();
    let url = first
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line: {first:?}"))
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    let program = connectorgen_e2e::events_program();
    let dir = tempfile::tempdir().unwrap();
    let sync = |key: &str, destination: &str| -> Output {
        Command::new(&program)
            .args(["sync", "--base-url", &url, "--destination", destination])
            .env("EVENTS_API_KEY", key)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };

    let db = dir.path().join("events.db");
    let sqlite = format!("sqlite:{}", db.display());
    for run in 0..2 {
        let output = sync("mock-key", &sqlite);
        assert!(output.status.success(), "{}", text(&output.stderr));
        let summary = text(&output.stdout);
        let line = summary
            .lines()
            .find(|l| l.starts_with("event_data"))
            .unwrap_or_else(|| panic!("{summary}"));
        let fields: Vec<&str> = line.split_whitespace().collect();
        // resource, table, disposition (2 words), records, pages, inserted, updated, deleted
        let expected = if run == 0 {
            ["500", "5", "500", "0", "0"]
        } else {
            ["500", "5", "0", "500", "0"]
        };
        assert_eq!(fields[4..9], expected, "{summary}");
        assert!(summary.starts_with("load 1"), "{summary}");
    }
    let connection = rusqlite::Connection::open(&db).unwrap();
    let rows: (i64, i64) = connection
        .query_row(
            "SELECT count(*), count(DISTINCT id) FROM event_data",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(rows, (500, 500));

    // JSON-lines files, as dlt's filesystem destination lays them out.
    let files = dir.path().join("files");
    let output = sync("mock-key", &format!("file:{}", files.display()));
    assert!(output.status.success(), "{}", text(&output.stderr));
    let table = files.join("events").join("event_data");
    let lines: usize = std::fs::read_dir(&table)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".jsonl"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap().lines().count())
        .sum();
    assert_eq!(lines, 500);

    // A wrong key: the mock refuses, the program fails naming the resource, nothing changes.
    let output = sync("wrong-key", &sqlite);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("events: error: resource `event_data`: GET "),
        "{stderr}"
    );
    assert!(stderr.contains("api_key=*** returned 401"), "{stderr}");
    assert!(!stderr.contains("wrong-key"), "{stderr}");

    // A destination that cannot be reached, named with its password masked.
    let output = sync("mock-key", "postgres://loader:hunter2@127.0.0.1:1/db");
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("error: destination postgres://loader:***@127.0.0.1:1/db: cannot connect"),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"), "{stderr}");
    drop(output);
}

#[test]
fn import_writes_a_spec_lists_what_it_could_not_carry_and_validates_it() {
    let dir = tempfile::tempdir().unwrap();
    let seed = Path::new(WORKSPACE).join("tests/import/seed_events.md");
    let out = dir.path().join("events.yaml");
    let output = connectorgen()
        .args([
            "import",
            seed.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stderr),
        format!("wrote {0}\n{0}: ok (1 resources)\n", out.display())
    );
    assert!(std::fs::read_to_string(&out).unwrap().starts_with(
        "# Imported from seed_events.md by connectorgen import.\nname: seed_events\n"
    ));

    // A pipeline with a setting left in a path: the notes, then the located error.
    let python = Path::new(WORKSPACE).join("tests/import/github_pipeline.py");
    let out = dir.path().join("github.yaml");
    let output = connectorgen()
        .args([
            "import",
            python.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "{}:46: note: `resources.1.endpoint.paginator`: `CommitsPaginator(...)` is computed at run time (a custom class or function)\n",
            python.display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.ends_with(&format!(
            "{}:38:5: error: `{{org}}` in the path is not bound (at `resources[2].endpoint.path`)\n  \
             hint: add `org` to the endpoint's `params`, or use `{{resources.<parent>.<field>}}`\n",
            out.display()
        )),
        "{stderr}"
    );
}
