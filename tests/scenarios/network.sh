# Services: the endpoints and EndpointSlice controllers list the ready pods a Service selects; kube-proxy's
# rules on every node send a ClusterIP to one of them; CoreDNS answers names from the same objects.
kubectl create deployment web --image=nginx --replicas=3
kubectl expose deployment web --port=80
sleep 30
kubectl get endpoints web
kubectl get endpointslices -l kubernetes.io/service-name=web
kubectl describe svc web
kubectl get endpoints kubernetes
kubectl get endpointslice kubernetes -o yaml
kubectl run client --image=busybox --restart=Never -- sleep 3600
sleep 20
# The resolver walks the search list of the pod's resolv.conf (ndots 5).
kubectl exec client -- cat /etc/resolv.conf
kubectl exec client -- nslookup web
kubectl exec client -- nslookup web.default.svc.cluster.local
kubectl exec client -- nslookup kubernetes.default
kubectl exec client -- nslookup kube-dns.kube-system
kubectl exec client -- nslookup nothing-here
kubectl exec client -- nslookup example.com
kubectl exec client -- wget -qO- -T 2 http://web
kubectl exec client -- nc -z -v -w 2 web 80
# A Service whose selector matches no ready pod: kube-proxy rejects the connection.
kubectl create service clusterip empty --tcp=80:80
kubectl get endpoints empty
kubectl exec client -- wget -qO- -T 2 http://empty
# ExternalName: a CNAME, no ClusterIP, no endpoints.
kubectl create service externalname db --external-name db.example.com
kubectl exec client -- nslookup db
# kube-proxy's NAT rules on a node (iptables needs root).
minikube ssh -n worker-1 -- iptables -t nat -S KUBE-SERVICES
minikube ssh -n worker-1 -- sudo iptables -t nat -S KUBE-SERVICES
# No ready pods: the Endpoints empty out and connections are refused.
kubectl scale deployment web --replicas=0
sleep 40
kubectl get endpoints web
kubectl exec client -- wget -qO- -T 2 http://web
# No CoreDNS pod: lookups time out.
kubectl -n kube-system scale deployment coredns --replicas=0
sleep 40
kubectl exec client -- nslookup kubernetes.default
