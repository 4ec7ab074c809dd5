#!/usr/bin/env python3
"""sip_load (benchmarks/sip_load.cpp) against a real sipsaf-proxy with its
SQLite store: what the generator counts as stored must be in the store.

    SIPSAF_SIP_LOAD=PATH cases.py CASE --proxy PATH --ua PATH --port BASE [--work DIR] [--keep]

Exit 0: pass, 1: fail, 77: skipped (a program is not built).
"""

import os
import re
import sqlite3
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))

from harness import Listener, Proxy, Skip, check, log, main  # noqa: E402

MESSAGES = 300
SENDERS = 2
USERS = {"alice": "wonderland", **{f"u{i}": f"pw-u{i}" for i in range(5)}}


def run_load(env, proxy, auth, password="wonderland"):
    """Runs sip_load; returns (accepted, refused, retransmissions, unexpected,
    challenges answered)."""
    cmd = [env.load_bin, "--target", proxy.address, "--messages", str(MESSAGES),
           "--senders", str(SENDERS), "--window", "20", "--local-port", str(env.port()),
           "--users", "5", "--auth", auth, "--password", password]
    env.port()  # the second sender's port
    log("$ " + " ".join(cmd))
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=50)
    log(r.stdout.strip())
    log(r.stderr.strip())
    check(r.returncode == 0, f"sip_load exited with {r.returncode}")
    fields = r.stdout.split()
    check(len(fields) == 5, f"sip_load printed {r.stdout!r}, not 5 figures")
    m = re.search(r"(\d+) challenges answered", r.stderr)
    check(m is not None, "sip_load did not say how many challenges it answered")
    return tuple(int(f) for f in fields[1:]) + (int(m.group(1)),)


def stored(proxy):
    db = sqlite3.connect(proxy.db)
    try:
        return db.execute("SELECT count(*) FROM sipsaf_messages").fetchone()[0]
    finally:
        db.close()


def all_stored(env, auth):
    proxy = Proxy(env, users=USERS).start()
    accepted, refused, _, unexpected, challenges = run_load(env, proxy, auth)
    proxy.stop()
    check(accepted == MESSAGES and refused == 0 and unexpected == 0,
          f"{accepted} of {MESSAGES} stored, {refused} refused, {unexpected} unexpected")
    n = stored(proxy)
    check(n == MESSAGES, f"the store holds {n} messages, sip_load counted {MESSAGES} stored")
    return challenges


def auth_each(env):
    challenges = all_stored(env, "each")
    check(challenges == MESSAGES, f"{challenges} challenges answered for {MESSAGES} MESSAGEs")


def auth_reuse(env):
    # The proxy takes a nonce again with a higher nonce-count (RFC 7616
    # §3.4): one challenge per socket, unless a nonce went stale.
    challenges = all_stored(env, "reuse")
    check(challenges <= 2 * SENDERS, f"{challenges} challenges answered with nonces reused")


def wrong_password(env):
    proxy = Proxy(env, users=USERS).start()
    for auth in ("each", "reuse"):
        accepted, _, _, unexpected, _ = run_load(env, proxy, auth, password="not-wonderland")
        check(accepted == 0 and unexpected == MESSAGES,
              f"--auth {auth} with a wrong password: {accepted} stored, {unexpected} unexpected")
    proxy.stop()
    check(stored(proxy) == 0, "the store holds messages sent with a wrong password")


def deliveries_past_the_table(env):
    """More stored messages than the proxy keeps client transactions
    (--max-client-transactions 40): when the users register, their messages
    go out at the pace of the answers, the answered transactions forgotten
    oldest first to make room, not held back until the retry 30 s later."""
    proxy = Proxy(env, users=USERS, extra=["--max-client-transactions", "40"]).start()
    accepted, refused, _, unexpected, _ = run_load(env, proxy, "reuse")
    check(accepted == MESSAGES and refused == 0 and unexpected == 0,
          f"{accepted} of {MESSAGES} stored, {refused} refused, {unexpected} unexpected")
    users = [u for u in USERS if u != "alice"]
    each = MESSAGES // len(users)
    inboxes = [Listener(env, proxy, u, "--timeout", "30", password=USERS[u]) for u in users]
    for u, inbox in zip(users, inboxes):
        got = inbox.wait_messages(each, timeout=10)
        check(len(got) >= each,
              f"{u} got {len(got)} of its {each} messages within 10 s\n{proxy.log_tail(8)}")
    proxy.stop()
    check(stored(proxy) == 0, f"{stored(proxy)} messages still stored after delivery")


CASES = {"auth_each": auth_each, "auth_reuse": auth_reuse, "wrong_password": wrong_password,
         "deliveries_past_the_table": deliveries_past_the_table}


def with_load(case):
    """The case with sip_load's path (SIPSAF_SIP_LOAD, set by ctest) in the Env."""
    def run(env):
        env.load_bin = os.environ.get("SIPSAF_SIP_LOAD", "")
        if not os.access(env.load_bin, os.X_OK):
            raise Skip(f"sip_load is not built ({env.load_bin or 'SIPSAF_SIP_LOAD unset'})")
        case(env)
    return run


if __name__ == "__main__":
    sys.exit(main({name: with_load(case) for name, case in CASES.items()}))
