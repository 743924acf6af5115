# DNS and resolv.conf: names across namespaces, headless Services and StatefulSet members, pod records,
# every dnsPolicy, readiness taking a pod out of a Service, and localhost between a pod's containers.
kubectl create namespace shop
kubectl -n shop create deployment api --image=nginx
kubectl -n shop expose deployment api --port=80
kubectl apply -f - <<EOF
apiVersion: v1
kind: Service
metadata:
  name: nginx
spec:
  clusterIP: None
  selector:
    app: db
  ports:
  - name: web
    port: 80
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: nginx
  replicas: 2
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
      - name: nginx
        image: nginx
        ports:
        - containerPort: 80
          name: web
EOF
kubectl run client --image=busybox --restart=Never -- sleep 3600
sleep 40
kubectl get pods -o wide
# Across namespaces: the short name only works inside its namespace.
kubectl exec client -- nslookup api
kubectl exec client -- nslookup api.shop
kubectl exec client -- nslookup api.shop.svc.cluster.local
# A headless Service answers with its ready pods; StatefulSet members have their own names.
kubectl exec client -- nslookup nginx
kubectl exec client -- nslookup db-0.nginx
kubectl exec client -- nslookup db-1.nginx.default.svc.cluster.local
kubectl exec client -- nslookup 10-244-3-2.default.pod.cluster.local
# resolv.conf under each dnsPolicy.
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: dns-default
spec:
  dnsPolicy: Default
  containers:
  - name: c
    image: busybox
    command: ["sleep", "3600"]
---
apiVersion: v1
kind: Pod
metadata:
  name: dns-none
spec:
  dnsPolicy: None
  dnsConfig:
    nameservers: ["1.1.1.1"]
    searches: ["corp.example"]
    options:
    - name: ndots
      value: "2"
  containers:
  - name: c
    image: busybox
    command: ["sleep", "3600"]
---
apiVersion: v1
kind: Pod
metadata:
  name: dns-hostnet
spec:
  hostNetwork: true
  dnsPolicy: ClusterFirstWithHostNet
  containers:
  - name: c
    image: busybox
    command: ["sleep", "3600"]
EOF
sleep 20
kubectl exec dns-default -- cat /etc/resolv.conf
kubectl exec dns-none -- cat /etc/resolv.conf
kubectl exec dns-hostnet -- cat /etc/resolv.conf
kubectl exec dns-default -- nslookup kubernetes.default
kubectl exec dns-hostnet -- nslookup kubernetes.default
# Readiness: a pod whose probe fails leaves the Service's endpoints.
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: rd
  labels:
    app: rd
spec:
  containers:
  - name: web
    image: nginx
    readinessProbe:
      exec:
        command: ["cat", "/usr/share/nginx/html/index.html"]
      periodSeconds: 5
EOF
kubectl expose pod rd --port=80
sleep 20
kubectl get endpointslices -l kubernetes.io/service-name=rd
kubectl exec rd -- rm /usr/share/nginx/html/index.html
sleep 20
kubectl get pod rd
kubectl get endpointslices -l kubernetes.io/service-name=rd
kubectl describe endpoints rd
kubectl exec client -- wget -qO- -T 2 http://rd
# Two containers of one pod share its network namespace: localhost reaches the other.
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: two
spec:
  containers:
  - name: web
    image: nginx
  - name: sidecar
    image: busybox
    command: ["sleep", "3600"]
EOF
sleep 20
kubectl exec two -c sidecar -- nc -z -v localhost 80
kubectl exec two -c sidecar -- nc -z -v localhost 81
# SRV records exist for named ports only; an address asks for its PTR record (ClusterIPs and endpoints).
kubectl exec client -- nslookup -type=srv _web._tcp.nginx
kubectl exec client -- nslookup -type=srv _http._tcp.api.shop
kubectl exec client -- nslookup 10.96.0.10
kubectl exec client -- nslookup 192.0.2.1
kubectl exec client -- nslookup -type=mx example.com
