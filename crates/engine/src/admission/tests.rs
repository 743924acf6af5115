//! Tests of the public admission API against the captures of a real v1.34 apiserver and kubectl
//! (`/work/shared/k8s/kubectl-truth`: `responses/422-run-My_Pod.json`, `422-service-two-causes.json`,
//! `out/07-run-My_Pod.txt`, `out/07-create-f-bad-svc-two-causes.txt`).

use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{Container, Pod, PodSpec, Service, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::*;

const POD_NAME_ERROR: &str = "metadata.name: Invalid value: \"My_Pod\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const SVC_NAME_ERROR: &str = "metadata.name: Invalid value: \"Bad_Svc\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const SVC_PORT_ERROR: &str = "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive";

fn meta(name: &str) -> ObjectMeta {
    ObjectMeta { name: Some(name.into()), namespace: Some("default".into()), ..Default::default() }
}

/// `kubectl run My_Pod --image=nginx`, as decoded, defaulted and validated.
fn my_pod() -> Object {
    let container = Container { name: "My_Pod".into(), image: Some("nginx".into()), ..Default::default() };
    let spec = PodSpec { containers: vec![container], ..Default::default() };
    let mut obj = Object::from(Pod { metadata: meta("My_Pod"), spec: Some(spec), status: None });
    apply_defaults(&mut obj);
    obj
}

/// `bad-svc.yaml`: a Service named `Bad_Svc` with port 0 (target port 80).
fn bad_svc() -> Object {
    let port = ServicePort { port: 0, target_port: Some(IntOrString::Int(80)), ..Default::default() };
    let spec = ServiceSpec {
        ports: Some(vec![port]),
        selector: Some([("app".into(), "web".into())].into()),
        ..Default::default()
    };
    let mut obj = Object::from(Service { metadata: meta("Bad_Svc"), spec: Some(spec), status: None });
    apply_defaults(&mut obj);
    obj
}

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

#[test]
fn one_cause_matches_the_captures() {
    // `kubectl run` names the container after the pod, so the source reports the container name too (the
    // captured 422 came from a stand-in server that returned only the first cause).
    let all = validate_create(&my_pod());
    let got: Vec<String> = all.iter().map(|e| e.to_string()).collect();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0], POD_NAME_ERROR);
    assert!(got[1].starts_with("spec.containers[0].name: Invalid value: \"My_Pod\": a lowercase RFC 1123 label"));
    let errs = &all[..1];
    assert_eq!(
        invalid_message(&qualified_kind(Kind::Pod), "My_Pod", errs),
        format!("Pod \"My_Pod\" is invalid: {POD_NAME_ERROR}")
    );
    assert_eq!(
        kubectl_invalid_message(Kind::Pod, "My_Pod", errs),
        format!("The Pod \"My_Pod\" is invalid: {POD_NAME_ERROR}")
    );
    let status = invalid_status(Kind::Pod, "My_Pod", errs);
    let cause = status.details.and_then(|d| d.causes).and_then(|c| c.into_iter().next()).unwrap_or_default();
    assert_eq!(cause.reason.as_deref(), Some("FieldValueInvalid"));
    assert_eq!(cause.field.as_deref(), Some("metadata.name"));
    assert_eq!(cause.message, POD_NAME_ERROR.strip_prefix("metadata.name: ").map(str::to_string));
    let err = invalid_error(Kind::Pod, "My_Pod", errs);
    assert_eq!((err.code, err.reason), (422, "Invalid"));
}

#[test]
fn two_causes_match_the_captures() {
    let errs = validate_create(&bad_svc());
    assert_eq!(errs.iter().map(|e| e.to_string()).collect::<Vec<_>>(), [SVC_NAME_ERROR, SVC_PORT_ERROR]);
    assert_eq!(
        invalid_message("Service", "Bad_Svc", &errs),
        format!("Service \"Bad_Svc\" is invalid: [{SVC_NAME_ERROR}, {SVC_PORT_ERROR}]")
    );
    assert_eq!(
        kubectl_invalid_message(Kind::Service, "Bad_Svc", &errs),
        format!("The Service \"Bad_Svc\" is invalid: \n* {SVC_NAME_ERROR}\n* {SVC_PORT_ERROR}")
    );
}

#[test]
fn group_kinds_name_their_group() {
    assert_eq!(qualified_kind(Kind::Deployment), "Deployment.apps");
    assert_eq!(qualified_kind(Kind::ConfigMap), "ConfigMap");
    assert_eq!(invalid_message("Deployment.apps", "web", &[]), "Deployment.apps \"web\" is invalid");
}

#[test]
fn pods_get_admission_defaults() {
    let Object::Pod(p) = my_pod() else { return };
    let spec = p.spec.unwrap_or_default();
    assert_eq!(spec.service_account_name.as_deref(), Some("default"));
    assert_eq!(spec.priority, Some(0));
    assert_eq!(spec.tolerations.map(|t| t.len()), Some(2));
}

#[test]
fn job_selector_generation() {
    let mut job = Job { metadata: ObjectMeta { uid: Some("u-1".into()), ..meta("pi") }, ..Default::default() };
    prepare_job_selector(&mut job);
    let labels = job_selector_labels("u-1", "pi");
    assert_eq!(labels.len(), 4);
    let spec = job.spec.unwrap_or_default();
    assert_eq!(spec.template.metadata.and_then(|m| m.labels), Some(labels.clone()));
    let selector = spec.selector.and_then(|s| s.match_labels).unwrap_or_default();
    assert_eq!(
        selector.into_iter().collect::<Vec<_>>(),
        [("batch.kubernetes.io/controller-uid".to_string(), "u-1".to_string())]
    );
    assert_eq!(job.metadata.labels, Some(labels));
}

#[test]
fn node_port_allocator_messages() {
    assert_eq!(
        node_port_out_of_range(0, 80, (30000, 32767)).to_string(),
        "spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767"
    );
    assert_eq!(
        node_port_already_allocated(1, 30080).to_string(),
        "spec.ports[1].nodePort: Invalid value: 30080: provided port is already allocated"
    );
}
