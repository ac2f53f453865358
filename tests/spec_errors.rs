//! Bad specs: every problem is reported at once, with file, line, column and a hint.

use std::path::PathBuf;

/// Writes `text` to a temporary file named `name` and returns the error text of loading it.
fn errors(name: &str, text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    match connectorgen::load(&path) {
        Ok(_) => panic!("{name} was accepted"),
        Err(error) => error
            .to_string()
            .replace(&dir.path().display().to_string(), "DIR"),
    }
}

/// Loads `text` as a spec file named `name` that must be accepted; its warnings as
/// printed (the temporary folder written `DIR`).
fn accepted(name: &str, text: &str) -> (connectorgen::Connector, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    let connector = connectorgen::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let warnings = connector
        .warnings
        .iter()
        .map(|w| {
            w.to_string()
                .replace(&dir.path().display().to_string(), "DIR")
        })
        .collect();
    (connector, warnings)
}

const GOOD_CLIENT: &str =
    "client:\n  base_url: https://api.example.com\n  paginator: single_page\n";

#[test]
fn unknown_keys_get_did_you_mean_hints_and_all_are_reported() {
    let text = "\
client:
  base_url: https://api.example.com
  paginater: single_page
resources:
  - name: users
    endpoint:
      path: users
      paginator:
        type: offset
        limt: 10
    primry_key: id
";
    assert_eq!(
        errors("users.yaml", text),
        "\
DIR/users.yaml:3:3: error: unknown key `paginater` (at `client.paginater`)
  hint: did you mean `paginator`?
DIR/users.yaml:8:7: error: the offset paginator needs `limit` (at `resources[0].endpoint.paginator`)
  hint: add `limit: 100` (records per page)
DIR/users.yaml:10:9: error: unknown key `limt` (at `resources[0].endpoint.paginator.limt`)
  hint: did you mean `limit`?
DIR/users.yaml:11:5: error: unknown key `primry_key` (at `resources[0].primry_key`)
  hint: did you mean `primary_key`?
4 errors"
    );
}

#[test]
fn json_specs_are_located_too() {
    let text = r#"{
  "client": {"base_url": "https://api.example.com"},
  "resources": [
    {"name": "a", "endpoint": {"path": "a", "paginator": {"type": "cursr"}}},
    {"name": "a", "endpoint": {"paginator": "single_page"}}
  ]
}"#;
    assert_eq!(
        errors("api.json", text),
        "\
DIR/api.json:4:59: error: unknown paginator `cursr` (at `resources[0].endpoint.paginator.type`)
  hint: did you mean `cursor`?
DIR/api.json:5:6: error: duplicate resource name `a` (at `resources[1].name`)
  hint: `a` is already the name of resources[0]
2 errors"
    );
}

#[test]
fn missing_base_url_and_unknown_auth_and_paginator() {
    let text = "\
client:
  auth: {type: oauth3}
resources:
  - name: users
    endpoint: {paginator: {type: ofset, limit: 5}}
";
    assert_eq!(
        errors("x.yml", text),
        "\
DIR/x.yml:1:1: error: missing key `base_url` (at `client`)
  hint: add `base_url: https://...` to `client`
DIR/x.yml:2:10: error: unknown auth type `oauth3` (at `client.auth.type`)
  hint: expected one of: bearer, api_key, http_basic, oauth2_client_credentials
DIR/x.yml:5:28: error: unknown paginator `ofset` (at `resources[0].endpoint.paginator.type`)
  hint: did you mean `offset`?
3 errors"
    );
}

#[test]
fn offset_paginator_needs_a_limit_and_a_way_to_stop() {
    let text = format!(
        "{GOOD_CLIENT}resources:
  - name: a
    endpoint: {{paginator: {{type: offset}}}}
  - name: b
    endpoint:
      paginator: {{type: offset, limit: 10, total_path: null, stop_after_empty_page: false}}
  - name: c
    endpoint: {{paginator: {{type: offset, limit: 10, cursor_path: next}}}}
"
    );
    assert_eq!(
        errors("p.yaml", &text),
        "\
DIR/p.yaml:6:16: error: the offset paginator needs `limit` (at `resources[0].endpoint.paginator`)
  hint: add `limit: 100` (records per page)
DIR/p.yaml:9:7: error: the offset paginator has no way to stop (at `resources[1].endpoint.paginator`)
  hint: set one of `total_path`, `maximum_offset`, `has_more_path` or `stop_after_empty_page: true`
DIR/p.yaml:11:53: error: `cursor_path` is not a setting of the `offset` paginator (at `resources[2].endpoint.paginator.cursor_path`)
  hint: `offset` takes: limit, offset, offset_param, limit_param, offset_body_path, limit_body_path, total_path, maximum_offset, stop_after_empty_page, has_more_path
3 errors"
    );
}

#[test]
fn columns_types_and_dispositions_are_checked() {
    let text = format!(
        "{GOOD_CLIENT}resource_defaults:
  primary_key: id
resources:
  - name: a
    write_disposition: upsert
    columns:
      id: {{data_type: integer}}
      when: {{data_type: timestmp}}
  - name: b
    write_disposition: {{disposition: merge, strategy: scd3}}
    columns:
      uid: {{data_type: bigint}}
"
    );
    assert_eq!(
        errors("c.yaml", &text),
        "\
DIR/c.yaml:8:5: error: unknown write disposition `upsert` (at `resources[0].write_disposition`)
  hint: `upsert` is a merge strategy: write `{disposition: merge, strategy: upsert}`
DIR/c.yaml:10:12: error: unknown data_type `integer` (at `resources[0].columns.id.data_type`)
  hint: dlt calls it `bigint`
DIR/c.yaml:11:14: error: unknown data_type `timestmp` (at `resources[0].columns.when.data_type`)
  hint: did you mean `timestamp`?
DIR/c.yaml:13:45: error: unknown merge strategy `scd3` (at `resources[1].write_disposition.strategy`)
  hint: did you mean `scd2`?
4 errors"
    );
}

#[test]
fn literal_secrets_are_refused_with_the_secret_form() {
    let text = "\
name: crm
client:
  base_url: https://api.example.com
  paginator: single_page
  auth: {type: bearer, token: sk_live_abc123}
resources: [contacts]
";
    let message = errors("crm.yaml", text);
    assert_eq!(
        message,
        "\
DIR/crm.yaml:5:24: error: `token` holds a literal secret; specs are checked into git (at `client.auth.token`)
  hint: write `token: {secret: token}` (or leave `token` out) and supply the value at run time, e.g. in the environment variable CRM_TOKEN"
    );
}

#[test]
fn names_that_collide_after_sanitizing_are_errors() {
    let text = format!(
        "{GOOD_CLIENT}resources:
  - name: user-events
    columns:
      startTime: {{data_type: timestamp}}
      start_time: {{data_type: text}}
  - user_events
"
    );
    assert_eq!(
        errors("n.yaml", &text),
        "\
DIR/n.yaml:8:7: error: columns `startTime` and `start_time` both become the Rust field `start_time` (at `resources[0].columns.start_time`)
  hint: rename one of them in the spec, or leave one out of `columns` (it is kept in `extra`)
DIR/n.yaml:9:5: error: resources `user-events` and `user_events` both become the Rust type UserEvents (at `resources[1]`)
  hint: rename one of them
2 errors"
    );
}

#[test]
fn syntax_errors_are_located() {
    assert_eq!(
        errors("bad.yaml", "client:\n  base_url: [unclosed\n"),
        "DIR/bad.yaml:3:1: error: not valid YAML: did not find expected ',' or ']'\n  \
         hint: the YAML syntax breaks here: check quotes, brackets and indentation"
    );
    assert_eq!(
        errors("bad.json", "{\"client\": {\"base_url\": }}"),
        "DIR/bad.json:1:25: error: not valid JSON: expected value\n  \
         hint: the JSON syntax breaks here: check quotes, brackets and indentation"
    );
}

#[test]
fn odd_documents_are_errors_not_panics() {
    for (name, text) in [
        ("empty.yaml", ""),
        ("list.yaml", "- a\n- b\n"),
        ("scalar.json", "42"),
        ("nulls.yaml", "client: null\nresources: null\n"),
        ("deep.yaml", "client: {base_url: {a: {b: {c: [1, [2, [3]]]}}}}\nresources: [[], {}, 3, null]\n"),
        ("keys.yaml", "? [a, b]\n: c\n"),
        ("unicode.yaml", "client: {base_url: 'https://ä.example'}\nresources: [{name: 'π', endpoint: {paginator: single_page}}, '']\n"),
        ("types.yaml", "client: {base_url: https://x, retry: {statuses: [99, 700], backoff_factor: -1}}\nresources: [{name: a, endpoint: {paginator: {type: offset, limit: 0}}}]\n"),
    ] {
        let message = errors(name, text);
        assert!(message.starts_with(&format!("DIR/{name}:")), "{name}: {message}");
        assert!(message.contains("error: "), "{name}: {message}");
    }
}

/// Every value of the seed specs replaced by every other kind of value, or removed: the
/// loader answers with a connector or located errors, never a panic.
#[test]
fn no_mutation_of_the_seed_specs_makes_the_loader_panic() {
    fn paths(value: &serde_json::Value, at: Vec<String>, out: &mut Vec<Vec<String>>) {
        out.push(at.clone());
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    let mut next = at.clone();
                    next.push(k.clone());
                    paths(v, next, out);
                }
            }
            serde_json::Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    let mut next = at.clone();
                    next.push(i.to_string());
                    paths(v, next, out);
                }
            }
            _ => {}
        }
    }
    let replacements = [
        None,
        Some(serde_json::json!(null)),
        Some(serde_json::json!(-1)),
        Some(serde_json::json!(1.5)),
        Some(serde_json::json!("")),
        Some(serde_json::json!("{x}")),
        Some(serde_json::json!([])),
        Some(serde_json::json!({})),
        Some(serde_json::json!([{"type": "offset"}])),
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for seed in ["events.json", "scheduling.yaml"] {
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("specs")
                .join(seed),
        )
        .unwrap();
        let value: serde_json::Value = if seed.ends_with(".json") {
            serde_json::from_str(&text).unwrap()
        } else {
            serde_yaml_value(&text)
        };
        let mut all = Vec::new();
        paths(&value, Vec::new(), &mut all);
        for path in all.iter().filter(|p| !p.is_empty()) {
            for replacement in &replacements {
                let mut mutated = value.clone();
                let (last, parent) = path.split_last().unwrap();
                let mut at = &mut mutated;
                for key in parent {
                    at = match at {
                        serde_json::Value::Array(items) => {
                            &mut items[key.parse::<usize>().unwrap()]
                        }
                        other => &mut other[key.as_str()],
                    };
                }
                match (at, replacement) {
                    (serde_json::Value::Object(map), None) => {
                        map.remove(last);
                    }
                    (serde_json::Value::Array(items), None) => {
                        items.remove(last.parse().unwrap());
                    }
                    (serde_json::Value::Object(map), Some(new)) => {
                        map.insert(last.clone(), new.clone());
                    }
                    (serde_json::Value::Array(items), Some(new)) => {
                        items[last.parse::<usize>().unwrap()] = new.clone();
                    }
                    _ => continue,
                }
                let file = dir.path().join(format!("m{checked}.json"));
                std::fs::write(&file, serde_json::to_string_pretty(&mutated).unwrap()).unwrap();
                match connectorgen::load(&file) {
                    Ok(_) => {}
                    Err(connectorgen::Error::Spec(errors)) => {
                        assert!(!errors.0.is_empty());
                        for error in &errors.0 {
                            assert!(error.line >= 1 && error.column >= 1, "{error} in {mutated}");
                        }
                    }
                    Err(other) => panic!("{other}"),
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 300, "{checked} mutations");
}

/// A YAML spec's value tree, read by the generator's own loader (so that the tests
/// need no YAML parser of their own).
fn serde_yaml_value(text: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seed.yaml");
    std::fs::write(&path, text).unwrap();
    connectorgen::spec::load(&path).unwrap().document.value
}

#[test]
fn unknown_response_actions_and_both_bodies_are_errors() {
    let text = format!(
        "{GOOD_CLIENT}resources:
  - name: a
    endpoint:
      method: POST
      json: {{q: 1}}
      data: {{q: 2}}
      response_actions:
        - {{status_code: 404, action: skip}}
        - {{action: ignore}}
"
    );
    assert_eq!(
        errors("r.yaml", &text),
        "\
DIR/r.yaml:9:7: error: `json` and `data` are both set (at `resources[0].endpoint.data`)
  hint: a request has one body: JSON (`json`) or a form (`data`)
DIR/r.yaml:11:30: error: unknown response action `skip` (at `resources[0].endpoint.response_actions[0].action`)
  hint: expected one of: ignore
DIR/r.yaml:12:11: error: a response action needs `status_code`, `content` or both (at `resources[0].endpoint.response_actions[1]`)
  hint: without them it would ignore every response
3 errors"
    );
}

#[test]
fn parent_child_mistakes_are_located_errors() {
    let text = format!(
        "{GOOD_CLIENT}resources:
  - name: events
    include_from_parent: [id]
  - name: tickets
    endpoint:
      path: \"evnts/{{resources.evnts.id}}/tickets\"
  - name: seats
    endpoint:
      path: \"events/{{resources.events.id}}/seats\"
      params: {{venue: \"{{resources.venues.id}}\", hall: \"{{resources.events}}\"}}
  - name: a
    endpoint: {{path: \"b/{{resources.b.id}}\"}}
  - name: b
    endpoint: {{path: \"a/{{resources.a.id}}\"}}
  - name: orders
    endpoint:
      path: \"orders/{{order}}\"
      params:
        event: {{type: resolve, resource: events, field: id}}
"
    );
    assert_eq!(
        errors("pc.yaml", &text),
        "\
DIR/pc.yaml:6:5: error: `include_from_parent` on a resource without a parent (at `resources[0].include_from_parent`)
  hint: use `{resources.<parent>.<field>}` in the endpoint to make it a child
DIR/pc.yaml:9:7: error: resource `tickets` names an unknown parent `evnts` (at `resources[1].endpoint.path`)
  hint: did you mean `events`?
DIR/pc.yaml:13:16: error: resource `seats` has two parents, `events` and `venues` (at `resources[2].endpoint.params.venue`)
  hint: a resource takes its placeholders from one parent, as in dlt
DIR/pc.yaml:13:48: error: placeholder `{resources.events}` names no field (at `resources[2].endpoint.params.hall`)
  hint: write `{resources.<parent>.<field>}`
DIR/pc.yaml:15:16: error: resources `a` -> `b` form a cycle of parents (at `resources[3].endpoint.path`)
  hint: a parent cannot depend on its own children
DIR/pc.yaml:17:16: error: resources `b` -> `a` form a cycle of parents (at `resources[4].endpoint.path`)
  hint: a parent cannot depend on its own children
DIR/pc.yaml:20:7: error: `{order}` in the path is not bound (at `resources[5].endpoint.path`)
  hint: add `order` to the endpoint's `params`, or use `{resources.<parent>.<field>}`
DIR/pc.yaml:22:9: error: resolve param `event` is not used in the path (at `resources[5].endpoint.params.event`)
  hint: add `{event}` to the endpoint's path
8 errors"
    );
}

/// dlt keys that connectorgen ignores are accepted, each with a located warning that
/// says what happens instead; an `x-` hint too. Generation goes on.
#[test]
fn dlt_keys_connectorgen_ignores_are_accepted_with_located_warnings() {
    let text = "\
client:
  base_url: https://api.example.com
  paginator: single_page
resource_defaults:
  parallelized: true
resources:
  - name: users
    max_table_nesting: 1
    schema_contract: freeze
    columns:
      id: { data_type: bigint, dedup_sort: desc }
      email: { data_type: text, x-pii: true, unique: true }
";
    let (connector, warnings) = accepted("users.yaml", text);
    assert_eq!(
        warnings,
        [
            "DIR/users.yaml:5:3: warning: `parallelized` is a dlt key that connectorgen ignores (at `resource_defaults.parallelized`)\n  \
             hint: connectorgen fetches the children of many parents at once by itself (`Config::fan_out`)",
            "DIR/users.yaml:8:5: warning: `max_table_nesting` is a dlt key that connectorgen ignores (at `resources[0].max_table_nesting`)\n  \
             hint: nested objects and lists are loaded into child tables at any depth",
            "DIR/users.yaml:9:5: warning: `schema_contract` is a dlt key that connectorgen ignores (at `resources[0].schema_contract`)\n  \
             hint: the record type is the contract: declared columns are typed, other fields are kept in `extra` and loaded as dlt's `evolve` mode would",
            "DIR/users.yaml:11:32: warning: `dedup_sort` is a dlt key that connectorgen ignores (at `resources[0].columns.id.dedup_sort`)\n  \
             hint: duplicates of a primary key within one load keep the last record",
            "DIR/users.yaml:12:33: warning: `x-pii` is a dlt key that connectorgen ignores (at `resources[0].columns.email.x-pii`)\n  \
             hint: extension hints are not used",
            "DIR/users.yaml:12:46: warning: `unique` is a dlt key that connectorgen ignores (at `resources[0].columns.email.unique`)\n  \
             hint: no unique constraint or index is created",
        ]
    );
    let fields: Vec<&str> = connector.resources[0]
        .fields
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(fields, ["id", "email"]);
}

/// As in dlt, `columns` may name only some columns: a primary key outside them is
/// accepted (read from the record's other fields), with a warning when it looks like a
/// typo of a declared column. dlt-init-openapi's `total_path: ""` and an empty
/// `data_selector` mean "none", and an empty basic-auth password is no secret.
#[test]
fn what_dlt_accepts_is_accepted() {
    let text = "\
client:
  base_url: https://api.example.com
  auth: { type: http_basic, username: { secret: api_key }, password: '' }
  paginator: { type: offset, limit: 10, total_path: '' }
resources:
  - name: tickets
    primary_key: [ticket_id, idd]
    endpoint: { path: tickets, data_selector: '' }
    columns:
      id: { data_type: bigint }
";
    let (connector, warnings) = accepted("desk.yaml", text);
    assert_eq!(
        warnings,
        ["DIR/desk.yaml:7:5: warning: primary key `idd` is not a declared column of `tickets` (at `resources[0].primary_key`)\n  \
          hint: did you mean `id`? (a key outside `columns` is read from the record's other fields)"]
    );
    let resource = &connector.resources[0];
    assert_eq!(resource.primary_key, ["ticket_id", "idd"]);
    assert_eq!(resource.data_selector, None);
    match &resource.paginator {
        connectorgen::model::Paginator::Offset(offset) => assert_eq!(offset.total_path, None),
        other => panic!("{other:?}"),
    }
    let secrets: Vec<&str> = connector
        .settings
        .iter()
        .map(|s| s.field.as_str())
        .collect();
    assert_eq!(
        secrets,
        [
            "base_url",
            "api_key",
            "concurrency",
            "timeout",
            "resource_timeout",
            "max_pages"
        ]
    );
    let code = connectorgen::library(&connector, connectorgen::Mode::Crate).unwrap();
    assert!(code.contains("password: Secret::new(\"\")"), "{code}");
}

/// dlt-init-openapi's `FILL_ME_IN` never reaches a URL; a base URL placeholder must be
/// a name a setting can take.
#[test]
fn fill_me_in_and_bad_base_url_placeholders_are_located() {
    let text = "\
client:
  base_url: https://{company-domain}.example.com/{base_url}/
  paginator: single_page
resources:
  - name: things
    endpoint:
      path: accounts/{account_id}/things
      params:
        account_id: FILL_ME_IN
";
    assert_eq!(
        errors("things.yaml", text),
        "\
DIR/things.yaml:2:3: error: placeholder `{company-domain}` in base_url is not a snake_case name (at `client.base_url`)
  hint: it becomes a setting of the connector: name it `{company_domain}`
DIR/things.yaml:2:3: error: placeholder `{base_url}` in base_url is also the name of another setting (at `client.base_url`)
  hint: rename it, e.g. `{base_url_part}`
DIR/things.yaml:9:9: error: `FILL_ME_IN` is still to be filled in (at `resources[0].endpoint.params.account_id`)
  hint: dlt-init-openapi leaves it for you: write the value here, or make it a setting with a `{name}` placeholder in `client.base_url`
3 errors"
    );
}

/// What dlt marks deprecated or legacy still works, with a warning showing the new form.
#[test]
fn deprecated_forms_work_with_a_warning_that_shows_the_new_one() {
    let text = "\
client:
  base_url: https://api.example.com
resources:
  - name: events
    endpoint:
      path: events
      paginator: json_response
      params:
        since: { type: incremental, cursor_path: updated_at, initial_value: '2024-01-01' }
    columns:
      payload: { data_type: complex }
  - name: tickets
    endpoint:
      path: events/{event_id}/tickets
      paginator: single_page
      params:
        event_id: { type: resolve, resource: events, field: id }
";
    let (connector, warnings) = accepted("legacy.yaml", text);
    assert_eq!(
        warnings,
        [
            "DIR/legacy.yaml:7:7: warning: paginator `json_response` is a deprecated name (at `resources[0].endpoint.paginator`)\n  \
             hint: dlt calls it `json_link` now; it works the same",
            "DIR/legacy.yaml:9:9: warning: incremental param `since` is dlt's legacy form (at `resources[0].endpoint.params.since`)\n  \
             hint: write `incremental: {cursor_path: updated_at, ...}` on the endpoint and `since: \"{incremental.start_value}\"` in params",
            "DIR/legacy.yaml:11:18: warning: data_type `complex` is a deprecated name (at `resources[0].columns.payload.data_type`)\n  \
             hint: dlt calls it `json` now; it works the same",
            "DIR/legacy.yaml:17:9: warning: resolve param `event_id` is dlt's legacy form (at `resources[1].endpoint.params.event_id`)\n  \
             hint: write `{resources.events.id}` in the path instead of `{event_id}`, and drop the param",
        ]
    );
    assert_eq!(
        connector.resources[1].path,
        "events/{resources.events.id}/tickets"
    );
}

/// A placeholder in the params of an endpoint nothing fills would reach the URL as text:
/// an error; doubled braces are literal braces.
#[test]
fn an_unfilled_placeholder_never_reaches_a_url() {
    let text = format!(
        "{GOOD_CLIENT}resources:
  - name: things
    endpoint:
      path: things
      params: {{ account: '{{account_id}}', filter: '{{{{\"a\": 1}}}}' }}
"
    );
    assert_eq!(
        errors("things.yaml", &text),
        "\
DIR/things.yaml:8:17: error: placeholder `{account_id}` is not filled by anything (at `resources[0].endpoint.params.account`)
  hint: placeholders are `{resources.<parent>.<field>}` and `{incremental.start_value}`; a setting goes in `client.base_url`; write `{{` and `}}` for literal braces"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("braces.yaml");
    std::fs::write(&path, text.replace("account: '{account_id}', ", "")).unwrap();
    let connector = connectorgen::load(&path).unwrap();
    assert_eq!(
        connector.resources[0].params,
        [("filter".to_owned(), "{\"a\": 1}".to_owned())]
    );
}

#[test]
fn client_timeout_is_seconds_above_zero() {
    let spec = |timeout: &str| {
        format!(
            "client:\n  base_url: https://api.example.com\n  timeout: {timeout}\n\
             resources:\n  - users\n"
        )
    };
    let error = errors("users.yaml", &spec("ten"));
    assert!(
        error.starts_with("DIR/users.yaml:3:3: error: invalid type: string \"ten\", expected f64"),
        "{error}"
    );
    for bad in ["0", "-3", "0.0001"] {
        let error = errors("users.yaml", &spec(bad));
        assert!(
            error.starts_with("DIR/users.yaml:3:")
                && error.contains("timeout")
                && error.contains("hint: write a number of seconds above 0"),
            "{bad}: {error}"
        );
    }
    let (connector, _) = accepted("users.yaml", &spec("2.5"));
    let code = connectorgen::library(&connector, connectorgen::Mode::Crate).unwrap();
    assert!(
        code.contains("timeout: std::time::Duration::from_millis(2500),"),
        "{code}"
    );
    assert!(code.contains("default 2.5 s (the spec's `client.timeout`)"));
    let (connector, _) = accepted("users.yaml", &spec("30"));
    let code = connectorgen::library(&connector, connectorgen::Mode::Crate).unwrap();
    assert!(code.contains("timeout: std::time::Duration::from_secs(30),"));
}

/// Found by tests/fuzz.rs: texts the parsers give no usable position for are still
/// located, and a quote that ends a YAML spec early is not called a second document.
#[test]
fn parse_errors_without_a_position_are_located_at_the_start() {
    assert_eq!(
        errors("empty.json", ""),
        "DIR/empty.json:1:1: error: not valid JSON: EOF while parsing a value\n  \
         hint: the JSON syntax breaks here: check quotes, brackets and indentation"
    );
    let error = errors(
        "quoted.yaml",
        "# a comment\n\"# a comment made a string\nname: x\ndescription: \"y\"\n",
    );
    assert!(
        error.starts_with(
            "DIR/quoted.yaml:1:1: error: not valid YAML: the text reads as several YAML values"
        ) && error.contains("hint: the YAML syntax breaks here"),
        "{error}"
    );
}
