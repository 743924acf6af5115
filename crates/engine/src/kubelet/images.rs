//! The simulated registry and image catalogue (CONTRACT §4).
//!
//! Images are simulated programs chosen by repository name. A reference is parsed and normalised the way the
//! container runtime does (`nginx` → `docker.io/library/nginx:latest`); a tag counts as published when it is
//! one of the image's named tags or looks like its release tags (`1.25`, `1.25.3`, `1.25-alpine`, `v1.34.0`).
//! Anything else fails to pull with the registry's answer, as containerd reports it.

/// What a container of an image does when it starts without a `command` of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// A shell image: `command`/`args` (or the image's default shell, which exits at once without a terminal).
    Shell,
    /// nginx: HTTP on port 80 serving `/usr/share/nginx/html`.
    Nginx,
    /// Apache httpd: HTTP on port 80 serving `/usr/local/apache2/htdocs`.
    Httpd,
    Redis,
    Postgres,
    Mysql,
    Mongo,
    /// `registry.k8s.io/pause`: sleeps forever.
    Pause,
    /// `agnhost`: a multi-purpose test server chosen by its first argument (`netexec`, `liveness`, …).
    Agnhost,
    /// `hashicorp/http-echo`: answers every request with `-text`.
    HttpEcho,
    /// perl, for the docs' `pi` Job.
    Perl,
    /// `polinux/stress`: `stress --vm N --vm-bytes B` holds N×B bytes (the docs' memory-limit examples),
    /// `--cpu N` spins; `--timeout` ends the run.
    Stress,
    /// A control-plane or node component (etcd, kube-apiserver, kube-proxy, CoreDNS, Flannel): runs until stopped.
    Component,
}

/// One repository of the simulated registry.
#[derive(Debug)]
pub struct ImageInfo {
    /// Fully qualified repository, as containerd names it (`docker.io/library/nginx`).
    pub repository: &'static str,
    pub behaviour: Behaviour,
    /// Size the runtime reports after a pull (`Image size: N bytes.`).
    pub size_bytes: u64,
    /// Tags besides version-like ones that the registry publishes.
    pub named_tags: &'static [&'static str],
    /// Whether the image contains `/bin/sh` (so `kubectl exec … -- sh` and shell commands work).
    pub has_shell: bool,
    /// The image's ENTRYPOINT + CMD when the pod gives neither.
    pub default_argv: &'static [&'static str],
    /// Version the program reports (nginx's `nginx/1.27.5`) when the tag says nothing more precise.
    pub latest_version: &'static str,
}

const SHELL_TAGS: &[&str] = &["latest", "stable", "musl", "glibc", "uclibc", "edge"];
const DISTRO_TAGS: &[&str] =
    &["latest", "stable", "stable-slim", "bookworm", "bookworm-slim", "trixie", "noble", "jammy", "focal", "rolling"];
const SERVER_TAGS: &[&str] = &["latest", "stable", "mainline", "alpine", "alpine-slim", "bookworm", "perl", "otel"];

pub static CATALOGUE: &[ImageInfo] = &[
    ImageInfo {
        repository: "docker.io/library/nginx",
        behaviour: Behaviour::Nginx,
        size_bytes: 72_195_292,
        named_tags: SERVER_TAGS,
        has_shell: true,
        default_argv: &["/docker-entrypoint.sh", "nginx", "-g", "daemon off;"],
        latest_version: "1.29.1",
    },
    ImageInfo {
        repository: "registry.k8s.io/nginx-slim",
        behaviour: Behaviour::Nginx,
        size_bytes: 20_469_424,
        named_tags: &[],
        has_shell: true,
        default_argv: &["nginx", "-g", "daemon off;"],
        latest_version: "1.27.1",
    },
    ImageInfo {
        repository: "docker.io/library/httpd",
        behaviour: Behaviour::Httpd,
        size_bytes: 58_148_434,
        named_tags: SERVER_TAGS,
        has_shell: true,
        default_argv: &["httpd-foreground"],
        latest_version: "2.4.65",
    },
    ImageInfo {
        repository: "docker.io/library/busybox",
        behaviour: Behaviour::Shell,
        size_bytes: 2_223_186,
        named_tags: SHELL_TAGS,
        has_shell: true,
        default_argv: &["sh"],
        latest_version: "1.37.0",
    },
    ImageInfo {
        repository: "registry.k8s.io/busybox",
        behaviour: Behaviour::Shell,
        size_bytes: 1_144_547,
        named_tags: SHELL_TAGS,
        has_shell: true,
        default_argv: &["sh"],
        latest_version: "1.27.2",
    },
    // The PV controller's recycler pods (k/k `NewPersistentVolumeRecyclerPodTemplate`). The tag is the newest
    // the stored Kubernetes source shows; the size and the default command are informed guesses (a
    // debian-base image of about 30 MB whose CMD is `/bin/sh`, as Debian's base images have).
    ImageInfo {
        repository: "registry.k8s.io/build-image/debian-base",
        behaviour: Behaviour::Shell,
        size_bytes: 29_650_000,
        named_tags: &["bookworm-v1.0.2"],
        has_shell: true,
        default_argv: &["/bin/sh"],
        latest_version: "bookworm-v1.0.2",
    },
    ImageInfo {
        repository: "docker.io/library/alpine",
        behaviour: Behaviour::Shell,
        size_bytes: 3_807_667,
        named_tags: SHELL_TAGS,
        has_shell: true,
        default_argv: &["/bin/sh"],
        latest_version: "3.22.1",
    },
    ImageInfo {
        repository: "docker.io/library/ubuntu",
        behaviour: Behaviour::Shell,
        size_bytes: 29_723_147,
        named_tags: DISTRO_TAGS,
        has_shell: true,
        default_argv: &["/bin/bash"],
        latest_version: "24.04",
    },
    ImageInfo {
        repository: "docker.io/library/debian",
        behaviour: Behaviour::Shell,
        size_bytes: 48_494_272,
        named_tags: DISTRO_TAGS,
        has_shell: true,
        default_argv: &["bash"],
        latest_version: "13",
    },
    ImageInfo {
        repository: "docker.io/library/redis",
        behaviour: Behaviour::Redis,
        size_bytes: 52_577_830,
        named_tags: SERVER_TAGS,
        has_shell: true,
        default_argv: &["docker-entrypoint.sh", "redis-server"],
        latest_version: "8.2.1",
    },
    ImageInfo {
        repository: "docker.io/library/postgres",
        behaviour: Behaviour::Postgres,
        size_bytes: 161_339_180,
        named_tags: SERVER_TAGS,
        has_shell: true,
        default_argv: &["docker-entrypoint.sh", "postgres"],
        latest_version: "17.6",
    },
    ImageInfo {
        repository: "docker.io/library/mysql",
        behaviour: Behaviour::Mysql,
        size_bytes: 235_440_216,
        named_tags: &["latest", "lts", "innovation", "oracle", "debian"],
        has_shell: true,
        default_argv: &["docker-entrypoint.sh", "mysqld"],
        latest_version: "9.4.0",
    },
    ImageInfo {
        repository: "docker.io/library/mongo",
        behaviour: Behaviour::Mongo,
        size_bytes: 300_163_425,
        named_tags: &["latest", "noble", "jammy"],
        has_shell: true,
        default_argv: &["docker-entrypoint.sh", "mongod"],
        latest_version: "8.0.13",
    },
    ImageInfo {
        repository: "docker.io/library/perl",
        behaviour: Behaviour::Perl,
        size_bytes: 339_036_702,
        named_tags: &["latest", "slim", "stable", "bookworm"],
        has_shell: true,
        default_argv: &["perl", "-de0"],
        latest_version: "5.42.0",
    },
    ImageInfo {
        repository: "registry.k8s.io/pause",
        behaviour: Behaviour::Pause,
        size_bytes: 320_368,
        named_tags: &[],
        has_shell: false,
        default_argv: &["/pause"],
        latest_version: "3.10.1",
    },
    ImageInfo {
        repository: "registry.k8s.io/e2e-test-images/agnhost",
        behaviour: Behaviour::Agnhost,
        size_bytes: 51_139_024,
        named_tags: &[],
        has_shell: true,
        default_argv: &["/agnhost"],
        latest_version: "2.53",
    },
    // Not in CONTRACT §4's table; added for the docs' memory-limit examples. Size and default command are an
    // informed guess (an Alpine image with the `stress` binary).
    ImageInfo {
        repository: "docker.io/polinux/stress",
        behaviour: Behaviour::Stress,
        size_bytes: 4_042_578,
        named_tags: &["latest"],
        has_shell: true,
        default_argv: &["stress"],
        latest_version: "1.0.4",
    },
    ImageInfo {
        repository: "docker.io/hashicorp/http-echo",
        behaviour: Behaviour::HttpEcho,
        size_bytes: 3_497_952,
        named_tags: &["latest"],
        has_shell: false,
        default_argv: &["/http-echo"],
        latest_version: "1.0.0",
    },
    // Not in CONTRACT §4's table: curl's own image, the one the Kubernetes docs run to reach a Service
    // (`kubectl run curl --image=curlimages/curl -i --tty -- sh`). An Alpine image (busybox shell) with curl;
    // ENTRYPOINT `/entrypoint.sh`, CMD `curl`. Size: informed guess, not a capture.
    ImageInfo {
        repository: "docker.io/curlimages/curl",
        behaviour: Behaviour::Shell,
        size_bytes: 9_842_470,
        named_tags: &["latest"],
        has_shell: true,
        default_argv: &["/entrypoint.sh", "curl"],
        latest_version: "8.15.0",
    },
    ImageInfo {
        repository: "registry.k8s.io/etcd",
        behaviour: Behaviour::Component,
        size_bytes: 23_653_540,
        named_tags: &[],
        has_shell: false,
        default_argv: &["etcd"],
        latest_version: "3.6.4-0",
    },
    ImageInfo {
        repository: "registry.k8s.io/kube-apiserver",
        behaviour: Behaviour::Component,
        size_bytes: 27_064_672,
        named_tags: &[],
        has_shell: false,
        default_argv: &["kube-apiserver"],
        latest_version: "v1.34.0",
    },
    ImageInfo {
        repository: "registry.k8s.io/kube-controller-manager",
        behaviour: Behaviour::Component,
        size_bytes: 22_819_474,
        named_tags: &[],
        has_shell: false,
        default_argv: &["kube-controller-manager"],
        latest_version: "v1.34.0",
    },
    ImageInfo {
        repository: "registry.k8s.io/kube-scheduler",
        behaviour: Behaviour::Component,
        size_bytes: 17_385_568,
        named_tags: &[],
        has_shell: false,
        default_argv: &["kube-scheduler"],
        latest_version: "v1.34.0",
    },
    ImageInfo {
        repository: "registry.k8s.io/kube-proxy",
        behaviour: Behaviour::Component,
        size_bytes: 25_963_718,
        named_tags: &[],
        has_shell: false,
        default_argv: &["/usr/local/bin/kube-proxy"],
        latest_version: "v1.34.0",
    },
    ImageInfo {
        repository: "registry.k8s.io/coredns/coredns",
        behaviour: Behaviour::Component,
        size_bytes: 22_384_805,
        named_tags: &[],
        has_shell: false,
        default_argv: &["/coredns"],
        latest_version: "v1.12.1",
    },
    ImageInfo {
        // minikube's hostPath provisioner (a static Go binary, no shell). Size: informed guess of v5's
        // compressed size, not a capture.
        repository: "gcr.io/k8s-minikube/storage-provisioner",
        behaviour: Behaviour::Component,
        size_bytes: 9_058_936,
        named_tags: &[],
        has_shell: false,
        default_argv: &["/storage-provisioner"],
        latest_version: "v5",
    },
    ImageInfo {
        repository: "ghcr.io/flannel-io/flannel",
        behaviour: Behaviour::Component,
        size_bytes: 32_996_046,
        named_tags: &[],
        has_shell: true,
        default_argv: &["/opt/bin/flanneld"],
        latest_version: "v0.27.3",
    },
    ImageInfo {
        repository: "ghcr.io/flannel-io/flannel-cni-plugin",
        behaviour: Behaviour::Component,
        size_bytes: 4_856_838,
        named_tags: &[],
        has_shell: true,
        default_argv: &["cp"],
        latest_version: "v1.7.1-flannel1",
    },
];

/// A parsed, normalised image reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    /// `docker.io/library/nginx`
    pub repository: String,
    /// `1.27`, or `latest` when the reference names none.
    pub tag: String,
    pub digest: Option<String>,
}

impl ImageRef {
    /// The name containerd reports in `status.containerStatuses[].image`: `docker.io/library/nginx:1.27`.
    pub fn full_name(&self) -> String {
        match &self.digest {
            Some(d) => format!("{}@{d}", self.repository),
            None => format!("{}:{}", self.repository, self.tag),
        }
    }

    /// `imageID`: the repository digest of the pulled image (a stable hash standing in for the real one).
    pub fn image_id(&self) -> String {
        format!("{}@sha256:{}", self.repository, digest_hex(&self.full_name()))
    }

    pub fn info(&self) -> Option<&'static ImageInfo> {
        CATALOGUE.iter().find(|i| i.repository == self.repository)
    }
}

/// Parses an image reference as the container runtime does (distribution's reference grammar, reduced to what
/// pods use). The error is the runtime's `couldn't parse image name` text.
pub fn parse(image: &str) -> Result<ImageRef, String> {
    let invalid = |why: &str| format!("couldn't parse image name {image:?}: invalid reference format{why}");
    if image.is_empty() || image.chars().any(|c| c.is_whitespace()) {
        return Err(invalid(""));
    }
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => {
            let hex = d.strip_prefix("sha256:").ok_or_else(|| invalid(""))?;
            if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()) {
                return Err(invalid(""));
            }
            (r, Some(d.to_string()))
        }
        None => (image, None),
    };
    // A tag follows the last ':' after the last '/'.
    let slash = rest.rfind('/').map(|i| i + 1).unwrap_or(0);
    let (name, tag) = match rest[slash..].rfind(':') {
        Some(i) => (&rest[..slash + i], Some(&rest[slash + i + 1..])),
        None => (rest, None),
    };
    if let Some(t) = tag {
        let ok = !t.is_empty()
            && t.len() <= 128
            && t.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
            && !t.starts_with(['.', '-']);
        if !ok {
            return Err(invalid(""));
        }
    }
    let mut parts: Vec<&str> = name.split('/').collect();
    let domain = if parts.len() > 1 && (parts[0].contains(['.', ':']) || parts[0] == "localhost") {
        parts.remove(0).to_string()
    } else {
        "docker.io".to_string()
    };
    if domain == "docker.io" && parts.len() == 1 {
        parts.insert(0, "library");
    }
    let path = parts.join("/");
    if path.chars().any(|c| c.is_ascii_uppercase()) {
        return Err(invalid(&format!(": repository name ({path}) must be lowercase")));
    }
    let component_ok = |p: &str| {
        !p.is_empty()
            && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
            && p.starts_with(|c: char| c.is_ascii_alphanumeric())
            && p.ends_with(|c: char| c.is_ascii_alphanumeric())
    };
    if !parts.iter().all(|p| component_ok(p)) {
        return Err(invalid(""));
    }
    Ok(ImageRef {
        repository: format!("{domain}/{path}"),
        tag: tag.unwrap_or(if digest.is_some() { "" } else { "latest" }).to_string(),
        digest,
    })
}

/// Whether the simulated registry has `r`: a known repository with a published tag (or a digest of one).
pub fn published(r: &ImageRef) -> bool {
    let Some(info) = r.info() else { return false };
    if r.digest.is_some() {
        // Digests of the simulated images are the ones `image_id` hands out.
        return r.digest.as_deref().is_some_and(|d| {
            CATALOGUE_TAG_PROBES.iter().any(|t| format!("sha256:{}", digest_hex(&format!("{}:{t}", r.repository))) == d)
        });
    }
    info.named_tags.contains(&r.tag.as_str()) || version_like(&r.tag)
}

/// Tags whose digests `published` recognises when a pod pins one (a learner copies `imageID` from a status).
const CATALOGUE_TAG_PROBES: &[&str] = &["latest", "stable", "alpine"];

/// Flavour words that follow a version in published tags.
const VARIANTS: &[&str] = &[
    "alpine",
    "slim",
    "bookworm",
    "bullseye",
    "trixie",
    "perl",
    "otel",
    "musl",
    "glibc",
    "uclibc",
    "jammy",
    "noble",
    "focal",
    "oracle",
    "debian",
    "flannel",
    "windowsservercore",
    "nanoserver",
    "management",
];

/// `1.25`, `1.25.3`, `1.25-alpine`, `v1.34.0`, `3.6.4-0`, `24.04`: numbers with dots, an optional `v`, and
/// an optional `-variant`.
fn version_like(tag: &str) -> bool {
    let t = tag.strip_prefix('v').unwrap_or(tag);
    let (version, variant) = match t.split_once('-') {
        Some((v, var)) => (v, Some(var)),
        None => (t, None),
    };
    let numbers: Vec<&str> = version.split('.').collect();
    let numbers_ok = (1..=4).contains(&numbers.len())
        && numbers.iter().all(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
    // Variants are the ones registries publish: a distribution flavour (`alpine`, `bookworm-slim`,
    // `alpine3.22`) or a build number (`3.6.4-0`, `v1.7.1-flannel1`).
    let variant_ok = variant.is_none_or(|v| {
        v.split('-').all(|part| {
            let word = part.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
            !part.is_empty() && (part.chars().all(|c| c.is_ascii_digit()) || VARIANTS.contains(&word))
        })
    });
    numbers_ok && variant_ok
}

/// The error containerd returns for a reference the registry does not have, as the kubelet's `Failed` event
/// quotes it after `Failed to pull image "…": `.
pub fn pull_error(r: &ImageRef) -> String {
    let full = r.full_name();
    if r.info().is_none() {
        format!(
            "failed to pull and unpack image \"{full}\": failed to resolve reference \"{full}\": pull access denied, \
             repository does not exist or may require authorization: server message: insufficient_scope: \
             authorization failed"
        )
    } else {
        format!("failed to pull and unpack image \"{full}\": failed to resolve reference \"{full}\": {full}: not found")
    }
}

/// How long a pull of `size` bytes takes on the simulated network (about 40 MB/s after a 400 ms registry
/// round trip), in ms.
pub fn pull_millis(size: u64) -> u64 {
    400 + size / 40_000
}

/// The version a program reports: the tag when it is version-like, otherwise the image's newest release.
pub fn program_version(r: &ImageRef) -> String {
    let info_version = r.info().map(|i| i.latest_version).unwrap_or("1.0.0");
    let t = r.tag.split('-').next().unwrap_or_default();
    if version_like(t) && t.matches('.').count() >= 2 {
        t.trim_start_matches('v').to_string()
    } else if version_like(t) && !t.is_empty() {
        // `1.27` names the newest patch release of 1.27; `.0` stands in for it.
        format!("{}.0", t.trim_start_matches('v'))
    } else {
        info_version.trim_start_matches('v').to_string()
    }
}

/// The version of `curl` an image ships, or `None` when it has none. Which images have curl is read from their
/// Dockerfiles: nginx's Debian image installs it (`apt-get install … gettext-base curl`) and its `alpine` variant
/// too (`apk add --no-cache curl ca-certificates`, "to make registering on DNS SD easier"), but not
/// `alpine-slim`; agnhost's (`apk --update add bind-tools curl …`); curl's own image. busybox, alpine, ubuntu,
/// debian, httpd and the databases do not. The versions are informed guesses at what each base distribution
/// carried in August 2025 (Debian bookworm: 7.88.1; Alpine 3.21/3.22: 8.12.1/8.14.1), except curl's own image,
/// whose tag is its version.
///
/// `nginx` → `7.88.1`; `nginx:1.29-alpine` → `8.14.1`; `nginx:alpine-slim` → `None`; `curlimages/curl:8.11.0`
/// → `8.11.0`; `busybox` → `None`.
pub fn curl_version(r: &ImageRef) -> Option<String> {
    let info = r.info()?;
    match info.repository {
        "docker.io/library/nginx" if r.tag.contains("alpine-slim") => None,
        "docker.io/library/nginx" if r.tag.contains("alpine") => Some("8.14.1".into()),
        "docker.io/library/nginx" => Some("7.88.1".into()),
        "registry.k8s.io/e2e-test-images/agnhost" => Some("8.12.1".into()),
        "docker.io/curlimages/curl" => Some(program_version(r)),
        _ => None,
    }
}

/// 64 hex digits derived from `s` (FNV-1a folded through SplitMix64): stable across platforms and runs.
pub fn digest_hex(s: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let mut rng = crate::rng::Rng::new(h);
    (0..4).map(|_| format!("{:016x}", rng.next_u64())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_normalise_as_containerd_does() {
        let cases = [
            ("nginx", "docker.io/library/nginx:latest"),
            ("nginx:1.27", "docker.io/library/nginx:1.27"),
            ("library/nginx:1.27-alpine", "docker.io/library/nginx:1.27-alpine"),
            ("hashicorp/http-echo", "docker.io/hashicorp/http-echo:latest"),
            ("registry.k8s.io/pause:3.10", "registry.k8s.io/pause:3.10"),
            ("localhost:5000/app:v1", "localhost:5000/app:v1"),
        ];
        for (input, want) in cases {
            assert_eq!(parse(input).unwrap().full_name(), want, "{input}");
        }
    }

    #[test]
    fn malformed_references_are_refused_with_the_runtime_text() {
        assert_eq!(
            parse("Nginx").unwrap_err(),
            "couldn't parse image name \"Nginx\": invalid reference format: repository name (library/Nginx) must be lowercase"
        );
        assert!(parse("nginx:").is_err());
        assert!(parse("ngi nx").is_err());
        assert!(parse("nginx@sha256:abc").is_err());
    }

    #[test]
    fn published_tags_follow_the_contract() {
        let yes = [
            "nginx",
            "nginx:1.25",
            "nginx:1.25.3",
            "nginx:1.25-alpine",
            "nginx:stable",
            "busybox:1.36",
            "ubuntu:22.04",
            "debian:bookworm-slim",
            "registry.k8s.io/kube-proxy:v1.34.0",
            "registry.k8s.io/etcd:3.6.4-0",
            "nginx:1.27-alpine3.22",
            "debian:12-slim",
            "ghcr.io/flannel-io/flannel-cni-plugin:v1.7.1-flannel1",
            "gcr.io/k8s-minikube/storage-provisioner:v5",
        ];
        for i in yes {
            assert!(published(&parse(i).unwrap()), "{i}");
        }
        let no = [
            "nginx:nope",
            "nginx:1.27-nope",
            "nginx:1.25-",
            "nginx:latestt",
            "ngnix",
            "example.com/app:1.0",
            "busybox:v1.x",
        ];
        for i in no {
            assert!(!published(&parse(i).unwrap()), "{i}");
        }
    }

    #[test]
    fn pull_errors_name_the_reference() {
        let r = parse("nginx:nope").unwrap();
        assert_eq!(
            pull_error(&r),
            "failed to pull and unpack image \"docker.io/library/nginx:nope\": failed to resolve reference \
             \"docker.io/library/nginx:nope\": docker.io/library/nginx:nope: not found"
        );
        assert!(pull_error(&parse("ngnix").unwrap()).contains("pull access denied"));
    }

    #[test]
    fn versions_and_digests_are_stable() {
        assert_eq!(program_version(&parse("nginx:1.27.3").unwrap()), "1.27.3");
        assert_eq!(program_version(&parse("nginx:1.27").unwrap()), "1.27.0");
        assert_eq!(program_version(&parse("nginx").unwrap()), "1.29.1");
        assert_eq!(digest_hex("x"), digest_hex("x"));
        assert_eq!(digest_hex("x").len(), 64);
        assert_ne!(digest_hex("x"), digest_hex("y"));
        assert_eq!(pull_millis(72_000_000), 2200);
    }
}
