//! The kubeground page. This crate is the only one that knows about the browser; it changes the cluster only
//! through the `playground` façade (held by the app reducer) and draws what the façade reports.

mod app;
mod crash;
mod editor;
mod events;
mod i18n;
mod inside;
mod inspector;
mod lesson;
mod manifest;
mod persist;
mod state;
mod storage;
mod terminal;
mod time;
mod topology;

fn main() {
    crash::install();
    yew::Renderer::<app::App>::new().render();
}
