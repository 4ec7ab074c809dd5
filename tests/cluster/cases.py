#!/usr/bin/env python3
"""Several proxies, one service: three sipsaf-proxy processes sharing one
PostgreSQL (started here in a scratch folder by tests/postgres/pg_scratch.sh).

Each case is a ctest `cluster.<case>`; the harness of tests/e2e is reused.
"""

import os
import re
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))

from harness import (PASSWORDS, Failure, Listener, Proxy, RawSip, Skip,  # noqa: E402
                     authorization, check, log, main, parse_challenge, register_raw,
                     sipp_trace, ua_send)

PG_SCRATCH = os.path.join(HERE, "..", "postgres", "pg_scratch.sh")
# Debug logs name each stored delivery as it is sent: who delivered what.
os.environ["SIPSAF_PROXY_DEBUG"] = "1"
CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


class Database:
    """PostgreSQL in the case's scratch folder, on a Unix socket only."""

    def __init__(self, env):
        self.dir = env.path("pg")
        self.port = env.port()
        self.uri = None

    def start(self):
        r = subprocess.run([PG_SCRATCH, "start", self.dir, str(self.port)],
                           capture_output=True, text=True)
        if r.returncode == 77:
            raise Skip("PostgreSQL is not installed")
        check(r.returncode == 0, f"PostgreSQL did not start:\n{r.stderr}")
        self.uri = r.stdout.strip()
        return self

    def stop(self, mode="fast"):
        subprocess.run([PG_SCRATCH, "stop", self.dir, mode], capture_output=True)

    def destroy(self):
        subprocess.run([PG_SCRATCH, "destroy", self.dir], capture_output=True)

    def query(self, sql):
        bindir = next((d for d in sorted(os.listdir("/usr/lib/postgresql"), reverse=True)), "")
        psql = os.path.join("/usr/lib/postgresql", bindir, "bin", "psql")
        r = subprocess.run([psql, "-X", "-tA", "-d", self.uri, "-c", sql],
                           capture_output=True, text=True)
        return r.stdout.strip()


def wait_empty(db, timeout=5):
    """True once no message is left (the last 200 may still be on its way)."""
    end = time.time() + timeout
    while time.time() < end:
        if db.query("SELECT count(*) FROM sipsaf_messages") == "0":
            return True
        time.sleep(0.1)
    return False


def cluster_proxy(env, db, lease=2, extra=(), **kw):
    p = Proxy(env, store="memory", extra=["--lease", str(lease)] + list(extra), retry=1, **kw)
    p.store = db.uri
    return p


def expect_202(r, what):
    check(r.final_code() == 202, f"{what}: expected 202, got {r.codes()}\n{r}")


def store_for_bob(env, proxy, texts):
    for t in texts:
        expect_202(ua_send(env, proxy, "alice", "bob", "--text", t,
                           "--store=store-and-forward", timeout=20), f"'{t}' through {proxy.port}")


@case
def three_proxies_one_service(env):
    """Messages stored through A and B; Bob registers at C: each arrives once."""
    db = Database(env).start()
    try:
        a, b, c = (cluster_proxy(env, db).start() for _ in range(3))
        texts_a = [f"via A {i}" for i in range(5)]
        texts_b = [f"via B {i}" for i in range(5)]
        store_for_bob(env, a, texts_a)
        store_for_bob(env, b, texts_b)
        check(db.query("SELECT count(*) FROM sipsaf_messages") == "10",
              "the ten messages are not in the database")
        bob = Listener(env, c, "bob")
        got = bob.wait_messages(10, timeout=15)
        time.sleep(1.5)  # a second copy would come now
        got = bob.messages()
        bob.stop()
        texts = [m["text"] for m in got]
        log(f"Bob got {len(texts)} messages: {texts}")
        check(sorted(texts) == sorted(texts_a + texts_b),
              f"expected each of the ten once, got {texts}\n--- C\n{c.log_tail()}")
        check(texts[:5] == texts_a, f"A's messages (stored first) not first, in order: {texts}")
        check(wait_empty(db), "messages left over")
        # C, where Bob registered, delivered; A and B did not.
        check("(attempt " in c.log_text(), f"C did not deliver:\n{c.log_tail()}")
        for p, name in ((a, "A"), (b, "B")):
            check("(attempt " not in p.log_text(), f"{name} delivered:\n{p.log_tail()}")
        for p in (a, b, c):
            p.stop()
    finally:
        db.destroy()


class SlowBob:
    """Bob by hand: registers at one proxy and answers each MESSAGE 200 after a
    pause, from wherever it comes; counts copies by (Call-ID, CSeq, From tag)."""

    def __init__(self, proxy, pause):
        self.raw = RawSip(proxy)
        r, _, _ = register_raw(self.raw, "bob", PASSWORDS["bob"], expires=300)
        check(r is not None and r.code == 200, f"Bob could not register: {r and r.code}")
        self.pause = pause
        self.keys = []
        self.texts = []

    def serve(self, until):
        """Answers MESSAGEs until `until()` is true or nothing comes for 4 s."""
        sock = self.raw.sock
        quiet_since = time.time()
        while not until() and time.time() - quiet_since < 4:
            sock.settimeout(0.2)
            try:
                data, src = sock.recvfrom(65535)
            except socket.timeout:
                continue
            if not data.startswith(b"MESSAGE "):
                continue
            quiet_since = time.time()
            head, _, body = data.partition(b"\r\n\r\n")
            text = head.decode(errors="replace")

            def field(name, compact):
                m = re.search(rf"(?im)^(?:{name}|{compact})\s*:\s*(.*)$", text)
                return m.group(1).strip() if m else ""

            vias = re.findall(r"(?im)^(?:via|v)\s*:\s*(.*)$", text)
            frm, to, cid, cseq = field("from", "f"), field("to", "t"), field("call-id", "i"), \
                field("cseq", "cseq")
            tag = re.search(r"tag=([^;>\s]+)", frm)
            self.keys.append((cid, cseq.split()[0] if cseq else "", tag.group(1) if tag else ""))
            self.texts.append(body.decode(errors="replace").strip())
            time.sleep(self.pause)
            resp = ["SIP/2.0 200 OK"] + [f"Via: {v.strip()}" for v in vias] + \
                [f"From: {frm}", f"To: {to};tag=bobslow", f"Call-ID: {cid}", f"CSeq: {cseq}",
                 "Content-Length: 0"]
            sock.sendto(("\r\n".join(resp) + "\r\n\r\n").encode(), src)


@case
def sigkill_while_delivering(env):
    """A delivers to Bob, who registered there, and is killed part-way: the rest
    is delivered by B or C once A's lease ends; nothing is lost."""
    db = Database(env).start()
    try:
        a, b, c = (cluster_proxy(env, db, lease=2).start() for _ in range(3))
        texts = [f"m{i:02d}" for i in range(16)]
        store_for_bob(env, b, texts[:8])
        store_for_bob(env, c, texts[8:])
        bob = SlowBob(a, pause=0.1)
        bob.serve(until=lambda: len(bob.texts) >= 5)
        a.kill()
        log(f"killed A with SIGKILL after Bob got {len(bob.texts)}")
        started = time.time()
        bob.serve(until=lambda: set(texts) <= set(bob.texts))
        log(f"the rest came {time.time() - started:.1f} s after the kill")
        distinct = set(bob.keys)
        log(f"Bob got {len(bob.texts)} copies of {len(distinct)} distinct messages")
        missing = set(texts) - set(bob.texts)
        check(not missing, f"lost after the kill: {sorted(missing)}\n--- B\n{b.log_tail()}"
              f"\n--- C\n{c.log_tail()}")
        check(len(bob.texts) - len(distinct) <= 1,
              f"more than the one in flight came twice: {bob.texts}")
        order = [t for t in bob.texts]
        firsts = sorted(set(order), key=order.index)
        check(firsts == texts, f"not in order: {firsts}")
        deliverers = [p for p in (b, c) if "(attempt " in p.log_text()]
        check(deliverers, "neither B nor C delivered")
        check(wait_empty(db), "messages left over")
        for p in (b, c):
            p.stop()
    finally:
        db.destroy()


@case
def postgres_restart_under_load(env):
    """sipp stores through A and B while PostgreSQL restarts: 503 while it is
    down, every message that got 202 is delivered, and storing resumes."""
    sipp = env.need("sipp")
    db = Database(env).start()
    try:
        users = {"alice": PASSWORDS["alice"], "bob": PASSWORDS["bob"]}
        profiles = "[default]\nquota-messages = 100000\nquota-bytes = 1000000000\n"
        a, b = (cluster_proxy(env, db, users=users, profiles=profiles).start()
                for _ in range(2))
        inf = env.write("users.csv", "SEQUENTIAL\nbob;\n")
        scenario = os.path.join(HERE, "..", "e2e", "sipp", "message_load_uac.xml")
        runs = []
        for p in (a, b):
            trace = env.path(f"load-{p.port}")
            os.makedirs(trace)
            cmd = [sipp, p.address, "-sf", scenario, "-inf", inf, "-m", "240", "-r", "60",
                   "-l", "40", "-i", "127.0.0.1", "-p", str(env.port()), "-nostdin",
                   "-au", "alice", "-ap", users["alice"], "-trace_msg",
                   "-message_file", os.path.join(trace, "messages.log"),
                   "-recv_timeout", "10000", "-timeout", "40"]
            runs.append((subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL, cwd=trace), trace))
            env.children.append(runs[-1][0])
        time.sleep(1.2)
        db.stop("fast")
        log("PostgreSQL stopped")
        time.sleep(1.2)
        db.start()
        log("PostgreSQL started again")
        for proc, _ in runs:
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
                raise Failure("sipp did not finish")
        accepted, unavailable = set(), 0
        for _, trace in runs:
            for d, text in sipp_trace(os.path.join(trace, "messages.log")):
                if d != "received":
                    continue
                cid = re.search(r"(?im)^(?:call-id|i)\s*:\s*(\S+)", text)
                if text.startswith("SIP/2.0 202") and cid:
                    accepted.add(cid.group(1))
                elif text.startswith("SIP/2.0 503"):
                    unavailable += 1
        log(f"{len(accepted)} messages got 202, {unavailable} answers were 503")
        check(unavailable > 0, "no 503 while PostgreSQL was down")
        stored = int(db.query("SELECT count(*) FROM sipsaf_messages") or "0")
        check(len(accepted) > 0 and stored >= len(accepted),
              f"{len(accepted)} acknowledged but {stored} in the database")
        # Storing resumed, through both proxies, without restarting them
        # (within the Retry-After of their 503: they reconnect by themselves).
        for p in (a, b):
            end = time.time() + 5
            while True:
                r = ua_send(env, p, "alice", "bob", "--text", f"load after-{p.port}",
                            "--store=store-and-forward", timeout=20)
                if r.final_code() != 503 or time.time() > end:
                    break
                time.sleep(0.5)
            expect_202(r, f"storing through {p.port} after the restart")
            accepted.add(f"after-{p.port}")
        bob = Listener(env, a, "bob")
        end = time.time() + 30
        while time.time() < end:
            texts = [(m.get("text") or m.get("body") or "").strip() for m in bob.messages()]
            got = {t[5:] for t in texts if t.startswith("load ")}
            if accepted <= got:
                break
            time.sleep(0.2)
        bob.stop()
        missing = accepted - got
        check(not missing, f"{len(missing)} acknowledged messages lost, e.g. "
              f"{sorted(missing)[:3]}\n--- A\n{a.log_tail()}")
        for p in (a, b):
            p.stop()
    finally:
        db.destroy()


def secret_file(env, name, data, mode=0o600):
    path = env.path(name)
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)
    return path


def register_across(raw, first, second, user="bob"):
    """REGISTER challenged by `first`, the answer sent to `second`: its final response."""
    uri, aor = f"sip:{first.domain}", f"sip:{user}@{first.domain}"
    call_id, tag = f"{time.time()}@across", "t" + str(raw.port)
    common = [f"Contact: <sip:{user}@127.0.0.1:{raw.port}>", "Expires: 60"]
    raw.proxy = first
    raw.send(raw.request("REGISTER", uri, common, cseq=1, call_id=call_id, from_user=user,
                         to_uri=aor, tag=tag))
    r = raw.response()
    check(r is not None and r.code == 401, f"no challenge from {first.port}: {r and r.code}")
    ch = parse_challenge(r.all("WWW-Authenticate")[0])
    auth = authorization(ch, user, PASSWORDS[user], "REGISTER", uri)
    raw.proxy = second
    raw.send(raw.request("REGISTER", uri, common + [f"Authorization: {auth}"], cseq=2,
                         call_id=call_id, from_user=user, to_uri=aor, tag=tag))
    return raw.response()


@case
def nonce_secret_shared(env):
    """Proxies started with one --nonce-secret file take each other's nonces:
    challenged at A, answered at B, accepted; a proxy with another secret
    challenges again. A secret others may read, or too short, is refused."""
    db = Database(env).start()
    try:
        shared = secret_file(env, "nonce.key", os.urandom(32))
        other = secret_file(env, "other.key", os.urandom(48))
        a, b = (cluster_proxy(env, db, extra=["--nonce-secret", shared]).start()
                for _ in range(2))
        c = cluster_proxy(env, db, extra=["--nonce-secret", other]).start()
        raw = RawSip(a)
        r = register_across(raw, a, b)
        check(r is not None and r.code == 200,
              f"challenged at A, answered at B: {r and r.start}\n--- B\n{b.log_tail()}")
        r = register_across(raw, b, a)
        check(r is not None and r.code == 200, f"challenged at B, answered at A: {r and r.start}")
        r = register_across(raw, a, c)
        check(r is not None and r.code == 401,
              f"C, with another secret, took A's nonce: {r and r.start}")
        raw.close()
        for p in (a, b, c):
            p.stop()
        for name, data, mode, why in (
                ("open.key", os.urandom(32), 0o644, "chmod 600"),
                ("short.key", b"0123456789", 0o600, "holds 10 bytes")):
            bad = cluster_proxy(env, db, extra=["--nonce-secret", secret_file(env, name, data,
                                                                              mode)])
            bad.start(wait=False)
            code = bad.proc.wait(10)
            check(code == 1 and why in bad.log_text(),
                  f"{name} (mode {mode:o}) not refused clearly: exit {code}\n{bad.log_tail(5)}")
    finally:
        db.destroy()


@case
def unregister_elsewhere(env):
    """Bob's contact registered at A and removed (Expires: 0) through B is gone
    for every proxy at once: what comes through A or C next is stored, and
    nothing reaches the removed contact."""
    db = Database(env).start()
    try:
        a, b, c = (cluster_proxy(env, db).start() for _ in range(3))
        raw = RawSip(a)
        r, _, _ = register_raw(raw, "bob", PASSWORDS["bob"], expires=300)
        check(r is not None and r.code == 200, f"Bob could not register at A: {r and r.code}")
        raw.proxy = b
        r, _, _ = register_raw(raw, "bob", PASSWORDS["bob"], expires=0)
        check(r is not None and r.code == 200, f"Bob could not unregister at B: {r and r.code}")
        check(db.query("SELECT count(*) FROM sipsaf_bindings") == "0",
              "the removed contact is still in the database")
        for p in (a, c):
            expect_202(ua_send(env, p, "alice", "bob", "--text", f"after the removal {p.port}",
                               "--store=store-and-forward", timeout=30), f"through {p.port}")
        while True:
            got = raw.recv(1)
            if got is None:
                break
            check(not got.startswith(b"MESSAGE "),
                  f"the removed contact got a MESSAGE:\n{got[:300]}\n--- A\n{a.log_tail()}")
        check(db.query("SELECT count(*) FROM sipsaf_messages") == "2",
              "the two messages are not stored")
        raw.close()
        for p in (a, b, c):
            p.stop()
    finally:
        db.destroy()


@case
def expiry_once(env):
    """Two proxies wake together to messages whose lifetime is over: each is
    removed, and its sender told, once in all."""
    db = Database(env).start()
    try:
        a, b = (cluster_proxy(env, db).start() for _ in range(2))
        n = 16
        for i in range(n):
            expect_202(ua_send(env, (a, b)[i % 2], "alice", "bob", "--text", f"e{i}",
                               "--store=store-and-forward", "--notify", timeout=20), f"e{i}")
        bob = "sip:bob@" + a.domain
        check(db.query("SELECT count(*) FROM sipsaf_messages WHERE recipient = "
                       f"convert_to('{bob}', 'UTF8')") == str(n), "the messages are not stored")
        # Their lifetime ends now, and both proxies are woken at once.
        db.query("UPDATE sipsaf_messages SET expires_at = 0; NOTIFY sipsaf_wake, '00'")
        end = time.time() + 10
        while time.time() < end and db.query(
                "SELECT count(*) FROM sipsaf_messages WHERE recipient = "
                f"convert_to('{bob}', 'UTF8')") != "0":
            time.sleep(0.2)
        time.sleep(1.5)  # a second expiry would be logged by now
        removed = [len(re.findall(r"removed undelivered \(expired\)", p.log_text()))
                   for p in (a, b)]
        log(f"expired by A: {removed[0]}, by B: {removed[1]}")
        check(sum(removed) == n, f"{n} messages expired {sum(removed)} times "
              f"(A {removed[0]}, B {removed[1]})")
        for p in (a, b):
            p.stop()
    finally:
        db.destroy()


if __name__ == "__main__":
    sys.exit(main(CASES))
