//! Resource type names as kubectl accepts them: plural, singular, short name or `Kind`, case-insensitive,
//! optionally qualified by group (`deployments.apps`) or version (`nodes.v1`).

use engine::Kind;

pub enum TypeArg {
    Known(Kind),
    Unknown,
}

pub fn resolve_type(arg: &str) -> TypeArg {
    let lower = arg.to_lowercase();
    for kind in Kind::ALL {
        let info = kind.info();
        let mut names: Vec<String> = vec![info.plural.into(), info.singular.into(), info.kind.to_lowercase()];
        names.extend(info.short_names.iter().map(|s| s.to_string()));
        let qualified: Vec<String> = [info.plural, info.singular]
            .iter()
            .flat_map(|n| {
                let mut q = vec![format!("{n}.{}", info.version)];
                if !info.group.is_empty() {
                    q.push(format!("{n}.{}", info.group));
                    q.push(format!("{n}.{}.{}", info.version, info.group));
                }
                q
            })
            .collect();
        if names.iter().chain(&qualified).any(|n| *n == lower) {
            return TypeArg::Known(*kind);
        }
    }
    TypeArg::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_nodes() {
        for arg in ["nodes", "node", "no", "Node", "NODES", "nodes.v1"] {
            assert!(matches!(resolve_type(arg), TypeArg::Known(Kind::Node)), "{arg}");
        }
        assert!(matches!(resolve_type("ns"), TypeArg::Known(Kind::Namespace)));
        assert!(matches!(resolve_type("nodez"), TypeArg::Unknown));
    }
}
