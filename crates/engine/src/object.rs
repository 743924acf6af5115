//! The kinds of API object the cluster stores, as one enum over the official types (k8s-openapi).
//!
//! Adding a kind is one line in the `kinds!` table: it generates [`Kind`] (the type tag with its API
//! names) and [`Object`] (a stored object of any kind).

use k8s_openapi::api::apps::v1 as apps;
use k8s_openapi::api::batch::v1 as batch;
use k8s_openapi::api::coordination::v1 as coordination;
use k8s_openapi::api::core::v1 as core;
use k8s_openapi::api::discovery::v1 as discovery;
use k8s_openapi::api::policy::v1 as policy;
use k8s_openapi::api::storage::v1 as storage;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

/// How a kind is addressed through the API (group, version, plural) and by kubectl (singular, short names).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResourceInfo {
    pub kind: &'static str,
    /// Empty for the core ("legacy") group.
    pub group: &'static str,
    pub version: &'static str,
    pub plural: &'static str,
    pub singular: &'static str,
    pub short_names: &'static [&'static str],
    pub namespaced: bool,
}

impl ResourceInfo {
    /// `pods`, or `deployments.apps` outside the core group: how API errors name a resource.
    pub fn qualified_plural(&self) -> String {
        if self.group.is_empty() {
            self.plural.to_string()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// `pod`, or `deployment.apps`: how kubectl names a kind in `kind/name created` messages.
    pub fn qualified_singular(&self) -> String {
        if self.group.is_empty() {
            self.singular.to_string()
        } else {
            format!("{}.{}", self.singular, self.group)
        }
    }

    /// `v1` or `apps/v1`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

macro_rules! kinds {
    ($( $kind:ident => $ty:ty { group: $group:expr, version: $version:expr, plural: $plural:expr,
        singular: $singular:expr, short: [$($short:expr),*], namespaced: $ns:expr } ),* $(,)?) => {
        /// The type tag of a stored object. The declaration order is the order kinds are listed in.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Kind { $( $kind ),* }

        impl Kind {
            pub const ALL: &'static [Kind] = &[ $( Kind::$kind ),* ];

            /// Decodes a request body as this kind (see `apiserver::decode`): the object and the paths of
            /// fields the official type does not have.
            pub(crate) fn decode_strict(self, body: &serde_json::Value)
                -> Result<(Object, Vec<String>), crate::apiserver::decode::DecodeError> {
                match self {
                    $( Kind::$kind => {
                        let (o, unknown) = crate::apiserver::decode::decode_as::<$ty>(body)?;
                        Ok((Object::$kind(Box::new(o)), unknown))
                    } ),*
                }
            }

            pub fn info(self) -> &'static ResourceInfo {
                match self {
                    $( Kind::$kind => &ResourceInfo {
                        kind: stringify!($kind), group: $group, version: $version, plural: $plural,
                        singular: $singular, short_names: &[$($short),*], namespaced: $ns,
                    } ),*
                }
            }
        }

        /// A stored API object of any supported kind.
        #[derive(Clone, Debug, PartialEq)]
        pub enum Object { $( $kind(Box<$ty>) ),* }

        impl Object {
            pub fn kind(&self) -> Kind {
                match self { $( Object::$kind(_) => Kind::$kind ),* }
            }

            pub fn metadata(&self) -> &ObjectMeta {
                match self { $( Object::$kind(o) => &o.metadata ),* }
            }

            pub fn metadata_mut(&mut self) -> &mut ObjectMeta {
                match self { $( Object::$kind(o) => &mut o.metadata ),* }
            }

            /// The object as the API serves it (with `apiVersion` and `kind`).
            pub fn to_json(&self) -> serde_json::Value {
                let value = match self { $( Object::$kind(o) => serde_json::to_value(o) ),* };
                let mut value = value.expect("API types always serialize");
                // managedFields are stored compactly (see `apiserver::managed`).
                if self.metadata().managed_fields.is_some() {
                    crate::apiserver::managed::expand(&mut value);
                }
                value
            }
        }

        $(
            impl From<$ty> for Object {
                fn from(o: $ty) -> Object { Object::$kind(Box::new(o)) }
            }
        )*
    };
}

kinds! {
    ConfigMap => core::ConfigMap { group: "", version: "v1", plural: "configmaps", singular: "configmap",
        short: ["cm"], namespaced: true },
    Endpoints => core::Endpoints { group: "", version: "v1", plural: "endpoints", singular: "endpoints",
        short: ["ep"], namespaced: true },
    Event => core::Event { group: "", version: "v1", plural: "events", singular: "event",
        short: ["ev"], namespaced: true },
    Namespace => core::Namespace { group: "", version: "v1", plural: "namespaces", singular: "namespace",
        short: ["ns"], namespaced: false },
    Node => core::Node { group: "", version: "v1", plural: "nodes", singular: "node",
        short: ["no"], namespaced: false },
    PersistentVolumeClaim => core::PersistentVolumeClaim { group: "", version: "v1",
        plural: "persistentvolumeclaims", singular: "persistentvolumeclaim", short: ["pvc"], namespaced: true },
    PersistentVolume => core::PersistentVolume { group: "", version: "v1", plural: "persistentvolumes",
        singular: "persistentvolume", short: ["pv"], namespaced: false },
    Pod => core::Pod { group: "", version: "v1", plural: "pods", singular: "pod",
        short: ["po"], namespaced: true },
    Secret => core::Secret { group: "", version: "v1", plural: "secrets", singular: "secret",
        short: [], namespaced: true },
    ServiceAccount => core::ServiceAccount { group: "", version: "v1", plural: "serviceaccounts",
        singular: "serviceaccount", short: ["sa"], namespaced: true },
    Service => core::Service { group: "", version: "v1", plural: "services", singular: "service",
        short: ["svc"], namespaced: true },
    ControllerRevision => apps::ControllerRevision { group: "apps", version: "v1", plural: "controllerrevisions",
        singular: "controllerrevision", short: [], namespaced: true },
    DaemonSet => apps::DaemonSet { group: "apps", version: "v1", plural: "daemonsets", singular: "daemonset",
        short: ["ds"], namespaced: true },
    Deployment => apps::Deployment { group: "apps", version: "v1", plural: "deployments",
        singular: "deployment", short: ["deploy"], namespaced: true },
    ReplicaSet => apps::ReplicaSet { group: "apps", version: "v1", plural: "replicasets",
        singular: "replicaset", short: ["rs"], namespaced: true },
    StatefulSet => apps::StatefulSet { group: "apps", version: "v1", plural: "statefulsets",
        singular: "statefulset", short: ["sts"], namespaced: true },
    CronJob => batch::CronJob { group: "batch", version: "v1", plural: "cronjobs", singular: "cronjob",
        short: ["cj"], namespaced: true },
    Job => batch::Job { group: "batch", version: "v1", plural: "jobs", singular: "job",
        short: [], namespaced: true },
    Lease => coordination::Lease { group: "coordination.k8s.io", version: "v1", plural: "leases",
        singular: "lease", short: [], namespaced: true },
    EndpointSlice => discovery::EndpointSlice { group: "discovery.k8s.io", version: "v1",
        plural: "endpointslices", singular: "endpointslice", short: [], namespaced: true },
    PodDisruptionBudget => policy::PodDisruptionBudget { group: "policy", version: "v1",
        plural: "poddisruptionbudgets", singular: "poddisruptionbudget", short: ["pdb"], namespaced: true },
    StorageClass => storage::StorageClass { group: "storage.k8s.io", version: "v1", plural: "storageclasses",
        singular: "storageclass", short: ["sc"], namespaced: false },
}

impl Object {
    pub fn name(&self) -> &str {
        self.metadata().name.as_deref().unwrap_or_default()
    }

    pub fn namespace(&self) -> &str {
        self.metadata().namespace.as_deref().unwrap_or_default()
    }

    pub fn as_node(&self) -> Option<&core::Node> {
        match self {
            Object::Node(n) => Some(n),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_names() {
        let node = Kind::Node.info();
        assert_eq!(node.qualified_plural(), "nodes");
        assert_eq!(node.api_version(), "v1");
        assert!(!node.namespaced);
        let apps = ResourceInfo { group: "apps", plural: "deployments", singular: "deployment", ..*node };
        assert_eq!(apps.qualified_plural(), "deployments.apps");
        assert_eq!(apps.qualified_singular(), "deployment.apps");
        assert_eq!(apps.api_version(), "apps/v1");
    }

    #[test]
    fn json_carries_type_meta() {
        let ns = core::Namespace {
            metadata: ObjectMeta { name: Some("dev".into()), ..Default::default() },
            ..Default::default()
        };
        let json = Object::from(ns).to_json();
        assert_eq!(json["apiVersion"], "v1");
        assert_eq!(json["kind"], "Namespace");
        assert_eq!(json["metadata"]["name"], "dev");
    }
}
