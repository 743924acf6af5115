//! Checks: the typed predicates a step's goal is made of, evaluated on the cluster's state (and, for steps
//! about doing something, on the commands the learner ran and the network traces), never on printed output
//! and never on generated names.
//!
//! In `lesson.yaml` a check is a one-key map, `- pods: {selector: app=web, ready: true, min_count: 3}`. Each
//! renders a one-line label in English and Japanese from its fields ([`Check::label`]), so the check list needs
//! no prose of its own, and evaluates to pass or fail with a short reason ([`Check::evaluate`]).

use std::collections::{BTreeMap, BTreeSet};

use engine::api::api::core::v1 as core;
use engine::api::apimachinery::pkg::util::intstr::IntOrString;
use engine::apiserver::selectors::LabelSelector;
use engine::network::{Hop, TraceKind};
use engine::{Cluster, Kind, Object};
use serde::Deserialize;

use crate::Lang;

/// One command the learner ran: its words and its exit code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RanCommand {
    pub words: Vec<String>,
    pub exit_code: i32,
}

/// What a check is evaluated against.
#[derive(Clone, Copy)]
pub struct CheckContext<'a> {
    pub cluster: &'a Cluster,
    /// The commands run since the step became the current one.
    pub commands: &'a [RanCommand],
    /// Traces with `seq` from this one on were made since the step became the current one.
    pub traces_from: u64,
    /// The uids of the pods that existed when the step became the current one (a pod not among them is new).
    pub pods_before: &'a BTreeSet<String>,
}

/// Pass or fail, with a short reason when it does not hold yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckOutcome {
    pub pass: bool,
    /// Empty when the check holds.
    pub detail: String,
}

/// A check, as written in `lesson.yaml` (a one-key map: the key names the variant in snake case).
#[derive(Clone, Debug, PartialEq)]
pub enum Check {
    /// An object of `kind` named `name` exists.
    ObjectExists(ObjectRef),
    /// No object of `kind` named `name` exists (a terminating one still exists).
    ObjectAbsent(ObjectRef),
    /// Between `min_count` and `max_count` pods match the selector and every filter given.
    Pods(PodsCheck),
    /// A file in a container of a pod matching the selector (as the container sees it: its volumes, its
    /// writable layer, its image), optionally containing a text: state a learner wrote with `kubectl exec`.
    File(FileCheck),
    ReplicaSet(ReplicaSetCheck),
    Deployment(DeploymentCheck),
    Service(ServiceCheck),
    Pvc(PvcCheck),
    Pv(PvCheck),
    /// A ConfigMap's key holds a value.
    ConfigMap(ConfigMapCheck),
    Node(NodeCheck),
    /// A label on an object (any value when `value` is not given).
    Label(MetaCheck),
    /// An annotation on an object (any value when `value` is not given).
    Annotation(MetaCheck),
    /// A DNS lookup was made (since the step began) from a pod matching `from_selector`.
    DnsLookup(DnsCheck),
    /// A connection was made (since the step began) to `to`, with an outcome starting with `outcome`.
    Request(RequestCheck),
    /// The learner ran (since the step began, successfully) a command whose words start with `command`.
    Ran(RanCheck),
}

/// The keys a check may have, in the order of [`Check`].
pub const CHECK_KINDS: &[&str] = &[
    "object_exists",
    "object_absent",
    "pods",
    "file",
    "replica_set",
    "deployment",
    "service",
    "pvc",
    "pv",
    "config_map",
    "node",
    "label",
    "annotation",
    "dns_lookup",
    "request",
    "ran",
];

// serde_yaml 0.9 reads externally tagged enums only from YAML tags (`!pods`), so the one-key map form is
// read by hand; each variant's fields still go through `deny_unknown_fields`.
impl<'de> Deserialize<'de> for Check {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let map = BTreeMap::<String, serde_yaml::Value>::deserialize(d)?;
        let mut entries = map.into_iter();
        let (Some((key, value)), None) = (entries.next(), entries.next()) else {
            return Err(D::Error::custom(
                "a check is a map with one key naming its kind, e.g. `pods: {selector: app=web}`",
            ));
        };
        fn field<'de, T: Deserialize<'de>, E: Error>(key: &str, v: serde_yaml::Value) -> Result<T, E> {
            T::deserialize(v).map_err(|e| E::custom(format!("{key}: {e}")))
        }
        let k = key.as_str();
        Ok(match k {
            "object_exists" => Check::ObjectExists(field(k, value)?),
            "object_absent" => Check::ObjectAbsent(field(k, value)?),
            "pods" => Check::Pods(field(k, value)?),
            "file" => Check::File(field(k, value)?),
            "replica_set" => Check::ReplicaSet(field(k, value)?),
            "deployment" => Check::Deployment(field(k, value)?),
            "service" => Check::Service(field(k, value)?),
            "pvc" => Check::Pvc(field(k, value)?),
            "pv" => Check::Pv(field(k, value)?),
            "config_map" => Check::ConfigMap(field(k, value)?),
            "node" => Check::Node(field(k, value)?),
            "label" => Check::Label(field(k, value)?),
            "annotation" => Check::Annotation(field(k, value)?),
            "dns_lookup" => Check::DnsLookup(field(k, value)?),
            "request" => Check::Request(field(k, value)?),
            "ran" => Check::Ran(field(k, value)?),
            other => return Err(D::Error::unknown_variant(other, CHECK_KINDS)),
        })
    }
}

fn default_namespace() -> String {
    "default".into()
}

fn one() -> usize {
    1
}

fn yes() -> bool {
    true
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectRef {
    /// The kind as the API names it (`Pod`, `Deployment`).
    pub kind: String,
    pub name: String,
    #[serde(default = "default_namespace")]
    pub namespace: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PodsCheck {
    /// A label selector (`app=web,tier!=db`); empty selects every pod of the namespace.
    #[serde(default)]
    pub selector: String,
    #[serde(default = "default_namespace")]
    pub namespace: String,
    /// `Pending`, `Running`, `Succeeded`, `Failed`.
    pub phase: Option<String>,
    /// Every container ready (`true`) or not (`false`).
    pub ready: Option<bool>,
    /// The number of containers in the pod.
    pub containers: Option<usize>,
    /// Restarts summed over the pod's containers.
    pub restarts_at_least: Option<i32>,
    /// Restarts summed over the pod's containers, at most.
    pub restarts_at_most: Option<i32>,
    /// The node the pod is bound to.
    pub node: Option<String>,
    /// Created since the step began (`true`: its uid is not one of the pods there were then), so a step can
    /// ask for a pod to be replaced without naming generated names: the pod a controller makes after a
    /// delete is new, the one deleted is gone.
    pub new: Option<bool>,
    #[serde(default = "one")]
    pub min_count: usize,
    pub max_count: Option<usize>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileCheck {
    /// A label selector (`app=web`); empty selects every pod of the namespace.
    #[serde(default)]
    pub selector: String,
    #[serde(default = "default_namespace")]
    pub namespace: String,
    /// An absolute path inside the container.
    pub path: String,
    /// A text the file must contain.
    pub contains: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplicaSetCheck {
    pub name: String,
    #[serde(default = "default_namespace")]
    pub namespace: String,
    /// `spec.replicas`.
    pub replicas: Option<i32>,
    /// `status.readyReplicas`.
    pub ready_replicas: Option<i32>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeploymentCheck {
    pub name: String,
    #[serde(default = "default_namespace")]
    pub namespace: String,
    pub replicas: Option<i32>,
    pub available_replicas: Option<i32>,
    pub updated_replicas: Option<i32>,
    /// The `deployment.kubernetes.io/revision` annotation.
    pub revision_at_least: Option<i64>,
    /// `RollingUpdate` or `Recreate`.
    pub strategy: Option<String>,
    /// Some container of the pod template runs this image.
    pub image: Option<String>,
    pub revision_history_limit: Option<i32>,
    /// The number of ReplicaSets the Deployment owns.
    pub replica_sets: Option<usize>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceCheck {
    pub name: String,
    #[serde(default = "default_namespace")]
    pub namespace: String,
    /// Ready endpoint addresses in its EndpointSlices.
    pub endpoints: Option<usize>,
    /// `ClusterIP`, `NodePort`, `LoadBalancer`, `ExternalName`.
    #[serde(rename = "type")]
    pub type_: Option<String>,
    /// Some port of the Service is this `port`.
    pub port: Option<i32>,
    /// That port (or, without `port`, some port) sends to this `targetPort` (a number or a port name).
    pub target_port: Option<String>,
    /// Some port has this `nodePort`.
    pub node_port: Option<i32>,
    /// A load balancer address is in `status.loadBalancer.ingress` (true) or not yet (false).
    pub external_ip: Option<bool>,
    /// `spec.externalName`.
    pub external_name: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PvcCheck {
    pub name: String,
    #[serde(default = "default_namespace")]
    pub namespace: String,
    pub phase: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PvCheck {
    pub phase: Option<String>,
    pub reclaim_policy: Option<String>,
    #[serde(default = "one")]
    pub count: usize,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigMapCheck {
    pub name: String,
    #[serde(default = "default_namespace")]
    pub namespace: String,
    pub key: String,
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeCheck {
    /// The number of nodes.
    pub count: Option<usize>,
    /// The number of nodes whose `Ready` condition is `True`.
    pub ready: Option<usize>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetaCheck {
    pub kind: String,
    pub name: String,
    #[serde(default = "default_namespace")]
    pub namespace: String,
    pub key: String,
    pub value: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DnsCheck {
    /// The name looked up, as typed (`web`, `db.prod`).
    pub name: Option<String>,
    pub from_selector: Option<String>,
    #[serde(default = "default_namespace")]
    pub namespace: String,
    /// Whether the lookup got an answer (addresses or a CNAME) rather than NXDOMAIN or a timeout.
    #[serde(default = "yes")]
    pub answered: bool,
    /// The answer came to the query built with this search domain (`default.svc.cluster.local`): the
    /// resolver's search list, not the name as typed, found it.
    pub search_domain: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestCheck {
    /// The host as the client named it (`localhost`, `web`, an IP), optionally with `:port`; `:30080` is
    /// port 30080 of any host.
    pub to: Option<String>,
    pub from_selector: Option<String>,
    #[serde(default = "default_namespace")]
    pub namespace: String,
    /// The start of the trace's outcome (`HTTP 200`, `connection refused`).
    pub outcome: Option<String>,
    /// The packets crossed nodes through Flannel's VXLAN overlay (`flannel.1`) (true) or stayed on the
    /// client's node (false).
    pub across_nodes: Option<bool>,
    /// kube-proxy's rules translated a Service address to a pod (true), or the client named a pod directly
    /// (false).
    pub through_service: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RanCheck {
    /// The first words of the command (`kubectl describe pod`); resource words match any of the kind's names
    /// (`pod`, `pods`, `po`, `pod/web`), and flags in the command are skipped.
    pub command: String,
    /// Strings that must each appear in some word of the command (`-l`, `yaml`).
    #[serde(default)]
    pub with: Vec<String>,
}

fn kind_named(name: &str) -> Option<Kind> {
    Kind::ALL.iter().copied().find(|k| k.info().kind == name)
}

/// The kind a kubectl resource word names (`pods`, `po`, `deploy`, `rs/web`).
fn kind_of_word(word: &str) -> Option<Kind> {
    let w = word.split('/').next().unwrap_or(word).to_ascii_lowercase();
    let w = w.split('.').next().unwrap_or(&w);
    Kind::ALL.iter().copied().find(|k| {
        let i = k.info();
        i.singular == w || i.plural == w || i.short_names.contains(&w)
    })
}

fn valid_selector(s: &str) -> Result<(), String> {
    LabelSelector::parse(s).map(|_| ()).map_err(|e| format!("bad selector {s:?}: {e}"))
}

fn pass() -> CheckOutcome {
    CheckOutcome { pass: true, detail: String::new() }
}

fn fail(detail: String) -> CheckOutcome {
    CheckOutcome { pass: false, detail }
}

/// ` in namespace X` / ` (namespace X)` when it is not `default`.
fn ns_suffix(lang: Lang, ns: &str) -> String {
    if ns == "default" {
        String::new()
    } else {
        lang.pick(format!(" in namespace {ns}"), format!("（名前空間 {ns}）"))
    }
}

impl Check {
    /// The checks a schema run makes beyond the YAML shape: kind names, selectors, counts, phases.
    pub fn validate(&self) -> Result<(), String> {
        let kind = |k: &str| kind_named(k).map(|_| ()).ok_or_else(|| format!("unknown kind {k:?}"));
        let phase = |p: &Option<String>, allowed: &[&str]| match p {
            Some(p) if !allowed.contains(&p.as_str()) => Err(format!("unknown phase {p:?} (one of {allowed:?})")),
            _ => Ok(()),
        };
        match self {
            Check::ObjectExists(r) | Check::ObjectAbsent(r) => kind(&r.kind),
            Check::Pods(p) => {
                valid_selector(&p.selector)?;
                phase(&p.phase, &["Pending", "Running", "Succeeded", "Failed", "Unknown"])?;
                match p.max_count {
                    Some(max) if max < p.min_count => Err("max_count is below min_count".into()),
                    _ => Ok(()),
                }
            }
            Check::File(f) => {
                valid_selector(&f.selector)?;
                if f.path.starts_with('/') {
                    Ok(())
                } else {
                    Err(format!("the path {:?} is not absolute", f.path))
                }
            }
            Check::ReplicaSet(_) => Ok(()),
            Check::Deployment(d) => match d.strategy.as_deref() {
                Some(s) if s != "RollingUpdate" && s != "Recreate" => Err(format!("unknown strategy {s:?}")),
                _ => Ok(()),
            },
            Check::Service(s) => match s.type_.as_deref() {
                Some(t) if !["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"].contains(&t) => {
                    Err(format!("unknown Service type {t:?}"))
                }
                _ => Ok(()),
            },
            Check::Pvc(p) => phase(&Some(p.phase.clone()), &["Pending", "Bound", "Lost"]),
            Check::Pv(p) => {
                phase(&p.phase, &["Pending", "Available", "Bound", "Released", "Failed"])?;
                match p.reclaim_policy.as_deref() {
                    Some(r) if !["Retain", "Delete", "Recycle"].contains(&r) => {
                        Err(format!("unknown reclaim policy {r:?}"))
                    }
                    _ => Ok(()),
                }
            }
            Check::ConfigMap(_) => Ok(()),
            Check::Node(n) if n.count.is_none() && n.ready.is_none() => Err("node needs count or ready".into()),
            Check::Node(_) => Ok(()),
            Check::Label(m) | Check::Annotation(m) => kind(&m.kind),
            Check::DnsLookup(d) => d.from_selector.as_deref().map(valid_selector).unwrap_or(Ok(())),
            Check::Request(r) => r.from_selector.as_deref().map(valid_selector).unwrap_or(Ok(())),
            Check::Ran(r) if r.command.split_whitespace().next().is_none() => Err("ran needs a command".into()),
            Check::Ran(_) => Ok(()),
        }
    }

    /// One line for the check list, generated from the fields.
    pub fn label(&self, lang: Lang) -> String {
        let l = lang;
        match self {
            Check::ObjectExists(r) => l.pick(
                format!("{} {} exists{}", r.kind, r.name, ns_suffix(l, &r.namespace)),
                format!("{} {} が存在する{}", r.kind, r.name, ns_suffix(l, &r.namespace)),
            ),
            Check::ObjectAbsent(r) => l.pick(
                format!("{} {} no longer exists{}", r.kind, r.name, ns_suffix(l, &r.namespace)),
                format!("{} {} が存在しない{}", r.kind, r.name, ns_suffix(l, &r.namespace)),
            ),
            Check::Pods(p) => {
                let count = match p.max_count {
                    Some(max) if max == p.min_count => l.pick(format!("exactly {max}"), format!("ちょうど {max} 個")),
                    Some(max) => l.pick(format!("{}–{max}", p.min_count), format!("{}〜{max} 個", p.min_count)),
                    None => l.pick(format!("at least {}", p.min_count), format!("{} 個以上", p.min_count)),
                };
                let sel = if p.selector.is_empty() {
                    String::new()
                } else {
                    l.pick(format!(" with labels {}", p.selector), format!("ラベル {} の", p.selector))
                };
                let mut quals_en = Vec::new();
                let mut quals_ja = Vec::new();
                if let Some(ph) = &p.phase {
                    quals_en.push(ph.clone());
                    quals_ja.push(format!("{ph} で"));
                }
                match p.ready {
                    Some(true) => {
                        quals_en.push("ready".into());
                        quals_ja.push("Ready で".into());
                    }
                    Some(false) => {
                        quals_en.push("not ready".into());
                        quals_ja.push("Ready でなく".into());
                    }
                    None => {}
                }
                if let Some(c) = p.containers {
                    quals_en.push(format!("with {c} containers"));
                    quals_ja.push(format!("コンテナ {c} 個で"));
                }
                if let Some(r) = p.restarts_at_least {
                    quals_en.push(format!("restarted at least {r} times"));
                    quals_ja.push(format!("{r} 回以上再起動して"));
                }
                match p.restarts_at_most {
                    Some(0) => {
                        quals_en.push("never restarted".into());
                        quals_ja.push("一度も再起動せずに".into());
                    }
                    Some(r) => {
                        quals_en.push(format!("restarted at most {r} times"));
                        quals_ja.push(format!("再起動 {r} 回以下で"));
                    }
                    None => {}
                }
                if let Some(n) = &p.node {
                    quals_en.push(format!("on node {n}"));
                    quals_ja.push(format!("Node {n} 上で"));
                }
                match p.new {
                    Some(true) => {
                        quals_en.push("created in this step".into());
                        quals_ja.push("このステップで新しく作られて".into());
                    }
                    Some(false) => {
                        quals_en.push("there before this step".into());
                        quals_ja.push("このステップの前からあって".into());
                    }
                    None => {}
                }
                let ns = ns_suffix(l, &p.namespace);
                match l {
                    Lang::En => {
                        let q = if quals_en.is_empty() { String::new() } else { format!(", {}", quals_en.join(", ")) };
                        format!("{count} pods{sel}{q}{ns}")
                    }
                    Lang::Ja => {
                        let q = quals_ja.concat();
                        format!("{sel}Pod が{q} {count}{ns}")
                    }
                }
            }
            Check::ReplicaSet(r) => {
                let mut en = vec![];
                let mut ja = vec![];
                if let Some(n) = r.replicas {
                    en.push(format!("wants {n} replicas"));
                    ja.push(format!("replicas が {n}"));
                }
                if let Some(n) = r.ready_replicas {
                    en.push(format!("has {n} ready"));
                    ja.push(format!("Ready が {n}"));
                }
                if en.is_empty() {
                    en.push("exists".into());
                    ja.push("が存在する".into());
                }
                l.pick(
                    format!("ReplicaSet {} {}{}", r.name, en.join(" and "), ns_suffix(l, &r.namespace)),
                    format!("ReplicaSet {} の{}{}", r.name, ja.join("、"), ns_suffix(l, &r.namespace)),
                )
            }
            Check::Deployment(d) => {
                let mut parts: Vec<(String, String)> = vec![];
                if let Some(n) = d.replicas {
                    parts.push((format!("wants {n} replicas"), format!("replicas が {n}")));
                }
                if let Some(n) = d.available_replicas {
                    parts.push((format!("{n} available"), format!("利用可能が {n}")));
                }
                if let Some(n) = d.updated_replicas {
                    parts.push((format!("{n} updated"), format!("更新済みが {n}")));
                }
                if let Some(i) = &d.image {
                    parts.push((format!("runs image {i}"), format!("イメージが {i}")));
                }
                if let Some(r) = d.revision_at_least {
                    parts.push((format!("at revision {r} or later"), format!("リビジョンが {r} 以上")));
                }
                if let Some(s) = &d.strategy {
                    parts.push((format!("strategy {s}"), format!("strategy が {s}")));
                }
                if let Some(n) = d.revision_history_limit {
                    parts.push((format!("revisionHistoryLimit {n}"), format!("revisionHistoryLimit が {n}")));
                }
                if let Some(n) = d.replica_sets {
                    parts.push((format!("owns {n} ReplicaSets"), format!("ReplicaSet が {n} 個")));
                }
                if parts.is_empty() {
                    parts.push(("exists".into(), "が存在する".into()));
                }
                let (en, ja): (Vec<String>, Vec<String>) = parts.into_iter().unzip();
                l.pick(
                    format!("Deployment {}: {}{}", d.name, en.join(", "), ns_suffix(l, &d.namespace)),
                    format!("Deployment {}：{}{}", d.name, ja.join("、"), ns_suffix(l, &d.namespace)),
                )
            }
            Check::Service(s) => {
                let mut en = vec![];
                let mut ja = vec![];
                if let Some(t) = &s.type_ {
                    en.push(format!("is of type {t}"));
                    ja.push(format!("タイプが {t}"));
                }
                if let Some(n) = s.endpoints {
                    en.push(format!("has {n} ready endpoints"));
                    ja.push(format!("Ready なエンドポイントが {n} 個"));
                }
                match (s.port, &s.target_port) {
                    (Some(p), Some(t)) => {
                        en.push(format!("sends port {p} to targetPort {t}"));
                        ja.push(format!("port {p} を targetPort {t} へ送る"));
                    }
                    (Some(p), None) => {
                        en.push(format!("listens on port {p}"));
                        ja.push(format!("port が {p}"));
                    }
                    (None, Some(t)) => {
                        en.push(format!("sends to targetPort {t}"));
                        ja.push(format!("targetPort が {t}"));
                    }
                    (None, None) => {}
                }
                if let Some(n) = s.node_port {
                    en.push(format!("has nodePort {n}"));
                    ja.push(format!("nodePort が {n}"));
                }
                match s.external_ip {
                    Some(true) => {
                        en.push("has an external IP".into());
                        ja.push("外部 IP がある".into());
                    }
                    Some(false) => {
                        en.push("has no external IP yet".into());
                        ja.push("外部 IP がまだない".into());
                    }
                    None => {}
                }
                if let Some(n) = &s.external_name {
                    en.push(format!("points to {n}"));
                    ja.push(format!("{n} を指す"));
                }
                if en.is_empty() {
                    en.push("exists".into());
                    ja.push("が存在する".into());
                }
                l.pick(
                    format!("Service {} {}{}", s.name, en.join(" and "), ns_suffix(l, &s.namespace)),
                    format!("Service {} の{}{}", s.name, ja.join("、"), ns_suffix(l, &s.namespace)),
                )
            }
            Check::Pvc(p) => l.pick(
                format!("PersistentVolumeClaim {} is {}{}", p.name, p.phase, ns_suffix(l, &p.namespace)),
                format!("PersistentVolumeClaim {} が {}{}", p.name, p.phase, ns_suffix(l, &p.namespace)),
            ),
            Check::Pv(p) => {
                let phase = p.phase.as_deref().map(|x| format!(" {x}")).unwrap_or_default();
                let policy = p.reclaim_policy.as_deref();
                l.pick(
                    format!(
                        "at least {} PersistentVolume(s){phase}{}",
                        p.count,
                        policy.map(|r| format!(" with reclaim policy {r}")).unwrap_or_default()
                    ),
                    format!(
                        "{}{} の PersistentVolume が {} 個以上",
                        policy.map(|r| format!("reclaimPolicy {r}、")).unwrap_or_default(),
                        phase.trim(),
                        p.count
                    ),
                )
            }
            Check::ConfigMap(c) => l.pick(
                format!("ConfigMap {} has {}={}{}", c.name, c.key, c.value, ns_suffix(l, &c.namespace)),
                format!("ConfigMap {} の {} が {}{}", c.name, c.key, c.value, ns_suffix(l, &c.namespace)),
            ),
            Check::Node(n) => match (n.count, n.ready) {
                (Some(c), Some(r)) => {
                    l.pick(format!("{c} nodes, {r} of them Ready"), format!("Node が {c} 台、うち Ready が {r} 台"))
                }
                (Some(c), None) => l.pick(format!("{c} nodes"), format!("Node が {c} 台")),
                (None, Some(r)) => l.pick(format!("{r} nodes Ready"), format!("Ready な Node が {r} 台")),
                (None, None) => String::new(),
            },
            Check::Label(m) | Check::Annotation(m) => {
                let (what_en, what_ja) = if matches!(self, Check::Label(_)) {
                    ("label", "ラベル")
                } else {
                    ("annotation", "アノテーション")
                };
                let kv = match &m.value {
                    Some(v) => format!("{}={v}", m.key),
                    None => m.key.clone(),
                };
                l.pick(
                    format!("{} {} has the {what_en} {kv}{}", m.kind, m.name, ns_suffix(l, &m.namespace)),
                    format!("{} {} に{what_ja} {kv} がある{}", m.kind, m.name, ns_suffix(l, &m.namespace)),
                )
            }
            Check::DnsLookup(d) => {
                let name = d.name.as_deref().unwrap_or("a name");
                let name_ja = d.name.as_deref().unwrap_or("名前");
                let from = d.from_selector.as_deref();
                let via = d.search_domain.as_deref();
                match l {
                    Lang::En => format!(
                        "a DNS lookup of {name}{} {}{}",
                        from.map(|s| format!(" from a pod with labels {s}")).unwrap_or_default(),
                        if d.answered { "is answered" } else { "gets no answer" },
                        via.map(|v| format!(" through the search domain {v}")).unwrap_or_default()
                    ),
                    Lang::Ja => format!(
                        "{}{name_ja} の DNS 問い合わせに{}{}",
                        from.map(|s| format!("ラベル {s} の Pod から")).unwrap_or_default(),
                        via.map(|v| format!("検索ドメイン {v} で")).unwrap_or_default(),
                        if d.answered { "答えが返る" } else { "答えが返らない" }
                    ),
                }
            }
            Check::Request(r) => {
                let (to, to_ja) = match r.to.as_deref() {
                    None => ("a server".to_string(), "サーバー".to_string()),
                    Some(t) if t.starts_with(':') => (format!("port {}", &t[1..]), format!("ポート {}", &t[1..])),
                    Some(t) => (t.to_string(), t.to_string()),
                };
                let from = r.from_selector.as_deref();
                let mut how_en = Vec::new();
                let mut how_ja = Vec::new();
                match r.across_nodes {
                    Some(true) => {
                        how_en.push("across nodes through the overlay");
                        how_ja.push("オーバーレイ経由で Node をまたいで");
                    }
                    Some(false) => {
                        how_en.push("within one node");
                        how_ja.push("1 つの Node の中で");
                    }
                    None => {}
                }
                match r.through_service {
                    Some(true) => {
                        how_en.push("through kube-proxy's Service rules");
                        how_ja.push("kube-proxy の Service ルールを通って");
                    }
                    Some(false) => {
                        how_en.push("straight to a pod IP");
                        how_ja.push("Pod の IP へ直接");
                    }
                    None => {}
                }
                let how_en: String = how_en.iter().map(|h| format!(" {h}")).collect();
                match l {
                    Lang::En => format!(
                        "a request to {to}{}{how_en}{}",
                        from.map(|s| format!(" from a pod with labels {s}")).unwrap_or_default(),
                        r.outcome.as_deref().map(|o| format!(" gets {o}")).unwrap_or_else(|| " is made".into())
                    ),
                    Lang::Ja => format!(
                        "{}{}{to_ja} へのリクエスト{}",
                        from.map(|s| format!("ラベル {s} の Pod から")).unwrap_or_default(),
                        how_ja.concat(),
                        r.outcome.as_deref().map(|o| format!("が {o} を受け取る")).unwrap_or_else(|| "を送る".into())
                    ),
                }
            }
            Check::File(f) => {
                let sel = if f.selector.is_empty() {
                    String::new()
                } else {
                    l.pick(format!(" with labels {}", f.selector), format!("ラベル {} の", f.selector))
                };
                let ns = ns_suffix(l, &f.namespace);
                match (l, &f.contains) {
                    (Lang::En, None) => format!("a pod{sel} has the file {}{ns}", f.path),
                    (Lang::En, Some(t)) => format!("a pod{sel} has the file {} containing {t:?}{ns}", f.path),
                    (Lang::Ja, None) => format!("{sel}Pod にファイル {} がある{ns}", f.path),
                    (Lang::Ja, Some(t)) => format!("{sel}Pod のファイル {} に「{t}」が書かれている{ns}", f.path),
                }
            }
            Check::Ran(r) => {
                let with = if r.with.is_empty() {
                    String::new()
                } else {
                    l.pick(format!(" with {}", r.with.join(" ")), format!("（{} 付き）", r.with.join(" ")))
                };
                l.pick(format!("run `{}`{with}", r.command), format!("`{}` を実行する{with}", r.command))
            }
        }
    }

    /// Whether the check holds, and if not, why not yet (in `lang`).
    pub fn evaluate(&self, ctx: &CheckContext, lang: Lang) -> CheckOutcome {
        let l = lang;
        let cluster = ctx.cluster;
        let get = |kind: &str, ns: &str, name: &str| {
            let kind = kind_named(kind)?;
            let ns = if kind.info().namespaced { ns } else { "" };
            cluster.get(kind, ns, name).ok()
        };
        match self {
            Check::ObjectExists(r) => match get(&r.kind, &r.namespace, &r.name) {
                Some(_) => pass(),
                None => fail(l.pick(
                    format!("no {} named {}", r.kind, r.name),
                    format!("{} {} はまだありません", r.kind, r.name),
                )),
            },
            Check::ObjectAbsent(r) => match get(&r.kind, &r.namespace, &r.name) {
                None => pass(),
                Some(o) if o.metadata().deletion_timestamp.is_some() => fail(l.pick(
                    format!("{} {} is still terminating", r.kind, r.name),
                    format!("{} {} はまだ終了処理中です", r.kind, r.name),
                )),
                Some(_) => fail(l.pick(
                    format!("{} {} still exists", r.kind, r.name),
                    format!("{} {} はまだ存在します", r.kind, r.name),
                )),
            },
            Check::Pods(p) => {
                let selector = LabelSelector::parse(&p.selector).unwrap_or_default();
                let selected: Vec<&core::Pod> = cluster
                    .store()
                    .list(Kind::Pod, Some(&p.namespace))
                    .filter_map(|o| match o {
                        Object::Pod(pod) => Some(&**pod),
                        _ => None,
                    })
                    .filter(|pod| pod.metadata.deletion_timestamp.is_none())
                    .filter(|pod| selector.matches(pod.metadata.labels.as_ref()))
                    .collect();
                let n = selected
                    .iter()
                    .filter(|pod| pod_matches(pod, p))
                    .filter(|pod| {
                        p.new.is_none_or(|new| {
                            let uid = pod.metadata.uid.as_deref().unwrap_or_default();
                            new != ctx.pods_before.contains(uid)
                        })
                    })
                    .count();
                let ok = n >= p.min_count && p.max_count.is_none_or(|m| n <= m);
                if ok {
                    pass()
                } else {
                    fail(l.pick(
                        format!("{n} of {} selected pods match now", selected.len()),
                        format!("選ばれた Pod {} 個のうち条件を満たすのは今 {n} 個", selected.len()),
                    ))
                }
            }
            Check::ReplicaSet(r) => match get("ReplicaSet", &r.namespace, &r.name) {
                Some(Object::ReplicaSet(rs)) => {
                    let want = rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
                    let ready = rs.status.as_ref().and_then(|s| s.ready_replicas).unwrap_or(0);
                    let mut why = vec![];
                    if r.replicas.is_some_and(|n| n != want) {
                        why.push(l.pick(format!("replicas is {want}"), format!("replicas は {want}")));
                    }
                    if r.ready_replicas.is_some_and(|n| n != ready) {
                        why.push(l.pick(format!("{ready} ready"), format!("Ready は {ready}")));
                    }
                    outcome(why, l)
                }
                _ => fail(l.pick(
                    format!("no ReplicaSet named {}", r.name),
                    format!("ReplicaSet {} はまだありません", r.name),
                )),
            },
            Check::Deployment(d) => match get("Deployment", &d.namespace, &d.name) {
                Some(Object::Deployment(dep)) => {
                    let spec = dep.spec.clone().unwrap_or_default();
                    let status = dep.status.clone().unwrap_or_default();
                    let mut why = vec![];
                    let mut cmp = |want: Option<i32>, have: i32, en: &str, ja: &str| {
                        if want.is_some_and(|w| w != have) {
                            why.push(l.pick(format!("{en} {have}"), format!("{ja} {have}")));
                        }
                    };
                    cmp(d.replicas, spec.replicas.unwrap_or(1), "replicas is", "replicas は");
                    cmp(d.available_replicas, status.available_replicas.unwrap_or(0), "available:", "利用可能:");
                    cmp(d.updated_replicas, status.updated_replicas.unwrap_or(0), "updated:", "更新済み:");
                    cmp(
                        d.revision_history_limit,
                        spec.revision_history_limit.unwrap_or(10),
                        "revisionHistoryLimit is",
                        "revisionHistoryLimit は",
                    );
                    let revision: i64 = dep
                        .metadata
                        .annotations
                        .as_ref()
                        .and_then(|a| a.get("deployment.kubernetes.io/revision"))
                        .and_then(|r| r.parse().ok())
                        .unwrap_or(0);
                    if d.revision_at_least.is_some_and(|r| revision < r) {
                        why.push(l.pick(format!("at revision {revision}"), format!("リビジョンは {revision}")));
                    }
                    let strategy = spec.strategy.and_then(|s| s.type_).unwrap_or_else(|| "RollingUpdate".into());
                    if d.strategy.as_ref().is_some_and(|s| *s != strategy) {
                        why.push(l.pick(format!("strategy is {strategy}"), format!("strategy は {strategy}")));
                    }
                    let images: Vec<String> = spec
                        .template
                        .spec
                        .iter()
                        .flat_map(|s| s.containers.iter().filter_map(|c| c.image.clone()))
                        .collect();
                    if let Some(i) = &d.image {
                        if !images.contains(i) {
                            why.push(l.pick(
                                format!("image is {}", images.join(", ")),
                                format!("イメージは {}", images.join(", ")),
                            ));
                        }
                    }
                    if let Some(n) = d.replica_sets {
                        let uid = dep.metadata.uid.clone().unwrap_or_default();
                        let owned = cluster
                            .store()
                            .list(Kind::ReplicaSet, Some(&d.namespace))
                            .filter(|o| o.metadata().owner_references.iter().flatten().any(|r| r.uid == uid))
                            .count();
                        if owned != n {
                            why.push(l.pick(format!("owns {owned} ReplicaSets"), format!("ReplicaSet は {owned} 個")));
                        }
                    }
                    outcome(why, l)
                }
                _ => fail(l.pick(
                    format!("no Deployment named {}", d.name),
                    format!("Deployment {} はまだありません", d.name),
                )),
            },
            Check::Service(s) => match get("Service", &s.namespace, &s.name) {
                Some(Object::Service(svc)) => {
                    let mut why = vec![];
                    let t = svc.spec.as_ref().and_then(|x| x.type_.clone()).unwrap_or_else(|| "ClusterIP".into());
                    if s.type_.as_ref().is_some_and(|want| *want != t) {
                        why.push(l.pick(format!("type is {t}"), format!("タイプは {t}")));
                    }
                    if let Some(n) = s.endpoints {
                        let have = ready_endpoints(cluster, &s.namespace, &s.name);
                        if have != n {
                            why.push(l.pick(
                                format!("{have} ready endpoints"),
                                format!("Ready なエンドポイントは {have} 個"),
                            ));
                        }
                    }
                    let spec = svc.spec.clone().unwrap_or_default();
                    let ports = spec.ports.unwrap_or_default();
                    let target = |p: &core::ServicePort| match &p.target_port {
                        Some(IntOrString::Int(n)) => n.to_string(),
                        Some(IntOrString::String(s)) => s.clone(),
                        None => p.port.to_string(),
                    };
                    let port_ok = ports.iter().any(|p| {
                        s.port.is_none_or(|want| p.port == want)
                            && s.target_port.as_ref().is_none_or(|want| *want == target(p))
                    });
                    if (s.port.is_some() || s.target_port.is_some()) && !port_ok {
                        let have: Vec<String> = ports.iter().map(|p| format!("{}→{}", p.port, target(p))).collect();
                        why.push(
                            l.pick(format!("ports are {}", have.join(", ")), format!("ポートは {}", have.join("、"))),
                        );
                    }
                    if let Some(n) = s.node_port {
                        if !ports.iter().any(|p| p.node_port == Some(n)) {
                            why.push(l.pick(format!("no nodePort {n}"), format!("nodePort {n} はありません")));
                        }
                    }
                    if let Some(want) = s.external_ip {
                        let has = svc
                            .status
                            .as_ref()
                            .and_then(|st| st.load_balancer.as_ref())
                            .and_then(|lb| lb.ingress.as_ref())
                            .is_some_and(|i| !i.is_empty());
                        if has != want {
                            why.push(if has {
                                l.pick("it has an external IP".into(), "外部 IP があります".into())
                            } else {
                                l.pick(
                                    "no external IP yet (pending)".into(),
                                    "外部 IP はまだありません（pending）".into(),
                                )
                            });
                        }
                    }
                    if let Some(want) = &s.external_name {
                        let have = spec.external_name.unwrap_or_default();
                        if have != *want {
                            why.push(l.pick(format!("externalName is {have:?}"), format!("externalName は {have:?}")));
                        }
                    }
                    outcome(why, l)
                }
                _ => {
                    fail(l.pick(format!("no Service named {}", s.name), format!("Service {} はまだありません", s.name)))
                }
            },
            Check::Pvc(p) => match get("PersistentVolumeClaim", &p.namespace, &p.name) {
                Some(Object::PersistentVolumeClaim(c)) => {
                    let phase = c.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_else(|| "Pending".into());
                    if phase == p.phase {
                        pass()
                    } else {
                        fail(l.pick(format!("it is {phase}"), format!("今は {phase}")))
                    }
                }
                _ => fail(l.pick(format!("no claim named {}", p.name), format!("PVC {} はまだありません", p.name))),
            },
            Check::Pv(p) => {
                let n = cluster
                    .store()
                    .list(Kind::PersistentVolume, None)
                    .filter(|o| match o {
                        Object::PersistentVolume(pv) => {
                            let phase = pv.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("Pending");
                            let policy = pv
                                .spec
                                .as_ref()
                                .and_then(|s| s.persistent_volume_reclaim_policy.as_deref())
                                .unwrap_or("Retain");
                            p.phase.as_deref().is_none_or(|x| x == phase)
                                && p.reclaim_policy.as_deref().is_none_or(|x| x == policy)
                        }
                        _ => false,
                    })
                    .count();
                if n >= p.count {
                    pass()
                } else {
                    fail(l.pick(format!("{n} such volumes"), format!("該当する PV は {n} 個")))
                }
            }
            Check::ConfigMap(c) => match get("ConfigMap", &c.namespace, &c.name) {
                Some(Object::ConfigMap(cm)) => match cm.data.as_ref().and_then(|d| d.get(&c.key)) {
                    Some(v) if *v == c.value => pass(),
                    Some(v) => fail(l.pick(format!("{} is {v}", c.key), format!("{} は {v}", c.key))),
                    None => fail(l.pick(format!("no key {}", c.key), format!("キー {} はありません", c.key))),
                },
                _ => fail(
                    l.pick(format!("no ConfigMap named {}", c.name), format!("ConfigMap {} はまだありません", c.name)),
                ),
            },
            Check::Node(n) => {
                let nodes: Vec<&Object> = cluster.store().list(Kind::Node, None).collect();
                let ready = nodes
                    .iter()
                    .filter(|o| match o {
                        Object::Node(node) => node
                            .status
                            .as_ref()
                            .and_then(|s| s.conditions.as_ref())
                            .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True")),
                        _ => false,
                    })
                    .count();
                if n.count.is_none_or(|c| c == nodes.len()) && n.ready.is_none_or(|r| r == ready) {
                    pass()
                } else {
                    fail(l.pick(
                        format!("{} nodes, {ready} Ready", nodes.len()),
                        format!("Node は {} 台、Ready は {ready} 台", nodes.len()),
                    ))
                }
            }
            Check::Label(m) | Check::Annotation(m) => match get(&m.kind, &m.namespace, &m.name) {
                Some(o) => {
                    let map: Option<&BTreeMap<String, String>> = if matches!(self, Check::Label(_)) {
                        o.metadata().labels.as_ref()
                    } else {
                        o.metadata().annotations.as_ref()
                    };
                    match (map.and_then(|m2| m2.get(&m.key)), &m.value) {
                        (Some(v), Some(want)) if v != want => {
                            fail(l.pick(format!("{} is {v}", m.key), format!("{} は {v}", m.key)))
                        }
                        (Some(_), _) => pass(),
                        (None, _) => fail(l.pick(format!("no {} yet", m.key), format!("{} はまだありません", m.key))),
                    }
                }
                None => fail(l.pick(
                    format!("no {} named {}", m.kind, m.name),
                    format!("{} {} はまだありません", m.kind, m.name),
                )),
            },
            Check::DnsLookup(d) => {
                let hit = cluster.traces().iter().filter(|t| t.seq >= ctx.traces_from).any(|t| {
                    let TraceKind::Lookup { name } = &t.kind else { return false };
                    let answered = !(t.outcome == "NXDOMAIN"
                        || t.outcome.starts_with("timed out")
                        || t.outcome.starts_with("no nameserver"));
                    d.name.as_ref().is_none_or(|n| n == name)
                        && answered == d.answered
                        && d.search_domain.as_ref().is_none_or(|want| answered_via(&t.hops) == Some(want.as_str()))
                        && from_matches(cluster, &t.client, d.from_selector.as_deref(), &d.namespace)
                });
                if hit {
                    pass()
                } else {
                    fail(l.pick("no such lookup yet".into(), "まだそのような問い合わせはありません".into()))
                }
            }
            Check::Request(r) => {
                let hit = cluster.traces().iter().filter(|t| t.seq >= ctx.traces_from).any(|t| {
                    let TraceKind::Connect { host, port } = &t.kind else { return false };
                    let to_ok = r.to.as_ref().is_none_or(|to| match to.rsplit_once(':') {
                        Some((h, p)) => (h.is_empty() || h == host) && p == port.to_string(),
                        None => to == host,
                    });
                    let overlay = t.hops.iter().any(|h| matches!(h, Hop::Vxlan { .. }));
                    let proxied = t.hops.iter().any(|h| matches!(h, Hop::KubeProxy { .. }));
                    to_ok
                        && r.outcome.as_ref().is_none_or(|o| t.outcome.starts_with(o.as_str()))
                        && r.across_nodes.is_none_or(|want| want == overlay)
                        && r.through_service.is_none_or(|want| want == proxied)
                        && from_matches(cluster, &t.client, r.from_selector.as_deref(), &r.namespace)
                });
                if hit {
                    pass()
                } else {
                    fail(l.pick("no such request yet".into(), "まだそのようなリクエストはありません".into()))
                }
            }
            Check::File(f) => {
                let selector = LabelSelector::parse(&f.selector).unwrap_or_default();
                let found = cluster
                    .store()
                    .list(Kind::Pod, Some(&f.namespace))
                    .filter_map(|o| match o {
                        Object::Pod(pod) => Some(&**pod),
                        _ => None,
                    })
                    .filter(|pod| pod.metadata.deletion_timestamp.is_none())
                    .filter(|pod| selector.matches(pod.metadata.labels.as_ref()))
                    .filter_map(|pod| {
                        let (_, run) = cluster.pod_run(&f.namespace, &pod.metadata.name.clone().unwrap_or_default())?;
                        let texts: Vec<String> = run
                            .containers
                            .iter()
                            .filter_map(|c| engine::kubelet::host::read_container_file(pod, run, &c.name, &f.path))
                            .collect();
                        Some(texts)
                    })
                    .flatten()
                    .collect::<Vec<_>>();
                if found.iter().any(|t| f.contains.as_ref().is_none_or(|c| t.contains(c.as_str()))) {
                    pass()
                } else if found.is_empty() {
                    fail(
                        l.pick(
                            "no selected pod has that file".into(),
                            "選ばれた Pod にそのファイルはありません".into(),
                        ),
                    )
                } else {
                    fail(l.pick("the file does not contain it yet".into(), "ファイルにはまだ書かれていません".into()))
                }
            }
            Check::Ran(r) => {
                if ctx.commands.iter().any(|c| c.exit_code == 0 && ran_matches(r, &c.words)) {
                    pass()
                } else {
                    fail(l.pick("not run yet".into(), "まだ実行されていません".into()))
                }
            }
        }
    }
}

/// The search domain of the query CoreDNS answered with an address or a CNAME (`None` when no query was
/// answered, or the answered one was the name as given).
fn answered_via(hops: &[Hop]) -> Option<&str> {
    let answered = hops.iter().find_map(|h| match h {
        Hop::Answer { query, answer } if answer != "NXDOMAIN" => Some(query),
        _ => None,
    })?;
    hops.iter().find_map(|h| match h {
        Hop::Query { query, search_domain, .. } if query == answered => search_domain.as_deref(),
        _ => None,
    })
}

fn outcome(why: Vec<String>, l: Lang) -> CheckOutcome {
    if why.is_empty() {
        pass()
    } else {
        fail(why.join(l.pick(", ", "、")))
    }
}

fn pod_matches(pod: &core::Pod, p: &PodsCheck) -> bool {
    let status = pod.status.clone().unwrap_or_default();
    let phase = status.phase.clone().unwrap_or_else(|| "Pending".into());
    let statuses = status.container_statuses.unwrap_or_default();
    let containers = pod.spec.as_ref().map(|s| s.containers.len()).unwrap_or(0);
    let ready = !statuses.is_empty() && statuses.len() == containers && statuses.iter().all(|c| c.ready);
    let restarts: i32 = statuses.iter().map(|c| c.restart_count).sum();
    p.phase.as_ref().is_none_or(|x| *x == phase)
        && p.ready.is_none_or(|r| r == ready)
        && p.containers.is_none_or(|c| c == containers)
        && p.restarts_at_least.is_none_or(|r| restarts >= r)
        && p.restarts_at_most.is_none_or(|r| restarts <= r)
        && p.node.as_ref().is_none_or(|n| pod.spec.as_ref().and_then(|s| s.node_name.as_ref()) == Some(n))
}

/// Ready addresses in the EndpointSlices of Service `name`.
fn ready_endpoints(cluster: &Cluster, namespace: &str, name: &str) -> usize {
    cluster
        .store()
        .list(Kind::EndpointSlice, Some(namespace))
        .filter_map(|o| match o {
            Object::EndpointSlice(s) => Some(s),
            _ => None,
        })
        .filter(|s| {
            s.metadata.labels.as_ref().and_then(|l| l.get("kubernetes.io/service-name")).map(String::as_str)
                == Some(name)
        })
        .flat_map(|s| s.endpoints.iter())
        .filter(|e| e.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true))
        .map(|e| e.addresses.len())
        .sum()
}

/// Whether a trace's client (`namespace/pod`) is a pod of `namespace` matching `selector` (any client when no
/// selector is given).
fn from_matches(cluster: &Cluster, client: &str, selector: Option<&str>, namespace: &str) -> bool {
    let Some(selector) = selector else { return true };
    let Some((ns, pod)) = client.split_once('/') else { return false };
    if ns != namespace {
        return false;
    }
    let sel = LabelSelector::parse(selector).unwrap_or_default();
    cluster.get(Kind::Pod, ns, pod).is_ok_and(|o| sel.matches(o.metadata().labels.as_ref()))
}

/// Whether `words` (flags skipped) start with the check's command, resource words matching any of their
/// kind's names, and contain every `with` string.
fn ran_matches(r: &RanCheck, words: &[String]) -> bool {
    // Flags are skipped, with the value of the common value-taking ones written as a separate word.
    const VALUE_FLAGS: &[&str] =
        &["-n", "--namespace", "-l", "--selector", "-o", "--output", "-c", "--container", "-f", "--filename"];
    let mut plain: Vec<&String> = Vec::new();
    let mut it = words.iter();
    while let Some(w) = it.next() {
        if w == "--" {
            plain.extend(it.by_ref());
        } else if VALUE_FLAGS.contains(&w.as_str()) {
            it.next();
        } else if !w.starts_with('-') {
            plain.push(w);
        }
    }
    let want: Vec<&str> = r.command.split_whitespace().collect();
    let prefix = plain.len() >= want.len()
        && want.iter().zip(&plain).all(|(w, got)| {
            *w == got.as_str() || matches!((kind_of_word(w), kind_of_word(got)), (Some(a), Some(b)) if a == b)
        });
    prefix && r.with.iter().all(|s| words.iter().any(|w| w.contains(s.as_str())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(yaml: &str) -> Check {
        let c: Check = serde_yaml::from_str(yaml).unwrap_or_else(|e| panic!("{yaml}: {e}"));
        c.validate().unwrap();
        c
    }

    fn eval(c: &Check, cluster: &Cluster, commands: &[RanCommand]) -> CheckOutcome {
        c.evaluate(&CheckContext { cluster, commands, traces_from: 0, pods_before: &BTreeSet::new() }, Lang::En)
    }

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn new_pods_are_those_created_since_the_step_began() {
        let cluster = Cluster::new(0);
        let c = check("pods: {selector: k8s-app=kube-proxy, namespace: kube-system, new: true, min_count: 5}");
        assert_eq!(
            c.label(Lang::En),
            "at least 5 pods with labels k8s-app=kube-proxy, created in this step in namespace kube-system"
        );
        // With no pods before the step, every pod is new; with the cluster's pods before, none is.
        assert!(eval(&c, &cluster, &[]).pass);
        let before: BTreeSet<String> =
            cluster.store().list(Kind::Pod, None).filter_map(|o| o.metadata().uid.clone()).collect();
        let ctx = CheckContext { cluster: &cluster, commands: &[], traces_from: 0, pods_before: &before };
        assert_eq!(c.evaluate(&ctx, Lang::En).detail, "0 of 5 selected pods match now");
        let old = check("pods: {selector: k8s-app=kube-proxy, namespace: kube-system, new: false, min_count: 5}");
        assert!(old.evaluate(&ctx, Lang::En).pass);
    }

    #[test]
    fn nodes_and_system_pods_of_the_default_cluster() {
        let cluster = Cluster::new(0);
        assert!(eval(&check("node: {count: 5, ready: 5}"), &cluster, &[]).pass);
        let six = eval(&check("node: {count: 6}"), &cluster, &[]);
        assert_eq!(six, CheckOutcome { pass: false, detail: "5 nodes, 5 Ready".into() });
        let c = check("pods: {selector: k8s-app=kube-proxy, namespace: kube-system, phase: Running, ready: true, min_count: 5, max_count: 5}");
        assert!(eval(&c, &cluster, &[]).pass);
        assert_eq!(
            c.label(Lang::En),
            "exactly 5 pods with labels k8s-app=kube-proxy, Running, ready in namespace kube-system"
        );
        assert_eq!(
            c.label(Lang::Ja),
            "ラベル k8s-app=kube-proxy のPod がRunning でReady で ちょうど 5 個（名前空間 kube-system）"
        );
        let dns = check("deployment: {name: coredns, namespace: kube-system, available_replicas: 2, replica_sets: 1}");
        assert!(eval(&dns, &cluster, &[]).pass, "{:?}", eval(&dns, &cluster, &[]));
        let svc = check("service: {name: kube-dns, namespace: kube-system, endpoints: 2, type: ClusterIP}");
        assert!(eval(&svc, &cluster, &[]).pass, "{:?}", eval(&svc, &cluster, &[]));
        assert!(eval(&check("object_exists: {kind: Node, name: worker-1}"), &cluster, &[]).pass);
        assert!(eval(&check("object_absent: {kind: Pod, name: web}"), &cluster, &[]).pass);
        let label = check("label: {kind: Node, name: control-plane-1, key: node-role.kubernetes.io/control-plane}");
        assert!(eval(&label, &cluster, &[]).pass);
        let wrong = check("label: {kind: Node, name: worker-1, key: kubernetes.io/hostname, value: worker-2}");
        assert_eq!(eval(&wrong, &cluster, &[]).detail, "kubernetes.io/hostname is worker-1");
        assert!(eval(&check("pv: {count: 1}"), &cluster, &[]).detail.contains("0 such volumes"));
    }

    #[test]
    fn ran_matches_kind_aliases_and_skips_flags() {
        let cluster = Cluster::new(0);
        let c = check("ran: {command: kubectl describe pod}");
        let ran = |s: &str, code| vec![RanCommand { words: words(s), exit_code: code }];
        assert!(eval(&c, &cluster, &ran("kubectl describe pods web", 0)).pass);
        assert!(eval(&c, &cluster, &ran("kubectl describe po/web", 0)).pass);
        assert!(!eval(&c, &cluster, &ran("kubectl describe pod nope", 1)).pass, "failed commands do not count");
        assert!(!eval(&c, &cluster, &ran("kubectl describe node x", 0)).pass);
        assert!(
            eval(&check("ran: {command: kubectl get pods}"), &cluster, &ran("kubectl get -n kube-system pods", 0)).pass
        );
        let with = check("ran: {command: kubectl get pods, with: [-l]}");
        assert!(!eval(&with, &cluster, &ran("kubectl get pods", 0)).pass);
        assert!(eval(&with, &cluster, &ran("kubectl get pods -l app=web", 0)).pass);
        assert_eq!(with.label(Lang::En), "run `kubectl get pods` with -l");
        assert_eq!(with.label(Lang::Ja), "`kubectl get pods` を実行する（-l 付き）");
    }

    fn kubectl(c: &mut Cluster, line: &str) {
        let out = kubectl::run(c, &words(line), &kubectl::Io::none());
        assert_eq!(out.exit_code, 0, "{line}: {out:?}");
        c.settle();
    }

    #[test]
    fn services_requests_and_lookups() {
        let mut c = Cluster::new(0);
        kubectl(&mut c, "create deployment web --image=nginx --replicas=2");
        kubectl(&mut c, "expose deployment web --port=8080 --target-port=80");
        kubectl(&mut c, "create configmap settings --from-literal=color=blue");
        kubectl(&mut c, "run client --image=busybox -- sleep 3600");
        c.step(20_000);
        let svc = check("service: {name: web, type: ClusterIP, port: 8080, target_port: '80', endpoints: 2}");
        assert!(eval(&svc, &c, &[]).pass, "{:?}", eval(&svc, &c, &[]));
        assert_eq!(
            svc.label(Lang::En),
            "Service web is of type ClusterIP and has 2 ready endpoints and sends port 8080 to targetPort 80"
        );
        let wrong = check("service: {name: web, port: 80, external_ip: true}");
        assert_eq!(eval(&wrong, &c, &[]).detail, "ports are 8080→80, no external IP yet (pending)");
        let cm = check("config_map: {name: settings, key: color, value: green}");
        assert_eq!(eval(&cm, &c, &[]).detail, "color is blue");
        assert_eq!(cm.label(Lang::Ja), "ConfigMap settings の color が green");

        let proxied =
            check("request: {to: 'web:8080', from_selector: run=client, through_service: true, outcome: HTTP 200}");
        let direct = check("request: {from_selector: run=client, through_service: false}");
        assert!(!eval(&proxied, &c, &[]).pass);
        kubectl(&mut c, "exec client -- wget -qO- web:8080");
        assert!(eval(&proxied, &c, &[]).pass, "{:?}", c.traces().last());
        assert!(!eval(&direct, &c, &[]).pass);
        let any_host = check("request: {to: ':8080'}");
        assert!(eval(&any_host, &c, &[]).pass);
        assert_eq!(any_host.label(Lang::En), "a request to port 8080 is made");

        let search =
            check("dns_lookup: {name: web, from_selector: run=client, search_domain: default.svc.cluster.local}");
        let as_given = check("dns_lookup: {name: web, search_domain: svc.cluster.local}");
        kubectl(&mut c, "exec client -- nslookup web");
        assert!(eval(&search, &c, &[]).pass);
        assert!(!eval(&as_given, &c, &[]).pass, "answered through the first search domain, not the second");
    }

    #[test]
    fn invalid_checks_are_refused() {
        let bad = |y: &str| {
            let c: Result<Check, _> = serde_yaml::from_str(y);
            match c {
                Ok(c) => c.validate().unwrap_err(),
                Err(e) => e.to_string(),
            }
        };
        assert!(bad("object_exists: {kind: Pods, name: x}").contains("unknown kind \"Pods\""));
        assert!(bad("pods: {selector: 'app in (a'}").contains("bad selector"));
        assert!(bad("pods: {selector: app=x, min_count: 3, max_count: 2}").contains("max_count"));
        assert!(bad("pods: {selectr: app=x}").contains("unknown field `selectr`"));
        assert!(bad("deployment: {name: x, strategy: Blue}").contains("unknown strategy"));
        assert!(bad("teleport: {name: x}").contains("unknown variant `teleport`"));
    }
}
