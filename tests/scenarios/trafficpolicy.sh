# Traffic policies: internalTrafficPolicy Local keeps ClusterIP traffic on the client's node (dropped where the
# node has no endpoint); externalTrafficPolicy Local sends NodePort traffic from outside the pod network only to
# the receiving node's endpoints, keeps the client's address, and drops it on a node without one.
kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      nodeSelector:
        kubernetes.io/hostname: worker-1
      containers:
      - name: nginx
        image: nginx
---
apiVersion: v1
kind: Service
metadata:
  name: web-local
spec:
  selector:
    app: web
  internalTrafficPolicy: Local
  ports:
  - port: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web-np
spec:
  type: NodePort
  externalTrafficPolicy: Local
  selector:
    app: web
  ports:
  - port: 80
    nodePort: 30080
---
apiVersion: v1
kind: Pod
metadata:
  name: near
spec:
  nodeName: worker-1
  containers:
  - name: c
    image: busybox
    command: ["sleep", "3600"]
---
apiVersion: v1
kind: Pod
metadata:
  name: far
spec:
  nodeName: worker-2
  containers:
  - name: c
    image: busybox
    command: ["sleep", "3600"]
EOF
sleep 30
kubectl get pods -o wide
kubectl get svc web-local web-np
# internalTrafficPolicy: Local: a client on worker-1 reaches the pod there; one on worker-2 times out.
kubectl exec near -- wget -qO- -T 2 http://web-local/
kubectl exec far -- wget -qO- -T 2 http://web-local/
# externalTrafficPolicy: Local, from the nodes (clients outside the pod network):
# worker-1's own address from itself and from worker-2 reaches its pod; worker-2's address from worker-1 is
# dropped there (no local endpoint); worker-2's own traffic to itself short-circuits to every endpoint.
minikube ssh -n worker-1 -- "curl -s -m 2 -o /dev/null -w '%{http_code}\n' http://192.168.49.5:30080/"
minikube ssh -n worker-2 -- "curl -s -m 2 -o /dev/null -w '%{http_code}\n' http://192.168.49.5:30080/"
minikube ssh -n worker-1 -- "curl -sS -m 2 -o /dev/null -w '%{http_code}\n' http://192.168.49.6:30080/"
minikube ssh -n worker-2 -- "curl -s -m 2 -o /dev/null -w '%{http_code}\n' http://192.168.49.6:30080/"
# A pod reaching its own node's NodePort short-circuits too; another node's NodePort sees it as outside.
kubectl exec far -- wget -qO- -T 2 http://192.168.49.6:30080/
kubectl exec near -- wget -qO- -T 2 http://192.168.49.6:30080/
# nginx's access log: the client's address is kept (192.168.49.6, worker-2), except where a node masqueraded
# its own traffic (10.244.N.x) or a pod's address arrived as it was.
kubectl logs deploy/web
# The rules differ per node: worker-2 has no KUBE-SVL chain and its KUBE-EXT chain ends without a jump to one.
minikube ssh -n worker-1 -- sudo iptables -t nat -S KUBE-NODEPORTS
minikube ssh -n worker-1 -- sudo iptables -t nat -S KUBE-EXT-4UDSYVHJNXWHWIRT
minikube ssh -n worker-2 -- sudo iptables -t nat -S KUBE-EXT-4UDSYVHJNXWHWIRT
minikube ssh -n worker-1 -- sudo iptables -t nat -S KUBE-SVL-4UDSYVHJNXWHWIRT
minikube ssh -n worker-2 -- sudo iptables -t nat -S KUBE-SVL-4UDSYVHJNXWHWIRT
