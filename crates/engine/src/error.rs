//! Errors the API server answers with, as data: a reason and an HTTP code as in `metav1.Status`, and the
//! message real clients print after `Error from server (<reason>): `.

use crate::object::Kind;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub code: u16,
    /// `NotFound`, `AlreadyExists`, `Invalid`, `BadRequest`, … (`metav1.StatusReason`).
    pub reason: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn not_found(kind: Kind, name: &str) -> ApiError {
        ApiError {
            code: 404,
            reason: "NotFound",
            message: format!("{} \"{}\" not found", kind.info().qualified_plural(), name),
        }
    }

    pub fn already_exists(kind: Kind, name: &str) -> ApiError {
        ApiError {
            code: 409,
            reason: "AlreadyExists",
            message: format!("{} \"{}\" already exists", kind.info().qualified_plural(), name),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Error from server ({}): {}", self.reason, self.message)
    }
}

impl std::error::Error for ApiError {}
