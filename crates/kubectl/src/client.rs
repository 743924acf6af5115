//! What kubectl's REST client and error helpers do: send requests, and print API errors the way
//! `cmdutil.CheckErr` does (`Error from server (NotFound): …`, `The Pod "x" is invalid: …`).

use engine::apiserver::{Request, Response};
use engine::{ApiError, Cluster};

/// The actor name requests from kubectl carry in the event log.
pub const ACTOR: &str = "kubectl";

thread_local! {
    /// The `fieldManager` the running command sends with its writes (see [`field_manager_of`]).
    static FIELD_MANAGER: std::cell::Cell<Option<&'static str>> = const { std::cell::Cell::new(None) };
    /// Warnings the API server sent with reads, printed once each on stderr as client-go's warning handler does
    /// (writes print theirs where the command reports the write).
    static READ_WARNINGS: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The read warnings gathered since the last call, as `Warning: …` lines.
pub fn take_read_warnings() -> String {
    READ_WARNINGS.with(|w| w.take()).iter().map(|w| format!("Warning: {w}\n")).collect()
}

/// The `fieldManager` real kubectl sends for a command's writes (`kubectl-<command>`, client-side apply's
/// `kubectl-client-side-apply`); `None` where it sends none (`scale`, `cordon`, `drain`, `delete`), so the
/// apiserver names the manager after the User-Agent: `kubectl`.
pub fn field_manager_of(command: &str) -> Option<&'static str> {
    Some(match command {
        "apply" => "kubectl-client-side-apply",
        "create" => "kubectl-create",
        "run" => "kubectl-run",
        "expose" => "kubectl-expose",
        "label" => "kubectl-label",
        "annotate" => "kubectl-annotate",
        "patch" => "kubectl-patch",
        "edit" => "kubectl-edit",
        "set" => "kubectl-set",
        "rollout" => "kubectl-rollout",
        "replace" => "kubectl-replace",
        "taint" => "kubectl-taint",
        "autoscale" => "kubectl-autoscale",
        _ => return None,
    })
}

/// Sets the `fieldManager` of the command about to run (`kubectl::run` does, from the command name).
pub fn set_field_manager(manager: Option<&'static str>) {
    FIELD_MANAGER.with(|m| m.set(manager));
}

/// Sends one request. After a write the controllers react before the next request (without moving the
/// clock), as `kubeground serve` does between a real client's requests: a command of several writes (an
/// `apply` of a multi-document file) sees the cluster the same way through both doors.
pub fn send(cluster: &mut Cluster, mut req: Request) -> Response {
    let write = !matches!(req.verb, engine::apiserver::Verb::Get | engine::apiserver::Verb::List);
    if write && req.options.field_manager.is_none() {
        req.options.field_manager = FIELD_MANAGER.with(|m| m.get()).map(str::to_string);
    }
    let response = cluster.handle(ACTOR, req);
    if write {
        cluster.settle();
    } else {
        READ_WARNINGS.with(|w| {
            let mut w = w.borrow_mut();
            for warning in &response.warnings {
                if !w.contains(warning) {
                    w.push(warning.clone());
                }
            }
        });
    }
    response
}

/// The message kubectl prints for an API error, with a trailing newline. `source` is `(verb, file)` when
/// the object came from a file (`error when creating "x.yaml": …`).
pub fn server_error(e: &ApiError, source: Option<(&str, &str)>) -> String {
    if e.code == 0 {
        // No server answered (every control-plane node is down): the client's own connection error.
        return format!("{}\n", e.message);
    }
    if e.reason == "Invalid" {
        // kubectl rebuilds Invalid errors from their details and causes, without the file: one cause on
        // the same line, several as a `* field: message` list; without causes it says only that the
        // request was invalid.
        let Some((kind, name)) = &e.details else {
            return format!("The request is invalid: {}\n", e.message);
        };
        let header = format!("The {kind} {} is invalid", engine::admission::gotext::go_quote(name));
        let mut causes: Vec<String> = Vec::new();
        for c in &e.causes {
            let line = if c.field.is_empty() { c.message.clone() } else { format!("{}: {}", c.field, c.message) };
            if !causes.contains(&line) {
                causes.push(line);
            }
        }
        return match causes.as_slice() {
            [] => format!("{header}\n"),
            [one] => format!("{header}: {one}\n"),
            many => format!("{header}: \n{}\n", many.iter().map(|c| format!("* {c}")).collect::<Vec<_>>().join("\n")),
        };
    }
    let msg = match source {
        Some((verb, file)) => format!("error when {verb} \"{file}\": {}", e.message),
        None => e.message.clone(),
    };
    if e.reason.is_empty() {
        format!("Error from server: {msg}\n")
    } else {
        format!("Error from server ({}): {msg}\n", e.reason)
    }
}

/// The `Warning: …` lines kubectl prints on stderr for a response's warnings.
pub fn warnings(res: &Response) -> String {
    res.warnings.iter().map(|w| format!("Warning: {w}\n")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::Kind;

    #[test]
    fn error_shapes() {
        let nf = ApiError::not_found(Kind::Pod, "x");
        assert_eq!(server_error(&nf, None), "Error from server (NotFound): pods \"x\" not found\n");
        let dup = ApiError::already_exists(Kind::Deployment, "nginx");
        assert_eq!(
            server_error(&dup, Some(("creating", "nginx.yaml"))),
            "Error from server (AlreadyExists): error when creating \"nginx.yaml\": deployments.apps \"nginx\" already exists\n"
        );
        let etcd = ApiError::new(500, "", "etcdserver: request timed out");
        assert_eq!(server_error(&etcd, None), "Error from server: etcdserver: request timed out\n");
    }
}
