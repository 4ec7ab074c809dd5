#!/usr/bin/env python3
"""End-to-end cases for sipsaf-proxy: sipsaf-ua, sipp and sipsak on loopback.

    cases.py CASE --proxy PATH --ua PATH --port BASE [--work DIR] [--keep]
    cases.py list

Exit 0: pass, 1: fail, 77: skipped (a program is missing).
"""

import hashlib
import os
import random
import re
import signal
import socket
import subprocess
import time

from harness import (DOMAIN, PASSWORDS, Failure, Listener, Proxy, RawSip, SippRun, check,
                     log, main, parse_challenge, rand, register_raw, sipp, sipp_trace,
                     split_message, ua_send)

HERE = os.path.dirname(os.path.abspath(__file__))
PHOTO = os.path.join(HERE, "..", "..", "examples", "demo", "photo.jpg")

CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def expect_code(result, code, what):
    check(result.final_code() == code,
          f"{what}: expected a final {code}, got {result.codes()}\n{result}")


def attachment_parts(message):
    return [p for p in message.get("parts", []) if not p.get("text")]


# --- the demo's rows --------------------------------------------------------------

def store_and_forward(env, transport):
    """Bob offline; Alice sends a text with a JPEG, store-and-forward + notify: 202.
    Bob registers: he gets the text and the JPEG byte for byte; Alice gets the IMDN."""
    proxy = Proxy(env).start()
    alice = ua_send(env, proxy, "alice", "bob", "--text", "Hello Bob, the photo from Sunday",
                    "--attach", PHOTO, "--store=store-and-forward", "--notify",
                    "--wait-imdn", "30", transport=transport, background=True)
    # The 202 comes before Bob is online; the IMDN after.
    time.sleep(0.2)
    deadline = time.time() + 10
    while time.time() < deadline and "202" not in proxy.log_text() and \
            alice.proc.poll() is None:
        time.sleep(0.1)
    bob = Listener(env, proxy, "bob", "--count", "1", "--timeout", "20", transport=transport)
    msgs = bob.wait_messages(1, timeout=20)
    rc = bob.stop()
    check(len(msgs) == 1, f"Bob got {len(msgs)} messages, expected 1:\n{bob.output()}\n"
          f"--- proxy\n{proxy.log_tail()}")
    m = msgs[0]
    check(m["text"] == "Hello Bob, the photo from Sunday", f"text: {m['text']!r}")
    check("store-and-forward-if-not-reached" in m["request_disposition"].lower(),
          f"Request-Disposition not kept: {m['request_disposition']!r}")
    check(m["date"], "the stored message lost its Date")
    check("alice@" + DOMAIN in m["from"], f"From: {m['from']}")
    files = attachment_parts(m)
    check(len(files) == 1, f"attachments: {files}")
    check(files[0]["type"] == "image/jpeg", f"type {files[0]['type']}")
    check(files[0]["filename"] == "photo.jpg", f"filename {files[0]['filename']}")
    check(sha256_file(files[0]["saved"]) == sha256_file(PHOTO),
          "the JPEG Bob saved differs from the one Alice sent")
    check(rc == 0, f"sipsaf-ua listen exited {rc}")
    r = alice.wait()
    expect_code(r, 202, "Alice's message to offline Bob")
    notes = r.of("notification")
    check(any(n["status"] == "delivered" for n in notes),
          f"Alice got no 'delivered' notification: {notes}\n{r}\n--- proxy\n{proxy.log_tail()}")
    check(r.rc == 0, f"sipsaf-ua send exited {r.rc}")
    proxy.stop()


@case
def demo_store_and_forward_udp(env):
    store_and_forward(env, "udp")


@case
def demo_store_and_forward_tcp(env):
    store_and_forward(env, "tcp")


@case
def demo_do_not_store(env):
    """Bob offline; an instant message (do-not-store) is refused 480 and never delivered."""
    proxy = Proxy(env).start()
    r = ua_send(env, proxy, "alice", "bob", "--text", "Are you there?", "--store=do-not-store")
    expect_code(r, 480, "do-not-store to offline Bob")
    check(r.rc == 1, f"sipsaf-ua send should exit 1 on 480, got {r.rc}")
    bob = Listener(env, proxy, "bob", "--timeout", "2")
    bob.stop(timeout=10)
    check(not bob.messages(), f"Bob got a message that was not to be stored:\n{bob.output()}")
    proxy.stop()


@case
def live_delivery(env):
    """Bob online: MESSAGE, INFO and INVITE reach him at once and his 200 comes back."""
    proxy = Proxy(env).start()
    bob = Listener(env, proxy, "bob")
    for method in ("MESSAGE", "INFO", "INVITE"):
        r = ua_send(env, proxy, "alice", "bob", "--method", method, "--text",
                    f"live {method}", "--store=store-and-forward")
        expect_code(r, 200, f"{method} to online Bob")
    msgs = bob.wait_messages(3, timeout=10)
    bob.stop()
    check([m["method"] for m in msgs] == ["MESSAGE", "INFO", "INVITE"],
          f"Bob got {[m['method'] for m in msgs]}:\n{bob.output()}")
    check([m["text"] for m in msgs] == ["live MESSAGE", "live INFO", "live INVITE"],
          f"texts {[m['text'] for m in msgs]}")
    proxy.stop()


@case
def stored_invite_and_info(env):
    """INVITE and INFO with a body to offline Bob are stored (202) and delivered as
    MESSAGE requests with the original body and Content-Type."""
    proxy = Proxy(env).start()
    for method in ("INVITE", "INFO"):
        r = ua_send(env, proxy, "alice", "bob", "--method", method, "--text",
                    f"stored {method}", "--store=store-and-forward")
        # A 2xx to INVITE would open a dialog (RFC 3261 §13.2.2.4): the proxy may
        # say "stored" with a 480 whose reason tells it instead.
        code = r.final_code()
        check(code == 202 or (method == "INVITE" and code == 480),
              f"{method} to offline Bob: expected 202 (or 480 for INVITE), got {r.codes()}")
    bob = Listener(env, proxy, "bob", "--count", "2", "--timeout", "20")
    msgs = bob.wait_messages(2, timeout=20)
    bob.stop()
    check(sorted(m["text"] for m in msgs) == ["stored INFO", "stored INVITE"],
          f"Bob got {[m['text'] for m in msgs]}:\n{bob.output()}")
    check(all(m["content_type"].lower().startswith("text/plain") for m in msgs),
          f"types {[m['content_type'] for m in msgs]}")
    proxy.stop()


@case
def order_and_memory_store(env):
    """With --store memory: five stored messages arrive in the order they were sent."""
    proxy = Proxy(env, store="memory").start()
    for i in range(5):
        r = ua_send(env, proxy, "alice", "bob", "--text", f"number {i}",
                    "--store=store-and-forward")
        expect_code(r, 202, f"message {i}")
    bob = Listener(env, proxy, "bob", "--count", "5", "--timeout", "20")
    msgs = bob.wait_messages(5, timeout=20)
    bob.stop()
    check([m["text"] for m in msgs] == [f"number {i}" for i in range(5)],
          f"order: {[m['text'] for m in msgs]}\n{bob.output()}")
    proxy.stop()


@case
def durable_across_restart(env):
    """A stored message survives a clean restart (SIGTERM, exit 0) of the proxy."""
    proxy = Proxy(env).start()
    r = ua_send(env, proxy, "alice", "bob", "--text", "kept on disk", "--store=store-and-forward")
    expect_code(r, 202, "store to offline Bob")
    proxy.stop()
    proxy.start()
    bob = Listener(env, proxy, "bob", "--count", "1", "--timeout", "15")
    msgs = bob.wait_messages(1, timeout=15)
    bob.stop()
    check(len(msgs) == 1 and msgs[0]["text"] == "kept on disk",
          f"the stored message did not survive the restart:\n{bob.output()}")
    proxy.stop()


@case
def pull_mode(env):
    """`store` keeps the message for Bob to fetch (pull): it is not pushed when he
    registers; it is handed over when he asks (`sipsaf-ua listen --fetch`: an empty
    MESSAGE to his own address)."""
    proxy = Proxy(env).start()
    r = ua_send(env, proxy, "alice", "bob", "--text", "for you to fetch", "--store=store")
    expect_code(r, 202, "store (pull) to offline Bob")
    bob = Listener(env, proxy, "bob", "--timeout", "2")
    bob.wait(10)
    check(not bob.messages(), f"a pull message was pushed on REGISTER:\n{bob.output()}")
    bob = Listener(env, proxy, "bob", "--fetch", "--count", "1", "--timeout", "10")
    msgs = bob.wait_messages(1, timeout=10)
    bob.stop()
    fetched = bob.of("fetched")
    check(fetched and 200 <= fetched[0]["code"] < 300,
          f"Bob's fetch was not answered 2xx: {fetched}\n{bob.output()}")
    check(len(msgs) == 1 and msgs[0]["text"] == "for you to fetch",
          f"Bob got {[m['text'] for m in msgs]} after fetching:\n{bob.output()}\n"
          f"--- proxy\n{proxy.log_tail()}")
    proxy.stop()


@case
def expiry(env):
    """A message whose lifetime (Expires: 2) ends before Bob comes back is removed,
    never delivered, and Alice is told it failed."""
    proxy = Proxy(env).start()
    alice = ua_send(env, proxy, "alice", "bob", "--text", "only for two seconds",
                    "--store=store-and-forward", "--notify", "--expires", "2",
                    "--wait-imdn", "20", background=True)
    r = alice.wait()
    expect_code(r, 202, "short-lived message")
    notes = r.of("notification")
    check(any(n["status"] in ("failed", "expired") for n in notes),
          f"Alice was not told of the expiry: {notes}\n{r}\n--- proxy\n{proxy.log_tail()}")
    bob = Listener(env, proxy, "bob", "--timeout", "2")
    bob.stop()
    check(not bob.messages(), f"Bob got an expired message:\n{bob.output()}")
    proxy.stop()


@case
def retry_after_failed_delivery(env):
    """Bob's phone refuses the first delivery (480): the proxy tries again (--retry 1)
    and the second attempt is delivered, once."""
    proxy = Proxy(env, retry=1).start()
    r = ua_send(env, proxy, "alice", "bob", "--text", "try again", "--store=store-and-forward")
    expect_code(r, 202, "message to offline Bob")
    bob = Listener(env, proxy, "bob", "--fail-first", "1", "--fail-code", "480",
                   "--count", "1", "--timeout", "30")
    msgs = bob.wait_messages(1, timeout=30)
    bob.stop()
    check(len(bob.of("refused")) == 1, f"Bob refused {len(bob.of('refused'))} times:\n"
          f"{bob.output()}\n--- proxy\n{proxy.log_tail()}")
    check(len(msgs) == 1 and msgs[0]["text"] == "try again",
          f"not delivered on retry:\n{bob.output()}\n--- proxy\n{proxy.log_tail()}")
    check(not bob.of("duplicate"), "delivered twice")
    proxy.stop()


@case
def forwarding_profile(env):
    """Bob's profile forwards to Carol: a message for offline Bob reaches Carol (202)."""
    profiles = f"[bob]\nstore-and-forward = forward:sip:carol@{DOMAIN}\n"
    proxy = Proxy(env, profiles=profiles).start()
    carol = Listener(env, proxy, "carol")
    r = ua_send(env, proxy, "alice", "bob", "--text", "for Bob, via Carol",
                "--store=store-and-forward")
    expect_code(r, 202, "message to offline Bob with a forwarding profile")
    msgs = carol.wait_messages(1, timeout=15)
    carol.stop()
    check(len(msgs) == 1 and msgs[0]["text"] == "for Bob, via Carol",
          f"Carol got {[m['text'] for m in msgs]}:\n{carol.output()}\n"
          f"--- proxy\n{proxy.log_tail()}")
    proxy.stop()


@case
def profile_refuses_media_type(env):
    """Bob accepts text only: a JPEG for him is refused 415 with an Accept list; a text
    is stored."""
    profiles = "[bob]\nstore-and-forward = yes\naccepts = text/plain\n"
    proxy = Proxy(env, profiles=profiles).start()
    r = ua_send(env, proxy, "alice", "bob", "--body-file", PHOTO, "--store=store-and-forward")
    expect_code(r, 415, "a JPEG for text-only Bob")
    accept = [e.get("accept", "") for e in r.of("response") if e["code"] == 415]
    check(accept and "text/plain" in accept[0], f"415 without Accept: text/plain: {r}")
    r = ua_send(env, proxy, "alice", "bob", "--text", "words only", "--store=store-and-forward")
    expect_code(r, 202, "a text for text-only Bob")
    proxy.stop()


@case
def profile_refuses_storing(env):
    """Bob's profile says no storing: a message for him while offline is refused 480."""
    proxy = Proxy(env, profiles="[bob]\nstore-and-forward = no\n").start()
    r = ua_send(env, proxy, "alice", "bob", "--text", "hello", "--store=store-and-forward")
    expect_code(r, 480, "message for Bob whose profile forbids storing")
    proxy.stop()


@case
def profiles_reload_on_sighup(env):
    """SIGHUP rereads the profiles file: Bob's storing switched on without a restart."""
    proxy = Proxy(env, profiles="[bob]\nstore-and-forward = no\n").start()
    r = ua_send(env, proxy, "alice", "bob", "--text", "one", "--store=store-and-forward")
    expect_code(r, 480, "before the reload")
    with open(proxy.profiles_file, "w") as f:
        f.write("[bob]\nstore-and-forward = yes\n")
    proxy.hup()
    time.sleep(0.5)
    r = ua_send(env, proxy, "alice", "bob", "--text", "two", "--store=store-and-forward")
    expect_code(r, 202, "after the reload")
    proxy.stop()


@case
def notify_mode(env):
    """--notify notify: the sender is told with the NOTIFY 'message has been delivered'."""
    proxy = Proxy(env, notify="notify").start()
    alice = ua_send(env, proxy, "alice", "bob", "--text", "tell me", "--store=store-and-forward",
                    "--notify", "--wait-imdn", "30", background=True)
    time.sleep(1.0)
    bob = Listener(env, proxy, "bob", "--count", "1", "--timeout", "20")
    bob.wait_messages(1, timeout=20)
    bob.stop()
    r = alice.wait()
    expect_code(r, 202, "message to offline Bob")
    notes = r.of("notification")
    check(any(n["kind"] == "notify" and n["status"] == "delivered" for n in notes),
          f"no NOTIFY 'delivered': {notes}\n{r}\n--- proxy\n{proxy.log_tail()}")
    proxy.stop()


# --- digest authentication -----------------------------------------------------------

@case
def digest_no_credentials(env):
    """REGISTER without credentials: 401 with MD5 alone by default (what every client
    speaks), and in the operator's order when configured (SHA-256 first, RFC 8760 §2.4);
    sipsaf-ua without a password cannot register."""
    plain = Proxy(env).start()
    raw = RawSip(plain)
    raw.send(raw.request("REGISTER", f"sip:{DOMAIN}",
                         [f"Contact: <sip:bob@127.0.0.1:{raw.port}>", "Expires: 60"],
                         from_user="bob", to_uri=f"sip:bob@{DOMAIN}"))
    r = raw.response()
    algs = [parse_challenge(v).get("algorithm", "MD5").upper() for v in r.all("WWW-Authenticate")]
    check(algs == ["MD5"], f"default challenges: {algs}")
    raw.close()
    plain.stop()
    proxy = Proxy(env, extra=["--digest-algorithms", "sha-256,md5"]).start()
    raw = RawSip(proxy)
    raw.send(raw.request("REGISTER", f"sip:{DOMAIN}",
                         [f"Contact: <sip:bob@127.0.0.1:{raw.port}>", "Expires: 60"],
                         from_user="bob", to_uri=f"sip:bob@{DOMAIN}"))
    r = raw.response()
    check(r is not None and r.code == 401, f"expected 401, got {r and r.start}")
    algs = [parse_challenge(v).get("algorithm", "MD5").upper() for v in r.all("WWW-Authenticate")]
    check("SHA-256" in algs and "MD5" in algs and algs.index("SHA-256") < algs.index("MD5"),
          f"challenges offered: {algs}")
    for v in r.all("WWW-Authenticate"):
        ch = parse_challenge(v)
        check(ch.get("realm") == DOMAIN, f"realm {ch.get('realm')}")
        check(len(ch.get("nonce", "")) >= 16, f"short nonce {ch.get('nonce')}")
    # Two challenges never share a nonce (CSPRNG).
    raw.send(raw.request("REGISTER", f"sip:{DOMAIN}",
                         [f"Contact: <sip:bob@127.0.0.1:{raw.port}>", "Expires: 60"],
                         from_user="bob", to_uri=f"sip:bob@{DOMAIN}"))
    r2 = raw.response()
    n1 = {parse_challenge(v)["nonce"] for v in r.all("WWW-Authenticate")}
    n2 = {parse_challenge(v)["nonce"] for v in r2.all("WWW-Authenticate")}
    check(not (n1 & n2), "a nonce was handed out twice")
    raw.close()
    bob = Listener(env, proxy, "bob", "--timeout", "5", password=None, register=False)
    rc = bob.wait()
    check(rc == 4 and not bob.of("registered"),
          f"registered without a password (exit {rc}):\n{bob.output()}")
    proxy.stop()


@case
def digest_wrong_password(env):
    """A wrong password is refused (no 2xx), with MD5 and with SHA-256, over UDP and TCP."""
    proxy = Proxy(env, extra=["--digest-algorithms", "sha-256,md5"]).start()
    for alg in ("md5", "sha-256"):
        for transport in ("udp", "tcp"):
            bob = Listener(env, proxy, "bob", "--algorithm", alg, "--timeout", "5",
                           password="not-the-password", transport=transport, register=False)
            rc = bob.wait()
            check(rc == 4 and not bob.of("registered"),
                  f"{alg}/{transport}: registered with a wrong password (exit {rc}):\n"
                  f"{bob.output()}")
    # And the right one works with each algorithm.
    for alg in ("md5", "sha-256"):
        bob = Listener(env, proxy, "bob", "--algorithm", alg, "--timeout", "1")
        check(bob.stop() == 0, f"{alg}: Bob could not register:\n{bob.output()}")
    proxy.stop()


@case
def digest_replayed_nonce(env):
    """An Authorization that worked once (same nonce, same nonce-count) is refused
    when sent again in a new request (RFC 2617 §3.2.2: replay protection)."""
    proxy = Proxy(env, extra=["--digest-algorithms", "sha-256,md5"]).start()
    for alg in (("MD5",), ("SHA-256",)):
        raw = RawSip(proxy)
        r, auth, req = register_raw(raw, "bob", PASSWORDS["bob"], alg_pref=alg)
        check(r is not None and r.code == 200, f"{alg[0]}: the first REGISTER got "
              f"{r and r.start}\n{proxy.log_tail()}")
        # The same credentials in a new transaction (new branch, higher CSeq).
        replay = re.sub(r"branch=z9hG4bK\w+", "branch=z9hG4bK" + rand(), req)
        replay = replay.replace("CSeq: 2 REGISTER", "CSeq: 3 REGISTER")
        raw.send(replay)
        r2 = raw.response()
        check(r2 is not None and r2.code in (401, 403, 407),
              f"{alg[0]}: a replayed Authorization got {r2 and r2.start}")
        raw.close()
    proxy.stop()


@case
def security_cannot_register_as_bob(env):
    """Mallory cannot register as Bob: not with a guessed password, not with his own
    (valid) credentials, not without credentials; Bob's stored message stays his."""
    proxy = Proxy(env).start()
    r = ua_send(env, proxy, "alice", "bob", "--text", "for Bob's eyes only",
                "--store=store-and-forward")
    expect_code(r, 202, "message for offline Bob")
    raw = RawSip(proxy)
    for who, password in (("bob", "builder1"), ("mallory", PASSWORDS["mallory"]),
                          ("alice", PASSWORDS["alice"])):
        resp, _, _ = register_raw(raw, "bob", password, auth_user=who)
        check(resp is not None and not (200 <= resp.code < 300),
              f"registering as Bob with {who}'s credentials got {resp and resp.start}")
    # Mallory's own agent, claiming to be Bob with Mallory's password.
    m = Listener(env, proxy, "bob", "--timeout", "3", password=PASSWORDS["mallory"],
                 register=False)
    m.wait()
    check(not m.of("registered") and not m.messages(),
          f"Mallory registered as Bob:\n{m.output()}")
    time.sleep(0.5)
    try:
        raw.sock.settimeout(0.5)
        data = raw.sock.recv(65535)
    except socket.timeout:
        data = b""
    check(b"for Bob's eyes only" not in data, "Bob's message went to Mallory's socket")
    raw.close()
    bob = Listener(env, proxy, "bob", "--count", "1", "--timeout", "15")
    msgs = bob.wait_messages(1, timeout=15)
    bob.stop()
    check(len(msgs) == 1 and msgs[0]["text"] == "for Bob's eyes only",
          f"Bob did not get his message:\n{bob.output()}")
    proxy.stop()


# --- real clients: sipp and sipsak ------------------------------------------------

@case
def sipp_multipart_store_then_register(env):
    """sipp sends a MESSAGE with Request-Disposition and a multipart body to offline
    Bob (202); then sipp registers as Bob with MD5 digest and a sipp phone at his
    contact receives the message, the headers and the body intact (checked by sipp,
    then byte for byte here); then sipp un-registers him."""
    env.need("sipp")
    proxy = Proxy(env).start()
    sender = sipp(env, "message_multipart_uac.xml", proxy, "-s", "bob", "-au", "alice",
                  "-ap", PASSWORDS["alice"], name="sender")
    phone_port = env.port()
    phone = SippRun(env, "receive_message_uas.xml", proxy, local_port=phone_port,
                    name="phone", timeout=30)
    time.sleep(0.3)
    sipp(env, "register_uac.xml", proxy, "-s", "bob", "-au", "bob", "-ap", PASSWORDS["bob"],
         "-key", "contact_port", str(phone_port), "-key", "expires", "60", name="register")
    phone.wait()
    sipp(env, "register_uac.xml", proxy, "-s", "bob", "-au", "bob", "-ap", PASSWORDS["bob"],
         "-key", "contact_port", str(phone_port), "-key", "expires", "0", name="unregister")
    sent = [t for d, t in sender.trace() if d == "sent" and t.startswith("MESSAGE ")][-1]
    got = [t for d, t in phone.trace() if d == "received" and t.startswith("MESSAGE ")]
    check(got, "the phone's trace has no MESSAGE")
    _, sent_h, sent_body = split_message(sent)
    _, got_h, got_body = split_message(got[0])
    check(got_body == sent_body, f"the body changed on the way:\n--- sent\n{sent_body}\n"
          f"--- received\n{got_body}")

    def value(headers, name):
        return [v for n, v in headers if n.lower() == name.lower()]
    for name in ("Content-Type", "Request-Disposition", "Date"):
        check(value(got_h, name) == value(sent_h, name),
              f"{name}: sent {value(sent_h, name)}, received {value(got_h, name)}")
    check("sip:alice@example.test" in " ".join(value(got_h, "From")),
          f"From: {value(got_h, 'From')}")
    proxy.stop()


@case
def sipsak_register_and_message(env):
    """sipsak (MD5 digest only) registers as Bob, and sends a MESSAGE to offline Carol
    that is stored and delivered to her.

    Debian 12's sipsak 0.9.8.1 resolves the host of the URI it is given (so the
    domain here is 127.0.0.1), writes 5-digit ports short of their last digit (so
    the proxy listens on a 4-digit port), and crashes in its message mode (-M): the
    MESSAGE is sent from a file (-f), which sipsak sends and authenticates."""
    tool = env.need("sipsak")
    port = 9000 + env.port_base % 1000
    proxy = Proxy(env, domain="127.0.0.1", port=port).start()
    contact_port = port + 1
    reg = subprocess.run(
        [tool, "-U", "-C", f"sip:bob@127.0.0.1:{contact_port}", "-x", "60",
         "-s", f"sip:bob@127.0.0.1:{port}", "-a", PASSWORDS["bob"], "-u", "bob",
         "-l", str(port + 2), "-H", "127.0.0.1", "-i", "-vv"],
        capture_output=True, text=True, timeout=30)
    log(f"$ sipsak -U -s sip:bob@127.0.0.1:{port} -> exit {reg.returncode}")
    check(reg.returncode == 0, f"sipsak could not register as Bob (exit {reg.returncode}):\n"
          f"{reg.stdout}\n{reg.stderr}\n--- proxy\n{proxy.log_tail()}")
    check(re.search(r"REGISTER sip:bob@127.0.0.1 .*: 200", proxy.log_text()),
          "the proxy did not log Bob's registration by sipsak")
    body = "hello from sipsak"
    msg_file = env.write("sipsak-message.sip", (
        "MESSAGE sip:carol@127.0.0.1 SIP/2.0\r\n"
        f"From: <sip:alice@127.0.0.1>;tag={rand(8)}\r\n"
        "To: <sip:carol@127.0.0.1>\r\n"
        f"Call-ID: {rand()}@sipsak\r\n"
        "CSeq: 1 MESSAGE\r\n"
        "Max-Forwards: 70\r\n"
        "Request-Disposition: store-and-forward-if-not-reached\r\n"
        "Content-Type: text/plain\r\n"
        f"Content-Length: {len(body)}\r\n\r\n{body}"))
    shot = subprocess.run(
        [tool, "-f", msg_file, "-s", f"sip:carol@127.0.0.1:{port}", "-a", PASSWORDS["alice"],
         "-u", "alice", "-l", str(port + 3), "-H", "127.0.0.1", "-vv"],
        capture_output=True, text=True, timeout=30)
    log(f"$ sipsak -f message -> exit {shot.returncode}")
    check("SIP/2.0 202" in shot.stdout,
          f"sipsak's MESSAGE was not answered 202 (exit {shot.returncode}):\n{shot.stdout}\n"
          f"{shot.stderr}\n--- proxy\n{proxy.log_tail()}")
    carol = Listener(env, proxy, "carol", "--count", "1", "--timeout", "15")
    msgs = carol.wait_messages(1, timeout=15)
    carol.stop()
    check(len(msgs) == 1 and msgs[0]["text"] == body,
          f"Carol did not get sipsak's message:\n{carol.output()}")
    proxy.stop()


# --- no loss under faults ------------------------------------------------------------

@case
def no_loss_after_sigkill(env):
    """sipp sends 400 MESSAGEs to four offline users at 100/s; the proxy is killed
    with SIGKILL part-way and restarted; the users register: every message that got
    a 202 is delivered, none twice."""
    env.need("sipp")
    users = {"alice": PASSWORDS["alice"], "u1": "pw-u1", "u2": "pw-u2", "u3": "pw-u3",
             "u4": "pw-u4"}
    profiles = "[default]\nquota-messages = 100000\nquota-bytes = 1000000000\n"
    proxy = Proxy(env, users=users, profiles=profiles, retry=1).start()
    inf = env.write("users.csv", "SEQUENTIAL\n" + "".join(f"u{i};\n" for i in range(1, 5)))
    total, rate = 400, 100
    sipp_port = env.port()
    here = os.path.dirname(os.path.abspath(__file__))
    trace_dir = env.path("load")
    os.makedirs(trace_dir)
    cmd = [env.need("sipp"), proxy.address, "-sf", os.path.join(here, "sipp",
           "message_load_uac.xml"), "-inf", inf, "-m", str(total), "-r", str(rate),
           "-l", "50", "-i", "127.0.0.1", "-p", str(sipp_port), "-nostdin",
           "-au", "alice", "-ap", users["alice"], "-trace_msg",
           "-message_file", os.path.join(trace_dir, "messages.log"),
           "-recv_timeout", "20000", "-timeout", "90"]
    load = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            cwd=trace_dir)
    env.children.append(load)
    time.sleep(1.6)
    accepted_before = len(accepted_call_ids(trace_dir))
    proxy.kill()
    log(f"killed the proxy with SIGKILL after {accepted_before} messages got 202")
    time.sleep(0.3)
    proxy.start()
    try:
        load.wait(120)
    except subprocess.TimeoutExpired:
        load.kill()
        raise Failure("sipp did not finish")
    accepted = accepted_call_ids(trace_dir)
    log(f"{len(accepted)} of {total} messages got 202")
    check(accepted_before > 0, "the proxy was killed before anything was stored")
    check(len(accepted) > accepted_before, "nothing was stored after the restart")
    listeners = [Listener(env, proxy, u, password=users[u]) for u in ("u1", "u2", "u3", "u4")]
    end = time.time() + 60
    delivered = []
    last_change, last_count = time.time(), -1
    while time.time() < end:
        delivered = [m["body"].strip() for l in listeners for m in l.messages()]
        if len(delivered) != last_count:
            last_change, last_count = time.time(), len(delivered)
        got = {b[5:] for b in delivered if b.startswith("load ")}
        if accepted <= got and time.time() - last_change > 2:
            break
        time.sleep(0.1)
    duplicates = sum(len(l.of("duplicate")) for l in listeners)
    for l in listeners:
        l.stop()
    got = [b[5:] for b in delivered if b.startswith("load ")]
    missing = accepted - set(got)
    twice = {c for c in got if got.count(c) > 1}
    log(f"delivered {len(got)} ({len(set(got))} distinct), missing {len(missing)}, "
        f"twice {len(twice)}, duplicate transactions {duplicates}")
    check(not missing, f"{len(missing)} messages that got 202 were lost, e.g. "
          f"{sorted(missing)[:5]}\n--- proxy\n{proxy.log_tail()}")
    check(not twice and duplicates == 0,
          f"{len(twice)} messages delivered twice, e.g. {sorted(twice)[:5]}")
    proxy.stop()


def accepted_call_ids(trace_dir):
    """Call-IDs of the MESSAGEs sipp saw answered 202 (from its message trace)."""
    ids = set()
    for d, text in sipp_trace(os.path.join(trace_dir, "messages.log")):
        if d == "received" and text.startswith("SIP/2.0 202"):
            m = re.search(r"(?im)^(?:call-id|i)\s*:\s*(\S+)", text)
            if m:
                ids.add(m.group(1))
    return ids


# --- bad input -------------------------------------------------------------------

def still_serving(env, proxy, what):
    """The proxy is alive and serves a normal register and a stored message."""
    check(proxy.alive(), f"the proxy died after {what}:\n{proxy.log_tail()}")
    r = ua_send(env, proxy, "alice", "carol", "--text", f"after {what}",
                "--store=store-and-forward", timeout=30)
    expect_code(r, 202, f"a normal message after {what}")
    carol = Listener(env, proxy, "carol", "--count", "1", "--timeout", "10", transport="tcp")
    msgs = carol.wait_messages(1, timeout=10)
    carol.stop()
    check(len(msgs) == 1 and msgs[0]["text"] == f"after {what}",
          f"Carol was not served after {what}:\n{carol.output()}")


@case
def bad_input_datagrams(env):
    """Garbage, truncated and oversized datagrams: each is answered 400/413 or dropped
    (and logged); the proxy keeps serving everyone else."""
    proxy = Proxy(env).start()
    raw = RawSip(proxy)
    logged_before = len(proxy.log_text().splitlines())
    rnd = random.Random(20240601)
    for _ in range(300):
        raw.send(bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 1400))))
    good = raw.request("MESSAGE", f"sip:bob@{DOMAIN}", ["Content-Type: text/plain"], "hi")
    samples = {
        "empty lines": "\r\n\r\n",
        "stray response": "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n",
        "truncated header": good[:60],
        "truncated body": good.replace("Content-Length: 2", "Content-Length: 200"),
        "bad CSeq": good.replace("CSeq: 1 MESSAGE", "CSeq: one MESSAGE"),
        # q above 1 (RFC 3261 §20.10): refused by validate(), which parse_message leaves out.
        "bad Contact": good.replace("Max-Forwards: 70",
                                    "Max-Forwards: 70\r\nContact: <sip:a@b>;q=1.5"),
        "bad start line": good.replace(" SIP/2.0\r\n", " SIP/7.0\r\n", 1),
        "NUL in header": good.replace("Max-Forwards: 70", "Max-Forwards: 7\x000"),
        "huge header": good.replace("Max-Forwards: 70",
                                    "Max-Forwards: 70\r\nX-Big: " + "x" * 64000),
        "many headers": good.replace("Max-Forwards: 70", "Max-Forwards: 70\r\n" +
                                     "".join(f"X-H{i}: v\r\n" for i in range(600))[:-2]),
        "no Via": "\r\n".join(l for l in good.split("\r\n") if not l.startswith("Via:")),
    }
    answers = {}
    for name, data in samples.items():
        raw.send(data.encode("latin-1"))
        r = raw.response(timeout=1)
        answers[name] = r.code if r else None
        valid = name == "huge header"
        check(valid or r is None or 400 <= r.code < 600, f"{name}: answered {r and r.start}")
    log(f"answers: {answers}")
    logged = len(proxy.log_text().splitlines()) - logged_before
    check(logged >= len(samples) - 2, f"the bad input was not logged ({logged} new lines)")
    for name in ("bad CSeq", "truncated body", "bad Contact"):
        check(answers[name] in (400, None), f"{name}: expected 400 or nothing, got "
              f"{answers[name]}")
    # 64 000 header bytes fit in a datagram and within the default header
    # limit (64 KiB): a valid request, answered as any other.
    raw.close()
    still_serving(env, proxy, "bad datagrams")
    proxy.stop()


@case
def bad_input_tcp(env):
    """Over TCP: a peer that never finishes its header, one that sends a byte at a
    time, one announcing a 100 MB body, one that closes mid-message, and stream
    garbage. The proxy answers or closes them and keeps serving everyone else."""
    proxy = Proxy(env).start()
    # Connections that never finish: a partial header held open.
    idle = []
    for i in range(40):
        s = socket.create_connection(("127.0.0.1", proxy.port), timeout=5)
        s.sendall(f"MESSAGE sip:bob@{DOMAIN} SIP/2.0\r\nVia: SIP/2.0/TCP 127.0".encode())
        idle.append(s)
    # A slow peer: a valid REGISTER, one byte every 10 ms, in the background.
    slow = RawSip(proxy, "tcp")
    slow_req = slow.request("REGISTER", f"sip:{DOMAIN}",
                            [f"Contact: <sip:bob@127.0.0.1:{slow.port};transport=tcp>"],
                            from_user="bob", to_uri=f"sip:bob@{DOMAIN}").encode()

    def trickle():
        try:
            for b in slow_req:
                slow.sock.sendall(bytes([b]))
                time.sleep(0.01)
        except OSError:
            pass
    import threading
    t = threading.Thread(target=trickle, daemon=True)
    t.start()
    # A 100 MB Content-Length: 413 (RFC 3261 §21.4.11) or the connection closed.
    big = RawSip(proxy, "tcp")
    big.send(big.request("MESSAGE", f"sip:bob@{DOMAIN}", ["Content-Type: text/plain"])
             .replace("Content-Length: 0", "Content-Length: 100000000") + "x" * 1000)
    r = big.response(timeout=3)
    check(r is None or r.code in (400, 413, 513), f"100 MB body: got {r and r.start}")
    big.close()
    # Closed mid-body.
    cut = RawSip(proxy, "tcp")
    cut.send(cut.request("MESSAGE", f"sip:bob@{DOMAIN}", ["Content-Type: text/plain"],
                         "0123456789").replace("Content-Length: 10", "Content-Length: 50"))
    cut.close()
    # Stream garbage.
    junk = RawSip(proxy, "tcp")
    junk.send(bytes(random.Random(7).randrange(256) for _ in range(5000)))
    junk.close()
    # Everyone else is served meanwhile (UDP and TCP).
    still_serving(env, proxy, "bad TCP peers")
    t.join(10)
    r = slow.response(timeout=5)
    log(f"the slow peer got {r and r.start}")
    check(r is None or r.code in (401, 400, 408), f"slow peer: {r and r.start}")
    slow.close()
    for s in idle:
        s.close()
    proxy.stop()


if __name__ == "__main__":
    raise SystemExit(main(CASES))
