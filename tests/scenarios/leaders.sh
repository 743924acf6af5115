# Leader election: kube-scheduler and kube-controller-manager run on every control-plane node, and only the
# instance holding its Lease in kube-system works. When the leader's node stops, nothing is scheduled or
# reconciled until the lease expires 15 s after its last renewal and a component on another control-plane node
# takes it (LeaderElection events); the old leader comes back as a candidate.
kubectl get leases -n kube-system
kubectl get lease kube-scheduler -n kube-system -o yaml
kubectl get events -n kube-system --field-selector reason=LeaderElection
sleep 5
minikube node stop control-plane-1
kubectl run during --image=nginx:1.27
kubectl create deployment web --image=nginx:1.27 --replicas=2
sleep 10
kubectl get pods
kubectl get deployments
kubectl get leases -n kube-system
sleep 4
kubectl get pods -o wide
kubectl get deployments
kubectl get leases -n kube-system
kubectl get events -n kube-system --field-selector reason=LeaderElection
kubectl get events --field-selector involvedObject.name=during
minikube node start control-plane-1
sleep 30
kubectl get leases -n kube-system
kubectl get lease kube-controller-manager -n kube-system -o jsonpath='{.spec.leaseTransitions} {.spec.renewTime}{"\n"}'
