//! Cursor pagination as docs/api.md states it: `limit` 1–200 (default 50), an opaque cursor (the
//! last id of the page; `date.id` for a list in date order), one more row read than shown to know
//! whether a next page exists.

use chrono::NaiveDate;

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
    /// With `cursor_id`, the date of that row in a list in date order.
    pub cursor_date: Option<NaiveDate>,
    /// Whether the list comes in date order (then by id): its cursors are `date.id`.
    pub in_date_order: bool,
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
        Self::parse_ordered(limit, cursor, default, max, false)
    }

    /// The same for a list that comes in date order when `in_date_order` (its cursor `date.id`),
    /// in id order otherwise; a cursor of the other order is refused, not misread.
    pub fn parse_ordered(
        limit: Option<i64>,
        cursor: Option<&str>,
        default: i64,
        max: i64,
        in_date_order: bool,
    ) -> Result<Self, ApiError> {
        let limit = limit.unwrap_or(default);
        if !(1..=max).contains(&limit) {
            return Err(ApiError::invalid_field(
                "#/query/limit",
                format!("must be between 1 and {max}"),
            ));
        }
        let not_ours = || ApiError::invalid_field("#/query/cursor", "is not a cursor of this list");
        let (cursor_date, cursor_id) = match cursor {
            None => (None, None),
            Some(c) if in_date_order => {
                let (date, id) = c.split_once('.').ok_or_else(not_ours)?;
                let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| not_ours())?;
                (Some(date), Some(id.parse::<i64>().map_err(|_| not_ours())?))
            }
            Some(c) => (None, Some(c.parse::<i64>().map_err(|_| not_ours())?)),
        };
        Ok(Self {
            limit,
            cursor_id,
            cursor_date,
            in_date_order,
        })
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

    /// [`Self::cut`] for a list that may come in date order: `key` gives a row's date and id.
    pub fn cut_ordered<T>(
        &self,
        rows: &mut Vec<T>,
        key: impl Fn(&T) -> (NaiveDate, i64),
    ) -> Option<String> {
        let next = self.cut(rows, |r| key(r).1)?;
        if !self.in_date_order {
            return Some(next);
        }
        rows.last().map(|r| {
            let (date, id) = key(r);
            format!("{}.{id}", date.format("%Y-%m-%d"))
        })
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

    #[test]
    fn a_list_in_date_order_pages_by_date_and_id() {
        let dated = |c: &str, in_date_order| {
            PageRequest::parse_ordered(None, Some(c), 50, 200, in_date_order)
        };
        let page = dated("2026-01-31.42", true).unwrap_or_else(|e| panic!("{e:?}"));
        let day = NaiveDate::from_ymd_opt(2026, 1, 31);
        assert_eq!((page.cursor_date, page.cursor_id), (day, Some(42)));
        // A cursor of the other order is refused.
        assert!(dated("42", true).is_err());
        assert!(dated("2026-01-31.42", false).is_err());
        assert!(dated("2026-02-30.42", true).is_err());
        let page = PageRequest::parse_ordered(Some(1), None, 50, 200, true)
            .unwrap_or_else(|e| panic!("{e:?}"));
        let day = day.unwrap_or_default();
        let mut rows = vec![(day, 9), (day, 3)];
        assert_eq!(
            page.cut_ordered(&mut rows, |r| *r),
            Some("2026-01-31.9".to_owned())
        );
        assert_eq!(page.cut_ordered(&mut rows, |r| *r), None);
    }
}
