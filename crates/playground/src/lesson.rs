//! Lesson runs: a [`Playground`] playing one lesson of the `lessons` crate.
//!
//! [`LessonRun::start`] makes a fresh playground, runs the lesson's `start` script (as session entries, so
//! [`Playground::replay`] rebuilds it), and re-evaluates the current step's checks after every command, time
//! step and editor save. A step is done when all its checks hold; a done step stays done; the current step is
//! the first one not done. [`LessonRun::state`] is the plain data a UI draws. [`verify`] replays a lesson's
//! reference solutions headless.
//!
//! In a challenge lesson (`challenge: true`) every step has a par, the number of commands of its reference
//! solution ([`par`]), and the run counts the learner's commands per step: those run while the step was the
//! current one (refused commands and time steps do not count). A step's [`Score`] says whether they beat it.

use std::collections::BTreeSet;

use engine::clock::Millis;
use lessons::{CheckContext, Lang, Lesson, RanCommand};

use crate::{script, CommandResult, Output, ParseError, Playground, Session, SessionEntry};

/// The par of a step: how many commands its reference solution has (a heredoc `kubectl apply -f - <<EOF` is
/// one command; blank lines and comments are none). 0 for a solution that does not parse (`verify` reports it).
///
/// `"kubectl get pods\n# why?\nkubectl describe pod web\n"` has a par of 2.
pub fn par(step: &lessons::Step) -> usize {
    script::parse(&step.solution).map(|c| c.len()).unwrap_or(0)
}

/// How a learner's command count compares with a par.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParVerdict {
    /// Fewer commands than the par: beaten.
    Under,
    At,
    Over,
}

/// The learner's commands against the par, for one step or a whole challenge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Score {
    pub commands: usize,
    pub par: usize,
}

impl Score {
    /// `Under` when `commands < par`: 3 commands against a par of 4 beat it, 4 match it, 5 are 1 over.
    pub fn verdict(self) -> ParVerdict {
        match self.commands.cmp(&self.par) {
            std::cmp::Ordering::Less => ParVerdict::Under,
            std::cmp::Ordering::Equal => ParVerdict::At,
            std::cmp::Ordering::Greater => ParVerdict::Over,
        }
    }

    /// Whether the learner used fewer commands than the par.
    pub fn beaten(self) -> bool {
        self.verdict() == ParVerdict::Under
    }

    /// A short line for terminals: `3 commands, par 4: beaten by 1`.
    pub fn describe(self, lang: Lang) -> String {
        let (c, p) = (self.commands, self.par);
        match (self.verdict(), lang) {
            (ParVerdict::Under, Lang::En) => format!("{c} commands, par {p}: beaten by {}", p - c),
            (ParVerdict::At, Lang::En) => format!("{c} commands, par {p}: matched"),
            (ParVerdict::Over, Lang::En) => format!("{c} commands, par {p}: {} over", c - p),
            (ParVerdict::Under, Lang::Ja) => format!("コマンド {c} 回（パー {p}）：{} 回少なくクリア", p - c),
            (ParVerdict::At, Lang::Ja) => format!("コマンド {c} 回（パー {p}）：パーどおり"),
            (ParVerdict::Over, Lang::Ja) => format!("コマンド {c} 回（パー {p}）：{} 回オーバー", c - p),
        }
    }
}

/// Where a step stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepStatus {
    Pending,
    Done,
}

impl StepStatus {
    /// `pending` / `done` (the page's `data-state`).
    pub fn as_str(self) -> &'static str {
        match self {
            StepStatus::Pending => "pending",
            StepStatus::Done => "done",
        }
    }
}

/// One check of a step, as the check list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckState {
    pub label: String,
    pub pass: bool,
    /// Why it does not hold yet (empty when it does).
    pub detail: String,
}

/// One step, with its prose in the chosen language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepState {
    pub id: String,
    pub title: String,
    pub text: String,
    pub hints: Vec<String>,
    /// The view to show (`topology`, `network`, `dns`, `storage`, `events`).
    pub view: &'static str,
    pub status: StepStatus,
    /// The step's checks; evaluated for the current step, and `pass: true` for a done one.
    pub checks: Vec<CheckState>,
    /// The reference solution, for "show solution".
    pub solution: String,
    /// The learner's commands counted for this step: final once it is done, live while it is the current one,
    /// 0 before.
    pub commands: usize,
    /// In a challenge lesson, the step's [`par`].
    pub par: Option<usize>,
}

impl StepState {
    /// The commands so far against the par, in a challenge lesson.
    pub fn score(&self) -> Option<Score> {
        self.par.map(|par| Score { commands: self.commands, par })
    }
}

/// A lesson run as plain data for UIs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LessonState {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub steps: Vec<StepState>,
    /// The index of the first step not done; `None` when every step is done (or there are none).
    pub current: Option<usize>,
    pub finished: bool,
    /// In a challenge lesson, every step's commands so far against the sum of the pars.
    pub score: Option<Score>,
}

/// A playground playing a lesson.
pub struct LessonRun {
    lesson: Lesson,
    seed: u64,
    editor: bool,
    pg: Playground,
    done: Vec<bool>,
    /// How many of the learner's commands each done step took (see [`StepState::commands`]).
    used: Vec<usize>,
    /// The commands the learner ran (start commands excluded), with their exit codes.
    commands: Vec<RanCommand>,
    /// Where the current step began: an index into `commands` and a trace sequence number.
    step_began: (usize, u64),
    /// The uids of the pods there were when the current step began (for checks of new pods).
    pods_before: BTreeSet<String>,
    /// How many session entries the start script made.
    start_entries: usize,
    /// What the start script printed.
    start_transcript: Vec<CommandResult>,
}

impl LessonRun {
    /// Starts `lesson` on a fresh default cluster made from `seed`.
    pub fn start(lesson: Lesson, seed: u64) -> LessonRun {
        LessonRun::begin(lesson, seed, false)
    }

    /// [`LessonRun::start`] for a UI with an editor for `kubectl edit` (the page).
    pub fn start_with_editor(lesson: Lesson, seed: u64) -> LessonRun {
        LessonRun::begin(lesson, seed, true)
    }

    fn begin(lesson: Lesson, seed: u64, editor: bool) -> LessonRun {
        let mut pg = Playground::new(seed);
        if editor {
            pg = pg.with_editor();
        }
        // The lessons crate's schema does not parse scripts; a start script that does not parse runs nothing
        // and `verify` reports it.
        let start_transcript = match script::parse(&lesson.start) {
            Ok(cmds) => cmds.iter().map(|c| pg.run_command(c)).collect(),
            Err(_) => Vec::new(),
        };
        let start_entries = pg.session().entries.len();
        let traces = pg.cluster().traces().len() as u64;
        let pods_before = pod_uids(pg.cluster());
        let done = vec![false; lesson.steps.len()];
        let used = vec![0; lesson.steps.len()];
        let mut run = LessonRun {
            lesson,
            seed,
            editor,
            pg,
            done,
            used,
            commands: Vec::new(),
            step_began: (0, traces),
            pods_before,
            start_entries,
            start_transcript,
        };
        run.advance();
        run
    }

    /// Rebuilds a run from a session it wrote (progress saved by a UI): the start, then every later entry,
    /// re-evaluating as it goes.
    pub fn resume(lesson: Lesson, session: &Session) -> LessonRun {
        let mut run = LessonRun::begin(lesson, session.seed, session.editor);
        for entry in session.entries.iter().skip(run.start_entries) {
            match entry {
                SessionEntry::Exec { line, stdin } => {
                    if let Ok(mut cmd) = script::parse_command(line) {
                        cmd.stdin = stdin.clone();
                        run.run_one(&cmd);
                    }
                }
                SessionEntry::Step { ms } => run.step(*ms),
                SessionEntry::Edit { text } => {
                    run.save_edit(text);
                }
            }
        }
        run
    }

    pub fn lesson(&self) -> &Lesson {
        &self.lesson
    }

    pub fn playground(&self) -> &Playground {
        &self.pg
    }

    /// The run's playground, for a UI that keeps the live playground in its own place between calls (it
    /// swaps it back before calling the run again).
    pub fn playground_mut(&mut self) -> &mut Playground {
        &mut self.pg
    }

    pub fn session(&self) -> &Session {
        self.pg.session()
    }

    /// What the start script printed.
    pub fn start_transcript(&self) -> &[CommandResult] {
        &self.start_transcript
    }

    /// Runs what the learner typed, then re-evaluates. Commands the lesson does not allow are refused with a
    /// message and not run.
    pub fn exec(&mut self, input: &str) -> Result<Vec<CommandResult>, ParseError> {
        let commands = script::parse(input)?;
        Ok(commands.iter().map(|c| self.run_one(c)).collect())
    }

    fn run_one(&mut self, cmd: &script::ScriptCommand) -> CommandResult {
        if !cmd.words.is_empty() && !self.lesson.permits(&cmd.words) {
            let output = Output {
                stdout: String::new(),
                stderr: format!("{}: this command is not available in this lesson\n", cmd.words[0]),
                exit_code: 1,
            };
            return CommandResult { command: cmd.text.clone(), output };
        }
        let result = self.pg.run_command(cmd);
        self.commands.push(RanCommand { words: cmd.words.clone(), exit_code: result.output.exit_code });
        self.advance();
        result
    }

    /// Advances simulated time, then re-evaluates.
    pub fn step(&mut self, ms: Millis) {
        self.pg.step(ms);
        self.advance();
    }

    /// Saves the open `kubectl edit`, then re-evaluates.
    pub fn save_edit(&mut self, text: &str) -> Output {
        let out = self.pg.save_edit(text);
        self.advance();
        out
    }

    /// Starts the lesson over on a fresh cluster (same seed).
    pub fn reset(&mut self) {
        *self = LessonRun::begin(self.lesson.clone(), self.seed, self.editor);
    }

    /// The index of the first step not done.
    pub fn current(&self) -> Option<usize> {
        self.done.iter().position(|d| !d)
    }

    pub fn is_done(&self, step: usize) -> bool {
        self.done.get(step).copied().unwrap_or(false)
    }

    pub fn finished(&self) -> bool {
        self.current().is_none()
    }

    /// The learner's commands counted for step `index` so far (see [`StepState::commands`]).
    pub fn commands_for(&self, index: usize) -> usize {
        if self.is_done(index) {
            self.used[index]
        } else if Some(index) == self.current() {
            self.commands.len() - self.step_began.0
        } else {
            0
        }
    }

    fn context(&self) -> CheckContext<'_> {
        CheckContext {
            cluster: self.pg.cluster(),
            commands: &self.commands[self.step_began.0..],
            traces_from: self.step_began.1,
            pods_before: &self.pods_before,
        }
    }

    /// Marks the current step done while all its checks hold, moving on each time.
    fn advance(&mut self) {
        while let Some(i) = self.current() {
            let ctx = self.context();
            if !self.lesson.steps[i].checks.iter().all(|c| c.evaluate(&ctx, Lang::En).pass) {
                break;
            }
            self.done[i] = true;
            self.used[i] = self.commands.len() - self.step_began.0;
            self.step_began = (self.commands.len(), self.pg.cluster().traces().len() as u64);
            self.pods_before = pod_uids(self.pg.cluster());
        }
    }

    /// The lesson as plain data in `lang`.
    pub fn state(&self, lang: Lang) -> LessonState {
        let current = self.current();
        let ctx = self.context();
        let steps = self
            .lesson
            .steps
            .iter()
            .enumerate()
            .map(|(i, step)| {
                let prose = self.lesson.step_prose(i, lang);
                let checks = step
                    .checks
                    .iter()
                    .map(|c| {
                        let (pass, detail) = if self.done[i] {
                            (true, String::new())
                        } else if Some(i) == current {
                            let o = c.evaluate(&ctx, lang);
                            (o.pass, o.detail)
                        } else {
                            (false, String::new())
                        };
                        CheckState { label: c.label(lang), pass, detail }
                    })
                    .collect();
                StepState {
                    id: step.id.clone(),
                    title: prose.title.clone(),
                    text: prose.text.clone(),
                    hints: prose.hints.clone(),
                    view: step.view.as_str(),
                    status: if self.done[i] { StepStatus::Done } else { StepStatus::Pending },
                    checks,
                    solution: step.solution.clone(),
                    commands: self.commands_for(i),
                    par: self.lesson.challenge.then(|| par(step)),
                }
            })
            .collect::<Vec<_>>();
        let score = self.lesson.challenge.then(|| Score {
            commands: steps.iter().map(|s| s.commands).sum(),
            par: steps.iter().filter_map(|s| s.par).sum(),
        });
        LessonState {
            id: self.lesson.id.clone(),
            title: self.lesson.title(lang).to_string(),
            summary: self.lesson.summary(lang).to_string(),
            steps,
            current,
            finished: current.is_none(),
            score,
        }
    }
}

/// The uids of every pod in the cluster.
fn pod_uids(cluster: &engine::Cluster) -> BTreeSet<String> {
    cluster.store().list(engine::Kind::Pod, None).filter_map(|o| o.metadata().uid.clone()).collect()
}

/// What [`verify`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyReport {
    pub id: String,
    /// Empty when the lesson verifies.
    pub problems: Vec<String>,
    /// The start script and every solution, as `kubeground run` prints them.
    pub transcript: String,
    /// In a challenge lesson, the sum of its steps' pars.
    pub par: Option<usize>,
}

impl VerifyReport {
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Checks a lesson end to end, headless: the start state satisfies no step (each step has a failing check at
/// the start), the steps' solutions run in order finish every step (each step is done right after its own
/// solution), and a second run prints the same transcript (determinism). In a challenge lesson each step must
/// also be done by exactly its solution's commands, so that replaying the solution scores its par: a solution
/// with commands after the goal is reached, or whose goal an earlier solution reached, is reported.
pub fn verify(lesson: &Lesson) -> VerifyReport {
    let mut problems = Vec::new();
    if let Err(e) = script::parse(&lesson.start) {
        problems.push(format!("start: {e}"));
    }
    let first = play_solutions(lesson, &mut problems);
    let mut again = Vec::new();
    let second = play_solutions(lesson, &mut again);
    if first != second {
        problems.push("two runs of the solutions printed different transcripts".into());
    }
    let par = lesson.challenge.then(|| lesson.steps.iter().map(par).sum());
    VerifyReport { id: lesson.id.clone(), problems, transcript: first, par }
}

fn play_solutions(lesson: &Lesson, problems: &mut Vec<String>) -> String {
    let mut run = LessonRun::start(lesson.clone(), 0);
    let mut transcript: String = run.start_transcript().iter().map(CommandResult::transcript).collect();
    {
        let ctx = run.context();
        for step in &lesson.steps {
            if step.checks.iter().all(|c| c.evaluate(&ctx, Lang::En).pass) {
                problems.push(format!("step {}: the start state already satisfies it", step.id));
            }
        }
    }
    for (i, step) in lesson.steps.iter().enumerate() {
        match run.exec(&step.solution) {
            Ok(results) => transcript.extend(results.iter().map(CommandResult::transcript)),
            Err(e) => {
                problems.push(format!("step {}: solution: {e}", step.id));
                break;
            }
        }
        if !run.is_done(i) {
            let state = run.state(Lang::En);
            let failing: Vec<String> = state.steps[i]
                .checks
                .iter()
                .filter(|c| !c.pass)
                .map(|c| format!("{} ({})", c.label, c.detail))
                .collect();
            problems.push(format!("step {}: not done after its solution: {}", step.id, failing.join("; ")));
            break;
        }
        if lesson.challenge && run.commands_for(i) != par(step) {
            problems.push(format!(
                "step {}: done after {} of its solution's {} commands; the par must be the solution's length",
                step.id,
                run.commands_for(i),
                par(step)
            ));
        }
    }
    transcript
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lesson(yaml: &str) -> Lesson {
        let mut l: Lesson = serde_yaml_free(yaml);
        for lang in lessons::LOCALES {
            let steps = l
                .steps
                .iter()
                .map(|s| {
                    (
                        s.id.clone(),
                        lessons::StepProse { title: s.id.clone(), text: "t".into(), hints: vec!["h".into()] },
                    )
                })
                .collect();
            l.prose.insert(*lang, lessons::LessonProse { title: "T".into(), summary: "S".into(), steps });
        }
        l
    }

    /// The real lessons come from the lessons crate; tests here build small ones from its own types.
    fn serde_yaml_free(yaml: &str) -> Lesson {
        lessons::parse_structure(yaml).unwrap()
    }

    const TWO_STEPS: &str = "id: t\norder: 50\nstart: kubectl create namespace shop\nsteps:\n- id: run\n  view: topology\n  checks:\n  - pods: {selector: run=web, ready: true}\n  solution: |\n    kubectl run web --image=nginx\n    kubectl wait --for=condition=Ready pod/web\n- id: describe\n  view: events\n  checks:\n  - ran: {command: kubectl describe pod}\n  solution: kubectl describe pod web\n";

    #[test]
    fn steps_complete_in_order_and_stay_done() {
        let mut run = LessonRun::start(lesson(TWO_STEPS), 0);
        assert_eq!(run.current(), Some(0));
        assert_eq!(run.session().entries.len(), 1, "the start command is part of the session");
        // Describing too early does not count for the later step.
        run.exec("kubectl describe pod nope").unwrap();
        run.exec("kubectl run web --image=nginx").unwrap();
        let s = run.state(Lang::En);
        assert_eq!(s.steps[0].checks[0].label, "at least 1 pods with labels run=web, ready");
        assert!(!s.steps[0].checks[0].pass);
        run.exec("sleep 10").unwrap();
        assert_eq!(run.current(), Some(1));
        run.exec("kubectl delete pod web").unwrap();
        assert!(run.is_done(0), "a done step stays done");
        run.exec("kubectl describe pods").unwrap();
        assert!(run.finished());
        assert_eq!(run.state(Lang::Ja).steps[1].status.as_str(), "done");
    }

    #[test]
    fn verify_and_resume() {
        let l = lesson(TWO_STEPS);
        let report = verify(&l);
        assert!(report.passed(), "{:?}", report.problems);
        assert!(report.transcript.starts_with("$ kubectl create namespace shop\nnamespace/shop created\n"));
        let mut run = LessonRun::start(l.clone(), 0);
        run.exec(&l.steps[0].solution).unwrap();
        let again = LessonRun::resume(l.clone(), run.session());
        assert_eq!(again.current(), Some(1));
        assert_eq!(again.playground().snapshot(), run.playground().snapshot());
        run.reset();
        assert_eq!((run.current(), run.session().entries.len()), (Some(0), 1));
        // A step whose checks hold at the start is reported.
        let trivial = lesson(&TWO_STEPS.replace("pods: {selector: run=web, ready: true}", "node: {count: 5}"));
        assert_eq!(verify(&trivial).problems, ["step run: the start state already satisfies it"]);
    }

    #[test]
    fn par_is_the_solution_length_and_commands_count_per_step() {
        let mut l = lesson(&TWO_STEPS.replace("order: 50", "order: 50\nchallenge: true"));
        assert!(l.challenge);
        assert_eq!(par(&l.steps[0]), 2);
        l.steps[1].solution = "# look at it\nkubectl describe pod web\n\n".into();
        assert_eq!(par(&l.steps[1]), 1);
        l.disable = vec!["minikube".into()];
        let mut run = LessonRun::start(l.clone(), 0);
        let s = run.state(Lang::En);
        assert_eq!(
            (s.steps[0].score(), s.score),
            (Some(Score { commands: 0, par: 2 }), Some(Score { commands: 0, par: 3 }))
        );
        run.exec("kubectl get pods").unwrap();
        run.exec("minikube status").unwrap(); // refused: not counted
        run.exec("kubectl run web --image=nginx").unwrap();
        assert_eq!(run.state(Lang::En).steps[0].commands, 2);
        run.step(10_000); // the clock is not a command
        assert!(run.is_done(0));
        run.exec("kubectl describe pod web").unwrap();
        assert!(run.finished());
        run.exec("kubectl get pods").unwrap(); // after the end: counted for no step
        let s = run.state(Lang::En);
        assert_eq!(s.steps[0].score().unwrap().verdict(), ParVerdict::At);
        assert_eq!(s.steps[1].score().unwrap().verdict(), ParVerdict::At);
        assert_eq!(s.score, Some(Score { commands: 3, par: 3 }));
        assert!(!s.score.unwrap().beaten());
        // Resumed from the saved session, the counts are the same.
        assert_eq!(LessonRun::resume(l.clone(), run.session()).state(Lang::En), s);
        // Not a challenge: no par.
        assert_eq!(LessonRun::start(lesson(TWO_STEPS), 0).state(Lang::En).score, None);
    }

    #[test]
    fn scores_read_as_beaten_matched_or_over() {
        let score = |commands, par| Score { commands, par };
        assert!(score(3, 4).beaten());
        assert_eq!(score(3, 4).describe(Lang::En), "3 commands, par 4: beaten by 1");
        assert_eq!(score(4, 4).describe(Lang::En), "4 commands, par 4: matched");
        assert_eq!(score(6, 4).describe(Lang::En), "6 commands, par 4: 2 over");
        assert_eq!(score(3, 4).describe(Lang::Ja), "コマンド 3 回（パー 4）：1 回少なくクリア");
        assert_eq!(score(6, 4).verdict(), ParVerdict::Over);
    }

    #[test]
    fn verify_requires_a_challenge_solution_to_end_at_its_goal() {
        let l = lesson(&TWO_STEPS.replace("order: 50", "order: 50\nchallenge: true"));
        let report = verify(&l);
        assert!(report.passed(), "{:?}", report.problems);
        assert_eq!(report.par, Some(3));
        let mut padded = l.clone();
        padded.steps[1].solution.push_str("\nkubectl get pods\n");
        assert_eq!(
            verify(&padded).problems,
            ["step describe: done after 1 of its solution's 2 commands; the par must be the solution's length"]
        );
    }

    #[test]
    fn file_checks_read_a_container_as_it_sees_itself() {
        let l = lesson("id: f\norder: 51\nsteps:\n- id: write\n  view: storage\n  checks:\n  - file: {selector: run=web, path: /tmp/note, contains: hello}\n  solution: kubectl run web --image=nginx\n");
        let mut run = LessonRun::start(l, 0);
        run.exec("kubectl run web --image=nginx\nsleep 10").unwrap();
        let check = |run: &LessonRun| run.state(Lang::En).steps[0].checks[0].clone();
        assert_eq!(check(&run).label, "a pod with labels run=web has the file /tmp/note containing \"hello\"");
        assert_eq!(check(&run).detail, "no selected pod has that file");
        run.exec("kubectl exec web -- sh -c 'echo bye > /tmp/note'").unwrap();
        assert_eq!(check(&run).detail, "the file does not contain it yet");
        run.exec("kubectl exec web -- sh -c 'echo hello >> /tmp/note'").unwrap();
        assert!(run.finished());
    }

    #[test]
    fn disabled_commands_are_refused_and_not_logged() {
        let mut l = lesson(TWO_STEPS);
        l.disable = vec!["minikube node".into()];
        let mut run = LessonRun::start(l, 0);
        let r = run.exec("minikube node add").unwrap();
        assert_eq!(r[0].output.stderr, "minikube: this command is not available in this lesson\n");
        assert_eq!(run.session().entries.len(), 1);
    }
}
