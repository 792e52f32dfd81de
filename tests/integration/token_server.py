#!/usr/bin/env python3
"""A tiny Bearer token server for the registry tests (docker's token auth).

usage: token_server.py PORTFILE KEY.pem CERT.pem USER:PASS SERVICE ISSUER

Listens on a free 127.0.0.1 port (written to PORTFILE). GET /token?service=..&scope=..
with Basic USER:PASS gets a JWT (RS256, signed with `openssl dgst`, the cert in x5c)
granting the scopes asked for; anonymous or wrong credentials get 401. Serves until
killed; stops by itself after 10 minutes."""
import base64, http.server, json, os, subprocess, sys, threading, time, urllib.parse

port_file, key, cert, creds, service, issuer = sys.argv[1:7]

def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

def der_cert():
    pem = open(cert).read()
    body = pem.split("-----BEGIN CERTIFICATE-----")[1].split("-----END CERTIFICATE-----")[0]
    return "".join(body.split())

def sign(data):
    p = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=data,
                       capture_output=True, check=True)
    return p.stdout

def token(scopes):
    access = []
    for s in scopes:
        parts = s.split(":")
        if len(parts) == 3:
            access.append({"type": parts[0], "name": parts[1], "actions": parts[2].split(",")})
    now = int(time.time())
    header = {"typ": "JWT", "alg": "RS256", "x5c": [der_cert()]}
    claims = {"iss": issuer, "sub": creds.split(":")[0], "aud": service, "exp": now + 300,
              "nbf": now - 10, "iat": now, "jti": os.urandom(8).hex(), "access": access}
    signing = (b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())).encode()
    return signing.decode() + "." + b64(sign(signing))

class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(u.query)
        auth = self.headers.get("Authorization", "")
        ok = auth == "Basic " + base64.b64encode(creds.encode()).decode()
        if u.path != "/token" or not ok:
            self.send_response(401)
            self.end_headers()
            return
        body = json.dumps({"token": token(q.get("scope", [])), "expires_in": 300}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(port_file + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(port_file + ".tmp", port_file)
threading.Timer(600, srv.shutdown).start()
srv.serve_forever()
