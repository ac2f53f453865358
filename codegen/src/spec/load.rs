use super::path::Path;
use super::raw::SpecFile;
use super::{locate, yaml};
use crate::diagnostics::{suggest, Problem, Severity, SpecError, SpecErrors};

/// Keys of dlt's config that connectorgen does not handle yet: named as such, rather
/// than as typos.
const DLT_KEYS_NOT_SUPPORTED: &[&str] = &["processing_steps", "session"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Json,
}

/// A spec file's text and its parsed value tree.
#[derive(Clone, Debug)]
pub struct Document {
    /// The file name as given, for messages.
    pub file: String,
    pub text: String,
    pub format: Format,
    pub value: serde_json::Value,
}

impl Document {
    /// Parses spec text; `file` is the name used in messages and decides the format
    /// (`.json`, else YAML).
    pub fn parse(file: &str, text: String) -> Result<Document, SpecErrors> {
        let format = if file.ends_with(".json") {
            Format::Json
        } else {
            Format::Yaml
        };
        let parsed = match format {
            Format::Yaml => yaml::parse(&text),
            Format::Json => serde_json::from_str(&text).map_err(|e| {
                let message = e.to_string();
                let message = match message.find(" at line ") {
                    Some(at) => message[..at].to_owned(),
                    None => message,
                };
                (message, Some((e.line(), e.column())))
            }),
        };
        match parsed {
            Ok(value) => Ok(Document {
                file: file.to_owned(),
                text,
                format,
                value,
            }),
            Err((message, position)) => {
                // Every message is located; where the parser gives no position, at the start.
                let (line, column) = position.map_or((1, 1), |(l, c)| (l.max(1), c.max(1)));
                let hint = if message.contains("more than one YAML document") {
                    "keep one spec per file: move the `---` line and what follows into a file \
                     of its own"
                        .to_owned()
                } else {
                    format!(
                        "the {} syntax breaks here: check quotes, brackets and indentation",
                        format.name()
                    )
                };
                Err(SpecErrors(vec![SpecError {
                    file: file.to_owned(),
                    line,
                    column,
                    path: String::new(),
                    message: format!("not valid {}: {message}", format.name()),
                    hint: Some(hint),
                    severity: Severity::Error,
                }]))
            }
        }
    }

    /// Line and column of `path`; of its longest existing start when the value is not
    /// in the text (a key that is missing is reported where it should be added).
    pub fn locate(&self, path: &Path) -> (usize, usize) {
        let path = path.existing_prefix(&self.value);
        let found = match self.format {
            Format::Yaml => yaml::locate(&self.text, &path),
            Format::Json => locate::locate_json(&self.text, &path),
        };
        found.unwrap_or((1, 1))
    }

    /// Locates problems, in document order.
    pub fn errors(&self, problems: Vec<Problem>) -> SpecErrors {
        SpecErrors(self.located(problems, Severity::Error))
    }

    /// Locates warnings, in document order.
    pub fn warnings(&self, problems: Vec<Problem>) -> Vec<SpecError> {
        self.located(problems, Severity::Warning)
    }

    fn located(&self, problems: Vec<Problem>, severity: Severity) -> Vec<SpecError> {
        let mut errors: Vec<SpecError> = problems
            .into_iter()
            .map(|problem| {
                let (line, column) = self.locate(&problem.path);
                SpecError {
                    file: self.file.clone(),
                    line,
                    column,
                    path: problem.path.to_string(),
                    message: problem.message,
                    hint: problem.hint,
                    severity,
                }
            })
            .collect();
        errors.sort_by_key(|e| (e.line, e.column));
        errors.dedup();
        errors
    }
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Yaml => "YAML",
            Format::Json => "JSON",
        }
    }
}

/// A spec file, read and type-checked.
#[derive(Debug)]
pub struct Loaded {
    pub document: Document,
    /// The spec, with values that do not type-check left out so that later checks can
    /// still run on the rest; `None` when even that fails.
    pub spec: Option<SpecFile>,
    /// The document's value tree with the same values left out.
    pub checked: serde_json::Value,
    /// Problems found so far.
    pub problems: Vec<Problem>,
    /// dlt keys taken out because connectorgen ignores them (see `ignored`).
    pub warnings: Vec<Problem>,
}

/// Reads and type-checks a spec file. Only a file that cannot be read or parsed is an
/// error here; other problems are collected in [`Loaded::problems`].
pub fn load(file: &std::path::Path) -> Result<Loaded, SpecErrors> {
    let name = file.display().to_string();
    let text = std::fs::read_to_string(file).map_err(|e| {
        SpecErrors(vec![SpecError {
            file: name.clone(),
            line: 0,
            column: 0,
            path: String::new(),
            message: format!("cannot read the spec: {e}"),
            hint: None,
            severity: Severity::Error,
        }])
    })?;
    let document = Document::parse(&name, text)?;
    let mut value = document.value.clone();
    let warnings = super::ignored::take_ignored(&mut value);
    let (spec, checked, problems) = typed(&value);
    Ok(Loaded {
        document,
        spec,
        checked,
        problems,
        warnings,
    })
}

/// serde stops at the first error. To report all of them, each error's value is taken
/// out of a copy of the tree and deserialization runs again, until it succeeds or an
/// error cannot be taken out. Specs are small: this costs microseconds.
pub(crate) fn typed(
    value: &serde_json::Value,
) -> (Option<SpecFile>, serde_json::Value, Vec<Problem>) {
    let mut value = value.clone();
    let mut problems: Vec<Problem> = Vec::new();
    let mut removed: Vec<Path> = Vec::new();
    loop {
        let error = match serde_path_to_error::deserialize::<_, SpecFile>(&value) {
            Ok(spec) => return (Some(spec), value, problems),
            Err(error) => error,
        };
        let path = Path::from_serde(error.path());
        let message = error.into_inner().to_string();
        if let Some(field) = missing_field(&message) {
            // A value we took out ourselves is not missing from the file.
            if removed.contains(&path.key(field)) {
                return (None, value, problems);
            }
        }
        let problem = describe(path.clone(), &message);
        if problems.contains(&problem) || problems.len() >= 50 {
            return (None, value, problems);
        }
        problems.push(problem);
        if !path.remove(&mut value) {
            return (None, value, problems);
        }
        removed.push(path);
    }
}

fn missing_field(message: &str) -> Option<&str> {
    message.strip_prefix("missing field `")?.split('`').next()
}

/// Turns serde's message into ours, with a hint.
fn describe(path: Path, message: &str) -> Problem {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let key = rest.split('`').next().unwrap_or_default();
        let expected: Vec<&str> = rest
            .split_once("expected ")
            .map(|(_, list)| list.split('`').skip(1).step_by(2).collect())
            .unwrap_or_default();
        let problem = Problem::new(path, format!("unknown key `{key}`"));
        if DLT_KEYS_NOT_SUPPORTED.contains(&key) && !expected.contains(&key) {
            return problem.hint(format!(
                "`{key}` is a dlt key that connectorgen does not support here yet"
            ));
        }
        return if expected.is_empty() {
            problem
        } else {
            problem.hint(suggest(key, &expected))
        };
    }
    if let Some(field) = missing_field(message) {
        return Problem::new(path, format!("missing key `{field}`"))
            .hint(format!("add `{field}:` here"));
    }
    Problem::new(
        path,
        message.replace("a string or a mapping", "a string or a dict"),
    )
}
