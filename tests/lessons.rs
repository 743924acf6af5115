//! The curriculum's evidence (issue 11): the lesson data is valid, every lesson verifies (the start state
//! satisfies no step, the reference solutions finish every step, deterministically), both locales are complete,
//! and every seed term is covered by some step — or listed in `NOT_YET_COVERED`, which must stay true.

use std::collections::BTreeSet;

use lessons::{Lang, LOCALES};
use playground::lesson::{verify, LessonRun};

/// Terms no lesson covers yet. A term both covered and listed here fails the test, so the list cannot rot.
const NOT_YET_COVERED: &[&str] = &[];

#[test]
fn the_lesson_data_is_valid() {
    let all = lessons::all().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(all[0].id, lessons::SANDBOX, "the sandbox comes first and is the default");
    assert!(all[0].is_sandbox());
    for l in &all[1..] {
        assert!(!l.steps.is_empty(), "{}: only the sandbox has no steps", l.id);
    }
}

#[test]
fn every_lesson_verifies() {
    let mut failures = Vec::new();
    for l in lessons::all().unwrap() {
        let report = verify(&l);
        if !report.passed() {
            failures.push(format!("{}: {}", l.id, report.problems.join("; ")));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn both_locales_are_complete() {
    for l in lessons::all().unwrap() {
        for &lang in LOCALES {
            let run = LessonRun::start(l.clone(), 0);
            let state = run.state(lang);
            assert!(!state.title.is_empty() && !state.summary.is_empty(), "{} {lang:?}", l.id);
            for s in &state.steps {
                assert!(!s.title.is_empty() && !s.text.is_empty() && !s.hints.is_empty(), "{}/{} {lang:?}", l.id, s.id);
                assert!(s.checks.iter().all(|c| !c.label.is_empty()), "{}/{} {lang:?}", l.id, s.id);
            }
        }
        // The Japanese prose is Japanese, not a copy of the English.
        for (i, step) in l.steps.iter().enumerate() {
            let (en, ja) = (l.step_prose(i, Lang::En), l.step_prose(i, Lang::Ja));
            assert_ne!(en.text, ja.text, "{}/{}", l.id, step.id);
            assert!(ja.text.chars().any(|c| ('\u{3040}'..='\u{30ff}').contains(&c)), "{}/{}: no kana", l.id, step.id);
        }
    }
}

#[test]
fn every_term_is_covered_or_listed_as_not_yet() {
    let terms: BTreeSet<String> = lessons::terms().unwrap().into_iter().map(|t| t.id).collect();
    let seed = include_str!("../lessons/terms.yaml");
    assert_eq!(terms.len(), seed.lines().filter(|l| l.starts_with("- {id:")).count());
    let covered: BTreeSet<String> =
        lessons::all().unwrap().iter().flat_map(|l| l.covers().into_iter().map(String::from)).collect::<BTreeSet<_>>();
    let listed: BTreeSet<String> = NOT_YET_COVERED.iter().map(|s| s.to_string()).collect();
    let stale: Vec<_> = covered.intersection(&listed).collect();
    assert!(stale.is_empty(), "covered now, remove from NOT_YET_COVERED: {stale:?}");
    let unknown: Vec<_> = listed.difference(&terms).collect();
    assert!(unknown.is_empty(), "NOT_YET_COVERED names unknown terms: {unknown:?}");
    let missing: Vec<_> = terms.iter().filter(|t| !covered.contains(*t) && !listed.contains(*t)).collect();
    assert!(missing.is_empty(), "no step covers: {missing:?}");
}
