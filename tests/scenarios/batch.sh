# Jobs and CronJobs from generators; a manual Job owned by its CronJob is garbage-collected with it.
kubectl create job pi --image=perl:5.34 -- perl -Mbignum=bpi -wle 'print bpi(20)'
kubectl create cronjob hello --image=busybox:1.36 --schedule='*/1 * * * *' -- echo hello
kubectl create job manual --from=cronjob/hello
kubectl create secret docker-registry reg --docker-server=registry.example.com --docker-username=u --docker-password=p
kubectl get jobs,cronjobs,secrets
kubectl get job manual -o jsonpath='{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}'
kubectl delete cronjob hello
kubectl get jobs
