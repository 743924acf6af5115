# curl in the images that ship it: nginx's Debian image (7.88.1) and its Alpine variant, agnhost, and curl's
# own image (8.15.0); busybox has none. Responses carry the server's real header fields, each request adds
# the server's access-log line, and errors carry curl's exit codes. Names outside the cluster reach a small
# simulated internet (example.com) through the node's masquerade.
kubectl create deployment web --image=nginx:1.29.1
kubectl expose deployment web --port=80
kubectl create deployment apache --image=httpd:2.4.65
kubectl expose deployment apache --port=80
kubectl create service clusterip empty --tcp=80:80
kubectl create deployment cache --image=redis
kubectl expose deployment cache --port=6379
kubectl run db --image=postgres --env=POSTGRES_PASSWORD=secret --port=5432 --expose
kubectl run curl --image=curlimages/curl -- sleep 3600
kubectl run box --image=busybox --restart=Never -- sleep 3600
sleep 30
kubectl exec curl -- curl -s http://web
kubectl exec curl -- curl -sI http://web
kubectl exec curl -- curl -sI http://apache
kubectl exec curl -- curl -s -o /dev/null -w '%{http_code} %{size_download} %{content_type}\n' http://web/missing
kubectl exec curl -- curl -sSf http://web/missing
# Without -s and with output to a pipe, curl's progress meter goes to standard error; on a terminal (-t) not.
kubectl exec curl -- curl -o /dev/null http://apache
kubectl exec -t curl -- curl -s http://apache
# Each request is a line in the server's access log, with curl's User-Agent; HEAD requests log no bytes.
kubectl logs deployment/web
kubectl logs deployment/apache
# nginx's own image ships curl, so a pod can ask itself; busybox's does not.
kubectl exec deployment/web -- curl -s -o /dev/null -w '%{http_code} %{remote_ip}:%{remote_port}\n' http://127.0.0.1
kubectl logs deployment/web --tail=1
kubectl exec box -- curl http://web
# A file written in the container: its own type, length, Last-Modified and ETag.
kubectl exec deployment/web -- sh -c 'echo hello > /usr/share/nginx/html/hello.txt'
kubectl exec curl -- curl -si http://web/hello.txt
# -v traces the exchange on standard error (curl 8's wording), the body's bytes noted instead of shown.
kubectl exec curl -- curl -sv -o /dev/null http://web/
# Servers without HTTP: redis and PostgreSQL close the connection (52) and log why.
kubectl exec curl -- curl -sS http://cache:6379
kubectl logs deployment/cache --tail=1
kubectl exec curl -- curl -sS http://db:5432
kubectl logs db --tail=1
# Errors: an unknown name (6), a Service without endpoints (7), a ClusterIP port no rule serves (28).
kubectl exec curl -- curl -sS http://nothing-here
kubectl exec curl -- curl -sS http://empty
kubectl exec curl -- curl -sS -m 2 -w '%{http_code}\n' http://kubernetes.default:80
# The simulated internet: CoreDNS forwards example.com upstream; the packet leaves through the node.
kubectl exec curl -- curl -s http://example.com
kubectl exec curl -- curl -sI http://example.com
kubectl exec box -- wget -q -O /tmp/page http://example.com
kubectl exec box -- grep '<h1>' /tmp/page
kubectl exec curl -- curl -sS -m 3 http://example.com:8080
minikube ssh -n worker-1 -- curl -sI http://www.example.com
