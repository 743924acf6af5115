# DaemonSets: kube-proxy and Flannel run one pod on every node from the start.
kubectl get ds -A
kubectl get pods -n kube-flannel -o wide
# A DaemonSet without tolerations skips the tainted control-plane nodes.
kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-agent
spec:
  selector:
    matchLabels:
      app: node-agent
  template:
    metadata:
      labels:
        app: node-agent
    spec:
      containers:
      - name: agent
        image: busybox:1.36
        command: ["sh", "-c", "sleep 3600"]
EOF
kubectl get ds node-agent
sleep 10
kubectl get ds node-agent
kubectl get pods -l app=node-agent -o wide
kubectl get pods -l app=node-agent -o jsonpath='{range .items[0].spec.tolerations[*]}{.key}:{.effect}{"\n"}{end}'
kubectl get pods -l app=node-agent -o jsonpath='{.items[0].spec.affinity.nodeAffinity}{"\n"}'
# A new node gets its pods; a deleted node's pods go with it.
minikube node add
kubectl get pods -A -o wide --field-selector spec.nodeName=worker-3
sleep 10
kubectl get ds -A
minikube node delete worker-3
kubectl get pods -l app=node-agent -o wide
sleep 45
kubectl get pods -l app=node-agent -o wide
kubectl get ds node-agent
# Cordoned nodes keep their daemon pods (the controller tolerates node.kubernetes.io/unschedulable).
kubectl cordon worker-1
kubectl get ds node-agent
kubectl uncordon worker-1
# A nodeSelector limits the DaemonSet to labelled nodes.
kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ssd-monitor
spec:
  selector:
    matchLabels:
      app: ssd-monitor
  template:
    metadata:
      labels:
        app: ssd-monitor
    spec:
      nodeSelector:
        disk: ssd
      containers:
      - name: monitor
        image: nginx:1.27
EOF
kubectl get ds ssd-monitor
kubectl label node worker-2 disk=ssd
sleep 5
kubectl get ds ssd-monitor
kubectl get pods -l app=ssd-monitor -o wide
kubectl label node worker-2 disk-
kubectl get pods -l app=ssd-monitor
sleep 35
kubectl get ds ssd-monitor
# A rolling update replaces one node's pod at a time (maxUnavailable: 1).
kubectl set image ds/node-agent agent=busybox:1.37
kubectl get pods -l app=node-agent
sleep 31
kubectl get pods -l app=node-agent
sleep 35
kubectl get pods -l app=node-agent
kubectl get ds node-agent
kubectl describe ds node-agent
