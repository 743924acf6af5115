//! Table columns and cells for each kind, as the apiserver's table printers (k/k
//! `pkg/printers/internalversion/printers.go`) fill them for `kubectl get`.
//!
//! The apiserver always builds a table with every column (its `TableConvertor` passes `Wide: true`) and
//! kubectl drops the columns of priority 1 unless `-o wide` is given. So each printer here computes all
//! cells once, in the server's column order, and [`headers`] / [`row`] filter them. Note that for events
//! the wide columns are interleaved (SUBOBJECT and SOURCE come before MESSAGE), which is why [`row`] and
//! [`headers`] are the exact interface; [`columns`] / [`cells`] list the default columns first and the
//! wide-only ones after them, which is right for the default output and for every kind but events with
//! `-o wide`.
//!
//! Cells are computed from the stored object alone, with Go's zero values for missing fields: defaulting
//! (a Service's type, a Deployment's replicas) is admission's job, not the printer's.

mod event;
mod node;
mod pod;
mod quantity;
mod selector;
mod service;
mod small;
mod storage;
mod workloads;

use engine::api::api::core::v1::Container;
use engine::api::apimachinery::pkg::apis::meta::v1::{MicroTime, Time};
use engine::api::jiff::Timestamp;
use engine::clock::{Millis, EPOCH_UNIX_SECONDS};
use engine::{Kind, Object};

use crate::duration::write_human;
use crate::table::Table;

pub use node::node_roles;

/// One column definition: its header and whether only `-o wide` shows it (priority 1 in the source).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Col {
    name: &'static str,
    wide: bool,
}

const fn col(name: &'static str) -> Col {
    Col { name, wide: false }
}

const fn wide(name: &'static str) -> Col {
    Col { name, wide: true }
}

/// The column definitions of each kind, in the apiserver's order.
fn definitions(kind: Kind) -> &'static [Col] {
    match kind {
        Kind::Pod => pod::COLUMNS,
        Kind::Node => node::NODE_COLUMNS,
        Kind::Namespace => node::NAMESPACE_COLUMNS,
        Kind::Service => service::SERVICE_COLUMNS,
        Kind::Endpoints => service::ENDPOINTS_COLUMNS,
        Kind::EndpointSlice => service::ENDPOINT_SLICE_COLUMNS,
        Kind::Deployment => workloads::DEPLOYMENT_COLUMNS,
        Kind::ReplicaSet => workloads::REPLICA_SET_COLUMNS,
        Kind::StatefulSet => workloads::STATEFUL_SET_COLUMNS,
        Kind::DaemonSet => workloads::DAEMON_SET_COLUMNS,
        Kind::ControllerRevision => small::CONTROLLER_REVISION_COLUMNS,
        Kind::Job => workloads::JOB_COLUMNS,
        Kind::CronJob => workloads::CRON_JOB_COLUMNS,
        Kind::PersistentVolume => storage::PV_COLUMNS,
        Kind::PersistentVolumeClaim => storage::PVC_COLUMNS,
        Kind::StorageClass => storage::STORAGE_CLASS_COLUMNS,
        Kind::ConfigMap => small::CONFIG_MAP_COLUMNS,
        Kind::Secret => small::SECRET_COLUMNS,
        Kind::ServiceAccount => small::SERVICE_ACCOUNT_COLUMNS,
        Kind::Lease => small::LEASE_COLUMNS,
        Kind::PodDisruptionBudget => small::PDB_COLUMNS,
        Kind::Event => event::COLUMNS,
    }
}

/// Every cell of `obj`'s row in the apiserver's column order, at simulated time `now`.
fn server_cells(obj: &Object, now: Millis) -> Vec<String> {
    match obj {
        Object::Pod(o) => pod::cells(o, now),
        Object::Node(o) => node::node_cells(o, now),
        Object::Namespace(o) => node::namespace_cells(o, now),
        Object::Service(o) => service::service_cells(o, now),
        Object::Endpoints(o) => service::endpoints_cells(o, now),
        Object::EndpointSlice(o) => service::endpoint_slice_cells(o, now),
        Object::Deployment(o) => workloads::deployment_cells(o, now),
        Object::ReplicaSet(o) => workloads::replica_set_cells(o, now),
        Object::StatefulSet(o) => workloads::stateful_set_cells(o, now),
        Object::DaemonSet(o) => workloads::daemon_set_cells(o, now),
        Object::ControllerRevision(o) => small::controller_revision_cells(o, now),
        Object::Job(o) => workloads::job_cells(o, now),
        Object::CronJob(o) => workloads::cron_job_cells(o, now),
        Object::PersistentVolume(o) => storage::pv_cells(o, now),
        Object::PersistentVolumeClaim(o) => storage::pvc_cells(o, now),
        Object::StorageClass(o) => storage::storage_class_cells(o, now),
        Object::ConfigMap(o) => small::config_map_cells(o, now),
        Object::Secret(o) => small::secret_cells(o, now),
        Object::ServiceAccount(o) => small::service_account_cells(o, now),
        Object::Lease(o) => small::lease_cells(o, now),
        Object::PodDisruptionBudget(o) => small::pdb_cells(o, now),
        Object::Event(o) => event::cells(o, now),
    }
}

/// The header row kubectl prints for `kind`, with or without `-o wide`.
pub fn headers(kind: Kind, wide: bool) -> Vec<&'static str> {
    definitions(kind).iter().filter(|c| wide || !c.wide).map(|c| c.name).collect()
}

/// Where kubectl puts the `kind/` prefix when listing several kinds: the column of format `name` (NAME
/// for every kind here), or nowhere when that column is hidden, as events' wide-only NAME is by default.
pub fn name_column(kind: Kind, wide: bool) -> Option<usize> {
    headers(kind, wide).iter().position(|h| *h == "NAME")
}

/// The cells kubectl prints for `obj` (default or `-o wide` output), in the order of [`headers`].
pub fn row(obj: &Object, now: Millis, wide: bool) -> Vec<String> {
    let mut table = Table::new();
    write_row(&mut table, obj, now, wide, None);
    table.end_row();
    table.row(0).map(String::from).collect()
}

/// Adds the cells of [`row`] to the current row of `table` (without closing it); `name_prefix` goes in
/// front of the NAME cell (`pod/` when several kinds are listed).
pub fn write_row(table: &mut Table, obj: &Object, now: Millis, wide: bool, name_prefix: Option<&str>) {
    let mut w = RowWriter { table, defs: definitions(obj.kind()), next: 0, wide, name_prefix };
    match obj {
        // Pods are by far the most numerous objects: their printer writes straight into the table.
        Object::Pod(o) => pod::write(o, now, &mut w),
        _ => {
            for cell in server_cells(obj, now) {
                w.cell(&cell);
            }
        }
    }
}

/// Reads (and discards) what [`write_row`] reads first of `obj`. Listed objects lie all over the heap, and
/// a long listing spends most of its time waiting for them to come from memory: reading a batch of them
/// in a tight loop first lets the processor fetch them together instead of one after the other.
pub fn prefetch(obj: &Object) {
    let first = |s: Option<&String>| s.and_then(|s| s.as_bytes().first().copied());
    let meta = obj.metadata();
    let mut probe = (first(meta.name.as_ref()), first(meta.namespace.as_ref()), 0, 0);
    if let Object::Pod(pod) = obj {
        let status = pod.status.as_ref();
        probe.2 = first(status.and_then(|s| s.phase.as_ref())).unwrap_or_default();
        probe.3 = status.map_or(0, |s| {
            s.container_statuses.as_ref().map_or(0, Vec::len) + s.conditions.as_ref().map_or(0, Vec::len)
        }) + pod.spec.as_ref().map_or(0, |s| s.containers.len());
    }
    std::hint::black_box(probe);
}

/// Writes one row's cells, in the apiserver's column order, into a [`Table`]: cells of columns the output
/// does not show (`-o wide` ones without `-o wide`) are skipped, and not even computed by
/// [`RowWriter::cell_with`].
struct RowWriter<'t> {
    table: &'t mut Table,
    defs: &'static [Col],
    /// The server column of the next cell.
    next: usize,
    wide: bool,
    name_prefix: Option<&'t str>,
}

impl RowWriter<'_> {
    /// Adds the next cell, written by `write` if its column is shown.
    fn cell_with(&mut self, write: impl FnOnce(&mut String)) {
        let col = self.defs[self.next];
        self.next += 1;
        if col.wide && !self.wide {
            return;
        }
        let buf = self.table.buf();
        if let (Some(prefix), "NAME") = (self.name_prefix, col.name) {
            buf.push_str(prefix);
        }
        write(buf);
        self.table.end_cell();
    }

    fn cell(&mut self, text: &str) {
        self.cell_with(|buf| buf.push_str(text));
    }
}

/// A printed table: header cells, then one row per object. `wide` columns are included only with `-o wide`.
pub struct Columns {
    pub names: Vec<&'static str>,
    /// How many leading columns are printed without `-o wide`.
    pub narrow: usize,
}

/// A kind's columns, the default ones first and the `-o wide` ones after them (see the module docs).
pub fn columns(kind: Kind) -> Columns {
    let defs = definitions(kind);
    let names: Vec<&'static str> =
        defs.iter().filter(|c| !c.wide).chain(defs.iter().filter(|c| c.wide)).map(|c| c.name).collect();
    Columns { names, narrow: defs.iter().filter(|c| !c.wide).count() }
}

/// All cells of `obj`'s row (narrow and wide), in the order of [`columns`], at simulated time `now`.
pub fn cells(obj: &Object, now: Millis) -> Vec<String> {
    let defs = definitions(obj.kind());
    let all = server_cells(obj, now);
    let pick = |wide: bool| all.iter().zip(defs).filter(move |(_, c)| c.wide == wide).map(|(cell, _)| cell.clone());
    pick(false).chain(pick(true)).collect()
}

/// AGE: time since `creationTimestamp`, or `<unknown>` without one.
pub fn age(obj: &Object, now: Millis) -> String {
    since(obj.metadata().creation_timestamp.as_ref(), now)
}

/// `--show-labels`: `k=v` pairs joined by commas, or `<none>` (apimachinery `labels.FormatLabels`, which
/// sorts the `k=v` strings, not the keys).
pub fn labels_cell(obj: &Object) -> String {
    selector::format_labels(obj.metadata().labels.as_ref())
}

/// `-L key1,key2`: one cell per key, the label's value or empty when the object lacks it.
pub fn label_columns(obj: &Object, keys: &[String]) -> Vec<String> {
    let labels = obj.metadata().labels.as_ref();
    keys.iter().map(|k| labels.and_then(|l| l.get(k)).cloned().unwrap_or_default()).collect()
}

/// `-L` headers: each key's last `/`-separated segment, upper-cased (cli-runtime `formatLabelHeaders`).
pub fn label_column_headers(keys: &[String]) -> Vec<String> {
    keys.iter().map(|k| k.rsplit('/').next().unwrap_or_default().to_uppercase()).collect()
}

/// Milliseconds of an API instant relative to simulated time 0 (negative before it).
fn instant_ms(t: &Timestamp) -> i64 {
    t.as_millisecond().saturating_sub(EPOCH_UNIX_SECONDS.saturating_mul(1000))
}

/// `translateTimestampSince`: how long ago `t` was, `<unknown>` without it.
fn since(t: Option<&Time>, now: Millis) -> String {
    let mut out = String::new();
    write_since(&mut out, t, now);
    out
}

/// [`since`], appended to `out`.
fn write_since(out: &mut String, t: Option<&Time>, now: Millis) {
    match t {
        Some(t) => write_human_since(out, instant_ms(&t.0), now),
        None => out.push_str("<unknown>"),
    }
}

/// `translateMicroTimestampSince`, for the microsecond timestamps of events.
fn since_micro(t: Option<&MicroTime>, now: Millis) -> String {
    match t {
        Some(t) => human_since(instant_ms(&t.0), now),
        None => "<unknown>".to_string(),
    }
}

/// `HumanDuration(now - at)`: up to a second and a bit in the future reads `0s` (clock skew), further is
/// `<invalid>` (Go truncates the seconds toward zero and rejects below -1).
fn human_since(at_ms: i64, now: Millis) -> String {
    let mut out = String::new();
    write_human_since(&mut out, at_ms, now);
    out
}

/// [`human_since`], appended to `out`.
fn write_human_since(out: &mut String, at_ms: i64, now: Millis) {
    write_human_signed(out, i64::try_from(now).unwrap_or(i64::MAX).saturating_sub(at_ms));
}

fn human_signed(ms: i64) -> String {
    let mut out = String::new();
    write_human_signed(&mut out, ms);
    out
}

fn write_human_signed(out: &mut String, ms: i64) {
    if ms <= -2000 {
        out.push_str("<invalid>");
    } else if ms < 0 {
        out.push_str("0s");
    } else {
        write_human(out, ms.unsigned_abs());
    }
}

/// `layoutContainerCells`: container names and images, each comma-joined.
fn container_cells(containers: &[Container]) -> (String, String) {
    let names: Vec<&str> = containers.iter().map(|c| c.name.as_str()).collect();
    let images: Vec<&str> = containers.iter().map(|c| c.image.as_deref().unwrap_or_default()).collect();
    (names.join(","), images.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::api::api::core::v1::{Event, Pod};
    use engine::api::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    use engine::clock::api_time;

    /// An object of `kind` with every field at its default.
    fn empty(kind: Kind) -> Object {
        use engine::api::api::{apps::v1 as apps, batch::v1 as batch, coordination::v1 as coord, core::v1 as core};
        use engine::api::api::{discovery::v1 as discovery, policy::v1 as policy, storage::v1 as storage};
        match kind {
            Kind::ConfigMap => core::ConfigMap::default().into(),
            Kind::Endpoints => core::Endpoints::default().into(),
            Kind::Event => core::Event::default().into(),
            Kind::Namespace => core::Namespace::default().into(),
            Kind::Node => core::Node::default().into(),
            Kind::PersistentVolumeClaim => core::PersistentVolumeClaim::default().into(),
            Kind::PersistentVolume => core::PersistentVolume::default().into(),
            Kind::Pod => core::Pod::default().into(),
            Kind::Secret => core::Secret::default().into(),
            Kind::ServiceAccount => core::ServiceAccount::default().into(),
            Kind::Service => core::Service::default().into(),
            Kind::DaemonSet => apps::DaemonSet::default().into(),
            Kind::ControllerRevision => apps::ControllerRevision::default().into(),
            Kind::Deployment => apps::Deployment::default().into(),
            Kind::ReplicaSet => apps::ReplicaSet::default().into(),
            Kind::StatefulSet => apps::StatefulSet::default().into(),
            Kind::CronJob => batch::CronJob::default().into(),
            Kind::Job => batch::Job::default().into(),
            Kind::Lease => coord::Lease::default().into(),
            Kind::EndpointSlice => discovery::EndpointSlice::default().into(),
            Kind::PodDisruptionBudget => policy::PodDisruptionBudget::default().into(),
            Kind::StorageClass => storage::StorageClass::default().into(),
        }
    }

    #[test]
    fn every_kind_has_a_row_as_long_as_its_columns() {
        for &kind in Kind::ALL {
            let obj = empty(kind);
            assert_eq!(obj.kind(), kind);
            assert_eq!(server_cells(&obj, 0).len(), definitions(kind).len(), "{kind:?}");
            assert_eq!(cells(&obj, 0).len(), columns(kind).names.len(), "{kind:?}");
            assert_eq!(row(&obj, 0, false).len(), headers(kind, false).len(), "{kind:?}");
            assert_eq!(row(&obj, 0, true).len(), headers(kind, true).len(), "{kind:?}");
            assert_eq!(headers(kind, false), columns(kind).names[..columns(kind).narrow], "{kind:?}");
        }
    }

    #[test]
    fn event_wide_columns_are_interleaved() {
        assert_eq!(headers(Kind::Event, false), ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]);
        let wide =
            ["LAST SEEN", "TYPE", "REASON", "OBJECT", "SUBOBJECT", "SOURCE", "MESSAGE", "FIRST SEEN", "COUNT", "NAME"];
        assert_eq!(headers(Kind::Event, true), wide);
        let ev = Object::from(Event { message: Some("hello".into()), ..Default::default() });
        assert_eq!(row(&ev, 0, false)[4], "hello");
        assert_eq!(row(&ev, 0, true)[6], "hello");
        assert_eq!(columns(Kind::Event).names[4], "MESSAGE");
        assert_eq!(cells(&ev, 0)[4], "hello");
    }

    #[test]
    fn kind_prefix_column() {
        assert_eq!(name_column(Kind::Pod, false), Some(0));
        assert_eq!(name_column(Kind::Event, false), None);
        assert_eq!(name_column(Kind::Event, true), Some(9));
    }

    #[test]
    fn pod_headers() {
        assert_eq!(headers(Kind::Pod, false), ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]);
        let wide = ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE", "READINESS GATES"];
        assert_eq!(headers(Kind::Pod, true), wide);
    }

    fn labelled(labels: &[(&str, &str)]) -> Object {
        Object::from(Pod {
            metadata: ObjectMeta {
                labels: Some(labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()),
                ..Default::default()
            },
            ..Default::default()
        })
    }

    #[test]
    fn label_columns_and_show_labels() {
        let keys: Vec<String> = ["app", "app.kubernetes.io/name", "missing"].iter().map(|s| s.to_string()).collect();
        assert_eq!(label_column_headers(&keys), ["APP", "NAME", "MISSING"]);
        let obj = labelled(&[("app", "web"), ("app.kubernetes.io/name", "shop")]);
        assert_eq!(label_columns(&obj, &keys), ["web", "shop", ""]);
        assert_eq!(label_columns(&Object::from(Pod::default()), &keys), ["", "", ""]);
        assert_eq!(labels_cell(&obj), "app.kubernetes.io/name=shop,app=web");
        assert_eq!(labels_cell(&labelled(&[])), "<none>");
    }

    #[test]
    fn ages_in_the_past_and_the_future() {
        let created = |ms: Millis| {
            Object::from(Pod {
                metadata: ObjectMeta { creation_timestamp: Some(api_time(ms)), ..Default::default() },
                ..Default::default()
            })
        };
        let cases = [(0, 45_000, "45s"), (10_000, 9_000, "0s"), (10_000, 8_500, "0s"), (10_000, 8_000, "<invalid>")];
        for (at, now, want) in cases {
            assert_eq!(age(&created(at), now), want, "created {at}, now {now}");
        }
        assert_eq!(age(&Object::from(Pod::default()), 0), "<unknown>");
        let before_epoch = Time(Timestamp::from_second(EPOCH_UNIX_SECONDS - 86_400).unwrap_or_default());
        assert_eq!(since(Some(&before_epoch), 0), "24h");
    }
}
