# Mistakes get kubectl's own answers, and change nothing.
kubectl gett nodes
kubectl zzzzzzz
kubectl get
kubectl get nodez
kubectl get node worker-9
kubectl get node worker-1 worker-9
kubectl get nodes --bogus
kubectl get nodes -x
kubectl get nodes -o
kubectl get nodes -o wdie
kubectl get --no-headers=3 nodes
kubectl get namespaces
kubectl get pods | grep web
kubectl proxy
sleep later
grep web
echo "all the nodes are still there:"
kubectl get nodes --no-headers -o name
# --overrides that are not JSON, not an object, or mistyped: kubectl's own errors (checked against kubectl 1.32).
kubectl run w3 --image=nginx --overrides={a}
kubectl run w3 --image=nginx --overrides='[1]'
kubectl run w3 --image=nginx --overrides=null
kubectl run w3 --image=nginx --overrides='{"spec":{"containers":"x"}}'
kubectl run w3 --image=nginx --overrides='{"metadata":{"labels":[1]}}'
kubectl get pod w3
kubectl run j1 --image=nginx --override-type=json --overrides='{"op":1}' --dry-run=client -o name
kubectl run j1 --image=nginx --override-type=json --overrides='5' --dry-run=client -o name
kubectl run j1 --image=nginx --override-type=strategic --overrides='{a}' --dry-run=client -o name
kubectl run j1 --image=nginx --override-type=strategic --overrides='{"kind":null}' --dry-run=client -o name
kubectl run j1 --image=nginx --override-type=strategic --overrides='{"apiVersion":"v2"}' --dry-run=client -o name
kubectl run q5 --image=nginx --override-type=json --overrides='[{"op":"remove","path":"/metadata"}]'
kubectl run q6 --image=nginx --override-type=strategic --overrides='{"$patch":"delete"}'
# The create generators word a refusal as kubectl 1.32's create_*.go do: most wrap the server's error
# (`failed to create deployment: …`), secret without a colon, service with its type, namespace not at all.
kubectl create deployment bad --image=nginx --replicas=-3
kubectl create deployment dup --image=nginx
kubectl create deployment dup --image=nginx
kubectl create job J --image=busybox
kubectl create job once --image=busybox
kubectl create job once --image=busybox
kubectl create cronjob tick --image=busybox --schedule=bad
kubectl create service clusterip S --tcp=80:8080
kubectl create service nodeport dup --tcp=80:8080
kubectl create service loadbalancer dup --tcp=80:8080
kubectl create service externalname E --external-name=example.com
kubectl create configmap C --from-literal=a=b
kubectl create configmap cfg --from-literal=a=b
kubectl create configmap cfg --from-literal=a=b
kubectl create secret generic S --from-literal=a=b
kubectl create secret generic creds --from-literal=a=b
kubectl create secret generic creds --from-literal=a=b
kubectl create secret docker-registry creds --docker-server=r --docker-username=u --docker-password=p
kubectl create namespace N
kubectl create namespace default
kubectl create serviceaccount default
kubectl create serviceaccount S
kubectl create pdb P --selector=app=x --min-available=1
kubectl create pdb budget --selector=app=x --min-available=1
kubectl create pdb budget --selector=app=x --min-available=1
kubectl run dup --image=nginx
kubectl run dup --image=nginx
kubectl expose deployment dup --port=80
kubectl expose deployment dup --port=80
# label and annotate: -o prints the object (label its own changed copy, annotate the server's answer),
# --dry-run, --list, --local with -f, and the checks kubectl makes first.
kubectl label pod dup tier=web --dry-run=client -o json
kubectl label pod dup tier=web -o yaml
kubectl label pod dup tier=web -o name
kubectl label pod dup tier=web --overwrite -o wide
kubectl label pod dup nope-
kubectl label pod dup tier- --dry-run=server
kubectl label pod dup --list
kubectl label pods --all --list
kubectl label pod dup --list -o json
kubectl annotate pod dup note=hi -o jsonpath='{.metadata.annotations}'
kubectl annotate pod dup note=ho --overwrite --dry-run=client -o yaml
kubectl annotate pod dup nope-
kubectl annotate pod dup --list
kubectl annotate pods --all --list
kubectl label --local -f manifests/web.yaml tier=web
kubectl label --local -f manifests/web.yaml tier=web -o yaml
kubectl label --local pod dup a=b
kubectl label --local a=b
kubectl label --local -f manifests/web.yaml a=b --dry-run=server
kubectl annotate --local pod dup a=b
kubectl annotate --local -f manifests/web.yaml a=b -o name
kubectl label -f manifests/web.yaml a=b
kubectl create -f manifests/web.yaml
kubectl label -f manifests/web.yaml a=b
kubectl label -f manifests/web.yaml --list
kubectl annotate -f manifests/web.yaml a=b -o name
# set image: --dry-run, -o, --local with -f, --all and -l; an unchanged image prints nothing.
kubectl set image deploy/dup nginx=nginx
kubectl set image deploy/dup nginx=nginx:1.28 nope=x
kubectl set image deploy/dup nope=x
kubectl set image deploy/dup nginx=nginx:1.29 --dry-run=client -o jsonpath='{.spec.template.spec.containers[0].image}'
kubectl set image deploy/dup nginx=nginx:1.29 --dry-run=server
kubectl set image deploy/dup '*=nginx:1.30' -o name
kubectl set image --local deploy/dup nginx=x
kubectl set image --local -f manifests/web.yaml nginx=x
kubectl set image --local -f manifests/web.yaml nginx=x --dry-run=server
kubectl set image deploy --all nginx=nginx:1.31 --dry-run=client
kubectl set image deploy -l app=dup nginx=nginx:1.31 --dry-run=client
kubectl set image deploy/dup '*=a' nginx=b
kubectl set image deploy/dup nginx=a -o wide
kubectl set image deploy nginx=a
# Go's JSON syntax errors, worded by where the text breaks.
kubectl run j2 --image=nginx --override-type=json --overrides='{a}' --dry-run=client -o name
kubectl run j2 --image=nginx --override-type=json --overrides='[{"op":"add"} {"op":"x"}]' --dry-run=client -o name
kubectl run j2 --image=nginx --override-type=json --overrides='[{"op" "add"}]' --dry-run=client -o name
kubectl run j2 --image=nginx --override-type=json --overrides='[{"op":"add" "path":1}]' --dry-run=client -o name
kubectl run j2 --image=nginx --override-type=json --overrides='[{"op":' --dry-run=client -o name
kubectl run j2 --image=nginx --override-type=json --overrides='[] []' --dry-run=client -o name
kubectl run j2 --image=nginx --override-type=json --overrides='[tru]' --dry-run=client -o name
kubectl run j2 --image=nginx --override-type=json --overrides='[1.x]' --dry-run=client -o name
kubectl run j2 --image=nginx --override-type=json --overrides='["\q"]' --dry-run=client -o name
kubectl run j2 --image=nginx --override-type=json --overrides='' --dry-run=client -o name
# A patch that is not YAML is refused by kubectl itself (a parser error on the first line has no line number).
kubectl patch deploy dup -p '[}'
kubectl patch deploy dup -p ']'
