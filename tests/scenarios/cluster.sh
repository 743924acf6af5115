# The cluster itself: API resources, nodes being cordoned, tainted, stopped; etcd losing quorum.
kubectl api-resources
kubectl api-resources --namespaced=false
kubectl cluster-info
kubectl cordon worker-1
kubectl cordon worker-1
kubectl get nodes
kubectl uncordon worker-1
kubectl taint nodes worker-2 dedicated=gpu:NoSchedule
kubectl taint nodes worker-2 dedicated=gpu:NoSchedule
kubectl taint nodes worker-2 dedicated:NoSchedule-
kubectl taint nodes worker-2 dedicated:NoSchedule-
minikube status
minikube node stop worker-1
sleep 49
kubectl get nodes
sleep 1
kubectl events
kubectl get events -o wide
kubectl get nodes
minikube node stop control-plane-1
kubectl get nodes
minikube node stop control-plane-2
kubectl get nodes
kubectl create namespace during-outage
minikube status
minikube node stop control-plane-3
kubectl get nodes
minikube node start control-plane-1
minikube node start control-plane-2
kubectl get nodes
minikube start
kubectl get nodes
minikube node add
minikube node add --control-plane
minikube node list
minikube node delete worker-3
minikube node stop nope
minikube ssh
minikube frobnicate
kubectl describe node worker-1
kubectl get leases -n kube-node-lease
kubectl describe namespace default
kubectl describe nodes nope
# Draining: a pod bound to a node by name, with no controller, is refused unless forced.
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: pinned
spec:
  nodeName: worker-2
  containers:
  - name: app
    image: nginx:1.27
EOF
kubectl drain worker-2
kubectl drain worker-2 --force --ignore-daemonsets
kubectl get pods
kubectl uncordon worker-2
