# Volumes the kubelet cannot set up, and configuration that changes under a running pod. A missing ConfigMap,
# a missing Secret key or a hostPath of the wrong type keeps the pod ContainerCreating with FailedMount warnings
# (retried with back-off) until it is fixed. A changed ConfigMap reaches a mounted volume at the kubelet's next
# periodic sync (up to a minute later), never a subPath mount, and never the environment of a running container.
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  nodeName: worker-1
  containers:
  - name: app
    image: busybox:1.36
    command: ["sleep", "3600"]
    env:
    - name: COLOR
      valueFrom:
        configMapKeyRef:
          name: settings
          key: color
    volumeMounts:
    - name: config
      mountPath: /etc/app
    - name: config
      mountPath: /etc/color.txt
      subPath: color
  volumes:
  - name: config
    configMap:
      name: settings
EOF
sleep 20
kubectl get pod app -o wide
kubectl get events --field-selector involvedObject.name=app
kubectl create configmap settings --from-literal=color=blue
sleep 15
kubectl get pod app
kubectl exec app -- cat /etc/app/color /etc/color.txt
kubectl exec app -- printenv COLOR
kubectl patch configmap settings -p '{"data":{"color":"green"}}'
kubectl exec app -- cat /etc/app/color
sleep 60
kubectl exec app -- cat /etc/app/color
kubectl exec app -- cat /etc/color.txt
kubectl exec app -- printenv COLOR
kubectl apply -f - <<EOF
apiVersion: v1
kind: Secret
metadata:
  name: creds
stringData:
  user: admin
---
apiVersion: v1
kind: Pod
metadata:
  name: reader
spec:
  nodeName: worker-1
  containers:
  - name: reader
    image: busybox:1.36
    command: ["sleep", "3600"]
    volumeMounts:
    - name: creds
      mountPath: /creds
    - name: logs
      mountPath: /logs
  volumes:
  - name: creds
    secret:
      secretName: creds
      items:
      - key: password
        path: password.txt
  - name: logs
    hostPath:
      path: /data/logs
      type: Directory
EOF
sleep 10
kubectl get events --field-selector involvedObject.name=reader --sort-by=.metadata.creationTimestamp
kubectl patch secret creds -p '{"stringData":{"password":"s3cret"}}'
minikube ssh -n worker-1 -- sudo mkdir -p /data/logs
sleep 60
kubectl get pod reader
kubectl exec reader -- cat /creds/password.txt
# downwardAPI files follow the pod's labels at the next sync too.
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: labelled
  labels:
    tier: web
spec:
  containers:
  - name: main
    image: busybox:1.36
    command: ["sleep", "3600"]
    volumeMounts:
    - name: info
      mountPath: /etc/podinfo
  volumes:
  - name: info
    downwardAPI:
      items:
      - path: labels
        fieldRef:
          fieldPath: metadata.labels
EOF
kubectl wait --for=condition=Ready pod/labelled
kubectl exec labelled -- cat /etc/podinfo/labels
kubectl label pod labelled tier=api --overwrite
sleep 60
kubectl exec labelled -- cat /etc/podinfo/labels
