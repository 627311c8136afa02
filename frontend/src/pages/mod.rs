//! One component per route.

mod account;
pub mod action_center;
mod brokers;
mod keys;
mod login;
mod not_found;
mod playground;
mod setup;
mod traffic;

pub use account::account_page;
pub use action_center::ActionCenterPage;
pub use brokers::BrokersPage;
pub use keys::KeysPage;
pub use login::LoginPage;
pub use not_found::not_found_page;
pub use playground::PlaygroundPage;
pub use setup::SetupPage;
pub use traffic::TrafficPage;
