//! The app's one reducer: it owns the playground and is the only thing that changes it.

use std::cell::RefCell;
use std::rc::Rc;

use playground::Playground;
use yew::Reducible;

/// Kinds of terminal line, styled differently (errors only get colour, as in a real terminal).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    Command,
    Stdout,
    Stderr,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TermLine {
    pub kind: LineKind,
    pub text: String,
}

/// Simulated-time speeds offered by the Speed control.
pub const SPEEDS: &[f64] = &[0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0];

pub struct Inner {
    pub playground: Playground,
    pub lines: Vec<TermLine>,
    pub history: Vec<String>,
    pub running: bool,
    pub speed: f64,
}

/// App state: a shared handle on [`Inner`] plus a version that changes whenever it does, so Yew re-renders.
#[derive(Clone)]
pub struct AppState {
    pub inner: Rc<RefCell<Inner>>,
    pub version: u64,
}

impl PartialEq for AppState {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner) && self.version == other.version
    }
}

impl Default for AppState {
    fn default() -> Self {
        AppState {
            inner: Rc::new(RefCell::new(Inner {
                playground: Playground::new(0).with_editor(),
                lines: Vec::new(),
                history: Vec::new(),
                running: true,
                speed: 1.0,
            })),
            version: 0,
        }
    }
}

pub enum Action {
    /// Run what was typed (one line or a multi-line paste).
    Exec(String),
    /// Real time passed in the page: advance simulated time by `real_ms × speed` if running.
    Tick {
        real_ms: u64,
    },
    Pause,
    Play,
    /// Advance simulated time by one second (used while paused).
    Step,
    SetSpeed(f64),
    Clear,
    /// The editor of a `kubectl edit` was saved with this text (Cancel saves the buffer as it was opened).
    SaveEdit(String),
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        if matches!(action, Action::Tick { .. }) && !self.inner.borrow().running {
            return self;
        }
        {
            let mut inner = self.inner.borrow_mut();
            match action {
                Action::Exec(input) => exec(&mut inner, &input),
                Action::Tick { real_ms } => {
                    let ms = (real_ms as f64 * inner.speed).round() as u64;
                    inner.playground.step(ms);
                }
                Action::Pause => inner.running = false,
                Action::Play => inner.running = true,
                Action::Step => inner.playground.step(1000),
                Action::SetSpeed(s) => inner.speed = s,
                Action::Clear => inner.lines.clear(),
                Action::SaveEdit(text) => {
                    let out = inner.playground.save_edit(&text);
                    push_text(&mut inner.lines, LineKind::Stdout, &out.stdout);
                    push_text(&mut inner.lines, LineKind::Stderr, &out.stderr);
                }
            }
        }
        Rc::new(AppState { inner: self.inner.clone(), version: self.version + 1 })
    }
}

fn exec(inner: &mut Inner, input: &str) {
    let trimmed = input.trim();
    if !trimmed.is_empty() {
        inner.history.push(trimmed.to_string());
    }
    if trimmed == "clear" {
        inner.lines.clear();
        return;
    }
    inner.lines.push(TermLine { kind: LineKind::Command, text: format!("$ {input}") });
    match inner.playground.exec(input) {
        Ok(results) => {
            for r in results {
                push_text(&mut inner.lines, LineKind::Stdout, &r.output.stdout);
                push_text(&mut inner.lines, LineKind::Stderr, &r.output.stderr);
            }
        }
        Err(e) => push_text(&mut inner.lines, LineKind::Stderr, &format!("kubeground: {e}\n")),
    }
}

fn push_text(lines: &mut Vec<TermLine>, kind: LineKind, text: &str) {
    for line in text.lines() {
        lines.push(TermLine { kind, text: line.to_string() });
    }
}
