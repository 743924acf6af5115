//! The curriculum as data.
//!
//! Lessons live in `lessons/` at the workspace root: `terms.yaml` (every seed term with its English and
//! Japanese name) and one folder per lesson, `NN-ID/`, holding `lesson.yaml` (structure: start script, steps,
//! typed checks, reference solutions) and one prose file per locale (`en.yaml`, `ja.yaml`). `build.rs` embeds
//! the files, so nothing is read at run time and the crate runs in the browser as well.
//!
//! [`all`] parses and validates every lesson: unknown fields, a missing locale, a step without a hint, prose
//! keys that do not match the step ids, unknown term ids or prerequisites, and invalid checks are errors
//! naming the file. [`check::Check`] is the typed predicate a step's goal is made of.

pub mod check;

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

pub use check::{Check, CheckContext, CheckOutcome, RanCommand};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// The locales every lesson is written in.
pub const LOCALES: &[Lang] = &[Lang::En, Lang::Ja];

/// A locale of the prose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lang {
    En,
    Ja,
}

impl Lang {
    /// `en` / `ja`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ja => "ja",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        LOCALES.iter().copied().find(|l| l.code() == code)
    }

    /// Picks the English or the Japanese of two texts.
    pub fn pick<T>(self, en: T, ja: T) -> T {
        match self {
            Lang::En => en,
            Lang::Ja => ja,
        }
    }
}

/// Which view of the page a step is best followed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum View {
    Topology,
    Network,
    Dns,
    Storage,
    Events,
}

impl View {
    /// `topology`, `network`, … (the tab).
    pub fn as_str(self) -> &'static str {
        match self {
            View::Topology => "topology",
            View::Network => "network",
            View::Dns => "dns",
            View::Storage => "storage",
            View::Events => "events",
        }
    }
}

/// A seed term (TERMS.md) with its names.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub id: String,
    pub en: String,
    pub ja: String,
}

impl Term {
    pub fn name(&self, lang: Lang) -> &str {
        lang.pick(&self.en, &self.ja)
    }
}

/// The prose of one step in one locale.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepProse {
    pub title: String,
    /// Plain text with blank lines between paragraphs and `code` spans.
    pub text: String,
    pub hints: Vec<String>,
}

/// The prose of a lesson in one locale.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonProse {
    pub title: String,
    pub summary: String,
    #[serde(default)]
    pub steps: BTreeMap<String, StepProse>,
}

/// One step: something the learner does, checked by typed predicates.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub id: String,
    pub view: View,
    /// Term ids (terms.yaml) this step teaches.
    #[serde(default)]
    pub covers: Vec<String>,
    pub checks: Vec<Check>,
    /// A session script (CONTRACT §2) a learner would type to finish the step.
    pub solution: String,
}

/// A lesson's structure (`lesson.yaml`) with its prose per locale.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    pub id: String,
    pub order: u32,
    /// Lesson ids to take first.
    #[serde(default)]
    pub requires: Vec<String>,
    /// A session script run before the learner begins (part of the session, so replay rebuilds it).
    #[serde(default)]
    pub start: String,
    /// When not empty, only commands whose words start with one of these may run.
    #[serde(default)]
    pub allow: Vec<String>,
    /// Commands whose words start with one of these are refused.
    #[serde(default)]
    pub disable: Vec<String>,
    /// A challenge (the troubleshooting lesson): each step's goal comes with a par, the number of commands of
    /// its reference solution, for the learner to beat.
    #[serde(default)]
    pub challenge: bool,
    #[serde(default)]
    pub steps: Vec<Step>,
    /// Filled from the locale files.
    #[serde(skip)]
    pub prose: BTreeMap<Lang, LessonProse>,
    /// The folder name (`01-cluster`).
    #[serde(skip)]
    pub dir: String,
}

impl Lesson {
    pub fn title(&self, lang: Lang) -> &str {
        &self.prose[&lang].title
    }

    pub fn summary(&self, lang: Lang) -> &str {
        &self.prose[&lang].summary
    }

    /// The prose of step `index` in `lang`.
    pub fn step_prose(&self, index: usize, lang: Lang) -> &StepProse {
        &self.prose[&lang].steps[&self.steps[index].id]
    }

    /// The free playground: no steps, no goal.
    pub fn is_sandbox(&self) -> bool {
        self.steps.is_empty()
    }

    /// Every term id its steps cover, sorted.
    pub fn covers(&self) -> BTreeSet<&str> {
        self.steps.iter().flat_map(|s| s.covers.iter().map(String::as_str)).collect()
    }

    /// Whether the lesson's command policy lets `words` run.
    pub fn permits(&self, words: &[String]) -> bool {
        let starts = |prefix: &String| {
            let p: Vec<&str> = prefix.split_whitespace().collect();
            words.len() >= p.len() && p.iter().zip(words).all(|(a, b)| a == b)
        };
        !self.disable.iter().any(starts) && (self.allow.is_empty() || self.allow.iter().any(starts))
    }
}

/// A problem in the lesson data, naming the file (`lessons/01-cluster/lesson.yaml`) and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaError {
    pub file: String,
    pub message: String,
}

impl std::fmt::Display for SchemaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

impl std::error::Error for SchemaError {}

/// The id of the default lesson (the free playground).
pub const SANDBOX: &str = "sandbox";

/// Every term of terms.yaml, in file order.
pub fn terms() -> Result<Vec<Term>, SchemaError> {
    let file = "lessons/terms.yaml".to_string();
    let text = embedded::TERMS.ok_or_else(|| SchemaError { file: file.clone(), message: "missing".into() })?;
    let terms: Vec<Term> =
        serde_yaml::from_str(text).map_err(|e| SchemaError { file: file.clone(), message: e.to_string() })?;
    let mut seen = BTreeSet::new();
    for t in &terms {
        if !seen.insert(t.id.as_str()) {
            return Err(SchemaError { file, message: format!("term {:?} is listed twice", t.id) });
        }
    }
    Ok(terms)
}

/// Every lesson, parsed and validated, in `order`.
pub fn all() -> Result<Vec<Lesson>, SchemaError> {
    let terms = terms()?;
    let term_ids: BTreeSet<&str> = terms.iter().map(|t| t.id.as_str()).collect();
    let lessons = embedded::LESSONS
        .iter()
        .map(|(dir, files)| parse_lesson(dir, files, &term_ids))
        .collect::<Result<Vec<_>, _>>()?;
    validate_set(lessons)
}

/// One lesson by id.
pub fn get(id: &str) -> Result<Option<Lesson>, SchemaError> {
    Ok(all()?.into_iter().find(|l| l.id == id))
}

/// Parses a `lesson.yaml` text alone (no prose, no term or prerequisite checks): for tools and tests.
pub fn parse_structure(text: &str) -> Result<Lesson, String> {
    let lesson: Lesson = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
    for (i, step) in lesson.steps.iter().enumerate() {
        for (j, check) in step.checks.iter().enumerate() {
            check.validate().map_err(|m| format!("steps[{i}].checks[{j}]: {m}"))?;
        }
    }
    Ok(lesson)
}

fn parse_lesson(dir: &str, files: &[(&str, &str)], term_ids: &BTreeSet<&str>) -> Result<Lesson, SchemaError> {
    let path = |f: &str| format!("lessons/{dir}/{f}");
    let err = |f: &str, message: String| SchemaError { file: path(f), message };
    let structure =
        files.iter().find(|(f, _)| *f == "lesson.yaml").ok_or_else(|| err("lesson.yaml", "missing".into()))?.1;
    let mut lesson: Lesson = serde_yaml::from_str(structure).map_err(|e| err("lesson.yaml", e.to_string()))?;
    lesson.dir = dir.to_string();
    let expected_dir = format!("{:02}-{}", lesson.order, lesson.id);
    if lesson.id != SANDBOX && dir != expected_dir {
        return Err(err(
            "lesson.yaml",
            format!("the folder of lesson {:?} (order {}) must be {expected_dir:?}", lesson.id, lesson.order),
        ));
    }
    let mut step_ids = BTreeSet::new();
    for (i, step) in lesson.steps.iter().enumerate() {
        let at = format!("steps[{i}] ({})", step.id);
        if !step_ids.insert(step.id.as_str()) {
            return Err(err("lesson.yaml", format!("{at}: the step id is used twice")));
        }
        if step.checks.is_empty() {
            return Err(err("lesson.yaml", format!("{at}: a step needs at least one check")));
        }
        for (j, check) in step.checks.iter().enumerate() {
            check.validate().map_err(|m| err("lesson.yaml", format!("{at}.checks[{j}]: {m}")))?;
        }
        for t in &step.covers {
            if !term_ids.contains(t.as_str()) {
                return Err(err("lesson.yaml", format!("{at}.covers: unknown term id {t:?}")));
            }
        }
        if step.solution.trim().is_empty() {
            return Err(err("lesson.yaml", format!("{at}: the solution is empty")));
        }
    }
    for (f, _) in files {
        let code = f.strip_suffix(".yaml").unwrap_or(f);
        if *f != "lesson.yaml" && Lang::parse(code).is_none() {
            return Err(err(f, "not a known locale file (expected lesson.yaml, en.yaml, ja.yaml)".into()));
        }
    }
    for &lang in LOCALES {
        let f = format!("{}.yaml", lang.code());
        let text = files.iter().find(|(n, _)| *n == f).ok_or_else(|| err(&f, "missing locale".into()))?.1;
        let prose: LessonProse = serde_yaml::from_str(text).map_err(|e| err(&f, e.to_string()))?;
        if prose.title.trim().is_empty() || prose.summary.trim().is_empty() {
            return Err(err(&f, "title and summary must not be empty".into()));
        }
        let keys: BTreeSet<&str> = prose.steps.keys().map(String::as_str).collect();
        if let Some(extra) = keys.difference(&step_ids).next() {
            return Err(err(&f, format!("steps.{extra}: no step has this id")));
        }
        if let Some(missing) = step_ids.difference(&keys).next() {
            return Err(err(&f, format!("steps.{missing}: the prose of this step is missing")));
        }
        for (id, p) in &prose.steps {
            if p.title.trim().is_empty() || p.text.trim().is_empty() {
                return Err(err(&f, format!("steps.{id}: title and text must not be empty")));
            }
            if p.hints.is_empty() || p.hints.iter().any(|h| h.trim().is_empty()) {
                return Err(err(&f, format!("steps.{id}.hints: a step needs at least one hint")));
            }
        }
        lesson.prose.insert(lang, prose);
    }
    Ok(lesson)
}

fn validate_set(mut lessons: Vec<Lesson>) -> Result<Vec<Lesson>, SchemaError> {
    lessons.sort_by_key(|l| l.order);
    let ids: BTreeSet<&str> = lessons.iter().map(|l| l.id.as_str()).collect();
    if ids.len() != lessons.len() {
        return Err(SchemaError { file: "lessons/".into(), message: "two lessons share an id".into() });
    }
    let orders: BTreeSet<u32> = lessons.iter().map(|l| l.order).collect();
    if orders.len() != lessons.len() {
        return Err(SchemaError { file: "lessons/".into(), message: "two lessons share an order".into() });
    }
    if !ids.contains(SANDBOX) {
        return Err(SchemaError { file: "lessons/".into(), message: format!("the {SANDBOX:?} lesson is missing") });
    }
    for l in &lessons {
        for r in &l.requires {
            if !ids.contains(r.as_str()) || r == &l.id {
                return Err(SchemaError {
                    file: format!("lessons/{}/lesson.yaml", l.dir),
                    message: format!("requires: unknown prerequisite {r:?}"),
                });
            }
        }
    }
    Ok(lessons)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files<'a>(lesson: &'a str, en: &'a str, ja: &'a str) -> Vec<(&'a str, &'a str)> {
        vec![("en.yaml", en), ("ja.yaml", ja), ("lesson.yaml", lesson)]
    }

    const LESSON: &str = "id: x\norder: 7\nsteps:\n- id: a\n  view: topology\n  covers: [pod]\n  checks:\n  - object_exists: {kind: Pod, name: web}\n  solution: kubectl run web --image=nginx\n";
    const EN: &str = "title: X\nsummary: S\nsteps:\n  a: {title: A, text: T, hints: [h]}\n";

    fn parse(lesson: &str, en: &str, ja: &str) -> Result<Lesson, SchemaError> {
        let terms: BTreeSet<&str> = ["pod"].into();
        parse_lesson("07-x", &files(lesson, en, ja), &terms)
    }

    #[test]
    fn a_valid_lesson_parses() {
        let l = parse(LESSON, EN, EN).unwrap();
        assert_eq!(l.steps.len(), 1);
        assert_eq!(l.title(Lang::Ja), "X");
        assert_eq!(l.covers().into_iter().collect::<Vec<_>>(), ["pod"]);
    }

    #[test]
    fn schema_errors_name_the_file_and_field() {
        let e = parse(&LESSON.replace("name: web", "nmae: web"), EN, EN).unwrap_err();
        assert_eq!(e.file, "lessons/07-x/lesson.yaml");
        assert!(e.message.contains("unknown field `nmae`"), "{e}");
        let e = parse(&LESSON.replace("object_exists", "object_there"), EN, EN).unwrap_err();
        assert!(e.message.contains("unknown variant `object_there`"), "{e}");
        let e = parse(&LESSON.replace("kind: Pod", "kind: Pods"), EN, EN).unwrap_err();
        assert!(e.message.contains("unknown kind \"Pods\""), "{e}");
        let e = parse(&LESSON.replace("[pod]", "[pods]"), EN, EN).unwrap_err();
        assert!(e.message.contains("unknown term id \"pods\""), "{e}");
        let e = parse(LESSON, EN, &EN.replace("hints: [h]", "hints: []")).unwrap_err();
        assert_eq!(
            (e.file.as_str(), e.message.as_str()),
            ("lessons/07-x/ja.yaml", "steps.a.hints: a step needs at least one hint")
        );
        let e = parse(LESSON, EN, &EN.replace("  a:", "  b:")).unwrap_err();
        assert!(e.message.contains("steps.b: no step has this id"), "{e}");
        let missing = [("en.yaml", EN), ("lesson.yaml", LESSON)];
        let e = parse_lesson("07-x", &missing, &["pod"].into()).unwrap_err();
        assert_eq!((e.file.as_str(), e.message.as_str()), ("lessons/07-x/ja.yaml", "missing locale"));
        let e = parse(&LESSON.replace("view: topology", "view: map"), EN, EN).unwrap_err();
        assert!(e.message.contains("unknown variant `map`"), "{e}");
    }

    #[test]
    fn unknown_prerequisites_are_errors() {
        let mut l = parse(LESSON, EN, EN).unwrap();
        l.requires = vec!["nope".into()];
        let mut sandbox = parse(LESSON, EN, EN).unwrap();
        sandbox.id = SANDBOX.into();
        sandbox.order = 0;
        let e = validate_set(vec![l, sandbox]).unwrap_err();
        assert_eq!(e.message, "requires: unknown prerequisite \"nope\"");
    }

    #[test]
    fn the_embedded_curriculum_is_valid() {
        let lessons = all().unwrap_or_else(|e| panic!("{e}"));
        assert!(lessons.iter().any(|l| l.id == SANDBOX && l.is_sandbox()));
    }

    #[test]
    fn command_policy() {
        let mut l = parse(LESSON, EN, EN).unwrap();
        let w = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
        assert!(l.permits(&w("kubectl get pods")));
        l.disable = vec!["minikube node".into()];
        assert!(!l.permits(&w("minikube node add")));
        assert!(l.permits(&w("minikube status")));
        l.allow = vec!["kubectl".into()];
        assert!(!l.permits(&w("minikube status")));
    }
}
