//! Patches, with Kubernetes' exact semantics: JSON merge patch ([`json_merge_patch`]), JSON patch
//! ([`json_patch`]), strategic merge patch ([`strategic_merge_patch`], with the merge-key schema of the
//! supported kinds in [`merge_strategy`]) and kubectl apply's three-way patch ([`three_way_merge_patch`]).
//! `kubectl apply`, `patch`, `label`, `annotate`, `scale` and `set image` all end up here.
//!
//! Everything works on `serde_json::Value`s of API objects (with `apiVersion` and `kind`), as the apiserver
//! and kubectl work on `map[string]interface{}`. Functions return the upstream libraries' error texts;
//! [`apply_patch`] wraps them in the `Status` the apiserver answers a PATCH with.
//!
//! Sources: k8s.io/apimachinery `pkg/util/strategicpatch/patch.go` and `pkg/util/jsonmergepatch`,
//! gopkg.in/evanphx/json-patch.v4, k8s.io/apiserver `pkg/endpoints/handlers/patch.go`, the struct tags of
//! k8s.io/api.

mod gofmt;
mod json;
mod lists;
mod merge;
mod schema;
mod strategic;
mod three_way;

pub use json::json_patch;
pub use merge::{json_merge_patch, json_merge_patch_checked, three_way_json_merge_patch, ERR_BAD_JSON_PATCH};
pub use schema::{has_strategic_schema, merge_strategy, ListStrategy, PatchMeta};
pub use strategic::{strategic_merge_patch, ERR_STRATEGIC_NOT_SUPPORTED};
pub use three_way::{is_empty_patch, three_way_merge_patch};

use crate::error::ApiError;
use serde_json::Value;

/// The three PATCH content types kubectl sends (`kubectl patch --type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatchType {
    /// `application/json-patch+json`, `--type json`.
    Json,
    /// `application/merge-patch+json`, `--type merge`; also `kubectl label`, `annotate` and `scale`.
    Merge,
    /// `application/strategic-merge-patch+json`, `--type strategic` (the default); also `kubectl apply` and
    /// `kubectl set image`.
    Strategic,
    /// `application/apply-patch+yaml`: server-side apply (`kubectl apply --server-side`), carried out by the
    /// API layer's field manager (`apiserver::managed`), not by [`apply_patch`].
    Apply,
}

impl PatchType {
    /// The value of `kubectl patch --type`.
    pub fn from_flag(flag: &str) -> Option<PatchType> {
        match flag {
            "json" => Some(PatchType::Json),
            "merge" => Some(PatchType::Merge),
            "strategic" => Some(PatchType::Strategic),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            PatchType::Json => "application/json-patch+json",
            PatchType::Merge => "application/merge-patch+json",
            PatchType::Strategic => "application/strategic-merge-patch+json",
            PatchType::Apply => "application/apply-patch+yaml",
        }
    }
}

/// The apiserver's limit on JSON patch operations (`maxJSONPatchOperations`).
pub const MAX_JSON_PATCH_OPERATIONS: usize = 10_000;

/// What the apiserver does with a PATCH body against the live object `current`, errors included:
/// - JSON patch: an undecodable patch is `400 BadRequest` with the decoder's text; any failing operation is a
///   bare `422 Invalid` (`the server rejected our request due to an error in our request`: the library's
///   text stays in the server log), which kubectl prints as `The request is invalid: the server rejected
///   our request due to an error in our request`.
/// - Merge patch: a patch that is neither an object nor an array is `400 BadRequest: Invalid JSON Patch`.
/// - Strategic merge patch: malformed directives are `400 BadRequest`, lists of lists a bare `422`, anything
///   else (a missing merge key, a bad `$patch`) an error without a reason, which kubectl prints as
///   `Error from server: <message>` (`reason` is empty here); custom resources are `415`.
///
/// The result still has to be decoded into the kind's type (dropping unknown fields) and validated.
pub fn apply_patch(current: &Value, patch_type: PatchType, patch: &Value) -> Result<Value, ApiError> {
    match patch_type {
        PatchType::Json => {
            let ops = json::decode(patch).map_err(bad_request)?;
            if ops.len() > MAX_JSON_PATCH_OPERATIONS {
                return Err(ApiError::new(
                    413,
                    "RequestEntityTooLarge",
                    format!(
                        "Request entity too large: The allowed maximum operations in a JSON patch is \
                         {MAX_JSON_PATCH_OPERATIONS}, got {}",
                        ops.len()
                    ),
                ));
            }
            json::apply_ops(current, &ops).map_err(|_| unprocessable())
        }
        PatchType::Merge => json_merge_patch_checked(current, patch).map_err(bad_request),
        PatchType::Apply => Err(ApiError::new(500, "InternalError", "apply patches are handled by the field manager")),
        PatchType::Strategic => strategic_merge_patch(current, patch).map_err(|message| {
            if message == ERR_STRATEGIC_NOT_SUPPORTED {
                ApiError::new(415, "UnsupportedMediaType", message)
            } else if message == lists::ERR_NO_LIST_OF_LISTS {
                unprocessable()
            } else if [
                lists::ERR_BAD_JSON_DOC,
                lists::ERR_BAD_PRIMITIVE_LIST,
                lists::ERR_BAD_RETAIN_KEYS,
                lists::ERR_BAD_SET_ORDER,
            ]
            .contains(&message.as_str())
                || message.starts_with("json: cannot unmarshal")
            {
                bad_request(message)
            } else {
                // Not a StatusError: the apiserver answers 500 with an empty (Unknown) reason.
                ApiError::new(500, "", message)
            }
        }),
    }
}

fn bad_request(message: String) -> ApiError {
    ApiError::new(400, "BadRequest", message)
}

/// `errors.NewGenericServerResponse(422, …)`: the message is fixed, whatever went wrong.
fn unprocessable() -> ApiError {
    ApiError::new(422, "Invalid", "the server rejected our request due to an error in our request")
}

#[cfg(test)]
mod tests;
