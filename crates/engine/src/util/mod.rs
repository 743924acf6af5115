//! Small helpers shared by the engine and the kubectl crate.

pub mod sort;
