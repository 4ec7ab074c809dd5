#!/usr/bin/env python3
"""Security cases for sipsaf-proxy: one attack each, on loopback.

Each case asserts that the attack is refused and that a well-behaved client
with an address of its own (127.0.0.2) keeps getting service while it runs:
its OPTIONS, REGISTER and MESSAGE succeed, and the case prints how long they
took. Every flood is bounded in count and in time.

    cases.py CASE --proxy PATH --ua PATH --port BASE [--work DIR] [--keep]
"""

import os
import re
import socket
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "e2e"))

from harness import (DOMAIN, PASSWORDS, Failure, Proxy, RawSip, SipResponse,  # noqa: E402
                     authorization, check, check_memory, log, main, parse_challenge, rand)

CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def start_proxy(env, **kw):
    """The proxy under attack; dave, to whom the well-behaved client writes, has room."""
    return Proxy(env, profiles="[dave]\nquota-messages = 1000000\nquota-bytes = 1000000000\n",
                 **kw).start()


# --- clients --------------------------------------------------------------------

class Client(RawSip):
    """A raw SIP client bound to an address of its own in 127.0.0.0/8."""

    def __init__(self, proxy, addr="127.0.0.1", transport="udp"):
        self.proxy = proxy
        self.transport = transport
        self.addr = addr
        if transport == "udp":
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.sock.bind((addr, 0))
        else:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.sock.bind((addr, 0))
            self.sock.settimeout(5)
            self.sock.connect(("127.0.0.1", proxy.port))
        self.port = self.sock.getsockname()[1]
        self.buf = b""
        self.cseq = 0

    def request(self, method, uri, headers, body="", branch=None, cseq=1, call_id=None,
                from_user="probe", to_uri=None, tag=None, from_uri=None):
        text = super().request(method, uri, headers, body, branch, cseq, call_id, from_user,
                               to_uri, tag)
        text = text.replace(f"127.0.0.1:{self.port}", f"{self.addr}:{self.port}", 1)
        if from_uri:
            text = re.sub(r"(?m)^From: <[^>]*>", f"From: <{from_uri}>", text, count=1)
        return text

    def contact(self, user):
        t = ";transport=tcp" if self.transport == "tcp" else ""
        return f"<sip:{user}@{self.addr}:{self.port}{t}>"

    def send_auth(self, method, uri, user, password, headers=(), body="", to_uri=None,
                  from_user=None, from_uri=None, timeout=5):
        """A request answered with credentials when challenged (401 or 407);
        the final response (None on timeout)."""
        call_id = rand() + "@sec"
        tag = rand(8)
        self.cseq += 1
        kw = dict(call_id=call_id, from_user=from_user or user, to_uri=to_uri, tag=tag,
                  from_uri=from_uri)
        r = self.exchange(self.request(method, uri, list(headers), body, cseq=self.cseq, **kw),
                          timeout)
        if r is None or r.code not in (401, 407) or password is None:
            return r
        name = "Proxy-Authenticate" if r.code == 407 else "WWW-Authenticate"
        ch = parse_challenge(r.all(name)[0])  # the first: the most preferred
        auth = authorization(ch, user, password, method, uri)
        self.cseq += 1
        hdr = ("Proxy-Authorization" if r.code == 407 else "Authorization") + ": " + auth
        return self.exchange(
            self.request(method, uri, list(headers) + [hdr], body, cseq=self.cseq, **kw), timeout)

    def exchange(self, data, timeout=5):
        """Sends a request and waits for its final response, retransmitting over UDP
        as a client does (RFC 3261 §17.1.2.2: T1 = 0.5 s, doubling up to T2 = 4 s)."""
        end = time.time() + timeout
        interval = 0.5
        cseq = re.search(r"(?m)^CSeq: (\d+)", data).group(1)
        self.send(data)
        while time.time() < end:
            r = self.response(min(interval, max(0.01, end - time.time())))
            if r is not None and r.get("CSeq", "").split()[:1] == [cseq]:
                return r
            if r is not None:
                continue  # the answer to an earlier request's retransmission
            if self.transport == "udp":
                self.send(data)
                interval = min(2 * interval, 4.0)
        return None

    def register(self, user, password, contacts=None, expires=60):
        contacts = contacts or [self.contact(user)]
        return self.send_auth("REGISTER", f"sip:{DOMAIN}", user, password,
                              [f"Contact: {', '.join(contacts)}", f"Expires: {expires}"],
                              to_uri=f"sip:{user}@{DOMAIN}")

    def message(self, user, password, to, text, headers=(), content_type="text/plain"):
        return self.send_auth("MESSAGE", f"sip:{to}@{DOMAIN}", user, password,
                              [f"Content-Type: {content_type}"] + list(headers), text)

    def next_request(self, method, timeout=5):
        """The next request of this method that reaches this client (bytes), or None."""
        end = time.time() + timeout
        while time.time() < end:
            data = self.recv(max(0.01, end - time.time()))
            if data is None:
                return None
            if data.startswith(method.encode() + b" "):
                return data
        return None

    def answer(self, request, code, reason, to=None):
        """A response to a request this client received, sent from this client."""
        head = request.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace").split("\r\n")
        keep = [h for h in head[1:] if h.split(":", 1)[0].strip().lower() in
                ("via", "v", "from", "f", "to", "t", "call-id", "i", "cseq")]
        out = f"SIP/2.0 {code} {reason}\r\n" + "\r\n".join(keep) + "\r\nContent-Length: 0\r\n\r\n"
        self.sock.sendto(out.encode(), to or ("127.0.0.1", self.proxy.port))


def header(request, name):
    head = request.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
    return [m.group(1).strip() for m in re.finditer(rf"(?im)^{name}\s*:(.*)$", head)]


class Bystander:
    """A well-behaved client at 127.0.0.2 using the service while an attack
    runs: OPTIONS to the proxy, REGISTER as carol, MESSAGE to dave (offline:
    stored, 202), over and over. Every operation must succeed in time."""

    LIMIT = 3.0  # seconds an operation may take

    def __init__(self, proxy, addr="127.0.0.2", user="carol"):
        self.client = Client(proxy, addr)
        self.user = user
        self.results = []  # (operation, code, seconds)
        self.stop_flag = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _once(self):
        c = self.client
        for name, op, want in (
                ("OPTIONS", lambda: c.send_auth("OPTIONS", f"sip:{DOMAIN}", self.user, None,
                                                to_uri=f"sip:{DOMAIN}"), 200),
                ("REGISTER", lambda: c.register(self.user, PASSWORDS[self.user]), 200),
                ("MESSAGE", lambda: c.message(self.user, PASSWORDS[self.user], "dave",
                                              "still served"), 202)):
            t = time.time()
            r = op()
            self.results.append((name, r.code if r else None, time.time() - t, want))

    def __enter__(self):
        self.thread.start()
        return self

    def _run(self):
        while not self.stop_flag.is_set():
            self._once()
            self.stop_flag.wait(0.1)

    def __exit__(self, *exc):
        self.stop_flag.set()
        self.thread.join(30)
        if exc[0] is None:
            self.verify()
        return False

    def verify(self):
        check(self.results, "the well-behaved client did not get to run")
        bad = [r for r in self.results if r[1] != r[3] or r[2] > self.LIMIT]
        summary = {}
        for name, code, dt, _ in self.results:
            n, worst = summary.get(name, (0, 0.0))
            summary[name] = (n + 1, max(worst, dt))
        text = ", ".join(f"{k} x{n} (slowest {w * 1000:.0f} ms)" for k, (n, w) in summary.items())
        log(f"well-behaved client during the attack: {text}")
        check(not bad, f"the well-behaved client was not served during the attack: "
              f"{[(n, c, round(dt, 2)) for n, c, dt, _ in bad[:10]]}")


def attacker_listener(transport="udp"):
    """A socket of the attacker's: it must never receive what the proxy relays."""
    if transport == "udp":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", 0))
        s.listen(16)
    s.setblocking(False)
    return s


def received(sock, wait=1.0):
    """What reached the attacker's socket within `wait` seconds (bytes)."""
    end = time.time() + wait
    data = b""
    while time.time() < end:
        try:
            if sock.type == socket.SOCK_STREAM:
                conn, _ = sock.accept()
                conn.settimeout(0.5)
                try:
                    data += conn.recv(65536) or b"<connection>"
                except OSError:
                    data += b"<connection>"
                conn.close()
            else:
                data += sock.recv(65536)
        except BlockingIOError:
            time.sleep(0.02)
    return data


def stored_for(proxy, user):
    """Messages the proxy's SQLite store holds for a user."""
    import sqlite3
    db = sqlite3.connect(f"file:{proxy.db}?mode=ro", uri=True, timeout=5)
    try:
        return db.execute("SELECT count(*) FROM sipsaf_messages WHERE recipient = ?",
                          (f"sip:{user}@{DOMAIN}",)).fetchone()[0]
    finally:
        db.close()


def expect(r, code, what):
    check(r is not None, f"{what}: no answer")
    check(r.code == code, f"{what}: expected {code}, got {r.start}")


def bob_gets_nothing(proxy, wait=1.5):
    bob = Client(proxy)
    expect(bob.register("bob", PASSWORDS["bob"]), 200, "bob's REGISTER")
    got = bob.next_request("MESSAGE", wait)
    check(got is None, f"bob received a message that should not exist:\n{got!r}")


# --- 1. sender authentication -------------------------------------------------------------

@case
def unauthenticated_sender(env):
    """A MESSAGE with From: alice and no credentials is challenged (407), never stored."""
    proxy = start_proxy(env)
    with Bystander(proxy):
        attacker = Client(proxy)
        r = attacker.send_auth("MESSAGE", f"sip:bob@{DOMAIN}", "alice", None,
                               ["Content-Type: text/plain"], "I am alice, trust me")
        expect(r, 407, "an unauthenticated MESSAGE from alice")
        check(r.get("Proxy-Authenticate", "").startswith("Digest "), "no Proxy-Authenticate")
    bob_gets_nothing(proxy)
    proxy.stop()


@case
def forged_from(env):
    """Mallory proves she is mallory and writes From: alice: 403."""
    proxy = start_proxy(env)
    with Bystander(proxy):
        r = Client(proxy).send_auth("MESSAGE", f"sip:bob@{DOMAIN}", "mallory",
                                    PASSWORDS["mallory"], ["Content-Type: text/plain"],
                                    "from alice, honest", from_user="alice")
        expect(r, 403, "mallory's MESSAGE as alice")
    bob_gets_nothing(proxy)
    proxy.stop()


@case
def asserted_identity(env):
    """Mallory's P-Asserted-Identity: alice is removed; bob's copy names mallory as proven."""
    proxy = start_proxy(env)
    with Bystander(proxy):
        r = Client(proxy).message("mallory", PASSWORDS["mallory"], "bob", "it is alice",
                                  [f"P-Asserted-Identity: <sip:alice@{DOMAIN}>"])
        expect(r, 202, "mallory's MESSAGE to offline bob")
    bob = Client(proxy)
    expect(bob.register("bob", PASSWORDS["bob"]), 200, "bob's REGISTER")
    got = bob.next_request("MESSAGE", 5)
    check(got is not None, "bob did not get the stored message")
    bob.answer(got, 200, "OK")
    pai = header(got, "P-Asserted-Identity")
    check(not any("alice" in v for v in pai), f"mallory's assertion reached bob: {pai}")
    check(pai == [f"<sip:mallory@{DOMAIN}>"], f"the proven sender is not carried: {pai}")
    proxy.stop()


@case
def other_domain(env):
    """A request from another domain, from an untrusted address: 403."""
    proxy = start_proxy(env)
    with Bystander(proxy):
        r = Client(proxy).send_auth("MESSAGE", f"sip:bob@{DOMAIN}", "eve", None,
                                    ["Content-Type: text/plain"], "hello from outside",
                                    from_uri="sip:eve@evil.test")
        expect(r, 403, "a MESSAGE from evil.test")
    bob_gets_nothing(proxy)
    proxy.stop()


# --- 3. no relay ---------------------------------------------------------------------------

@case
def relay_request_uri(env):
    """Requests toward any other host and port (UDP, TCP, a closed port): 403, nothing sent."""
    proxy = start_proxy(env)
    udp, tcp = attacker_listener("udp"), attacker_listener("tcp")
    closed = env.port()
    mallory = Client(proxy)
    with Bystander(proxy):
        t = time.time()
        for method, uri in (("OPTIONS", f"sip:victim@127.0.0.1:{udp.getsockname()[1]}"),
                            ("MESSAGE", f"sip:victim@127.0.0.1:{tcp.getsockname()[1]};transport=tcp"),
                            ("OPTIONS", f"sip:victim@127.0.0.1:{closed}"),
                            ("INFO", f"sip:victim@127.0.0.1:{closed};transport=tcp")):
            r = mallory.send_auth(method, uri, "mallory", PASSWORDS["mallory"],
                                  ["Content-Type: text/plain"], "bytes of the attacker's choice")
            expect(r, 403, f"{method} to {uri}")
        log(f"relay attempts refused in {time.time() - t:.2f} s")
        got = received(udp) + received(tcp)
        check(not got, f"the proxy sent the attacker's request on: {got[:200]!r}")
    proxy.stop()


@case
def relay_route(env):
    """A Route header toward another host: 403, nothing sent there."""
    proxy = start_proxy(env)
    udp = attacker_listener("udp")
    with Bystander(proxy):
        r = Client(proxy).send_auth("MESSAGE", f"sip:bob@{DOMAIN}", "mallory",
                                    PASSWORDS["mallory"],
                                    [f"Route: <sip:127.0.0.1:{udp.getsockname()[1]};lr>",
                                     "Content-Type: text/plain"], "through you")
        expect(r, 403, "a MESSAGE with a foreign Route")
        got = received(udp)
        check(not got, f"the proxy followed the Route: {got[:200]!r}")
    proxy.stop()


@case
def loop_contacts(env):
    """Contacts pointing back at the proxy are refused at REGISTER; our own Via is a loop (482)."""
    proxy = start_proxy(env)
    mallory = Client(proxy)
    with Bystander(proxy):
        r = mallory.register("mallory", PASSWORDS["mallory"],
                             [f"<sip:mallory@127.0.0.1:{proxy.port}>", f"<sip:mallory@{DOMAIN}>"])
        expect(r, 403, "REGISTER of contacts at the proxy itself")
        t = time.time()
        r = mallory.send_auth("OPTIONS", f"sip:mallory@{DOMAIN}", "mallory",
                              PASSWORDS["mallory"])
        check(r is not None and r.code == 480,
              f"OPTIONS to mallory: expected 480 (no contact), got {r.start if r else None}")
        log(f"OPTIONS to mallory answered in {time.time() - t:.2f} s")
        looped = mallory.request("OPTIONS", f"sip:bob@{DOMAIN}",
                                 [f"Via: SIP/2.0/UDP 127.0.0.1:{proxy.port};branch=z9hG4bK{rand()}"],
                                 from_user="mallory")
        mallory.send(looped)
        r = mallory.response(3)
        expect(r, 482, "a request that carries the proxy's own Via")
    check(proxy.log_text().count("OPTIONS sip:mallory") < 20,
          "the proxy sent requests to itself")
    proxy.stop()


# --- 4. forgery-proof transactions ------------------------------------------------------------

@case
def forged_response(env):
    """Bob's phone gets the stored message and does not answer; an attacker sends forged
    200 and 603 (with the very branch, from another address, and with guessed branches):
    the message stays stored and is delivered when bob answers."""
    proxy = start_proxy(env)
    alice = Client(proxy)
    expect(alice.message("alice", PASSWORDS["alice"], "bob", "keep me safe"), 202,
           "alice's MESSAGE to offline bob")
    bob = Client(proxy)
    attacker = Client(proxy, "127.0.0.3")
    with Bystander(proxy):
        expect(bob.register("bob", PASSWORDS["bob"]), 200, "bob's REGISTER")
        got = bob.next_request("MESSAGE", 5)
        check(got is not None and b"keep me safe" in got, "bob did not get the stored message")
        branch = re.search(rb"branch=([^;\r\n,]+)", got).group(1).decode()
        # The attacker knows everything about the request (the worst case)...
        attacker.answer(got, 200, "OK")
        attacker.answer(got, 603, "Decline")
        # ...or guesses the branch from its form.
        for guess in (branch[:-1] + "0", branch[:-1] + "1", branch + "1"):
            attacker.answer(got.replace(branch.encode(), guess.encode()), 200, "OK")
        time.sleep(1.0)
        check(stored_for(proxy, "bob") == 1,
              "a forged response erased the stored message:\n" + proxy.log_tail(10))
        # The transaction is alive: bob still gets its retransmission, then answers.
        again = bob.next_request("MESSAGE", 5)
        check(again is not None, "the proxy stopped retransmitting to bob after the forgeries")
        bob.answer(again, 200, "OK")
        deadline = time.time() + 5
        while time.time() < deadline and stored_for(proxy, "bob") != 0:
            time.sleep(0.1)
        check(stored_for(proxy, "bob") == 0, "bob's genuine 200 did not count")
    check("matching none of our transactions" in proxy.log_text(),
          "the forged responses were not counted in the log")
    proxy.stop()


@case
def unmatched_response(env):
    """Responses that match no transaction are dropped and counted, never forwarded
    by their second Via (reflection)."""
    proxy = start_proxy(env)
    spy = attacker_listener("udp")  # the attacker's own contact, to learn a branch
    victim = attacker_listener("udp")
    mallory = Client(proxy)
    spy_contact = f"<sip:mallory@127.0.0.1:{spy.getsockname()[1]}>"
    expect(mallory.register("mallory", PASSWORDS["mallory"], [spy_contact]), 200,
           "mallory's REGISTER")
    mallory.send_auth("OPTIONS", f"sip:mallory@{DOMAIN}", "mallory", PASSWORDS["mallory"],
                      timeout=1)
    seen = received(spy, 1.0)
    m = re.search(rb"branch=(z9hG4bK[^;\r\n,]+)", seen)
    check(m is not None, f"the proxy did not reach mallory's contact: {seen[:200]!r}")
    learned = m.group(1).decode()
    base = learned.rsplit(".", 1)[0] if "." in learned else learned[:-4]
    body = "x" * 10000
    with Bystander(proxy):
        for i in range(30):
            resp = (f"SIP/2.0 200 OK\r\n"
                    f"Via: SIP/2.0/UDP 127.0.0.1:{proxy.port};branch={base}.{1000 + i}\r\n"
                    f"Via: SIP/2.0/UDP 127.0.0.1:{victim.getsockname()[1]};branch=z9hG4bKv{i}\r\n"
                    f"From: <sip:a@{DOMAIN}>;tag=1\r\nTo: <sip:b@{DOMAIN}>;tag=2\r\n"
                    f"Call-ID: {rand()}\r\nCSeq: 1 INVITE\r\n"
                    f"Content-Type: text/plain\r\nContent-Length: {len(body)}\r\n\r\n{body}")
            mallory.send(resp)
        got = received(victim, 1.5)
        check(not got, f"{len(got)} bytes reflected to the second Via")
    check("matching none of our transactions" in proxy.log_text(),
          "the dropped responses were not counted in the log")
    proxy.stop()


# --- 5. fair resources -------------------------------------------------------------------------

def challenge_nonce(client, method, uri, user, timeout=1.0):
    """A 407 challenge for `user` (None when the proxy does not challenge)."""
    client.send(client.request(method, uri, [], cseq=1, from_user=user))
    r = client.response(timeout)
    if r is None or r.code != 407:
        return None
    return parse_challenge(r.all("Proxy-Authenticate")[0])


@case
def transaction_flood(env):
    """Up to 5,000 authenticated OPTIONS (at most 10 s) toward a contact that never
    answers, from one address: that address gets 503 once its share is used, others
    are served, and memory stays bounded."""
    proxy = start_proxy(env)
    silent = attacker_listener("udp")
    silent.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    mallory = Client(proxy)
    expect(mallory.register("mallory", PASSWORDS["mallory"],
                            [f"<sip:mallory@127.0.0.1:{silent.getsockname()[1]}>"]), 200,
           "mallory's REGISTER")
    uri = f"sip:mallory@{DOMAIN}"
    ch = challenge_nonce(mallory, "OPTIONS", uri, "mallory")
    before = proxy.rss_kib()
    refused = 0
    with Bystander(proxy):
        t = time.time()
        for i in range(5000):
            hdrs = []
            if ch:
                hdrs.append("Proxy-Authorization: " + authorization(
                    ch, "mallory", PASSWORDS["mallory"], "OPTIONS", uri, nc="%08x" % (i + 1)))
            mallory.send(mallory.request("OPTIONS", uri, hdrs, cseq=i + 2, from_user="mallory"))
            if i % 200 == 199:  # in windows, so that none is lost in a socket buffer
                while refused < i - 400:
                    data = mallory.recv(0.5)
                    if data is None:
                        break
                    refused += data.startswith(b"SIP/2.0 503")
            if time.time() - t > 10:
                break
        sent = i + 1
        elapsed = time.time() - t
        while True:
            data = mallory.recv(1.0)
            if data is None:
                break
            refused += data.startswith(b"SIP/2.0 503")
    after = proxy.rss_kib()
    log(f"{sent} OPTIONS in {elapsed:.1f} s; {refused} answered 503; "
        f"proxy RSS {before} kB -> {after} kB")
    check(refused > sent // 2, f"only {refused} of {sent} flood requests were refused")
    check_memory(env, after - before, 64 * 1024, "under the flood")
    proxy.stop()


@case
def password_guessing(env):
    """Guessing alice's password from one address: locked out after a few failures
    (403 with Retry-After), while alice herself, from her own address, still registers."""
    proxy = start_proxy(env)
    attacker = Client(proxy)
    uri = f"sip:{DOMAIN}"
    locked = verified = 0
    with Bystander(proxy):
        t = time.time()
        for i in range(300):
            r = attacker.send_auth("REGISTER", uri, "alice", f"guess{i}",
                                   [f"Contact: {attacker.contact('alice')}"],
                                   to_uri=f"sip:alice@{DOMAIN}", timeout=2)
            if r is not None and r.code == 403:
                locked += 1
                check(r.get("Retry-After") is not None, "a lock-out without Retry-After")
            elif r is not None and r.code == 401:
                verified += 1
            if time.time() - t > 10:
                break
        log(f"{i + 1} guesses in {time.time() - t:.1f} s: {verified} checked, {locked} locked out")
        check(locked > 0, "no lock-out after 300 wrong passwords")
        check(verified <= 10, f"{verified} guesses were checked")
        alice = Client(proxy, "127.0.0.4")
        t = time.time()
        expect(alice.register("alice", PASSWORDS["alice"]), 200,
               "alice's own REGISTER during the attack")
        log(f"alice registered from her own address in {time.time() - t:.2f} s")
    proxy.stop()


@case
def nonce_flush(env):
    """Up to 20,000 unauthenticated REGISTERs (until 9,000 are answered, at most 30 s) do not push a
    client's nonce out."""
    proxy = start_proxy(env)
    carol = Client(proxy, "127.0.0.5")
    uri = f"sip:{DOMAIN}"
    call_id, tag = rand() + "@sec", rand(8)
    common = [f"Contact: {carol.contact('carol')}", "Expires: 60"]
    carol.send(carol.request("REGISTER", uri, common, cseq=1, call_id=call_id,
                             from_user="carol", to_uri=f"sip:carol@{DOMAIN}", tag=tag))
    r = carol.response()
    expect(r, 401, "carol's first REGISTER")
    ch = parse_challenge(r.all("WWW-Authenticate")[0])
    flood = Client(proxy)
    before = proxy.rss_kib()
    answered = 0
    with Bystander(proxy):
        t = time.time()
        users = ("alice", "bob", "dave")
        forms = [flood.request("REGISTER", uri, [f"Contact: <sip:{u}@127.0.0.1:9>"],
                               branch="z9hG4bKBRANCH", from_user=u, to_uri=f"sip:{u}@{DOMAIN}")
                 for u in users]
        for i in range(20000):
            flood.send(forms[i % 3].replace("BRANCH", "%x" % i))
            if i % 200 == 199:  # in windows, so that none is lost in a socket buffer
                while answered < i - 100 and flood.recv(0.5) is not None:
                    answered += 1
            if time.time() - t > 30 or answered >= 9000:
                break
        log(f"{i + 1} REGISTERs in {time.time() - t:.1f} s, {answered} answered")
        time.sleep(1)
    after = proxy.rss_kib()
    auth = authorization(ch, "carol", PASSWORDS["carol"], "REGISTER", uri)
    carol.send(carol.request("REGISTER", uri, common + [f"Authorization: {auth}"], cseq=2,
                             call_id=call_id, from_user="carol", to_uri=f"sip:carol@{DOMAIN}",
                             tag=tag))
    r = carol.response()
    expect(r, 200, "carol's answer to the nonce she got before the flood")
    log(f"proxy RSS {before} kB -> {after} kB")
    check_memory(env, after - before, 64 * 1024, "under the flood")
    proxy.stop()


@case
def user_enumeration(env):
    """Known and unknown users are answered alike until authenticated."""
    proxy = start_proxy(env)
    c = Client(proxy)

    def shape(r):
        return (r.code, sorted(n.lower() for n, _ in r.headers
                               if n.lower() not in ("call-id", "cseq", "from", "to", "via")))
    with Bystander(proxy):
        seen = {}
        for user in ("alice", "nosuchuser"):
            first = c.send_auth("REGISTER", f"sip:{DOMAIN}", user, None,
                                [f"Contact: {c.contact(user)}"], to_uri=f"sip:{user}@{DOMAIN}")
            wrong = c.send_auth("REGISTER", f"sip:{DOMAIN}", user, "wrong-password",
                                [f"Contact: {c.contact(user)}"], to_uri=f"sip:{user}@{DOMAIN}")
            msg = c.send_auth("MESSAGE", f"sip:{user}@{DOMAIN}", "bob", None,
                              ["Content-Type: text/plain"], "who are you")
            check(None not in (first, wrong, msg), f"no answer for {user}")
            seen[user] = (shape(first), shape(wrong), msg.code)
            log(f"{user}: REGISTER {first.code}, with a wrong password {wrong.code}, "
                f"MESSAGE to it {msg.code}")
        check(seen["alice"] == seen["nosuchuser"],
              f"a known and an unknown user are told apart: {seen}")
        check(seen["alice"][0][0] == 401, f"REGISTER without credentials: {seen['alice']}")
    proxy.stop()


@case
def log_flood(env):
    """A 3 s flood of garbage, strangers' requests and relay attempts writes a bounded log,
    with counts of what was left out."""
    proxy = start_proxy(env)
    c = Client(proxy)
    size0 = os.path.getsize(proxy.log_path)
    sent = 0
    with Bystander(proxy):
        t = time.time()
        while time.time() - t < 3 and sent < 60000:
            c.send(b"GARBAGE \x00\x01 not sip\r\n\r\n")
            c.send(c.request("MESSAGE", f"sip:bob@{DOMAIN}", ["Content-Type: text/plain"],
                             "spam", from_user="alice"))
            c.send(c.request("OPTIONS", "sip:victim@127.0.0.1:9", [], from_user="alice"))
            sent += 3
        time.sleep(1.5)
    grown = os.path.getsize(proxy.log_path) - size0
    log(f"{sent} datagrams in 3 s: the log grew by {grown} bytes")
    check(grown < 200 * 1024, f"the log grew by {grown} bytes under the flood")
    check("not logged" in proxy.log_text(), "no count of the lines left out")
    proxy.stop()


# --- 7. bad bodies -----------------------------------------------------------------------------

@case
def bad_multipart(env):
    """Multipart payloads that do not parse get 400 with a Warning and are not stored."""
    proxy = start_proxy(env)
    alice = Client(proxy)
    nested = "".join(f"--b{i}\r\nContent-Type: multipart/mixed; boundary=b{i + 1}\r\n\r\n"
                     for i in range(200)) + "--b200\r\n\r\nx\r\n"
    bodies = {
        "no close delimiter": ("multipart/mixed; boundary=xyz",
                               "--xyz\r\nContent-Type: text/plain\r\n\r\nhello\r\n"),
        "no boundary": ("multipart/mixed", "--xyz\r\n\r\nhello\r\n--xyz--\r\n"),
        "nesting 200 deep": ("multipart/mixed; boundary=b0", nested),
    }
    with Bystander(proxy):
        for what, (ctype, body) in bodies.items():
            r = alice.message("alice", PASSWORDS["alice"], "bob", body, content_type=ctype)
            expect(r, 400, what)
            check(r.get("Warning"), f"{what}: 400 without a Warning")
            log(f"{what}: 400, Warning: {r.get('Warning')}")
    bob_gets_nothing(proxy)
    proxy.stop()


# --- in-dialog requests and reachability from strangers -------------------------------------

def reply(request, code, reason, extra=(), to_tag=None):
    """A response to a request as its recipient writes it (bytes): the request's
    Via, From, To (with `to_tag` added), Call-ID and CSeq, then `extra` rows."""
    head = request.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace").split("\r\n")
    rows = []
    for h in head[1:]:
        name = h.split(":", 1)[0].strip().lower()
        if name in ("via", "v", "from", "f", "call-id", "i", "cseq"):
            rows.append(h)
        elif name in ("to", "t"):
            rows.append(h + (f";tag={to_tag}" if to_tag and "tag=" not in h else ""))
    rows += list(extra)
    return (f"SIP/2.0 {code} {reason}\r\n" + "\r\n".join(rows) +
            "\r\nContent-Length: 0\r\n\r\n").encode()


@case
def forged_dialog(env):
    """A stranger dresses a request as in-dialog (a To tag, a Route naming the proxy) to
    pass as alice without credentials: challenged, bob gets nothing; a stray ACK is
    dropped. A genuine dialog (alice's INVITE, bob's 200) still carries alice's
    in-dialog MESSAGE and ACK without a challenge."""
    proxy = start_proxy(env)
    bob = Client(proxy, "127.0.0.4")
    expect(bob.register("bob", PASSWORDS["bob"]), 200, "bob's REGISTER")
    attacker = Client(proxy, "127.0.0.3")
    route = f"Route: <sip:127.0.0.1:{proxy.port};lr>"
    with Bystander(proxy):
        for method in ("MESSAGE", "INFO"):
            forged = attacker.request(method, f"sip:bob@{DOMAIN}",
                                      [route, "Content-Type: text/plain"], "it is alice",
                                      from_user="alice", to_uri=f"sip:bob@{DOMAIN}>;tag=x1<")
            forged = forged.replace(f"To: <sip:bob@{DOMAIN}>;tag=x1<>",
                                    f"To: <sip:bob@{DOMAIN}>;tag=x1")
            r = attacker.exchange(forged, 3)
            check(r is not None and r.code in (403, 407),
                  f"a forged in-dialog {method} from alice: {r.start if r else 'no answer'}")
        ack = attacker.request("ACK", f"sip:bob@{DOMAIN}", [route], "it is alice",
                               from_user="alice")
        attacker.send(ack.replace(f"To: <sip:bob@{DOMAIN}>", f"To: <sip:bob@{DOMAIN}>;tag=x2"))
        got = bob.recv(1.5)
        check(got is None, f"bob received the stranger's request:\n{got!r}")
        # A genuine dialog: alice's INVITE, bob's 200 with the Record-Route, alice's ACK and
        # an in-dialog MESSAGE, both without credentials.
        alice = Client(proxy, "127.0.0.5")
        result = {}

        def call():
            result["r"] = alice.send_auth("INVITE", f"sip:bob@{DOMAIN}", "alice",
                                          PASSWORDS["alice"], [f"Contact: {alice.contact('alice')}"],
                                          timeout=8)
        caller = threading.Thread(target=call)
        caller.start()
        invite = bob.next_request("INVITE", 5)
        check(invite is not None, "bob did not get alice's INVITE")
        rr = header(invite, "Record-Route")
        check(rr, "the proxy did not record-route the INVITE")
        bob.sock.sendto(reply(invite, 200, "OK", [f"Record-Route: {v}" for v in rr] +
                              [f"Contact: {bob.contact('bob')}"], to_tag="b0b"),
                        ("127.0.0.1", proxy.port))
        caller.join(10)
        ok = result.get("r")
        expect(ok, 200, "alice's INVITE")
        routes = [f"Route: {v.strip()}" for v in ok.all("Record-Route")]
        target = re.sub(r"^<|>$", "", ok.get("Contact", "").strip())
        cseq = re.search(r"^(\d+)", ok.get("CSeq")).group(1)
        call_id = ok.get("Call-ID").strip()
        from_tag = re.search(r"tag=([^;>\s]+)", ok.get("From")).group(1)
        to = ok.get("To").strip()

        def in_dialog(method, seq, body=""):
            text = alice.request(method, target, routes + (["Content-Type: text/plain"]
                                                           if body else []), body,
                                 cseq=seq, call_id=call_id, from_user="alice", tag=from_tag)
            return re.sub(r"(?m)^To: [^\r\n]*", f"To: {to}", text, count=1)
        alice.send(in_dialog("ACK", int(cseq)))
        check(bob.next_request("ACK", 3) is not None, "alice's ACK did not reach bob")
        msg = in_dialog("MESSAGE", int(cseq) + 1, "in the dialog")
        alice.send(msg)
        got = bob.next_request("MESSAGE", 3)
        check(got is not None and b"in the dialog" in got,
              "alice's in-dialog MESSAGE did not reach bob")
        bob.sock.sendto(reply(got, 200, "OK"), ("127.0.0.1", proxy.port))
        r = alice.response(3)
        expect(r, 200, "alice's in-dialog MESSAGE")
        # A party of the dialog may not use its token to reach a third user as the
        # other party: alice writing as bob to dave is challenged.
        other = in_dialog("MESSAGE", int(cseq) + 2, "it is bob").replace(
            f"sip:{target.split(':', 1)[1]} SIP/2.0", f"sip:dave@{DOMAIN} SIP/2.0", 1)
        other = re.sub(r"(?m)^From: <sip:alice@", "From: <sip:bob@", other, count=1)
        other = re.sub(r"(?m)^To: <sip:bob@", "To: <sip:alice@", other, count=1)
        r = alice.exchange(other, 3)
        check(r is not None and r.code == 407,
              f"alice's MESSAGE as bob to dave, in bob's dialog: {r.start if r else None}")
    proxy.stop()


REGINFO = ('<?xml version="1.0"?>\r\n'
           '<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="{v}" state="full">'
           '<registration aor="sip:bob@{d}" id="r1" state="active">'
           '<contact id="c1" state="active" event="registered" expires="3600">'
           '<uri>sip:bob@127.0.0.9:5060</uri></contact></registration></reginfo>')


@case
def forged_notify(env):
    """Only the reg-event server makes a recipient reachable (--reg-event): a NOTIFY
    from anyone else, even a local user who proved who she is and knows the
    subscription's dialog, is refused, and nothing stored is sent; the server's own
    NOTIFY still brings the delivery."""
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.6", env.port()))
    server.settimeout(5)
    srv = f"127.0.0.6:{server.getsockname()[1]}"
    proxy = start_proxy(env, extra=["--reg-event", f"sip:{srv}", "--trusted", "127.0.0.6"])
    alice = Client(proxy)
    expect(alice.message("alice", PASSWORDS["alice"], "bob", "for bob only"), 202,
           "alice's MESSAGE to offline bob")
    subscribe = None
    end = time.time() + 5
    while time.time() < end and subscribe is None:
        try:
            data, _ = server.recvfrom(65535)
        except socket.timeout:
            break
        if data.startswith(b"SUBSCRIBE "):
            subscribe = data
    check(subscribe is not None, "the proxy did not subscribe at the reg-event server")
    server.sendto(reply(subscribe, 200, "OK", ["Expires: 600", f"Contact: <sip:{srv}>"],
                        to_tag="srv1"), ("127.0.0.1", proxy.port))
    call_id = header(subscribe, "Call-ID")[0]
    our_tag = re.search(r"tag=([^;>\s]+)", header(subscribe, "From")[0]).group(1)

    def notify(client, version):
        return client.request(
            "NOTIFY", f"sip:sipsaf@127.0.0.1:{proxy.port}",
            ["Event: reg", "Subscription-State: active;expires=600",
             "Content-Type: application/reginfo+xml"],
            REGINFO.format(v=version, d=DOMAIN), cseq=10 + version, call_id=call_id,
            from_user="bob", tag="srv1", to_uri=f"sip:sipsaf@{DOMAIN}>;tag={our_tag}<")\
            .replace(f";tag={our_tag}<>", f";tag={our_tag}")

    mallory = Client(proxy, "127.0.0.3")
    with Bystander(proxy):
        # Without credentials, dressed as in-dialog...
        forged = notify(mallory, 1).replace("Event: reg",
                                            f"Route: <sip:127.0.0.1:{proxy.port};lr>\r\nEvent: reg")
        r = mallory.exchange(forged, 3)
        check(r is None or r.code != 200, f"a stranger's NOTIFY: {r.start if r else None}")
        # ...and with mallory's credentials, as herself.
        def as_mallory():
            return notify(mallory, 2).replace(f"From: <sip:bob@{DOMAIN}>",
                                              f"From: <sip:mallory@{DOMAIN}>")
        r = mallory.exchange(as_mallory(), 3)
        if r is not None and r.code == 407:
            ch = parse_challenge(r.all("Proxy-Authenticate")[0])
            auth = authorization(ch, "mallory", PASSWORDS["mallory"], "NOTIFY",
                                 f"sip:sipsaf@127.0.0.1:{proxy.port}")
            r = mallory.exchange(as_mallory().replace(
                "Event: reg", f"Proxy-Authorization: {auth}\r\nEvent: reg"), 3)
        check(r is not None and r.code == 403,
              f"mallory's NOTIFY for bob's reachability: {r.start if r else None}")
        server.settimeout(1.5)
        leaked = []
        try:
            while True:
                data, _ = server.recvfrom(65535)
                if data.startswith(b"MESSAGE "):
                    leaked.append(data)
        except socket.timeout:
            pass
        check(not leaked, f"a forged NOTIFY made bob reachable: {leaked[:1]!r}")
        check(stored_for(proxy, "bob") == 1, "bob's message left the store")
        # The server itself: bob is reachable, the message goes through it.
        server.sendto(notify(Client(proxy), 3).replace("Via: SIP/2.0/UDP 127.0.0.1:",
                                                      "Via: SIP/2.0/UDP 127.0.0.6:", 1).encode(),
                      ("127.0.0.1", proxy.port))
        server.settimeout(5)
        delivered = None
        end = time.time() + 5
        while time.time() < end and delivered is None:
            try:
                data, _ = server.recvfrom(65535)
            except socket.timeout:
                break
            if data.startswith(b"MESSAGE ") and b"for bob only" in data:
                delivered = data
        check(delivered is not None, "the server's NOTIFY did not bring the delivery")
    proxy.stop()


@case
def contact_elsewhere(env):
    """An account holder registers contacts on another host than her own: a third
    party's UDP and TCP ports (used as written, the proxy would send, connect and write
    there on her behalf). They are bound as a client's behind NAT are: what is sent to
    them goes to the address the REGISTER came from, and nothing reaches the third
    party. The proxy itself under other spellings (0.0.0.0, 127.1) is refused with 403."""
    proxy = start_proxy(env)
    udp, tcp = attacker_listener("udp"), attacker_listener("tcp")
    phone = Client(proxy, "127.0.0.3")
    sender = Client(proxy, "127.0.0.4")
    with Bystander(proxy):
        for contact in (f"<sip:mallory@0.0.0.0:{proxy.port}>",
                        f"<sip:mallory@127.1:{proxy.port}>"):
            r = phone.register("mallory", PASSWORDS["mallory"], [contact])
            expect(r, 403, f"REGISTER of {contact} from 127.0.0.3")
            log(f"{contact}: 403 ({r.get('Warning')})")
        elsewhere = [f"<sip:victim@127.0.0.1:{udp.getsockname()[1]}>",
                     f"<sip:victim@127.0.0.1:{tcp.getsockname()[1]};transport=tcp>"]
        expect(phone.register("mallory", PASSWORDS["mallory"], elsewhere), 200,
               "REGISTER of contacts on another host (as behind NAT)")
        got = []

        def ring():
            m = phone.next_request("MESSAGE", 8)
            if m is not None:
                got.append(m)
                phone.answer(m, 200, "OK")

        t = threading.Thread(target=ring)
        t.start()
        r = sender.send_auth("MESSAGE", f"sip:mallory@{DOMAIN}", "mallory",
                             PASSWORDS["mallory"], ["Content-Type: text/plain"], "FLUSHALL\r\n",
                             timeout=10)
        t.join()
        check(got and b"FLUSHALL" in got[0],
              "the MESSAGE did not reach the address the REGISTER came from")
        expect(r, 200, "mallory's MESSAGE to herself, answered at her registering address")
        leaked = received(udp) + received(tcp)
        check(not leaked, f"the proxy sent to the third party: {leaked[:200]!r}")
    proxy.stop()


if __name__ == "__main__":
    sys.exit(main(CASES))
