//! Parents and names: parent/child links checked once every resource is known, and
//! names that would collide in Rust.

use super::Resolver;
use crate::diagnostics::{did_you_mean, Problem};
use crate::model::*;
use crate::sanitize;
use crate::spec::Path;

impl Resolver<'_> {
    /// Parents that exist, no cycles, and the typed fields of `include_from_parent`.
    pub(super) fn link_parents(&mut self, resources: &mut [Resource]) {
        let names: Vec<String> = resources.iter().map(|r| r.name.clone()).collect();
        for (child, parent, at) in std::mem::take(&mut self.parent_refs) {
            if !names.contains(&parent) {
                self.problem(
                    Problem::new(
                        at.clone(),
                        format!("resource `{child}` names an unknown parent `{parent}`"),
                    )
                    .hint(
                        match did_you_mean(&parent, names.iter().map(String::as_str)) {
                            Some(best) => format!("did you mean `{best}`?"),
                            None => format!("resources: {}", names.join(", ")),
                        },
                    ),
                );
                continue;
            }
            // Follow the parents from `child`; meeting `child` again is a cycle.
            let mut seen = vec![child.clone()];
            let mut current = parent.clone();
            loop {
                if seen.contains(&current) {
                    self.problem(
                        Problem::new(
                            at.clone(),
                            format!(
                                "resources {} form a cycle of parents",
                                seen.iter()
                                    .map(|n| format!("`{n}`"))
                                    .collect::<Vec<_>>()
                                    .join(" -> ")
                            ),
                        )
                        .hint("a parent cannot depend on its own children"),
                    );
                    break;
                }
                seen.push(current.clone());
                match resources
                    .iter()
                    .find(|r| r.name == current)
                    .and_then(|r| r.parent.as_ref())
                {
                    Some(next) => current = next.resource.clone(),
                    None => break,
                }
            }
        }
        for index in 0..resources.len() {
            let Some(link) = resources[index].parent.clone() else {
                continue;
            };
            let parent_fields = resources
                .iter()
                .find(|r| r.name == link.resource)
                .map(|r| r.fields.clone())
                .unwrap_or_default();
            for field in &link.include {
                let declared = parent_fields.iter().find(|f| &f.name == field);
                let name = format!("_{}_{field}", link.resource);
                let ident = sanitize::field_name(&name);
                if resources[index].fields.iter().any(|f| f.ident == ident) {
                    self.problem(
                        Problem::new(
                            Path::root().key("resources").index(index),
                            format!("`{name}` from include_from_parent collides with a column"),
                        )
                        .hint("rename the column"),
                    );
                    continue;
                }
                resources[index].fields.push(Field {
                    ident,
                    data_type: declared.map_or(DataType::Json, |f| f.data_type),
                    nullable: declared.is_none_or(|f| f.nullable),
                    primary_key: false,
                    merge_key: false,
                    description: Some(format!(
                        "`{field}` of the parent `{}` record.",
                        link.resource
                    )),
                    typed: declared.is_some(),
                    name,
                });
            }
        }
    }
}
