//! `connectorgen openapi`: an OpenAPI 3.0 or 3.1 document to a spec.
//!
//! The document is read as a JSON tree (YAML or JSON text), so that 3.0 and 3.1 are read
//! the same way (`schema`). From it:
//! - the base URL from `servers` (variables filled with their defaults);
//! - the auth from the security scheme the document applies (api key in a header,
//!   query or cookie; bearer; basic; OAuth2 client credentials), secrets by name;
//! - one resource per GET endpoint that answers with a list or one object, its records
//!   found in the response schema, its paginator told from its parameters and response
//!   fields (`paginate`), its primary key guessed, a path parameter matched to a
//!   parent's field, its columns typed from the record schema.
//!
//! What had to be guessed is listed, and written as comments at the top of the spec.

mod paginate;
mod schema;

use crate::sanitize;
use crate::Error;
use serde_json::{json, Map, Value};
use std::path::Path;

/// A document, imported.
#[derive(Clone, Debug)]
pub struct Imported {
    pub spec: Value,
    /// What was guessed, one line each.
    pub guesses: Vec<String>,
    /// Endpoints left out, and why.
    pub skipped: Vec<String>,
}

impl Imported {
    /// The spec as YAML, under comments naming the source, the guesses and what was
    /// left out.
    pub fn yaml(&self, source: &str) -> String {
        let mut out = format!(
            "# Imported from {} by connectorgen openapi.\n",
            crate::escape::comment(source)
        );
        if !self.guesses.is_empty() {
            out.push_str("# Guessed (check these):\n");
            for guess in &self.guesses {
                out.push_str(&format!("# - {}\n", crate::escape::comment(guess)));
            }
        }
        for skipped in &self.skipped {
            out.push_str(&format!(
                "# Left out: {}\n",
                crate::escape::comment(skipped)
            ));
        }
        out.push_str(&crate::spec::to_yaml(&self.spec));
        out
    }
}

/// Reads an OpenAPI document from `path`.
pub fn import(path: &Path) -> Result<Imported, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let document = crate::spec::Document::parse(&name, text)?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(convert(&document.value, &stem))
}

/// Converts a document's tree; `fallback_name` names the connector when `info.title`
/// does not.
pub fn convert(doc: &Value, fallback_name: &str) -> Imported {
    let mut imported = Imported {
        spec: Value::Null,
        guesses: Vec::new(),
        skipped: Vec::new(),
    };
    let title = doc
        .pointer("/info/title")
        .and_then(Value::as_str)
        .unwrap_or(fallback_name);
    let name = sanitize::snake(title);
    let mut spec = Map::new();
    spec.insert("name".into(), json!(name));
    if let Some(description) = doc.pointer("/info/description").and_then(Value::as_str) {
        spec.insert("description".into(), json!(description.trim()));
    }
    let mut client = Map::new();
    client.insert("base_url".into(), json!(base_url(doc, &mut imported)));
    if let Some(auth) = auth(doc, &mut imported) {
        client.insert("auth".into(), auth);
    }
    spec.insert("client".into(), Value::Object(client));
    spec.insert(
        "resources".into(),
        Value::Array(resources(doc, &mut imported)),
    );
    imported.spec = Value::Object(spec);
    imported
}

fn base_url(doc: &Value, imported: &mut Imported) -> String {
    let Some(server) = doc.pointer("/servers/0") else {
        imported
            .guesses
            .push("no `servers`: base_url is a placeholder".into());
        return "https://api.example.com".into();
    };
    let mut url = server
        .get("url")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if let Some(Value::Object(variables)) = server.get("variables") {
        for (name, variable) in variables {
            let value = variable
                .get("default")
                .and_then(Value::as_str)
                .unwrap_or_default();
            url = url.replace(&format!("{{{name}}}"), value);
        }
    }
    if url.starts_with('/') {
        imported.guesses.push(format!(
            "base_url: `servers` gives only a path, {url}; the host is a placeholder"
        ));
        url = format!("https://api.example.com{url}");
    }
    if doc
        .get("servers")
        .and_then(Value::as_array)
        .is_some_and(|s| s.len() > 1)
    {
        imported
            .guesses
            .push(format!("base_url: the first of several servers, {url}"));
    }
    url.trim_end_matches('/').to_owned()
}

/// The auth of the first security requirement that applies to the whole API (else the
/// first scheme declared).
fn auth(doc: &Value, imported: &mut Imported) -> Option<Value> {
    let schemes = doc.pointer("/components/securitySchemes")?.as_object()?;
    let applied = doc
        .pointer("/security/0")
        .and_then(Value::as_object)
        .and_then(|requirement| requirement.keys().next().cloned());
    let (key, scheme) = match applied.as_deref().and_then(|k| schemes.get_key_value(k)) {
        Some(found) => found,
        None => {
            let first = schemes.iter().next()?;
            imported.guesses.push(format!(
                "auth: `{}`, the first security scheme (none is applied to the whole API)",
                first.0
            ));
            first
        }
    };
    if schemes.len() > 1 {
        imported.guesses.push(format!(
            "auth: `{key}` of {} security schemes",
            schemes.len()
        ));
    }
    let scheme = schema::resolve(doc, scheme);
    let kind = scheme
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let http = scheme
        .get("scheme")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_ascii_lowercase();
    Some(match (kind, http.as_str()) {
        ("apiKey", _) => json!({
            "type": "api_key",
            "name": scheme.get("name").and_then(Value::as_str).unwrap_or("api_key"),
            "location": scheme.get("in").and_then(Value::as_str).unwrap_or("header"),
            "api_key": {"secret": "api_key"},
        }),
        ("http", "basic") => json!({
            "type": "http_basic",
            "username": {"secret": "username"},
            "password": {"secret": "password"},
        }),
        ("http", _) | ("openIdConnect", _) => {
            json!({"type": "bearer", "token": {"secret": "token"}})
        }
        ("oauth2", _) => match scheme
            .pointer("/flows/clientCredentials/tokenUrl")
            .and_then(Value::as_str)
        {
            Some(url) => json!({
                "type": "oauth2_client_credentials",
                "access_token_url": url,
                "client_id": {"secret": "client_id"},
                "client_secret": {"secret": "client_secret"},
            }),
            None => {
                imported.guesses.push(format!("auth: `{key}` is OAuth2 without client credentials; a bearer token obtained elsewhere"));
                json!({"type": "bearer", "token": {"secret": "token"}})
            }
        },
        _ => return None,
    })
}

/// One resource per GET endpoint with a JSON answer, in path order.
fn resources(doc: &Value, imported: &mut Imported) -> Vec<Value> {
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return Vec::new();
    };
    // Resource names and the list paths they came from, to match children to parents.
    let mut lists: Vec<(String, String, Vec<String>)> = Vec::new();
    let mut resources = Vec::new();
    // List endpoints first, so that a child finds its parent whatever the order of the
    // document (the sort is stable: the document's order otherwise).
    let mut ordered: Vec<(&String, &Value)> = paths.iter().collect();
    ordered.sort_by_key(|(path, _)| path.contains('{'));
    for (path, item) in ordered {
        let Some(get) = item.get("get") else { continue };
        let Some(answer) = success_schema(doc, get) else {
            imported
                .skipped
                .push(format!("GET {path}: no JSON schema for a success response"));
            continue;
        };
        let name = resource_name(path, &resources);
        let (selector, record) = records(doc, &answer);
        let Some(record) = record else {
            imported
                .skipped
                .push(format!("GET {path}: the response holds no records"));
            continue;
        };
        let record = schema::flatten(doc, &record);
        let mut resource = Map::new();
        resource.insert("name".into(), json!(name));
        let mut endpoint = Map::new();
        let (spec_path, parent) = child_path(path, &lists, imported);
        endpoint.insert("path".into(), json!(spec_path.trim_start_matches('/')));
        let is_list = selector.is_some();
        if let Some(selector) = &selector {
            endpoint.insert("data_selector".into(), json!(selector));
        }
        let paginator = if is_list {
            let selector = selector.as_deref().unwrap_or("$");
            paginate::detect(doc, (item, get), &answer, (&name, selector), imported)
        } else {
            json!("single_page")
        };
        endpoint.insert("paginator".into(), paginator);
        resource.insert("endpoint".into(), Value::Object(endpoint));
        let properties = record
            .get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let key = primary_key(&name, &properties, imported);
        if let Some(key) = &key {
            resource.insert("primary_key".into(), json!(key));
        }
        resource.insert("columns".into(), columns(doc, &record));
        if let Some(parent) = parent {
            imported
                .guesses
                .push(format!("{name}: a child of `{parent}`"));
        }
        if is_list && !path.contains('{') {
            lists.push((
                name.clone(),
                path.clone(),
                properties.keys().cloned().collect(),
            ));
        }
        resources.push(Value::Object(resource));
    }
    resources
}

/// The schema of the first 2xx (or default) `application/json` response.
fn success_schema(doc: &Value, operation: &Value) -> Option<Value> {
    let responses = operation.get("responses")?.as_object()?;
    let (_, response) = responses
        .iter()
        .find(|(status, _)| status.starts_with('2'))
        .or_else(|| responses.get_key_value("default"))?;
    let response = schema::resolve(doc, response);
    let content = response.get("content")?.as_object()?;
    let media = content
        .iter()
        .find(|(kind, _)| kind.contains("json"))
        .map(|(_, media)| media)?;
    media.get("schema").map(|s| schema::flatten(doc, s))
}

/// Where the records are: `(Some(selector), item schema)` for a list (`$` for a
/// top-level array), `(None, schema)` for one object.
fn records(doc: &Value, answer: &Value) -> (Option<String>, Option<Value>) {
    if schema::is_array(doc, answer) {
        let items = schema::resolve(doc, answer)
            .get("items")
            .cloned()
            .unwrap_or(json!({}));
        return (Some("$".into()), Some(items));
    }
    let Some(properties) = answer.get("properties").and_then(Value::as_object) else {
        return (None, None);
    };
    let arrays: Vec<(&String, &Value)> = properties
        .iter()
        .filter(|(_, p)| schema::is_array(doc, p))
        .collect();
    // The usual names first, else the only list.
    let named = [
        "data", "items", "results", "records", "entries", "values", "list",
    ];
    let found = named
        .iter()
        .find_map(|n| arrays.iter().find(|(k, _)| k.as_str() == *n))
        .or_else(|| (arrays.len() == 1).then(|| &arrays[0]));
    match found {
        Some((key, list)) => {
            let items = schema::resolve(doc, list)
                .get("items")
                .cloned()
                .unwrap_or(json!({}));
            (Some((*key).clone()), Some(items))
        }
        None => (None, Some(answer.clone())),
    }
}

/// `/users/{user_id}/orders` -> `user_orders`; the last segments without parameters,
/// unique among the resources so far.
fn resource_name(path: &str, resources: &[Value]) -> String {
    let words: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty() && !s.starts_with('{'))
        .collect();
    let last = sanitize::snake(words.last().copied().unwrap_or("root"));
    // `/pets/{id}` is one pet.
    let one = path.trim_end_matches('/').ends_with('}');
    let base = if one { sanitize::singular(&last) } else { last };
    let taken = |name: &str| resources.iter().any(|r| r["name"] == json!(name));
    if !taken(&base) {
        return base;
    }
    let longer = sanitize::snake(&words.join("_"));
    if !taken(&longer) {
        return longer;
    }
    (2..)
        .map(|n| format!("{longer}_{n}"))
        .find(|n| !taken(n))
        .unwrap_or(longer)
}

/// A path whose parameter follows a parent's list path (`/users/{user_id}/orders`
/// after `/users`) becomes a child path (`users/{resources.users.id}/orders`); other
/// parameters stay, with a guess noted.
fn child_path(
    path: &str,
    lists: &[(String, String, Vec<String>)],
    imported: &mut Imported,
) -> (String, Option<String>) {
    let mut out = path.to_owned();
    let mut parent = None;
    for segment in path
        .split('/')
        .filter(|s| s.starts_with('{') && s.ends_with('}'))
    {
        let param = &segment[1..segment.len() - 1];
        let before = &path[..path.find(segment).unwrap_or(0)];
        let found = lists
            .iter()
            .find(|(_, list, _)| before.trim_end_matches('/') == list.trim_end_matches('/'));
        match found {
            Some((name, _, fields)) => {
                let field = if fields.iter().any(|f| f == param) {
                    param.to_owned()
                } else if fields.iter().any(|f| f == "id") {
                    "id".to_owned()
                } else {
                    param.to_owned()
                };
                if field != param {
                    imported.guesses.push(format!(
                        "{path}: `{{{param}}}` is the `{field}` of a `{name}` record"
                    ));
                }
                out = out.replace(segment, &format!("{{resources.{name}.{field}}}"));
                parent = Some(name.clone());
            }
            None => {
                imported.guesses.push(format!("{path}: no list endpoint gives `{{{param}}}`; it stays a placeholder to fill in"));
            }
        }
    }
    (out, parent)
}

fn primary_key(
    name: &str,
    properties: &Map<String, Value>,
    imported: &mut Imported,
) -> Option<String> {
    if properties.contains_key("id") {
        return Some("id".into());
    }
    let singular = sanitize::singular(name);
    let candidate = format!("{singular}_id");
    if properties.contains_key(&candidate) {
        imported
            .guesses
            .push(format!("{name}: primary key `{candidate}`"));
        return Some(candidate);
    }
    None
}

/// The record schema's properties as columns: dlt types, nullable when the schema says
/// so or the property is not required, descriptions carried over.
fn columns(doc: &Value, record: &Value) -> Value {
    let required: Vec<&str> = record
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut columns = Map::new();
    if let Some(Value::Object(properties)) = record.get("properties") {
        for (name, property) in properties {
            let mut column = Map::new();
            column.insert("data_type".into(), json!(schema::data_type(doc, property)));
            let nullable = schema::nullable(doc, property) || !required.contains(&name.as_str());
            if !nullable {
                column.insert("nullable".into(), json!(false));
            }
            let property = schema::resolve(doc, property);
            if let Some(description) = property.get("description").and_then(Value::as_str) {
                column.insert("description".into(), json!(description.trim()));
            }
            columns.insert(name.clone(), Value::Object(column));
        }
    }
    Value::Object(columns)
}
