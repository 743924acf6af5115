//! `kubectl events`: the cluster's Events sorted by time, with repeats shown as `42s (x3 over 52s)`.

use engine::api::apimachinery::pkg::apis::meta::v1::{MicroTime, Time};
use engine::apiserver::{Request, Verb};
use engine::clock::sim_millis;
use engine::{Cluster, Kind, Object};

use crate::builder::parse_args;
use crate::client::{send, server_error};
use crate::duration::human;
use crate::flags::{flag, FlagKind, FlagSpec, Parsed};
use crate::table;
use crate::Output;
use engine::util::sort::StableSort;

pub const FLAGS: &[FlagSpec] = &[
    flag("for", None, FlagKind::String),
    flag("types", None, FlagKind::StringArray),
    flag("all-namespaces", Some('A'), FlagKind::Bool),
    flag("no-headers", None, FlagKind::Bool),
    flag("watch", Some('w'), FlagKind::Bool),
];

pub fn run(cluster: &mut Cluster, flags: &Parsed, namespace: &str) -> Output {
    if flags.bool("watch") {
        return Output::error(
            "error: kubeground cannot follow events in a script; run \"kubectl events\" again later\n",
        );
    }
    let types = flags.strings("types");
    for t in &types {
        if t != "Normal" && t != "Warning" {
            return Output::error(format!("error: valid --types are Normal or Warning, got {t}\n"));
        }
    }
    let target = match flags.string("for") {
        Some(spec) => match parse_args(&[spec.to_string()]) {
            Ok(sel) if sel.len() == 1 && sel[0].1.len() == 1 => Some((sel[0].0, sel[0].1[0].clone())),
            Ok(_) => return Output::error(format!("error: {spec} is not a valid type/name\n")),
            Err(e) => return Output::error(e),
        },
        None => None,
    };
    let all = flags.bool("all-namespaces");
    let mut req = Request::new(Verb::List, Kind::Event);
    if !all {
        req = req.namespace(namespace);
    }
    let events = match send(cluster, req).list() {
        Ok(e) => e,
        Err(e) => return Output::error(server_error(&e, None)),
    };
    let now = cluster.now();
    let mut rows: Vec<(u64, Vec<String>)> = Vec::new();
    for obj in &events {
        let Object::Event(e) = obj.as_ref() else { continue };
        let involved = &e.involved_object;
        if let Some((kind, name)) = &target {
            if involved.kind.as_deref() != Some(kind.info().kind) || involved.name.as_deref() != Some(name.as_str()) {
                continue;
            }
        }
        let ty = e.type_.clone().unwrap_or_default();
        if !types.is_empty() && !types.contains(&ty) {
            continue;
        }
        // kubectl's `getInterval`: events written by the events.k8s.io API (the scheduler's) carry `eventTime`
        // and perhaps a `series` instead of first/last timestamps.
        let micro = |t: &MicroTime| sim_millis(&Time(t.0));
        let series = e.series.as_ref();
        let last = match (series.and_then(|s| s.last_observed_time.as_ref()), &e.last_timestamp, &e.event_time) {
            (Some(t), _, _) => micro(t),
            (None, Some(t), _) => sim_millis(t),
            (None, None, Some(t)) => micro(t),
            (None, None, None) => 0,
        };
        let first = match &e.event_time {
            Some(t) => micro(t),
            None => e.first_timestamp.as_ref().map(sim_millis).unwrap_or(last),
        };
        let count = series.and_then(|s| s.count).or(e.count).unwrap_or(1);
        let last_seen = if count > 1 {
            format!("{} (x{count} over {})", human(now.saturating_sub(last)), human(now.saturating_sub(first)))
        } else {
            human(now.saturating_sub(last))
        };
        let mut row = Vec::new();
        if all {
            row.push(e.metadata.namespace.clone().unwrap_or_default());
        }
        row.extend([
            last_seen,
            ty,
            e.reason.clone().unwrap_or_default(),
            format!("{}/{}", involved.kind.clone().unwrap_or_default(), involved.name.clone().unwrap_or_default()),
            e.message.clone().unwrap_or_default().trim().to_string(),
        ]);
        rows.push((last, row));
    }
    if rows.is_empty() {
        return Output {
            stderr: if all {
                "No events found.\n".into()
            } else {
                format!("No events found in {namespace} namespace.\n")
            },
            ..Default::default()
        };
    }
    rows.stable_sort_by_key(|(t, _)| *t);
    let mut table_rows = Vec::new();
    if !flags.bool("no-headers") {
        let mut header = Vec::new();
        if all {
            header.push("NAMESPACE".to_string());
        }
        header.extend(["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"].map(String::from));
        table_rows.push(header);
    }
    table_rows.extend(rows.into_iter().map(|(_, r)| r));
    Output::ok(table::render(&table_rows))
}

#[cfg(test)]
mod tests {
    use engine::Cluster;

    fn kubectl(c: &mut Cluster, line: &str) -> crate::Output {
        let args: Vec<String> = line.split_whitespace().map(String::from).collect();
        crate::run(c, &args, &crate::Io::none())
    }

    #[test]
    fn the_schedulers_events_are_dated_by_their_event_time() {
        let mut c = Cluster::new(0);
        c.step(100_000);
        assert_eq!(kubectl(&mut c, "run web --image=nginx").exit_code, 0);
        c.step(30_000);
        let out = kubectl(&mut c, "events --for pod/web").stdout;
        let scheduled = out.lines().find(|l| l.contains("Scheduled")).unwrap();
        assert!(scheduled.starts_with("30s "), "{out}");
        assert!(out.lines().nth(1).unwrap().contains("Scheduled"), "sorted by time: {out}");
    }
}
