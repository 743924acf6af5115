#!/usr/bin/env python3
"""A stand-in apiserver for checking `kubectl explain` output against a real kubectl.

Serves aggregated discovery (a captured v1.34 response) and the OpenAPI v3 documents `explain-gen --openapi DIR`
writes. Usage:

    python3 fake_openapi_server.py PORT OPENAPI_DIR DISCOVERY_DIR
    kubectl.1.33 --server http://127.0.0.1:PORT explain pods

DISCOVERY_DIR holds discovery-aggregated-api.json and discovery-aggregated-apis.json.
"""
import http.server, json, os, sys

PORT, DIR, DISC = int(sys.argv[1]), sys.argv[2], sys.argv[3]


class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def send(self, body, ctype="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/version":
            return self.send({"major": "1", "minor": "33", "gitVersion": "v1.33.4"})
        if path in ("/api", "/apis"):
            name = "discovery-aggregated-%s.json" % path[1:]
            return self.send(open(os.path.join(DISC, name), "rb").read(),
                             "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")
        if path == "/openapi/v3":
            paths = {}
            for root, _, files in os.walk(DIR):
                for f in files:
                    rel = os.path.relpath(os.path.join(root, f), DIR)[:-5]
                    paths[rel] = {"serverRelativeURL": "/openapi/v3/%s?hash=0" % rel}
            return self.send({"paths": paths})
        if path.startswith("/openapi/v3/"):
            f = os.path.join(DIR, path[len("/openapi/v3/"):] + ".json")
            if os.path.exists(f):
                return self.send(open(f, "rb").read())
        self.send_response(404)
        self.end_headers()


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), H).serve_forever()
