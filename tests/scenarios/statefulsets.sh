# StatefulSets: stable names, ordered start (each pod waits for the one before to be Running and Ready),
# one claim per pod from the claim templates.
kubectl apply -f - <<EOF
apiVersion: v1
kind: Service
metadata:
  name: nginx
  labels:
    app: nginx
spec:
  ports:
  - port: 80
    name: web
  clusterIP: None
  selector:
    app: nginx
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: nginx
  serviceName: "nginx"
  replicas: 3
  template:
    metadata:
      labels:
        app: nginx
    spec:
      terminationGracePeriodSeconds: 10
      containers:
      - name: nginx
        image: registry.k8s.io/nginx-slim:0.24
        ports:
        - containerPort: 80
          name: web
        volumeMounts:
        - name: www
          mountPath: /usr/share/nginx/html
  volumeClaimTemplates:
  - metadata:
      name: www
    spec:
      accessModes: [ "ReadWriteOnce" ]
      resources:
        requests:
          storage: 1Gi
EOF
kubectl get pods -l app=nginx
sleep 1
kubectl get pods -l app=nginx
sleep 1
kubectl get pods -l app=nginx
sleep 1
kubectl get pods -l app=nginx
sleep 17
kubectl get pods -l app=nginx -o wide
kubectl get sts
kubectl get pvc
kubectl get pod web-0 -o jsonpath='{.spec.hostname}.{.spec.subdomain} {.metadata.labels}{"\n"}'
kubectl get pod web-1 -o jsonpath='{.spec.volumes[0]}{"\n"}'
kubectl get sts web -o jsonpath='{.status}{"\n"}'
# Scaling down removes the highest ordinal first, one at a time; the claims stay.
kubectl scale sts web --replicas=1
kubectl get pods -l app=nginx
sleep 1
kubectl get pods -l app=nginx
sleep 2
kubectl get pods -l app=nginx
kubectl get pvc
# Scaling up again brings web-1 and web-2 back with their old claims.
kubectl scale sts web --replicas=3
sleep 5
kubectl get pods -l app=nginx
# A rolling update replaces pods from the highest ordinal down; partition 1 keeps web-0 at the old revision.
kubectl patch sts web -p '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":1}}}}'
kubectl set image sts/web nginx=registry.k8s.io/nginx-slim:0.27
kubectl get pods -l app=nginx -L controller-revision-hash
sleep 2
kubectl get pods -l app=nginx -L controller-revision-hash
sleep 5
kubectl get pods -l app=nginx -L controller-revision-hash
kubectl get sts web -o jsonpath='{.status.currentRevision} {.status.updateRevision} {.status.updatedReplicas}{"\n"}'
kubectl patch sts web -p '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}'
sleep 5
kubectl get pods -l app=nginx -L controller-revision-hash
kubectl get sts web -o jsonpath='{.status.currentRevision} {.status.updateRevision} {.status.currentReplicas}{"\n"}'
# A deleted pod comes back with the same name and claim.
kubectl delete pod web-1
kubectl get pods -l app=nginx
sleep 3
kubectl get pods -l app=nginx -o wide
kubectl describe sts web
# Deleting the StatefulSet deletes its pods; the claims stay.
kubectl delete sts web
sleep 5
kubectl get pods -l app=nginx
kubectl get pvc
# Ordered scale-down, visible with containers that take their grace period (a shell ignores SIGTERM).
kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: sleeper
spec:
  selector:
    matchLabels:
      app: sleeper
  serviceName: sleeper
  replicas: 3
  template:
    metadata:
      labels:
        app: sleeper
    spec:
      terminationGracePeriodSeconds: 5
      containers:
      - name: sh
        image: busybox:1.36
        command: ["sh", "-c", "sleep 3600"]
EOF
sleep 10
kubectl get pods -l app=sleeper
kubectl scale sts sleeper --replicas=0
kubectl get pods -l app=sleeper
sleep 5
kubectl get pods -l app=sleeper
sleep 5
kubectl get pods -l app=sleeper
sleep 5
kubectl get pods -l app=sleeper
kubectl get sts sleeper
# Parallel: every pod at once.
kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: cache
spec:
  selector:
    matchLabels:
      app: cache
  serviceName: cache
  replicas: 3
  podManagementPolicy: Parallel
  updateStrategy:
    type: OnDelete
  template:
    metadata:
      labels:
        app: cache
    spec:
      containers:
      - name: redis
        image: redis:7.4
EOF
kubectl get pods -l app=cache
sleep 5
kubectl get pods -l app=cache
# OnDelete: a new template waits until a pod is deleted.
kubectl set image sts/cache redis=redis:8.0
sleep 5
kubectl get pods -l app=cache -o jsonpath='{range .items[*]}{.metadata.name} {.spec.containers[0].image}{"\n"}{end}'
kubectl delete pod cache-2
sleep 5
kubectl get pods -l app=cache -o jsonpath='{range .items[*]}{.metadata.name} {.spec.containers[0].image}{"\n"}{end}'
kubectl scale sts cache --replicas=1
kubectl get pods -l app=cache
# The real capture 05-describe-statefulset-db: a database with its credentials and a claim template.
kubectl create secret generic db-credentials --from-literal=password=s3cret
kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  labels:
    app: db
spec:
  selector:
    matchLabels:
      app: db
  serviceName: db-headless
  replicas: 2
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
      - name: postgres
        image: postgres:16
        ports:
        - containerPort: 5432
        env:
        - name: POSTGRES_PASSWORD
          valueFrom:
            secretKeyRef:
              name: db-credentials
              key: password
        - name: PGDATA
          value: /var/lib/postgresql/data/pgdata
        resources:
          requests:
            cpu: 250m
            memory: 256Mi
          limits:
            cpu: 500m
            memory: 512Mi
        volumeMounts:
        - name: data
          mountPath: /var/lib/postgresql/data
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      storageClassName: standard
      accessModes: ["ReadWriteOnce"]
      resources:
        requests:
          storage: 1Gi
EOF
sleep 10
kubectl describe statefulset db
