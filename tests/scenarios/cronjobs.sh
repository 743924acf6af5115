# CronJobs: a `*/1` schedule creates NAME-<minutes since the epoch> at each minute, keeps 3 successful Jobs
# (successfulJobsHistoryLimit) and 1 failed one; Allow, Forbid and Replace with runs longer than the period;
# suspend; a Job started by hand with `create job --from`; more than 100 missed runs; time zones.
kubectl apply -f manifests/hello-cronjob.yaml
kubectl get cronjob hello
sleep 59
kubectl get jobs
sleep 2
kubectl get cronjobs
kubectl get jobs
kubectl get pods
sleep 5
kubectl get cronjob hello -o jsonpath='{.status}'
echo
kubectl logs job/hello-29270881
sleep 4m
kubectl get jobs
kubectl describe cronjob hello
kubectl get job hello-29270885 -o jsonpath='{.metadata.annotations}{"\n"}{.metadata.ownerReferences}{"\n"}{.metadata.creationTimestamp}'
echo
kubectl patch cronjob hello -p '{"spec":{"suspend":true}}'
sleep 3m
kubectl get cronjob hello
kubectl get jobs
kubectl apply -f manifests/slow-cronjobs.yaml
sleep 1m
kubectl get cronjobs
kubectl get jobs
sleep 1m
kubectl get cronjobs
kubectl get jobs
sleep 1m
kubectl get cronjobs
kubectl get jobs
kubectl get pods -l job-name
kubectl describe cronjob slow-forbid
kubectl describe cronjob slow-replace
kubectl get cronjob slow-allow -o jsonpath='{range .status.active[*]}{.kind}/{.name}{"\n"}{end}'
kubectl delete cronjob slow-allow slow-forbid slow-replace
kubectl get jobs
kubectl apply -f manifests/failing-cronjob.yaml
kubectl create job check-now --from=cronjob/flaky
kubectl get job check-now -o jsonpath='{.metadata.annotations}{"\n"}{.metadata.ownerReferences}'
echo
sleep 5m
kubectl get jobs
kubectl describe cronjob flaky
kubectl delete cronjob flaky
kubectl create cronjob tz --image=busybox:1.36 --schedule='0 9 * * *' -- date
kubectl patch cronjob tz -p '{"spec":{"timeZone":"Etc/GMT-2"}}'
kubectl create cronjob paris --image=busybox:1.36 --schedule='0 9 * * *' -- date
kubectl patch cronjob paris -p '{"spec":{"timeZone":"Europe/Pariss"}}'
kubectl patch cronjob paris -p '{"spec":{"timeZone":"Europe/Paris"}}'
sleep 7h
kubectl get cronjobs
kubectl get jobs
kubectl get job tz-29271300 -o jsonpath='{.metadata.annotations}'
echo
kubectl logs job/tz-29271300
# 09:00 in Paris (summer time, UTC+2) is 07:00 UTC.
kubectl get job -l batch.kubernetes.io/job-name -o jsonpath='{range .items[?(@.metadata.ownerReferences[0].name=="paris")]}{.metadata.name} {.metadata.annotations.batch\.kubernetes\.io/cronjob-scheduled-timestamp}{"\n"}{end}'
kubectl patch cronjob hello -p '{"spec":{"suspend":false}}'
kubectl get jobs
kubectl get events --field-selector involvedObject.name=hello,type=Warning
kubectl delete cronjob hello tz paris
kubectl get jobs,cronjobs
