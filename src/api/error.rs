//! The one error envelope of the REST API: `{"error": {"code", "message", "details"}}`.
//!
//! Bad input is always a 4xx with a stable `code`; only our own failures are a 500, and those
//! never carry internal details (they are logged instead).

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::AppError;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Vec<Detail>,
    retry_after: Option<u64>,
}

/// One problem with one part of the request.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Detail {
    /// The field in camelCase, as in the request (`email`, `points[3].value`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For batch requests: the position of the item in its array.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    pub message: String,
}

impl Detail {
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Detail {
            field: Some(field.into()),
            index: None,
            message: message.into(),
        }
    }
}

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorEnvelope {
    pub error: ErrorBody,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable, machine-readable: `unauthorized`, `forbidden`, `not_found`, `conflict`,
    /// `invalid_json`, `invalid_query`, `validation_failed`, `rate_limited`, …
    pub code: String,
    /// A sentence for the developer reading the logs.
    pub message: String,
    pub details: Vec<Detail>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
            retry_after: None,
        }
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("No {what} with that id."),
        )
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", message)
    }

    pub fn bad_query(details: Vec<Detail>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            "The query string is not valid.",
        )
        .with_details(details)
    }

    /// 422: the body was well-formed JSON but some values are not acceptable.
    pub fn validation(details: Vec<Detail>) -> Self {
        let message = match details.len() {
            1 => format!("One value is not valid: {}", details[0].message),
            n => format!("{n} values are not valid; see details."),
        };
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            message,
        )
        .with_details(details)
    }

    pub fn rate_limited(retry_after_secs: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("Too many requests with this key; retry after {retry_after_secs} s."),
        );
        e.retry_after = Some(retry_after_secs);
        e
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Something went wrong on our side; it was logged. Please retry.",
        )
    }

    pub fn with_details(mut self, details: Vec<Detail>) -> Self {
        self.details = details;
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status;
        let retry_after = self.retry_after;
        let body = ErrorEnvelope {
            error: ErrorBody {
                code: self.code.to_string(),
                message: self.message,
                details: self.details,
            },
        };
        let mut res = (status, axum::Json(body)).into_response();
        if let Some(secs) = retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"VitaSync API\""),
            );
        }
        res
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        tracing::error!(error = %err, "database error in the REST API");
        ApiError::internal()
    }
}

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        match err {
            AppError::Invalid { field, message } => ApiError::validation(vec![Detail {
                field: field.map(|f| camel_case(&f)),
                index: None,
                message,
            }]),
            AppError::Unauthenticated => ApiError::unauthorized(err.to_string()),
            AppError::Forbidden => ApiError::forbidden(err.to_string()),
            AppError::NotFound(m) => ApiError::new(StatusCode::NOT_FOUND, "not_found", m),
            AppError::Conflict(m) => ApiError::conflict(m),
            AppError::TooManyRequests(m) => {
                ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", m)
            }
            AppError::Internal | AppError::Transport(_) => ApiError::internal(),
        }
    }
}

impl ApiError {
    /// A body sent as something other than JSON (415).
    pub fn not_json() -> Self {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the body as JSON with Content-Type: application/json.",
        )
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rej: JsonRejection) -> Self {
        match rej {
            JsonRejection::MissingJsonContentType(_) => ApiError::not_json(),
            JsonRejection::JsonDataError(e) => {
                // serde's message names the field path and what was expected.
                let detail = std::error::Error::source(&e)
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| e.body_text());
                ApiError::validation(vec![Detail {
                    field: None,
                    index: None,
                    message: detail,
                }])
            }
            JsonRejection::JsonSyntaxError(e) => ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                format!(
                    "The body is not valid JSON: {}",
                    std::error::Error::source(&e)
                        .map(|s| s.to_string())
                        .unwrap_or_else(|| e.body_text())
                ),
            ),
            other => ApiError::new(StatusCode::BAD_REQUEST, "invalid_body", other.body_text()),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rej: QueryRejection) -> Self {
        let message = match &rej {
            QueryRejection::FailedToDeserializeQueryString(e) => std::error::Error::source(e)
                .map(|s| s.to_string())
                .unwrap_or_else(|| rej.body_text()),
            _ => rej.body_text(),
        };
        ApiError::bad_query(vec![Detail {
            field: None,
            index: None,
            message,
        }])
    }
}

/// `display_name` → `displayName`: server-function field names in API spelling.
pub fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_become_camel_case() {
        assert_eq!(camel_case("display_name"), "displayName");
        assert_eq!(camel_case("email"), "email");
        assert_eq!(camel_case("external_id"), "externalId");
    }

    #[test]
    fn app_errors_keep_their_meaning() {
        let e = ApiError::from(AppError::invalid("display_name", "Too long."));
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e.details[0].field.as_deref(), Some("displayName"));
        assert_eq!(ApiError::from(AppError::Internal).status, 500);
        assert_eq!(ApiError::from(AppError::Conflict("x".into())).status, 409);
    }
}
