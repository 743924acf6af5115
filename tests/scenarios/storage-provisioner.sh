# minikube's storage-provisioner addon: a bare Pod in kube-system (not a Deployment) on the primary node,
# with its ServiceAccount and the Endpoints its leader election locks. It is what provisions `standard` claims.
kubectl get pods -n kube-system -l integration-test=storage-provisioner -o wide
kubectl get serviceaccount storage-provisioner -n kube-system
kubectl get endpoints k8s.io-minikube-hostpath -n kube-system
kubectl get events -n kube-system --field-selector involvedObject.name=k8s.io-minikube-hostpath
kubectl apply -f - <<YAML
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: before
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
YAML
kubectl get pvc before

# Without the provisioner nothing creates volumes: a claim of the `standard` class stays Pending and the PV
# controller repeats ExternalProvisioning on every 15 s resync. Nothing recreates a bare pod.
kubectl delete pod storage-provisioner -n kube-system
kubectl apply -f - <<YAML
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
YAML
sleep 30
kubectl get pvc data
kubectl describe pvc data
# A volume whose claim goes stays Released: only the provisioner deletes what it provisioned.
kubectl delete pvc before
kubectl get pv

# Enabling the addon again applies its manifest: the scheduler places the new pod (control-plane nodes are
# tainted here), and once the old leader's 15 s lock has expired the new provisioner leads and provisions.
minikube addons enable storage-provisioner
kubectl get pods -n kube-system -l integration-test=storage-provisioner -o wide
sleep 5
kubectl get pvc data
kubectl get events -n kube-system --field-selector involvedObject.name=k8s.io-minikube-hostpath
kubectl describe pvc data
# Each start draws a new identity: the volume the old provisioner made is not this one's to delete, so it
# stays Released (its directory too), as minikube's provisioner ignores another identity's volumes.
kubectl get pv
kubectl get pv -o custom-columns=NAME:.metadata.name,IDENTITY:.metadata.annotations.hostPathProvisionerIdentity,PATH:.spec.hostPath.path

# Stopping the provisioner's node stops the provisioner too; when the node is back, its kubelet starts the
# pod's container again, a new provisioner that takes the lock and provisions.
kubectl get pod storage-provisioner -n kube-system -o jsonpath='{.spec.nodeName}{"\n"}'
minikube node stop worker-2
kubectl apply -f - <<YAML
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: later
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
YAML
sleep 20
kubectl get pvc later
minikube node start worker-2
sleep 20
kubectl get pod storage-provisioner -n kube-system -o wide
kubectl get pvc later
kubectl get events -n kube-system --field-selector involvedObject.name=k8s.io-minikube-hostpath
