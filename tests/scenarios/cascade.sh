# Garbage collection: dependents of a deleted owner go with it (background, foreground) or stay behind
# without their owner (orphan). A manual Job owned by a CronJob stands in as the dependent.
kubectl create cronjob nightly --image=busybox:1.36 --schedule='0 2 * * *' -- echo backup
kubectl create job nightly-manual --from=cronjob/nightly
kubectl delete cronjob nightly --cascade=orphan
kubectl get jobs
kubectl get job nightly-manual -o jsonpath='{.metadata.ownerReferences}'
kubectl create cronjob weekly --image=busybox:1.36 --schedule='0 3 * * 0' -- echo report
kubectl create job weekly-manual --from=cronjob/weekly
kubectl delete cronjob weekly --cascade=foreground
kubectl get cronjobs,jobs
kubectl delete cronjob missing --cascade=sideways
# A namespace takes everything in it along.
kubectl create namespace scratch
kubectl create configmap note --from-literal=a=b -n scratch
kubectl create deployment tmp --image=nginx:1.27 -n scratch
kubectl delete namespace scratch
kubectl get all,configmaps -n scratch
kubectl get namespace scratch
