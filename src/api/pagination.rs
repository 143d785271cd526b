//! Cursor pagination shared by every list: `?limit=&cursor=` in, `{data, pagination}` out.
//!
//! The cursor is opaque to clients: base64url of a small JSON value naming the last row
//! returned (its id, or its time and id for time-ordered lists). Pages are read with a seek
//! condition, so rows inserted while a client pages never shift or repeat what it has seen.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, TimeZone, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, Detail};
use crate::dates::instant_in_bounds;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 500;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// How many items to return: 1 to 500, default 50.
    pub limit: Option<i64>,
    /// `pagination.nextCursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageParams {
    /// The validated limit.
    pub fn limit(&self) -> Result<i64, ApiError> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            Some(_) => Err(ApiError::bad_query(vec![Detail::field(
                "limit",
                format!("Use a limit from 1 to {MAX_LIMIT}."),
            )])),
        }
    }

    /// For lists newest first by (time, id): the validated limit and the seek position (rows
    /// strictly older than it are next); the first page starts after every row.
    pub fn time_seek(&self) -> Result<(i64, DateTime<Utc>, String), ApiError> {
        let limit = self.limit()?;
        let before = self.time_cursor()?;
        let (at, id) = before.unwrap_or_else(|| (far_future(), String::new()));
        Ok((limit, at, id))
    }

    /// A decoded `(time, id)` cursor, its time within the years a client may send (a forged
    /// cursor is refused like a malformed one).
    pub fn time_cursor(&self) -> Result<Option<(DateTime<Utc>, String)>, ApiError> {
        match self.cursor::<(DateTime<Utc>, String)>()? {
            Some((at, _)) if !instant_in_bounds(&at) => Err(foreign_cursor()),
            other => Ok(other),
        }
    }

    /// The decoded cursor, if any.
    pub fn cursor<C: DeserializeOwned>(&self) -> Result<Option<C>, ApiError> {
        let Some(raw) = self.cursor.as_deref().filter(|c| !c.is_empty()) else {
            return Ok(None);
        };
        URL_SAFE_NO_PAD
            .decode(raw)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .map(Some)
            .ok_or_else(foreign_cursor)
    }
}

fn foreign_cursor() -> ApiError {
    ApiError::bad_query(vec![Detail::field(
        "cursor",
        "This cursor is not one we issued; pass pagination.nextCursor unchanged.",
    )])
}

/// A moment from the query string (`from`, `to`, `since`), which must fall within the years a
/// date may (1900–2200) so that both databases can compare with it.
pub fn bounded_moment(
    field: &str,
    at: Option<DateTime<Utc>>,
) -> Result<Option<DateTime<Utc>>, ApiError> {
    match at {
        Some(at) if !instant_in_bounds(&at) => Err(ApiError::bad_query(vec![Detail::field(
            field,
            "Use a moment between 1900-01-01T00:00:00Z and 2200-12-31T23:59:59Z.",
        )])),
        other => Ok(other),
    }
}

/// A moment after every stored row that both databases can hold (the open end of a range).
pub fn far_future() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(9999, 12, 31, 0, 0, 0)
        .single()
        .expect("a valid date")
}

pub fn encode_cursor<C: Serialize>(c: &C) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(c).expect("cursors serialize"))
}

/// Every list answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub pagination: Pagination,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
    pub has_more: bool,
}

impl<T> Page<T> {
    /// A short list answered whole (no further pages).
    pub fn complete(data: Vec<T>) -> Page<T> {
        Page {
            data,
            pagination: Pagination {
                next_cursor: None,
                has_more: false,
            },
        }
    }

    /// Builds a page from up to `limit + 1` rows (the extra row only says that more exist).
    pub fn from_rows<R, C: Serialize>(
        mut rows: Vec<R>,
        limit: i64,
        cursor_of: impl Fn(&R) -> C,
        to_item: impl Fn(R) -> T,
    ) -> Page<T> {
        let has_more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        let next_cursor = if has_more {
            rows.last().map(|r| encode_cursor(&cursor_of(r)))
        } else {
            None
        };
        Page {
            data: rows.into_iter().map(to_item).collect(),
            pagination: Pagination {
                next_cursor,
                has_more,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_bounded() {
        let p = |limit| PageParams {
            limit,
            cursor: None,
        };
        assert_eq!(p(None).limit().unwrap(), 50);
        assert_eq!(p(Some(500)).limit().unwrap(), 500);
        assert!(p(Some(0)).limit().is_err());
        assert!(p(Some(501)).limit().is_err());
    }

    #[test]
    fn cursors_round_trip_and_foreign_ones_are_refused() {
        let c = encode_cursor(&"01J000".to_string());
        let p = PageParams {
            limit: None,
            cursor: Some(c),
        };
        assert_eq!(p.cursor::<String>().unwrap().as_deref(), Some("01J000"));
        let bad = PageParams {
            limit: None,
            cursor: Some("%%%".into()),
        };
        assert_eq!(bad.cursor::<String>().unwrap_err().status, 400);
    }

    #[test]
    fn cursors_and_moments_beyond_the_years_of_dates_are_refused() {
        let forged = PageParams {
            limit: None,
            cursor: Some(encode_cursor(&(DateTime::<Utc>::MIN_UTC, "x".to_string()))),
        };
        assert_eq!(forged.time_seek().unwrap_err().status, 400);
        let now = Utc::now();
        let ours = PageParams {
            limit: None,
            cursor: Some(encode_cursor(&(now, "x".to_string()))),
        };
        assert_eq!(ours.time_seek().unwrap().1, now);
        assert_eq!(bounded_moment("from", Some(now)).unwrap(), Some(now));
        assert_eq!(bounded_moment("from", None).unwrap(), None);
        let far = bounded_moment("to", Some(DateTime::<Utc>::MAX_UTC)).unwrap_err();
        assert_eq!(far.details[0].field.as_deref(), Some("to"));
    }

    #[test]
    fn a_page_knows_whether_more_exist() {
        let page: Page<i32> = Page::from_rows(vec![1, 2, 3], 2, |r| *r, |r| r * 10);
        assert_eq!(page.data, vec![10, 20]);
        assert!(page.pagination.has_more);
        let last: Page<i32> = Page::from_rows(vec![1, 2], 2, |r| *r, |r| r);
        assert!(!last.pagination.has_more && last.pagination.next_cursor.is_none());
    }
}
