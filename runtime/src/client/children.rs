//! Child resources: the requests of one parent record, and the fan-out over every
//! parent, incremental ones with a state per parent (dlt keeps one state for all the
//! parents of a child, so a child can only be incremental over one cursor range there).

use super::{records_of, Client, FanOut, Pages, Records};
use crate::incremental::{
    lock, IncrementalRecords, IncrementalState, Outcome, StateHandle, Tracker, Trackers,
};
use crate::{Endpoint, Error, Result};
use futures_util::{stream, Stream, StreamExt};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

impl Client {
    /// Every record of a child resource for one parent record.
    pub fn child_records<P, T>(&self, endpoint: &'static Endpoint, parent: &P) -> Records<T>
    where
        P: serde::Serialize + ?Sized,
        T: DeserializeOwned + Send + 'static,
    {
        Records::new(records_of(self.child_pages(endpoint, parent)))
    }

    /// Every page of a child resource for one parent record (an incremental child reads
    /// from its initial value).
    pub fn child_pages<P, T>(&self, endpoint: &'static Endpoint, parent: &P) -> Pages<T>
    where
        P: serde::Serialize + ?Sized,
        T: DeserializeOwned + Send + 'static,
    {
        let tracker = endpoint
            .incremental
            .map(|config| Tracker::new(endpoint.resource, config, endpoint.primary_key, None))
            .transpose();
        match (parent_value(endpoint, parent), tracker) {
            (Ok(parent), Ok(tracker)) => {
                let tracker = tracker.map(|t| Arc::new(Mutex::new(t)));
                Pages::new(self.walk(endpoint, Some(parent), tracker))
            }
            (Err(error), _) | (_, Err(error)) => {
                Pages::new(stream::once(async move { Err(error) }))
            }
        }
    }

    /// Every record of a child resource for every parent record of `parents`.
    ///
    /// Up to `options.concurrency` children are fetched at once, each one page at a
    /// time, so at most that many pages are held; records then come in the order
    /// their pages arrive. With `options.ordered`, children are fetched one after the
    /// other and records keep the parents' order.
    pub fn fan_out<P, T, S>(
        &self,
        parents: S,
        endpoint: &'static Endpoint,
        options: FanOut,
    ) -> Records<T>
    where
        P: serde::Serialize,
        S: Stream<Item = Result<P>> + Send + 'static,
        T: DeserializeOwned + Send + 'static,
    {
        let client = self.clone();
        let children = parents.map(move |parent| match parent {
            Ok(parent) => client.child_records::<P, T>(endpoint, &parent),
            Err(error) => Records::new(stream::once(async move { Err(error) })),
        });
        flatten(children, options)
    }

    /// The records of an incremental child resource for every parent, each parent's
    /// from its own state in `state` (its initial value for a parent not seen before).
    /// The handle's state holds one state per parent, by the parent fields the
    /// child's requests use; parents not seen in this run keep theirs.
    pub fn fan_out_incremental<P, T, S>(
        &self,
        parents: S,
        endpoint: &'static Endpoint,
        options: FanOut,
        state: Option<IncrementalState>,
    ) -> IncrementalRecords<T>
    where
        P: serde::Serialize,
        S: Stream<Item = Result<P>> + Send + 'static,
        T: DeserializeOwned + Send + 'static,
    {
        let Some(config) = endpoint.incremental else {
            let error = Error::Config(format!(
                "resource `{}` is not incremental",
                endpoint.resource
            ));
            return IncrementalRecords {
                records: Records::new(stream::once(async move { Err(error) })),
                handle: None,
            };
        };
        let previous = state.unwrap_or_else(|| IncrementalState {
            initial_value: config
                .initial_value
                .and_then(|v| serde_json::from_str(v).ok()),
            ..IncrementalState::default()
        });
        let trackers: Arc<Mutex<BTreeMap<String, Arc<Mutex<Tracker>>>>> = Arc::default();
        let client = self.clone();
        let (seen, known) = (trackers.clone(), previous.parents.clone());
        let children = parents.map(move |parent| {
            let child = parent.and_then(|parent| {
                let parent = parent_value(endpoint, &parent)?;
                let key = parent_key(endpoint, &parent);
                // One lock for the look-up and the insert: a guard in a `match`
                // scrutinee would live through the arms.
                let tracker = {
                    let mut seen = lock(&seen);
                    match seen.get(&key) {
                        Some(tracker) => tracker.clone(),
                        None => {
                            let state = known.get(&key).cloned();
                            let tracker = Arc::new(Mutex::new(Tracker::new(
                                endpoint.resource,
                                config,
                                endpoint.primary_key,
                                state,
                            )?));
                            seen.insert(key, tracker.clone());
                            tracker
                        }
                    }
                };
                Ok(Records::new(records_of(client.walk::<T>(
                    endpoint,
                    Some(parent),
                    Some(tracker),
                ))))
            });
            child.unwrap_or_else(|error| Records::new(stream::once(async move { Err(error) })))
        });
        IncrementalRecords {
            records: flatten(children, options),
            handle: Some(StateHandle {
                trackers: Trackers::PerParent { previous, trackers },
                outcome: Arc::new(Mutex::new(Outcome::Running)),
            }),
        }
    }
}

/// The children's records, one child after the other or up to `concurrency` at once.
fn flatten<T: Send + 'static>(
    children: impl Stream<Item = Records<T>> + Send + 'static,
    options: FanOut,
) -> Records<T> {
    if options.ordered || options.concurrency <= 1 {
        Records::new(children.flatten())
    } else {
        Records::new(children.flatten_unordered(options.concurrency))
    }
}

fn parent_value<P: serde::Serialize + ?Sized>(endpoint: &Endpoint, parent: &P) -> Result<Value> {
    crate::record::with_serde_json(|| serde_json::to_value(parent)).map_err(|e| {
        Error::Config(format!(
            "resource `{}`: a parent record cannot be read: {e}",
            endpoint.resource
        ))
    })
}

/// A parent's identity for a child's state: the parent fields the child's requests use,
/// `field=value` joined by `&` in the order they appear (`id=5`).
fn parent_key(endpoint: &Endpoint, parent: &Value) -> String {
    let texts = std::iter::once(endpoint.path)
        .chain(endpoint.params.iter().map(|(_, v)| *v))
        .chain(endpoint.headers.iter().map(|(_, v)| *v))
        .chain(endpoint.json);
    let mut fields: Vec<&str> = Vec::new();
    for text in texts {
        let mut rest = text;
        while let Some(at) = rest.find("{resources.") {
            let inner = &rest[at + "{resources.".len()..];
            let Some(end) = inner.find('}') else { break };
            if let Some((_, field)) = inner[..end].split_once('.') {
                if !fields.contains(&field) {
                    fields.push(field);
                }
            }
            rest = &inner[end..];
        }
    }
    fields
        .iter()
        .map(|field| {
            let value = crate::select::Selector::parse(field)
                .ok()
                .and_then(|s| s.find(parent).into_iter().next().cloned())
                .unwrap_or(Value::Null);
            match value {
                Value::String(text) => format!("{field}={text}"),
                other => format!("{field}={other}"),
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}
