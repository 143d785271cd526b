//! The pages people see before they are signed in.

mod auth_card;
mod join;
mod login;
mod setup;
mod signup;

pub use join::JoinPage;
pub use login::LoginPage;
pub use setup::SetupPage;
pub use signup::SignupPage;
