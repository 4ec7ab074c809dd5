"""End-to-end test harness: runs sipsaf-proxy, sipsaf-ua, sipp and sipsak on
loopback and talks raw SIP where a test needs to misbehave on purpose.

Python 3 standard library only. Each test gets a port range of its own
(--port), so that tests can run in parallel.
"""

import hashlib
import json
import os
import queue
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

SKIP = 77  # ctest SKIP_RETURN_CODE
DOMAIN = "example.test"
PASSWORDS = {"alice": "wonderland", "bob": "builder", "carol": "caroline",
             "dave": "davesecret", "mallory": "mallory1"}


class Skip(Exception):
    """The test cannot run here (a program is missing)."""


class Failure(AssertionError):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def log(*args):
    print(*args, flush=True)


def check_memory(env, grown_kib, bound_kib, what):
    """A memory bound holds for a plain build; under AddressSanitizer (red zones,
    quarantine) the figure is only reported."""
    with open(env.proxy_bin, "rb") as f:
        sanitized = b"__asan_init" in f.read()
    if sanitized:
        log(f"{what}: {grown_kib} KiB (sanitizer build: bound of {bound_kib} KiB not checked)")
        return
    check(grown_kib < bound_kib, f"memory grew by {grown_kib} KiB {what} (bound {bound_kib})")


class Env:
    """Paths of the programs, the test's port range and its scratch directory."""

    def __init__(self, proxy_bin, ua_bin, port_base, workdir, keep=False):
        self.proxy_bin = proxy_bin
        self.ua_bin = ua_bin
        self.port_base = port_base
        self.next_port = port_base
        self.keep = keep
        os.makedirs(workdir, exist_ok=True)
        self.dir = tempfile.mkdtemp(prefix="case-", dir=workdir)
        self.children = []

    def need_programs(self):
        for name, path in (("sipsaf-proxy", self.proxy_bin), ("sipsaf-ua", self.ua_bin)):
            if not path or not os.access(path, os.X_OK):
                raise Skip(f"{name} is not built ({path or 'no path'})")

    def need(self, tool):
        path = shutil.which(tool)
        if not path:
            raise Skip(f"{tool} is not installed (Debian: sip-tester, sipsak)")
        return path

    def port(self):
        """A fresh port of this test's range (UDP and TCP use the same number)."""
        p = self.next_port
        self.next_port += 1
        return p

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, text):
        p = self.path(name)
        with open(p, "w") as f:
            f.write(text)
        return p

    def cleanup(self, ok):
        for c in self.children:
            if c.poll() is None:
                c.kill()
                c.wait()
        if ok and not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)


# --- the proxy ----------------------------------------------------------------

class Proxy:
    def __init__(self, env, users=None, profiles="", store="sqlite", notify=None,
                 retry=None, extra=(), domain=DOMAIN, port=None):
        self.env = env
        self.domain = domain
        self.port = port or env.port()
        users = users if users is not None else PASSWORDS
        self.users_file = env.write(
            f"users-{self.port}", "# name password\n" +
            "".join(f"{u} {p}\n" for u, p in users.items()))
        self.profiles_file = env.write(f"profiles-{self.port}", profiles)
        self.db = env.path(f"store-{self.port}.db")
        self.store = "memory" if store == "memory" else "sqlite:" + self.db
        self.notify = notify
        self.retry = retry
        self.extra = list(extra)
        self.log_path = env.path(f"proxy-{self.port}.log")
        self.proc = None
        self.starts = 0

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    def command(self):
        cmd = [self.env.proxy_bin, "--domain", self.domain, "--users", self.users_file,
               "--profiles", self.profiles_file, "--udp", self.address, "--tcp", self.address,
               "--store", self.store]
        if self.notify:
            cmd += ["--notify", self.notify]
        if self.retry is not None:
            cmd += ["--retry", str(self.retry)]
        return cmd + self.extra

    def start(self, wait=True):
        self.starts += 1
        logf = open(self.log_path, "a")
        logf.write(f"--- start {self.starts}: {' '.join(self.command())}\n")
        logf.flush()
        self.proc = subprocess.Popen(self.command(), stdout=logf, stderr=logf,
                                     stdin=subprocess.DEVNULL)
        logf.close()
        self.env.children.append(self.proc)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=10):
        """Until the proxy answers an OPTIONS over UDP and accepts a TCP connection."""
        end = time.time() + timeout
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        s.settimeout(0.2)
        try:
            while time.time() < end:
                if self.proc.poll() is not None:
                    raise Failure(f"the proxy exited with {self.proc.returncode} at start:\n"
                                  + self.log_tail())
                s.sendto(options_request(s.getsockname()[1]).encode(), ("127.0.0.1", self.port))
                try:
                    data, _ = s.recvfrom(65535)
                    if data.startswith(b"SIP/2.0 "):
                        break
                except socket.timeout:
                    continue
            else:
                raise Failure("the proxy did not answer OPTIONS within 10 s:\n" + self.log_tail())
        finally:
            s.close()
        while time.time() < end:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise Failure("the proxy does not accept TCP connections")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def rss_kib(self):
        """The proxy's resident memory now (KiB, from /proc)."""
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def stop(self, expect_clean=True, timeout=15):
        """SIGTERM; the contract says it exits 0 after finishing what it started."""
        if not self.alive():
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise Failure(f"the proxy did not exit within {timeout} s of SIGTERM")
        if expect_clean:
            check(rc == 0, f"the proxy exited with {rc} on SIGTERM (expected 0):\n"
                  + self.log_tail())
        return rc

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def hup(self):
        self.proc.send_signal(signal.SIGHUP)

    def log_text(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def log_tail(self, n=40):
        return "\n".join(self.log_text().splitlines()[-n:])


# --- sipsaf-ua ------------------------------------------------------------------

class Result:
    def __init__(self, rc, stdout, stderr):
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.events = []
        for line in stdout.splitlines():
            line = line.strip()
            if line.startswith("{"):
                try:
                    self.events.append(json.loads(line))
                except ValueError:
                    pass

    def of(self, kind):
        return [e for e in self.events if e.get("event") == kind]

    def codes(self, method=None):
        return [e["code"] for e in self.of("response")
                if method is None or e.get("method") == method]

    def final_code(self, method=None):
        """The last final response to `method` (by default the method sent)."""
        if method is None:
            sent = self.of("request")
            method = sent[0]["method"] if sent else None
        finals = [c for c in self.codes(method) if c >= 200]
        return finals[-1] if finals else None

    def __str__(self):
        return f"exit {self.rc}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


def ua_common(env, proxy, user, password, transport):
    cmd = [env.ua_bin, "--proxy", proxy.address, "--domain", proxy.domain, "--user", user,
           "--transport", transport, "--json"]
    if password is not None:
        cmd += ["--password", password]
    return cmd


class Sending:
    """A `sipsaf-ua send` running in the background (e.g. waiting for its IMDN)."""

    def __init__(self, env, cmd, label, timeout):
        self.label = label
        self.timeout = timeout
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, stdin=subprocess.DEVNULL)
        env.children.append(self.proc)

    def wait(self):
        try:
            out, err = self.proc.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
        r = Result(self.proc.returncode, out, err)
        log(f"$ {self.label} -> exit {r.rc}, responses {r.codes()}")
        return r


def ua_send(env, proxy, user, to, *args, password="", transport="udp", timeout=60,
            background=False):
    """Runs `sipsaf-ua send` and returns its Result (or a Sending when in background)."""
    if password == "":
        password = PASSWORDS.get(user)
    cmd = ["send"] + ua_common(env, proxy, user, password, transport)[1:]
    cmd = [env.ua_bin] + cmd + ["--to", to] + list(args)
    label = f"sipsaf-ua send --user {user} --to {to} {' '.join(args)}"
    s = Sending(env, cmd, label, timeout)
    return s if background else s.wait()


class Listener:
    """`sipsaf-ua listen` in the background, its JSON events collected as they come."""

    def __init__(self, env, proxy, user, *args, password="", transport="udp", save_dir=None,
                 register=True):
        if password == "":
            password = PASSWORDS.get(user)
        self.save_dir = save_dir or env.path(f"inbox-{user}-{random.randrange(1 << 30)}")
        cmd = [env.ua_bin, "listen"] + ua_common(env, proxy, user, password, transport)[1:]
        cmd += ["--save-dir", self.save_dir] + list(args)
        self.cmd = cmd
        self.user = user
        self.events = []
        self.lines = []
        self.cond = threading.Condition()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, stdin=subprocess.DEVNULL)
        env.children.append(self.proc)
        self.stderr = ""
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.err_reader = threading.Thread(target=self._read_err, daemon=True)
        self.err_reader.start()
        if register:
            ev = self.wait_for(lambda e: e.get("event") in ("registered", "error", "listening"),
                               timeout=15)
            check(ev is not None and ev["event"] != "error",
                  f"{user} could not register: {ev}\n{self.output()}")

    def _read(self):
        for line in self.proc.stdout:
            with self.cond:
                self.lines.append(line)
                if line.startswith("{"):
                    try:
                        self.events.append(json.loads(line))
                    except ValueError:
                        pass
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def _read_err(self):
        for line in self.proc.stderr:
            self.stderr += line

    def wait_for(self, pred, timeout=10):
        """The first event matching pred (waiting up to timeout), or None."""
        end = time.time() + timeout
        with self.cond:
            while True:
                for e in self.events:
                    if pred(e):
                        return e
                left = end - time.time()
                if left <= 0 or (self.proc.poll() is not None and not self.reader.is_alive()):
                    for e in self.events:
                        if pred(e):
                            return e
                    return None
                self.cond.wait(min(left, 0.2))

    def messages(self):
        with self.cond:
            return [e for e in self.events if e.get("event") == "message"]

    def of(self, kind):
        with self.cond:
            return [e for e in self.events if e.get("event") == kind]

    def wait_messages(self, n, timeout=15):
        end = time.time() + timeout
        while time.time() < end:
            if len(self.messages()) >= n:
                return self.messages()
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        return self.messages()

    def wait(self, timeout=15):
        """Until the agent exits by itself (e.g. its registration was refused)."""
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return self.stop()
        self.reader.join(5)
        self.err_reader.join(5)
        return rc

    def stop(self, timeout=15):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.reader.join(5)
        self.err_reader.join(5)
        return rc

    def output(self):
        with self.cond:
            return "".join(self.lines) + ("--- stderr\n" + self.stderr if self.stderr else "")


# --- raw SIP ------------------------------------------------------------------

def rand(n=16):
    return "%0*x" % (n, random.getrandbits(4 * n))


def options_request(port):
    return ("OPTIONS sip:%s SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%s;rport\r\n"
            "Max-Forwards: 70\r\n"
            "From: <sip:probe@%s>;tag=%s\r\n"
            "To: <sip:%s>\r\n"
            "Call-ID: %s@probe\r\n"
            "CSeq: 1 OPTIONS\r\n"
            "Content-Length: 0\r\n\r\n") % (DOMAIN, port, rand(), DOMAIN, rand(8), DOMAIN, rand())


class SipResponse:
    def __init__(self, data):
        self.raw = data
        text = data.decode("utf-8", "replace")
        head, _, self.body = text.partition("\r\n\r\n")
        lines = head.split("\r\n")
        self.start = lines[0]
        parts = self.start.split(" ", 2)
        self.code = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        self.headers = []
        for line in lines[1:]:
            if line[:1] in (" ", "\t") and self.headers:
                n, v = self.headers[-1]
                self.headers[-1] = (n, v + " " + line.strip())
            elif ":" in line:
                n, v = line.split(":", 1)
                self.headers.append((n.strip(), v.strip()))

    def all(self, name):
        return [v for n, v in self.headers if n.lower() == name.lower()]

    def get(self, name, default=None):
        values = self.all(name)
        return values[0] if values else default


def parse_challenge(value):
    """{'scheme': 'Digest', 'realm': ..., 'nonce': ..., ...} from a WWW-Authenticate value."""
    scheme, _, rest = value.partition(" ")
    out = {"scheme": scheme}
    for m in re.finditer(r'([A-Za-z-]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^,\s]+)', rest):
        out[m.group(1).lower()] = m.group(3) if m.group(3) is not None else m.group(2)
    return out


def digest_response(alg, user, realm, password, method, uri, nonce, nc, cnonce, qop="auth"):
    h = hashlib.sha256 if alg.upper() == "SHA-256" else hashlib.md5

    def H(s):
        return h(s.encode()).hexdigest()
    ha1 = H(f"{user}:{realm}:{password}")
    ha2 = H(f"{method}:{uri}")
    if qop:
        return H(f"{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}")
    return H(f"{ha1}:{nonce}:{ha2}")


def authorization(ch, user, password, method, uri, nc="00000001", cnonce=None):
    alg = ch.get("algorithm", "MD5")
    cnonce = cnonce or rand(8)
    qop = "auth" if "auth" in ch.get("qop", "").split(",") or ch.get("qop") == "auth" else ""
    resp = digest_response(alg, user, ch["realm"], password, method, uri, ch["nonce"], nc,
                           cnonce, qop)
    v = (f'Digest username="{user}", realm="{ch["realm"]}", nonce="{ch["nonce"]}", '
         f'uri="{uri}", response="{resp}", algorithm={alg}')
    if qop:
        v += f', cnonce="{cnonce}", qop={qop}, nc={nc}'
    if "opaque" in ch:
        v += f', opaque="{ch["opaque"]}"'
    return v


class RawSip:
    """A UDP or TCP socket speaking SIP by hand, for requests a normal UA would not send."""

    def __init__(self, proxy, transport="udp"):
        self.proxy = proxy
        self.transport = transport
        if transport == "udp":
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.sock.bind(("127.0.0.1", 0))
        else:
            self.sock = socket.create_connection(("127.0.0.1", proxy.port), timeout=5)
        self.port = self.sock.getsockname()[1]
        self.buf = b""

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        if self.transport == "udp":
            self.sock.sendto(data, ("127.0.0.1", self.proxy.port))
        else:
            self.sock.sendall(data)

    def recv(self, timeout=5):
        """The next SIP message (bytes), or None."""
        self.sock.settimeout(timeout)
        try:
            if self.transport == "udp":
                data, _ = self.sock.recvfrom(65535)
                return data
            end = time.time() + timeout
            while True:
                m = re.search(rb"\r\n\r\n", self.buf)
                if m:
                    head = self.buf[:m.end()]
                    cl = re.search(rb"(?im)^(?:content-length|l)\s*:\s*(\d+)", head)
                    n = m.end() + (int(cl.group(1)) if cl else 0)
                    if len(self.buf) >= n:
                        msg, self.buf = self.buf[:n], self.buf[n:]
                        return msg
                left = end - time.time()
                if left <= 0:
                    return None
                self.sock.settimeout(left)
                chunk = self.sock.recv(65536)
                if not chunk:
                    return None
                self.buf += chunk
        except (socket.timeout, ConnectionError):
            return None

    def response(self, timeout=5, final=True):
        """The next response (final only, by default), parsed; None on timeout."""
        end = time.time() + timeout
        while time.time() < end:
            data = self.recv(max(0.01, end - time.time()))
            if data is None:
                return None
            if not data.startswith(b"SIP/2.0 "):
                continue
            r = SipResponse(data)
            if final and r.code < 200:
                continue
            return r
        return None

    def request(self, method, uri, headers, body="", branch=None, cseq=1, call_id=None,
                from_user="probe", to_uri=None, tag=None):
        branch = branch or "z9hG4bK" + rand()
        call_id = call_id or rand() + "@raw"
        tag = tag or rand(8)
        to_uri = to_uri or uri
        host = self.sock.getsockname()[0]  # the address it sends from
        via = f"SIP/2.0/{self.transport.upper()} {host}:{self.port};branch={branch}"
        if self.transport == "udp":
            via += ";rport"
        lines = [f"{method} {uri} SIP/2.0", f"Via: {via}", "Max-Forwards: 70",
                 f"From: <sip:{from_user}@{DOMAIN}>;tag={tag}", f"To: <{to_uri}>",
                 f"Call-ID: {call_id}", f"CSeq: {cseq} {method}"]
        lines += headers
        lines.append(f"Content-Length: {len(body.encode())}")
        return "\r\n".join(lines) + "\r\n\r\n" + body

    def close(self):
        self.sock.close()


def register_raw(raw, user, password, auth_user=None, expires=60, alg_pref=("SHA-256", "MD5"),
                 contact_user=None):
    """REGISTER user (answering the challenge with auth_user's name and the password).
    Returns (final response, the Authorization value sent, the request sent)."""
    uri = f"sip:{DOMAIN}"
    aor = f"sip:{user}@{DOMAIN}"
    call_id = rand() + "@raw"
    tag = rand(8)
    host = raw.sock.getsockname()[0]  # the client's own address: the proxy checks it
    contact = (f"<sip:{contact_user or user}@{host}:{raw.port}"
               + (";transport=tcp" if raw.transport == "tcp" else "") + ">")
    common = [f"Contact: {contact}", f"Expires: {expires}"]
    raw.send(raw.request("REGISTER", uri, common, cseq=1, call_id=call_id, from_user=user,
                         to_uri=aor, tag=tag))
    r = raw.response()
    if r is None or r.code != 401:
        return r, None, None
    chs = [parse_challenge(v) for v in r.all("WWW-Authenticate")]
    ch = None
    for alg in alg_pref:
        ch = next((c for c in chs if c.get("algorithm", "MD5").upper() == alg), None)
        if ch:
            break
    if ch is None:
        return r, None, None
    auth = authorization(ch, auth_user or user, password, "REGISTER", uri)
    req = raw.request("REGISTER", uri, common + [f"Authorization: {auth}"], cseq=2,
                      call_id=call_id, from_user=user, to_uri=aor, tag=tag)
    raw.send(req)
    return raw.response(), auth, req


# --- sipp ---------------------------------------------------------------------

class SippRun:
    """One sipp process with a scenario of tests/e2e/sipp/, traced to its own directory."""

    def __init__(self, env, scenario, proxy, *args, timeout=120, local_port=None, name="sipp"):
        tool = env.need("sipp")
        here = os.path.dirname(os.path.abspath(__file__))
        self.scenario = scenario
        self.proxy = proxy
        self.timeout = timeout
        self.local_port = local_port or env.port()
        self.dir = env.path(f"{name}-{self.local_port}")
        os.makedirs(self.dir, exist_ok=True)
        cmd = [tool, proxy.address, "-sf", os.path.join(here, "sipp", scenario),
               "-i", "127.0.0.1", "-p", str(self.local_port), "-m", "1", "-nostdin",
               "-trace_err", "-trace_msg", "-trace_screen",
               "-error_file", os.path.join(self.dir, "errors.log"),
               "-message_file", os.path.join(self.dir, "messages.log"),
               "-screen_file", os.path.join(self.dir, "screen.log"),
               "-timeout", str(timeout), "-timeout_error"] + list(args)
        log("$ sipp " + scenario + " " + " ".join(args))
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, cwd=self.dir, stdin=subprocess.DEVNULL)
        env.children.append(self.proc)

    def wait(self, check_rc=True):
        try:
            out, _ = self.proc.communicate(timeout=self.timeout + 30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        rc = self.proc.returncode
        for f in ("errors.log", "messages.log"):
            try:
                with open(os.path.join(self.dir, f), errors="replace") as fh:
                    out += f"\n--- {f}\n" + fh.read()[-12000:]
            except OSError:
                pass
        if check_rc:
            check(rc == 0, f"sipp {self.scenario} exited {rc}:\n{out[-10000:]}\n"
                  f"--- proxy log\n{self.proxy.log_tail()}")
        return rc, out

    def trace(self):
        return sipp_trace(os.path.join(self.dir, "messages.log"))


def sipp(env, scenario, proxy, *args, **kw):
    """Runs sipp with a scenario of tests/e2e/sipp/ to the end; returns the SippRun."""
    check_rc = kw.pop("check_rc", True)
    run = SippRun(env, scenario, proxy, *args, **kw)
    run.wait(check_rc)
    return run


def sipp_trace(path):
    """The messages of a sipp -message_file: [(direction 'sent'|'received', text)]."""
    try:
        with open(path, errors="replace") as f:
            text = f.read()
    except OSError:
        return []
    out = []
    for block in re.split(r"\n-{20,}[^\n]*\n", "\n" + text):
        m = re.match(r"\s*\w+ message (sent|received)[^\n]*\n\n", block)
        if m:
            out.append((m.group(1), block[m.end():]))
    return out


def split_message(text):
    """(start line, [(name, value)], body) of a message as sipp logged it."""
    text = text.replace("\r\n", "\n")
    head, _, body = text.partition("\n\n")
    lines = head.split("\n")
    headers = []
    for line in lines[1:]:
        if ":" in line:
            n, v = line.split(":", 1)
            headers.append((n.strip(), v.strip()))
    return lines[0], headers, body.rstrip("\n")


# --- running a case -----------------------------------------------------------

def main(cases):
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("case")
    ap.add_argument("--proxy", default="")
    ap.add_argument("--ua", default="")
    ap.add_argument("--port", type=int, default=30000)
    ap.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "sipsaf-e2e"))
    ap.add_argument("--keep", action="store_true", help="keep the scratch directory")
    a = ap.parse_args()
    if a.case == "list":
        print("\n".join(sorted(cases)))
        return 0
    fn = cases.get(a.case)
    if fn is None:
        print(f"unknown case {a.case}; known: {', '.join(sorted(cases))}", file=sys.stderr)
        return 2
    env = Env(a.proxy, a.ua, a.port, a.work, a.keep)
    ok = False
    started = time.time()
    try:
        env.need_programs()
        fn(env)
        ok = True
        log(f"PASS {a.case} ({time.time() - started:.1f} s)")
        return 0
    except Skip as e:
        ok = True
        log(f"SKIP {a.case}: {e}")
        return SKIP
    except Failure as e:
        log(f"FAIL {a.case}: {e}\n(files kept in {env.dir})")
        return 1
    finally:
        env.cleanup(ok)
