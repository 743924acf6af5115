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

/// Curriculum item 20: the troubleshooting challenges have a goal and a command count to beat. The par is the
/// reference solution's length; a learner who goes straight to each fix (letting the clock run instead of
/// waiting with a command) beats it, and the counts are per step.
#[test]
fn the_troubleshooting_challenges_have_a_par_to_beat() {
    use playground::lesson::{par, ParVerdict, Score};
    let l = lessons::get("troubleshooting").unwrap().expect("the troubleshooting lesson");
    assert!(l.challenge);
    let pars: Vec<usize> = l.steps.iter().map(par).collect();
    assert!(pars.iter().all(|&p| p >= 2), "{pars:?}");
    assert_eq!(verify(&l).par, Some(pars.iter().sum()));
    let mut run = LessonRun::start(l.clone(), 0);
    let state = run.state(Lang::En);
    assert_eq!(state.score, Some(Score { commands: 0, par: pars.iter().sum() }));
    assert!(state.steps.iter().zip(&pars).all(|(s, &p)| s.par == Some(p)));
    let fixes = [
        "kubectl set image deployment/shop web=nginx:1.27",
        r#"kubectl patch deployment worker -p '{"spec":{"template":{"spec":{"containers":[{"name":"worker","command":["sh","-c","sleep 3600"]}]}}}}'"#,
        r#"kubectl patch deployment report -p '{"spec":{"template":{"spec":{"containers":[{"name":"report","resources":{"requests":{"cpu":"100m"}}}]}}}}'"#,
        r#"kubectl patch service shop -p '{"spec":{"selector":{"app":"shop"}}}'"#,
    ];
    for (i, fix) in fixes.iter().enumerate() {
        assert_eq!(run.current(), Some(i));
        run.exec("kubectl get pods").unwrap();
        assert_eq!(run.state(Lang::En).steps[i].commands, 1, "the commands so far count live");
        run.exec(fix).unwrap();
        run.step(60_000);
        assert!(run.is_done(i), "step {i} after its fix and a minute");
    }
    let state = run.state(Lang::Ja);
    for (s, &p) in state.steps.iter().zip(&pars) {
        assert_eq!(s.score(), Some(Score { commands: 2, par: p }));
        assert_eq!(s.score().unwrap().verdict(), if p > 2 { ParVerdict::Under } else { ParVerdict::At });
    }
    assert!(state.score.unwrap().beaten());
}
