"""A small Flink SQL Gateway (REST v3 subset) for greenlight's end-to-end
test: it runs every statement on a real Flink cluster through PyFlink's
TableEnvironment (execution.target=remote).

Served: POST /sessions, DELETE /sessions/{s}, POST /sessions/{s}/statements,
GET .../operations/{o}/status, GET .../operations/{o}/result/{token},
GET /api_versions, GET /info (an optional /v1../v3 prefix is accepted).
SHOW JOBS and STOP JOB are answered from the JobManager REST API, as the
real gateway does. One catalog is shared by every session (like a
persistent catalog); DDLs are replayed into a batch environment for
`execution.runtime-mode = batch` queries, with `source.monitor-interval`
removed so tables read there are bounded.

Usage: python gateway_server.py PORT JOBMANAGER_REST_PORT
"""
import datetime
import decimal
import json
import re
import sys
import threading
import traceback
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from pyflink.table import EnvironmentSettings, TableEnvironment

PORT = int(sys.argv[1])
JM = int(sys.argv[2])
LOCK = threading.Lock()


def make_env(streaming):
    settings = (EnvironmentSettings.in_streaming_mode() if streaming
                else EnvironmentSettings.in_batch_mode())
    env = TableEnvironment.create(settings)
    c = env.get_config()
    c.set("execution.target", "remote")
    c.set("rest.address", "127.0.0.1")
    c.set("rest.port", str(JM))
    c.set("parallelism.default", "1")
    if streaming:
        c.set("execution.checkpointing.interval", "2 s")
    return env


STREAM = make_env(True)
BATCH = make_env(False)
OPS = {}
SESSIONS = set()


def jm(method, path):
    req = urllib.request.Request(f"http://127.0.0.1:{JM}{path}", method=method)
    with urllib.request.urlopen(req, timeout=30) as r:
        body = r.read()
        return json.loads(body) if body else {}


def value(v):
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, decimal.Decimal):
        return str(v)
    if isinstance(v, (datetime.datetime, datetime.date, datetime.time)):
        return v.isoformat(sep=" ") if isinstance(v, datetime.datetime) else v.isoformat()
    return str(v)


def run(sql, config):
    """Runs one statement: (job id or None, rows of (kind, fields))."""
    s = sql.strip().rstrip(";").strip()
    up = s.upper()
    if up == "SHOW JOBS":
        jobs = jm("GET", "/jobs/overview").get("jobs", [])
        rows = []
        for j in jobs:
            start = datetime.datetime.fromtimestamp(j["start-time"] / 1000, datetime.timezone.utc)
            rows.append(("INSERT", [j["jid"], j["name"], j["state"], start.isoformat()]))
        return None, rows
    m = re.match(r"STOP\s+JOB\s+'([0-9a-f]{32})'", s, re.I)
    if m:
        jm("PATCH", f"/jobs/{m.group(1)}?mode=cancel")
        return None, []
    batch = config.get("execution.runtime-mode", "").lower() == "batch"
    env = BATCH if batch else STREAM
    with LOCK:
        conf = env.get_config()
        for k, v in config.items():
            if k != "execution.runtime-mode":
                conf.set(k, v)
        result = env.execute_sql(s)
        conf.set("pipeline.name", "greenlight-gateway")
        if not batch and up.startswith("CREATE") and not re.search(r"\bAS\s+SELECT\b", up):
            ddl = re.sub(r",?\s*'source\.monitor-interval'\s*=\s*'[^']*'", "", s)
            try:
                BATCH.execute_sql(ddl)
            except Exception:  # the batch copy is best effort
                pass
    client = result.get_job_client()
    job = str(client.get_job_id()) if client is not None else None
    rows = []
    if up.startswith("SELECT") or up.startswith("WITH") or up.startswith("SHOW"):
        with result.collect() as it:
            for r in it:
                rows.append((r.get_row_kind().name, [value(x) for x in r]))
    elif job:
        rows.append(("INSERT", [job]))
    return job, rows


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def parts(self):
        path = self.path.split("?")[0]
        path = re.sub(r"^/v[0-9]+", "", path)
        return [p for p in path.split("/") if p]

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(n) or b"{}") if n else {}

    def do_GET(self):
        p = self.parts()
        if p == ["api_versions"]:
            return self.send(200, {"versions": ["V1", "V2", "V3"]})
        if p == ["info"]:
            return self.send(200, {"productName": "Apache Flink", "version": "2.3.0"})
        if len(p) == 5 and p[0] == "sessions" and p[4] == "status":
            op = OPS.get(p[3])
            if op is None:
                return self.send(404, {"errors": ["no such operation"]})
            return self.send(200, {"status": op["status"]})
        if len(p) == 6 and p[0] == "sessions" and p[4] == "result":
            op = OPS.get(p[3])
            if op is None:
                return self.send(404, {"errors": ["no such operation"]})
            if op["status"] == "ERROR":
                return self.send(500, {"errors": ["Internal server error.",
                                                  "<Exception on server side:\n" + op["error"] + "\nEnd of exception on server side>"]})
            body = {
                "resultType": "EOS",
                "resultKind": "SUCCESS_WITH_CONTENT" if op["rows"] else "SUCCESS",
                "queryResult": bool(op["query"]),
                "results": {"columnInfos": [], "rowFormat": "JSON",
                            "data": [{"kind": k, "fields": f} for k, f in op["rows"]]},
            }
            if op["job"]:
                body["jobID"] = op["job"]
            return self.send(200, body)
        return self.send(404, {"errors": ["not found: " + self.path]})

    def do_POST(self):
        p = self.parts()
        b = self.body()
        if p == ["sessions"]:
            h = str(uuid.uuid4())
            SESSIONS.add(h)
            return self.send(200, {"sessionHandle": h})
        if len(p) == 3 and p[0] == "sessions" and p[2] == "statements":
            h = str(uuid.uuid4())
            sql = b.get("statement", "")
            try:
                job, rows = run(sql, b.get("executionConfig") or {})
                OPS[h] = {"status": "FINISHED", "rows": rows, "job": job,
                          "query": sql.strip().upper().startswith("SELECT")}
            except Exception as e:  # the engine's own error text
                msg = str(e)
                if "java" not in msg:
                    msg = traceback.format_exc()
                OPS[h] = {"status": "ERROR", "error": msg, "rows": [], "job": None, "query": False}
            return self.send(200, {"operationHandle": h})
        if len(p) == 3 and p[2] == "heartbeat":
            return self.send(200, {})
        return self.send(404, {"errors": ["not found: " + self.path]})

    def do_DELETE(self):
        p = self.parts()
        if len(p) == 2 and p[0] == "sessions":
            SESSIONS.discard(p[1])
            return self.send(200, {"status": "CLOSED"})
        return self.send(404, {"errors": ["not found: " + self.path]})


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
