# ControllerRevisions: StatefulSets and DaemonSets keep their template history as ControllerRevision objects
# named <set>-<hash>, which rollout history and undo read.
kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web
  serviceName: web
  replicas: 2
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.26
EOF
sleep 30
kubectl get controllerrevisions
kubectl get sts web -o jsonpath='{.status.currentRevision} {.status.updateRevision}{"\n"}'
kubectl get pods -L controller-revision-hash
# A revision copies the set's annotations when it is made, so the change-cause goes on first.
kubectl annotate sts/web kubernetes.io/change-cause="image 1.27"
kubectl set image sts/web nginx=nginx:1.27
sleep 60
kubectl get controllerrevisions -o wide
kubectl get pods -L controller-revision-hash
kubectl rollout history statefulset/web
kubectl rollout history sts/web --revision=1
kubectl rollout history sts/web --revision=7
# Rolling back re-uses revision 1's ControllerRevision, renumbered 3.
kubectl rollout undo sts/web
sleep 60
kubectl get controllerrevisions
kubectl get sts web -o jsonpath='{.status.currentRevision} {.status.updateRevision}{"\n"}'
kubectl rollout undo sts/web --to-revision=3
kubectl rollout undo sts/web --to-revision=9
kubectl rollout undo sts/web --to-revision=-1
kubectl get controllerrevision -l app=web -o yaml
# DaemonSets: the pods carry the revision's hash; revisionHistoryLimit 1 keeps one old revision.
kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  revisionHistoryLimit: 1
  selector:
    matchLabels:
      app: agent
  template:
    metadata:
      labels:
        app: agent
    spec:
      containers:
      - name: agent
        image: busybox:1.36
        command: ["sh", "-c", "sleep 3600"]
EOF
sleep 20
kubectl rollout history ds/agent
kubectl rollout undo ds/agent
kubectl set image ds/agent agent=busybox:1.37
sleep 60
kubectl set image ds/agent agent=busybox:1.35
sleep 60
kubectl get controllerrevisions -l app=agent
kubectl rollout history daemonset/agent
kubectl rollout undo daemonset/agent --to-revision=1
kubectl rollout undo daemonset/agent --to-revision=2
sleep 60
kubectl get controllerrevisions -l app=agent
kubectl get pods -l app=agent -L controller-revision-hash
kubectl rollout history ds/agent --revision=4
# Deleting a set takes its revisions with it (background cascading).
kubectl delete sts web
sleep 5
kubectl get controllerrevisions
kubectl api-resources --api-group=apps
