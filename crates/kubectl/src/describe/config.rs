//! Configuration and access objects: ConfigMap, Secret, ServiceAccount, Namespace and
//! PodDisruptionBudget.

use std::collections::BTreeSet;

use engine::api::api::core::v1::{ConfigMap, Namespace, Secret, ServiceAccount};
use engine::api::api::policy::v1::PodDisruptionBudget;
use engine::{Kind, Object};

use super::containers::int_or_string;
use super::events::{self, EventQuery};
use super::selector::format_label_selector;
use super::tabwriter::{PrefixWriter, LEVEL_0, LEVEL_1, LEVEL_2};
use super::text::{annotations_multiline, date, labels_multiline, opt};
use super::Ctx;

/// `ConfigMapDescriber`: every value verbatim under `key:` and a `----` rule; binary values by size.
pub fn describe_config_map(cm: &ConfigMap, ctx: &Ctx) -> String {
    let mut w = PrefixWriter::new();
    w.write(LEVEL_0, &format!("Name:\t{}\n", opt(&cm.metadata.name)));
    w.write(LEVEL_0, &format!("Namespace:\t{}\n", opt(&cm.metadata.namespace)));
    labels_multiline(&mut w, "Labels", cm.metadata.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", cm.metadata.annotations.as_ref());
    w.write(LEVEL_0, "\nData\n====\n");
    for (k, v) in cm.data.iter().flatten() {
        w.write(LEVEL_0, &format!("{k}:\n----\n"));
        w.write(LEVEL_0, &format!("{v}\n"));
        w.write(LEVEL_0, "\n");
    }
    w.write(LEVEL_0, "\nBinaryData\n====\n");
    for (k, v) in cm.binary_data.iter().flatten() {
        w.write(LEVEL_0, &format!("{k}: {} bytes\n", v.0.len()));
    }
    w.write(LEVEL_0, "\n");
    events::section(&mut w, ctx, &EventQuery::of(&cm.metadata, "ConfigMap"));
    w.finish()
}

/// `describeSecret`: values by size only, except a service account token. No events.
pub fn describe_secret(s: &Secret) -> String {
    let mut w = PrefixWriter::new();
    w.write(LEVEL_0, &format!("Name:\t{}\n", opt(&s.metadata.name)));
    w.write(LEVEL_0, &format!("Namespace:\t{}\n", opt(&s.metadata.namespace)));
    labels_multiline(&mut w, "Labels", s.metadata.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", s.metadata.annotations.as_ref());
    let type_ = opt(&s.type_);
    w.write(LEVEL_0, &format!("\nType:\t{type_}\n"));
    w.write(LEVEL_0, "\nData\n====\n");
    for (k, v) in s.data.iter().flatten() {
        if k == "token" && type_ == "kubernetes.io/service-account-token" {
            w.write(LEVEL_0, &format!("{k}:\t{}\n", String::from_utf8_lossy(&v.0)));
        } else {
            w.write(LEVEL_0, &format!("{k}:\t{} bytes\n", v.0.len()));
        }
    }
    w.finish()
}

/// `describeServiceAccount`: the secrets it names (`(not found)` when missing) and the token secrets
/// that name it.
pub fn describe_service_account(sa: &ServiceAccount, ctx: &Ctx) -> String {
    let (name, ns, uid) = (opt(&sa.metadata.name), opt(&sa.metadata.namespace), opt(&sa.metadata.uid));
    let secrets: Vec<Secret> = ctx.list(Kind::Secret, Some(ns), |o| match o {
        Object::Secret(s) => Some(*s),
        _ => None,
    });
    let existing: BTreeSet<&str> = secrets.iter().map(|s| opt(&s.metadata.name)).collect();
    let tokens: Vec<&str> = secrets
        .iter()
        .filter(|s| {
            let ann = s.metadata.annotations.as_ref();
            let get = |k: &str| ann.and_then(|a| a.get(k)).map(String::as_str).unwrap_or_default();
            opt(&s.type_) == "kubernetes.io/service-account-token"
                && get("kubernetes.io/service-account.name") == name
                && get("kubernetes.io/service-account.uid") == uid
        })
        .map(|s| opt(&s.metadata.name))
        .collect();
    let pull: Vec<&str> = sa.image_pull_secrets.iter().flatten().map(|s| s.name.as_str()).collect();
    let mount: Vec<&str> = sa.secrets.iter().flatten().map(|s| opt(&s.name)).collect();

    let mut w = PrefixWriter::new();
    w.write(LEVEL_0, &format!("Name:\t{name}\n"));
    w.write(LEVEL_0, &format!("Namespace:\t{ns}\n"));
    labels_multiline(&mut w, "Labels", sa.metadata.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", sa.metadata.annotations.as_ref());
    let empty_header = "                   ";
    // The headers sort as Go sorts them: `Image pull secrets:`, `Mountable secrets: `, `Tokens: ...`.
    for (header, names) in
        [("Image pull secrets:", &pull), ("Mountable secrets: ", &mount), ("Tokens:            ", &tokens)]
    {
        if names.is_empty() {
            w.write(LEVEL_0, &format!("{header}\t<none>\n"));
            continue;
        }
        let mut prefix = header;
        for n in names.iter() {
            // A secret is missing only when it is named by the account and absent from the namespace.
            let missing = !existing.contains(n) && (pull.contains(n) || mount.contains(n));
            let suffix = if missing { " (not found)" } else { "" };
            w.write(LEVEL_0, &format!("{prefix}\t{n}{suffix}\n"));
            prefix = empty_header;
        }
    }
    events::section(&mut w, ctx, &EventQuery::of(&sa.metadata, "ServiceAccount"));
    w.finish()
}

/// `describeNamespace`. The cluster has no ResourceQuota or LimitRange objects, so both lists are the
/// empty lists a real server would return.
pub fn describe_namespace(ns: &Namespace) -> String {
    let mut w = PrefixWriter::new();
    w.write(LEVEL_0, &format!("Name:\t{}\n", opt(&ns.metadata.name)));
    labels_multiline(&mut w, "Labels", ns.metadata.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", ns.metadata.annotations.as_ref());
    let status = ns.status.clone().unwrap_or_default();
    w.write(LEVEL_0, &format!("Status:\t{}\n", opt(&status.phase)));
    if let Some(conditions) = status.conditions.as_ref().filter(|c| !c.is_empty()) {
        w.write(LEVEL_0, "Conditions:\n");
        w.write(LEVEL_1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n");
        w.write(LEVEL_1, "----\t------\t------------------\t------\t-------\n");
        for c in conditions {
            w.write(
                LEVEL_1,
                &format!(
                    "{}\t{}\t{}\t{}\t{}\n",
                    c.type_,
                    c.status,
                    date(c.last_transition_time.as_ref()),
                    opt(&c.reason),
                    opt(&c.message)
                ),
            );
        }
    }
    w.write(LEVEL_0, "\n");
    w.write(LEVEL_0, "No resource quota.\n");
    w.write(LEVEL_0, "\n");
    w.write(LEVEL_0, "No LimitRange resource.\n");
    w.finish()
}

/// `describePodDisruptionBudgetV1`.
pub fn describe_pod_disruption_budget(pdb: &PodDisruptionBudget, ctx: &Ctx) -> String {
    let spec = pdb.spec.clone().unwrap_or_default();
    let status = pdb.status.clone().unwrap_or_default();
    let mut w = PrefixWriter::new();
    w.write(LEVEL_0, &format!("Name:\t{}\n", opt(&pdb.metadata.name)));
    w.write(LEVEL_0, &format!("Namespace:\t{}\n", opt(&pdb.metadata.namespace)));
    if let Some(min) = &spec.min_available {
        w.write(LEVEL_0, &format!("Min available:\t{}\n", int_or_string(min)));
    } else if let Some(max) = &spec.max_unavailable {
        w.write(LEVEL_0, &format!("Max unavailable:\t{}\n", int_or_string(max)));
    }
    match &spec.selector {
        Some(s) => w.write(LEVEL_0, &format!("Selector:\t{}\n", format_label_selector(Some(s)))),
        None => w.write(LEVEL_0, "Selector:\t<unset>\n"),
    }
    w.write(LEVEL_0, "Status:\n");
    w.write(LEVEL_2, &format!("Allowed disruptions:\t{}\n", status.disruptions_allowed));
    w.write(LEVEL_2, &format!("Current:\t{}\n", status.current_healthy));
    w.write(LEVEL_2, &format!("Desired:\t{}\n", status.desired_healthy));
    w.write(LEVEL_2, &format!("Total:\t{}\n", status.expected_pods));
    events::section(&mut w, ctx, &EventQuery::of(&pdb.metadata, "PodDisruptionBudget"));
    w.finish()
}
