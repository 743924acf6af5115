//! Small helpers shared by the engine and the kubectl crate.

pub mod base64;
pub mod gojson;
pub mod sha256;
pub mod sort;
