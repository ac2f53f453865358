/// Checks a dlt-style JSONPath (`data`, `meta.total`, `$.items[*]`) the way the runtime
/// will compile it: a path without a leading `$` is read as `$.<path>`.
pub fn check(path: &str) -> Result<(), String> {
    let path = path.trim();
    let full = if path.starts_with('$') {
        path.to_owned()
    } else if path.starts_with('[') {
        format!("${path}")
    } else {
        format!("$.{path}")
    };
    serde_json_path::JsonPath::parse(&full)
        .map(drop)
        .map_err(|e| format!("`{path}` is not a valid JSONPath: {e}"))
}
