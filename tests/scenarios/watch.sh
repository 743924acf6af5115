# kubectl get -w and kubectl logs -f in a script: the first listing (or the log so far), then the next
# command; the page keeps them printing until Ctrl-C (playground::stream).
kubectl get pods -w
kubectl create deployment web --image=nginx --replicas=2
sleep 10
kubectl get pods -w
kubectl get pods --watch-only
kubectl get deployment web --watch -o wide
kubectl get pods,services -w
kubectl get pod nothing-here web -w
kubectl get pods -w -o yaml
kubectl run ticker --image=busybox -- sh -c 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 5; done'
sleep 12
kubectl logs -f ticker
