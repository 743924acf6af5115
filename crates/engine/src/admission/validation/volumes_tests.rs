//! Table tests for pod volume validation: each case is a list of volumes and the exact messages.

use super::*;
use k8s_openapi::api::core::v1::{
    ConfigMapVolumeSource, EmptyDirVolumeSource, HostPathVolumeSource, SecretVolumeSource,
};

fn vol(name: &str) -> Volume {
    Volume { name: name.to_string(), ..Default::default() }
}

fn messages(volumes: &[Volume]) -> Vec<String> {
    validate_volumes(volumes, Some("p"), &Path::new("spec").child("volumes")).1.iter().map(|e| e.to_string()).collect()
}

#[test]
fn volume_messages() {
    let empty = Some(EmptyDirVolumeSource::default());
    let cases: Vec<(Vec<Volume>, Vec<&str>)> = vec![
        (vec![Volume { empty_dir: empty.clone(), ..vol("data") }], vec![]),
        (vec![vol("data")], vec!["spec.volumes[0]: Required value: must specify a volume type"]),
        (
            vec![Volume { empty_dir: empty.clone(), ..vol("Data") }],
            vec!["spec.volumes[0].name: Invalid value: \"Data\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"],
        ),
        (
            vec![Volume { empty_dir: empty.clone(), ..vol("a") }, Volume { empty_dir: empty.clone(), ..vol("a") }],
            vec!["spec.volumes[1].name: Duplicate value: \"a\""],
        ),
        (
            vec![Volume {
                empty_dir: empty.clone(),
                config_map: Some(ConfigMapVolumeSource { name: "c".into(), ..Default::default() }),
                ..vol("a")
            }],
            vec!["spec.volumes[0].configMap: Forbidden: may not specify more than 1 volume type"],
        ),
        (
            vec![Volume { secret: Some(SecretVolumeSource { default_mode: Some(0o1000), ..Default::default() }), ..vol("s") }],
            vec![
                "spec.volumes[0].secret.secretName: Required value",
                "spec.volumes[0].secret.defaultMode: Invalid value: 512: must be a number between 0 and 0777 (octal), both inclusive",
            ],
        ),
        (
            vec![Volume { host_path: Some(HostPathVolumeSource { path: "/a/../b".into(), type_: Some("Dir".into()) }), ..vol("h") }],
            vec![
                "spec.volumes[0].hostPath.path: Invalid value: \"/a/../b\": must not contain '..'",
                "spec.volumes[0].hostPath.type: Unsupported value: \"Dir\": supported values: \"\", \"BlockDevice\", \"CharDevice\", \"Directory\", \"DirectoryOrCreate\", \"File\", \"FileOrCreate\", \"Socket\"",
            ],
        ),
    ];
    for (volumes, want) in cases {
        assert_eq!(messages(&volumes), want);
    }
}
