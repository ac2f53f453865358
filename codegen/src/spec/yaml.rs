//! The one place that parses YAML (serde_yaml_ng, the maintained successor of the
//! deprecated serde_yaml).

use super::locate::{Probe, ARRIVED};
use super::path::Path;
use serde::de::DeserializeSeed;

/// Parses YAML text into a JSON value tree; on failure, the message and its 1-based
/// (line, column).
pub(crate) fn parse(text: &str) -> Result<serde_json::Value, (String, Option<(usize, usize)>)> {
    serde_yaml_ng::from_str(text).map_err(|e| {
        let position = e.location().map(|l| (l.line(), l.column()));
        let message = e.to_string();
        // serde_yaml_ng appends " at line X column Y"; we print positions ourselves.
        let message = match message.find(" at line ") {
            Some(at) => message[..at].to_owned(),
            None => message,
        };
        if message.contains("more than one document") {
            return match second_document(text) {
                Some(at) => (
                    "this file holds more than one YAML document; a spec is one document \
                     (put each spec in a file of its own)"
                        .to_owned(),
                    Some(at),
                ),
                // No `---`: a quote or an indentation ended the first value early.
                None => (
                    "the text reads as several YAML values, not one spec: a quote or an \
                     indentation ends it early"
                        .to_owned(),
                    position,
                ),
            };
        }
        (message, position)
    })
}

/// Where the second document of a YAML stream starts: the `---` line after content.
fn second_document(text: &str) -> Option<(usize, usize)> {
    let mut content = false;
    for (index, line) in text.lines().enumerate() {
        let is_marker = line == "---" || line.starts_with("--- ") || line.starts_with("---\t");
        if is_marker && content {
            return Some((index + 1, 1));
        }
        let trimmed = line.trim();
        content |= !is_marker && !trimmed.is_empty() && !trimmed.starts_with('#');
    }
    None
}

/// A value tree as YAML text (keys in the tree's order).
pub(crate) fn to_string(value: &serde_json::Value) -> String {
    serde_yaml_ng::to_string(value).unwrap_or_default()
}

/// Where `path` is in YAML text, as 1-based (line, column) of the key or value.
pub(crate) fn locate(text: &str, path: &Path) -> Option<(usize, usize)> {
    let deserializer = serde_yaml_ng::Deserializer::from_str(text);
    let error = Probe(&path.0).deserialize(deserializer).err()?;
    // serde_yaml_ng puts the path in front of the message.
    if !error.to_string().contains(ARRIVED) {
        return None;
    }
    error.location().map(|l| (l.line(), l.column()))
}
