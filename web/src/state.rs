//! The app's one reducer: it owns the playground and is the only thing that changes it. After every change
//! it saves the session (`persist`); simulated time alone is saved once a second.

use std::cell::RefCell;
use std::rc::Rc;

use playground::lesson::{LessonRun, LessonState};
use playground::{Playground, SessionEntry};
use serde::{Deserialize, Serialize};
use yew::Reducible;

use crate::i18n::{Key, Lang};
use crate::lesson::lesson_by_id;
use crate::persist::{self, Loaded, Saved, Unusable};

/// Kinds of terminal line, styled differently (errors only get colour, as in a real terminal).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LineKind {
    Command,
    Stdout,
    Stderr,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermLine {
    pub kind: LineKind,
    pub text: String,
}

/// Simulated-time speeds offered by the Speed control.
pub const SPEEDS: &[f64] = &[0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0];

pub struct Inner {
    /// The live playground: the sandbox's, or the lesson's while one is played (see [`with_lesson`]).
    pub playground: Playground,
    /// The lesson being played, holding the sandbox's playground while it waits.
    pub lesson: Option<LessonRun>,
    /// The lesson as the panel draws it, in English and Japanese, refreshed after every change.
    pub lesson_view: Option<[LessonState; 2]>,
    /// Ids of the lessons finished at least once (the lesson map marks them).
    pub finished_lessons: Vec<String>,
    /// What the manifest editor's last Apply printed: (succeeded, stdout or stderr).
    pub manifest_result: Option<(bool, String)>,
    pub lines: Vec<TermLine>,
    pub history: Vec<String>,
    pub running: bool,
    pub speed: f64,
    /// Event-log position before the last command: the Events tab tells what happened since.
    pub story_from: u64,
    /// Clock ticks since the session was last saved.
    ticks_unsaved: u32,
    /// While the page shows an earlier moment (the timeline was rewound), the live playground waits here
    /// and `playground` is the session replayed up to that moment.
    pub live: Option<Playground>,
    /// The page's language, for the notices the state itself prints.
    pub lang: Lang,
    /// A command still printing (`kubectl get -w`, `kubectl logs -f`): polled as time passes, until Ctrl-C.
    pub following: Option<playground::stream::Stream>,
}

/// Ticks between saves while only simulated time moves (ten ticks: one real second).
const TICKS_PER_SAVE: u32 = 10;

impl Inner {
    fn fresh(lines: Vec<TermLine>, history: Vec<String>) -> Inner {
        let playground = Playground::new(0).with_editor();
        let story_from = log_len(&playground);
        Inner {
            playground,
            lesson: None,
            lesson_view: None,
            finished_lessons: Vec::new(),
            manifest_result: None,
            lines,
            history,
            running: true,
            speed: 1.0,
            story_from,
            ticks_unsaved: 0,
            live: None,
            lang: Lang::En,
            following: None,
        }
    }

    /// A shared session from the page's link replaces the saved one (the link wins); else the saved
    /// session is restored (see [`Inner::restore_saved`]). A damaged link leaves a notice.
    pub fn restore(lang: Lang) -> Inner {
        match persist::take_shared() {
            Some(Ok(session)) => {
                persist::replaying(true);
                let playground = Playground::replay(&session);
                persist::replaying(false);
                let history = commands_of(&session);
                let notice = lang.fmt(Key::SharedOpened, &[&history.len().to_string()]);
                let story_from = log_len(&playground);
                // Lessons finished before stay finished.
                let finished_lessons = match persist::load() {
                    Loaded::Session(saved) => saved.finished_lessons,
                    _ => Vec::new(),
                };
                let mut inner = Inner {
                    playground,
                    lesson: None,
                    lesson_view: None,
                    finished_lessons,
                    manifest_result: None,
                    lines: vec![TermLine { kind: LineKind::Stdout, text: notice }],
                    history,
                    running: true,
                    speed: 1.0,
                    story_from,
                    ticks_unsaved: 0,
                    live: None,
                    lang: Lang::En,
                    following: None,
                };
                inner.save();
                inner
            }
            Some(Err(why)) => {
                let mut inner = Inner::restore_saved(lang);
                inner.lines.push(TermLine { kind: LineKind::Stderr, text: lang.fmt(Key::SharedBroken, &[&why]) });
                inner
            }
            None => Inner::restore_saved(lang),
        }
    }

    /// The saved session replayed, or a fresh cluster with a notice in the terminal when it cannot be.
    fn restore_saved(lang: Lang) -> Inner {
        let notice = |text: String| vec![TermLine { kind: LineKind::Stderr, text }];
        match persist::load() {
            Loaded::Nothing => Inner::fresh(Vec::new(), Vec::new()),
            Loaded::Unusable(Unusable::Unreadable(why)) => {
                Inner::fresh(notice(lang.fmt(Key::RestoreFailed, &[&why])), Vec::new())
            }
            Loaded::Unusable(Unusable::Crashed) => {
                Inner::fresh(notice(lang.t(Key::RestoreCrashed).to_string()), Vec::new())
            }
            Loaded::Session(saved) => {
                persist::replaying(true);
                let lesson = saved.lesson.as_ref().and_then(|l| Some((lesson_by_id(&l.id)?, &l.sandbox)));
                let (playground, lesson) = match lesson {
                    // The lesson's session replays through its run (checks re-evaluated), the sandbox behind it.
                    Some((lesson, sandbox)) => {
                        let run = LessonRun::resume(lesson, &saved.session);
                        (Playground::replay(sandbox), Some(run))
                    }
                    None => (Playground::replay(&saved.session), None),
                };
                persist::replaying(false);
                let mut inner = Inner {
                    playground,
                    lesson,
                    lesson_view: None,
                    finished_lessons: saved.finished_lessons,
                    manifest_result: None,
                    lines: saved.lines,
                    history: saved.history,
                    running: true,
                    speed: 1.0,
                    story_from: 0,
                    ticks_unsaved: 0,
                    live: None,
                    lang: Lang::En,
                    following: None,
                };
                // The run holds the lesson's playground; the live one goes where the page reads it.
                if let Some(run) = inner.lesson.as_mut() {
                    std::mem::swap(&mut inner.playground, run.playground_mut());
                }
                inner.story_from = saved.story_from.min(log_len(&inner.playground));
                inner.refresh_lesson();
                inner
            }
        }
    }

    fn save(&mut self) {
        self.ticks_unsaved = 0;
        let lesson = self.lesson.as_ref().map(|run| persist::SavedLesson {
            id: run.lesson().id.clone(),
            // While a lesson is played, the run holds the sandbox's playground.
            sandbox: run.playground().session().clone(),
        });
        persist::save(&Saved {
            version: persist::VERSION,
            // A rewound view is not saved over the live session.
            session: self.live.as_ref().unwrap_or(&self.playground).session().clone(),
            lines: self.lines.clone(),
            history: self.history.clone(),
            story_from: self.story_from,
            lesson,
            finished_lessons: self.finished_lessons.clone(),
        });
    }

    /// The simulated time of the live cluster (the timeline's end).
    pub fn live_now(&self) -> u64 {
        self.live.as_ref().unwrap_or(&self.playground).now()
    }

    /// Shows the cluster as it was at `at` (at most now); at now, the live cluster again. Not in lessons.
    fn rewind(&mut self, at: u64) {
        if self.lesson.is_some() {
            return;
        }
        if at >= self.live_now() {
            self.back_to_now();
            return;
        }
        let session = self.live.as_ref().unwrap_or(&self.playground).session().clone();
        let then = Playground::replay_until(&session, at);
        let live = std::mem::replace(&mut self.playground, then);
        if self.live.is_none() {
            self.live = Some(live);
        }
        self.running = false;
        self.story_from = self.story_from.min(log_len(&self.playground));
    }

    fn back_to_now(&mut self) {
        if let Some(live) = self.live.take() {
            self.playground = live;
        }
    }

    /// Drops the live cluster: the rewound one, with the session up to its moment, goes on from here.
    fn continue_from_here(&mut self, notice: String) {
        let Some(live) = self.live.take() else { return };
        let dropped = live.session().entries.len().saturating_sub(self.playground.session().entries.len());
        let at = crate::time::clock_text(self.playground.now());
        self.lines.push(TermLine {
            kind: LineKind::Stderr,
            text: notice.replace("{0}", &at).replace("{1}", &dropped.to_string()),
        });
        self.save();
    }

    /// Runs `f` on the lesson run with its own playground in place, then puts the live playground back where
    /// the page reads it. `None` in the sandbox.
    fn with_lesson<R>(&mut self, f: impl FnOnce(&mut LessonRun) -> R) -> Option<R> {
        let mut run = self.lesson.take()?;
        std::mem::swap(&mut self.playground, run.playground_mut());
        let r = f(&mut run);
        std::mem::swap(&mut self.playground, run.playground_mut());
        self.lesson = Some(run);
        Some(r)
    }

    /// Recomputes the panel's view of the lesson and records a lesson finished for the first time.
    fn refresh_lesson(&mut self) {
        let states = self.with_lesson(|run| [run.state(lessons::Lang::En), run.state(lessons::Lang::Ja)]);
        if let Some([en, _]) = &states {
            if en.finished && !self.finished_lessons.contains(&en.id) {
                self.finished_lessons.push(en.id.clone());
            }
        }
        self.lesson_view = states;
    }

    /// Starts lesson `id` on its own cluster; the sandbox waits behind it. Another lesson in progress is left.
    fn start_lesson(&mut self, id: &str) {
        let Some(lesson) = lesson_by_id(id) else { return };
        self.leave_lesson();
        let mut run = LessonRun::start_with_editor(lesson, 0);
        std::mem::swap(&mut self.playground, run.playground_mut());
        let transcript: Vec<playground::CommandResult> = run.start_transcript().to_vec();
        self.lesson = Some(run);
        self.lines.clear();
        for r in transcript {
            self.lines.push(TermLine { kind: LineKind::Command, text: format!("$ {}", r.command) });
            push_text(&mut self.lines, LineKind::Stdout, &r.output.stdout);
            push_text(&mut self.lines, LineKind::Stderr, &r.output.stderr);
        }
        self.story_from = log_len(&self.playground);
        self.refresh_lesson();
    }

    /// Back to the sandbox as it was left.
    fn leave_lesson(&mut self) {
        if let Some(mut run) = self.lesson.take() {
            std::mem::swap(&mut self.playground, run.playground_mut());
            self.story_from = log_len(&self.playground);
        }
        self.lesson_view = None;
    }
}

fn log_len(pg: &Playground) -> u64 {
    pg.cluster().log().entries().len() as u64
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

impl AppState {
    /// The state the page starts with: the saved session replayed (see [`Inner::restore`]).
    pub fn restore(lang: Lang) -> AppState {
        let mut inner = Inner::restore(lang);
        inner.lang = lang;
        AppState { inner: Rc::new(RefCell::new(inner)), version: 0 }
    }
}

pub enum Action {
    /// Run what was typed (one line or a multi-line paste).
    Exec(String),
    /// Run a command for a button (the inspector's actions): like another terminal window, it leaves a
    /// following command (`kubectl get -w`) running.
    Act(String),
    /// Real time passed in the page: advance simulated time by `real_ms × speed` if running.
    Tick {
        real_ms: u64,
    },
    Pause,
    Play,
    /// Advance simulated time by one second (used while paused).
    Step,
    /// Advance simulated time until the event log stays quiet (see `playground::views::is_idle`).
    RunUntilIdle,
    /// Show the cluster as it was at this simulated time (replayed from the session; the live one waits).
    Rewind(u64),
    /// Back from a rewound moment to the live cluster.
    BackToNow,
    /// Keep the rewound moment as the live cluster: the session's later entries are dropped.
    ContinueFromHere,
    /// The page's language changed.
    SetLang(Lang),
    /// A session file was opened (the learner confirmed): its cluster replaces the current one.
    ImportSession(playground::Session),
    /// Ctrl-C while a command follows: it stops (`^C`).
    Interrupt,
    SetSpeed(f64),
    Clear,
    /// Something the page itself printed: the line as typed (`$ …`, e.g. `kubectl get po^C` or `help`)
    /// and the lines after it, without running anything; `remember` puts the line in the history.
    Echo {
        line: Option<String>,
        output: Vec<String>,
        remember: bool,
    },
    /// The editor of a `kubectl edit` was saved with this text (Cancel saves the buffer as it was opened).
    SaveEdit(String),
    /// A fresh cluster (the learner confirmed); the notice goes to the terminal.
    Reset {
        notice: String,
    },
    /// Play this lesson from its start.
    StartLesson(String),
    /// The current lesson from its start again.
    ResetLesson,
    /// Back to the sandbox.
    LeaveLesson,
    /// The manifest editor's Apply: `kubectl apply -f -` with this text.
    ApplyManifest(String),
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        if matches!(action, Action::Tick { .. }) && !self.inner.borrow().running {
            return self;
        }
        {
            let mut inner = self.inner.borrow_mut();
            // Time does not run in a rewound view; Play goes back to now first; a command or an edit continues
            // from the moment shown (a branch of the session, said in the terminal).
            if inner.live.is_some() {
                match &action {
                    Action::Play => inner.back_to_now(),
                    Action::Exec(_) | Action::Act(_) | Action::SaveEdit(_) | Action::ApplyManifest(_) => {
                        let notice = inner.lang.t(Key::ContinuedFrom).to_string();
                        inner.continue_from_here(notice);
                    }
                    _ => {}
                }
            }
        }
        {
            let mut inner = self.inner.borrow_mut();
            let tick = matches!(action, Action::Tick { .. });
            // A command following one cluster stops when another cluster takes its place.
            if matches!(
                action,
                Action::Rewind(_)
                    | Action::BackToNow
                    | Action::ImportSession(_)
                    | Action::StartLesson(_)
                    | Action::ResetLesson
                    | Action::LeaveLesson
            ) {
                interrupt(&mut inner);
            }
            match action {
                Action::Exec(input) => exec(&mut inner, &input),
                Action::Act(input) => {
                    let following = inner.following.take();
                    exec(&mut inner, &input);
                    if inner.following.is_none() {
                        inner.following = following;
                    }
                }
                Action::Tick { real_ms } => {
                    let ms = (real_ms as f64 * inner.speed).round() as u64;
                    step(&mut inner, ms);
                }
                Action::Pause => inner.running = false,
                Action::Play => inner.running = true,
                // In a rewound view Step moves the view one second later.
                Action::Step if inner.live.is_some() => {
                    let at = inner.playground.now() + 1000;
                    inner.rewind(at);
                }
                Action::Step => step(&mut inner, 1000),
                Action::Rewind(at) => inner.rewind(at),
                Action::BackToNow => inner.back_to_now(),
                Action::ContinueFromHere => {
                    let notice = inner.lang.t(Key::ContinuedFrom).to_string();
                    inner.continue_from_here(notice);
                }
                Action::SetLang(lang) => inner.lang = lang,
                Action::Interrupt => interrupt(&mut inner),
                Action::ImportSession(session) => {
                    inner.leave_lesson();
                    inner.live = None;
                    persist::replaying(true);
                    inner.playground = Playground::replay(&session);
                    persist::replaying(false);
                    let commands = commands_of(&session);
                    let notice = inner.lang.fmt(Key::SessionImported, &[&commands.len().to_string()]);
                    inner.history.extend(commands);
                    inner.lines.push(TermLine { kind: LineKind::Stdout, text: notice });
                    inner.story_from = log_len(&inner.playground);
                }
                Action::RunUntilIdle if inner.live.is_some() => {}
                Action::RunUntilIdle => {
                    let start = inner.playground.now();
                    while !playground::views::is_idle(inner.playground.cluster(), start) {
                        step(&mut inner, 1000);
                    }
                }
                Action::SetSpeed(s) => inner.speed = s,
                Action::Clear => inner.lines.clear(),
                Action::Echo { line, output, remember } => {
                    if let Some(line) = line {
                        if remember && !line.trim().is_empty() {
                            inner.history.push(line.trim().to_string());
                        }
                        inner.lines.push(TermLine { kind: LineKind::Command, text: format!("$ {line}") });
                    }
                    for text in output {
                        inner.lines.push(TermLine { kind: LineKind::Stdout, text });
                    }
                }
                Action::SaveEdit(text) => {
                    crate::crash::pending(Some("(saving the kubectl edit editor)"));
                    inner.story_from = log_len(&inner.playground);
                    let out = match inner.with_lesson(|run| run.save_edit(&text)) {
                        Some(out) => out,
                        None => inner.playground.save_edit(&text),
                    };
                    inner.refresh_lesson();
                    push_text(&mut inner.lines, LineKind::Stdout, &out.stdout);
                    push_text(&mut inner.lines, LineKind::Stderr, &out.stderr);
                }
                Action::Reset { notice } => {
                    let history = std::mem::take(&mut inner.history);
                    let finished = std::mem::take(&mut inner.finished_lessons);
                    let lang = inner.lang;
                    *inner = Inner::fresh(vec![TermLine { kind: LineKind::Stderr, text: notice }], history);
                    inner.lang = lang;
                    inner.finished_lessons = finished;
                }
                Action::StartLesson(id) => inner.start_lesson(&id),
                Action::ResetLesson => {
                    if let Some(id) = inner.lesson.as_ref().map(|r| r.lesson().id.clone()) {
                        inner.start_lesson(&id);
                    }
                }
                Action::LeaveLesson => inner.leave_lesson(),
                Action::ApplyManifest(text) => {
                    let before = inner.lines.len();
                    exec(&mut inner, &playground::manifest::apply_command(&text));
                    let printed: Vec<&TermLine> = inner.lines[before..].iter().collect();
                    let failed = printed.iter().any(|l| l.kind == LineKind::Stderr);
                    let pick = |kind: LineKind| {
                        printed
                            .iter()
                            .filter(|l| l.kind == kind)
                            .map(|l| l.text.as_str())
                            .collect::<Vec<_>>()
                            .join("\n")
                    };
                    let message = if failed { pick(LineKind::Stderr) } else { pick(LineKind::Stdout) };
                    inner.manifest_result = Some((!failed, message));
                }
            }
            crate::crash::pending(None);
            poll_following(&mut inner);
            if tick {
                inner.ticks_unsaved += 1;
            }
            if !tick || inner.ticks_unsaved >= TICKS_PER_SAVE {
                inner.save();
            }
        }
        Rc::new(AppState { inner: self.inner.clone(), version: self.version + 1 })
    }
}

/// The command lines of a session, in order (the terminal's history after opening it).
fn commands_of(session: &playground::Session) -> Vec<String> {
    session
        .entries
        .iter()
        .filter_map(|e| match e {
            SessionEntry::Exec { line, .. } => Some(line.clone()),
            _ => None,
        })
        .collect()
}

/// Stops a following command as Ctrl-C does in a terminal.
fn interrupt(inner: &mut Inner) {
    if inner.following.take().is_some() {
        inner.lines.push(TermLine { kind: LineKind::Command, text: "^C".to_string() });
    }
}

/// What a following command prints as time passes.
fn poll_following(inner: &mut Inner) {
    let Some(mut stream) = inner.following.take() else { return };
    let text = stream.poll(inner.playground.cluster());
    push_text(&mut inner.lines, LineKind::Stdout, &text);
    inner.following = Some(stream);
}

fn exec(inner: &mut Inner, input: &str) {
    // A new line ends a command that was still printing, as Ctrl-C would have.
    interrupt(inner);
    let trimmed = input.trim();
    if trimmed == "kubeground crash-test" && crate::crash::test_hook_enabled() {
        crate::crash::pending(Some(trimmed));
        panic!("kubeground crash-test: a deliberate panic (the page was opened with ?crash-test)");
    }
    crate::crash::pending(Some(trimmed));
    if !trimmed.is_empty() {
        inner.history.push(trimmed.to_string());
    }
    if trimmed == "clear" {
        inner.lines.clear();
        return;
    }
    if !trimmed.is_empty() {
        inner.story_from = log_len(&inner.playground);
    }
    let ran = match inner.with_lesson(|run| run.exec(input)) {
        Some(ran) => ran,
        None => inner.playground.exec(input),
    };
    inner.refresh_lesson();
    match ran {
        // Each command is echoed before its own output, as a shell runs pasted lines one by one (a heredoc's
        // body is not echoed, as in `kubeground run` transcripts).
        Ok(results) if !results.is_empty() => {
            let last_ok = results.last().is_some_and(|r| r.output.exit_code == 0);
            for r in results {
                inner.lines.push(TermLine { kind: LineKind::Command, text: format!("$ {}", r.command) });
                push_text(&mut inner.lines, LineKind::Stdout, &r.output.stdout);
                push_text(&mut inner.lines, LineKind::Stderr, &r.output.stderr);
            }
            // The last command of the input may go on printing (`kubectl get -w`, `kubectl logs -f`).
            if let Ok(cmds) = playground::script::parse(input) {
                if let Some(cmd) = cmds.last() {
                    inner.following = playground::stream::begin(inner.playground.cluster(), cmd, last_ok);
                }
            }
        }
        Ok(_) => inner.lines.push(TermLine { kind: LineKind::Command, text: format!("$ {input}") }),
        Err(e) => {
            inner.lines.push(TermLine { kind: LineKind::Command, text: format!("$ {input}") });
            push_text(&mut inner.lines, LineKind::Stderr, &format!("kubeground: {e}\n"));
        }
    }
}

/// Simulated time passes (through the lesson run while one is played, so its checks follow).
fn step(inner: &mut Inner, ms: u64) {
    if inner.with_lesson(|run| run.step(ms)).is_none() {
        inner.playground.step(ms);
    } else {
        inner.refresh_lesson();
    }
}

fn push_text(lines: &mut Vec<TermLine>, kind: LineKind, text: &str) {
    for line in text.lines() {
        lines.push(TermLine { kind, text: line.to_string() });
    }
}
