//! keygate's single-page app: API-key management for the keygate gateway, in Yew.
//!
//! `app` holds the routes, `pages` one file per route, `components` the reusable pieces,
//! `hooks` the shared state, and `api` is the only module that speaks HTTP.
#![forbid(unsafe_code)]

mod api;
mod app;
mod components;
mod format;
mod hooks;
mod json_entries;
mod pages;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
