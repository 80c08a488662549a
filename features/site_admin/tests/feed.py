"""A local HTTP server standing in for the release feed (the update check's network boundary)."""

import contextlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Feed(BaseHTTPRequestHandler):
    """Answers what the test put in server.answers[path]: (status, body), or "hang"."""

    def do_GET(self):
        answer = self.server.answers.get(self.path, (404, b"not found"))
        if answer == "hang":
            self.server.release.wait(5)
            return
        status, body = answer
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve_release_feed(settings):
    """Points SITE_ADMIN_RELEASE_FEED_URL at a local server; yields `answer(body, status=200,
    path="/release.json")`, which sets what the feed answers (a dict is sent as JSON)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Feed)
    server.answers = {}
    server.release = threading.Event()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    settings.SITE_ADMIN_RELEASE_FEED_URL = f"{base}/release.json"
    settings.SITE_ADMIN_RELEASE_FEED_TIMEOUT_SECONDS = 0.5

    def answer(body, status=200, path="/release.json"):
        if isinstance(body, dict):
            body = json.dumps(body).encode()
        server.answers[path] = body if body == "hang" else (status, body)

    try:
        yield answer
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
