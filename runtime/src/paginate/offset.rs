use super::{read_flag, read_integer};
use crate::select::Selector;
use serde_json::Value;

/// dlt's `offset` paginator.
#[derive(Clone, Copy, Debug)]
pub struct OffsetPaginator {
    /// Records per page, sent as `limit_param`.
    pub limit: u64,
    /// The first offset.
    pub offset: u64,
    pub offset_param: &'static str,
    pub limit_param: &'static str,
    /// Path to the total number of records; `None` when the spec says `total_path: null`.
    pub total_path: Option<&'static str>,
    /// Stop before this offset (exclusive).
    pub maximum_offset: Option<u64>,
    /// Stop at the first page without records.
    pub stop_after_empty_page: bool,
    /// Path to a flag that says whether more pages follow.
    pub has_more_path: Option<&'static str>,
}

#[derive(Debug)]
pub(crate) struct OffsetState {
    config: OffsetPaginator,
    current: u64,
    total: Option<Selector>,
    has_more: Option<Selector>,
}

impl OffsetState {
    pub(crate) fn new(config: OffsetPaginator) -> Result<Self, String> {
        Ok(OffsetState {
            config,
            current: config.offset,
            total: config.total_path.map(Selector::parse).transpose()?,
            has_more: config.has_more_path.map(Selector::parse).transpose()?,
        })
    }

    pub(crate) fn query(&self) -> Vec<(&'static str, String)> {
        vec![
            (self.config.offset_param, self.current.to_string()),
            (self.config.limit_param, self.config.limit.to_string()),
        ]
    }

    /// dlt's order: an empty page stops first; then the total and the maximum; then
    /// `has_more`, ANDed with the rest. A page shorter than `limit` does not stop.
    pub(crate) fn advance(&mut self, doc: &Value, records: usize) -> Result<bool, String> {
        if self.config.stop_after_empty_page && records == 0 {
            return Ok(false);
        }
        let mut more = true;
        if let Some(total_path) = &self.total {
            let path = self.config.total_path.unwrap_or_default();
            let total = match total_path.find(doc).first() {
                None | Some(Value::Null) => {
                    return Err(format!(
                        "total not found at `{path}` in the response; set the paginator's \
                         `total_path` to where the API reports it, or `total_path: null` to \
                         page until an empty page"
                    ))
                }
                Some(value) => read_integer(value)
                    .ok_or_else(|| format!("total at `{path}` is not an integer: {value}"))?,
            };
            self.current += self.config.limit;
            if self.current as i64 >= total {
                more = false;
            }
        } else {
            self.current += self.config.limit;
        }
        if self
            .config
            .maximum_offset
            .is_some_and(|max| self.current >= max)
        {
            more = false;
        }
        if let Some(has_more_path) = &self.has_more {
            let path = self.config.has_more_path.unwrap_or_default();
            let flag = match has_more_path.find(doc).first() {
                None | Some(Value::Null) => {
                    return Err(format!(
                        "has_more flag not found at `{path}` in the response"
                    ))
                }
                Some(value) => read_flag(value).ok_or_else(|| {
                    format!("has_more flag at `{path}` is not a boolean: {value}")
                })?,
            };
            more = more && flag;
        }
        Ok(more)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paginator() -> OffsetPaginator {
        OffsetPaginator {
            limit: 10,
            offset: 0,
            offset_param: "offset",
            limit_param: "limit",
            total_path: Some("total"),
            maximum_offset: None,
            stop_after_empty_page: true,
            has_more_path: None,
        }
    }

    #[test]
    fn stops_when_offset_reaches_total() {
        let mut state = OffsetState::new(paginator()).unwrap();
        assert!(state.advance(&json!({"total": "25"}), 10).unwrap());
        assert_eq!(state.query()[0], ("offset", "10".to_string()));
        assert!(state.advance(&json!({"total": 25}), 10).unwrap());
        assert!(!state.advance(&json!({"total": 25}), 5).unwrap());
    }

    #[test]
    fn a_short_page_does_not_stop_but_an_empty_one_does() {
        let mut state = OffsetState::new(OffsetPaginator {
            total_path: None,
            ..paginator()
        })
        .unwrap();
        assert!(state.advance(&json!({}), 3).unwrap());
        assert!(!state.advance(&json!({}), 0).unwrap());
    }

    #[test]
    fn missing_total_is_an_error_and_maximum_is_exclusive() {
        let mut state = OffsetState::new(paginator()).unwrap();
        let err = state.advance(&json!({"count": 3}), 10).unwrap_err();
        assert!(err.starts_with("total not found at `total`"), "{err}");

        let mut state = OffsetState::new(OffsetPaginator {
            total_path: None,
            maximum_offset: Some(20),
            ..paginator()
        })
        .unwrap();
        assert!(state.advance(&json!({}), 10).unwrap());
        assert!(!state.advance(&json!({}), 10).unwrap());
    }

    #[test]
    fn has_more_is_anded_and_lenient() {
        let mut state = OffsetState::new(OffsetPaginator {
            total_path: None,
            has_more_path: Some("meta.more"),
            ..paginator()
        })
        .unwrap();
        assert!(state
            .advance(&json!({"meta": {"more": "Yes"}}), 10)
            .unwrap());
        assert!(!state.advance(&json!({"meta": {"more": 0}}), 10).unwrap());
        assert!(state.advance(&json!({}), 10).is_err());
    }
}
