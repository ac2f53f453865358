//! Rust names of resources: record types named for one record, and the check that no
//! two resources end up with the same Rust name.

use super::Resolver;
use crate::diagnostics::Problem;
use crate::model::Resource;
use crate::sanitize;
use crate::spec::Path;
use std::collections::BTreeMap;

impl Resolver<'_> {
    /// Names each record type for one record of its table (`table_name` when the spec
    /// sets one, else the resource name): `events` gives `Event`. Where two resources
    /// would get the same singular name, both keep the plural one.
    pub(super) fn name_records(&mut self, resources: &mut [Resource]) {
        let singular: Vec<String> = resources
            .iter()
            .map(|r| sanitize::singular_type_name(&r.table_name))
            .collect();
        let mut count: BTreeMap<&str, usize> = BTreeMap::new();
        for name in singular
            .iter()
            .chain(resources.iter().map(|r| &r.type_name))
        {
            *count.entry(name.as_str()).or_insert(0) += 1;
        }
        let shared: Vec<bool> = resources
            .iter()
            .zip(&singular)
            .map(|(resource, name)| {
                // Its own plural name counts once when the name has no plural.
                let own = usize::from(*name == resource.type_name);
                count[name.as_str()] > 1 + own
            })
            .collect();
        for ((resource, name), shared) in resources.iter_mut().zip(singular).zip(shared) {
            if !shared {
                resource.type_name = name;
            }
        }
    }

    /// Two resources whose names become the same Rust name cannot both be generated.
    pub(super) fn check_unique_names(&mut self, resources: &[Resource]) {
        let mut seen: BTreeMap<String, &str> = BTreeMap::new();
        for (index, resource) in resources.iter().enumerate() {
            let at = Path::root().key("resources").index(index);
            let mut names = vec![
                format!("type {}", resource.type_name),
                format!("method {}", resource.fn_name),
                format!("method {}", resource.pages_fn_name),
                format!("static {}", resource.static_name),
            ];
            if resource.incremental.is_some() {
                names.push(format!("method {}", resource.incremental_fn_name));
            }
            if let Some(link) = &resource.parent {
                names.push(format!("method {}", link.of_fn_name));
                names.push(format!("method {}", link.pages_of_fn_name));
            }
            let methods = names.iter().filter_map(|n| n.strip_prefix("method "));
            if let Some(taken) = methods
                .into_iter()
                .find(|m| sanitize::METHOD_NAMES_TAKEN.contains(m))
            {
                self.problem(
                    Problem::new(
                        at.clone(),
                        format!(
                            "resource `{}` would become the method `{taken}`, which the client \
                             has already",
                            resource.name
                        ),
                    )
                    .hint("rename the resource"),
                );
            }
            for rust_name in names {
                if let Some(other) = seen.get(&rust_name) {
                    if *other != resource.name {
                        self.problem(
                            Problem::new(
                                at.clone(),
                                format!(
                                    "resources `{other}` and `{}` both become the Rust {rust_name}",
                                    resource.name
                                ),
                            )
                            .hint("rename one of them"),
                        );
                        break;
                    }
                }
                seen.insert(rust_name, &resource.name);
            }
        }
    }
}
