# PodDisruptionBudgets: the disruption controller's status, evictions allowed and refused, and a drain that
# retries every 5 s while the budget says no, then goes on once a replacement pod is ready elsewhere.
kubectl create deployment web --image=nginx:1.27 --replicas=4
kubectl create poddisruptionbudget web-pdb --selector=app=web --min-available=3
kubectl get pdb
sleep 30
kubectl get pdb
kubectl get pdb web-pdb -o yaml
kubectl create pdb half --selector=app=web --max-unavailable=50%
kubectl create pdb bad --selector=app=web
kubectl create pdb bad --selector=app=web --min-available=1 --max-unavailable=1
kubectl create pdb bad --selector=app=web --min-available=1.5
kubectl get pdb
kubectl delete pdb half
kubectl describe pdb web-pdb
kubectl get pods -o wide
# Worker-1 goes: one disruption allowed, so the first pod is evicted at once; the second is refused (429) and
# retried every 5 s until the first one's replacement on worker-2 is ready.
kubectl drain worker-1 --ignore-daemonsets
kubectl get pods -o wide
kubectl get pdb
kubectl uncordon worker-1
# A budget that can never be met: the drain gives up at its --timeout.
kubectl scale deployment web --replicas=2
sleep 30
kubectl get pdb web-pdb
kubectl drain worker-2 --ignore-daemonsets --timeout=12s
kubectl get pods
# A percentage budget over DaemonSet pods cannot be computed: the controller's fail-safe.
kubectl create pdb proxy -n kube-system --selector=k8s-app=kube-proxy --max-unavailable=10%
kubectl describe pdb proxy -n kube-system
kubectl get pdb proxy -n kube-system -o jsonpath='{.status.conditions}'
