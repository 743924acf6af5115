# The scheduler places pods on the workers; the control-plane nodes are tainted NoSchedule.
kubectl run nginx --image=nginx
kubectl run web --image=nginx:1.27
kubectl get pods -o wide
kubectl describe pod nginx
# A nodeSelector no node matches: the pod stays Pending with the scheduler's reasons.
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: picky
spec:
  nodeSelector:
    disktype: ssd
  containers:
  - name: nginx
    image: nginx
EOF
kubectl get pod picky -o wide
kubectl describe pod picky
kubectl get pod picky -o jsonpath='{.status.conditions[0].reason}: {.status.conditions[0].message}'
echo
# After five minutes the scheduler tries again: the same event, counted twice.
sleep 6m
kubectl get events --field-selector involvedObject.name=picky
kubectl describe pod picky
# Labelling a worker lets it in.
kubectl label node worker-2 disktype=ssd
kubectl get pod picky -o wide
kubectl get events --field-selector involvedObject.name=picky
# Two pods asking for 1.5 CPU each fill the workers; a third does not fit.
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: big-1
spec:
  containers:
  - name: nginx
    image: nginx
    resources:
      requests:
        cpu: 1500m
EOF
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: big-2
spec:
  containers:
  - name: nginx
    image: nginx
    resources:
      requests:
        cpu: 1500m
EOF
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: big-3
spec:
  containers:
  - name: nginx
    image: nginx
    resources:
      requests:
        cpu: 1500m
EOF
kubectl get pods -o wide
kubectl get events --field-selector involvedObject.name=big-3
# Deleting one of them makes room.
kubectl delete pod big-1
kubectl get pod big-3 -o wide
# Cordoning both workers.
kubectl cordon worker-1 worker-2
kubectl run late --image=nginx
kubectl get pod late
kubectl get events --field-selector involvedObject.name=late
kubectl uncordon worker-1
kubectl get pod late -o wide
kubectl get events --field-selector reason=Scheduled
