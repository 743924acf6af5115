# Pods come alive on their node: image pulls, container start, logs, exec, crash loops, bad images, probes,
# graceful deletion. Pods name their node here, so this scenario runs without the scheduler.
kubectl run web --image=nginx:1.27 --labels=app=web --overrides='{"spec":{"nodeName":"worker-1"}}'
kubectl get pods
sleep 1
kubectl get pods
sleep 3
kubectl get pods -o wide
kubectl logs web --tail=2
kubectl logs web --timestamps --tail=1
kubectl exec web -- cat /etc/hostname
kubectl exec web -- sh -c 'echo hello from $(hostname) > /usr/share/nginx/html/hello.txt; ls /usr/share/nginx/html'
kubectl exec web -- cat /nope
kubectl exec web -- bash -c 'exit 3'
kubectl exec web -- nonexistent
kubectl describe pod web
kubectl run crash --image=busybox:1.36 --overrides='{"spec":{"nodeName":"worker-2"}}' -- sh -c 'echo starting; sleep 2; echo "fatal: no config" >&2; exit 3'
sleep 10
kubectl get pod crash
sleep 60
kubectl get pod crash
kubectl logs crash --previous
kubectl get pod crash -o jsonpath='{.status.containerStatuses[0].state.waiting.message}{"\n"}{.status.containerStatuses[0].lastState.terminated.exitCode}{"\n"}'
kubectl run typo --image=nginx:1.27-nope --overrides='{"spec":{"nodeName":"worker-2"}}'
sleep 2
kubectl get pod typo
sleep 5
kubectl get pod typo
kubectl logs typo
kubectl describe pod typo
kubectl run typo2 --image=nginx:1.27-nope
sleep 3
kubectl get pod typo2
sleep 20
kubectl get pod typo2
kubectl describe pod typo2
kubectl apply -f manifests/exec-liveness.yaml
sleep 45
kubectl describe pod liveness-exec
sleep 60
kubectl get pod liveness-exec
kubectl apply -f manifests/http-liveness.yaml
sleep 25
kubectl get pod liveness-http
kubectl get pods -n kube-system -o wide
kubectl delete pod web
kubectl run sleeper --image=busybox:1.36 -- sleep 3600
sleep 5
kubectl delete pod sleeper
kubectl get pods
