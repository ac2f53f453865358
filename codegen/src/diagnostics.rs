//! Spec errors: what is wrong, where (file, line, column) and what to do about it.

use crate::spec::Path;
use std::fmt;

/// A problem found in a spec, before its position in the text is looked up.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub path: Path,
    pub message: String,
    pub hint: Option<String>,
}

impl Problem {
    pub fn new(path: Path, message: impl Into<String>) -> Problem {
        Problem {
            path,
            message: message.into(),
            hint: None,
        }
    }

    /// The same problem, at a path relative to `prefix`.
    pub fn under(mut self, prefix: Path) -> Problem {
        self.path = self.path.under(&prefix);
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Problem {
        self.hint = Some(hint.into());
        self
    }
}

/// Whether a located message stops generation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Severity {
    #[default]
    Error,
    /// Accepted, but the user should know: a dlt key that connectorgen ignores, a
    /// deprecated form.
    Warning,
}

/// One located error (or warning) in a spec file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecError {
    pub file: String,
    /// 1-based; 0 when the error concerns the whole file.
    pub line: usize,
    pub column: usize,
    /// Where in the document (`resources[0].endpoint`), empty for the whole file.
    pub path: String,
    pub message: String,
    pub hint: Option<String>,
    pub severity: Severity,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        if self.line == 0 {
            write!(f, "{}: {severity}: {}", self.file, self.message)?;
        } else {
            write!(
                f,
                "{}:{}:{}: {severity}: {}",
                self.file, self.line, self.column, self.message
            )?;
        }
        if !self.path.is_empty() {
            write!(f, " (at `{}`)", self.path)?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Every error found in one spec file, in document order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecErrors(pub Vec<SpecError>);

impl fmt::Display for SpecErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{error}")?;
        }
        if self.0.len() > 1 {
            write!(f, "\n{} errors", self.0.len())?;
        }
        Ok(())
    }
}

impl std::error::Error for SpecErrors {}

/// The closest of `candidates` to a misspelled `word`, if any is close.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// "did you mean `x`?" or "expected one of: a, b, c".
pub fn suggest(word: &str, candidates: &[&str]) -> String {
    match did_you_mean(word, candidates.iter().copied()) {
        Some(best) => format!("did you mean `{best}`?"),
        None => format!("expected one of: {}", candidates.join(", ")),
    }
}
