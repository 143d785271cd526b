//! The pages people see before they are signed in.

mod auth_card;
mod join;
mod login;
mod setup;
mod sign_out;
mod signup;

pub use auth_card::AuthCard;
pub use join::JoinPage;
pub use login::LoginPage;
pub use setup::SetupPage;
pub use sign_out::SignOutForm;
pub use signup::SignupPage;
