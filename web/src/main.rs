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
mod netmap;
mod persist;
mod state;
mod storage;
mod terminal;
mod time;
mod topology;

fn main() {
    crash::install();
    register_service_worker();
    yew::Renderer::<app::App>::new().render();
}

/// The page works offline after its first visit (`web/sw.js` keeps its files). Where service workers are not
/// available (an insecure origin, a private window) the page simply stays online-only.
fn register_service_worker() {
    if let Some(window) = web_sys::window() {
        let navigator = window.navigator();
        if !js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false) {
            return;
        }
        let container = navigator.service_worker();
        let promise = container.register("sw.js");
        let ignore = wasm_bindgen::closure::Closure::<dyn FnMut(wasm_bindgen::JsValue)>::new(|_| {});
        let _ = promise.catch(&ignore);
        ignore.forget();
    }
}
