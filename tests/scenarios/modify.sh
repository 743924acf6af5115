# Changing objects in place: labels, annotations, scale, images, patches; and pods from kubectl run.
kubectl run web --image=nginx:1.25 --labels=app=web,tier=fe --port=80
kubectl run tmp --image=busybox:1.36 --restart=Never -- sleep 3600
kubectl run My_Pod --image=nginx
kubectl get pods --show-labels
kubectl label pod web tier=be
kubectl label pod web tier=be --overwrite
kubectl label pod web env=prod
kubectl label pod web env-
kubectl annotate pod web description='frontend pod'
kubectl annotate pod web description='another'
kubectl get pods -l app=web -L tier
kubectl get pods -l 'tier in (fe,be)'
kubectl get pods -l app=nothing
kubectl get pods --field-selector status.phase=Pending -o name
kubectl get pods --field-selector spec.foo=bar
kubectl expose pod web --port=80 --name=web-svc
kubectl expose pod tmp
kubectl create deployment api --image=nginx:1.25 --replicas=2
kubectl scale deployment api --replicas=5
kubectl scale deployment api
kubectl set image deployment/api nginx=nginx:1.26
kubectl set image deployment/api foo=nginx:1.26
kubectl patch deployment api -p '{"spec":{"replicas":3}}'
kubectl patch deployment api -p '{"spec":{"replicas":3}}'
kubectl patch deployment api --type=json -p '[{"op":"replace","path":"/spec/replicas","value":4}]'
kubectl get deploy api -o wide
kubectl get svc
kubectl delete pods --all
kubectl get pods
# Waiting happens in simulated time; edit needs an editor.
kubectl run waiter --image=nginx
kubectl wait --for=condition=Ready pod/waiter --timeout=20s
kubectl delete pod waiter
kubectl wait --for=delete pod/waiter
kubectl edit pod waiter
kubectl describe deployment api
kubectl describe pod web
kubectl describe pods
