//! Reading the tag of a container image reference, for the imagePullPolicy default. `SetDefaults_Container`
//! calls `parsers.ParseImageName` (docker reference grammar, `ParseNormalizedNamed`): `Always` when the tag is
//! `latest` or there is neither tag nor digest, `IfNotPresent` otherwise, including when the reference does
//! not parse at all (the error is ignored there).

/// `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`: one path component of a repository name.
fn is_path_component(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() || !b[0].is_ascii_lowercase() && !b[0].is_ascii_digit() {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            i += 1;
            continue;
        }
        // A separator: ".", "_", "__" or a run of "-", and it must be followed by an alphanumeric.
        let sep_len = match c {
            b'.' => 1,
            b'_' if b.get(i + 1) == Some(&b'_') => 2,
            b'_' => 1,
            b'-' => b[i..].iter().take_while(|&&x| x == b'-').count(),
            _ => return false,
        };
        i += sep_len;
        match b.get(i) {
            Some(n) if n.is_ascii_lowercase() || n.is_ascii_digit() => {}
            _ => return false,
        }
    }
    true
}

/// A registry host with an optional port (`localhost:5000`, `registry.example.com`, `[::1]:5000`).
fn is_domain(s: &str) -> bool {
    if s.starts_with('[') {
        return s.contains(']');
    }
    let (host, port) = match s.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (s, None),
    };
    if let Some(p) = port {
        if p.is_empty() || !p.bytes().all(|c| c.is_ascii_digit()) {
            return false;
        }
    }
    !host.is_empty()
        && host.split('.').all(|part| {
            let b = part.as_bytes();
            !b.is_empty()
                && b[0].is_ascii_alphanumeric()
                && b[b.len() - 1].is_ascii_alphanumeric()
                && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        })
}

/// `[\w][\w.-]{0,127}`.
fn is_tag(s: &str) -> bool {
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let b = s.as_bytes();
    !b.is_empty() && b.len() <= 128 && word(b[0]) && b.iter().all(|&c| word(c) || c == b'.' || c == b'-')
}

/// `algorithm:hex` with at least 32 hex digits.
fn is_digest(s: &str) -> bool {
    match s.split_once(':') {
        Some((alg, hex)) => {
            !alg.is_empty()
                && alg.as_bytes()[0].is_ascii_alphabetic()
                && alg.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'+' | b'.'))
                && hex.len() >= 32
                && hex.bytes().all(|c| c.is_ascii_hexdigit())
        }
        None => false,
    }
}

/// The tag and digest of a reference, or `None` when it does not parse as a normalized docker reference.
fn parse_reference(image: &str) -> Option<(Option<&str>, Option<&str>)> {
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (image, None),
    };
    if digest.is_some_and(|d| !is_digest(d)) {
        return None;
    }
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[last_slash..].rfind(':') {
        Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
        None => (rest, None),
    };
    if tag.is_some_and(|t| !is_tag(t)) || name.is_empty() || name.len() > 255 {
        return None;
    }
    // splitDockerDomain: the first component is a registry only if it looks like one.
    let (domain, path) = match name.split_once('/') {
        Some((first, remainder))
            if first.contains(['.', ':']) || first == "localhost" || first.to_lowercase() != first =>
        {
            (Some(first), remainder)
        }
        _ => (None, name),
    };
    if domain.is_some_and(|d| !is_domain(d)) {
        return None;
    }
    // A bare 64-hex "name" is refused as it could be mistaken for an image ID.
    if domain.is_none() && path.len() == 64 && path.bytes().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()) {
        return None;
    }
    if !path.split('/').all(is_path_component) {
        return None;
    }
    Some((tag, digest))
}

/// The imagePullPolicy `SetDefaults_Container` gives an image.
pub fn pull_policy_for(image: &str) -> &'static str {
    match parse_reference(image) {
        Some((Some("latest"), _)) | Some((None, None)) => "Always",
        _ => "IfNotPresent",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_policies() {
        let cases = [
            ("nginx", "Always"),
            ("nginx:latest", "Always"),
            ("nginx:1.27", "IfNotPresent"),
            ("docker.io/library/nginx", "Always"),
            ("registry.example.com:5000/team/app:v2", "IfNotPresent"),
            ("localhost:5000/app", "Always"),
            ("nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "IfNotPresent"),
            ("busybox:1.36", "IfNotPresent"),
            ("Nginx", "IfNotPresent"),
            ("", "IfNotPresent"),
            ("nginx:bad tag", "IfNotPresent"),
            ("gcr.io/k8s-staging/pause-amd64", "Always"),
            ("my__repo/a-b--c", "Always"),
        ];
        for (image, want) in cases {
            assert_eq!(pull_policy_for(image), want, "{image}");
        }
    }
}
