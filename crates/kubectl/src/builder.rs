//! Which objects a command line names (kubectl's resource builder): `TYPE`, `TYPE NAME…`, `TYPE/NAME…`,
//! `TYPE1,TYPE2`, and the `all` category.

use engine::Kind;

use crate::resource::{resolve_type, TypeArg};

/// Kinds in the `all` category, in the order kubectl lists them.
pub const ALL_CATEGORY: &[Kind] = &[
    Kind::Pod,
    Kind::Service,
    Kind::DaemonSet,
    Kind::Deployment,
    Kind::ReplicaSet,
    Kind::StatefulSet,
    Kind::CronJob,
    Kind::Job,
];

/// Requests in command-line order: a kind and the names asked for (empty: every object of that kind).
pub type Selection = Vec<(Kind, Vec<String>)>;

pub fn kinds_of(ty: &str) -> Result<Vec<Kind>, String> {
    if ty.eq_ignore_ascii_case("all") {
        return Ok(ALL_CATEGORY.to_vec());
    }
    match resolve_type(ty) {
        TypeArg::Known(kind) => Ok(vec![kind]),
        TypeArg::Unknown => Err(format!("error: the server doesn't have a resource type \"{ty}\"\n")),
    }
}

pub fn parse_args(args: &[String]) -> Result<Selection, String> {
    let mut requests: Selection = Vec::new();
    if args.is_empty() {
        return Ok(requests);
    }
    if args[0].contains('/') {
        for arg in args {
            let Some((ty, name)) = arg.split_once('/') else {
                return Err("error: there is no need to specify a resource type as a separate argument when passing \
arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource \
resource/<resource_name>'\n"
                    .to_string());
            };
            for kind in kinds_of(ty)? {
                match requests.iter_mut().find(|(k, _)| *k == kind) {
                    Some((_, names)) => names.push(name.to_string()),
                    None => requests.push((kind, vec![name.to_string()])),
                }
            }
        }
        return Ok(requests);
    }
    let mut kinds = Vec::new();
    for ty in args[0].split(',').filter(|t| !t.is_empty()) {
        kinds.extend(kinds_of(ty)?);
    }
    let names: Vec<String> = args[1..].to_vec();
    if kinds.len() > 1 && !names.is_empty() {
        return Err("error: arguments in resource/name form must have a single resource and name\n".to_string());
    }
    Ok(kinds.into_iter().map(|k| (k, names.clone())).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn forms() {
        assert_eq!(parse_args(&args("pods")).unwrap(), vec![(Kind::Pod, vec![])]);
        assert_eq!(parse_args(&args("po a b")).unwrap(), vec![(Kind::Pod, vec!["a".into(), "b".into()])]);
        assert_eq!(
            parse_args(&args("pod/a svc/b pod/c")).unwrap(),
            vec![(Kind::Pod, vec!["a".into(), "c".into()]), (Kind::Service, vec!["b".into()])]
        );
        assert_eq!(
            parse_args(&args("pv,pvc")).unwrap(),
            vec![(Kind::PersistentVolume, vec![]), (Kind::PersistentVolumeClaim, vec![])]
        );
        assert_eq!(parse_args(&args("all")).unwrap().len(), ALL_CATEGORY.len());
        assert!(parse_args(&args("pods,svc a")).is_err());
        assert!(parse_args(&args("pod/a b")).is_err());
        assert_eq!(parse_args(&args("foos")).unwrap_err(), "error: the server doesn't have a resource type \"foos\"\n");
    }
}
