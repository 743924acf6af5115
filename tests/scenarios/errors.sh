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
kubectl run j1 --image=nginx --override-type=json --overrides='{"op":1}' --dry-run=client -o name
kubectl run j1 --image=nginx --override-type=json --overrides='5' --dry-run=client -o name
kubectl run j1 --image=nginx --override-type=strategic --overrides='{a}' --dry-run=client -o name
kubectl run j1 --image=nginx --override-type=strategic --overrides='{"kind":null}' --dry-run=client -o name
kubectl run j1 --image=nginx --override-type=strategic --overrides='{"apiVersion":"v2"}' --dry-run=client -o name
kubectl run q5 --image=nginx --override-type=json --overrides='[{"op":"remove","path":"/metadata"}]'
kubectl run q6 --image=nginx --override-type=strategic --overrides='{"$patch":"delete"}'
