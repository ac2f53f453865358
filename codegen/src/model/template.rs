//! Placeholders in endpoint texts: `{name}` holes, `{{`/`}}` literal braces.
//!
//! A static path param (`{org}` with `params: {org: acme}`) is bound here, when the code
//! is generated. `{resources.<parent>.<field>}` placeholders (and legacy `resolve`
//! params, rewritten into them) make the endpoint a child: its texts then go to the
//! runtime as templates, filled from each parent record.

/// A piece of a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Hole(String),
}

/// Splits a text into literal text and `{holes}`.
pub fn scan(text: &str) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                literal.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                literal.push('}');
            }
            '{' => {
                let mut name = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some('{') | None => {
                            return Err(format!(
                                "`{text}` has an unclosed `{{`; write `{{{{` for a literal brace"
                            ))
                        }
                        Some(c) => name.push(c),
                    }
                }
                if !literal.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut literal)));
                }
                pieces.push(Piece::Hole(name.trim().to_owned()));
            }
            '}' => {
                return Err(format!(
                    "`{text}` has a lone `}}`; write `}}}}` for a literal brace"
                ))
            }
            c => literal.push(c),
        }
    }
    if !literal.is_empty() {
        pieces.push(Piece::Text(literal));
    }
    Ok(pieces)
}

/// `resources.<parent>.<field>` -> (parent, field).
pub fn parent_field(hole: &str) -> Option<(&str, &str)> {
    let rest = hole.strip_prefix("resources.")?;
    let (parent, field) = rest.split_once('.')?;
    (!parent.is_empty() && !field.is_empty()).then_some((parent, field))
}

/// Literal text for a template the runtime fills in: braces doubled.
pub fn escape(text: &str) -> String {
    text.replace('{', "{{").replace('}', "}}")
}

/// The holes of a text (empty when it cannot be scanned: that error is reported where
/// the text is rendered).
pub fn holes(text: &str) -> Vec<String> {
    scan(text)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|piece| match piece {
            Piece::Hole(name) => Some(name),
            Piece::Text(_) => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_split_into_literals_and_holes() {
        assert_eq!(
            scan("a/{x}/{{b}}/{resources.p.id}").unwrap(),
            vec![
                Piece::Text("a/".into()),
                Piece::Hole("x".into()),
                Piece::Text("/{b}/".into()),
                Piece::Hole("resources.p.id".into()),
            ]
        );
        assert!(scan("a/{x").is_err());
        assert!(scan("a}b").is_err());
        assert_eq!(
            parent_field("resources.events.meta.id"),
            Some(("events", "meta.id"))
        );
        assert_eq!(parent_field("resources.events"), None);
    }
}
