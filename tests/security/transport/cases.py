"""Attacks on sipsaf-proxy's transport layer, and TLS end to end.

Each case asserts the refusal and that a second, well-behaved client (its own
address in 127.0.0.0/8) is served while the attack goes on, with how long its
requests took. Every flood is bounded in count and time; only loopback
addresses are used.

    python3 cases.py CASE --proxy PATH --ua PATH --port BASE --work DIR
"""

import os
import resource
import select
import socket
import ssl
import subprocess
import threading
import sys
import time
import types
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "e2e"))

from harness import (DOMAIN, PASSWORDS, Listener, Proxy, RawSip, Skip,  # noqa: E402
                     authorization, check, check_memory, log, main, parse_challenge, rand,
                     register_raw, ua_send)

CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


# --- helpers --------------------------------------------------------------------

def raise_fd_limit(n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = n if hard == resource.RLIM_INFINITY else min(n, hard)
    if soft != resource.RLIM_INFINITY and soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < n:
        raise Skip(f"{n} open files needed, {soft} allowed")


class RawStream(RawSip):
    """RawSip over TCP or TLS from a chosen loopback source address."""

    def __init__(self, proxy, port, source="127.0.0.1", tls=None):
        self.proxy = proxy
        self.transport = "tls" if tls else "tcp"
        s = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0))
        if tls:
            s = tls.wrap_socket(s, server_hostname="127.0.0.1")
        self.sock = s
        self.port = s.getsockname()[1]
        self.buf = b""


class RawDatagrams(RawSip):
    """RawSip over UDP from a chosen loopback source address."""

    def __init__(self, proxy, source="127.0.0.1"):
        self.proxy = proxy
        self.transport = "udp"
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((source, 0))
        self.port = self.sock.getsockname()[1]
        self.buf = b""


def timed(fn):
    start = time.time()
    r = fn()
    return r, time.time() - start


def served_options(raw, what):
    """An OPTIONS from the well-behaved client gets a final answer; returns seconds."""
    raw.send(raw.request("OPTIONS", f"sip:{DOMAIN}", []))
    r, took = timed(lambda: raw.response(timeout=3))
    check(r is not None, f"the well-behaved client got no answer to OPTIONS {what}")
    log(f"well-behaved OPTIONS {what}: {r.code} in {took * 1000:.0f} ms")
    return took


def served_register(raw, user, what):
    r, took = timed(lambda: register_raw(raw, user, PASSWORDS[user])[0])
    check(r is not None and r.code == 200,
          f"the well-behaved client could not register {what}: {r and r.start}")
    log(f"well-behaved REGISTER {what}: 200 in {took * 1000:.0f} ms")
    return took


def register_contact(raw, user, contact):
    """REGISTER `contact` for `user`, answering the digest challenge; the final response."""
    uri, aor, call_id, tag = f"sip:{DOMAIN}", f"sip:{user}@{DOMAIN}", rand() + "@raw", rand(8)
    common = [f"Contact: {contact}", "Expires: 60"]

    def send(cseq, extra):
        raw.send(raw.request("REGISTER", uri, common + extra, cseq=cseq, call_id=call_id,
                             from_user=user, to_uri=aor, tag=tag))
        return raw.response()
    r = send(1, [])
    if r is not None and r.code == 401:
        auth = authorization(parse_challenge(r.get("WWW-Authenticate")), user, PASSWORDS[user],
                             "REGISTER", uri)
        r = send(2, [f"Authorization: {auth}"])
    return r


class TcpContact:
    """A contact that listens on TCP and answers 200 to what arrives, in a thread."""

    def __init__(self, address):
        self.srv = socket.create_server((address, 0))
        self.port = self.srv.getsockname()[1]
        self.received = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        self.srv.settimeout(20)
        try:
            conn, _ = self.srv.accept()
        except OSError:
            return
        raw = RawSip.__new__(RawSip)
        raw.sock, raw.transport, raw.buf = conn, "tcp", b""
        data = raw.recv(timeout=10)
        if data:
            self.received.append(data)
            answer_ok(raw, data)
            time.sleep(1)


def is_closed(sock):
    """True once the peer closed (or reset) the connection."""
    try:
        p = select.poll()
        p.register(sock, select.POLLIN)
        if not p.poll(0):
            return False
        return sock.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


def open_idle(port, source, n):
    """Up to n idle TCP connections from `source` (those the kernel refuses are skipped)."""
    socks = []
    for _ in range(n):
        try:
            socks.append(socket.create_connection(("127.0.0.1", port), timeout=2,
                                                  source_address=(source, 0)))
        except OSError:
            pass
    return socks


def still_open(socks, settle=1.0):
    time.sleep(settle)
    return sum(1 for s in socks if not is_closed(s))


def make_certs(env):
    """A CA and a server certificate for 127.0.0.1 signed by it, made with openssl."""
    openssl = env.need("openssl")
    d = env.path("pki")
    os.makedirs(d, exist_ok=True)
    p = lambda name: os.path.join(d, name)  # noqa: E731
    with open(p("ext.cnf"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:example.test\n")
    key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    steps = [
        ["req", "-x509"] + key + ["-keyout", p("ca.key"), "-out", p("ca.pem"), "-days", "2",
                                  "-subj", "/CN=sipsaf test CA"],
        ["req"] + key + ["-keyout", p("server.key"), "-out", p("server.csr"),
                         "-subj", "/CN=127.0.0.1"],
        ["x509", "-req", "-in", p("server.csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"),
         "-CAcreateserial", "-out", p("server.pem"), "-days", "2", "-extfile", p("ext.cnf")],
    ]
    for args in steps:
        r = subprocess.run([openssl] + args, capture_output=True, text=True)
        check(r.returncode == 0, f"openssl {' '.join(args)}: {r.stderr}")
    return p("ca.pem"), p("server.pem"), p("server.key")


def tls_proxy(env, *extra):
    ca, cert, key = make_certs(env)
    tls_port = env.port()
    proxy = Proxy(env, extra=["--tls", f"127.0.0.1:{tls_port}", "--cert", cert, "--key", key]
                  + list(extra)).start()
    return proxy, tls_port, ca


def client_context(ca):
    ctx = ssl.create_default_context(cafile=ca)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def answer_ok(raw, request):
    """A 200 OK to a request received raw (its Via, From, To, Call-ID and CSeq)."""
    head = request.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    keep = [h for h in head[1:]
            if h.split(":", 1)[0].strip().lower() in ("via", "v", "from", "f", "to", "t",
                                                      "call-id", "i", "cseq")]
    keep = [h + ";tag=bobtls" if h.lower().startswith(("to:", "t:")) and "tag=" not in h
            else h for h in keep]
    raw.send("SIP/2.0 200 OK\r\n" + "\r\n".join(keep) + "\r\nContent-Length: 0\r\n\r\n")


# --- connection floods (RFC 3261 §18, fair resources) ---------------------------

@case
def connections_per_source(env):
    """256 idle TCP connections from one source: beyond the per-source bound they are
    refused at once, another source registers meanwhile, and the silent connections
    that carry no registration are closed after --idle-unregistered while a
    registered one stays."""
    raise_fd_limit(4096)
    proxy = Proxy(env, extra=["--idle-unregistered", "2"]).start()
    good_udp = RawDatagrams(proxy, "127.0.0.2")
    good_tcp = RawStream(proxy, proxy.port, "127.0.0.2")
    served_register(good_tcp, "carol", "before the flood")
    attack = open_idle(proxy.port, "127.0.0.1", 256)
    log(f"attacker opened {len(attack)} connections")
    served_options(good_udp, "during the flood (UDP)")
    late = RawStream(proxy, proxy.port, "127.0.0.2")
    served_register(late, "bob", "during the flood (a new TCP connection)")
    left = still_open(attack)
    log(f"attacker connections still open after 1 s: {left}")
    check(left <= 64, f"{left} idle connections of one source kept open (bound: 64)")
    # Silent and carrying no registration: closed after 2 s; the registered ones stay.
    left = still_open(attack, settle=3.5)
    check(left == 0, f"{left} silent unregistered connections still open after 4.5 s")
    check(not is_closed(good_tcp.sock) and not is_closed(late.sock),
          "a connection that carries a registration was closed")
    served_options(good_tcp, "on its registered connection after the flood")
    for s in attack:
        s.close()
    # The source's count went back down: it may connect again.
    again = RawStream(proxy, proxy.port, "127.0.0.1")
    served_options(again, "from the flooding source, once its connections are gone")
    proxy.stop()


@case
def connections_global_bound(env):
    """1280 idle TCP connections from 20 sources (64 each, within the per-source
    bound) against the global bound of 1024: the oldest silent connections without a
    registration make room, a registered client keeps its connection, a new client
    gets in, and memory stays bounded (measured)."""
    raise_fd_limit(4096)
    proxy = Proxy(env).start()
    registered = RawStream(proxy, proxy.port, "127.0.0.2")
    served_register(registered, "carol", "before the flood")
    rss_before = proxy.rss_kib()
    attack = []
    started = time.time()
    for i in range(20):
        attack += open_idle(proxy.port, f"127.0.1.{i + 1}", 64)
    log(f"attacker opened {len(attack)} connections in {time.time() - started:.1f} s")
    left = still_open(attack)
    rss_during = proxy.rss_kib()
    log(f"proxy RSS {rss_before} KiB before, {rss_during} KiB with {left} attacking "
        f"connections open: {(rss_during - rss_before) * 1024 // max(left, 1)} bytes each")
    check(left <= 1024, f"{left} connections open (global bound: 1024)")
    check_memory(env, rss_during - rss_before, 48 * 1024, "under the flood")
    check(not is_closed(registered.sock), "the registered client's connection was evicted")
    served_options(registered, "on its registered connection during the flood")
    newcomer = RawStream(proxy, proxy.port, "127.0.0.3")
    served_register(newcomer, "bob", "from a new source during the flood")
    # A delivery over a new TCP connection the proxy opens goes out at the bound.
    dave = TcpContact("127.0.0.4")
    r = register_contact(RawDatagrams(proxy, "127.0.0.4"), "dave",
                         f"<sip:dave@127.0.0.4:{dave.port};transport=tcp>")
    check(r is not None and r.code == 200, f"dave could not register: {r and r.start}")
    sent, took = timed(lambda: ua_send(env, proxy, "alice", "dave", "--text", "at the bound",
                                       timeout=30))
    check(sent.final_code() == 200 and dave.received,
          f"no delivery over a new TCP connection at the bound ({sent.codes()})")
    log(f"delivery over a new TCP connection at the bound: 200 in {took * 1000:.0f} ms")
    for s in attack:
        s.close()
    proxy.stop()


@case
def tls_handshake_flood(env):
    """Connections to the TLS port that never finish their handshake: one source gets
    64 (the rest are refused at once), 16 sources that begin a record fill up to 1024
    (memory measured), a well-behaved TLS client from its own address registers
    meanwhile, and the stalled handshakes are closed after 10 s."""
    raise_fd_limit(4096)
    proxy, tls_port, ca = tls_proxy(env)
    one = open_idle(tls_port, "127.0.0.1", 128)
    left = still_open(one)
    log(f"one source: {left} of {len(one)} stalled handshakes open")
    check(left <= 64, f"{left} stalled TLS handshakes of one source kept open (bound: 64)")
    rss_before = proxy.rss_kib()
    many = []
    for i in range(16):
        many += open_idle(tls_port, f"127.0.2.{i + 1}", 64)
    # The worst case: each begins a TLS record, so the proxy sets up its TLS state.
    for s in many:
        try:
            s.send(b"\x16\x03\x01")
        except OSError:
            pass
    open_now = still_open(many)
    rss_during = proxy.rss_kib()
    log(f"proxy RSS {rss_before} KiB, {rss_during} KiB with {open_now} more stalled TLS "
        f"handshakes begun: {(rss_during - rss_before) * 1024 // max(open_now, 1)} bytes each")
    check_memory(env, rss_during - rss_before, 128 * 1024, "under the TLS flood")
    good = RawStream(proxy, tls_port, "127.0.0.2", tls=client_context(ca))
    served_register(good, "carol", "over TLS during the flood")
    left = still_open(one + many, settle=11)
    check(left == 0, f"{left} stalled TLS handshakes still open after 12 s")
    check(not is_closed(good.sock), "the registered TLS client's connection was closed")
    served_options(good, "over TLS after the flood")
    for s in one + many:
        s.close()
    proxy.stop()


# --- bad framing (RFC 3261 §7, §18.3, §20.14, §21.5.7) --------------------------

@case
def bad_framing(env):
    """Two Content-Length values, SIP/3.0 and LF-only line ends, over UDP and TCP: each
    answered (400 with a Warning, 505 for the version) at once, never silence; a
    well-behaved client is served meanwhile."""
    proxy = Proxy(env).start()
    good = RawDatagrams(proxy, "127.0.0.2")
    served_options(good, "before")

    def refused(raw, data, code, what):
        raw.send(data)
        r, took = timed(lambda: raw.response(timeout=3))
        check(r is not None, f"{what}: no answer over {raw.transport}")
        check(r.code == code, f"{what} over {raw.transport}: {r.start} (expected {code})")
        check(code == 505 or r.get("Warning"), f"{what}: 400 without a Warning")
        log(f"{what} over {raw.transport}: {r.code} ({r.get('Warning')}) "
            f"in {took * 1000:.0f} ms")

    for transport in ("udp", "tcp"):
        def fresh():
            return RawDatagrams(proxy) if transport == "udp" else RawStream(proxy, proxy.port)
        raw = fresh()
        msg = raw.request("MESSAGE", f"sip:bob@{DOMAIN}", ["Content-Type: text/plain"], "hi!")
        two = msg.replace("Content-Length: 3", "Content-Length: 3\r\nContent-Length: 2")
        refused(raw, two, 400, "two Content-Length values")
        raw = fresh() if transport == "tcp" else raw
        v3 = raw.request("OPTIONS", f"sip:{DOMAIN}", []).replace(" SIP/2.0\r\n", " SIP/3.0\r\n",
                                                                 1)
        refused(raw, v3, 505, "SIP/3.0")
        raw = fresh() if transport == "tcp" else raw
        lf = raw.request("OPTIONS", f"sip:{DOMAIN}", []).replace("\r\n", "\n")
        refused(raw, lf, 400, "LF-only line ends")
        served_options(good, f"after the bad {transport.upper()} framing")
    stream = RawStream(proxy, proxy.port, "127.0.0.2")
    served_register(stream, "carol", "after the bad framing")
    proxy.stop()


# --- TLS (RFC 3261 §26, RFC 5630) -----------------------------------------------

@case
def tls_register_and_deliver(env):
    """Bob registers over TLS (the proxy's certificate checked against a CA made for the
    test); a message stored for him while away reaches him over TLS, on the connection
    he registered over (Via says TLS), and is erased once he answers."""
    proxy, tls_port, ca = tls_proxy(env)
    r = ua_send(env, proxy, "alice", "bob", "--text", "over tls", "--store=store-and-forward",
                timeout=30)
    check(r.final_code() == 202, f"alice's message was not stored: {r}")
    bob = RawStream(proxy, tls_port, "127.0.0.2", tls=client_context(ca))
    check(bob.sock.version() in ("TLSv1.2", "TLSv1.3"), f"TLS version {bob.sock.version()}")
    served_register(bob, "bob", "over TLS")
    data = None
    end = time.time() + 10
    while time.time() < end:
        data = bob.recv(timeout=max(0.1, end - time.time()))
        if data is None or data.startswith(b"MESSAGE "):
            break
    check(data is not None and data.startswith(b"MESSAGE "),
          "the stored message did not arrive over TLS")
    check(b"\r\nVia: SIP/2.0/TLS " in data, f"delivered without a TLS Via:\n{data[:600]!r}")
    check(data.endswith(b"over tls"), f"unexpected body: {data[-60:]!r}")
    answer_ok(bob, data)
    # Answered: no second delivery of the same message.
    again = bob.recv(timeout=2)
    check(again is None or not again.startswith(b"MESSAGE "), "delivered twice")
    proxy.stop()


def ua_ping_tls(env, tls_port, *ca):
    cmd = [env.ua_bin, "ping", "--proxy", f"127.0.0.1:{tls_port}", "--domain", DOMAIN,
           "--transport", "tls", "--timeout", "3"] + list(ca)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=30)


@case
def tls_ua_listens_over_tls(env):
    """sipsaf-ua --transport tls --ca: bob listens over TLS and receives a message
    stored for him while away, then one sent live."""
    proxy, tls_port, ca = tls_proxy(env)
    r = ua_send(env, proxy, "alice", "bob", "--text", "stored, then tls",
                "--store=store-and-forward", timeout=30)
    check(r.final_code() == 202, f"alice's message was not stored: {r}")
    # The Listener reaches the proxy at its TLS address.
    over_tls = types.SimpleNamespace(address=f"127.0.0.1:{tls_port}", domain=proxy.domain)
    bob = Listener(env, over_tls, "bob", "--ca", ca, "--count", "2", "--timeout", "15",
                   transport="tls")
    first = bob.wait_messages(1, timeout=10)
    check(len(first) == 1 and first[0].get("text") == "stored, then tls",
          f"the stored message did not reach bob over TLS:\n{bob.output()}")
    r = ua_send(env, proxy, "alice", "bob", "--text", "live over tls", timeout=30)
    msgs = bob.wait_messages(2, timeout=10)
    bob.stop()
    check(len(msgs) == 2 and msgs[1].get("text") == "live over tls",
          f"the live message did not reach bob over TLS:\n{bob.output()}")
    check("TLS" in proxy.log_text(), "the proxy's log does not mention TLS")
    proxy.stop()


@case
def tls_client_without_ca(env):
    """A client that does not trust the test CA refuses the proxy's certificate (the
    Python client and sipsaf-ua alike); with the CA the same client gets in; TLS 1.1
    is refused by the proxy."""
    proxy, tls_port, ca = tls_proxy(env)
    r = ua_ping_tls(env, tls_port)
    check(r.returncode != 0, f"sipsaf-ua without --ca accepted the proxy's certificate:\n"
          f"{r.stdout}{r.stderr}")
    log(f"sipsaf-ua without --ca: exit {r.returncode}: {r.stderr.strip()}")
    r = ua_ping_tls(env, tls_port, "--ca", ca)
    check(r.returncode == 0, f"sipsaf-ua with --ca failed:\n{r.stdout}{r.stderr}")
    try:
        RawStream(proxy, tls_port, tls=ssl.create_default_context())
        check(False, "a client without the CA accepted the proxy's certificate")
    except ssl.SSLCertVerificationError as e:
        log(f"without the CA: refused ({e.verify_message})")
    old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    old.check_hostname = False
    old.verify_mode = ssl.CERT_NONE
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            old.minimum_version = ssl.TLSVersion.TLSv1_1
            old.maximum_version = ssl.TLSVersion.TLSv1_1
        old.set_ciphers("DEFAULT:@SECLEVEL=0")
        RawStream(proxy, tls_port, tls=old)
        check(False, "the proxy accepted TLS 1.1")
    except (ssl.SSLError, OSError) as e:
        log(f"TLS 1.1: refused ({e})")
    good = RawStream(proxy, tls_port, "127.0.0.2", tls=client_context(ca))
    served_register(good, "carol", "over TLS with the CA")
    proxy.stop()


@case
def transport_log_flood(env):
    """What a stranger makes the transports log is rate-limited too: 2 s of TCP
    connections each closed for bad framing, and of requests from UDP ports closed
    at once (each answer comes back as ICMP port unreachable), write a bounded log
    with counts of what was left out; a well-behaved client is served meanwhile."""
    proxy = Proxy(env).start()
    good = RawDatagrams(proxy, "127.0.0.2")
    served_options(good, "before")
    size0 = os.path.getsize(proxy.log_path)
    opened = sent = 0
    start = time.time()
    while time.time() - start < 2 and opened < 3000:
        try:
            s = socket.create_connection(("127.0.0.1", proxy.port), timeout=1,
                                         source_address=("127.0.0.3", 0))
            s.sendall(b"OPTIONS sip:x SIP/2.0\r\nContent-Length: nope\r\n\r\n")
            s.close()
            opened += 1
        except OSError:
            pass
        u = RawDatagrams(proxy, "127.0.0.4")
        u.send(u.request("OPTIONS", f"sip:{DOMAIN}", []))
        u.close()
        sent += 1
    served_options(good, "during the flood")
    time.sleep(1.5)
    served_options(good, "after the flood")
    grown = os.path.getsize(proxy.log_path) - size0
    log(f"{opened} badly framed connections and {sent} datagrams from closed ports in 2 s: "
        f"the log grew by {grown} bytes")
    check(grown < 100 * 1024, f"the log grew by {grown} bytes under the flood")
    check("not logged" in proxy.log_text(), "no count of the lines left out")
    proxy.stop()


@case
def udp_errors_of_others(env):
    """Requests from UDP ports that close at once make each answer bounce (ICMP port
    unreachable). The error is the stranger's: the answers to a well-behaved client
    sent right after must still go out, the first time, and its contact is not taken
    for unreachable."""
    proxy = Proxy(env).start()
    good = RawDatagrams(proxy, "127.0.0.2")
    served_options(good, "before")
    lost = 0
    rounds = 100
    for i in range(rounds):
        u = RawDatagrams(proxy, "127.0.0.4")
        u.send(u.request("OPTIONS", f"sip:{DOMAIN}", []))
        u.close()
        # Read in the same batch: the answer to the stranger bounces before the
        # good client's answer is sent.
        good.send(good.request("OPTIONS", f"sip:{DOMAIN}", [], cseq=i + 2))
        if good.response(timeout=0.5) is None:
            lost += 1
    log(f"{rounds} OPTIONS from a well-behaved client, each after a stranger's request from "
        f"a closed port: {lost} answers lost")
    check(lost == 0, f"{lost} of {rounds} answers to the well-behaved client were lost")
    proxy.stop()


if __name__ == "__main__":
    raise SystemExit(main(CASES))
