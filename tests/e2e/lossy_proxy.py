"""An HTTP proxy that loses answers: it forwards every request to UPSTREAM
and relays the answer, except for the first POST whose body holds each
MARKER: that one is forwarded (the server acts on it) and the connection is
then closed without an answer, as when a timeout or a reset loses it on the
way back. greenlight must then find what the server did instead of sending
the request again.

Usage: python lossy_proxy.py PORT UPSTREAM MARKER [MARKER...]
"""
import sys
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, UPSTREAM, MARKERS = int(sys.argv[1]), sys.argv[2].rstrip("/"), sys.argv[3:]
LOCK = threading.Lock()
LOST = set()


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def relay(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        req = urllib.request.Request(UPSTREAM + self.path, data=body, method=self.command)
        for k in ("Content-Type", "Accept", "Authorization"):
            if self.headers.get(k):
                req.add_header(k, self.headers[k])
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                status, headers, data = r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            status, headers, data = e.code, e.headers, e.read()
        with LOCK:
            marker = next(
                (m for m in MARKERS if self.command == "POST" and body and m.encode() in body),
                None,
            )
            lose = marker is not None and marker not in LOST
            if lose:
                LOST.add(marker)
        if lose:
            print(f"lost the answer to POST {self.path} ({marker})", flush=True)
            self.close_connection = True
            self.connection.close()
            return
        self.send_response(status)
        for k in ("Content-Type", "Retry-After"):
            if headers.get(k):
                self.send_header(k, headers[k])
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = relay


ThreadingHTTPServer(("127.0.0.1", PORT), Proxy).serve_forever()
