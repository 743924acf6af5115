//! Containers and pod templates: `describeContainers` (shared by pods and every workload's
//! `Pod Template:`), `DescribePodTemplate` and `DescribeProbe`.

use std::collections::BTreeMap;

use engine::api::api::core::v1::{
    Container, ContainerState, ContainerStatus, EnvVar, Pod, PodSpec, PodTemplateSpec, Probe, ResourceRequirements,
    TopologySpreadConstraint,
};
use engine::api::apimachinery::pkg::api::resource::Quantity;
use engine::api::apimachinery::pkg::util::intstr::IntOrString;

use super::gosort;
use super::quantity::{show, Qty};
use super::selector::format_label_selector;
use super::tabwriter::{PrefixWriter, LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3};
use super::text::{annotations_multiline, date, go_bool_title, go_slice, labels_multiline, opt, tolerations_multiline};
use super::volumes::describe_volumes;

/// `describeContainers`. `statuses` is `None` for templates; `pod` resolves `fieldRef` environment
/// values (only for pods). `space` is the template indentation (`"  "`) or empty.
pub fn describe_containers(
    w: &mut PrefixWriter,
    label: &str,
    containers: &[Container],
    statuses: Option<&Vec<ContainerStatus>>,
    pod: Option<&Pod>,
    space: &str,
) {
    let none = if containers.is_empty() { " <none>" } else { "" };
    w.write(LEVEL_0, &format!("{space}{label}:{none}\n"));
    for c in containers {
        let status = statuses.and_then(|s| s.iter().find(|s| s.name == c.name));
        basic_info(w, c, status, space);
        command(w, c);
        if let Some(status) = status {
            state(w, status);
        }
        describe_resources(w, c.resources.as_ref(), LEVEL_2);
        probes(w, c);
        if c.env_from.as_ref().is_some_and(|e| !e.is_empty()) {
            env_from(w, c);
        }
        env_vars(w, c, pod);
        mounts(w, c);
    }
}

fn basic_info(w: &mut PrefixWriter, c: &Container, status: Option<&ContainerStatus>, space: &str) {
    let name_indent = if space.is_empty() { "" } else { " " };
    w.write(LEVEL_1, &format!("{name_indent}{}:\n", c.name));
    if let Some(s) = status {
        w.write(LEVEL_2, &format!("Container ID:\t{}\n", opt(&s.container_id)));
    }
    w.write(LEVEL_2, &format!("Image:\t{}\n", opt(&c.image)));
    if let Some(s) = status {
        w.write(LEVEL_2, &format!("Image ID:\t{}\n", s.image_id));
    }
    let ports = c.ports.as_deref().unwrap_or_default();
    let port_list: Vec<String> = ports.iter().map(|p| format!("{}/{}", p.container_port, opt(&p.protocol))).collect();
    let host_list: Vec<String> =
        ports.iter().map(|p| format!("{}/{}", p.host_port.unwrap_or(0), opt(&p.protocol))).collect();
    let (port_string, host_string) = (port_list.join(", "), host_list.join(", "));
    if port_string.contains(',') {
        w.write(LEVEL_2, &format!("Ports:\t{port_string}\n"));
    } else {
        w.write(LEVEL_2, &format!("Port:\t{}\n", or_none(&port_string)));
    }
    if host_string.contains(',') {
        w.write(LEVEL_2, &format!("Host Ports:\t{host_string}\n"));
    } else {
        w.write(LEVEL_2, &format!("Host Port:\t{}\n", or_none(&host_string)));
    }
    if let Some(profile) = c.security_context.as_ref().and_then(|s| s.seccomp_profile.as_ref()) {
        w.write(LEVEL_2, &format!("SeccompProfile:\t{}\n", profile.type_));
        if profile.type_ == "Localhost" {
            w.write(LEVEL_3, &format!("LocalhostProfile:\t{}\n", opt(&profile.localhost_profile)));
        }
    }
}

/// `stringOrNone`.
pub fn or_none(s: &str) -> &str {
    if s.is_empty() {
        "<none>"
    } else {
        s
    }
}

fn command(w: &mut PrefixWriter, c: &Container) {
    for (title, items) in [("Command", &c.command), ("Args", &c.args)] {
        let Some(items) = items.as_ref().filter(|v| !v.is_empty()) else { continue };
        w.write(LEVEL_2, &format!("{title}:\n"));
        for item in items {
            for line in item.split('\n') {
                w.write(LEVEL_3, &format!("{line}\n"));
            }
        }
    }
}

fn state(w: &mut PrefixWriter, s: &ContainerStatus) {
    describe_status(w, "State", s.state.as_ref());
    if s.last_state.as_ref().is_some_and(|l| l.terminated.is_some()) {
        describe_status(w, "Last State", s.last_state.as_ref());
    }
    w.write(LEVEL_2, &format!("Ready:\t{}\n", go_bool_title(s.ready)));
    w.write(LEVEL_2, &format!("Restart Count:\t{}\n", s.restart_count));
}

/// `describeStatus`: a state with no field set reads as `Waiting`; a waiting message is not shown.
fn describe_status(w: &mut PrefixWriter, name: &str, state: Option<&ContainerState>) {
    let state = state.cloned().unwrap_or_default();
    if let Some(running) = &state.running {
        w.write(LEVEL_2, &format!("{name}:\tRunning\n"));
        w.write(LEVEL_3, &format!("Started:\t{}\n", date(running.started_at.as_ref())));
    } else if let Some(waiting) = &state.waiting {
        w.write(LEVEL_2, &format!("{name}:\tWaiting\n"));
        if !opt(&waiting.reason).is_empty() {
            w.write(LEVEL_3, &format!("Reason:\t{}\n", opt(&waiting.reason)));
        }
    } else if let Some(t) = &state.terminated {
        w.write(LEVEL_2, &format!("{name}:\tTerminated\n"));
        if !opt(&t.reason).is_empty() {
            w.write(LEVEL_3, &format!("Reason:\t{}\n", opt(&t.reason)));
        }
        if !opt(&t.message).is_empty() {
            w.write(LEVEL_3, &format!("Message:\t{}\n", opt(&t.message)));
        }
        w.write(LEVEL_3, &format!("Exit Code:\t{}\n", t.exit_code));
        if let Some(signal) = t.signal.filter(|s| *s > 0) {
            w.write(LEVEL_3, &format!("Signal:\t{signal}\n"));
        }
        w.write(LEVEL_3, &format!("Started:\t{}\n", date(t.started_at.as_ref())));
        w.write(LEVEL_3, &format!("Finished:\t{}\n", date(t.finished_at.as_ref())));
    } else {
        w.write(LEVEL_2, &format!("{name}:\tWaiting\n"));
    }
}

/// `describeResources`: `Limits:` then `Requests:`, each resource sorted by name.
pub fn describe_resources(w: &mut PrefixWriter, resources: Option<&ResourceRequirements>, level: usize) {
    let Some(r) = resources else { return };
    for (title, list) in [("Limits", &r.limits), ("Requests", &r.requests)] {
        let Some(list) = list.as_ref().filter(|l| !l.is_empty()) else { continue };
        w.write(level, &format!("{title}:\n"));
        for (name, q) in list {
            w.write(level + 1, &format!("{name}:\t{}\n", show(q)));
        }
    }
}

fn probes(w: &mut PrefixWriter, c: &Container) {
    for (title, probe) in
        [("Liveness", &c.liveness_probe), ("Readiness", &c.readiness_probe), ("Startup", &c.startup_probe)]
    {
        if let Some(p) = probe {
            w.write(LEVEL_2, &format!("{title}:\t{}\n", describe_probe(p)));
        }
    }
}

/// `IntOrString.String()`.
pub fn int_or_string(v: &IntOrString) -> String {
    match v {
        IntOrString::Int(i) => i.to_string(),
        IntOrString::String(s) => s.clone(),
    }
}

/// `net.JoinHostPort`.
fn join_host_port(host: &str, port: &str) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// `DescribeProbe`: `http-get http://:8080/healthz delay=3s timeout=1s period=3s #success=1 #failure=3`.
pub fn describe_probe(p: &Probe) -> String {
    let attrs = format!(
        "delay={}s timeout={}s period={}s #success={} #failure={}",
        p.initial_delay_seconds.unwrap_or(0),
        p.timeout_seconds.unwrap_or(0),
        p.period_seconds.unwrap_or(0),
        p.success_threshold.unwrap_or(0),
        p.failure_threshold.unwrap_or(0)
    );
    if let Some(exec) = &p.exec {
        return format!("exec {} {attrs}", go_slice(exec.command.as_deref().unwrap_or_default()));
    }
    if let Some(h) = &p.http_get {
        let port = int_or_string(&h.port);
        let host = opt(&h.host);
        let host = if port.is_empty() { host.to_string() } else { join_host_port(host, &port) };
        return format!("http-get {} {attrs}", url_string(&opt(&h.scheme).to_lowercase(), &host, opt(&h.path)));
    }
    if let Some(t) = &p.tcp_socket {
        return format!("tcp-socket {}:{} {attrs}", opt(&t.host), int_or_string(&t.port));
    }
    if let Some(g) = &p.grpc {
        return format!("grpc <pod>:{} {} {attrs}", g.port, opt(&g.service));
    }
    format!("unknown {attrs}")
}

/// `url.URL{Scheme, Host, Path}.String()` for the parts a probe sets.
fn url_string(scheme: &str, host: &str, path: &str) -> String {
    let mut s = String::new();
    if !scheme.is_empty() {
        s.push_str(scheme);
        s.push(':');
    }
    if (!scheme.is_empty() || !host.is_empty()) && (!host.is_empty() || !path.is_empty()) {
        s.push_str("//");
        s.push_str(host);
    }
    let escaped = escape_path(path);
    if !escaped.is_empty() && !escaped.starts_with('/') && !host.is_empty() {
        s.push('/');
    }
    // A relative path whose first segment has a colon would read as a scheme (RFC 3986 §4.2).
    if s.is_empty() && escaped.split('/').next().is_some_and(|seg| seg.contains(':')) {
        s.push_str("./");
    }
    s.push_str(&escaped);
    s
}

/// `URL.EscapedPath` for an unescaped path: percent-encodes what a path may not contain.
fn escape_path(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-_.~$&+,/:;=@".contains(&b);
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn env_from(w: &mut PrefixWriter, c: &Container) {
    w.write(LEVEL_2, "Environment Variables from:\n");
    for e in c.env_from.iter().flatten() {
        let (from, name, optional) = if let Some(r) = &e.config_map_ref {
            ("ConfigMap", r.name.as_str(), r.optional.unwrap_or(false))
        } else if let Some(r) = &e.secret_ref {
            ("Secret", r.name.as_str(), r.optional.unwrap_or(false))
        } else {
            ("", "", false)
        };
        let prefix = opt(&e.prefix);
        if prefix.is_empty() {
            w.write(LEVEL_3, &format!("{name}\t{from}\tOptional: {optional}\n"));
        } else {
            w.write(LEVEL_3, &format!("{name}\t{from} with prefix '{prefix}'\tOptional: {optional}\n"));
        }
    }
}

fn env_vars(w: &mut PrefixWriter, c: &Container, pod: Option<&Pod>) {
    let env = c.env.as_deref().unwrap_or_default();
    w.write(LEVEL_2, &format!("Environment:{}\n", if env.is_empty() { "\t<none>" } else { "" }));
    for e in env {
        let Some(from) = &e.value_from else {
            for (i, line) in opt(&e.value).split('\n').enumerate() {
                if i == 0 {
                    w.write(LEVEL_3, &format!("{}:\t{line}\n", e.name));
                } else {
                    w.write(LEVEL_3, &format!("\t{line}\n"));
                }
            }
            continue;
        };
        if let Some(f) = &from.field_ref {
            let value = pod.map(|p| field_value(p, e)).unwrap_or_default();
            let api_version = opt(&f.api_version);
            w.write(LEVEL_3, &format!("{}:\t{value} ({api_version}:{})\n", e.name, f.field_path));
        } else if let Some(r) = &from.resource_field_ref {
            let mut value = container_resource_value(c, &r.resource, r.divisor.as_ref()).unwrap_or_default();
            if value == "0" && (r.resource == "limits.cpu" || r.resource == "limits.memory") {
                value = "node allocatable".to_string();
            }
            w.write(LEVEL_3, &format!("{}:\t{value} ({})\n", e.name, r.resource));
        } else if let Some(s) = &from.secret_key_ref {
            let optional = s.optional.unwrap_or(false);
            w.write(
                LEVEL_3,
                &format!("{}:\t<set to the key '{}' in secret '{}'>\tOptional: {optional}\n", e.name, s.key, s.name),
            );
        } else if let Some(s) = &from.config_map_key_ref {
            let optional = s.optional.unwrap_or(false);
            w.write(
                LEVEL_3,
                &format!(
                    "{}:\t<set to the key '{}' of config map '{}'>\tOptional: {optional}\n",
                    e.name, s.key, s.name
                ),
            );
        }
    }
}

/// `EnvValueRetriever`: kubectl converts the field path with its own client scheme, which knows only
/// `metadata.name` and `metadata.namespace` for pods; every other path resolves to the empty string.
fn field_value(pod: &Pod, e: &EnvVar) -> String {
    let Some(f) = e.value_from.as_ref().and_then(|v| v.field_ref.as_ref()) else { return String::new() };
    match f.field_path.as_str() {
        "metadata.name" => opt(&pod.metadata.name).to_string(),
        "metadata.namespace" => opt(&pod.metadata.namespace).to_string(),
        _ => String::new(),
    }
}

/// `ExtractContainerResourceValue`: the value in units of the divisor, rounded up.
fn container_resource_value(c: &Container, resource: &str, divisor: Option<&Quantity>) -> Option<String> {
    let divisor = divisor.map(Qty::of).filter(|d| !d.is_zero()).unwrap_or_else(|| Qty::parse("1").unwrap_or_default());
    let pick = |list: &Option<BTreeMap<String, Quantity>>, name: &str| {
        list.as_ref().and_then(|l| l.get(name)).map(Qty::of).unwrap_or_default()
    };
    let res = c.resources.clone().unwrap_or_default();
    let ceil = |a: f64, b: f64| ((a / b).ceil() as i64).to_string();
    let (list, name) = resource.split_once('.')?;
    let source = match list {
        "limits" => &res.limits,
        "requests" => &res.requests,
        _ => return None,
    };
    match name {
        "cpu" => Some(ceil(pick(source, name).milli_value() as f64, divisor.milli_value() as f64)),
        "memory" | "ephemeral-storage" => Some(ceil(pick(source, name).value() as f64, divisor.value() as f64)),
        n if n.starts_with("hugepages-") => Some(ceil(pick(source, name).value() as f64, divisor.value() as f64)),
        _ => None,
    }
}

/// `describeContainerVolumes`: mounts sorted by path, then block devices.
fn mounts(w: &mut PrefixWriter, c: &Container) {
    let mut mounts: Vec<_> = c.volume_mounts.iter().flatten().collect();
    let none = if mounts.is_empty() { "\t<none>" } else { "" };
    w.write(LEVEL_2, &format!("Mounts:{none}\n"));
    gosort::sort(&mut mounts, |a, b| a.mount_path < b.mount_path);
    for m in mounts {
        let mut flags = vec![if m.read_only.unwrap_or(false) { "ro".to_string() } else { "rw".to_string() }];
        if let Some(sub) = m.sub_path.as_deref().filter(|s| !s.is_empty()) {
            flags.push(format!("path={}", go_quote(sub)));
        }
        w.write(LEVEL_3, &format!("{} from {} ({})\n", m.mount_path, m.name, flags.join(",")));
    }
    let mut devices: Vec<_> = c.volume_devices.iter().flatten().collect();
    if !devices.is_empty() {
        w.write(LEVEL_2, &format!("Devices:{none}\n"));
        gosort::sort(&mut devices, |a, b| a.device_path < b.device_path);
        for d in devices {
            w.write(LEVEL_3, &format!("{} from {}\n", d.device_path, d.name));
        }
    }
}

pub use engine::admission::gotext::go_quote;

/// `describeTopologySpreadConstraints`.
pub fn topology_spread(w: &mut PrefixWriter, tscs: Option<&Vec<TopologySpreadConstraint>>, space: &str) {
    let mut tscs: Vec<&TopologySpreadConstraint> = tscs.into_iter().flatten().collect();
    if tscs.is_empty() {
        return;
    }
    gosort::sort(&mut tscs, |a, b| a.topology_key < b.topology_key);
    w.write(LEVEL_0, &format!("{space}Topology Spread Constraints:\t"));
    for (i, t) in tscs.iter().enumerate() {
        if i != 0 {
            w.write(LEVEL_0, space);
            w.write(LEVEL_0, "\t");
        }
        let mut s = format!("{}:{} when max skew {} is exceeded", t.topology_key, t.when_unsatisfiable, t.max_skew);
        if t.label_selector.is_some() {
            s.push_str(&format!(" for selector {}", format_label_selector(t.label_selector.as_ref())));
        }
        w.write(LEVEL_0, &format!("{s}\n"));
    }
}

/// `DescribePodTemplate`.
pub fn describe_pod_template(w: &mut PrefixWriter, template: Option<&PodTemplateSpec>) {
    w.write(LEVEL_0, "Pod Template:\n");
    let Some(template) = template else {
        w.write(LEVEL_1, "<unset>");
        return;
    };
    let meta = template.metadata.clone().unwrap_or_default();
    let spec: PodSpec = template.spec.clone().unwrap_or_default();
    labels_multiline(w, "  Labels", meta.labels.as_ref());
    if meta.annotations.as_ref().is_some_and(|a| !a.is_empty()) {
        annotations_multiline(w, "  Annotations", meta.annotations.as_ref());
    }
    if !opt(&spec.service_account_name).is_empty() {
        w.write(LEVEL_1, &format!("Service Account:\t{}\n", opt(&spec.service_account_name)));
    }
    if let Some(init) = spec.init_containers.as_ref().filter(|i| !i.is_empty()) {
        describe_containers(w, "Init Containers", init, None, None, "  ");
    }
    describe_containers(w, "Containers", &spec.containers, None, None, "  ");
    describe_volumes(w, spec.volumes.as_ref(), "  ");
    topology_spread(w, spec.topology_spread_constraints.as_ref(), "  ");
    if !opt(&spec.priority_class_name).is_empty() {
        w.write(LEVEL_1, &format!("Priority Class Name:\t{}\n", opt(&spec.priority_class_name)));
    }
    labels_multiline(w, "  Node-Selectors", spec.node_selector.as_ref());
    tolerations_multiline(w, "  Tolerations", spec.tolerations.as_ref());
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::api::api::core::v1::{ExecAction, HTTPGetAction, TCPSocketAction};

    fn probe() -> Probe {
        Probe {
            initial_delay_seconds: Some(3),
            timeout_seconds: Some(1),
            period_seconds: Some(3),
            success_threshold: Some(1),
            failure_threshold: Some(3),
            ..Default::default()
        }
    }

    #[test]
    fn probe_lines() {
        let http = Probe {
            http_get: Some(HTTPGetAction {
                path: Some("/healthz".into()),
                port: IntOrString::Int(8080),
                scheme: Some("HTTP".into()),
                ..Default::default()
            }),
            ..probe()
        };
        assert_eq!(
            describe_probe(&http),
            "http-get http://:8080/healthz delay=3s timeout=1s period=3s #success=1 #failure=3"
        );
        let exec =
            Probe { exec: Some(ExecAction { command: Some(vec!["cat".into(), "/tmp/healthy".into()]) }), ..probe() };
        assert_eq!(
            describe_probe(&exec),
            "exec [cat /tmp/healthy] delay=3s timeout=1s period=3s #success=1 #failure=3"
        );
        let tcp = Probe {
            tcp_socket: Some(TCPSocketAction { host: None, port: IntOrString::String("db".into()) }),
            ..probe()
        };
        assert_eq!(describe_probe(&tcp), "tcp-socket :db delay=3s timeout=1s period=3s #success=1 #failure=3");
        assert_eq!(describe_probe(&Probe::default()), "unknown delay=0s timeout=0s period=0s #success=0 #failure=0");
    }

    #[test]
    fn quoting_like_go() {
        assert_eq!(go_quote("conf/app.yaml"), "\"conf/app.yaml\"");
        assert_eq!(go_quote("a\"b\n"), "\"a\\\"b\\n\"");
    }
}
