"""Tiny stdlib HTTP server shared by the test apps (copied with them into each sandbox's /app).

`serve({"/path": handler})`: a handler takes (query dict, body bytes) and returns bytes, str,
a JSON-able dict/list, or (status, any of those).
"""

import http.server
import json
import os
import socket
import urllib.parse


def serve(routes, port=None):
    port = port or int(os.environ.get("PORT", "5000"))

    class Handler(http.server.BaseHTTPRequestHandler):
        def _handle(self):
            url = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(url.query))
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            fn = routes.get(url.path)
            status, out = 404, b"not found"
            if fn is not None:
                try:
                    res = fn(query, body)
                    status, out = res if isinstance(res, tuple) else (200, res)
                except Exception as e:  # report, keep serving
                    status, out = 500, repr(e)
            if isinstance(out, (dict, list)):
                out = json.dumps(out).encode()
            elif isinstance(out, str):
                out = out.encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        do_GET = do_POST = _handle

        def log_message(self, *args):
            pass

    host = os.environ.get("BIND", "0.0.0.0")

    class Server(http.server.ThreadingHTTPServer):
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

    server = Server((host, port), Handler)
    server.daemon_threads = True
    print(f"listening on {port}", flush=True)
    server.serve_forever()
