"""The official Python `kubernetes` client against `kubeground serve`.

Run by crates/cli/tests/python_client.rs as `python client_test.py KUBECONFIG`; prints one line per check and
exits non-zero on the first failure. Pods stay Pending (no scheduler or kubelet yet), and there is no
Deployment controller yet, so only what the simulated cluster does today is asserted.
"""
import sys
import threading

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

NS = "default"


def check(what, ok, detail=""):
    if not ok:
        print(f"FAIL {what} {detail}", flush=True)
        sys.exit(1)
    print(f"ok   {what}", flush=True)


def deployment(name, replicas):
    labels = {"app": name}
    return client.V1Deployment(
        metadata=client.V1ObjectMeta(name=name, labels=labels),
        spec=client.V1DeploymentSpec(
            replicas=replicas,
            selector=client.V1LabelSelector(match_labels=labels),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels=labels),
                spec=client.V1PodSpec(containers=[client.V1Container(name="nginx", image="nginx:1.27")]),
            ),
        ),
    )


def main():
    config.load_kube_config(config_file=sys.argv[1])
    core = client.CoreV1Api()
    apps = client.AppsV1Api()

    version = client.VersionApi().get_code()
    check("version is v1.34", version.git_version == "v1.34.0", version.git_version)
    nodes = core.list_node()
    check("five nodes", len(nodes.items) == 5, [n.metadata.name for n in nodes.items])

    # A live watch started before the changes, with a label selector and a timeout.
    start = apps.list_namespaced_deployment(NS)
    events = []
    done = threading.Event()

    def watch_deployments():
        w = watch.Watch()
        for event in w.stream(apps.list_namespaced_deployment, namespace=NS, label_selector="app=web",
                              resource_version=start.metadata.resource_version, timeout_seconds=20):
            events.append((event["type"], event["object"].metadata.name, event["object"].spec.replicas))
            if event["type"] == "DELETED":
                w.stop()
        done.set()

    watcher = threading.Thread(target=watch_deployments, daemon=True)
    watcher.start()

    created = apps.create_namespaced_deployment(NS, deployment("web", 2))
    check("create a Deployment", created.metadata.uid and created.spec.replicas == 2)
    check("the Deployment is defaulted", created.spec.strategy.type == "RollingUpdate"
          and created.spec.template.spec.containers[0].image_pull_policy == "IfNotPresent")
    try:
        apps.create_namespaced_deployment(NS, deployment("web", 2))
        check("a second create conflicts", False)
    except ApiException as e:
        check("a second create is 409 AlreadyExists", e.status == 409 and "AlreadyExists" in e.body, e.body)

    svc = core.create_namespaced_service(NS, client.V1Service(
        metadata=client.V1ObjectMeta(name="web"),
        spec=client.V1ServiceSpec(selector={"app": "web"}, ports=[client.V1ServicePort(port=80, target_port=8080)]),
    ))
    check("create a Service with a cluster IP", svc.spec.type == "ClusterIP" and svc.spec.cluster_ip.startswith("10."),
          svc.spec.cluster_ip)

    pod = core.create_namespaced_pod(NS, client.V1Pod(
        metadata=client.V1ObjectMeta(name="solo", labels={"app": "solo"}),
        spec=client.V1PodSpec(containers=[client.V1Container(name="c", image="busybox")]),
    ))
    check("create a Pod", pod.status.phase == "Pending", pod.status.phase)
    pods = core.list_namespaced_pod(NS, label_selector="app=solo")
    check("list pods by label", [p.metadata.name for p in pods.items] == ["solo"])
    check("pods stay Pending (no scheduler yet)", all(p.status.phase == "Pending" for p in pods.items))
    check("list pods in every namespace", any(p.metadata.name == "solo" for p in core.list_pod_for_all_namespaces().items))

    # Patches: strategic merge (a dict body), JSON patch (a list body), and the scale subresource.
    patched = apps.patch_namespaced_deployment("web", NS, {"spec": {"replicas": 3}})
    check("strategic merge patch", patched.spec.replicas == 3)
    patched = apps.patch_namespaced_deployment(
        "web", NS, [{"op": "add", "path": "/metadata/labels/tier", "value": "front"}])
    check("JSON patch", patched.metadata.labels == {"app": "web", "tier": "front"}, patched.metadata.labels)
    scale = apps.patch_namespaced_deployment_scale("web", NS, {"spec": {"replicas": 4}})
    check("scale subresource", scale.spec.replicas == 4)
    check("read after patches", apps.read_namespaced_deployment("web", NS).spec.replicas == 4)
    try:
        apps.patch_namespaced_deployment("web", NS, {"spec": {"replicas": -1}})
        check("an invalid patch fails", False)
    except ApiException as e:
        check("an invalid patch is 422 Invalid", e.status == 422 and "Invalid" in e.body, e.body)

    apps.delete_namespaced_deployment("web", NS)
    core.delete_namespaced_service("web", NS)
    core.delete_namespaced_pod("solo", NS, grace_period_seconds=0)
    try:
        apps.read_namespaced_deployment("web", NS)
        check("read after delete fails", False)
    except ApiException as e:
        check("read after delete is 404", e.status == 404, e.status)

    done.wait(timeout=20)
    types = [t for t, _, _ in events]
    check("the watch saw ADDED, MODIFIED and DELETED", types[0] == "ADDED" and "MODIFIED" in types
          and types[-1] == "DELETED", events)
    check("the watch saw the replica changes", [r for _, _, r in events][:1] == [2]
          and 4 in [r for _, _, r in events], events)

    # Resuming from a version replays the changes after it.
    replay = []
    for event in watch.Watch().stream(core.list_namespaced_service, namespace=NS,
                                      resource_version=start.metadata.resource_version, timeout_seconds=1):
        if event["object"].metadata.name == "web":
            replay.append(event["type"])
    check("a watch from a resourceVersion replays the changes", replay == ["ADDED", "DELETED"], replay)
    print("python client: all checks passed", flush=True)


if __name__ == "__main__":
    main()
