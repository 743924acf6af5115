# Memory limits (the docs' "Assign Memory Resources" task): polinux/stress holding 150M under a 200Mi limit runs;
# holding 250M under a 100Mi limit is OOM-killed (exit code 137, reason OOMKilled) and restarted with
# CrashLoopBackOff's back-off.
kubectl create namespace mem-example
kubectl apply -f manifests/memory-request-limit.yaml
kubectl apply -f manifests/memory-request-limit-2.yaml
sleep 3
kubectl get pods -n mem-example
kubectl get pod memory-demo-2 -n mem-example -o jsonpath='{.status.containerStatuses[0].lastState}{"\n"}'
sleep 30
kubectl get pods -n mem-example
kubectl logs memory-demo -n mem-example
kubectl logs memory-demo-2 -n mem-example --previous
kubectl describe pod memory-demo-2 -n mem-example
