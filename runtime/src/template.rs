//! Placeholders of an endpoint's texts: `{resources.<parent>.<field>}` filled from one
//! record of the parent, `{incremental.start_value}` (and `end_value`, `last_value`)
//! from the incremental state. `{{` and `}}` are literal braces.

use crate::incremental::Tracker;
use crate::{Error, Result};
use serde_json::Value;

/// What an endpoint's placeholders are filled from.
pub(crate) struct Context<'a> {
    /// The resource, for errors.
    pub child: &'static str,
    /// The parent resource's name and the record this call is for.
    pub parent: Option<(&'static str, &'a Value)>,
    pub incremental: Option<&'a Tracker>,
}

impl Context<'_> {
    /// The value of `field` (a dlt JSONPath into the parent record).
    pub(crate) fn field(&self, field: &str) -> Result<&Value> {
        let (name, record) = self.parent.ok_or_else(|| {
            Error::Config(format!("resource `{}` has no parent record", self.child))
        })?;
        let missing = || Error::Parent {
            resource: self.child,
            parent: name,
            field: field.to_owned(),
        };
        let selector = crate::select::Selector::parse(field).map_err(|_| missing())?;
        selector.find(record).into_iter().next().ok_or_else(missing)
    }

    /// A text with its placeholders filled in; values are written as text (strings as
    /// they are, other values as JSON).
    pub(crate) fn render(&self, text: &str) -> Result<String> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(i) = rest.find(['{', '}']) {
            out.push_str(&rest[..i]);
            let tail = &rest[i..];
            if tail.starts_with("{{") || tail.starts_with("}}") {
                out.push_str(&tail[..1]);
                rest = &tail[2..];
            } else if let (Some(inner), Some(end)) = (tail.strip_prefix('{'), tail.find('}')) {
                let name = &inner[..end - 1];
                out.push_str(&as_text(&self.placeholder(name)?));
                rest = &tail[end + 1..];
            } else {
                out.push_str(&tail[..1]);
                rest = &tail[1..];
            }
        }
        out.push_str(rest);
        Ok(out)
    }

    /// A JSON body with its placeholders filled in. A string that is exactly one
    /// placeholder takes the value's JSON type (a number stays a number).
    pub(crate) fn render_json(&self, value: &Value) -> Result<Value> {
        Ok(match value {
            Value::String(text) => match single_placeholder(text) {
                Some(name) => self.placeholder(name)?,
                None => Value::String(self.render(text)?),
            },
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|item| self.render_json(item))
                    .collect::<Result<_>>()?,
            ),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| Ok((k.clone(), self.render_json(v)?)))
                    .collect::<Result<_>>()?,
            ),
            other => other.clone(),
        })
    }

    /// `resources.<parent>.<field>` or `incremental.<value>` -> its value.
    fn placeholder(&self, name: &str) -> Result<Value> {
        if let (Some(value), Some(tracker)) = (name.strip_prefix("incremental."), self.incremental)
        {
            if let Some(value) = tracker.placeholder(value) {
                return Ok(value);
            }
        }
        let field = self.parent.and_then(|(parent, _)| {
            name.strip_prefix("resources.")?
                .strip_prefix(parent)?
                .strip_prefix('.')
        });
        match field {
            Some(field) => self.field(field).cloned(),
            None => Err(Error::Config(format!(
                "resource `{}`: placeholder `{{{name}}}` names nothing to fill it with",
                self.child
            ))),
        }
    }
}

fn single_placeholder(text: &str) -> Option<&str> {
    let name = text.strip_prefix('{')?.strip_suffix('}')?;
    (!name.contains(['{', '}'])).then_some(name)
}

fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn placeholders_are_filled_and_braces_escaped() {
        let record = json!({"id": 7, "slug": "a b", "meta": {"org": "acme"}});
        let parent = Context {
            child: "tickets",
            parent: Some(("events", &record)),
            incremental: None,
        };
        assert_eq!(
            parent
                .render("events/{resources.events.id}/t/{{x}}?o={resources.events.meta.org}")
                .unwrap(),
            "events/7/t/{x}?o=acme"
        );
        assert_eq!(
            parent
                .render_json(
                    &json!({"id": "{resources.events.id}", "q": "in {resources.events.slug}"})
                )
                .unwrap(),
            json!({"id": 7, "q": "in a b"})
        );
        let error = parent.render("{resources.events.missing}").unwrap_err();
        assert_eq!(
            error.to_string(),
            "resource `tickets`: field `missing` is missing from a record of its parent `events`"
        );
    }
}
