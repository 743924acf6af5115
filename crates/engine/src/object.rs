//! The kinds of API object the cluster stores, as one enum over the official types (k8s-openapi).
//!
//! Adding a kind is one line in the `kinds!` table: it generates [`Kind`] (the type tag with its API
//! names) and [`Object`] (a stored object of any kind).

use k8s_openapi::api::core::v1 as core;
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
                value.expect("API types always serialize")
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
    Namespace => core::Namespace { group: "", version: "v1", plural: "namespaces", singular: "namespace",
        short: ["ns"], namespaced: false },
    Node => core::Node { group: "", version: "v1", plural: "nodes", singular: "node",
        short: ["no"], namespaced: false },
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
