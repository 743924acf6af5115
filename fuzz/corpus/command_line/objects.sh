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
