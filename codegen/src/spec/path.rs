use std::fmt;

/// One step into a spec document.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// Where a value sits in a spec document: `resources[0].endpoint.paginator`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Path(pub Vec<Seg>);

impl Path {
    pub fn root() -> Path {
        Path(Vec::new())
    }

    pub fn key(&self, key: &str) -> Path {
        let mut segs = self.0.clone();
        segs.push(Seg::Key(key.to_owned()));
        Path(segs)
    }

    pub fn index(&self, index: usize) -> Path {
        let mut segs = self.0.clone();
        segs.push(Seg::Index(index));
        Path(segs)
    }

    /// Parses the paths `serde_path_to_error` prints (`resources[0].endpoint`).
    pub fn from_serde(path: &serde_path_to_error::Path) -> Path {
        use serde_path_to_error::Segment;
        Path(
            path.iter()
                .filter_map(|segment| match segment {
                    Segment::Seq { index } => Some(Seg::Index(*index)),
                    Segment::Map { key } => Some(Seg::Key(key.clone())),
                    Segment::Enum { .. } | Segment::Unknown => None,
                })
                .collect(),
        )
    }

    /// The value at this path, if the document has one.
    pub fn get<'a>(&self, doc: &'a serde_json::Value) -> Option<&'a serde_json::Value> {
        self.0.iter().try_fold(doc, |value, seg| match seg {
            Seg::Key(key) => value.get(key),
            Seg::Index(index) => value.get(index),
        })
    }

    /// The longest start of this path that exists in `doc`.
    pub fn existing_prefix(&self, doc: &serde_json::Value) -> Path {
        let mut value = doc;
        let mut prefix = Path::root();
        for seg in &self.0 {
            let next = match seg {
                Seg::Key(key) => value.get(key),
                Seg::Index(index) => value.get(index),
            };
            match next {
                Some(next) => {
                    value = next;
                    prefix.0.push(seg.clone());
                }
                None => break,
            }
        }
        prefix
    }

    /// Removes the value at this path; returns whether there was one.
    pub fn remove(&self, doc: &mut serde_json::Value) -> bool {
        let Some((last, parent)) = self.0.split_last() else {
            return false;
        };
        let parent = parent.iter().try_fold(doc, |value, seg| match seg {
            Seg::Key(key) => value.get_mut(key),
            Seg::Index(index) => value.get_mut(index),
        });
        match (parent, last) {
            (Some(serde_json::Value::Object(map)), Seg::Key(key)) => {
                map.shift_remove(key).is_some()
            }
            (Some(serde_json::Value::Array(items)), Seg::Index(index)) if *index < items.len() => {
                items[*index] = serde_json::Value::Null;
                true
            }
            _ => false,
        }
    }

    /// This path with `prefix` in front.
    pub fn under(&self, prefix: &Path) -> Path {
        Path(prefix.0.iter().chain(&self.0).cloned().collect())
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(key) if i == 0 => write!(f, "{key}")?,
                Seg::Key(key) => write!(f, ".{key}")?,
                Seg::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}
