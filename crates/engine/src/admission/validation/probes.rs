//! Probes and lifecycle handlers of containers, from core `validation.go`: `validateProbe` (exactly one
//! handler, non-negative timings), the liveness/startup `successThreshold` rule, `validateLifecycle` with the
//! sleep action, `validateHTTPGetAction` and `ValidatePortNumOrName`.

use k8s_openapi::api::core::v1::{Container, HTTPGetAction, LifecycleHandler, Probe};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::admission::field::{forbidden, invalid, not_supported, required, BadValue, FieldError, GoJson, Path};
use crate::admission::names::{is_http_header_name, is_valid_port_name, is_valid_port_num};

/// The probes of a regular or sidecar container.
pub fn validate_probes(c: &Container, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (field, probe) in [
        ("livenessProbe", &c.liveness_probe),
        ("readinessProbe", &c.readiness_probe),
        ("startupProbe", &c.startup_probe),
    ] {
        let Some(p) = probe else { continue };
        let ppath = path.child(field);
        errs.extend(validate_probe(p, &ppath));
        if field != "readinessProbe" && p.success_threshold.unwrap_or(0) != 1 {
            errs.push(invalid(
                &ppath.child("successThreshold"),
                BadValue::Int(i64::from(p.success_threshold.unwrap_or(0))),
                "must be 1",
            ));
        }
        if field == "readinessProbe" && p.termination_grace_period_seconds.is_some() {
            let v = p.termination_grace_period_seconds.map_or(GoJson::Null, GoJson::Int);
            errs.push(invalid(
                &ppath.child("terminationGracePeriodSeconds"),
                BadValue::Json(v),
                "must not be set for readinessProbes",
            ));
        }
    }
    errs
}

/// `validateProbe`: exactly one handler, non-negative timings, a positive probe-level grace period.
fn validate_probe(p: &Probe, path: &Path) -> Vec<FieldError> {
    let handlers = [
        ("exec", p.exec.is_some()),
        ("httpGet", p.http_get.is_some()),
        ("tcpSocket", p.tcp_socket.is_some()),
        ("grpc", p.grpc.is_some()),
    ];
    let mut errs = validate_handler(&handlers, path, |name, hpath| match name {
        "exec" => exec_command(p.exec.as_ref().and_then(|e| e.command.as_ref()), hpath),
        "httpGet" => p.http_get.as_ref().map(|h| validate_http_get(h, hpath)).unwrap_or_default(),
        "tcpSocket" => {
            p.tcp_socket.as_ref().map(|t| port_num_or_name(&t.port, &hpath.child("port"))).unwrap_or_default()
        }
        _ => p
            .grpc
            .as_ref()
            .map(|g| port_num_or_name(&IntOrString::Int(g.port), &hpath.child("port")))
            .unwrap_or_default(),
    });
    for (field, value) in [
        ("initialDelaySeconds", p.initial_delay_seconds),
        ("timeoutSeconds", p.timeout_seconds),
        ("periodSeconds", p.period_seconds),
        ("successThreshold", p.success_threshold),
        ("failureThreshold", p.failure_threshold),
    ] {
        errs.extend(super::meta::non_negative(i64::from(value.unwrap_or(0)), &path.child(field)));
    }
    if let Some(g) = p.termination_grace_period_seconds.filter(|&g| g <= 0) {
        errs.push(invalid(&path.child("terminationGracePeriodSeconds"), BadValue::Int(g), "must be greater than 0"));
    }
    errs
}

/// `validateHandler`: the first handler set is validated, any further one is "more than 1 handler type".
fn validate_handler(
    handlers: &[(&str, bool)],
    path: &Path,
    check: impl Fn(&str, &Path) -> Vec<FieldError>,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut count = 0;
    for (name, set) in handlers {
        if !set {
            continue;
        }
        let hpath = path.child(name);
        if count > 0 {
            errs.push(forbidden(&hpath, "may not specify more than 1 handler type"));
        } else {
            count += 1;
            errs.extend(check(name, &hpath));
        }
    }
    if count == 0 {
        errs.push(required(path, "must specify a handler type"));
    }
    errs
}

fn exec_command(command: Option<&Vec<String>>, path: &Path) -> Vec<FieldError> {
    if command.is_none_or(|c| c.is_empty()) {
        vec![required(&path.child("command"), "")]
    } else {
        Vec::new()
    }
}

/// `validateLifecycle`: postStart and preStop handlers (exec, httpGet, tcpSocket or sleep).
pub fn validate_lifecycle(
    post_start: Option<&LifecycleHandler>,
    pre_stop: Option<&LifecycleHandler>,
    grace: Option<i64>,
    path: &Path,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (field, handler) in [("postStart", post_start), ("preStop", pre_stop)] {
        let Some(h) = handler else { continue };
        let handlers = [
            ("exec", h.exec.is_some()),
            ("httpGet", h.http_get.is_some()),
            ("tcpSocket", h.tcp_socket.is_some()),
            ("sleep", h.sleep.is_some()),
        ];
        errs.extend(validate_handler(&handlers, &path.child(field), |name, hpath| match name {
            "exec" => exec_command(h.exec.as_ref().and_then(|e| e.command.as_ref()), hpath),
            "httpGet" => h.http_get.as_ref().map(|g| validate_http_get(g, hpath)).unwrap_or_default(),
            "tcpSocket" => {
                h.tcp_socket.as_ref().map(|t| port_num_or_name(&t.port, &hpath.child("port"))).unwrap_or_default()
            }
            _ => {
                // PodLifecycleSleepActionAllowZero is on in v1.34: zero seconds is allowed.
                let seconds = h.sleep.as_ref().map_or(0, |s| s.seconds);
                match grace {
                    Some(g) if seconds < 0 || seconds > g => vec![invalid(
                        hpath,
                        BadValue::Int(seconds),
                        &format!("must be non-negative and less than terminationGracePeriodSeconds ({g})"),
                    )],
                    _ => Vec::new(),
                }
            }
        }));
    }
    errs
}

/// `validateHTTPGetAction`.
fn validate_http_get(h: &HTTPGetAction, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if h.path.as_deref().unwrap_or_default().is_empty() {
        errs.push(required(&path.child("path"), ""));
    }
    errs.extend(port_num_or_name(&h.port, &path.child("port")));
    let scheme = h.scheme.as_deref().unwrap_or_default();
    if scheme != "HTTP" && scheme != "HTTPS" {
        errs.push(not_supported(&path.child("scheme"), BadValue::typed(scheme), &["HTTP", "HTTPS"]));
    }
    for header in h.http_headers.iter().flatten() {
        errs.extend(
            is_http_header_name(&header.name)
                .into_iter()
                .map(|m| invalid(&path.child("httpHeaders"), BadValue::Str(header.name.clone()), &m)),
        );
    }
    errs
}

/// `ValidatePortNumOrName`.
pub fn port_num_or_name(port: &IntOrString, path: &Path) -> Vec<FieldError> {
    match port {
        IntOrString::Int(n) => is_valid_port_num(i64::from(*n))
            .into_iter()
            .map(|m| invalid(path, BadValue::Int(i64::from(*n)), &m))
            .collect(),
        IntOrString::String(s) => {
            is_valid_port_name(s).into_iter().map(|m| invalid(path, BadValue::Str(s.clone()), &m)).collect()
        }
    }
}
