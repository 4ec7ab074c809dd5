#!/usr/bin/env python3
"""sipsaf-proxy with the SIP clients people run, as Debian 12 ships them:
baresip 1.0, linphone-cli 5.1 and sipp 3.6, each against the proxy's default
settings on loopback. The evidence is each client's own output.

    cases.py CASE --proxy PATH --ua PATH --port BASE [--work DIR] [--keep]

Exit 0: pass, 1: fail, 77: skipped (a program is missing).
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))

from harness import (DOMAIN, PASSWORDS, Failure, Listener, Proxy, Skip, check, log,  # noqa: E402
                     main, sipp, ua_send)

CASES = {}

# A PNG with NUL bytes in it: what a phone's photo looks like to a parser.
PHOTO = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def need(tool, package):
    path = shutil.which(tool)
    if not path:
        raise Skip(f"{tool} is not installed (Debian: {package})")
    return path


class Client:
    """A client program in the background, its output collected line by line."""

    def __init__(self, env, name, cmd, proc_env=None):
        self.name = name
        self.lines = []
        self.cond = threading.Condition()
        self.log_path = env.path(f"{name}.out")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, errors="replace",
                                     env=proc_env, cwd=env.dir)
        env.children.append(self.proc)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        with open(self.log_path, "w") as logf:
            for line in self.proc.stdout:
                logf.write(line)
                logf.flush()
                with self.cond:
                    self.lines.append(line)
                    self.cond.notify_all()

    def output(self):
        with self.cond:
            return "".join(self.lines)

    def wait_for(self, text, timeout=10, after=0):
        """Until `text` appears in the output (past offset `after`); the output then."""
        end = time.time() + timeout
        with self.cond:
            while True:
                out = "".join(self.lines)
                if text in out[after:]:
                    return out
                left = end - time.time()
                if left <= 0 or self.proc.poll() is not None:
                    raise Failure(f"{self.name} did not print {text!r} within {timeout} s;"
                                         f" it printed:\n{out[-4000:]}")
                self.cond.wait(min(left, 0.2))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Baresip(Client):
    """baresip with a config folder of its own (-f): one account behind the proxy, a
    contacts list for the `message` command, and ctrl_tcp to give commands."""

    def __init__(self, env, proxy, user, contacts):
        need("baresip", "baresip-core")
        self.port = env.port()
        env.port()  # baresip also opens SIP over TLS on the next port
        self.ctrl_port = env.port()
        d = env.path(f"baresip-{user}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "config"), "w") as f:
            f.write(f"sip_listen 127.0.0.1:{self.port}\n"
                    "module_path /usr/lib/baresip/modules\n"
                    # stdio prints what arrives (it reads commands from a pipe here)
                    "module stdio.so\nmodule g711.so\nmodule aufile.so\nmodule contact.so\nmodule account.so\n"
                    "module_app menu.so\nmodule_app ctrl_tcp.so\n"
                    f"ctrl_tcp_listen 127.0.0.1:{self.ctrl_port}\n"
                    "audio_player aufile,/dev/null\naudio_source aufile,/dev/null\n"
                    "audio_alert aufile,/dev/null\n")
        with open(os.path.join(d, "accounts"), "w") as f:
            f.write(f"<sip:{user}@{DOMAIN};transport=udp>;auth_pass={PASSWORDS[user]};"
                    f"outbound=\"sip:{proxy.address}\";regint=60\n")
        with open(os.path.join(d, "contacts"), "w") as f:
            f.write("".join(f'"{c}" <sip:{c}@{DOMAIN}>\n' for c in contacts))
        super().__init__(env, f"baresip-{user}", ["baresip", "-f", d])

    def command(self, name, params=""):
        """One ctrl_tcp command (a JSON netstring); its answer."""
        s = socket.create_connection(("127.0.0.1", self.ctrl_port), timeout=5)
        try:
            body = json.dumps({"command": name, "params": params, "token": "t"})
            s.sendall(f"{len(body)}:{body},".encode())
            data = b""
            while b'"response":true' not in data:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
            return data.decode(errors="replace")
        finally:
            s.close()


class Linphone(Client):
    """linphonec with a scratch HOME (it opens no SIP port without
    $HOME/.local/share/linphone) and a configuration of its own; commands on stdin."""

    def __init__(self, env, proxy, user):
        need("linphonec", "linphone-cli")
        self.port = env.port()
        home = env.path(f"linphone-{user}")
        os.makedirs(os.path.join(home, ".local", "share", "linphone"), exist_ok=True)
        rc = os.path.join(home, "linphonerc")
        route = f"<sip:{proxy.address};transport=udp;lr>"
        with open(rc, "w") as f:
            f.write(f"[sip]\nsip_port={self.port}\nsip_tcp_port=-1\nsip_tls_port=-1\n"
                    f"default_proxy=0\n\n[proxy_0]\nreg_proxy={route}\nreg_route={route}\n"
                    f"reg_identity=sip:{user}@{DOMAIN}\nreg_expires=60\nreg_sendregister=1\n"
                    f"publish=0\n\n[auth_info_0]\nusername={user}\npasswd={PASSWORDS[user]}\n"
                    f"realm={DOMAIN}\ndomain={DOMAIN}\n")
        proc_env = dict(os.environ, HOME=home)
        super().__init__(env, f"linphone-{user}", ["linphonec", "-c", rc, "-S"], proc_env)

    def command(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.command("quit")
                self.proc.wait(10)
            except (OSError, subprocess.TimeoutExpired):
                pass
        super().stop()


def wait_registered(proxy, user, timeout=10):
    """Until the proxy's log shows `user` registered with a contact."""
    end = time.time() + timeout
    needle = f"REGISTER sip:{user}@{DOMAIN} "
    while time.time() < end:
        for line in proxy.log_text().splitlines():
            if needle in line and ": 200 (" in line and "+sip:" in line:
                return line
        time.sleep(0.1)
    raise Failure(f"{user} did not register:\n{proxy.log_tail()}")


def store_for(env, proxy, to, *args):
    r = ua_send(env, proxy, "alice", to, "--store=store-and-forward", *args)
    check(r.final_code() == 202, f"expected 202 (stored) for {to}, got {r.final_code()}:\n{r}")
    return r


def photo(env):
    path = env.path("photo.png")
    with open(path, "wb") as f:
        f.write(PHOTO)
    return path


@case
def baresip_messages(env):
    """baresip 1.0 registers as Bob with the default settings; shows a stored text; of a
    stored text + photo it gets the text (it answers 415 with Accept: text/plain and the
    proxy sends the text part again, with a line saying the photo was left out, and tells
    Alice so); sends a MESSAGE to Carol, offline (stored, then delivered to her), and one to
    Dave, online (delivered at once)."""
    proxy = Proxy(env).start()
    png = photo(env)
    store_for(env, proxy, "bob", "--text", "Stored hello from Alice")
    notified = ua_send(env, proxy, "alice", "bob", "--store=store-and-forward", "--notify",
                       "--wait-imdn", "25", "--text", "The photo from yesterday",
                       "--attach", png, background=True, timeout=40)
    time.sleep(1.5)  # Alice's message is stored and she is registered, waiting
    dave = Listener(env, proxy, "dave", "--count", "1")
    bs = Baresip(env, proxy, "bob", ["carol", "dave"])
    try:
        out = bs.wait_for("Stored hello from Alice", 15)
        check(f'sip:alice@{DOMAIN}: "Stored hello from Alice"' in out,
              f"baresip did not show the stored text as a message:\n{out[-3000:]}")
        out = bs.wait_for("The photo from yesterday", 15)
        out = bs.wait_for("The recipient accepts text/plain.]", 5)
        check('[Not delivered: image/png "photo.png" (' in out,
              f"baresip's text does not say what was left out:\n{out[-3000:]}")
        r = notified.wait()
        notes = r.of("notification")
        check(notes and notes[-1]["status"] == "delivered", f"Alice was not told:\n{r}")
        check("left out image/png" in notes[-1].get("note", ""),
              f"Alice's notification does not say what was left out:\n{r}")
        check("sent again cut down" in proxy.log_text(), "the proxy log has no trace of it")

        bs.command("message", "Hello Carol from baresip")  # Carol is offline: stored
        bs.command("contact_next")
        bs.command("message", "Hello Dave from baresip")  # Dave is online: delivered
        got = dave.wait_messages(1, timeout=10)
        check(got and got[0]["text"] == "Hello Dave from baresip",
              f"Dave did not get baresip's message:\n{dave.output()}")
        carol = Listener(env, proxy, "carol", "--count", "1")
        got = carol.wait_messages(1, timeout=10)
        check(got and got[0]["text"] == "Hello Carol from baresip",
              f"Carol did not get baresip's stored message:\n{carol.output()}")
        carol.stop()
    finally:
        bs.stop()
        dave.stop()
    log(bs.output()[-1500:])
    proxy.stop()


@case
def linphone_messages(env):
    """linphone-cli 5.1 registers as Carol with the default settings; shows a stored text
    and the text part of a stored text + photo (a binary part); sends a MESSAGE to Bob,
    offline (stored, then delivered), and one to Dave, online (delivered). Its own
    delivery IMDNs (deflated message/imdn+xml) reach Alice, whose agent reads them."""
    proxy = Proxy(env).start()
    png = photo(env)
    first = store_for(env, proxy, "carol", "--text", "Stored hello from Alice")
    store_for(env, proxy, "carol", "--text", "The photo from yesterday", "--attach", png)
    dave = Listener(env, proxy, "dave", "--count", "1")
    lp = Linphone(env, proxy, "carol")
    try:
        wait_registered(proxy, "carol")
        out = lp.wait_for(f"Message received from sip:alice@{DOMAIN}: Stored hello from Alice",
                          15)
        out = lp.wait_for(f"Message received from sip:alice@{DOMAIN}: The photo from yesterday",
                          15)
        check("ended with 415" not in proxy.log_text(), "linphone refused the multipart")
        lp.command(f"chat sip:bob@{DOMAIN} Hello Bob from linphone")  # Bob offline: stored
        lp.command(f"chat sip:dave@{DOMAIN} Hello Dave from linphone")  # Dave online
        got = dave.wait_messages(1, timeout=10)
        check(got and got[0]["text"] == "Hello Dave from linphone",
              f"Dave did not get linphone's message:\n{dave.output()}")
        bob = Listener(env, proxy, "bob", "--count", "1")
        got = bob.wait_messages(1, timeout=10)
        check(got and got[0]["text"] == "Hello Bob from linphone",
              f"Bob did not get linphone's stored message:\n{bob.output()}")
        bob.stop()
        # linphone answered each message with its own IMDN, stored for Alice.
        alice = Listener(env, proxy, "alice")
        call_id = first.of("request")[0]["call_id"]
        note = alice.wait_for(lambda e: e.get("event") == "notification" and
                              e.get("message_id") == call_id, timeout=10)
        check(note is not None and note["status"] == "delivered",
              f"Alice's agent did not read linphone's IMDN about {call_id}:\n{alice.output()}")
        alice.stop()
    finally:
        lp.stop()
        dave.stop()
    log(lp.output()[-1500:])
    proxy.stop()


@case
def text_only_phone_gets_the_text(env):
    """A phone that takes only text/plain (sipsaf-ua listen --accept text/plain, as baresip
    answers) gets a stored text + photo as the text and a line on the photo; the sender is
    told it was delivered and what was left out. A stored photo alone, with nothing the
    phone accepts, fails as before: the sender is told it failed."""
    proxy = Proxy(env).start()
    png = photo(env)
    mixed = ua_send(env, proxy, "alice", "bob", "--store=store-and-forward", "--notify",
                    "--wait-imdn", "15", "--text", "The photo from yesterday", "--attach", png,
                    background=True, timeout=30)
    alone = ua_send(env, proxy, "carol", "bob", "--store=store-and-forward", "--notify",
                    "--wait-imdn", "15", "--body-file", png, background=True, timeout=30)
    time.sleep(1.5)
    phone = Listener(env, proxy, "bob", "--accept", "text/plain")
    got = phone.wait_messages(1, timeout=10)
    check(got, f"the phone got nothing:\n{phone.output()}\n{proxy.log_tail()}")
    text = got[0]["text"]
    check(text.startswith("The photo from yesterday\r\n[Not delivered: image/png \"photo.png\" ("),
          f"the phone got: {text!r}")
    check(got[0]["content_type"].startswith("text/plain"), f"type {got[0]['content_type']}")
    r = mixed.wait()
    notes = r.of("notification")
    check(r.rc == 0 and notes and notes[-1]["status"] == "delivered", f"Alice:\n{r}")
    check("left out image/png" in notes[-1].get("note", ""), f"Alice's note:\n{r}")
    r = alone.wait()
    notes = r.of("notification")
    check(r.rc == 1 and notes and notes[-1]["status"] == "failed", f"Carol:\n{r}")
    refused = [e for e in phone.of("refused") if e["code"] == 415]
    check(len(refused) == 2, f"the phone refused {len(refused)} payloads:\n{phone.output()}")
    check("no part of the payload fits" in proxy.log_text(), proxy.log_tail())
    phone.stop()
    proxy.stop()


@case
def sipp_register_as_it_comes(env):
    """sipp 3.6 REGISTERs with no User-Agent, the Request-URI sip:DOMAIN and its own
    digest uri (the proxy's address, which is what sipp's [authentication] writes):
    registered with the default settings."""
    proxy = Proxy(env).start()
    contact_port = env.port()
    sipp(env, os.path.join(HERE, "sipp", "register_domain_uac.xml"), proxy, "-s", "bob",
         "-au", "bob", "-ap", PASSWORDS["bob"], "-key", "contact_port", str(contact_port),
         "-key", "expires", "60", name="register")
    line = wait_registered(proxy, "bob", timeout=2)
    log(line)
    proxy.stop()


@case
def digest_orders(env):
    """Which clients register under which --digest-algorithms orders (RFC 8760 §2.4: the
    challenges in the operator's order). Prints the table the proxy's README shows; checks
    that under the default (md5) every client registers, and that the clients that know
    SHA-256 (linphone, sipsaf-ua) register under every order."""
    need("baresip", "baresip-core")
    need("linphonec", "linphone-cli")
    need("sipp", "sip-tester")
    orders = ["md5", "md5,sha-256", "sha-256,md5", "sha-256"]
    table = {}
    for order in orders:
        proxy = Proxy(env, extra=["--digest-algorithms", order]).start()
        row = {}
        bs = Baresip(env, proxy, "bob", [])
        try:
            bs.wait_for("200 OK", 6)
            row["baresip 1.0"] = True
        except Failure:
            row["baresip 1.0"] = False
        bs.stop()
        lp = Linphone(env, proxy, "carol")
        try:
            wait_registered(proxy, "carol", 8)
            row["linphone 5.1"] = True
        except Failure:
            row["linphone 5.1"] = False
        lp.stop()
        run = sipp(env, os.path.join(HERE, "sipp", "register_domain_uac.xml"), proxy, "-s", "dave",
                   "-au", "dave", "-ap", PASSWORDS["dave"], "-key", "contact_port",
                   str(env.port()), "-key", "expires", "60", name=f"sipp-{order}", timeout=5,
                   check_rc=False)
        row["sipp 3.6"] = run.proc.returncode == 0
        ua = Listener(env, proxy, "alice", register=False)
        ev = ua.wait_for(lambda e: e.get("event") in ("registered", "error"), timeout=10)
        row["sipsaf-ua"] = ev is not None and ev["event"] == "registered"
        ua.stop()
        proxy.stop()
        table[order] = row
    clients = list(table["md5"])
    lines = ["| `--digest-algorithms` | " + " | ".join(clients) + " |",
             "|---|" + "---|" * len(clients)]
    for order in orders:
        lines.append(f"| `{order}` | " + " | ".join("registers" if table[order][c] else "refused"
                                                    for c in clients) + " |")
    log("\n".join(lines))
    check(all(table["md5"].values()), f"not every client registers under md5: {table['md5']}")
    for order in orders:
        check(table[order]["linphone 5.1"] and table[order]["sipsaf-ua"],
              f"a client that knows SHA-256 did not register under {order}: {table[order]}")


if __name__ == "__main__":
    sys.exit(main(CASES))
