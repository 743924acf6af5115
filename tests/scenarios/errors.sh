# Mistakes get kubectl's own answers, and change nothing.
kubectl gett nodes
kubectl zzzzzzz
kubectl get
kubectl get nodez
kubectl get node worker-9
kubectl get node worker-1 worker-9
kubectl get nodes --bogus
kubectl get nodes -x
kubectl get nodes -o
kubectl get nodes -o wdie
kubectl get --no-headers=3 nodes
kubectl get namespaces
kubectl get pods | grep web
kubectl proxy
sleep later
grep web
echo "all the nodes are still there:"
kubectl get nodes --no-headers -o name
# --overrides that are not JSON, not an object, or mistyped: kubectl's own errors (checked against kubectl 1.32).
kubectl run w3 --image=nginx --overrides={a}
kubectl run w3 --image=nginx --overrides='[1]'
kubectl run w3 --image=nginx --overrides=null
kubectl run w3 --image=nginx --overrides='{"spec":{"containers":"x"}}'
kubectl run w3 --image=nginx --overrides='{"metadata":{"labels":[1]}}'
kubectl get pod w3
