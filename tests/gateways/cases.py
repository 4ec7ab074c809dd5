"""Forwarding through real gateways: sipsaf-proxy hands e-mail to a Postfix
instance and SMS to Kannel (bearerbox, smsbox, fakesmsc as the SMSC). Each
case starts its servers on loopback with their own configuration in its
scratch folder and stops them after; a missing server skips the case (77).

Run one case: python3 cases.py CASE --proxy PATH --ua PATH --port 36000
"""

import email
import email.policy
import grp
import hashlib
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
from harness import (DOMAIN, Failure, Proxy, Skip, check, log, main,  # noqa: E402
                     ua_send)

PHOTO = os.path.join(HERE, "..", "..", "examples", "demo", "photo.jpg")
CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def port_open(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def wait_until(pred, timeout, what):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.1)
    raise Failure(f"timed out after {timeout} s: {what}")


def notifications(result, status):
    return [n for n in result.of("notification") if n.get("status") == status]


# --- Postfix ----------------------------------------------------------------------

class Postfix:
    """A Postfix instance of our own: `postfix -c DIR`, SMTP on a loopback port,
    virtual mailboxes delivered to Maildirs under the scratch folder. A mailbox is
    a user at DOMAIN, or (ADDRESS, FOLDER) for any other address."""

    def __init__(self, env, mailboxes=("carol",)):
        if not shutil.which("postfix") or not os.path.isdir("/usr/lib/postfix/sbin"):
            raise Skip("postfix is not installed (Debian: postfix)")
        if os.geteuid() != 0:
            raise Skip("a Postfix instance of our own needs root to start")
        try:
            owner = pwd.getpwnam("postfix")
            grp.getgrnam("postdrop")
        except KeyError:
            raise Skip("the postfix user or the postdrop group is missing")
        self.port = env.port()
        # Postfix's daemons run as `postfix`: the folder must be reachable by
        # that user, which the case's own (private) folder need not be.
        self.base = tempfile.mkdtemp(prefix=f"sipsaf-postfix-{self.port}-")
        os.chmod(self.base, 0o755)
        log(f"postfix instance in {self.base}")
        self.conf = os.path.join(self.base, "conf")
        self.mail = os.path.join(self.base, "mail")
        for d in ("conf", "queue", "data", "mail"):
            os.makedirs(os.path.join(self.base, d), exist_ok=True)
        os.chown(os.path.join(self.base, "data"), owner.pw_uid, owner.pw_gid)
        os.chown(self.mail, owner.pw_uid, owner.pw_gid)
        uid, gid = owner.pw_uid, owner.pw_gid
        boxes = [b if isinstance(b, tuple) else (f"{b}@{DOMAIN}", b) for b in mailboxes]
        domains = sorted({a.rpartition("@")[2] for a, _ in boxes} | {DOMAIN})
        with open(os.path.join(self.conf, "main.cf"), "w") as f:
            f.write(f"""compatibility_level = 3.6
queue_directory = {self.base}/queue
data_directory = {self.base}/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
shlib_directory = /usr/lib/postfix
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
maillog_file = /dev/stdout
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mail.{DOMAIN}
mydomain = {DOMAIN}
mydestination = localhost
mynetworks = 127.0.0.0/8
relayhost =
smtpd_relay_restrictions = permit_mynetworks, reject
alias_maps =
alias_database =
biff = no
virtual_mailbox_domains = {", ".join(domains)}
virtual_mailbox_base = {self.mail}
virtual_mailbox_maps = texthash:{self.conf}/vmailbox
virtual_uid_maps = static:{uid}
virtual_gid_maps = static:{gid}
virtual_minimum_uid = {min(uid, 100)}
""")
        with open(os.path.join(self.conf, "vmailbox"), "w") as f:
            # Postfix looks addresses up in lower case; texthash keys are as written.
            f.write("".join(f"{a.lower()} {d}/\n" for a, d in boxes))
        # Debian's master.cf, without chroot, SMTP on our port.
        out = []
        with open("/etc/postfix/master.cf") as f:
            for line in f:
                fields = line.split()
                if not fields or line[0] in "# \t":
                    out.append(line)
                    continue
                if fields[0] == "smtp" and fields[1] == "inet":
                    out.append(f"127.0.0.1:{self.port} inet n - n - - smtpd\n")
                    continue
                if len(fields) > 4 and fields[4] == "y":
                    fields[4] = "n"
                out.append(" ".join(fields) + "\n")
        with open(os.path.join(self.conf, "master.cf"), "w") as f:
            f.writelines(out)
        self.running = False

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def _postfix(self, command):
        r = subprocess.run(["postfix", "-c", self.conf, command], capture_output=True, text=True,
                           timeout=30)
        if r.returncode != 0:
            raise Failure(f"postfix {command} failed ({r.returncode}):\n{r.stdout}{r.stderr}")

    def start(self):
        self._postfix("start")
        self.running = True
        wait_until(lambda: port_open(self.port), 15, "Postfix to listen")
        log(f"postfix listening on 127.0.0.1:{self.port}")
        return self

    def stop(self):
        if self.running:
            self.running = False
            self._postfix("stop")
            wait_until(lambda: not port_open(self.port), 15, "Postfix to stop")

    def remove(self):
        shutil.rmtree(self.base, ignore_errors=True)

    def mails(self, user):
        out = []
        for sub in ("new", "cur"):
            d = os.path.join(self.mail, user, sub)
            if os.path.isdir(d):
                out += [os.path.join(d, n) for n in sorted(os.listdir(d))]
        return out


def read_mail(path):
    with open(path, "rb") as f:
        return email.message_from_binary_file(f, policy=email.policy.default)


def with_postfix(env, body, mailboxes=("carol",), start=True):
    pf = Postfix(env, mailboxes)
    try:
        if start:
            pf.start()
        body(pf)
    finally:
        pf.stop()
        pf.remove()


def mail_proxy(env, pf, profiles):
    return Proxy(env, profiles=profiles, retry=1, extra=["--smtp", pf.url]).start()


def send_photo(env, proxy, pf, to_user, box, text, what):
    """Alice sends `text` and the photo to `to_user` (away, stored and forwarded) and
    asks to be told; the one mail that reaches Maildir `box`, and her agent's run."""
    r = ua_send(env, proxy, "alice", to_user, "--text", text, "--attach", PHOTO,
                "--store=store-and-forward", "--notify", "--wait-imdn", "20")
    check(r.final_code() == 202, f"expected 202:\n{r}")
    files = wait_until(lambda: pf.mails(box), 15, what)
    check(len(files) == 1, f"{len(files)} mails")
    return read_mail(files[0]), r


def check_text_and_photo(m, text, what):
    """`m` holds `text` as its one text/plain part and the photo, byte-identical, as
    its one image/jpeg part (returned)."""
    texts = [p for p in m.walk() if p.get_content_type() == "text/plain"]
    check(len(texts) == 1 and texts[0].get_content().rstrip("\r\n") == text,
          f"text parts: {[p.get_content() for p in texts]}")
    jpegs = [p for p in m.walk() if p.get_content_type() == "image/jpeg"]
    check(len(jpegs) == 1,
          f"parts: {[(p.get_content_type(), p.get_filename()) for p in m.walk()]}")
    with open(PHOTO, "rb") as f:
        photo = f.read()
    check(sha256(jpegs[0].get_payload(decode=True)) == sha256(photo),
          f"the JPEG in {what} differs from the one Alice sent")
    return jpegs[0]


CAROL = f"[carol]\nstore-and-forward = email:carol@{DOMAIN}\n"


@case
def email_photo_to_maildir(env):
    """Carol is away with `email:carol@...`: Alice's text and photo reach her Maildir,
    text and JPEG byte-identical; Alice hears `processed`; the trace names the gateway."""
    def run(pf):
        proxy = mail_proxy(env, pf, CAROL)
        text = "Hello Carol, the photo from Sunday \u2600"
        m, r = send_photo(env, proxy, pf, "carol", "carol", text, "the mail in Carol's Maildir")
        log(f"From: {m['From']}\nTo: {m['To']}\nSubject: {m['Subject']}\n"
            f"Message-ID: {m['Message-ID']}")
        check(f"alice@{DOMAIN}" in m["From"], f"From: {m['From']}")
        check(f"carol@{DOMAIN}" in m["To"], f"To: {m['To']}")
        check(m["Subject"] and m["Date"] and m["Message-ID"].startswith("<sip."),
              f"headers: {dict(m.items())}")
        jpeg = check_text_and_photo(m, text, "the mail")
        check(jpeg.get_filename() == "photo.jpg", f"attachment name: {jpeg.get_filename()}")
        check(notifications(r, "processed"), f"no 'processed' notification:\n{r}")
        lg = proxy.log_text()
        check(f"e-mail gateway {pf.url}" in lg and "accepted (SMTP 250)" in lg,
              f"the trace does not name the gateway:\n{proxy.log_tail()}")
        proxy.stop()
    with_postfix(env, run)


@case
def email_waits_for_postfix(env):
    """Postfix down: the forward waits (202, retried with the engine's backoff);
    Postfix up: the mail arrives, once."""
    def run(pf):
        proxy = mail_proxy(env, pf, CAROL)
        r = ua_send(env, proxy, "alice", "carol", "--text", "while the MTA is down",
                    "--store=store-and-forward")
        check(r.final_code() == 202, f"expected 202:\n{r}")
        wait_until(lambda: "attempt 2" in proxy.log_text(), 10, "a second attempt")
        check(not pf.mails("carol"), "a mail with Postfix down?")
        check("Connection refused" in proxy.log_text() or "connect" in proxy.log_text().lower(),
              f"no connection failure in the log:\n{proxy.log_tail()}")
        pf.start()
        files = wait_until(lambda: pf.mails("carol"), 20, "the mail after Postfix started")
        time.sleep(3)  # further retries would have run by now
        files = pf.mails("carol")
        check(len(files) == 1, f"{len(files)} mails, expected exactly 1")
        check(read_mail(files[0]).get_content().rstrip("\r\n") == "while the MTA is down",
              "the text differs")
        proxy.stop()
    with_postfix(env, run, start=False)


@case
def email_refused_for_good(env):
    """Postfix refuses the recipient (550): the forward fails at once, is not retried,
    and Alice hears `failed`."""
    def run(pf):
        proxy = mail_proxy(env, pf, f"[dave]\nstore-and-forward = email:dave@{DOMAIN}\n")
        r = ua_send(env, proxy, "alice", "dave", "--text", "to nobody",
                    "--store=store-and-forward", "--notify", "--wait-imdn", "15")
        check(r.final_code() == 202, f"expected 202:\n{r}")
        check(notifications(r, "failed"), f"no 'failed' notification:\n{r}\n{proxy.log_tail()}")
        lg = proxy.log_text()
        check("SMTP 550" in lg and "attempt 2" not in lg,
              f"expected one refused attempt:\n{proxy.log_tail()}")
        proxy.stop()
    with_postfix(env, run)


MMS_DOMAIN = "mms.mnc001.mcc001.gprs"
MMS_NUMBER = "+15551234567"


@case
def mms_photo_as_mm4(env):
    """Dave is away with `mms:+15551234567`: Alice's text and photo go to the MTA as an
    MM4_forward.REQ for her MMS Relay/Server (--mms-domain): X-Mms-* fields, the
    `+E164/TYPE=PLMN@domain` To address, the JPEG byte-identical; Alice hears
    `processed`; the trace names the gateway."""
    to = f"{MMS_NUMBER}/TYPE=PLMN@{MMS_DOMAIN}"

    def run(pf):
        proxy = Proxy(env, profiles=f"[dave]\nstore-and-forward = mms:{MMS_NUMBER}\n", retry=1,
                      extra=["--smtp", pf.url, "--mms-domain", MMS_DOMAIN]).start()
        text = "Dave, the photo from Sunday"
        m, r = send_photo(env, proxy, pf, "dave", "mms", text,
                          "the MM4 message in the MMSC's Maildir")
        log("".join(f"{k}: {v}\n" for k, v in m.items() if not k.startswith("Content")))
        check(m["X-Mms-Message-Type"] == "MM4_forward.REQ", f"type: {m['X-Mms-Message-Type']}")
        check(m["To"].addresses[0].addr_spec == to, f"To: {m['To']}")
        check(m["From"].addresses[0].addr_spec == f"alice@{DOMAIN}", f"From: {m['From']}")
        check(m["Sender"] == f"alice@{DOMAIN}", f"Sender: {m['Sender']}")
        check(m["X-Mms-3GPP-MMS-Version"] and m["X-Mms-Transaction-ID"]
              and m["X-Mms-Ack-Request"] == "No"
              and m["X-Mms-Originator-System"] == f"mms@{DOMAIN}", f"headers: {dict(m.items())}")
        check(m["X-Mms-Message-ID"] == m["Message-ID"] and m["Message-ID"].startswith("<sip."),
              f"message ids: {m['X-Mms-Message-ID']} {m['Message-ID']}")
        check(m["Date"] and m["Subject"], f"headers: {dict(m.items())}")
        check_text_and_photo(m, text, "the MM4 message")
        check(notifications(r, "processed"), f"no 'processed' notification:\n{r}")
        lg = proxy.log_text()
        check(f"MMS gateway (MM4) {pf.url} to {MMS_DOMAIN}" in lg
              and f"by MM4 through {pf.url}" in lg and "accepted (SMTP 250)" in lg,
              f"the trace does not name the gateway:\n{proxy.log_tail()}")
        proxy.stop()
    with_postfix(env, run, mailboxes=((to, "mms"),))


@case
def mms_needs_its_domain(env):
    """A profile with `mms:` and no --mms-domain: the proxy refuses to start and says
    which option is missing."""
    proxy = Proxy(env, profiles=f"[dave]\nstore-and-forward = mms:{MMS_NUMBER}\n",
                  extra=["--smtp", "smtp://127.0.0.1:9"])
    r = subprocess.run(proxy.command(), capture_output=True, text=True, timeout=20)
    check(r.returncode != 0 and "--mms-domain" in r.stderr + r.stdout,
          f"rc {r.returncode}:\n{r.stdout}{r.stderr}")


# --- Kannel -------------------------------------------------------------------------

FAKESMSC = "/usr/lib/kannel/test/fakesmsc"


class Kannel:
    """bearerbox + smsbox with a fake SMSC, and fakesmsc printing what reaches it."""

    def __init__(self, env):
        for prog in ("bearerbox", "smsbox"):
            if not shutil.which(prog):
                raise Skip(f"{prog} is not installed (Debian: kannel)")
        if not os.access(FAKESMSC, os.X_OK):
            raise Skip(f"{FAKESMSC} is not installed (Debian: kannel-extras)")
        self.env = env
        admin, box, smsc, self.sendsms = env.port(), env.port(), env.port(), env.port()
        self.smsc = smsc
        d = env.path("kannel")
        os.makedirs(d, exist_ok=True)
        self.conf = os.path.join(d, "kannel.conf")
        with open(self.conf, "w") as f:
            f.write(f"""group = core
admin-port = {admin}
admin-password = admin-{admin}
admin-interface = 127.0.0.1
smsbox-port = {box}
box-allow-ip = 127.0.0.1
log-file = "{d}/bearerbox.log"
log-level = 1

group = smsc
smsc = fake
smsc-id = fake
port = {smsc}
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {box}
sendsms-port = {self.sendsms}
sendsms-interface = 127.0.0.1
global-sender = 1234
log-file = "{d}/smsbox.log"
log-level = 1

group = sendsms-user
username = sipsaf
password = gateway-secret
max-messages = 1
concatenation = false

group = sms-service
keyword = default
text = "no service"
""")
        self.out = os.path.join(d, "fakesmsc.out")
        self.procs = []

    @property
    def url(self):
        return (f"http://127.0.0.1:{self.sendsms}/cgi-bin/sendsms"
                "?username=sipsaf&password=gateway-secret")

    def _spawn(self, cmd, out):
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.env.children.append(p)
        self.procs.append(p)
        return p

    def start(self):
        null = subprocess.DEVNULL
        self._spawn(["bearerbox", self.conf], null)
        wait_until(lambda: port_open(self.smsc), 10, "bearerbox's fake SMSC port")
        self._spawn([FAKESMSC, "-H", "127.0.0.1", "-r", str(self.smsc), "-m", "0", "1 2 text x"],
                    open(self.out, "w"))
        self._spawn(["smsbox", self.conf], null)
        wait_until(lambda: port_open(self.sendsms), 10, "smsbox's sendsms port")
        return self

    def stop(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()

    def received(self):
        """[(type, udh bytes, payload bytes)] in the order fakesmsc printed them."""
        out = []
        with open(self.out, errors="replace") as f:
            for line in f:
                m = re.search(r"Got message \d+: <\S+ \S+ (\S+) (.*)>$", line.rstrip("\n"))
                if not m:
                    continue
                kind, rest = m.group(1), m.group(2)
                raw = lambda s: urllib.parse.unquote_to_bytes(s.replace("+", " "))  # noqa: E731
                if kind == "text":
                    out.append(("text", b"", rest.encode()))
                elif kind == "ucs-2":
                    out.append(("ucs-2", b"", raw(rest)))
                elif kind == "udh":
                    udh, _, data = rest.partition(" data ")
                    out.append(("udh", raw(udh), raw(data)))
        return out


def with_kannel(env, body):
    k = Kannel(env)
    try:
        body(k.start())
    finally:
        k.stop()


NUMBER = "+15551230000"


def sms_proxy(env, k):
    return Proxy(env, profiles=f"[dave]\nstore-and-forward = sms:{NUMBER}\n", retry=1,
                 extra=["--sms-url", k.url]).start()


def send_sms(env, proxy, k, text, count):
    before = len(k.received())
    r = ua_send(env, proxy, "alice", "dave", "--text", text, "--store=store-and-forward")
    check(r.final_code() == 202, f"expected 202:\n{r}")
    got = wait_until(lambda: len(k.received()) >= before + count and k.received()[before:], 15,
                     f"{count} SMS at the fake SMSC")
    time.sleep(0.5)
    got = k.received()[before:]
    check(len(got) == count, f"{len(got)} SMS, expected {count}: {got}")
    return got


@case
def sms_codings(env):
    """ASCII goes as one GSM 7-bit SMS; `€` and `[` too, from the extension table (two
    septets each); an emoji makes it UCS-2 with its surrogate pair intact."""
    def run(k):
        proxy = sms_proxy(env, k)
        [(kind, _, data)] = send_sms(env, proxy, k, "See you at eight", 1)
        check(kind == "text" and data == b"See you at eight", f"ASCII: {kind} {data!r}")
        check("GSM-7, 1 segment, 16 septets" in proxy.log_text(), proxy.log_tail())

        text = "Price 5\u20ac [approx]"
        [(kind, _, data)] = send_sms(env, proxy, k, text, 1)
        check(kind == "text" and data.decode() == text, f"extension: {kind} {data!r}")
        # 17 characters; the euro sign and the two brackets cost two septets each
        check("GSM-7, 1 segment, 20 septets" in proxy.log_text(), proxy.log_tail())

        text = "Smile \U0001F600 ok"
        [(kind, _, data)] = send_sms(env, proxy, k, text, 1)
        check(kind == "ucs-2", f"emoji: {kind} {data!r}")
        check(data == text.encode("utf-16-be") and b"\xd8\x3d\xde\x00" in data,
              f"UCS-2 bytes {data.hex()}")
        check("UCS-2, 1 segment, 11 UCS-2 units" in proxy.log_text(), proxy.log_tail())
        proxy.stop()
    with_kannel(env, run)


@case
def sms_concatenated(env):
    """A 400-character text arrives as three concatenated 7-bit SMS (153 + 153 + 94
    septets) in order, and reassembles to the text."""
    def run(k):
        proxy = sms_proxy(env, k)
        text = "".join(f"{i:03d} word " for i in range(50))[:400]
        parts = send_sms(env, proxy, k, text, 3)
        check(all(kind == "udh" for kind, _, _ in parts), f"kinds: {parts}")
        udhs = [u for _, u, _ in parts]
        ref = udhs[0][3]
        check(all(u[:3] == b"\x05\x00\x03" and u[3] == ref and u[4] == 3 for u in udhs),
              f"UDH {[u.hex() for u in udhs]}")
        check([u[5] for u in udhs] == [1, 2, 3], f"order {[u[5] for u in udhs]}")
        check([len(d) for _, _, d in parts] == [153, 153, 94], f"sizes {[len(d) for _, _, d in parts]}")
        check(b"".join(d for _, _, d in parts).decode() == text, "reassembled text differs")
        check("GSM-7, 3 segments, 400 septets" in proxy.log_text(), proxy.log_tail())
        proxy.stop()
    with_kannel(env, run)


if __name__ == "__main__":
    raise SystemExit(main(CASES))
