//! The kubeground cluster engine: a simulated Kubernetes cluster in memory.
//!
//! Architecture invariants (see ARCHITECTURE.md):
//! - **Sans-IO.** Nothing here reads files, sockets, the wall clock or the environment; callers hand in
//!   everything (commands, file contents, time steps).
//! - **Deterministic.** One seeded [`rng::Rng`] passed explicitly, one simulated [`clock::Clock`], ordered maps
//!   only: the same seed and the same calls give the same state, byte for byte, natively and in wasm.
//! - **Told, not calling.** The engine reports what happened in its [`event_log`]; it knows nothing of UIs.

pub mod addons;
pub mod admission;
pub mod apiserver;
pub mod clock;
pub mod cluster;
pub mod controllers;
pub mod error;
pub mod event_log;
pub mod kubelet;
pub mod machines;
pub mod network;
mod node_addons;
pub mod object;
pub mod patch;
pub mod recorder;
pub mod rng;
pub mod runtime;
pub mod scheduler;
pub mod schema;
pub mod store;
pub mod topology;
pub mod util;

pub use cluster::Cluster;
pub use error::ApiError;
pub use k8s_openapi as api;
pub use object::{Kind, Object};
