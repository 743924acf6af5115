//! `kubectl edit`: the object opens in an editor; saving sends the difference as a strategic merge patch.
//!
//! A terminal kubectl blocks on `$EDITOR`. Here the command is split in two so that a UI can show its own
//! editor in between: [`begin`] fetches the object and gives the buffer (kubectl's header comment, then the
//! object as YAML); [`save`] takes the edited buffer and does what kubectl's edit loop does with it
//! (`editoptions.go`), as captured from kubectl v1.32 against `kubeground serve`:
//! - no change (comments ignored) → `Edit cancelled, no changes made.` on stderr, exit 0;
//! - a change → a two-way strategic merge patch with `fieldManager=kubectl-edit` → `deployment.apps/web edited`;
//! - the API server refuses it as invalid, or the buffer is empty or not YAML → the buffer comes back with the
//!   reasons as comments under the header (`# deployments.apps "web" was not valid:`), and saving that
//!   unchanged ends with `error: deployments.apps "web" is invalid` and
//!   `error: Edit cancelled, no valid changes were saved.` (exit 1);
//! - any other refusal → `error: deployments.apps "web" could not be patched: …` (exit 1).
//!
//! A real kubectl also keeps a copy of a failed buffer in a temporary file and names it; the playground has
//! no such file, so that line is left out.

use engine::apiserver::{PatchType, Request, Verb};
use engine::{Cluster, Kind, Object};
use serde_json::Value;

use crate::client::{send, server_error};
use crate::flags::{flag, FlagKind, FlagSpec, Parsed};
use crate::{manifest, printing, Output};

pub const FLAGS: &[FlagSpec] =
    &[flag("output", Some('o'), FlagKind::String), flag("show-managed-fields", None, FlagKind::Bool)];

/// kubectl's header above the object (`editoptions.go`, `editHeader`).
const HEADER: &str = "# Please edit the object below. Lines beginning with a '#' will be ignored,\n\
# and an empty file will abort the edit. If an error occurs while saving this file will be\n\
# reopened with the relevant failures.\n#\n";

/// An edit in progress: the object as it was opened and the buffer the editor shows now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    kind: Kind,
    namespace: Option<String>,
    name: String,
    json: bool,
    /// The object as first shown (YAML or JSON text, without the header).
    original: String,
    /// What the editor shows: the header, any failure comments, the content.
    buffer: String,
    /// After a failed save: `deployments.apps "web" is invalid`, printed if the buffer is saved unchanged.
    failed: Option<String>,
}

impl Edit {
    /// The text to put in the editor.
    pub fn buffer(&self) -> &str {
        &self.buffer
    }

    /// `deployment.apps/web`, as the result line names the object.
    pub fn title(&self) -> String {
        format!("{}/{}", self.kind.info().qualified_singular(), self.name)
    }

    /// `deployments.apps "web"`, as kubectl's edit errors name it.
    fn resource(&self) -> String {
        let info = self.kind.info();
        let plural =
            if info.group.is_empty() { info.plural.to_string() } else { format!("{}.{}", info.plural, info.group) };
        format!("{plural} \"{}\"", self.name)
    }
}

/// What saving a buffer led to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Saved {
    /// The edit is over; print this.
    Done(Output),
    /// The save failed; show the editor again with this buffer (the reasons are comments at its top).
    Reopen(Edit),
}

/// Opens an edit of the object `args` name (`edit TYPE NAME`, `edit TYPE/NAME`; `-n`, `-o yaml|json`).
pub fn begin(cluster: &mut Cluster, args: &[String]) -> Result<Edit, Output> {
    let specs = [crate::GLOBAL_FLAGS, FLAGS].concat();
    let rest: Vec<String> = match args.iter().position(|a| a == "edit") {
        Some(i) => args[..i].iter().chain(&args[i + 1..]).cloned().collect(),
        None => args.to_vec(),
    };
    let parsed: Parsed = crate::flags::parse(&rest, &specs)
        .map_err(|e| Output::error(format!("Error: {e}\nSee 'kubectl edit --help' for usage.\n")))?;
    let json = match parsed.string("output").unwrap_or("yaml") {
        "yaml" => false,
        "json" => true,
        other => {
            return Err(Output::error(format!(
                "error: the flag 'output' (-o) must be 'yaml' or 'json', not {other:?}\n"
            )))
        }
    };
    let namespace = parsed.string("namespace").unwrap_or("default").to_string();
    let objects = crate::modify::targets(cluster, &parsed.args, &parsed, &namespace).map_err(Output::error)?;
    let object = match objects.as_slice() {
        [one] => one.clone(),
        [] => return Err(Output::error("error: no resources found to edit\n")),
        _ => {
            return Err(Output::error(
                "error: kubeground edits one object at a time; name a single object (kubectl edit TYPE NAME)\n",
            ))
        }
    };
    printing::set_show_managed_fields(parsed.bool("show-managed-fields"));
    let text = render(&object, json)?;
    Ok(Edit {
        kind: object.kind(),
        namespace: object.kind().info().namespaced.then(|| namespace.clone()),
        name: object.name().to_string(),
        json,
        buffer: format!("{HEADER}{text}"),
        original: text,
        failed: None,
    })
}

fn render(object: &Object, json: bool) -> Result<String, Output> {
    let doc = printing::as_document(&[std::sync::Arc::new(object.clone())], true);
    if json {
        Ok(printing::json_text(&doc))
    } else {
        crate::output::yaml::to_yaml(&doc).map_err(|e| Output::error(format!("error: {e}\n")))
    }
}

/// Saves `text` as the edited buffer of `edit` (see the module documentation for every outcome).
pub fn save(cluster: &mut Cluster, edit: Edit, text: &str) -> Saved {
    let content = strip_comments(text);
    if let Some(failed) = &edit.failed {
        if content == strip_comments(&edit.buffer) {
            return Saved::Done(Output::error(format!(
                "error: {failed}\nerror: Edit cancelled, no valid changes were saved.\n"
            )));
        }
    }
    if content == strip_comments(&edit.original) {
        return Saved::Done(Output { stderr: "Edit cancelled, no changes made.\n".into(), ..Default::default() });
    }
    let edited = match manifest::parse_documents(&content, "edit").map(|d| d.into_iter().next()) {
        Ok(Some(doc)) if doc.value.is_object() => doc.value,
        Ok(_) => {
            return reopen(
                edit,
                &content,
                &["<nil>: Invalid value: \"The edited file failed validation\": invalid object to validate".into()],
            )
        }
        Err(e) => {
            // `error: error parsing edit: error converting YAML to JSON: yaml: line 16: …` → the yaml part.
            let why = e.trim_end().rsplit("error converting YAML to JSON: ").next().unwrap_or_default().to_string();
            return reopen(
                edit,
                &content,
                &[format!("<nil>: Invalid value: \"The edited file failed validation\": {why}")],
            );
        }
    };
    let original = match manifest::parse_documents(&edit.original, "edit").map(|d| d.into_iter().next()) {
        Ok(Some(doc)) => doc.value,
        _ => Value::Null,
    };
    let patch = match engine::patch::three_way_merge_patch(Some(&original), &edited, &original) {
        Ok(p) => p,
        Err(e) => return Saved::Done(Output::error(format!("error: {}\n", e))),
    };
    if engine::patch::is_empty_patch(&patch) {
        return Saved::Done(Output { stderr: "Edit cancelled, no changes made.\n".into(), ..Default::default() });
    }
    crate::client::set_field_manager(crate::client::field_manager_of("edit"));
    let mut req = Request::new(Verb::Patch, edit.kind).name(edit.name.clone()).body(patch);
    req.namespace = edit.namespace.clone();
    req.options.patch_type = Some(PatchType::Strategic);
    let res = send(cluster, req);
    let mut out = Output { stderr: crate::client::warnings(&res), ..Default::default() };
    match res.result {
        Ok(_) => {
            out.stdout = format!("{} edited\n", edit.title());
            Saved::Done(out)
        }
        Err(e) if e.reason == "Invalid" => {
            let reasons: Vec<String> = if e.causes.is_empty() {
                vec![e.message.clone()]
            } else {
                e.causes.iter().map(|c| format!("{}: {}", c.field, c.message)).collect()
            };
            reopen(edit, &content, &reasons)
        }
        Err(e) => {
            let why = server_error(&e, None);
            let why = why.trim_end().trim_start_matches("error: ").trim_start_matches("Error from server: ");
            out.fail(format!("error: {} could not be patched: {why}\n", edit.resource()));
            Saved::Done(out)
        }
    }
}

/// The buffer again, with the reasons the save failed as comments under the header.
fn reopen(mut edit: Edit, content: &str, reasons: &[String]) -> Saved {
    let resource = edit.resource();
    let mut buffer = format!("{HEADER}# {resource} was not valid:\n");
    for r in reasons {
        buffer.push_str(&format!("# * {r}\n"));
    }
    buffer.push_str("#\n");
    buffer.push_str(content);
    edit.buffer = buffer;
    edit.failed = Some(format!("{resource} is invalid"));
    Saved::Reopen(edit)
}

/// The buffer without its comment lines (kubectl's `StripComments`: lines whose first non-blank is `#`).
fn strip_comments(text: &str) -> String {
    text.lines().filter(|l| !l.trim_start().starts_with('#')).map(|l| format!("{l}\n")).collect()
}

/// Sorry-message for `kubectl edit` where there is no editor (scripts, `kubeground run`).
pub const NO_EDITOR: &str = "error: \"kubectl edit\" opens an editor, which a script does not have; in the page it \
opens the editor panel. Here, change the object with \"kubectl apply\" or \"kubectl patch\" instead\n";

#[cfg(test)]
mod tests {
    use super::*;

    fn cluster_with_web() -> Cluster {
        let mut c = Cluster::new(1);
        let out = crate::run(
            &mut c,
            &words("create deployment web --image=nginx --replicas=2"),
            &crate::Io { stdin: None, files: &crate::NoFiles },
        );
        assert_eq!(out.exit_code, 0, "{out:?}");
        c.settle();
        c
    }

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    fn replicas(c: &mut Cluster) -> String {
        crate::run(
            c,
            &words("get deploy web -o jsonpath={.spec.replicas}"),
            &crate::Io { stdin: None, files: &crate::NoFiles },
        )
        .stdout
    }

    #[test]
    fn the_buffer_starts_with_kubectls_header_and_hides_managed_fields() {
        let mut c = cluster_with_web();
        let edit = begin(&mut c, &words("edit deploy web")).unwrap();
        assert!(edit.buffer().starts_with(HEADER), "{}", edit.buffer());
        assert!(edit.buffer()[HEADER.len()..].starts_with("apiVersion: apps/v1\nkind: Deployment\n"));
        assert!(!edit.buffer().contains("managedFields"));
        assert_eq!(edit.title(), "deployment.apps/web");
    }

    #[test]
    fn saving_unchanged_or_changing_only_comments_cancels() {
        let mut c = cluster_with_web();
        let edit = begin(&mut c, &words("edit deployment/web")).unwrap();
        let text = format!("# my note\n{}", edit.buffer());
        let Saved::Done(out) = save(&mut c, edit, &text) else { panic!("must finish") };
        assert_eq!(
            (out.stdout.as_str(), out.stderr.as_str(), out.exit_code),
            ("", "Edit cancelled, no changes made.\n", 0)
        );
    }

    #[test]
    fn a_change_is_patched_and_reported_as_edited() {
        let mut c = cluster_with_web();
        let edit = begin(&mut c, &words("edit deploy web")).unwrap();
        let text = edit.buffer().replacen("replicas: 2", "replicas: 3", 1);
        let Saved::Done(out) = save(&mut c, edit, &text) else { panic!("must finish") };
        assert_eq!(out.stdout, "deployment.apps/web edited\n");
        assert_eq!(replicas(&mut c), "3");
    }

    #[test]
    fn an_invalid_change_reopens_with_the_reasons_then_cancels_if_saved_again() {
        let mut c = cluster_with_web();
        let edit = begin(&mut c, &words("edit deploy web")).unwrap();
        let text = edit.buffer().replacen("replicas: 2", "replicas: -1", 1);
        let Saved::Reopen(again) = save(&mut c, edit, &text) else { panic!("must reopen") };
        let expected = format!(
            "{HEADER}# deployments.apps \"web\" was not valid:\n# * spec.replicas: Invalid value: -1: must be greater than or equal to 0\n#\n"
        );
        assert!(again.buffer().starts_with(&expected), "{}", again.buffer());
        let buffer = again.buffer().to_string();
        let Saved::Done(out) = save(&mut c, again, &buffer) else { panic!("must finish") };
        assert_eq!(
            out.stderr,
            "error: deployments.apps \"web\" is invalid\nerror: Edit cancelled, no valid changes were saved.\n"
        );
        assert_eq!(out.exit_code, 1);
        assert_eq!(replicas(&mut c), "2");
    }

    #[test]
    fn an_empty_or_broken_buffer_reopens() {
        let mut c = cluster_with_web();
        let edit = begin(&mut c, &words("edit deploy web")).unwrap();
        let Saved::Reopen(again) = save(&mut c, edit.clone(), "") else { panic!("must reopen") };
        assert!(again
            .buffer()
            .contains("# * <nil>: Invalid value: \"The edited file failed validation\": invalid object to validate\n"));
        let broken = edit.buffer().replacen("replicas: 2", "replicas: [2", 1);
        let Saved::Reopen(again) = save(&mut c, edit, &broken) else { panic!("must reopen") };
        assert!(again.buffer().contains("\"The edited file failed validation\": yaml: line "), "{}", again.buffer());
    }

    #[test]
    fn unknown_objects_get_kubectls_not_found() {
        let mut c = cluster_with_web();
        let err = begin(&mut c, &words("edit deploy nope")).unwrap_err();
        assert_eq!(err.stderr, "Error from server (NotFound): deployments.apps \"nope\" not found\n");
    }
}
