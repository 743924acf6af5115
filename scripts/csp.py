#!/usr/bin/env python3
"""Trunk post-build hook: gives the built page a restrictive Content-Security-Policy.

Trunk writes one inline module script (it loads the WebAssembly); the policy allows exactly that script by
its SHA-256 hash and everything else only from the page's own origin. WebAssembly needs 'wasm-unsafe-eval';
inline style attributes (a colour swatch) need style-src 'unsafe-inline'. Runs on every `trunk build`/`serve`
(Trunk.toml), in the staging folder trunk names in TRUNK_STAGING_DIR.
"""
import base64
import hashlib
import os
import re
import sys

path = os.path.join(os.environ.get("TRUNK_STAGING_DIR", "dist"), "index.html")
html = open(path, encoding="utf-8").read()
if 'http-equiv="Content-Security-Policy"' in html:
    sys.exit(0)
hashes = [
    "'sha256-%s'" % base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
    for body in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, flags=re.S)
]
policy = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval' " + " ".join(hashes),
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
])
meta = '<meta http-equiv="Content-Security-Policy" content="%s">' % policy
html, n = re.subn(r'(<meta charset="utf-8">)', r"\1\n  " + meta.replace("\\", "\\\\"), html, count=1)
if n != 1:
    sys.exit("csp.py: no <meta charset> in index.html to put the policy after")
open(path, "w", encoding="utf-8").write(html)
