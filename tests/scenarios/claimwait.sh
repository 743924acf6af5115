# A pod bound to a node directly (spec.nodeName skips the scheduler, which would have kept it Pending) whose
# claim is missing or not bound: the kubelet's volume manager cannot process the claim volume, so each pod
# sync fails with one FailedMount (retried after the pod worker's 10 s back-off) and the pod stays
# ContainerCreating; once the claim is bound, the next sync mounts the volume and the container starts.
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: early
spec:
  nodeName: worker-1
  containers:
  - name: app
    image: busybox:1.36
    command: ["sh", "-c", "ls /data; sleep 3600"]
    volumeMounts:
    - name: data
      mountPath: /data
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: later
EOF
sleep 30
kubectl get pod early
kubectl get events --field-selector involvedObject.name=early
# The claim appears, but nothing binds it yet (no volume of its class): the error says so.
kubectl apply -f - <<EOF
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: later
spec:
  storageClassName: manual
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
EOF
sleep 15
kubectl get pvc later
kubectl get pod early
kubectl get events --field-selector involvedObject.name=early,reason=FailedMount
# A matching volume: the PV controller binds it, and the kubelet's next sync starts the pod.
minikube ssh -n worker-1 -- 'sudo mkdir -p /srv/later && echo ready | sudo tee /srv/later/flag'
kubectl apply -f - <<EOF
apiVersion: v1
kind: PersistentVolume
metadata:
  name: later-pv
spec:
  storageClassName: manual
  capacity:
    storage: 1Gi
  accessModes: [ReadWriteOnce]
  hostPath:
    path: /srv/later
EOF
kubectl get pvc later
sleep 15
kubectl get pod early
kubectl logs early
kubectl describe pod early
