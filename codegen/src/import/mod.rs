//! `connectorgen import`: a dlt pipeline to a spec. Reads a `.py` file, or a Markdown or
//! text document with Python code blocks, finds the config passed to
//! `rest_api_source(...)` (or a `RESTAPIConfig` variable), and writes it as YAML with
//! constants and f-strings resolved, secrets as dlt names them, and a note for each
//! thing a spec cannot hold (a lambda, a custom class, a value computed at run time).
//!
//! A parser for the literal subset of Python a config is written in (`lex`, `parse`),
//! not a whole Python parser: what it does not understand it names, with its line.

mod convert;
mod dlt;
mod expr;
mod find;
mod lex;
mod module;

use crate::diagnostics::{Severity, SpecError, SpecErrors};
use crate::Error;
use serde_json::{Map, Value};
use std::path::Path;

/// Something of the pipeline the spec does not say, or says differently.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// 1-based line in the input file.
    pub line: usize,
    pub message: String,
    pub hint: Option<String>,
}

/// A pipeline, imported.
#[derive(Clone, Debug)]
pub struct Imported {
    /// The spec, keys in the pipeline's order.
    pub spec: Value,
    pub notes: Vec<Note>,
}

impl Imported {
    /// The spec as YAML, under a comment naming its source and listing the notes.
    pub fn yaml(&self, source: &str) -> String {
        let mut out = format!("# Imported from {source} by connectorgen import.\n");
        for note in &self.notes {
            out.push_str(&format!("# line {}: {}\n", note.line, note.message));
            if let Some(hint) = &note.hint {
                out.push_str(&format!("#   {hint}\n"));
            }
        }
        out.push_str(&crate::spec::to_yaml(&self.spec));
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out
    }
}

/// Imports the pipeline in `path`.
pub fn import(path: &Path) -> Result<Imported, Error> {
    let file = path.display().to_string();
    let fail = |line: usize, message: String| {
        Error::Spec(SpecErrors(vec![SpecError {
            file: file.clone(),
            line,
            column: usize::from(line > 0),
            path: String::new(),
            message,
            hint: None,
            severity: Severity::Error,
        }]))
    };
    let text =
        std::fs::read_to_string(path).map_err(|e| fail(0, format!("cannot read the file: {e}")))?;
    let is_python = path.extension().is_some_and(|e| e == "py");
    let blocks = if is_python {
        vec![(1, text.clone())]
    } else {
        code_blocks(&text)
    };
    if blocks.is_empty() {
        return Err(fail(
            0,
            "no Python code block (```python) in the document".into(),
        ));
    }
    let mut tokens = Vec::new();
    for (first_line, code) in &blocks {
        tokens.extend(lex::lex(code, *first_line).map_err(|(line, m)| fail(line, m))?);
    }
    let module = module::module(&tokens).map_err(|(line, m)| fail(line, m))?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let section = crate::sanitize::snake(&stem);
    let finder = find::Finder::new(&module);
    let mut converter = convert::Converter::new(&module, &section);
    let Some((config, source_name)) = finder.config() else {
        // The config may be in a statement the parser could not read.
        if let Some((line, message)) = module.errors.first() {
            return Err(fail(
                *line,
                format!("{message} (and no rest_api config was found elsewhere)"),
            ));
        }
        return Err(fail(
            0,
            "no rest_api config found: no call of `rest_api_source(...)` or `rest_api_resources(...)`, and no variable annotated `RESTAPIConfig`".into(),
        ));
    };
    let value = converter.value(&config, &[]);
    let Some(Value::Object(config)) = value else {
        return Err(fail(
            config.line,
            "the config is not a dict a spec can hold".into(),
        ));
    };
    let name = source_name
        .or_else(|| finder.pipeline_name())
        .unwrap_or(stem);
    let mut spec = Map::new();
    spec.insert("name".into(), Value::String(crate::sanitize::snake(&name)));
    spec.extend(config);
    let mut notes = converter.notes;
    notes.sort_by_key(|n| n.line);
    notes.dedup();
    Ok(Imported {
        spec: Value::Object(spec),
        notes,
    })
}

/// The Python code blocks of a Markdown or text document, each with the line its code
/// starts on.
fn code_blocks(text: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (index, line) in text.lines().enumerate() {
        let fence = line.trim_start();
        match &mut current {
            None if fence.starts_with("```") => {
                let info = fence.trim_start_matches('`').trim().to_ascii_lowercase();
                if info == "python" || info == "py" || info == "python3" {
                    current = Some((index + 2, String::new()));
                }
            }
            Some(_) if fence.starts_with("```") => blocks.extend(current.take()),
            Some((_, code)) => {
                code.push_str(line);
                code.push('\n');
            }
            None => {}
        }
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::code_blocks;

    #[test]
    fn python_blocks_keep_their_line_numbers() {
        let doc = "# Title\n\n```python\nx = 1\n```\ntext\n```yaml\na: 1\n```\n```py\ny = 2\n```\n";
        assert_eq!(
            code_blocks(doc),
            [(4, "x = 1\n".to_owned()), (11, "y = 2\n".to_owned())]
        );
    }
}
