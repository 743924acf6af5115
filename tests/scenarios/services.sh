# Service types and kube-proxy: NodePort on every node's address, LoadBalancer pending until minikube tunnel
# gives it an external IP, session affinity, hostPort, and the rules a node holds.
kubectl create deployment web --image=nginx --replicas=2
kubectl apply -f - <<EOF
apiVersion: v1
kind: Service
metadata:
  name: web-np
spec:
  type: NodePort
  selector:
    app: web
  ports:
  - port: 80
    nodePort: 30080
EOF
kubectl expose deployment web --type=LoadBalancer --port=8080 --target-port=80 --name=web-lb
kubectl run client --image=busybox --restart=Never -- sleep 3600
sleep 30
kubectl get svc
minikube ip
minikube service web-np --url
minikube service nope --url
# A NodePort answers on every node's address, whichever node the pods run on.
kubectl exec client -- wget -qO- -T 2 http://192.168.49.2:30080/
kubectl exec client -- nc -z -v -w 2 192.168.49.6 30080
kubectl exec client -- nc -z -v -w 2 192.168.49.6 30081
minikube tunnel
kubectl get svc web-lb
kubectl describe svc web-lb
kubectl exec client -- wget -qO- -T 2 http://web-lb:8080/
# Session affinity: the rules remember a client's endpoint.
kubectl patch svc web-np -p '{"spec":{"sessionAffinity":"ClientIP"}}'
minikube ssh -n worker-2 -- sudo iptables -t nat -S KUBE-NODEPORTS
minikube ssh -n worker-2 -- sudo iptables -t nat -S KUBE-SVC-4UDSYVHJNXWHWIRT
# hostPort: the node's address reaches the pod through the CNI portmap rule.
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: hp
spec:
  containers:
  - name: hp
    image: nginx
    ports:
    - containerPort: 80
      hostPort: 8081
EOF
sleep 20
kubectl get pod hp -o wide
kubectl exec client -- nc -z -v -w 2 192.168.49.5 8081
kubectl exec client -- nc -z -v -w 2 192.168.49.6 8081
# From a node's own shell: the NodePort and kube-proxy's rules work there too; cluster names do not resolve
# (the node asks Docker's resolver, not CoreDNS).
minikube ssh -n worker-1 -- "curl -s -o /dev/null -w '%{http_code}\n' http://192.168.49.6:30080/"
minikube ssh -n worker-1 -- curl -sS http://web-np/
minikube ssh -n worker-1 -- curl -sS -m 2 http://192.168.49.6:30999/
# A partition a learner makes with the node's own firewall: worker-1 drops everything from worker-2.
kubectl get pods -o wide
minikube ssh -n worker-1 -- sudo iptables -A INPUT -s 192.168.49.6 -j DROP
minikube ssh -n worker-1 -- sudo iptables -S INPUT
kubectl exec client -- nc -z -v -w 2 192.168.49.5 30080
kubectl exec client -- nc -z -v -w 2 192.168.49.2 30080
minikube ssh -n worker-1 -- sudo iptables -D INPUT -s 192.168.49.6 -j DROP
minikube ssh -n worker-1 -- sudo iptables -D INPUT -s 192.168.49.6 -j DROP
kubectl exec client -- nc -z -v -w 2 192.168.49.5 30080
# externalTrafficPolicy: Local on a LoadBalancer also allocates a health-check node port.
kubectl patch svc web-lb -p '{"spec":{"externalTrafficPolicy":"Local"}}'
kubectl get svc web-lb -o jsonpath='{.spec.externalTrafficPolicy} {.spec.healthCheckNodePort}{"\n"}'
# A ClusterIP Service turned NodePort gets its node port on update.
kubectl patch svc web-lb -p '{"spec":{"type":"ClusterIP","externalTrafficPolicy":null}}'
kubectl get svc web-lb
kubectl create service clusterip later --tcp=80:80
kubectl patch svc later -p '{"spec":{"type":"NodePort"}}'
kubectl get svc later
