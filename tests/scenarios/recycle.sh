# The Recycle reclaim policy (deprecated; the apiserver warns). When the claim goes, the PV controller runs a
# `recycler-for-<pv>` pod in `default` that empties the volume (`find /scrub -mindepth 1 -delete`), passes the
# pod's events on to the volume as `RecyclerPod`, deletes the pod and makes the volume Available again.
kubectl apply -f - <<EOF
apiVersion: v1
kind: PersistentVolume
metadata:
  name: scratch
spec:
  storageClassName: scratch
  persistentVolumeReclaimPolicy: Recycle
  capacity:
    storage: 2Gi
  accessModes: [ReadWriteOnce]
  hostPath:
    path: /srv/scratch
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: scratch-claim
spec:
  storageClassName: scratch
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: v1
kind: Pod
metadata:
  name: writer
spec:
  nodeName: worker-1
  containers:
  - name: writer
    image: busybox:1.36
    command: ["sh", "-c", "echo keep > /data/notes.txt; mkdir -p /data/sub; touch /data/.hidden /data/sub/x; sleep 3600"]
    volumeMounts:
    - name: data
      mountPath: /data
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: scratch-claim
EOF
kubectl wait --for=condition=Ready pod/writer
minikube ssh -n worker-1 -- ls -A /srv/scratch
kubectl delete pod writer
kubectl delete pvc scratch-claim
kubectl get pv scratch
kubectl get pod recycler-for-scratch -o wide
kubectl get pod recycler-for-scratch -o jsonpath='{.spec.activeDeadlineSeconds} {.spec.containers[0].image} {.spec.containers[0].args[1]}{"\n"}'
sleep 10
kubectl get pv scratch
kubectl get pod recycler-for-scratch
kubectl describe pv scratch
minikube ssh -n worker-1 -- ls -A /srv/scratch
# The recycler's pod mounts the path on whichever node it is scheduled to: hostPath recycling is "for testing
# and development purposes only". Bound again, the volume starts empty.

# A plugin without a recycler (local, csi, …): the volume is Failed with VolumeFailedRecycle.
kubectl apply -f - <<EOF
apiVersion: v1
kind: PersistentVolume
metadata:
  name: pinned
spec:
  storageClassName: pinned
  persistentVolumeReclaimPolicy: Recycle
  capacity:
    storage: 1Gi
  accessModes: [ReadWriteOnce]
  local:
    path: /mnt/disk
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions:
        - key: kubernetes.io/hostname
          operator: In
          values: [worker-2]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: pinned-claim
spec:
  storageClassName: pinned
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
EOF
kubectl get pv pinned
kubectl delete pvc pinned-claim
kubectl get pv pinned
kubectl get events --field-selector involvedObject.name=pinned
