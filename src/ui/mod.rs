//! Shared components: the page shell and navigation, the access guard, form fields, empty
//! states and the status pages (404, 403, errors).

pub mod admin_tabs;
#[cfg(feature = "ssr")]
pub mod assets;
pub mod copy_button;
pub mod empty_state;
pub mod form;
pub mod guard;
pub mod icons;
pub mod more;
pub mod shell;
pub mod status_pages;
pub mod theme;
#[cfg(feature = "ssr")]
pub mod time;

pub use admin_tabs::AdminTabs;
pub use copy_button::CopyButton;
pub use empty_state::EmptyState;
pub use form::{
    action_done, action_error, field_error, reset_on_success, FormError, FormField, Submit,
};
pub use guard::{Access, Guarded, SessionSource};
pub use shell::SignOut;
pub use status_pages::{ErrorPanel, Forbidden, NotFound};
