# minikube ssh runs a command on a node's own machine: its hostname and filesystem (kubeadm's static pod
# manifests on control-plane nodes). Unknown and stopped nodes fail as minikube does; without a command it would
# open an interactive shell, which a script cannot.
minikube ssh -- hostname
minikube ssh -n worker-1 -- hostname
minikube ssh -n control-plane-2 -- ls /etc/kubernetes/manifests
minikube ssh -n worker-2 -- cat /nope
minikube ssh -n nope -- ls
minikube ssh
minikube node stop worker-1
minikube ssh -n worker-1 -- ls
