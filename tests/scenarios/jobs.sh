# Jobs: the docs' pi Job completes and prints its digits; a failing Job backs off 10 s, 20 s, 40 s, … and ends
# with BackoffLimitExceeded after backoffLimit + 1 failed pods; parallel, Indexed and deadline Jobs.
kubectl apply -f manifests/pi-job.yaml
kubectl get jobs
kubectl get pods
sleep 30
kubectl get jobs
kubectl get pods
kubectl logs job/pi
kubectl describe job pi
kubectl get job pi -o jsonpath='{.status}'
echo
kubectl get pods -l job-name=pi -o jsonpath='{.items[0].metadata.finalizers}{" "}{.items[0].metadata.ownerReferences[0].kind}/{.items[0].metadata.ownerReferences[0].name}'
echo
kubectl delete job pi
kubectl apply -f manifests/pi-fail.yaml
sleep 20m
kubectl get pods -o custom-columns=NAME:.metadata.name,CREATED:.metadata.creationTimestamp,FINISHED:.status.containerStatuses[0].state.terminated.finishedAt,EXIT:.status.containerStatuses[0].state.terminated.exitCode
kubectl get jobs
kubectl describe job pi-fail
kubectl get job pi-fail -o jsonpath='{range .status.conditions[*]}{.type}={.reason}: {.message}{"\n"}{end}'
kubectl delete job pi-fail
kubectl apply -f manifests/parallel-job.yaml
sleep 3
kubectl get pods
sleep 10
kubectl get pods
kubectl get job par
kubectl apply -f manifests/indexed-job.yaml
sleep 3
kubectl get pods -l job-name=indexed -L batch.kubernetes.io/job-completion-index
sleep 30
kubectl get jobs
kubectl get job indexed -o jsonpath='{.status.completedIndexes}'
echo
kubectl logs -l job-name=indexed
kubectl delete job par indexed
kubectl apply -f manifests/deadline-job.yaml
sleep 40
kubectl get jobs
kubectl get job slow -o jsonpath='{range .status.conditions[*]}{.type}={.reason}: {.message}{"\n"}{end}'
kubectl get pods
sleep 1m
kubectl get jobs
sleep 30
kubectl get jobs
kubectl get pods
