//! When the engine panics the page must not go dead: the panic hook (after logging to the console) puts an
//! error panel over the page, built with plain DOM calls because the app's own state is what just failed. It
//! offers a report to download (the panic message, the command being handled, the saved session: seed and
//! command log) and two ways on: Reload (the saved session is the one before the failing command) and Reset
//! cluster (a fresh cluster).

use std::cell::RefCell;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::i18n::{Key, Lang};
use crate::persist;

thread_local! {
    /// What the page is doing to the cluster right now (a command line), for the report.
    static PENDING: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Notes what is about to run (`None` once it finished).
pub fn pending(what: Option<&str>) {
    PENDING.with(|p| *p.borrow_mut() = what.map(str::to_string));
}

/// The report a learner can attach to a bug: JSON with the panic, the pending command and the saved session.
pub fn report(panic: &str, pending: Option<&str>, saved: Option<&str>) -> String {
    let saved: serde_json::Value = saved.and_then(|s| serde_json::from_str(s).ok()).unwrap_or(serde_json::Value::Null);
    let report = serde_json::json!({
        "kubeground": "crash report",
        "panic": panic,
        "pending": pending,
        "saved": saved,
    });
    serde_json::to_string_pretty(&report).unwrap_or_default()
}

/// Installs the panic hook (in place of Yew's, which only logs).
pub fn install() {
    yew::set_custom_panic_hook(Box::new(|info| {
        let message = info.to_string();
        gloo::console::error!(message.clone());
        show(&message);
    }));
}

/// Whether the page was opened with `?crash-test`: then the terminal command `kubeground crash-test` panics on
/// purpose, so the browser tests can walk the recovery path. Without it the command is unknown.
pub fn test_hook_enabled() -> bool {
    web_sys::window().and_then(|w| w.location().search().ok()).is_some_and(|q| q.contains("crash-test"))
}

fn show(panic: &str) {
    let Some(window) = web_sys::window() else { return };
    let Some(document) = window.document() else { return };
    if document.get_element_by_id("crash").is_some() {
        return;
    }
    let l = Lang::from_tag(&persist::load_lang().unwrap_or_default());
    let pending_command = PENDING.with(|p| p.borrow().clone());
    let saved = persist::saved_text();
    let text = report(panic, pending_command.as_deref(), saved.as_deref());
    let Some(body) = document.body() else { return };
    let el = |tag: &str, text: &str| {
        let e = document.create_element(tag).ok()?;
        e.set_text_content(Some(text));
        Some(e)
    };
    let Ok(panel) = document.create_element("div") else { return };
    panel.set_id("crash");
    let _ = panel.set_attribute("class", "crash");
    let _ = panel.set_attribute("role", "alertdialog");
    let _ = panel.set_attribute("aria-modal", "true");
    let _ = panel.set_attribute("aria-labelledby", "crash-title");
    let parts = [
        el("h2", l.t(Key::CrashTitle)),
        el("p", l.t(Key::CrashText)),
        pending_command.as_deref().and_then(|c| el("pre", &format!("$ {c}"))),
    ];
    for part in parts.into_iter().flatten() {
        if part.tag_name() == "H2" {
            part.set_id("crash-title");
        }
        let _ = panel.append_child(&part);
    }
    let Ok(actions) = document.create_element("div") else { return };
    let _ = actions.set_attribute("class", "crash-actions");
    if let Some(link) = el("a", l.t(Key::CrashReport)) {
        let href = format!("data:application/json;charset=utf-8,{}", js_sys::encode_uri_component(&text));
        let _ = link.set_attribute("href", &href);
        let _ = link.set_attribute("download", "kubeground-report.json");
        let _ = actions.append_child(&link);
    }
    for (key, reset) in [(Key::CrashReload, false), (Key::ResetCluster, true)] {
        let Some(button) = el("button", l.t(key)) else { continue };
        let click = Closure::<dyn FnMut()>::new(move || {
            if reset {
                persist::forget_session();
            }
            if let Some(w) = web_sys::window() {
                let _ = w.location().reload();
            }
        });
        let _ = button.add_event_listener_with_callback("click", click.as_ref().unchecked_ref());
        click.forget();
        let _ = actions.append_child(&button);
    }
    let _ = panel.append_child(&actions);
    let _ = body.append_child(&panel);
    if let Some(first) =
        panel.query_selector("a").ok().flatten().and_then(|a| a.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = first.focus();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_report_carries_the_panic_the_command_and_the_saved_session() {
        let saved = r#"{"version":1,"session":{"seed":7,"entries":[{"type":"step","ms":1000}]}}"#;
        let text = super::report("boom at engine.rs:1", Some("kubectl get pods"), Some(saved));
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["panic"], "boom at engine.rs:1");
        assert_eq!(v["pending"], "kubectl get pods");
        assert_eq!(v["saved"]["session"]["seed"], 7);
        let none = super::report("boom", None, Some("not json"));
        assert!(none.contains("\"saved\": null"), "{none}");
    }
}
