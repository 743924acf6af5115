# Server-side apply and managedFields: who owns which field, conflicts, forcing.
kubectl apply --server-side -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  labels:
    team: shop
spec:
  replicas: 2
  selector:
    matchLabels:
      app: api
  template:
    metadata:
      labels:
        app: api
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
EOF
kubectl apply --server-side -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  labels:
    team: shop
spec:
  replicas: 2
  selector:
    matchLabels:
      app: api
  template:
    metadata:
      labels:
        app: api
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
EOF
kubectl get deployment api -o yaml --show-managed-fields
kubectl scale deployment api --replicas=4
kubectl apply --server-side -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 2
  selector:
    matchLabels:
      app: api
  template:
    metadata:
      labels:
        app: api
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
EOF
kubectl apply --server-side --force-conflicts -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 2
  selector:
    matchLabels:
      app: api
  template:
    metadata:
      labels:
        app: api
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
EOF
kubectl get deployment api -o jsonpath='{.spec.replicas} {.metadata.labels}{"\n"}'
kubectl get deployment api -o jsonpath='{range .metadata.managedFields[*]}{.manager} {.operation} {.subresource}{"\n"}{end}' --show-managed-fields
# A client-side-applied object: another manager changing its replicas conflicts with kubectl-client-side-apply.
kubectl apply -f manifests/web.yaml
kubectl apply --server-side --field-manager=ci -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
EOF
kubectl apply --server-side --field-manager=ci --force-conflicts -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
EOF
kubectl get deployment web -o yaml
kubectl get pod -l app=web -o yaml --show-managed-fields
