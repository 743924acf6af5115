//! Defaulting and validation of API objects, as the apiserver does them before storing.
//! (Interim: the full rule set lands with the admission module; until then objects pass unchanged.)

use crate::object::Object;

/// One invalid field, rendered as apimachinery's `field.Error`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub detail: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.detail)
    }
}

pub fn apply_defaults(_obj: &mut Object) {}

pub fn validate_create(_obj: &Object) -> Vec<FieldError> {
    Vec::new()
}

pub fn validate_update(_old: &Object, _new: &Object) -> Vec<FieldError> {
    Vec::new()
}

pub fn invalid_message(kind_name: &str, name: &str, errors: &[FieldError]) -> String {
    let parts: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    if parts.len() == 1 {
        format!("The {kind_name} \"{name}\" is invalid: {}", parts[0])
    } else {
        format!("The {kind_name} \"{name}\" is invalid: [{}]", parts.join(", "))
    }
}
