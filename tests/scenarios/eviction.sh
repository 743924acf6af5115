# A node stops: NotReady after 50 s, NoExecute taints, pods marked not ready; a pod tolerating the unreachable taint for 60 s goes first, the rest after the default 300 s (5m50s after the stop) and stay Terminating until the node returns; the Job replaces its pod on the other worker. A deleted node's pods are removed by the pod garbage collector.
kubectl run web --image=nginx:1.27
kubectl create job sleepy --image=busybox:1.36 -- sh -c 'sleep 3600'
kubectl run strict --image=nginx:1.27 --overrides='{"spec":{"nodeName":"worker-1","tolerations":[{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":60}]}}'
sleep 20
kubectl get pods -o wide
minikube node stop worker-1
sleep 50
kubectl get nodes
kubectl get pods -o wide
sleep 60
kubectl get pods -o wide
sleep 4m
kubectl get pods -o wide
sleep 10
kubectl get pods -o wide
kubectl get jobs
kubectl get events --field-selector reason=TaintManagerEviction
minikube node start worker-1
sleep 40
kubectl get pods -o wide
kubectl get events --field-selector reason=NodeNotReady
kubectl run lost --image=nginx:1.27 --overrides='{"spec":{"nodeName":"worker-1"}}'
sleep 10
minikube node stop worker-1
minikube node delete worker-1
kubectl get pods -o wide
kubectl get nodes
