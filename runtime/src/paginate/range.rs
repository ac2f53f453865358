//! `offset` and `page_number`: a number that moves by a fixed step, with dlt's stop rules.

use super::{find, has_more, selector, Prepared, Seen, Target};
use crate::select::Selector;
use crate::util::read_integer;
use serde_json::json;

/// dlt's `offset` paginator.
#[derive(Clone, Copy, Debug)]
pub struct OffsetPaginator {
    /// Records per page.
    pub limit: u64,
    /// The first offset.
    pub offset: u64,
    /// Where the offset goes (`offset_param`, default `offset`, or `offset_body_path`).
    pub offset_target: Target,
    /// Where the limit goes (`limit_param`, default `limit`, or `limit_body_path`).
    pub limit_target: Target,
    /// Path to the total number of records; `None` when the spec says `total_path: null`.
    pub total_path: Option<&'static str>,
    /// Stop before this offset (exclusive).
    pub maximum_offset: Option<u64>,
    /// Stop at the first page without records.
    pub stop_after_empty_page: bool,
    /// Path to a flag that says whether more pages follow.
    pub has_more_path: Option<&'static str>,
}

/// dlt's `page_number` paginator.
#[derive(Clone, Copy, Debug)]
pub struct PageNumberPaginator {
    /// The number of the first page of the API (0 or 1, usually).
    pub base_page: u64,
    /// The page to start from; default `base_page`.
    pub page: Option<u64>,
    /// Where the page number goes (`page_param`, default `page`, or `page_body_path`).
    pub page_target: Target,
    /// Path to the total number of pages; `None` when the spec says `total_path: null`.
    pub total_path: Option<&'static str>,
    /// Stop before this page (exclusive).
    pub maximum_page: Option<u64>,
    pub stop_after_empty_page: bool,
    pub has_more_path: Option<&'static str>,
}

impl OffsetPaginator {
    /// dlt's defaults: from offset 0, `offset` and `limit` parameters, the total at
    /// `total`, stop at the first empty page. `limit` has no default in dlt: set it.
    pub const DEFAULT: OffsetPaginator = OffsetPaginator {
        limit: 0,
        offset: 0,
        offset_target: Target::Param("offset"),
        limit_target: Target::Param("limit"),
        total_path: Some("total"),
        maximum_offset: None,
        stop_after_empty_page: true,
        has_more_path: None,
    };
}

impl PageNumberPaginator {
    /// dlt's defaults: pages counted from 0 in a `page` parameter, the total number of
    /// pages at `total`, stop at the first empty page.
    pub const DEFAULT: PageNumberPaginator = PageNumberPaginator {
        base_page: 0,
        page: None,
        page_target: Target::Param("page"),
        total_path: Some("total"),
        maximum_page: None,
        stop_after_empty_page: true,
        has_more_path: None,
    };
}

type Path = Option<(String, Selector)>;

#[derive(Debug)]
pub(crate) struct RangeState {
    target: Target,
    current: i64,
    step: i64,
    /// Added to the total before comparing: 0 for offsets, `base_page` for pages.
    base: i64,
    total: Path,
    maximum: Option<i64>,
    stop_after_empty_page: bool,
    has_more: Path,
    limit: Option<(Target, u64)>,
    /// The total the last response reported, once one has.
    known_total: Option<i64>,
    /// The total the API announced, when an empty page stopped the walk below it.
    short_of: Option<i64>,
}

impl RangeState {
    pub(crate) fn offset(config: &OffsetPaginator) -> Result<Self, String> {
        Ok(RangeState {
            target: config.offset_target,
            current: config.offset as i64,
            step: config.limit as i64,
            base: 0,
            total: selector(config.total_path)?,
            maximum: config.maximum_offset.map(|m| m as i64),
            stop_after_empty_page: config.stop_after_empty_page,
            has_more: selector(config.has_more_path)?,
            limit: Some((config.limit_target, config.limit)),
            known_total: None,
            short_of: None,
        })
    }

    pub(crate) fn page_number(config: &PageNumberPaginator) -> Result<Self, String> {
        Ok(RangeState {
            target: config.page_target,
            current: config.page.unwrap_or(config.base_page) as i64,
            step: 1,
            base: config.base_page as i64,
            total: selector(config.total_path)?,
            maximum: config.maximum_page.map(|m| m as i64),
            stop_after_empty_page: config.stop_after_empty_page,
            has_more: selector(config.has_more_path)?,
            limit: None,
            known_total: None,
            short_of: None,
        })
    }

    /// A page-number state detected from a first response that was fetched without a
    /// page number: that response was page 1, the next request asks for page 2.
    pub(crate) fn detected_pages(total_path: String) -> Result<Self, String> {
        let total = Selector::parse(&total_path)?;
        Ok(RangeState {
            target: Target::Param("page"),
            current: 1,
            step: 1,
            base: 1,
            total: Some((total_path, total)),
            maximum: None,
            stop_after_empty_page: true,
            has_more: None,
            limit: None,
            known_total: None,
            short_of: None,
        })
    }

    pub(crate) fn prepare(&self, request: &mut Prepared) {
        self.prepare_at(self.current, request);
    }

    fn prepare_at(&self, position: i64, request: &mut Prepared) {
        request.set(self.target, json!(position));
        if let Some((target, limit)) = self.limit {
            request.set(target, json!(limit));
        }
    }

    /// The request `ahead` pages after the next one, if it is known to lie below the
    /// total the API reported and below the maximum (the stop rules that need no
    /// response). The stop rules that do (an empty page, `has_more`) are still applied
    /// to every response in order, and requests sent past them are dropped.
    pub(crate) fn prepare_ahead(&self, ahead: usize, request: &mut Prepared) -> bool {
        let Some(total) = self.known_total else {
            return false;
        };
        let position = self.current + self.step * ahead as i64;
        if position >= total + self.base || self.maximum.is_some_and(|max| position >= max) {
            return false;
        }
        self.prepare_at(position, request);
        true
    }

    /// The total the API announced and its unit, when an empty page stopped the walk
    /// below it.
    pub(crate) fn stopped_short(&self) -> Option<(i64, &'static str)> {
        let unit = if self.limit.is_some() {
            "records"
        } else {
            "pages"
        };
        self.short_of.map(|total| (total, unit))
    }

    pub(crate) fn body_paths(&self) -> Vec<&str> {
        [&self.total, &self.has_more]
            .into_iter()
            .flatten()
            .map(|(path, _)| path.as_str())
            .collect()
    }

    /// dlt's order: an empty page stops first; then the total and the maximum; then
    /// `has_more`, ANDed with the rest. A page shorter than the limit does not stop.
    pub(crate) fn advance(&mut self, seen: &Seen) -> Result<bool, String> {
        if self.stop_after_empty_page && seen.records == 0 {
            // dlt stops here whatever the total said; say so when it said more.
            let total = (self.total.as_ref())
                .and_then(|path| find(path, seen.doc))
                .and_then(read_integer)
                .or(self.known_total);
            self.short_of = total.filter(|total| self.current < total + self.base);
            return Ok(false);
        }
        let total = match &self.total {
            None => None,
            Some(path) => Some(match find(path, seen.doc) {
                None => {
                    return Err(format!(
                        "total not found at `{}` in the response; set the paginator's \
                         `total_path` to where the API reports it, or `total_path: null` to \
                         page until an empty page",
                        path.0
                    ))
                }
                Some(value) => read_integer(value)
                    .ok_or_else(|| format!("total at `{}` is not an integer: {value}", path.0))?,
            }),
        };
        self.known_total = total;
        self.current += self.step;
        let mut more = true;
        if total.is_some_and(|total| self.current >= total + self.base) {
            more = false;
        }
        if self.maximum.is_some_and(|max| self.current >= max) {
            more = false;
        }
        Ok(more && has_more(&self.has_more, seen.doc)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderMap;
    use serde_json::Value;
    use url::Url;

    fn offset() -> OffsetPaginator {
        OffsetPaginator {
            limit: 10,
            offset: 0,
            offset_target: Target::Param("offset"),
            limit_target: Target::Param("limit"),
            total_path: Some("total"),
            maximum_offset: None,
            stop_after_empty_page: true,
            has_more_path: None,
        }
    }

    fn advance(state: &mut RangeState, doc: Value, records: usize) -> Result<bool, String> {
        let url = Url::parse("http://h/").unwrap();
        let headers = HeaderMap::new();
        state.advance(&Seen {
            url: &url,
            headers: &headers,
            doc: &doc,
            records,
        })
    }

    fn query(state: &RangeState) -> String {
        let mut prepared = Prepared {
            url: Url::parse("http://h/").unwrap(),
            json: None,
            headers: Vec::new(),
        };
        state.prepare(&mut prepared);
        prepared.url.query().unwrap_or_default().to_owned()
    }

    #[test]
    fn offset_stops_when_it_reaches_the_total() {
        let mut state = RangeState::offset(&offset()).unwrap();
        assert_eq!(query(&state), "offset=0&limit=10");
        assert!(advance(&mut state, json!({"total": "25"}), 10).unwrap());
        assert_eq!(query(&state), "offset=10&limit=10");
        assert!(advance(&mut state, json!({"total": 25}), 10).unwrap());
        assert!(!advance(&mut state, json!({"total": 25}), 5).unwrap());
    }

    #[test]
    fn a_short_page_does_not_stop_but_an_empty_one_does() {
        let mut state = RangeState::offset(&OffsetPaginator {
            total_path: None,
            ..offset()
        })
        .unwrap();
        assert!(advance(&mut state, json!({}), 3).unwrap());
        assert!(!advance(&mut state, json!({}), 0).unwrap());
    }

    #[test]
    fn missing_total_is_an_error_and_maximum_is_exclusive() {
        let mut state = RangeState::offset(&offset()).unwrap();
        let err = advance(&mut state, json!({"count": 3}), 10).unwrap_err();
        assert!(err.starts_with("total not found at `total`"), "{err}");

        let mut state = RangeState::offset(&OffsetPaginator {
            total_path: None,
            maximum_offset: Some(20),
            ..offset()
        })
        .unwrap();
        assert!(advance(&mut state, json!({}), 10).unwrap());
        assert!(!advance(&mut state, json!({}), 10).unwrap());
    }

    #[test]
    fn has_more_is_anded_and_lenient() {
        let mut state = RangeState::offset(&OffsetPaginator {
            total_path: None,
            has_more_path: Some("meta.more"),
            ..offset()
        })
        .unwrap();
        assert!(advance(&mut state, json!({"meta": {"more": "Yes"}}), 10).unwrap());
        assert!(!advance(&mut state, json!({"meta": {"more": 0}}), 10).unwrap());
        assert!(advance(&mut state, json!({}), 10).is_err());
    }

    /// The requests sent ahead are those the walk would send one after the other.
    #[test]
    fn pages_ahead_are_the_next_ones_below_the_total_and_the_maximum() {
        let ahead = |state: &RangeState, n: usize| {
            let mut prepared = Prepared {
                url: Url::parse("http://h/").unwrap(),
                json: None,
                headers: Vec::new(),
            };
            state
                .prepare_ahead(n, &mut prepared)
                .then(|| prepared.url.query().unwrap_or_default().to_owned())
        };
        let mut state = RangeState::page_number(&PageNumberPaginator {
            base_page: 1,
            page: Some(2),
            page_target: Target::Param("page"),
            total_path: Some("total_pages"),
            maximum_page: Some(9),
            stop_after_empty_page: true,
            has_more_path: None,
        })
        .unwrap();
        assert_eq!(ahead(&state, 1), None, "no total yet");
        assert!(advance(&mut state, json!({"total_pages": 5}), 5).unwrap());
        // Pages 3, 4 and 5 of 5 (counted from 1), below the maximum (9, exclusive).
        assert_eq!(ahead(&state, 0).as_deref(), Some("page=3"));
        assert_eq!(ahead(&state, 1).as_deref(), Some("page=4"));
        assert_eq!(ahead(&state, 2).as_deref(), Some("page=5"));
        assert_eq!(ahead(&state, 3), None);
        let mut state = RangeState::offset(&OffsetPaginator {
            offset: 20,
            maximum_offset: Some(45),
            ..offset()
        })
        .unwrap();
        assert!(advance(&mut state, json!({"total": 100}), 10).unwrap());
        assert_eq!(ahead(&state, 1).as_deref(), Some("offset=40&limit=10"));
        assert_eq!(ahead(&state, 2), None, "offset 50 is past the maximum");
    }

    #[test]
    fn page_numbers_count_pages_from_the_base() {
        let mut state = RangeState::page_number(&PageNumberPaginator {
            base_page: 1,
            page: None,
            page_target: Target::Param("page"),
            total_path: Some("total_pages"),
            maximum_page: None,
            stop_after_empty_page: true,
            has_more_path: None,
        })
        .unwrap();
        assert_eq!(query(&state), "page=1");
        assert!(advance(&mut state, json!({"total_pages": 3}), 5).unwrap());
        assert!(advance(&mut state, json!({"total_pages": 3}), 5).unwrap());
        assert_eq!(query(&state), "page=3");
        assert!(!advance(&mut state, json!({"total_pages": 3}), 5).unwrap());
    }
}
