#!/usr/bin/env python3
"""A local webhook receiver for the delivery benchmark: webhook-receiver.py PORT.

Answers every POST with 204 (HTTP/1.1 keep-alive), records for each event its arrival time and the
delay from the event's `occurred_at` (the server's time of the change, just before its commit).
GET /stats?since=UNIX returns the count, the distinct webhook-ids, the first and last arrival and
the p50/p99/max delay of the events that arrived after `since`.
"""
import json, sys, threading, time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs

LOCK = threading.Lock()
SEEN = []  # (arrival, delay_s, webhook_id)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        now = time.time()
        try:
            at = datetime.fromisoformat(json.loads(body)["occurred_at"].replace("Z", "+00:00")).timestamp()
        except Exception:
            at = now
        with LOCK:
            SEEN.append((now, now - at, self.headers.get("webhook-id")))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        since = float(parse_qs(urlparse(self.path).query).get("since", ["0"])[0])
        with LOCK:
            rows = [r for r in SEEN if r[0] >= since]
        delays = sorted(r[1] for r in rows)
        pick = lambda q: round(delays[min(len(delays) - 1, int(q * len(delays)))] * 1000, 1) if delays else None
        out = json.dumps({
            "count": len(rows), "distinct": len({r[2] for r in rows}),
            "first": rows[0][0] if rows else None, "last": rows[-1][0] if rows else None,
            "p50_ms": pick(0.50), "p99_ms": pick(0.99), "max_ms": pick(1.0),
        }).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
