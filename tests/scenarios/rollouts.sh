# kubectl rollout for StatefulSets and DaemonSets: status watches until the controller is done (the
# "partitioned" wording appears because the API server defaults rollingUpdate.partition to 0), restart stamps
# the template, pause and resume are Deployment-only, and kinds without rollouts get kubectl's own errors.
kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web
  serviceName: web
  replicas: 3
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
EOF
kubectl rollout status statefulset/web --watch=false
kubectl rollout status statefulset/web
kubectl rollout restart statefulset/web
kubectl rollout status statefulset/web --timeout=90s
kubectl get statefulset web -o jsonpath='{.spec.template.metadata.annotations}{"\n"}'
kubectl patch statefulset web -p '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":2}}}}'
kubectl set image statefulset/web nginx=nginx:1.28
kubectl rollout status statefulset/web
kubectl get pods -l app=web -o custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[0].image
kubectl rollout pause statefulset/web
kubectl rollout resume statefulset/web
kubectl patch statefulset web -p '{"spec":{"updateStrategy":{"type":"OnDelete","rollingUpdate":null}}}'
kubectl rollout status statefulset/web
kubectl rollout restart daemonset/kube-proxy -n kube-system
kubectl rollout status daemonset/kube-proxy -n kube-system
kubectl rollout pause daemonset/kube-proxy -n kube-system
kubectl run single --image=nginx
kubectl rollout status pod/single
kubectl rollout history pod/single
kubectl rollout undo pod/single
kubectl rollout restart pod/single
kubectl rollout resume pod/single
kubectl rollout status service/kubernetes
# kubectl set resources changes the template's requests and limits, which rolls the pods.
kubectl create deployment sized --image=nginx:1.27
kubectl set resources deployment sized --requests=cpu=100m,memory=64Mi --limits=memory=128Mi
kubectl rollout status deployment sized
kubectl get deployment sized -o jsonpath='{.spec.template.spec.containers[0].resources}{"\n"}'
kubectl set resources deployment sized -c=nginx
kubectl set resources deployment sized --requests=cpu
kubectl set env deployment sized A=B
