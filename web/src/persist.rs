//! The learner's work in localStorage: the session (seed and command log, editor saves included), the
//! terminal's lines, the command history and the language. Restoring replays the session from its seed
//! (`Playground::replay`); whatever cannot be read or replayed gives way to a fresh cluster with a notice,
//! never a blank page.

use playground::Session;
use serde::{Deserialize, Serialize};

use crate::state::TermLine;

/// Where the session lives.
const SESSION_KEY: &str = "kubeground.session";
/// Set while a saved session is being replayed: still there on the next load means the replay stopped
/// the page (an engine panic aborts the wasm instance), so that session is not replayed again.
const REPLAYING_KEY: &str = "kubeground.replaying";
const LANG_KEY: &str = "kubeground.lang";
const CLASSROOM_KEY: &str = "kubeground.classroom";

/// Format of what is saved; another number is refused (and the learner told) rather than misread.
pub const VERSION: u32 = 1;
/// Terminal lines kept in storage (the newest).
const MAX_LINES: usize = 2000;

/// Everything saved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Saved {
    pub version: u32,
    pub session: Session,
    #[serde(default)]
    pub lines: Vec<TermLine>,
    #[serde(default)]
    pub history: Vec<String>,
    /// Event-log position before the last command (the Events tab's story starts there).
    #[serde(default)]
    pub story_from: u64,
    /// The lesson being played (`session` is then the lesson's) and the sandbox waiting behind it.
    #[serde(default)]
    pub lesson: Option<SavedLesson>,
    /// Ids of the lessons finished at least once.
    #[serde(default)]
    pub finished_lessons: Vec<String>,
}

/// A lesson in progress.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedLesson {
    pub id: String,
    pub sandbox: Session,
}

/// Reads a saved text; `Err` says why it cannot be used.
pub fn decode(text: &str) -> Result<Saved, String> {
    #[derive(Deserialize)]
    struct Versioned {
        version: u32,
    }
    let v: Versioned = serde_json::from_str(text).map_err(|e| format!("unreadable: {e}"))?;
    if v.version != VERSION {
        return Err(format!("saved by another version of the page (format {})", v.version));
    }
    serde_json::from_str(text).map_err(|e| format!("unreadable: {e}"))
}

/// The text saved for `saved`, keeping the newest [`MAX_LINES`] terminal lines.
pub fn encode(saved: &Saved) -> String {
    let skip = saved.lines.len().saturating_sub(MAX_LINES);
    let trimmed = Saved { lines: saved.lines[skip..].to_vec(), ..saved.clone() };
    serde_json::to_string(&trimmed).unwrap_or_default()
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// What the last load left: nothing, a session to replay, or a reason it cannot be used.
pub enum Loaded {
    Nothing,
    Session(Box<Saved>),
    Unusable(Unusable),
}

pub enum Unusable {
    /// Corrupt or from another version, with the reason.
    Unreadable(String),
    /// Its replay stopped the page last time.
    Crashed,
}

/// Reads the saved session. An unusable one is removed, so the next load starts clean.
pub fn load() -> Loaded {
    let Some(store) = storage() else { return Loaded::Nothing };
    let Ok(Some(text)) = store.get_item(SESSION_KEY) else { return Loaded::Nothing };
    if matches!(store.get_item(REPLAYING_KEY), Ok(Some(_))) {
        let _ = store.remove_item(SESSION_KEY);
        let _ = store.remove_item(REPLAYING_KEY);
        return Loaded::Unusable(Unusable::Crashed);
    }
    match decode(&text) {
        Ok(saved) => Loaded::Session(Box::new(saved)),
        Err(why) => {
            let _ = store.remove_item(SESSION_KEY);
            Loaded::Unusable(Unusable::Unreadable(why))
        }
    }
}

/// The saved session as stored (for a crash report).
pub fn saved_text() -> Option<String> {
    storage()?.get_item(SESSION_KEY).ok().flatten()
}

/// Forgets the saved session (the crash panel's Reset cluster): the next load starts a fresh cluster.
pub fn forget_session() {
    if let Some(store) = storage() {
        let _ = store.remove_item(SESSION_KEY);
        let _ = store.remove_item(REPLAYING_KEY);
    }
}

/// Marks the start (`true`) or the successful end (`false`) of a replay.
pub fn replaying(on: bool) {
    if let Some(store) = storage() {
        let _ = if on { store.set_item(REPLAYING_KEY, "1") } else { store.remove_item(REPLAYING_KEY) };
    }
}

/// Saves; when storage is full, tries again with fewer terminal lines, then without them.
pub fn save(saved: &Saved) {
    let Some(store) = storage() else { return };
    if store.set_item(SESSION_KEY, &encode(saved)).is_ok() {
        return;
    }
    let fewer = Saved { lines: saved.lines.iter().rev().take(200).rev().cloned().collect(), ..saved.clone() };
    if store.set_item(SESSION_KEY, &encode(&fewer)).is_ok() {
        return;
    }
    let _ = store.set_item(SESSION_KEY, &encode(&Saved { lines: Vec::new(), ..saved.clone() }));
}

/// The fragment a share link carries the session in: `#s=<playground::share text>`.
pub const SHARE_PREFIX: &str = "#s=";

/// The session of a share link the page was opened with, if any; the fragment is removed from the address
/// (without a reload), so a later reload restores the saved session, which by then is this one.
pub fn take_shared() -> Option<Result<Session, String>> {
    let window = web_sys::window()?;
    let hash = window.location().hash().ok()?;
    let text = hash.strip_prefix(SHARE_PREFIX)?;
    let shared = playground::share::decode(text);
    if let (Ok(history), Ok(href)) = (window.history(), window.location().href()) {
        let without = href.split('#').next().unwrap_or_default().to_string();
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&without));
    }
    Some(shared)
}

/// A link to `session`: this page's address with the session in its fragment.
pub fn share_url(session: &Session) -> String {
    let href = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
    let base = href.split('#').next().unwrap_or_default();
    format!("{base}{SHARE_PREFIX}{}", playground::share::encode(session))
}

/// The saved language, if the learner chose one.
pub fn load_lang() -> Option<String> {
    storage()?.get_item(LANG_KEY).ok().flatten()
}

pub fn save_lang(tag: &str) {
    if let Some(store) = storage() {
        let _ = store.set_item(LANG_KEY, tag);
    }
}

/// Whether classroom mode (large type, high contrast) was on.
pub fn load_classroom() -> bool {
    storage().and_then(|s| s.get_item(CLASSROOM_KEY).ok().flatten()).is_some_and(|v| v == "1")
}

pub fn save_classroom(on: bool) {
    if let Some(store) = storage() {
        let _ = if on { store.set_item(CLASSROOM_KEY, "1") } else { store.remove_item(CLASSROOM_KEY) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::LineKind;

    fn saved() -> Saved {
        let mut pg = playground::Playground::new(0).with_editor();
        pg.exec("kubectl create deployment web --image=nginx").unwrap();
        pg.step(1500);
        Saved {
            version: VERSION,
            session: pg.session().clone(),
            lines: vec![TermLine {
                kind: LineKind::Command,
                text: "$ kubectl create deployment web --image=nginx".into(),
            }],
            history: vec!["kubectl create deployment web --image=nginx".into()],
            story_from: 12,
            lesson: None,
            finished_lessons: vec!["cluster".into()],
        }
    }

    #[test]
    fn a_saved_session_reads_back() {
        let s = saved();
        assert_eq!(decode(&encode(&s)).unwrap(), s);
    }

    #[test]
    fn corrupt_or_foreign_data_is_refused_with_a_reason() {
        assert!(decode("{not json").unwrap_err().starts_with("unreadable"));
        assert!(decode("[]").is_err());
        let other = encode(&saved()).replacen("\"version\":1", "\"version\":7", 1);
        assert_eq!(decode(&other).unwrap_err(), "saved by another version of the page (format 7)");
        let bad_entry = encode(&saved()).replacen("\"type\":\"exec\"", "\"type\":\"teleport\"", 1);
        assert!(decode(&bad_entry).unwrap_err().starts_with("unreadable"));
    }

    #[test]
    fn only_the_newest_lines_are_kept() {
        let mut s = saved();
        s.lines = (0..MAX_LINES + 5).map(|i| TermLine { kind: LineKind::Stdout, text: i.to_string() }).collect();
        let back = decode(&encode(&s)).unwrap();
        assert_eq!(back.lines.len(), MAX_LINES);
        assert_eq!(back.lines[0].text, "5");
    }
}
