#!/usr/bin/env python3
"""sipsaf-proxy beside Debian's Kamailio: Kamailio is the registrar (started from
examples/kamailio/kamailio.cfg on loopback), sipsaf-proxy stores what Kamailio cannot
deliver and learns from reg (--reg-event) or presence (--presence) NOTIFYs when to
deliver it, through Kamailio.

    cases.py CASE --proxy PATH --ua PATH --port BASE [--work DIR] [--keep]
    cases.py list

Exit 0: pass, 1: fail, 77: skipped (Kamailio or its modules are missing).
"""

import glob
import os
import queue
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))

from harness import (DOMAIN, PASSWORDS, Failure, Proxy, Skip, SipResponse,  # noqa: E402
                     authorization, check, log, main, parse_challenge, rand)

CONFIG = os.path.join(HERE, "..", "..", "examples", "kamailio", "kamailio.cfg")
SCHEMAS = "/usr/share/kamailio/db_sqlite"
# A body and Content-Type that a careless relay would change: parameters,
# non-ASCII bytes, CRLF and trailing white space.
BODY = "Grüße, Bob — 3 < 4 & \"quoted\"\r\nsecond line  \r\n".encode()
CONTENT_TYPE = 'text/plain; charset="UTF-8"; format=flowed'

CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def kamailio_binary():
    for p in (shutil.which("kamailio"), "/usr/sbin/kamailio"):
        if p and os.access(p, os.X_OK):
            return p
    raise Skip("kamailio is not installed (Debian: kamailio)")


def module_path():
    for d in glob.glob("/usr/lib/*/kamailio/modules") + ["/usr/lib/kamailio/modules"]:
        need = ("presence_reginfo.so", "pua_reginfo.so", "pua_usrloc.so", "db_sqlite.so")
        missing = [m for m in need if not os.path.exists(os.path.join(d, m))]
        if not missing:
            return d + "/"
        if os.path.exists(os.path.join(d, "tm.so")):
            raise Skip(f"Kamailio modules missing: {', '.join(missing)} "
                       "(Debian: kamailio-presence-modules, kamailio-sqlite-modules)")
    raise Skip("Kamailio's modules are not installed")


class ProcessGroup:
    """Kamailio forks its workers: a Popen whose kill() ends the whole group, so
    that the harness's cleanup leaves no worker behind when a case fails."""

    def __init__(self, proc):
        self.proc = proc

    def poll(self):
        return self.proc.poll()

    def kill(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def wait(self, timeout=None):
        return self.proc.wait(timeout)


class Kamailio:
    """Debian's Kamailio with the shipped configuration, its defines set for this test."""

    def __init__(self, env, sipsaf_port):
        self.binary = kamailio_binary()
        modules = module_path()
        if not os.path.isdir(SCHEMAS):
            raise Skip(f"{SCHEMAS} is missing (Debian: kamailio-sqlite-modules)")
        self.env = env
        self.port = env.port()
        self.address = f"127.0.0.1:{self.port}"
        self.domain = DOMAIN
        self.dir = env.path(f"kamailio-{self.port}")
        os.makedirs(self.dir, exist_ok=True)
        self.db = os.path.join(self.dir, "kamailio.db")
        db = sqlite3.connect(self.db)
        for t in ("standard", "auth_db", "presence"):
            with open(os.path.join(SCHEMAS, f"{t}-create.sql")) as f:
                db.executescript(f.read())
        db.executemany("INSERT INTO subscriber(username, domain, password, ha1, ha1b) "
                       "VALUES (?, ?, ?, '', '')",
                       [(u, DOMAIN, p) for u, p in PASSWORDS.items()])
        db.commit()
        db.close()
        values = {"SIP_DOMAIN": DOMAIN, "KAM_IP": "127.0.0.1", "KAM_PORT": str(self.port),
                  "SIPSAF_IP": "127.0.0.1", "SIPSAF_PORT": str(sipsaf_port),
                  "DB_URL": "sqlite:///" + self.db, "MODULE_PATH": modules}
        with open(CONFIG) as f:
            text = f.read()
        for key, value in values.items():
            text, n = re.subn(r'^#!substdef "!%s!.*$' % key,
                              lambda _: f'#!substdef "!{key}!{value}!g"', text, flags=re.M)
            check(n == 1, f"kamailio.cfg has no substdef line for {key}")
        self.cfg = os.path.join(self.dir, "kamailio.cfg")
        with open(self.cfg, "w") as f:
            f.write(text)
        self.log_path = os.path.join(self.dir, "kamailio.log")
        self.proc = None

    def start(self):
        logf = open(self.log_path, "a")
        self.proc = subprocess.Popen(
            [self.binary, "-f", self.cfg, "-DD", "-E", "-Y", self.dir, "-w", self.dir,
             "-m", "64", "-M", "8"], stdout=logf, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True)
        logf.close()
        self.env.children.append(ProcessGroup(self.proc))
        # Ready when it answers anything over UDP.
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        s.settimeout(0.2)
        end = time.time() + 10
        try:
            while time.time() < end:
                if self.proc.poll() is not None:
                    raise Failure(f"kamailio exited with {self.proc.returncode}:\n"
                                  + self.log_tail())
                p = s.getsockname()[1]
                s.sendto((f"OPTIONS sip:{DOMAIN} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{p};"
                          f"branch=z9hG4bK{rand()};rport\r\nMax-Forwards: 70\r\n"
                          f"From: <sip:probe@{DOMAIN}>;tag={rand(8)}\r\nTo: <sip:{DOMAIN}>\r\n"
                          f"Call-ID: {rand()}@probe\r\nCSeq: 1 OPTIONS\r\n"
                          "Content-Length: 0\r\n\r\n").encode(), ("127.0.0.1", self.port))
                try:
                    if s.recvfrom(65535)[0].startswith(b"SIP/2.0 "):
                        return self
                except socket.timeout:
                    pass
        finally:
            s.close()
        raise Failure("kamailio did not answer within 10 s:\n" + self.log_tail())

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
        if self.proc:
            ProcessGroup(self.proc).kill()  # workers that outlived the main process
            self.proc.wait()

    def log_tail(self, n=30):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""


class Request:
    def __init__(self, data):
        self.raw = data
        head, _, self.body = data.partition(b"\r\n\r\n")
        lines = head.decode("utf-8", "replace").split("\r\n")
        self.method = lines[0].split(" ", 1)[0]
        self.headers = [tuple(x.strip() for x in line.split(":", 1))
                        for line in lines[1:] if ":" in line]

    def get(self, name, default=None):
        return next((v for n, v in self.headers if n.lower() == name.lower()), default)

    def all(self, name):
        return [v for n, v in self.headers if n.lower() == name.lower()]


class Phone:
    """A SIP phone on a UDP socket, registered at Kamailio with digest credentials.
    Incoming requests are kept and answered `answer` (None: never answered)."""

    def __init__(self, kam, user, answer=200):
        self.kam = kam
        self.user = user
        self.answer = answer
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.aor = f"sip:{user}@{DOMAIN}"
        self.call_id = rand() + "@phone"
        self.cseq = 0
        self.requests = []
        self.responses = queue.Queue()
        self.cond = threading.Condition()
        self.running = True
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        self.sock.settimeout(0.2)
        while self.running:
            try:
                data, src = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            except OSError:
                return
            if data.startswith(b"SIP/2.0 "):
                self.responses.put(SipResponse(data))
                continue
            req = Request(data)
            with self.cond:
                self.requests.append(req)
                self.cond.notify_all()
            if self.answer is None or req.method == "ACK":
                continue
            rows = [f"{n}: {v}" for n, v in req.headers
                    if n.lower() in ("via", "from", "call-id", "cseq")]
            to = req.get("To", "")
            rows.append(f"To: {to}" + ("" if "tag=" in to else f";tag={rand(8)}"))
            self.sock.sendto((f"SIP/2.0 {self.answer} Answer\r\n" + "\r\n".join(rows)
                              + "\r\nContent-Length: 0\r\n\r\n").encode(), src)

    def _request(self, method, uri, headers, body=b"", to=None, call_id=None):
        self.cseq += 1
        head = [f"{method} {uri} SIP/2.0",
                f"Via: SIP/2.0/UDP 127.0.0.1:{self.port};branch=z9hG4bK{rand()};rport",
                "Max-Forwards: 70", f"From: <{self.aor}>;tag={rand(8)}",
                f"To: <{to or uri}>", f"Call-ID: {call_id or rand() + '@phone'}",
                f"CSeq: {self.cseq} {method}"] + headers + [f"Content-Length: {len(body)}"]
        return "\r\n".join(head).encode() + b"\r\n\r\n" + body

    def transaction(self, method, uri, headers=(), body=b"", to=None, call_id=None, timeout=15):
        """Sends a request (answering one digest challenge); its final response."""
        headers = list(headers)
        for attempt in range(2):
            self.sock.sendto(self._request(method, uri, headers, body, to, call_id),
                             ("127.0.0.1", self.kam.port))
            end = time.time() + timeout
            r = None
            while time.time() < end:
                try:
                    r = self.responses.get(timeout=max(0.01, end - time.time()))
                except queue.Empty:
                    r = None
                    break
                if r.code >= 200:
                    break
            if r is None or r.code not in (401, 407) or attempt == 1:
                return r
            name = "WWW-Authenticate" if r.code == 401 else "Proxy-Authenticate"
            ch = parse_challenge(r.get(name))
            auth = authorization(ch, self.user, PASSWORDS[self.user], method, uri)
            headers.append(f"{'Authorization' if r.code == 401 else 'Proxy-Authorization'}: "
                           f"{auth}")
        return r

    def register(self, expires=60):
        r = self.transaction("REGISTER", f"sip:{DOMAIN}",
                             [f"Contact: <sip:{self.user}@127.0.0.1:{self.port}>",
                              f"Expires: {expires}"], to=self.aor, call_id=self.call_id)
        check(r is not None and r.code == 200,
              f"{self.user} could not register at Kamailio: {r and r.start}\n"
              + self.kam.log_tail())
        return self

    def send_message(self, to, timeout=15):
        return self.transaction(
            "MESSAGE", to, [f"Content-Type: {CONTENT_TYPE}",
                            "Request-Disposition: store-and-forward-if-not-reached, notify"],
            body=BODY, timeout=timeout)

    def wait_request(self, method, n=1, timeout=15):
        end = time.time() + timeout
        with self.cond:
            while True:
                got = [r for r in self.requests if r.method == method]
                if len(got) >= n or time.time() >= end:
                    return got
                self.cond.wait(0.1)

    def close(self):
        self.running = False
        self.thread.join(2)
        self.sock.close()


# --- the setting -----------------------------------------------------------------------

def setting(env, source):
    """Kamailio and sipsaf-proxy beside it, sipsaf told of reachability by `source`."""
    sipsaf_port = env.port()
    kam = Kamailio(env, sipsaf_port).start()
    extra = [f"--{source}", f"sip:127.0.0.1:{kam.port}", "--subscription-expires", "4",
             "--retry", "2"]
    help_text = subprocess.run([env.proxy_bin, "--help"], capture_output=True, text=True)
    if "--trusted" in help_text.stdout + help_text.stderr:
        extra += ["--trusted", "127.0.0.1"]
    proxy = Proxy(env, port=sipsaf_port, extra=extra).start()
    return kam, proxy


def wait_log(proxy, pattern, count=1, timeout=15):
    end = time.time() + timeout
    while time.time() < end:
        if len(re.findall(pattern, proxy.log_text())) >= count:
            return True
        time.sleep(0.1)
    return False


def expect_stored(proxy, kam, r, what):
    check(r is not None and r.code == 202,
          f"{what}: alice expected 202 through Kamailio, got {r and r.start}\n"
          f"--- sipsaf\n{proxy.log_tail()}\n--- kamailio\n{kam.log_tail()}")
    check(wait_log(proxy, r"stored as #\d+ for sip:bob@"), f"{what}: sipsaf did not store it")


def expect_delivered(proxy, kam, alice, bob, what, n=1):
    msgs = [m for m in bob.wait_request("MESSAGE", n, timeout=20) if m.body == BODY]
    check(len(msgs) >= 1, f"{what}: bob got no delivery\n--- sipsaf\n{proxy.log_tail()}\n"
          f"--- kamailio\n{kam.log_tail()}")
    m = msgs[-1]
    check(m.get("Content-Type") == CONTENT_TYPE,
          f"{what}: Content-Type {m.get('Content-Type')!r}, sent {CONTENT_TYPE!r}")
    check(m.body == BODY, f"{what}: body {m.body!r}, sent {BODY!r}")
    check(any(f"127.0.0.1:{proxy.port}" in v for v in m.all("Via")),
          f"{what}: the delivery did not come from sipsaf: {m.all('Via')}")
    notes = alice.wait_request("MESSAGE", 1, timeout=15)
    check(any(b"<delivered/>" in n.body for n in notes),
          f"{what}: alice got no delivery notification: {[n.body for n in notes]}\n"
          f"--- sipsaf\n{proxy.log_tail()}")
    # Nothing stored any more: the subscription for bob ends.
    check(wait_log(proxy, r"nothing stored for sip:bob@"),
          f"{what}: sipsaf did not unsubscribe\n{proxy.log_tail()}")


def no_contact(env, source):
    """Bob has no contact: alice's MESSAGE through Kamailio is stored by sipsaf (202).
    Bob registers at Kamailio: NOTIFY, and sipsaf delivers through Kamailio, byte-exact;
    alice gets the delivery notification through Kamailio."""
    kam, proxy = setting(env, source)
    alice = Phone(kam, "alice").register()
    r = alice.send_message(f"sip:bob@{DOMAIN}")
    expect_stored(proxy, kam, r, "bob without contact")
    check(wait_log(proxy, r"subscribed for sip:bob@"), "sipsaf did not subscribe for bob")
    bob = Phone(kam, "bob").register()
    expect_delivered(proxy, kam, alice, bob, "bob registered")
    proxy.stop()
    kam.stop()


def phone_answers(env, source, code):
    """Bob's phone answers `code` (None: never): Kamailio's failure_route hands the
    MESSAGE to sipsaf (202). When the phone takes messages again and re-registers,
    sipsaf delivers."""
    kam, proxy = setting(env, source)
    alice = Phone(kam, "alice").register()
    bob = Phone(kam, "bob", answer=code).register()
    r = alice.send_message(f"sip:bob@{DOMAIN}", timeout=20)
    check(len(bob.wait_request("MESSAGE", 1, timeout=1)) >= 1,
          "Kamailio did not try bob's phone first")
    expect_stored(proxy, kam, r, f"bob's phone answering {code or 'nothing'}")
    before = len(bob.wait_request("MESSAGE", 0, timeout=0))
    bob.answer = 200
    bob.register()  # a refresh: reg event "refreshed", presence "open" again
    expect_delivered(proxy, kam, alice, bob, "bob's phone back", n=before + 1)
    proxy.stop()
    kam.stop()


def server_restart(env, source):
    """Kamailio restarts while bob is offline: sipsaf's refresh meets a server that
    forgot the subscription, sipsaf subscribes again, and still delivers."""
    kam, proxy = setting(env, source)
    alice = Phone(kam, "alice").register()
    r = alice.send_message(f"sip:bob@{DOMAIN}")
    expect_stored(proxy, kam, r, "bob without contact")
    check(wait_log(proxy, r"subscribed for sip:bob@"), "sipsaf did not subscribe for bob")
    kam.stop()
    subscribed = len(re.findall(r"subscribed for sip:bob@", proxy.log_text()))
    kam.start()
    check(wait_log(proxy, r"subscription for sip:bob@\S+ lost", timeout=10),
          f"sipsaf did not notice the restart\n{proxy.log_tail()}")
    check(wait_log(proxy, r"subscribed for sip:bob@", count=subscribed + 1, timeout=10),
          f"sipsaf did not subscribe again\n{proxy.log_tail()}")
    alice.register()  # the restart forgot every location
    bob = Phone(kam, "bob").register()
    expect_delivered(proxy, kam, alice, bob, "bob registered after the restart")
    proxy.stop()
    kam.stop()


for source in ("reg-event", "presence"):
    prefix = source.split("-")[0]
    CASES[f"{prefix}_no_contact"] = lambda env, s=source: no_contact(env, s)
    CASES[f"{prefix}_phone_480"] = lambda env, s=source: phone_answers(env, s, 480)
    CASES[f"{prefix}_phone_408"] = lambda env, s=source: phone_answers(env, s, None)
    CASES[f"{prefix}_server_restart"] = lambda env, s=source: server_restart(env, s)


if __name__ == "__main__":
    sys.exit(main(CASES))
