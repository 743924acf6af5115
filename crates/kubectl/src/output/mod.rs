//! kubectl's structured output formats: `-o yaml`, `-o jsonpath=…`, `-o custom-columns=…`.

pub mod custom_columns;
pub mod jsonpath;
pub mod yaml;
