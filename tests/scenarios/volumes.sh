# PersistentVolumes and claims. The default StorageClass is minikube's `standard` (hostPath provisioner).
kubectl get sc
kubectl describe sc standard

# A static hostPath PV (reclaim policy Retain, the default for static PVs) and a claim of its class: the
# claim binds the smallest matching volume and shows its capacity.
kubectl apply -f - <<EOF
apiVersion: v1
kind: PersistentVolume
metadata:
  name: task-pv-volume
  labels:
    type: local
spec:
  storageClassName: manual
  capacity:
    storage: 10Gi
  accessModes:
    - ReadWriteOnce
  hostPath:
    path: "/mnt/data"
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: small-pv
spec:
  storageClassName: manual
  capacity:
    storage: 1Gi
  accessModes:
    - ReadWriteOnce
  hostPath:
    path: "/mnt/small"
EOF
kubectl get pv
kubectl apply -f - <<EOF
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: task-pv-claim
spec:
  storageClassName: manual
  accessModes:
    - ReadWriteOnce
  resources:
    requests:
      storage: 3Gi
EOF
kubectl get pv,pvc
kubectl describe pvc task-pv-claim
kubectl describe pv task-pv-volume

# Retain: deleting the claim leaves the volume Released, still naming its old claim; a new claim of the same
# name does not get it back.
kubectl delete pvc task-pv-claim
kubectl get pv task-pv-volume -o wide
kubectl apply -f - <<EOF
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: task-pv-claim
spec:
  storageClassName: manual
  accessModes:
    - ReadWriteOnce
  resources:
    requests:
      storage: 3Gi
EOF
sleep 20
kubectl get pvc task-pv-claim
kubectl describe pvc task-pv-claim
# The administrator frees the volume by removing its claimRef: it becomes Available and binds.
kubectl patch pv task-pv-volume --type json -p '[{"op":"remove","path":"/spec/claimRef"}]'
kubectl get pv task-pv-volume
kubectl get pvc task-pv-claim

# A claim without a class gets the default one and a volume provisioned for it (pvc-<uid>, hostPath under
# /tmp/hostpath-provisioner, reclaim policy Delete from the class).
kubectl apply -f - <<EOF
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
EOF
kubectl get pvc data
kubectl describe pvc data
kubectl get pv -l '!type'

# A pod on worker-1 writes through the claim; the data lives in worker-1's filesystem and outlives the pod.
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: writer
spec:
  nodeSelector:
    kubernetes.io/hostname: worker-1
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "echo written by writer > /data/note.txt; sleep 3600"]
    volumeMounts:
    - name: data
      mountPath: /data
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: data
EOF
sleep 10
kubectl get pod writer -o wide
kubectl exec writer -- cat /data/note.txt
minikube ssh -n worker-1 -- ls /tmp/hostpath-provisioner/default/data
kubectl delete pod writer
minikube ssh -n worker-1 -- cat /tmp/hostpath-provisioner/default/data/note.txt
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: reader
spec:
  nodeSelector:
    kubernetes.io/hostname: worker-1
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "cat /data/note.txt; sleep 3600"]
    volumeMounts:
    - name: data
      mountPath: /data
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: data
EOF
sleep 10
kubectl logs reader
# hostPath volumes are per node, as in a multi-node minikube: worker-2 has no such file.
minikube ssh -n worker-2 -- ls /tmp/hostpath-provisioner/default/data

# A claim a pod uses stays Terminating (kubernetes.io/pvc-protection) until the pod is gone; then, with
# reclaim policy Delete, the provisioner deletes the volume.
kubectl delete pvc data --wait=false
kubectl get pvc data
kubectl describe pvc data
kubectl delete pod reader
kubectl get pvc data
kubectl get pv

# A second class that waits for the first consumer: the claim stays Pending until a pod using it is
# scheduled, then is provisioned for that pod's node.
kubectl apply -f - <<EOF
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: local-wait
provisioner: k8s.io/minikube-hostpath
reclaimPolicy: Retain
volumeBindingMode: WaitForFirstConsumer
EOF
kubectl get sc
kubectl apply -f - <<EOF
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: late
spec:
  storageClassName: local-wait
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 2Gi
EOF
sleep 20
kubectl get pvc late
kubectl describe pvc late
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: consumer
spec:
  containers:
  - name: app
    image: busybox
    command: ["sleep", "3600"]
    volumeMounts:
    - name: data
      mountPath: /data
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: late
EOF
sleep 5
kubectl get pod consumer -o wide
kubectl get pvc late
kubectl describe pvc late

# A pod whose claim does not exist, or is unbound with Immediate binding, is not scheduled.
kubectl apply -f - <<EOF
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: nobody
spec:
  storageClassName: ""
  accessModes: [ReadWriteMany]
  resources:
    requests:
      storage: 5Gi
---
apiVersion: v1
kind: Pod
metadata:
  name: stuck
spec:
  containers:
  - name: app
    image: busybox
    command: ["sleep", "3600"]
    volumeMounts:
    - name: data
      mountPath: /data
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: nobody
  - name: other
    persistentVolumeClaim:
      claimName: missing
EOF
kubectl get events --field-selector involvedObject.name=stuck
kubectl describe pvc nobody

# Recycle is deprecated; a static volume whose reclaim fails is Failed with the reason. A recycled volume stays
# Released while its recycler pod runs (recycle.sh follows it to the end).
kubectl apply -f - <<EOF
apiVersion: v1
kind: PersistentVolume
metadata:
  name: keep-out
spec:
  storageClassName: slow
  persistentVolumeReclaimPolicy: Delete
  capacity:
    storage: 1Gi
  accessModes: [ReadWriteOnce]
  hostPath:
    path: /srv/keep
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: slow-claim
spec:
  storageClassName: slow
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
EOF
kubectl get pv keep-out
kubectl delete pvc slow-claim
kubectl get pv keep-out
kubectl describe pv keep-out
kubectl apply -f - <<EOF
apiVersion: v1
kind: PersistentVolume
metadata:
  name: scratch
spec:
  storageClassName: scratch
  persistentVolumeReclaimPolicy: Recycle
  capacity:
    storage: 1Gi
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
EOF
kubectl get pv scratch
kubectl delete pvc scratch-claim
kubectl get pv scratch
kubectl describe pv scratch

# ReadWriteOncePod: while a scheduled pod uses the claim, no other pod is scheduled (VolumeRestrictions); a
# ReadWriteOnce hostPath volume has no such check (hostPath volumes are never attached, so no Multi-Attach).
kubectl apply -f - <<EOF
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: solo
spec:
  accessModes: [ReadWriteOncePod]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: v1
kind: Pod
metadata:
  name: first
spec:
  containers:
  - name: app
    image: busybox
    command: ["sleep", "3600"]
    volumeMounts:
    - name: data
      mountPath: /data
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: solo
EOF
sleep 5
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: second
spec:
  containers:
  - name: app
    image: busybox
    command: ["sleep", "3600"]
    volumeMounts:
    - name: data
      mountPath: /data
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: solo
EOF
kubectl get pods first second -o wide
kubectl get events --field-selector involvedObject.name=second
kubectl delete pod first
sleep 5
kubectl get pod second -o wide

# ReadWriteOnce across two nodes: hostPath volumes are never attached, so there is no Multi-Attach error and
# both pods run, as on minikube; but each node has its own directory, so they do not share the data.
kubectl apply -f - <<YAML
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: shared
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: v1
kind: Pod
metadata:
  name: left
spec:
  nodeSelector:
    kubernetes.io/hostname: worker-1
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "echo from left > /data/left.txt; sleep 3600"]
    volumeMounts:
    - name: data
      mountPath: /data
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: shared
---
apiVersion: v1
kind: Pod
metadata:
  name: right
spec:
  nodeSelector:
    kubernetes.io/hostname: worker-2
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "echo from right > /data/right.txt; sleep 3600"]
    volumeMounts:
    - name: data
      mountPath: /data
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: shared
YAML
sleep 10
kubectl get pods left right -o wide
kubectl exec left -- ls /data
kubectl exec right -- ls /data
kubectl get events --field-selector reason=FailedAttachVolume

# Expansion: minikube's `standard` class does not allow it, so growing the claim is refused; shrinking below
# the capacity is invalid whatever the class.
kubectl get sc standard -o jsonpath='{.allowVolumeExpansion}{"\n"}'
kubectl patch pvc shared -p '{"spec":{"resources":{"requests":{"storage":"2Gi"}}}}'
kubectl patch pvc shared -p '{"spec":{"resources":{"requests":{"storage":"512Mi"}}}}'
# A class that allows expansion, with the same hostPath provisioner: the request is accepted, but no
# controller can grow a hostPath volume (the provisioner has no resizer), so the capacity stays 1Gi and the
# expand controller says it waits for an external one.
kubectl apply -f - <<YAML
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: growable
provisioner: k8s.io/minikube-hostpath
allowVolumeExpansion: true
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: grow
spec:
  storageClassName: growable
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
YAML
kubectl get sc growable
kubectl patch pvc grow -p '{"spec":{"resources":{"requests":{"storage":"2Gi"}}}}'
sleep 30
kubectl get pvc grow
kubectl get pv -l '!type' -o custom-columns=NAME:.spec.claimRef.name,CAPACITY:.spec.capacity.storage
kubectl get pvc grow -o jsonpath='{.spec.resources.requests.storage} {.status.capacity.storage} {.status.conditions}{"\n"}'
kubectl describe pvc grow
# Back down to just above the capacity is allowed (recovering from an expansion that cannot finish); to the
# capacity itself is not.
kubectl patch pvc grow -p '{"spec":{"resources":{"requests":{"storage":"1025Mi"}}}}'
kubectl patch pvc grow -p '{"spec":{"resources":{"requests":{"storage":"1Gi"}}}}'
kubectl get pvc grow
