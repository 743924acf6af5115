# Garbage collection: dependents of a deleted owner go with it (background, foreground) or stay behind
# without their owner (orphan). A manual Job owned by a CronJob stands in as the dependent.
kubectl create cronjob nightly --image=busybox:1.36 --schedule='0 2 * * *' -- echo backup
kubectl create job nightly-manual --from=cronjob/nightly
kubectl delete cronjob nightly --cascade=orphan
kubectl get jobs
kubectl get job nightly-manual -o jsonpath='{.metadata.ownerReferences}'
kubectl create cronjob weekly --image=busybox:1.36 --schedule='0 3 * * 0' -- echo report
kubectl create job weekly-manual --from=cronjob/weekly
kubectl delete cronjob weekly --cascade=foreground
kubectl get cronjobs,jobs
kubectl delete cronjob missing --cascade=sideways
# A namespace takes everything in it along.
kubectl create namespace scratch
kubectl create configmap note --from-literal=a=b -n scratch
kubectl create deployment tmp --image=nginx:1.27 -n scratch
kubectl delete namespace scratch
kubectl get all,configmaps -n scratch
kubectl get namespace scratch
# Orphaned history comes back: a Deployment deleted with --cascade=orphan and created again with the same
# selector adopts its ReplicaSets, keeps the one whose template matches (the same pods, no new ones) and goes on
# with its revision numbers.
kubectl create deployment web --image=nginx:1.27 --replicas=2
sleep 10
kubectl set image deployment/web nginx=nginx:1.28
sleep 20
kubectl delete deployment web --cascade=orphan
kubectl get rs -o custom-columns=NAME:.metadata.name,OWNERS:.metadata.ownerReferences
kubectl create deployment web --image=nginx:1.28 --replicas=2
kubectl get rs,pods
kubectl set image deployment/web nginx=nginx:1.29
kubectl rollout history deployment/web
# A StatefulSet adopts its orphaned ControllerRevisions and pods the same way, and a DaemonSet its revisions
# and pods; a new template becomes the next revision number. The re-created DaemonSet is at generation 1 again,
# so the adopted pods (pod-template-generation 1) count as updated (`IsPodUpdated` accepts a matching hash or a
# matching template generation) and keep their old image, as on a real cluster.
kubectl apply -f - <<EOT
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  selector:
    matchLabels:
      app: db
  serviceName: db
  replicas: 2
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
      - name: redis
        image: redis:7
EOT
sleep 20
kubectl set image sts/db redis=redis:7.2
sleep 30
kubectl delete sts db --cascade=orphan
kubectl get controllerrevisions,pods -l app=db -o custom-columns=NAME:.metadata.name,OWNERS:.metadata.ownerReferences
kubectl apply -f - <<EOT
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  selector:
    matchLabels:
      app: db
  serviceName: db
  replicas: 2
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
      - name: redis
        image: redis:7.2
EOT
kubectl get controllerrevisions -l app=db
kubectl get sts db
kubectl get pods -l app=db -L controller-revision-hash
kubectl rollout history sts/db
kubectl apply -f - <<EOT
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
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
EOT
sleep 10
kubectl delete ds agent --cascade=orphan
kubectl apply -f - <<EOT
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
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
        image: busybox:1.37
        command: ["sh", "-c", "sleep 3600"]
EOT
kubectl get controllerrevisions -l app=agent
kubectl rollout history ds/agent
kubectl get pods -l app=agent -o custom-columns=NAME:.metadata.name,OWNER:.metadata.ownerReferences[0].name,IMAGE:.spec.containers[0].image
sleep 70
kubectl get pods -l app=agent -L controller-revision-hash
