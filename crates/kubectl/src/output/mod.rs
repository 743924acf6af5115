//! kubectl's structured output formats: `-o yaml`, `-o json`, `-o jsonpath=…`, `-o jsonpath-as-json=…`,
//! `-o custom-columns=…` and `-o custom-columns-file=…`.
//!
//! Every function takes API objects as `serde_json::Value` and returns exactly what kubectl prints. Errors
//! are returned as the complete text kubectl writes to stderr (starting with `error: ` and ending with a
//! newline), so callers pass them through unchanged with exit code 1.

pub mod custom_columns;
mod golang;
pub mod jsonpath;
pub mod sort_by;
mod tabwriter;
pub mod yaml;
