//! Errors the API server answers with, as data: a reason and an HTTP code as in `metav1.Status`, and the
//! message real clients print after `Error from server (<reason>): `.

use crate::object::Kind;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub code: u16,
    /// `NotFound`, `AlreadyExists`, `Invalid`, `BadRequest`, … (`metav1.StatusReason`).
    pub reason: &'static str,
    pub message: String,
    /// `details.causes` of the Status: one per invalid field (reason, message, field).
    pub causes: Vec<StatusCause>,
    /// `details.kind` and `details.name`, where the error is about one object (kubectl's Invalid message
    /// is built from them).
    pub details: Option<(String, String)>,
}

/// One cause of an error, as in `metav1.StatusCause`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusCause {
    /// `FieldValueInvalid`, `FieldValueRequired`, … (`metav1.CauseType`).
    pub reason: String,
    pub message: String,
    pub field: String,
}

impl ApiError {
    pub fn new(code: u16, reason: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { code, reason, message: message.into(), causes: Vec::new(), details: None }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "BadRequest", message)
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(403, "Forbidden", message)
    }

    pub fn conflict(kind: Kind, name: &str) -> ApiError {
        ApiError::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; please apply your \
changes to the latest version and try again",
                kind.info().qualified_plural()
            ),
        )
    }

    pub fn not_found(kind: Kind, name: &str) -> ApiError {
        ApiError::new(404, "NotFound", format!("{} \"{}\" not found", kind.info().qualified_plural(), name))
    }

    pub fn already_exists(kind: Kind, name: &str) -> ApiError {
        ApiError::new(409, "AlreadyExists", format!("{} \"{}\" already exists", kind.info().qualified_plural(), name))
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Error from server ({}): {}", self.reason, self.message)
    }
}

impl std::error::Error for ApiError {}
