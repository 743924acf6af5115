# Creating, applying and deleting objects from files, standard input and generators.
kubectl apply -f manifests/web.yaml
kubectl apply -f manifests/web.yaml
kubectl get deploy,svc
kubectl create -f manifests/web.yaml
kubectl apply -f manifests/broken.yaml
kubectl apply -f manifests/typo.yaml
kubectl apply -f manifests/typo.yaml --validate=false
kubectl delete pod typo
kubectl apply -f manifests/widget.yaml
kubectl apply -f manifests/missing.yaml
# apply removes what the manifest no longer has, keeps what others added
kubectl apply -f - <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  labels:
    app: web
data:
  mode: fast
  level: "3"
EOF
kubectl label configmap settings team=blue
kubectl apply -f - <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: slow
EOF
kubectl get configmap settings --show-labels
kubectl get configmap settings -o json
kubectl create namespace dev
kubectl create configmap greeting --from-literal=hello=world -n dev
kubectl create secret generic db-pass --from-literal=password=s3cret -n dev
kubectl get cm,secret -n dev
kubectl create configmap greeting --from-literal=hello=world -n dev
kubectl get namespaces
kubectl delete namespace dev
kubectl get namespaces
kubectl get cm -n dev
kubectl create configmap late -n dev
kubectl delete -f manifests/web.yaml
kubectl delete deployment web
kubectl delete deployment web --ignore-not-found
kubectl get all
# Output formats, client dry runs and field documentation.
kubectl create deployment web --image=nginx:1.27 --replicas=2 --dry-run=client -o yaml
kubectl run tmp --image=busybox --dry-run=client -o json -- sleep 3600
kubectl create configmap app --from-literal=mode=fast --from-literal=n=0 -o yaml
kubectl get configmap app -o jsonpath='{.data.mode}{"\n"}'
kubectl get configmap app -o jsonpath='{.items[}'
kubectl get nodes -o custom-columns=NAME:.metadata.name,CIDR:.spec.podCIDR
kubectl get nodes -o yaml --show-labels=false worker-1
kubectl explain pods.spec.restartPolicy
kubectl explain deployment.spec.strategy
kubectl explain pods.foo
