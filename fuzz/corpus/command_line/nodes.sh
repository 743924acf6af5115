# The default cluster: three control-plane nodes and two workers, all Ready from the start.
kubectl get nodes
kubectl get nodes -o wide
kubectl get no worker-1 control-plane-2
kubectl get node/worker-2 -o name
kubectl get nodes --show-labels --no-headers
# Time passes only when the session says so.
sleep 2m 30s
kubectl get node worker-1
sleep 3h
kubectl get nodes worker-1
kubectl version
