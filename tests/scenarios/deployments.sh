# ReplicaSets and Deployments: self-healing, scale-down ranking, adoption and release, rolling updates with
# several surge/unavailable settings, Recreate, history and rollback, pause, restart, progress deadlines.
kubectl get deploy,rs,svc -n kube-system
kubectl get svc
# A bare ReplicaSet heals itself and adopts a matching orphan.
kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: front
spec:
  replicas: 3
  selector:
    matchLabels:
      tier: front
  template:
    metadata:
      labels:
        tier: front
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
EOF
sleep 10
kubectl get rs front
kubectl delete pod -l tier=front --wait=false
kubectl get pods -l tier=front
sleep 10
kubectl get rs front -o wide
# A pod with the same labels is adopted: the ReplicaSet then has 4 and deletes one (the not yet running one).
kubectl run stray --image=nginx:1.27 --labels=tier=front
kubectl get pods -l tier=front
kubectl describe rs front
# Relabelling a pod releases it; the ReplicaSet makes a replacement.
kubectl label pod front-9cqx9 tier=debug --overwrite
kubectl get pods -L tier
kubectl get pod front-9cqx9 -o jsonpath='{.metadata.ownerReferences}{"\n"}'
kubectl scale rs front --replicas=2
sleep 1
kubectl get rs front
kubectl delete rs front
# A rolling update of 10 replicas at 25%/25% (maxSurge 3, maxUnavailable 2): new RS to 3, old RS to 8 first.
kubectl create deployment web --image=nginx:1.27 --replicas=10
kubectl rollout status deployment/web
kubectl set image deployment/web nginx=nginx:1.28
kubectl get rs
kubectl rollout status deployment/web
kubectl get deploy web
kubectl describe deployment web
# Scaling in the middle of a rollout is proportional.
kubectl set image deployment/web nginx=nginx:1.29
kubectl scale deployment web --replicas=20
kubectl get rs
kubectl rollout status deployment/web
kubectl rollout history deployment/web
kubectl rollout undo deployment/web --to-revision=1
kubectl rollout status deployment/web
kubectl rollout history deployment/web
kubectl rollout history deployment/web --revision=2
kubectl rollout history deployment/web --revision=7
kubectl delete deployment web
# maxSurge 0, maxUnavailable 1 and minReadySeconds 5: old pods go first, one at a time.
kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: slow
spec:
  replicas: 4
  minReadySeconds: 5
  strategy:
    rollingUpdate:
      maxSurge: 0
      maxUnavailable: 1
  selector:
    matchLabels:
      app: slow
  template:
    metadata:
      labels:
        app: slow
    spec:
      containers:
      - name: web
        image: httpd:2.4
EOF
kubectl rollout status deployment/slow
kubectl set image deployment/slow web=httpd:2.4.62
kubectl get rs -l app=slow
kubectl rollout status deployment/slow
kubectl delete deployment slow
# Recreate: every old pod is gone before the new ones start.
kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: db
spec:
  replicas: 2
  strategy:
    type: Recreate
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
      - name: redis
        image: redis:7
EOF
kubectl rollout status deployment/db
kubectl set image deployment/db redis=redis:7.2
kubectl get rs,pods -l app=db
sleep 5
kubectl get rs,pods -l app=db
kubectl rollout status deployment/db
kubectl describe deployment db
# Pause, restart, resume.
kubectl rollout pause deployment/db
kubectl rollout pause deployment/db
kubectl set image deployment/db redis=redis:7.4
kubectl get rs -l app=db
kubectl rollout restart deployment/db
kubectl rollout undo deployment/db
kubectl rollout resume deployment/db
kubectl rollout status deployment/db
kubectl rollout restart deployment/db
kubectl rollout status deployment/db --watch=false
kubectl rollout status deployment/db
# A broken image: the rollout stalls and hits its progress deadline.
kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: broken
spec:
  replicas: 2
  progressDeadlineSeconds: 30
  selector:
    matchLabels:
      app: broken
  template:
    metadata:
      labels:
        app: broken
    spec:
      containers:
      - name: web
        image: nginx:does-not-exist
EOF
kubectl rollout status deployment/broken
kubectl describe deployment broken
kubectl rollout undo deployment/broken
kubectl rollout foo
kubectl rollout status
kubectl rollout status deployment/nope
