//! Cursor pagination as docs/api.md states it: `limit` 1–200 (default 50), an opaque cursor (the
//! last id of the page), one more row read than shown to know whether a next page exists.

use crate::error::ApiError;

/// Default and largest page sizes.
pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

/// A checked `limit` and `cursor` of a list request.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub limit: i64,
    /// The id the page continues from (exclusive).
    pub cursor_id: Option<i64>,
}

impl PageRequest {
    /// Checks the query values (422 naming `#/query/limit` or `#/query/cursor`).
    pub fn parse(limit: Option<i64>, cursor: Option<&str>) -> Result<Self, ApiError> {
        Self::parse_bounded(limit, cursor, DEFAULT_LIMIT, MAX_LIMIT)
    }

    /// The same with another default and largest page (CSV exports).
    pub fn parse_bounded(
        limit: Option<i64>,
        cursor: Option<&str>,
        default: i64,
        max: i64,
    ) -> Result<Self, ApiError> {
        let limit = limit.unwrap_or(default);
        if !(1..=max).contains(&limit) {
            return Err(ApiError::invalid_field(
                "#/query/limit",
                format!("must be between 1 and {max}"),
            ));
        }
        let cursor_id = cursor
            .map(|c| {
                c.parse::<i64>().map_err(|_| {
                    ApiError::invalid_field("#/query/cursor", "is not a cursor of this list")
                })
            })
            .transpose()?;
        Ok(Self { limit, cursor_id })
    }

    /// Rows to read: one more than the page shows.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }

    /// Cuts the rows read to the page and returns the cursor of the next page (`None` on the last).
    pub fn cut<T>(&self, rows: &mut Vec<T>, id_of: impl Fn(&T) -> i64) -> Option<String> {
        let limit = usize::try_from(self.limit).unwrap_or(usize::MAX);
        let more = rows.len() > limit;
        rows.truncate(limit);
        if more {
            rows.last().map(|r| id_of(r).to_string())
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_cursors_and_the_next_page() {
        assert!(PageRequest::parse(Some(0), None).is_err());
        assert!(PageRequest::parse(Some(201), None).is_err());
        assert!(PageRequest::parse(None, Some("x1")).is_err());
        let page = PageRequest::parse(Some(2), Some("7")).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((page.limit, page.cursor_id, page.fetch()), (2, Some(7), 3));
        let mut rows = vec![6, 5, 4];
        assert_eq!(page.cut(&mut rows, |r| *r), Some("5".to_owned()));
        assert_eq!(rows, [6, 5]);
        let mut last = vec![3];
        assert_eq!(page.cut(&mut last, |r| *r), None);
        assert_eq!(
            PageRequest::parse(None, None).map(|p| p.limit).ok(),
            Some(50)
        );
    }
}
