//! Decoding the protobuf request bodies of kubectl's typed clients into JSON.
//!
//! `kubectl create configmap|secret|namespace|deployment|service|job|cronjob|serviceaccount|pdb` and `kubectl run`
//! POST `application/vnd.kubernetes.protobuf` (a `k8s\0` magic, then a `runtime.Unknown` envelope holding the
//! type and the object's bytes) and offer no JSON fallback, so the server must read it. The engine only speaks
//! JSON, so this module turns the bytes into the JSON the same kubectl would have sent, from hand-written
//! tables of the field numbers in the official `generated.proto` files. Only the fields those commands can set
//! are listed; a field that is not listed is skipped.
//!
//! gogo-protobuf writes every non-pointer field, even at its zero value, where JSON would omit it; such zero
//! values are dropped here (they mean "unset" to the apiserver too), except for the pointer fields marked
//! `keep`, where an explicit zero (`replicas: 0`) is meaningful.

use serde_json::{Map, Value};

#[derive(Clone, Copy)]
enum Ty {
    Str,
    Int,
    Bool,
    Msg(&'static [Field]),
    MapStr,
    MapBytes,
    /// `map<string, resource.Quantity>`.
    MapQty,
    /// `metav1.Time`: RFC 3339 in JSON.
    Time,
    IntOrStr,
}

#[derive(Clone, Copy)]
struct Field {
    num: u64,
    name: &'static str,
    ty: Ty,
    repeated: bool,
    /// A pointer field in Go: an explicit zero value is kept.
    keep: bool,
}

const fn f(num: u64, name: &'static str, ty: Ty) -> Field {
    Field { num, name, ty, repeated: false, keep: false }
}
const fn rep(num: u64, name: &'static str, ty: Ty) -> Field {
    Field { num, name, ty, repeated: true, keep: false }
}
const fn keep(num: u64, name: &'static str, ty: Ty) -> Field {
    Field { num, name, ty, repeated: false, keep: true }
}

use Ty::*;

const OWNER_REF: &[Field] = &[
    f(1, "kind", Str),
    f(3, "name", Str),
    f(4, "uid", Str),
    f(5, "apiVersion", Str),
    keep(6, "controller", Bool),
    keep(7, "blockOwnerDeletion", Bool),
];
const OBJECT_META: &[Field] = &[
    f(1, "name", Str),
    f(2, "generateName", Str),
    f(3, "namespace", Str),
    f(5, "uid", Str),
    f(6, "resourceVersion", Str),
    f(7, "generation", Int),
    f(8, "creationTimestamp", Time),
    f(11, "labels", MapStr),
    f(12, "annotations", MapStr),
    rep(13, "ownerReferences", Msg(OWNER_REF)),
    rep(14, "finalizers", Str),
];
const SELECTOR_REQ: &[Field] = &[f(1, "key", Str), f(2, "operator", Str), rep(3, "values", Str)];
const LABEL_SELECTOR: &[Field] = &[f(1, "matchLabels", MapStr), rep(2, "matchExpressions", Msg(SELECTOR_REQ))];
const CONTAINER_PORT: &[Field] =
    &[f(1, "name", Str), f(2, "hostPort", Int), f(3, "containerPort", Int), f(4, "protocol", Str), f(5, "hostIP", Str)];
const ENV_VAR: &[Field] = &[f(1, "name", Str), f(2, "value", Str)];
const RESOURCES: &[Field] = &[f(1, "limits", MapQty), f(2, "requests", MapQty)];
const CONTAINER: &[Field] = &[
    f(1, "name", Str),
    f(2, "image", Str),
    rep(3, "command", Str),
    rep(4, "args", Str),
    f(5, "workingDir", Str),
    rep(6, "ports", Msg(CONTAINER_PORT)),
    rep(7, "env", Msg(ENV_VAR)),
    f(8, "resources", Msg(RESOURCES)),
    f(13, "terminationMessagePath", Str),
    f(14, "imagePullPolicy", Str),
    f(16, "stdin", Bool),
    f(17, "stdinOnce", Bool),
    f(18, "tty", Bool),
    f(20, "terminationMessagePolicy", Str),
];
const POD_SPEC: &[Field] = &[
    rep(2, "containers", Msg(CONTAINER)),
    f(3, "restartPolicy", Str),
    keep(4, "terminationGracePeriodSeconds", Int),
    keep(5, "activeDeadlineSeconds", Int),
    f(6, "dnsPolicy", Str),
    f(7, "nodeSelector", MapStr),
    f(8, "serviceAccountName", Str),
    f(10, "nodeName", Str),
    f(11, "hostNetwork", Bool),
    rep(20, "initContainers", Msg(CONTAINER)),
    f(24, "priorityClassName", Str),
];
const POD_TEMPLATE: &[Field] = &[f(1, "metadata", Msg(OBJECT_META)), f(2, "spec", Msg(POD_SPEC))];
const ROLLING_UPDATE: &[Field] = &[f(1, "maxUnavailable", IntOrStr), f(2, "maxSurge", IntOrStr)];
const STRATEGY: &[Field] = &[f(1, "type", Str), f(2, "rollingUpdate", Msg(ROLLING_UPDATE))];
const DEPLOYMENT_SPEC: &[Field] = &[
    keep(1, "replicas", Int),
    f(2, "selector", Msg(LABEL_SELECTOR)),
    f(3, "template", Msg(POD_TEMPLATE)),
    f(4, "strategy", Msg(STRATEGY)),
    f(5, "minReadySeconds", Int),
    keep(6, "revisionHistoryLimit", Int),
    f(7, "paused", Bool),
    keep(9, "progressDeadlineSeconds", Int),
];
const SERVICE_PORT: &[Field] =
    &[f(1, "name", Str), f(2, "protocol", Str), f(3, "port", Int), f(4, "targetPort", IntOrStr), f(5, "nodePort", Int)];
const SERVICE_SPEC: &[Field] = &[
    rep(1, "ports", Msg(SERVICE_PORT)),
    f(2, "selector", MapStr),
    f(3, "clusterIP", Str),
    f(4, "type", Str),
    rep(5, "externalIPs", Str),
    f(7, "sessionAffinity", Str),
    f(10, "externalName", Str),
    f(11, "externalTrafficPolicy", Str),
    f(13, "publishNotReadyAddresses", Bool),
];
const JOB_SPEC: &[Field] = &[
    keep(1, "parallelism", Int),
    keep(2, "completions", Int),
    keep(3, "activeDeadlineSeconds", Int),
    f(4, "selector", Msg(LABEL_SELECTOR)),
    keep(5, "manualSelector", Bool),
    f(6, "template", Msg(POD_TEMPLATE)),
    keep(7, "backoffLimit", Int),
    keep(8, "ttlSecondsAfterFinished", Int),
];
const JOB_TEMPLATE: &[Field] = &[f(1, "metadata", Msg(OBJECT_META)), f(2, "spec", Msg(JOB_SPEC))];
const CRONJOB_SPEC: &[Field] = &[
    f(1, "schedule", Str),
    keep(2, "startingDeadlineSeconds", Int),
    f(3, "concurrencyPolicy", Str),
    keep(4, "suspend", Bool),
    f(5, "jobTemplate", Msg(JOB_TEMPLATE)),
    keep(6, "successfulJobsHistoryLimit", Int),
    keep(7, "failedJobsHistoryLimit", Int),
    keep(8, "timeZone", Str),
];

/// policy/v1 `PodDisruptionBudgetSpec` (`kubectl create poddisruptionbudget`).
const PDB_SPEC: &[Field] = &[
    f(1, "minAvailable", IntOrStr),
    f(2, "selector", Msg(LABEL_SELECTOR)),
    f(3, "maxUnavailable", IntOrStr),
    f(4, "unhealthyPodEvictionPolicy", Str),
];

const META: Field = f(1, "metadata", Msg(OBJECT_META));
const CONFIG_MAP: &[Field] = &[META, f(2, "data", MapStr), f(3, "binaryData", MapBytes), keep(4, "immutable", Bool)];
const SECRET: &[Field] =
    &[META, f(2, "data", MapBytes), f(3, "type", Str), f(4, "stringData", MapStr), keep(5, "immutable", Bool)];
const METADATA_ONLY: &[Field] = &[META];
const POD: &[Field] = &[META, f(2, "spec", Msg(POD_SPEC))];
const DEPLOYMENT: &[Field] = &[META, f(2, "spec", Msg(DEPLOYMENT_SPEC))];
const SERVICE: &[Field] = &[META, f(2, "spec", Msg(SERVICE_SPEC))];
const JOB: &[Field] = &[META, f(2, "spec", Msg(JOB_SPEC))];
const CRONJOB: &[Field] = &[META, f(2, "spec", Msg(CRONJOB_SPEC))];
const PDB: &[Field] = &[META, f(2, "spec", Msg(PDB_SPEC))];

/// The top-level message of each kind the typed clients of kubectl create.
fn schema(kind: &str) -> Option<&'static [Field]> {
    Some(match kind {
        "ConfigMap" => CONFIG_MAP,
        "Secret" => SECRET,
        "Namespace" | "ServiceAccount" => METADATA_ONLY,
        "Pod" => POD,
        "Deployment" => DEPLOYMENT,
        "Service" => SERVICE,
        "Job" => JOB,
        "CronJob" => CRONJOB,
        "PodDisruptionBudget" => PDB,
        _ => return None,
    })
}

/// Decodes a `application/vnd.kubernetes.protobuf` body into the object's JSON (with `apiVersion` and `kind`).
pub fn decode(body: &[u8]) -> Result<Value, String> {
    let rest = body.strip_prefix(b"k8s\0").ok_or("the protobuf body lacks the k8s envelope")?;
    let mut api_version = String::new();
    let mut kind = String::new();
    let mut raw: &[u8] = &[];
    for (num, value) in fields(rest)? {
        match (num, value) {
            (1, Wire::Len(type_meta)) => {
                for (n, v) in fields(type_meta)? {
                    match (n, v) {
                        (1, Wire::Len(s)) => api_version = String::from_utf8_lossy(s).into_owned(),
                        (2, Wire::Len(s)) => kind = String::from_utf8_lossy(s).into_owned(),
                        _ => {}
                    }
                }
            }
            (2, Wire::Len(bytes)) => raw = bytes,
            _ => {}
        }
    }
    let schema = schema(&kind).ok_or_else(|| format!("kubeground cannot decode a protobuf {kind:?}; send JSON"))?;
    let mut obj = message(raw, schema)?;
    obj.insert("apiVersion".into(), Value::String(api_version));
    obj.insert("kind".into(), Value::String(kind));
    Ok(Value::Object(obj))
}

enum Wire<'a> {
    Varint(u64),
    Len(&'a [u8]),
    Fixed,
}

fn varint(buf: &[u8], pos: &mut usize) -> Result<u64, String> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *buf.get(*pos).ok_or("truncated varint")?;
        *pos += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err("varint too long".into())
}

/// The fields of one message in order: (field number, value).
fn fields(buf: &[u8]) -> Result<Vec<(u64, Wire<'_>)>, String> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < buf.len() {
        let key = varint(buf, &mut pos)?;
        let value = match key & 7 {
            0 => Wire::Varint(varint(buf, &mut pos)?),
            1 | 5 => {
                pos += if key & 7 == 1 { 8 } else { 4 };
                Wire::Fixed
            }
            2 => {
                let len = usize::try_from(varint(buf, &mut pos)?).map_err(|_| "length too large")?;
                let end = pos.checked_add(len).filter(|e| *e <= buf.len()).ok_or("truncated field")?;
                let bytes = &buf[pos..end];
                pos = end;
                Wire::Len(bytes)
            }
            t => return Err(format!("unsupported wire type {t}")),
        };
        if pos > buf.len() {
            return Err("truncated field".into());
        }
        out.push((key >> 3, value));
    }
    Ok(out)
}

fn message(buf: &[u8], schema: &[Field]) -> Result<Map<String, Value>, String> {
    let mut obj = Map::new();
    for (num, wire) in fields(buf)? {
        let Some(field) = schema.iter().find(|f| f.num == num) else { continue };
        let Some(value) = scalar(field, &wire)? else { continue };
        match field.ty {
            MapStr | MapBytes | MapQty => {
                let slot = obj.entry(field.name).or_insert_with(|| Value::Object(Map::new()));
                if let (Value::Object(map), Value::Object(entry)) = (slot, value) {
                    map.extend(entry);
                }
            }
            _ if field.repeated => {
                let slot = obj.entry(field.name).or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(items) = slot {
                    items.push(value);
                }
            }
            _ => {
                obj.insert(field.name.into(), value);
            }
        }
    }
    Ok(obj)
}

/// One field's value as JSON, or `None` for a zero value that JSON would omit.
fn scalar(field: &Field, wire: &Wire<'_>) -> Result<Option<Value>, String> {
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let value = match (field.ty, wire) {
        (Str, Wire::Len(b)) => Value::String(text(b)),
        (Int, Wire::Varint(v)) => Value::from(*v as i64),
        (Bool, Wire::Varint(v)) => Value::Bool(*v != 0),
        (Msg(schema), Wire::Len(b)) => Value::Object(message(b, schema)?),
        (MapStr | MapBytes | MapQty, Wire::Len(b)) => {
            let (mut key, mut value) = (String::new(), Value::String(String::new()));
            for (n, w) in fields(b)? {
                match (n, w) {
                    (1, Wire::Len(k)) => key = text(k),
                    (2, Wire::Len(v)) => {
                        value = match field.ty {
                            MapBytes => Value::String(base64(v)),
                            MapQty => quantity(v)?,
                            _ => Value::String(text(v)),
                        }
                    }
                    _ => {}
                }
            }
            return Ok(Some(Value::Object([(key, value)].into_iter().collect())));
        }
        (Time, Wire::Len(b)) => {
            let mut seconds = 0i64;
            for (n, w) in fields(b)? {
                if let (1, Wire::Varint(v)) = (n, w) {
                    seconds = v as i64;
                }
            }
            if seconds == 0 {
                return Ok(None);
            }
            Value::String(rfc3339(seconds))
        }
        (IntOrStr, Wire::Len(b)) => {
            let (mut is_str, mut int, mut s) = (false, 0i64, String::new());
            for (n, w) in fields(b)? {
                match (n, w) {
                    (1, Wire::Varint(v)) => is_str = v == 1,
                    (2, Wire::Varint(v)) => int = v as i64,
                    (3, Wire::Len(v)) => s = text(v),
                    _ => {}
                }
            }
            return Ok(Some(if is_str { Value::String(s) } else { Value::from(int) }));
        }
        _ => return Ok(None),
    };
    let zero = match &value {
        Value::String(s) => s.is_empty(),
        Value::Number(n) => n.as_i64() == Some(0),
        Value::Bool(b) => !b,
        _ => false,
    };
    Ok(if zero && !field.keep && !field.repeated { None } else { Some(value) })
}

/// `resource.Quantity` is a message with its string form in field 1.
fn quantity(b: &[u8]) -> Result<Value, String> {
    for (n, w) in fields(b)? {
        if let (1, Wire::Len(s)) = (n, w) {
            return Ok(Value::String(String::from_utf8_lossy(s).into_owned()));
        }
    }
    Ok(Value::String("0".into()))
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Seconds since the Unix epoch as `2006-01-02T15:04:05Z` (civil-from-days, proleptic Gregorian).
fn rfc3339(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", secs / 3600, secs % 3600 / 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn varint_bytes(mut v: u64) -> Vec<u8> {
        let mut out = Vec::new();
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(byte);
                return out;
            }
            out.push(byte | 0x80);
        }
    }

    fn len_field(num: u64, bytes: &[u8]) -> Vec<u8> {
        let mut out = varint_bytes(num << 3 | 2);
        out.extend(varint_bytes(bytes.len() as u64));
        out.extend_from_slice(bytes);
        out
    }

    fn varint_field(num: u64, v: u64) -> Vec<u8> {
        let mut out = varint_bytes(num << 3);
        out.extend(varint_bytes(v));
        out
    }

    fn envelope(api_version: &str, kind: &str, raw: &[u8]) -> Vec<u8> {
        let type_meta = [len_field(1, api_version.as_bytes()), len_field(2, kind.as_bytes())].concat();
        let mut out = b"k8s\0".to_vec();
        out.extend(len_field(1, &type_meta));
        out.extend(len_field(2, raw));
        out.extend(len_field(4, b"application/vnd.kubernetes.protobuf"));
        out
    }

    /// gogo writes zero values of non-pointer fields and a zero `creationTimestamp`; JSON has neither.
    #[test]
    fn a_config_map_as_kubectl_create_configmap_sends_it() {
        let meta = [len_field(1, b"x"), len_field(2, b""), len_field(8, &[]), varint_field(7, 0)].concat();
        let entry = [len_field(1, b"a"), len_field(2, b"b")].concat();
        let raw = [len_field(1, &meta), len_field(2, &entry)].concat();
        let value = decode(&envelope("v1", "ConfigMap", &raw)).unwrap();
        assert_eq!(
            value,
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"a": "b"}})
        );
    }

    #[test]
    fn pointer_fields_keep_an_explicit_zero_and_repeated_messages_accumulate() {
        let container = |name: &[u8]| len_field(2, &[len_field(1, name), len_field(2, b"nginx")].concat());
        let pod_spec = [container(b"a"), container(b"b")].concat();
        let template = len_field(2, &pod_spec);
        let spec = [varint_field(1, 0), len_field(3, &template)].concat();
        let raw = [len_field(1, &len_field(1, b"web")), len_field(2, &spec)].concat();
        let value = decode(&envelope("apps/v1", "Deployment", &raw)).unwrap();
        assert_eq!(value["spec"]["replicas"], json!(0));
        assert_eq!(
            value["spec"]["template"]["spec"]["containers"],
            json!([{"name": "a", "image": "nginx"}, {"name": "b", "image": "nginx"}])
        );
    }

    #[test]
    fn bad_bodies_are_errors_not_panics() {
        assert!(decode(b"{}").is_err());
        assert!(decode(b"k8s\0\x0a\xff").is_err());
        assert!(decode(&envelope("v1", "Binding", &[])).is_err());
        let truncated = envelope("v1", "ConfigMap", &len_field(1, &len_field(1, b"x")));
        for end in 4..truncated.len() {
            let _ = decode(&truncated[..end]);
        }
    }

    #[test]
    fn bytes_and_times_as_json_writes_them() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"q"), "cQ==");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"abc"), "YWJj");
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_756_252_800), "2025-08-27T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }
}
