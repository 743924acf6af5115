//! Workload controllers compared byte for byte with real kubectl's output (see `captures_pods`).

use serde_json::{json, Value};

use engine::Object;

use super::describe;
use super::testutil::{ago, event, now_at, object, shift_times, Objects};

const WEB_DEPLOY_UID: &str = "bb401e6f-ceda-4ef0-8518-7966bc9f9586";
const WEB_RS_UID: &str = "6d5757dd-a4e0-4c04-981d-fc4bad7da3fb";

fn nginx_template(hash: Option<&str>, image: &str) -> Value {
    let mut labels = json!({"app": "web"});
    if let Some(h) = hash {
        labels["pod-template-hash"] = json!(h);
    }
    json!({
        "metadata": {"labels": labels},
        "spec": {
            "containers": [{"name": "nginx", "image": image, "ports": [{"containerPort": 80, "protocol": "TCP"}],
                "resources": {}, "terminationMessagePath": "/dev/termination-log",
                "terminationMessagePolicy": "File", "imagePullPolicy": "IfNotPresent"}],
            "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
            "securityContext": {}, "schedulerName": "default-scheduler",
        },
    })
}

fn web_replica_set(hash: &str, uid: &str, image: &str, replicas: i32, created: &str, annotations: Value) -> Object {
    object(json!({
        "kind": "ReplicaSet", "apiVersion": "apps/v1",
        "metadata": {
            "name": format!("web-{hash}"), "namespace": "default", "uid": uid, "creationTimestamp": created,
            "labels": {"app": "web", "pod-template-hash": hash}, "annotations": annotations,
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": WEB_DEPLOY_UID,
                "controller": true, "blockOwnerDeletion": true}],
        },
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web", "pod-template-hash": hash}},
            "template": nginx_template(Some(hash), image),
        },
        "status": {"replicas": replicas, "readyReplicas": replicas, "availableReplicas": replicas},
    }))
}

#[test]
fn deployment_with_old_and_new_replica_sets() {
    let mut d: Value = serde_json::from_str(include_str!("testdata/obj-deployment-web.json")).expect("JSON");
    shift_times(&mut d, -294);
    let d = object(d);
    let now = "2026-11-27T06:08:17Z";
    let mut objects = vec![
        d.clone(),
        web_replica_set(
            "6c5b7d9f4",
            "5a1c0b9e-0000-4000-8000-000000000001",
            "nginx:1.26",
            0,
            "2026-11-27T02:43:18Z",
            json!({}),
        ),
        web_replica_set("7d9f8c6b5", WEB_RS_UID, "nginx:1.27", 10, "2026-11-27T05:55:40Z", json!({})),
        // Another deployment's ReplicaSet with the same labels is not this deployment's.
        object(json!({"kind": "ReplicaSet", "apiVersion": "apps/v1",
            "metadata": {"name": "stray", "namespace": "default", "labels": {"app": "web"}},
            "spec": {"selector": {"matchLabels": {"app": "web"}}}})),
    ];
    let scaled = [
        ("up", "7d9f8c6b5", 0, 3, 745),
        ("down", "6c5b7d9f4", 10, 8, 744),
        ("up", "7d9f8c6b5", 3, 5, 743),
        ("down", "6c5b7d9f4", 8, 6, 742),
        ("up", "7d9f8c6b5", 5, 7, 741),
        ("down", "6c5b7d9f4", 6, 4, 740),
        ("up", "7d9f8c6b5", 7, 9, 739),
        ("down", "6c5b7d9f4", 4, 2, 738),
        ("up", "7d9f8c6b5", 9, 10, 737),
        ("down", "6c5b7d9f4", 2, 1, 700),
        ("down", "6c5b7d9f4", 1, 0, 699),
    ];
    for (i, (dir, hash, from, to, age)) in scaled.into_iter().enumerate() {
        let msg = format!("Scaled {dir} replica set web-{hash} from {from} to {to}");
        let at = ago(now, age);
        let involved = ("Deployment", "default", "web", WEB_DEPLOY_UID);
        objects.push(event(
            &format!("web.{i:02}"),
            involved,
            "Normal",
            "ScalingReplicaSet",
            &msg,
            "deployment-controller",
            &at,
            &at,
            1,
        ));
    }
    let out = describe(&d, &Objects(objects), now_at(now));
    assert_eq!(out, include_str!("testdata/03-describe-deployment-web.txt"));
}

#[test]
fn deployment_past_its_progress_deadline() {
    let d = object(json!({
        "kind": "Deployment", "apiVersion": "apps/v1",
        "metadata": {"name": "web3", "namespace": "default", "uid": "eec3043c-4501-419a-8e14-59516b8ae38a",
            "creationTimestamp": "2026-11-26T06:08:19Z", "labels": {"app": "web3"},
            "annotations": {"deployment.kubernetes.io/revision": "2"}},
        "spec": {
            "replicas": 2, "selector": {"matchLabels": {"app": "web3"}},
            "template": {"metadata": {"labels": {"app": "web3"}},
                "spec": {"containers": [{"name": "nginx", "image": "nginx:does-not-exist"}]}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
        },
        "status": {"replicas": 3, "updatedReplicas": 1, "availableReplicas": 2, "unavailableReplicas": 1,
            "conditions": [
                {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
                {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"},
            ]},
    }));
    let out = describe(&d, &Objects(vec![d.clone()]), now_at("2026-11-27T06:08:19Z"));
    assert_eq!(out, include_str!("testdata/03-describe-deployment-web3-deadline.txt"));
}

#[test]
fn replica_set_counts_its_own_pods() {
    let annotations = json!({
        "deployment.kubernetes.io/desired-replicas": "10",
        "deployment.kubernetes.io/max-replicas": "13",
        "deployment.kubernetes.io/revision": "2",
        "kubernetes.io/change-cause": "kubectl set image deployment/web nginx=nginx:1.27",
    });
    let rs = web_replica_set("7d9f8c6b5", WEB_RS_UID, "nginx:1.27", 10, "2026-11-27T05:55:40Z", annotations);
    let now = "2026-11-27T06:08:17Z";
    let mut objects = vec![rs.clone()];
    for i in 0..11 {
        // Ten pods of this ReplicaSet and one matching pod that belongs to no controller.
        let owner = if i < 10 {
            json!([{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-7d9f8c6b5", "uid": WEB_RS_UID, "controller": true}])
        } else {
            json!([])
        };
        objects.push(object(json!({"kind": "Pod", "apiVersion": "v1",
            "metadata": {"name": format!("web-7d9f8c6b5-{i:05}"), "namespace": "default",
                "labels": {"app": "web", "pod-template-hash": "7d9f8c6b5"}, "ownerReferences": owner},
            "spec": {"containers": []}, "status": {"phase": "Running"}})));
    }
    let at = ago(now, 745);
    let involved = ("ReplicaSet", "default", "web-7d9f8c6b5", WEB_RS_UID);
    objects.push(event(
        "rs.1",
        involved,
        "Normal",
        "SuccessfulCreate",
        "Created pod: web-7d9f8c6b5-x2x8k",
        "replicaset-controller",
        &at,
        &at,
        1,
    ));
    let out = describe(&rs, &Objects(objects), now_at(now));
    assert_eq!(out, include_str!("testdata/05-describe-replicaset.txt"));
}

#[test]
fn stateful_set_with_claim_templates() {
    let uid = "033eb3ea-9148-465c-9b66-7f01ee9bde5a";
    let sts = object(json!({
        "kind": "StatefulSet", "apiVersion": "apps/v1",
        "metadata": {"name": "db", "namespace": "default", "uid": uid, "creationTimestamp": "2026-11-21T06:08:28Z",
            "labels": {"app": "db"}},
        "spec": {
            "replicas": 2, "serviceName": "db", "selector": {"matchLabels": {"app": "db"}},
            "template": {"metadata": {"labels": {"app": "db"}}, "spec": {"containers": [{
                "name": "postgres", "image": "postgres:16", "ports": [{"containerPort": 5432, "protocol": "TCP"}],
                "resources": {"limits": {"cpu": "500m", "memory": "512Mi"}, "requests": {"cpu": "250m", "memory": "256Mi"}},
                "env": [
                    {"name": "POSTGRES_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db-credentials", "key": "password"}}},
                    {"name": "PGDATA", "value": "/var/lib/postgresql/data/pgdata"},
                ],
                "volumeMounts": [{"name": "data", "mountPath": "/var/lib/postgresql/data"}],
            }]}},
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
            "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"],
                "storageClassName": "standard", "resources": {"requests": {"storage": "1Gi"}}}}],
        },
        "status": {"replicas": 2},
    }));
    let now = "2026-11-27T06:08:28Z";
    let mut objects = vec![sts.clone()];
    for i in 0..2 {
        objects.push(object(json!({"kind": "Pod", "apiVersion": "v1",
            "metadata": {"name": format!("db-{i}"), "namespace": "default", "labels": {"app": "db"},
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "db", "uid": uid, "controller": true}]},
            "spec": {"containers": []}, "status": {"phase": "Running"}})));
    }
    let at = ago(now, 6 * 86_400 + 10);
    let involved = ("StatefulSet", "default", "db", uid);
    let msg = "create Claim data-db-0 Pod db-0 in StatefulSet db success";
    objects.push(event("db.1", involved, "Normal", "SuccessfulCreate", msg, "statefulset-controller", &at, &at, 1));
    let out = describe(&sts, &Objects(objects), now_at(now));
    assert_eq!(out, include_str!("testdata/05-describe-statefulset-db.txt"));
}

#[test]
fn failed_job_shows_no_conditions_only_events() {
    let mut job: Value = serde_json::from_str(include_str!("testdata/obj-job-pi-fail.json")).expect("JSON");
    shift_times(&mut job, -285);
    let job = object(job);
    let now = "2026-11-27T06:08:27Z";
    let uid = "fdab8d84-5592-4e37-910a-cceac509b91f";
    let mut objects = vec![job.clone()];
    let rows = [
        ("Normal", "SuccessfulCreate", "Created pod: pi-fail-2xkqv", 47 * 60 + 10),
        ("Normal", "SuccessfulCreate", "Created pod: pi-fail-5hw7d", 46 * 60 + 10),
        ("Normal", "SuccessfulCreate", "Created pod: pi-fail-9jz4m", 45 * 60 + 40),
        ("Normal", "SuccessfulCreate", "Created pod: pi-fail-c8tnx", 45 * 60 + 10),
        ("Normal", "SuccessfulCreate", "Created pod: pi-fail-fq2lp", 43 * 60 + 10),
        ("Normal", "SuccessfulCreate", "Created pod: pi-fail-m4rbk", 41 * 60 + 40),
        ("Warning", "BackoffLimitExceeded", "Job has reached the specified backoff limit", 41 * 60 + 10),
        ("Normal", "SuccessfulCreate", "Created pod: pi-fail-w7vdz", 40 * 60 + 10),
    ];
    for (i, (type_, reason, msg, age)) in rows.into_iter().enumerate() {
        let at = ago(now, age);
        objects.push(event(
            &format!("pi-fail.{i}"),
            ("Job", "default", "pi-fail", uid),
            type_,
            reason,
            msg,
            "job-controller",
            &at,
            &at,
            1,
        ));
    }
    let out = describe(&job, &Objects(objects), now_at(now));
    assert_eq!(out, include_str!("testdata/05-describe-job-pi-fail.txt"));
}

#[test]
fn cron_job_with_its_job_template() {
    let cj = object(json!({
        "kind": "CronJob", "apiVersion": "batch/v1",
        "metadata": {"name": "hello", "namespace": "default", "uid": "490503c9-e3fb-4cb5-9557-b59ab450ac32"},
        "spec": {
            "schedule": "*/5 * * * *", "concurrencyPolicy": "Allow", "suspend": false,
            "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1,
            "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "OnFailure", "containers": [{
                "name": "hello", "image": "busybox:1.36",
                "command": ["/bin/sh", "-c", "date; echo Hello from the Kubernetes cluster"],
            }]}}}},
        },
        "status": {"lastScheduleTime": "2026-11-27T06:05:28Z"},
    }));
    let out = describe(&cj, &Objects(vec![cj.clone()]), now_at("2026-11-27T06:08:28Z"));
    assert_eq!(out, include_str!("testdata/05-describe-cronjob.txt"));
}

#[test]
fn daemon_set_lines_without_tabs_do_not_align() {
    let ds = object(json!({
        "kind": "DaemonSet", "apiVersion": "apps/v1",
        "metadata": {"name": "kube-proxy", "namespace": "kube-system", "uid": "u1", "labels": {"k8s-app": "kube-proxy"}},
        "spec": {"selector": {"matchLabels": {"k8s-app": "kube-proxy"}},
            "template": {"metadata": {"labels": {"k8s-app": "kube-proxy"}},
                "spec": {"nodeSelector": {"kubernetes.io/os": "linux"}, "containers": [{"name": "kube-proxy", "image": "registry.k8s.io/kube-proxy:v1.34.0"}],
                    "tolerations": [{"operator": "Exists"}]}}},
        "status": {"currentNumberScheduled": 5, "desiredNumberScheduled": 5, "numberMisscheduled": 0, "numberReady": 5,
            "updatedNumberScheduled": 5, "numberAvailable": 5},
    }));
    let out = describe(&ds, &Objects(vec![ds.clone()]), 0);
    let want = "Name:           kube-proxy
Namespace:      kube-system
Selector:       k8s-app=kube-proxy
Node-Selector:  kubernetes.io/os=linux
Labels:         k8s-app=kube-proxy
Annotations:    <none>
Desired Number of Nodes Scheduled: 5
Current Number of Nodes Scheduled: 5
Number of Nodes Scheduled with Up-to-date Pods: 5
Number of Nodes Scheduled with Available Pods: 5
Number of Nodes Misscheduled: 0
Pods Status:  0 Running / 0 Waiting / 0 Succeeded / 0 Failed
Pod Template:
  Labels:  k8s-app=kube-proxy
  Containers:
   kube-proxy:
    Image:         registry.k8s.io/kube-proxy:v1.34.0
    Port:          <none>
    Host Port:     <none>
    Environment:   <none>
    Mounts:        <none>
  Volumes:         <none>
  Node-Selectors:  kubernetes.io/os=linux
  Tolerations:     op=Exists
Events:            <none>
";
    assert_eq!(out, want);
}
