//! The one error type server functions return. It crosses the wire (JSON), so the browser can
//! show a field-level message next to the right input, with or without JavaScript.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Bad input: `field` names the form field the message belongs to.
    #[error("{message}")]
    Invalid {
        field: Option<String>,
        message: String,
    },
    #[error("Please sign in to continue.")]
    Unauthenticated,
    #[error("You don't have access to this.")]
    Forbidden,
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooManyRequests(String),
    /// Details are logged on the server, never shown.
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The request never reached our code (network, encoding).
    #[error("Could not reach the server: {0}")]
    Transport(String),
}

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid {
            field: Some(field.to_string()),
            message: message.into(),
        }
    }

    /// The message for `field`, if this error is about that field.
    pub fn for_field(&self, name: &str) -> Option<String> {
        match self {
            AppError::Invalid {
                field: Some(f),
                message,
            } if f == name => Some(message.clone()),
            _ => None,
        }
    }

    /// Moves a field error to the name the submitting form uses for that field
    /// (e.g. `email` → `admin_email`); other errors pass through.
    pub fn rename_field(self, renames: &[(&str, &str)]) -> Self {
        match self {
            AppError::Invalid {
                field: Some(f),
                message,
            } => match renames.iter().find(|(from, _)| *from == f) {
                Some((_, to)) => AppError::invalid(to, message),
                None => AppError::invalid(&f, message),
            },
            other => other,
        }
    }

    /// The HTTP status a server function answers with when it fails with this error: a person's
    /// mistake is a 4xx (and no alarm in the operator's monitoring), only our own fault a 500.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::Invalid { .. } => 422,
            AppError::Unauthenticated => 401,
            AppError::Forbidden => 403,
            AppError::NotFound(_) => 404,
            AppError::Conflict(_) => 409,
            AppError::TooManyRequests(_) => 429,
            AppError::Internal => 500,
            // Arguments that could not be read.
            AppError::Transport(_) => 400,
        }
    }

    /// A message for the whole form (anything not tied to one field).
    pub fn form_message(&self) -> Option<String> {
        match self {
            AppError::Invalid { field: Some(_), .. } => None,
            other => Some(other.to_string()),
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        tracing::error!(error = %err, "database error");
        AppError::Internal
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::AppError;

    #[test]
    fn field_errors_follow_the_forms_field_names() {
        let renamed =
            AppError::invalid("email", "Taken.").rename_field(&[("email", "admin_email")]);
        assert_eq!(renamed.for_field("admin_email").as_deref(), Some("Taken."));
        let kept = AppError::invalid("slug", "Bad.").rename_field(&[("email", "admin_email")]);
        assert_eq!(kept.for_field("slug").as_deref(), Some("Bad."));
        assert_eq!(
            AppError::Forbidden.rename_field(&[("email", "x")]),
            AppError::Forbidden
        );
    }
}
