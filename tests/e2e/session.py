#!/usr/bin/env python3
"""End-to-end sessions through mediasecd with real peers, as `make run` shows them and the
end-to-end tests check them.

The cast: mediasecd (the gateway under test, on the backend given), Erlang/OTP megaco as the MGC
(tests/peers/mgc_script.erl, driven line by line), `openssl s_client` as the terminal (TLS or DTLS,
with its own certificate whose fingerprint the MGC puts in the Remote SDP), and plain TCP/UDP
sockets in this script as the core side.

Every step prints one line; a step that does not happen in time fails the scenario with what was
seen. Exit status 0 when every scenario asked for passed.

  session.py --build build/release [--backend sw|sim] [scenario ...]
"""

import argparse
import json
import os
import queue
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

SCENARIOS = {}


def scenario(name):
    def register(fn):
        SCENARIOS[name] = fn
        return fn
    return register


class Failed(Exception):
    pass


def say(text):
    print(text, flush=True)


def wait_until(condition, timeout, failure):
    """Polls `condition` until it holds; after `timeout` seconds fails with `failure`."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise Failed(failure() if callable(failure) else failure)
        time.sleep(0.02)


def make_certificate(cert, key, name):
    """A self-signed ECDSA P-256 certificate and its key, with openssl."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-subj", "/CN=" + name, "-days", "2", "-keyout", key, "-out", cert], check=True, capture_output=True)


class Lines:
    """A child process whose stdout lines are collected on a thread."""

    def __init__(self, argv, name, stdin=True, cwd=None, preexec_fn=None):
        self.name = name
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=cwd,
                                     text=True, bufsize=1, preexec_fn=preexec_fn)
        self.lines = queue.Queue()
        self.seen = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def next_line(self, timeout):
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            return None
        if line is not None:
            self.seen.append(line)
        return line

    def wait_for(self, pattern, timeout=10.0, what=None):
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while time.monotonic() < deadline:
            line = self.next_line(max(0.01, deadline - time.monotonic()))
            if line is None:
                if self.proc.poll() is not None and self.lines.empty():
                    break
                continue
            m = regex.search(line)
            if m:
                return m
        raise Failed("%s: %s did not come in %.0f s; last lines:\n  %s" % (
            self.name, what or pattern, timeout, "\n  ".join(self.seen[-15:])))

    def write(self, text):
        self.proc.stdin.write(text)
        self.proc.stdin.flush()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class Mgc(Lines):
    """megaco as the MGC: CALL sends a transaction, NOTIFY lines are kept."""

    def __init__(self, beam_dir, port, transport="udp"):
        super().__init__(["erl", "-noshell", "-pa", beam_dir, "-run", "mgc_script", "main", str(port), transport], "MGC")
        self.notifies = []

    def next_line(self, timeout):
        line = super().next_line(timeout)
        if line and line.startswith("NOTIFY "):
            self.notifies.append(line[len("NOTIFY "):])
        return line

    def call(self, actions, timeout=15.0, refused=False):
        """The gateway's reply; with refused, a reply with an error is what is expected."""
        self.write("CALL\n%s\n.\n" % actions)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.next_line(max(0.01, deadline - time.monotonic()))
            if line is None:
                continue
            if line.startswith("FAIL"):
                raise Failed("MGC: " + line)
            if line == "REPLY":
                body = []
                while True:
                    part = self.next_line(5.0)
                    if part is None or part == ".":
                        break
                    body.append(part)
                reply = "\n".join(body)
                if refused != ("Error" in reply or "ER=" in reply):
                    raise Failed(("the gateway refused:\n" if not refused else "the gateway did not refuse:\n") + reply)
                return reply
        raise Failed("MGC: no reply to\n" + actions)

    def wait_notify(self, termination, event, timeout=10.0):
        deadline = time.monotonic() + timeout
        while True:
            for n in self.notifies:
                if n.startswith(termination + " " + event):
                    self.notifies.remove(n)
                    return n
            if time.monotonic() > deadline:
                raise Failed("no Notify %s %s in %.0f s; Notify seen: %s; last lines:\n  %s" % (
                    termination, event, timeout, self.notifies, "\n  ".join(self.seen[-10:])))
            self.next_line(0.05)


def reply_termination(reply, prefix):
    m = re.search(r"\b(%s/\d+)" % prefix, reply)
    if not m:
        raise Failed("no %s termination in the reply:\n%s" % (prefix, reply))
    return m.group(1)


def reply_context(reply):
    m = re.search(r"Context\s*=\s*(\d+)", reply)
    if not m:
        raise Failed("no context in the reply:\n" + reply)
    return m.group(1)


def access_and_core(reply, core="tcp"):
    """The context of an Add reply, its tls/N (access) and its tcp/N or udptl/N (core) termination."""
    return reply_context(reply), reply_termination(reply, "tls"), reply_termination(reply, core)


def local_media(reply, termination):
    """Port and a=fingerprint of the Local SDP the gateway answered for a termination."""
    part = reply[reply.index(termination):]
    port = re.search(r"m=\w+ (\d+) ", part)
    fp = re.search(r"a=fingerprint:(\S+ \S+)", part)
    return int(port.group(1)), (fp.group(1) if fp else None)


class Stage:
    """Where a run keeps its files: configuration, certificates, the control socket, logs."""

    def __init__(self, args):
        self.args = args
        self.dir = tempfile.mkdtemp(prefix="mediasec-run-")
        self.ctl = os.path.join(args.build, "host/app/mediasecctl")
        self.daemon = None
        self.mgc = None
        self.descriptor_limit = None  # RLIMIT_NOFILE (soft and hard) of mediasecd, when a scenario sets one
        self.mgc_transport = "udp"    # or tcp (TPKT), when a scenario says so
        self.others = []
        self.terminal_cert = os.path.join(self.dir, "terminal.pem")
        self.terminal_key = os.path.join(self.dir, "terminal.key")
        make_certificate(self.terminal_cert, self.terminal_key, "terminal")
        self.terminal_fingerprint = "sha-256 " + fingerprint_of_pem(open(self.terminal_cert).read())

    def start(self):
        mgc_port = free_port(socket.SOCK_STREAM if self.mgc_transport == "tcp" else socket.SOCK_DGRAM)
        self.mgc = Mgc(self.args.beams, mgc_port, self.mgc_transport)
        self.mgc.wait_for(r"^LISTENING", 20, "megaco listening")
        config = os.path.join(self.dir, "mediasecd.toml")
        with open(config, "w") as f:
            f.write('[device]\nbackend = "%s"\n\n[h248]\nlisten = "127.0.0.1:0"\nmgcs = ["127.0.0.1:%d"]\ntransport = "%s"\n\n'
                    '[media]\naddress = "127.0.0.1"\nworkers = 2\n\n[control]\nsocket = "control.sock"\n\n'
                    '[metrics]\nlisten = "127.0.0.1:0"\n' % (self.args.backend, mgc_port, self.mgc_transport))
        limit = self.descriptor_limit
        self.daemon = Lines([os.path.join(self.args.build, "host/app/mediasecd"), "--config", config], "mediasecd",
                            stdin=False,
                            preexec_fn=(lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))) if limit else None)
        m = self.mgc.wait_for(r"^REGISTERED (\S+) (\S+)", 30, "the gateway's ServiceChange")
        wait_until(lambda: self.ctl_json("status")["h248"]["state"] == "registered",  # megaco's reply on its way
                   10, "mediasecd did not take the MGC's reply to its ServiceChange")
        say("  MGC (megaco): mediasecd registered (%s, profile %s)" % (m.group(1), m.group(2)))

    def daemon_lines(self, pattern, timeout=10.0):
        """mediasecd's log lines so far that match."""
        if not any(re.search(pattern, l) for l in self.daemon.seen):
            self.daemon.wait_for(pattern, timeout)
        return [l for l in self.daemon.seen if re.search(pattern, l)]

    def metrics_port(self):
        """The port mediasecd's metrics endpoint listens on, from its start-up log line."""
        line = self.daemon_lines(r"metrics on port \d+")[0]
        return int(re.search(r"metrics on port (\d+)", line).group(1))

    def ctl_json(self, *command):
        out = subprocess.run([self.ctl, "--socket", os.path.join(self.dir, "control.sock"), "--json", *command],
                             capture_output=True, text=True, timeout=20)
        if out.returncode != 0:
            raise Failed("mediasecctl %s: %s" % (" ".join(command), out.stderr.strip()))
        return json.loads(out.stdout)

    def spawn(self, argv, name):
        p = Lines(argv, name)
        self.others.append(p)
        return p

    def tls_terminal(self, port, name="terminal (s_client)"):
        """openssl s_client with the terminal's certificate, connected to the gateway's port."""
        return self.spawn(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-cert", self.terminal_cert,
                           "-key", self.terminal_key, "-crlf"], name)

    def close(self, keep):
        for p in self.others:
            p.stop()
        log = []
        # The daemon first: it says goodbye to the MGC (ServiceChange Graceful) before it exits.
        if self.daemon:
            self.daemon.proc.send_signal(15)
            try:
                self.daemon.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.daemon.proc.kill()
                raise Failed("mediasecd did not stop on SIGTERM")
            while True:
                line = self.daemon.next_line(0.2)
                if line is None:
                    break
            log = self.daemon.seen
        if self.mgc:
            if self.mgc.proc.poll() is None:
                self.mgc.write("QUIT\n")
            self.mgc.stop()
        if keep:
            with open(os.path.join(self.dir, "mediasecd.log"), "w") as f:
                f.write("\n".join(log) + "\n")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        return log


def free_port(kind):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def fingerprint_of_pem(pem):
    out = subprocess.run(["openssl", "x509", "-noout", "-fingerprint", "-sha256"], input=pem, capture_output=True,
                         text=True, check=True).stdout
    return out.strip().split("=", 1)[1]


def server_certificate(transcript):
    m = re.search(r"(-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----)", "\n".join(transcript), re.S)
    if not m:
        raise Failed("the terminal printed no server certificate")
    return m.group(1) + "\n"


class TcpCore:
    """The core side of a TCP bearer: accepts one connection, keeps what arrives."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1)
        self.port = self.listener.getsockname()[1]
        self.conn = None
        self.received = b""
        self.closed = False
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        self.conn, _ = self.listener.accept()
        while True:
            data = self.conn.recv(65536)
            if not data:
                self.closed = True
                return
            self.received += data

    def wait_for(self, data, timeout=10.0):
        wait_until(lambda: data in self.received, timeout,
                   lambda: "the core did not receive %r (got %r)" % (data, self.received))

    def wait_closed(self, timeout=10.0):
        wait_until(lambda: self.closed, timeout, "the gateway did not close the core connection")


MSRP_SEND = ("MSRP a786hjs2 SEND\r\nTo-Path: {to}\r\nFrom-Path: {frm}\r\nMessage-ID: 87652491\r\n"
             "Byte-Range: 1-15/15\r\nContent-Type: text/plain\r\n\r\nHello, gateway!\r\n-------a786hjs2$\r\n")


def local_path(reply, termination):
    """The a=path the gateway answered in a termination's Local SDP."""
    m = re.search(r"a=path:(\S+)", reply[reply.index(termination):])
    if not m:
        raise Failed("no a=path for %s in the reply" % termination)
    return m.group(1)


def tshark_msrp(stage, data):
    """tshark's MSRP dissector on the bytes (as one TCP segment); None when tshark is missing."""
    if not shutil.which("tshark") or not shutil.which("text2pcap"):
        return None
    hexdump = os.path.join(stage.dir, "msrp.hex")
    pcap = os.path.join(stage.dir, "msrp.pcap")
    with open(hexdump, "w") as f:
        for offset in range(0, len(data), 16):
            f.write("%06x %s\n" % (offset, " ".join("%02x" % b for b in data[offset:offset + 16])))
    subprocess.run(["text2pcap", "-q", "-T", "2855,2855", hexdump, pcap], check=True, capture_output=True)
    out = subprocess.run(["tshark", "-r", pcap, "-d", "tcp.port==2855,msrp", "-T", "fields", "-e", "msrp.request.line",
                          "-e", "msrp.to.path", "-e", "_ws.malformed"], capture_output=True, text=True, timeout=60)
    fields = out.stdout.strip().split("\t")
    if out.returncode != 0 or not fields[0].startswith("MSRP a786hjs2 SEND") or (len(fields) > 2 and fields[2]):
        raise Failed("tshark does not read the relayed MSRP as MSRP: %r %s" % (out.stdout, out.stderr))
    return "%s, To-Path %s" % (fields[0], fields[1] if len(fields) > 1 else "?")


@scenario("e2ae")
def e2ae_msrp_over_tls(stage):
    """An MSRP session: TLS from the terminal terminated at the gateway, TCP to the core."""
    mgc = stage.mgc
    core = TcpCore()
    reply = mgc.call(
        "C=${A=tls/${M{O{MO=SR},L{v=0\nc=IN IP4 $\nm=message $ TCP/TLS/MSRP *\n},"
        "R{v=0\nc=IN IP4 127.0.0.1\nm=message 9 TCP/TLS/MSRP *\na=setup:active\na=connection:new\n"
        "a=fingerprint:%s\na=path:msrps://127.0.0.1:9/term77;tcp\n}},"
        "E=1{tcpbcc/tcpest,tlsbsc/tlsest,tlsbsc/tlsrel,tlsbsc/tlsfail}},"
        "A=tcp/${M{O{MO=SR},L{v=0\nc=IN IP4 $\nm=message $ TCP/MSRP *\n},"
        "R{v=0\nc=IN IP4 127.0.0.1\nm=message %d TCP/MSRP *\na=setup:passive\na=connection:new\n"
        "a=path:msrp://127.0.0.1:%d/core55;tcp\n}},E=2{tcpbcc/tcpest,tcpbcc/tcprel}}}"
        % (stage.terminal_fingerprint, core.port, core.port))
    context, access, core_term = access_and_core(reply)
    port, gw_fp = local_media(reply, access)
    say("  MGC: Add %s (TLS toward the terminal, port %d) and %s (TCP toward the core) in context %s"
        % (access, port, core_term, context))
    if not gw_fp:
        raise Failed("no a=fingerprint in the gateway's Local SDP")
    mgc.wait_notify(core_term, "tcpbcc/tcpest")
    say("  MGC: Notify %s tcpbcc/tcpest (the gateway connected to the core)" % core_term)

    terminal = stage.tls_terminal(port)
    terminal.wait_for(r"^\s*Protocol\s*:|^New, TLS", 15, "the TLS handshake")
    mgc.wait_notify(access, "tlsbsc/tlsest")
    if "sha-256 " + fingerprint_of_pem(server_certificate(terminal.seen)) != gw_fp:
        raise Failed("the terminal got a certificate other than the a=fingerprint the gateway published")
    say("  terminal (openssl s_client): TLS up; the server certificate matches the gateway's a=fingerprint")
    say("  MGC: Notify %s tlsbsc/tlsest" % access)

    # MSRP as each side addresses it: the terminal to the gateway's access-side a=path, the core
    # to the gateway's core-side a=path. The gateway readdresses every message for the other side.
    gw_access_path, gw_core_path = local_path(reply, access), local_path(reply, core_term)
    terminal_path, core_path = "msrps://127.0.0.1:9/term77;tcp", "msrp://127.0.0.1:%d/core55;tcp" % core.port
    terminal.write(MSRP_SEND.format(to=gw_access_path, frm=terminal_path).replace("\r\n", "\n"))  # -crlf
    core.wait_for(b"-------a786hjs2$\r\n")
    got = core.received.decode()
    if "To-Path: %s\r\n" % core_path not in got or "From-Path: %s\r\n" % gw_core_path not in got:
        raise Failed("the core got the SEND not readdressed to it:\n" + got)
    if "Hello, gateway!" not in got:
        raise Failed("the body did not reach the core:\n" + got)
    say("  core: received the MSRP SEND in plain TCP, readdressed: To-Path %s, From-Path %s (the gateway)"
        % (core_path, gw_core_path))
    dissected = tshark_msrp(stage, core.received)
    if dissected:
        say("  tshark's MSRP dissector reads it: " + dissected)
    core.conn.sendall(("MSRP a786hjs2 200 OK\r\nTo-Path: %s\r\nFrom-Path: %s\r\n-------a786hjs2$\r\n"
                       % (gw_core_path, core_path)).encode())
    terminal.wait_for(r"^-------a786hjs2\$", 10, "the 200 OK at the terminal")
    answer = "\n".join(terminal.seen[-4:])
    if "To-Path: " + terminal_path not in answer or "From-Path: " + gw_access_path not in answer:
        raise Failed("the terminal got the 200 OK not readdressed to it:\n" + answer)
    say("  terminal: received the MSRP 200 OK through TLS, To-Path %s, From-Path %s (the gateway)"
        % (terminal_path, gw_access_path))

    sessions = stage.ctl_json("sessions")["sessions"]
    if len(sessions) != 1 or sessions[0]["tls"]["peer_fingerprint"] != stage.terminal_fingerprint:
        raise Failed("mediasecctl sessions: expected one session with the terminal's fingerprint: %s" % sessions)
    t = sessions[0]["tls"]
    say("  mediasecctl sessions: %s %s %s, records in/out %d/%d on the device, peer %s..."
        % (sessions[0]["termination"], t["version"], t["cipher"], t["records_in"], t["records_out"],
           t["peer_fingerprint"][:20]))

    terminal.write("Q\n")
    n = mgc.wait_notify(access, "tlsbsc/tlsrel")
    core.wait_closed()
    say("  terminal: quit; MGC: Notify %s; the core connection closed" % n)
    reply = mgc.call("C=%s{S=%s,S=%s}" % (context, access, core_term))
    stats = re.findall(r"nt/(os|or)\s*=\s*(\d+)", reply)
    if not stats:
        raise Failed("no octet statistics in the Subtract reply:\n" + reply)
    say("  MGC: Subtract both; statistics %s" % ", ".join("nt/%s=%s" % s for s in stats))


@scenario("mgc-tcp")
def e2ae_with_the_mgc_over_tcp(stage):
    """The MSRP-over-TLS session with the MGC over TCP (TPKT, H.248.1 Annex D.2) instead of UDP."""
    e2ae_msrp_over_tls(stage)


e2ae_with_the_mgc_over_tcp.mgc_transport = "tcp"


@scenario("t38")
def t38_over_dtls(stage):
    """A T.38 fax session: DTLS from the terminal terminated at the gateway, UDPTL to the core."""
    mgc = stage.mgc
    core = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    core.bind(("127.0.0.1", 0))
    core.settimeout(10)
    core_port = core.getsockname()[1]
    reply = mgc.call(
        "C=${A=tls/${M{O{MO=SR},L{v=0\nc=IN IP4 $\nm=image $ UDP/TLS/UDPTL t38\n},"
        "R{v=0\nc=IN IP4 127.0.0.1\nm=image 9 UDP/TLS/UDPTL t38\na=setup:active\na=fingerprint:%s\n}},"
        "E=1{tlsbsc/tlsest,tlsbsc/tlsrel,tlsbsc/tlsfail}},"
        "A=udptl/${M{O{MO=SR},L{v=0\nc=IN IP4 $\nm=image $ udptl t38\n},"
        "R{v=0\nc=IN IP4 127.0.0.1\nm=image %d udptl t38\n}}}}" % (stage.terminal_fingerprint, core_port))
    context, access, core_term = access_and_core(reply, core="udptl")
    port, gw_fp = local_media(reply, access)
    say("  MGC: Add %s (DTLS toward the terminal, port %d) and %s (UDPTL toward the core) in context %s"
        % (access, port, core_term, context))
    terminal = stage.spawn(["openssl", "s_client", "-dtls1_2", "-connect", "127.0.0.1:%d" % port, "-cert",
                            stage.terminal_cert, "-key", stage.terminal_key], "terminal (s_client -dtls1_2)")
    mgc.wait_notify(access, "tlsbsc/tlsest", 15)
    terminal.wait_for(r"-----END CERTIFICATE-----", 10, "the server certificate")
    if "sha-256 " + fingerprint_of_pem(server_certificate(terminal.seen)) != gw_fp:
        raise Failed("the terminal got a certificate other than the a=fingerprint the gateway published")
    say("  terminal (openssl s_client -dtls1_2): DTLS up, certificate matches; MGC: Notify %s tlsbsc/tlsest" % access)
    terminal.write("t38 page 1\n")
    data, gateway = core.recvfrom(2048)
    if data != b"t38 page 1\n":
        raise Failed("the core received %r" % data)
    say("  core: received a UDPTL packet in the clear (%d bytes)" % len(data))
    core.sendto(b"t38 ack\n", gateway)
    terminal.wait_for(r"t38 ack", 10, "the core's packet at the terminal")
    say("  terminal: received the core's packet through DTLS")
    terminal.write("Q\n")
    n = mgc.wait_notify(access, "tlsbsc/tlsrel")
    say("  terminal: quit; MGC: Notify %s" % n)
    mgc.call("C=%s{S=%s,S=%s}" % (context, access, core_term))
    say("  MGC: Subtract both")


@scenario("delayed")
def delayed_establishment(stage):
    """Delayed establishment: the core connection waits for the terminal's; TLS waits for the MGC."""
    mgc = stage.mgc
    core = TcpCore()
    reply = mgc.call(
        "C=${A=tls/${M{O{MO=SR,tlsbsc/start=mgc},L{v=0\nc=IN IP4 $\nm=message $ TCP/TLS/MSRP *\n},"
        "R{v=0\nc=IN IP4 127.0.0.1\nm=message 9 TCP/TLS/MSRP *\na=setup:active\na=connection:new\n"
        "a=fingerprint:%s\n}},E=1{tcpbcc/tcpest,tlsbsc/tlsest,tlsbsc/tlsrel}},"
        "A=tcp/${M{O{MO=SR,tcpbcc/estab=delayed},L{v=0\nc=IN IP4 $\nm=message $ TCP/MSRP *\n},"
        "R{v=0\nc=IN IP4 127.0.0.1\nm=message %d TCP/MSRP *\na=setup:passive\na=connection:new\n}},"
        "E=2{tcpbcc/tcpest,tcpbcc/tcprel}}}" % (stage.terminal_fingerprint, core.port))
    context, access, core_term = access_and_core(reply)
    port, _ = local_media(reply, access)
    time.sleep(0.5)
    if core.conn is not None:
        raise Failed("the delayed core bearer connected before the terminal did")
    say("  MGC: Add %s (tlsbsc/start=mgc) and %s (tcpbcc/estab=delayed); 0.5 s later the core has no connection"
        % (access, core_term))
    terminal = stage.tls_terminal(port)
    mgc.wait_notify(access, "tcpbcc/tcpest")
    mgc.wait_notify(core_term, "tcpbcc/tcpest")
    say("  terminal connects: Notify %s tcpest, and the incoming connection triggered the outgoing one: "
        "Notify %s tcpest" % (access, core_term))
    time.sleep(0.5)
    if any(n.startswith(access + " tlsbsc/tlsest") for n in mgc.notifies):
        raise Failed("TLS started before the MGC said so")
    say("  0.5 s later: no TLS yet (the MGC starts it)")
    mgc.call("C=%s{MF=%s{SG{tlsbsc/start}}}" % (context, access))
    mgc.wait_notify(access, "tlsbsc/tlsest")
    terminal.wait_for(r"^\s*Protocol\s*:|^New, TLS", 15, "the TLS handshake")
    say("  MGC: Modify %s Signals{tlsbsc/start}: Notify tlsest, the terminal's handshake completes" % access)
    terminal.write("ping\n")
    core.wait_for(b"ping\r\n")
    say("  terminal -> core: bytes relayed")

    # The MGC's own signal: a plain TCP core bearer connected on tcpbcc/estab.
    core2 = TcpCore()
    reply = mgc.call(
        "C=${A=tcp/${M{O{MO=SR,tcpbcc/estab=delayed},L{v=0\nc=IN IP4 $\nm=message $ TCP/MSRP *\n},"
        "R{v=0\nc=IN IP4 127.0.0.1\nm=message %d TCP/MSRP *\na=setup:passive\n}},E=3{tcpbcc/tcpest}}}" % core2.port)
    context2, term2 = reply_context(reply), reply_termination(reply, "tcp")
    time.sleep(0.3)
    if core2.conn is not None:
        raise Failed("the delayed bearer connected before the MGC's signal")
    mgc.call("C=%s{MF=%s{SG{tcpbcc/estab}}}" % (context2, term2))
    mgc.wait_notify(term2, "tcpbcc/tcpest")
    say("  MGC: Add %s (delayed), nothing for 0.3 s; Modify Signals{tcpbcc/estab}: connected, Notify tcpest" % term2)
    terminal.write("Q\n")
    mgc.wait_notify(access, "tlsbsc/tlsrel")
    mgc.call("C=%s{S=*}" % context)
    mgc.call("C=%s{S=*}" % context2)
    say("  terminal quit: Notify tlsrel; Subtract all")


@scenario("client")
def gateway_as_tls_client(stage):
    """The gateway as TLS client: the terminal listens (a=setup:passive), openssl s_server."""
    mgc = stage.mgc
    core = TcpCore()
    terminal_port = free_port(socket.SOCK_STREAM)
    terminal = stage.spawn(["openssl", "s_server", "-accept", str(terminal_port), "-cert", stage.terminal_cert,
                            "-key", stage.terminal_key, "-naccept", "1", "-crlf"], "terminal (s_server)")
    terminal.wait_for(r"ACCEPT", 10, "s_server listening")
    reply = mgc.call(
        "C=${A=tls/${M{O{MO=SR},L{v=0\nc=IN IP4 $\nm=message $ TCP/TLS/MSRP *\n},"
        "R{v=0\nc=IN IP4 127.0.0.1\nm=message %d TCP/TLS/MSRP *\na=setup:passive\na=connection:new\n"
        "a=fingerprint:%s\n}},E=1{tcpbcc/tcpest,tlsbsc/tlsest,tlsbsc/tlsrel}},"
        "A=tcp/${M{O{MO=SR},L{v=0\nc=IN IP4 $\nm=message $ TCP/MSRP *\n},"
        "R{v=0\nc=IN IP4 127.0.0.1\nm=message %d TCP/MSRP *\na=setup:passive\n}},E=2{tcpbcc/tcprel}}}"
        % (terminal_port, stage.terminal_fingerprint, core.port))
    context, access, core_term = access_and_core(reply)
    if not re.search(r"a=setup:active", reply[reply.index(access):]):
        raise Failed("the gateway did not answer a=setup:active to a passive terminal")
    mgc.wait_notify(access, "tlsbsc/tlsest")
    say("  MGC: Add %s toward a passive terminal: the gateway answers a=setup:active, connects, "
        "and is the TLS client; Notify tlsest" % access)
    sessions = stage.ctl_json("sessions")["sessions"]
    if not sessions or sessions[0]["setup"] != "active" or sessions[0]["tls"]["peer_fingerprint"] != stage.terminal_fingerprint:
        raise Failed("mediasecctl sessions: %s" % sessions)
    terminal.write("from the terminal\n")
    core.wait_for(b"from the terminal\r\n")
    core.conn.sendall(b"from the core\r\n")
    terminal.wait_for(r"^from the core", 10, "the core's bytes at the terminal")
    say("  bytes both ways; the terminal's certificate matched its a=fingerprint (%s...)"
        % sessions[0]["tls"]["peer_fingerprint"][:20])
    mgc.call("C=%s{S=%s,S=%s}" % (context, access, core_term))
    core.wait_closed()
    say("  MGC: Subtract: the gateway sent close_notify and closed the core connection")


@scenario("workers")
def two_workers(stage):
    """Two contexts on two workers: each relays its own TLS session, with its own device."""
    mgc = stage.mgc
    sessions = []
    for n in (1, 2):
        core = TcpCore()
        reply = mgc.call(
            "C=${A=tls/${M{O{MO=SR},L{v=0\nc=IN IP4 $\nm=message $ TCP/TLS/MSRP *\n},"
            "R{v=0\nc=IN IP4 127.0.0.1\nm=message 9 TCP/TLS/MSRP *\na=setup:active\na=fingerprint:%s\n}},"
            "E=1{tlsbsc/tlsest,tlsbsc/tlsrel}},"
            "A=tcp/${M{O{MO=SR},L{v=0\nc=IN IP4 $\nm=message $ TCP/MSRP *\n},"
            "R{v=0\nc=IN IP4 127.0.0.1\nm=message %d TCP/MSRP *\na=setup:passive\n}},E=2{tcpbcc/tcpest}}}"
            % (stage.terminal_fingerprint, core.port))
        context, access, core_term = access_and_core(reply)
        port, _ = local_media(reply, access)
        mgc.wait_notify(core_term, "tcpbcc/tcpest")
        terminal = stage.tls_terminal(port, "terminal %d (s_client)" % n)
        mgc.wait_notify(access, "tlsbsc/tlsest")
        sessions.append((context, access, core_term, core, terminal))
    status = stage.ctl_json("status")
    if status["workers"] != 2 or status["relays_per_worker"] != [1, 1]:
        raise Failed("expected one relay on each of 2 workers: %s, %s" % (status["workers"], status["relays_per_worker"]))
    workers = {t["termination"]: t["worker"] for c in stage.ctl_json("contexts")["contexts"] for t in c["terminations"]}
    say("  MGC: two contexts, each TLS+TCP; mediasecctl: workers %s" % ", ".join(
        "%s on %d" % (t, w) for t, w in sorted(workers.items())))
    if workers[sessions[0][1]] == workers[sessions[1][1]]:
        raise Failed("both contexts on one worker: %s" % workers)
    for context, access, core_term, core, terminal in sessions:
        terminal.write("through %s\n" % access)
        core.wait_for(("through %s\r\n" % access).encode())
        core.conn.sendall(b"back\r\n")
        terminal.wait_for(r"^back", 10, "the core's bytes at the terminal")
    say("  each terminal's bytes reach its core and back, over its own worker")
    sessions_view = stage.ctl_json("sessions")["sessions"]
    if sorted(s["tls"]["records_in"] > 0 for s in sessions_view) != [True, True]:
        raise Failed("mediasecctl sessions: %s" % sessions_view)
    device = stage.ctl_json("identity")
    if device["workers"] != 2 or device["counters"]["records"] < 4:
        raise Failed("mediasecctl identity (the daemon's devices): %s" % device)
    say("  mediasecctl identity: %d workers' devices, %d records in all" % (device["workers"], device["counters"]["records"]))
    for context, access, core_term, core, terminal in sessions:
        mgc.call("C=%s{S=*}" % context)
        core.wait_closed()
    if stage.ctl_json("status")["relays_per_worker"] != [0, 0]:
        raise Failed("relays left after Subtract")
    say("  MGC: Subtract both contexts; no relay left on either worker")


@scenario("latching")
def nat_latching(stage):
    """NAT traversal: UDPTL latched and relatched after a NAT rebinding; TCP latched to its real source."""
    mgc = stage.mgc
    core = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    core.bind(("127.0.0.1", 0))
    core.settimeout(10)
    reply = mgc.call(
        "C=${A=udptl/${M{O{MO=SR,ipnapt/latch=ON,ipnapt/rlatch=ON},L{v=0\nc=IN IP4 $\nm=image $ udptl t38\n},"
        "R{v=0\nc=IN IP4 192.0.2.44\nm=image 9 udptl t38\n}},E=1{adr/rsac}},"
        "A=udptl/${M{O{MO=SR},L{v=0\nc=IN IP4 $\nm=image $ udptl t38\n},"
        "R{v=0\nc=IN IP4 127.0.0.1\nm=image %d udptl t38\n}}}}" % core.getsockname()[1])
    context = reply_context(reply)
    access = re.findall(r"\b(udptl/\d+)", reply)[0]
    core_term = [t for t in re.findall(r"\b(udptl/\d+)", reply) if t != access][0]
    port, _ = local_media(reply, access)
    say("  MGC: Add %s (access, ipnapt/latch and rlatch on; SDP names 192.0.2.44) and %s (core)" % (access, core_term))
    terminal = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    terminal.bind(("127.0.0.1", 0))
    terminal.settimeout(10)
    terminal.sendto(b"page 1", ("127.0.0.1", port))
    data, gateway_core = core.recvfrom(2048)
    n = mgc.wait_notify(access, "adr/rsac")
    if "nrsp=%d" % terminal.getsockname()[1] not in n:
        raise Failed("the latch reported another address: " + n)
    core.sendto(b"ack 1", gateway_core)
    if terminal.recvfrom(2048)[0] != b"ack 1":
        raise Failed("the core's packet did not reach the latched terminal")
    say("  terminal (behind a NAT, port %d): latched from its first packet, Notify %s; packets both ways"
        % (terminal.getsockname()[1], n))
    rebound = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # the NAT gives the terminal a new port
    rebound.bind(("127.0.0.1", 0))
    rebound.settimeout(10)
    rebound.sendto(b"page 2", ("127.0.0.1", port))
    if core.recvfrom(2048)[0] != b"page 2":
        raise Failed("the core did not get the packet from the new source")
    n = mgc.wait_notify(access, "adr/rsac")
    if "nrsp=%d" % rebound.getsockname()[1] not in n:
        raise Failed("the relatch reported another address: " + n)
    core.sendto(b"ack 2", gateway_core)
    if rebound.recvfrom(2048)[0] != b"ack 2":
        raise Failed("the core's packet did not follow the terminal to its new port")
    say("  NAT rebinding (new port %d): relatched, Notify %s; the core's packets follow" % (rebound.getsockname()[1], n))
    reply = mgc.call("C=%s{S=%s}" % (context, access))
    m = re.search(r"lstat/latches\s*=\s*(\d+)", reply)
    if not m or m.group(1) != "2":
        raise Failed("Subtract did not report lstat/latches=2:\n" + reply)
    mgc.call("C=%s{S=%s}" % (context, core_term))
    say("  MGC: Subtract: lstat/latches=%s" % m.group(1))

    # Relatching off: once latched, a packet from another source is dropped.
    reply = mgc.call(
        "C=${A=udptl/${M{O{MO=SR,ipnapt/latch=ON,ipnapt/rlatch=OFF},L{v=0\nc=IN IP4 $\nm=image $ udptl t38\n}}},"
        "A=udptl/${M{O{MO=SR},L{v=0\nc=IN IP4 $\nm=image $ udptl t38\n},"
        "R{v=0\nc=IN IP4 127.0.0.1\nm=image %d udptl t38\n}}}}" % core.getsockname()[1])
    port, _ = local_media(reply, re.findall(r"\b(udptl/\d+)", reply)[0])
    terminal.sendto(b"page 3", ("127.0.0.1", port))
    if core.recvfrom(2048)[0] != b"page 3":
        raise Failed("the core did not get the first packet")
    rebound.sendto(b"intruder", ("127.0.0.1", port))
    core.settimeout(0.5)
    try:
        raise Failed("a packet from another source passed with relatching off: %r" % core.recvfrom(2048)[0])
    except socket.timeout:
        pass
    core.settimeout(10)
    mgc.call("C=%s{S=*}" % reply_context(reply))
    say("  relatching off: a packet from another source after the latch is dropped")

    # TCP: the terminal's SDP says 192.0.2.44, it connects from 127.0.0.1 (its NAT's address).
    tcp_core = TcpCore()
    reply = mgc.call(
        "C=${A=tcp/${M{O{MO=SR},L{v=0\nc=IN IP4 $\nm=message $ TCP/MSRP *\n},"
        "R{v=0\nc=IN IP4 192.0.2.44\nm=message 9 TCP/MSRP *\na=setup:active\n}},E=2{adr/rsac,tcpbcc/tcpest}},"
        "A=tcp/${M{O{MO=SR},L{v=0\nc=IN IP4 $\nm=message $ TCP/MSRP *\n},"
        "R{v=0\nc=IN IP4 127.0.0.1\nm=message %d TCP/MSRP *\na=setup:passive\n}}}}" % tcp_core.port)
    tcp_access = re.findall(r"\b(tcp/\d+)", reply)[0]
    port, _ = local_media(reply, tcp_access)
    client = socket.create_connection(("127.0.0.1", port), timeout=10)
    n = mgc.wait_notify(tcp_access, "adr/rsac")
    if "nrsa=127.0.0.1" not in n:
        raise Failed("TCP latch reported: " + n)
    client.sendall(b"over tcp\r\n")
    tcp_core.wait_for(b"over tcp\r\n")
    client.close()
    say("  TCP: the terminal connected from 127.0.0.1, not the SDP's 192.0.2.44: Notify %s; bytes relayed" % n)
    mgc.call("C=%s{S=*}" % reply_context(reply))


def bfcp_message(primitive, transaction, conference=4321, user=7):
    """A BFCP common header (RFC 8855, version 1) with no attributes: Hello is 11, HelloAck 12."""
    return bytes([0x20, primitive, 0, 0]) + conference.to_bytes(4, "big") + transaction.to_bytes(2, "big") + user.to_bytes(2, "big")


@scenario("bfcp")
def bfcp_over_tls(stage):
    """BFCP over TLS terminated at the gateway, TCP to the core; the core ends the session."""
    import ssl
    mgc = stage.mgc
    core = TcpCore()
    reply = mgc.call(
        "C=${A=tls/${M{O{MO=SR},L{v=0\nc=IN IP4 $\nm=application $ TCP/TLS/BFCP *\n},"
        "R{v=0\nc=IN IP4 127.0.0.1\nm=application 9 TCP/TLS/BFCP *\na=setup:active\na=connection:new\n"
        "a=fingerprint:%s\na=floorctrl:c-only\na=confid:4321\na=userid:7\n}},E=1{tlsbsc/tlsest,tlsbsc/tlsrel}},"
        "A=tcp/${M{O{MO=SR},L{v=0\nc=IN IP4 $\nm=application $ TCP/BFCP *\n},"
        "R{v=0\nc=IN IP4 127.0.0.1\nm=application %d TCP/BFCP *\na=setup:passive\na=floorctrl:s-only\n}},"
        "E=2{tcpbcc/tcprel}}}" % (stage.terminal_fingerprint, core.port))
    context, access, core_term = access_and_core(reply)
    port, gw_fp = local_media(reply, access)
    say("  MGC: Add %s (TCP/TLS/BFCP toward the terminal) and %s (TCP/BFCP toward the core)" % (access, core_term))
    # The terminal: OpenSSL through Python's ssl module (binary BFCP does not suit s_client's console).
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    tls.check_hostname = False
    tls.verify_mode = ssl.CERT_NONE  # the fingerprint is checked below, as SDP peers do
    tls.load_cert_chain(stage.terminal_cert, stage.terminal_key)
    terminal = tls.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10))
    pem = ssl.DER_cert_to_PEM_cert(terminal.getpeercert(binary_form=True))
    if "sha-256 " + fingerprint_of_pem(pem) != gw_fp:
        raise Failed("the gateway's certificate is not its a=fingerprint")
    mgc.wait_notify(access, "tlsbsc/tlsest")
    hello = bfcp_message(11, 1)
    terminal.sendall(hello)
    core.wait_for(hello)
    if core.received != hello:
        raise Failed("the core got %r, not the terminal's Hello byte for byte" % core.received)
    say("  terminal (%s): BFCP Hello through TLS; the core got it byte for byte" % terminal.version())
    dissected = tshark_bfcp(stage, core.received)
    if dissected:
        say("  tshark's BFCP dissector reads it: " + dissected)
    ack = bfcp_message(12, 1)
    core.conn.sendall(ack)
    got = b""
    while len(got) < len(ack):
        got += terminal.recv(64)
    if got != ack:
        raise Failed("the terminal got %r" % got)
    say("  core: HelloAck back to the terminal through TLS")
    core.conn.shutdown(socket.SHUT_RDWR)  # the core ends it: close_notify to the terminal, MGC told on both sides
    if terminal.recv(64) != b"":
        raise Failed("the terminal did not get close_notify")
    n = mgc.wait_notify(access, "tlsbsc/tlsrel")
    m = mgc.wait_notify(core_term, "tcpbcc/tcprel")
    say("  the core closed: the terminal got close_notify; Notify %s and %s" % (n, m))
    mgc.call("C=%s{S=*}" % context)


def tshark_bfcp(stage, data):
    """tshark's BFCP dissector on the bytes; None when tshark is missing."""
    if not shutil.which("tshark") or not shutil.which("text2pcap"):
        return None
    hexdump, pcap = os.path.join(stage.dir, "bfcp.hex"), os.path.join(stage.dir, "bfcp.pcap")
    with open(hexdump, "w") as f:
        f.write("000000 %s\n" % " ".join("%02x" % b for b in data))
    subprocess.run(["text2pcap", "-q", "-T", "2856,2856", hexdump, pcap], check=True, capture_output=True)
    out = subprocess.run(["tshark", "-r", pcap, "-d", "tcp.port==2856,bfcp", "-T", "fields", "-e", "bfcp.primitive",
                          "-e", "bfcp.conference_id", "-e", "_ws.malformed"], capture_output=True, text=True, timeout=60)
    fields = out.stdout.strip().split("\t")
    if out.returncode != 0 or fields[0] != "11" or fields[1] != "4321" or (len(fields) > 2 and fields[2]):
        raise Failed("tshark does not read the relayed bytes as a BFCP Hello: %r %s" % (out.stdout, out.stderr))
    return "primitive Hello (11), conference 4321"


@scenario("simultaneous")
def simultaneous_open(stage):
    """TCP simultaneous open: both ends a=setup:active, each connecting from the port its SDP names."""
    mgc = stage.mgc
    core = TcpCore()
    terminal = socket.socket()
    terminal.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    terminal.bind(("127.0.0.1", 0))
    their_port = terminal.getsockname()[1]
    reply = mgc.call(
        "C=${A=tcp/${M{O{MO=SR},L{v=0\nc=IN IP4 $\nm=message $ TCP/MSRP *\na=setup:active\n},"
        "R{v=0\nc=IN IP4 127.0.0.1\nm=message %d TCP/MSRP *\na=setup:active\na=connection:new\n}},"
        "E=1{tcpbcc/tcpest,tcpbcc/tcpfail}},"
        "A=tcp/${M{O{MO=SR},L{v=0\nc=IN IP4 $\nm=message $ TCP/MSRP *\n},"
        "R{v=0\nc=IN IP4 127.0.0.1\nm=message %d TCP/MSRP *\na=setup:passive\n}}}}" % (their_port, core.port))
    context = reply_context(reply)
    access = re.findall(r"\b(tcp/\d+)", reply)[0]
    our_port, _ = local_media(reply, access)
    if not re.search(r"a=setup:active", reply[reply.index(access):]):
        raise Failed("the gateway did not keep the MGC's a=setup:active")
    say("  MGC: Add %s with a=setup:active toward a terminal that is active too (its port %d); ours is %d"
        % (access, their_port, our_port))
    time.sleep(0.3)  # the gateway's first SYNs meet a closed port and are retried
    deadline = time.monotonic() + 10
    while True:
        try:
            terminal.connect(("127.0.0.1", our_port))
            break
        except OSError as e:
            if time.monotonic() > deadline:
                raise Failed("the terminal could not connect: %s" % e)
            time.sleep(0.05)
    mgc.wait_notify(access, "tcpbcc/tcpest")
    if terminal.getpeername()[1] != our_port or terminal.getsockname()[1] != their_port:
        raise Failed("the connection is not between the advertised ports: %s -> %s"
                     % (terminal.getsockname(), terminal.getpeername()))
    established = subprocess.run(["ss", "-Htn", "state", "established", "( sport = :%d )" % our_port],
                                 capture_output=True, text=True).stdout.strip().splitlines()
    if len(established) != 1:
        raise Failed("expected one connection on our port, got:\n" + "\n".join(established))
    terminal.sendall(b"both active\r\n")
    core.wait_for(b"both active\r\n")
    say("  one connection between the two advertised ports (%d <-> %d); Notify tcpest; bytes reach the core"
        % (their_port, our_port))
    terminal.close()
    mgc.call("C=%s{S=*}" % context)


@scenario("operator")
def operator_views(stage):
    """What an operator sees: mediasecctl tables, Prometheus metrics, SIGHUP reload, bad requests."""
    sock = os.path.join(stage.dir, "control.sock")
    table = subprocess.run([stage.ctl, "--socket", sock, "status"], capture_output=True, text=True, timeout=20)
    if table.returncode != 0 or not re.search(r"H\.248\s+registered with MGC", table.stdout):
        raise Failed("mediasecctl status:\n" + table.stdout + table.stderr)
    say("  mediasecctl status: " + " | ".join(l.strip() for l in table.stdout.splitlines()[:3]))
    status = stage.ctl_json("status")
    before = status["certificate"]["fingerprint"]
    metrics_port = stage.metrics_port()
    body = http_get(metrics_port, "/metrics")
    for needed in ("mediasec_up{backend=", "mediasec_h248_registered 1", "mediasec_device_free_key_slots"):
        if needed not in body:
            raise Failed("/metrics lacks %s:\n%s" % (needed, body))
    if "404" not in http_get(metrics_port, "/other", status_only=True):
        raise Failed("/other was not 404")
    say("  GET /metrics: %d families in Prometheus text; /other is 404" % body.count("# TYPE"))
    # A new certificate, then SIGHUP: new sessions use it.
    make_certificate(os.path.join(stage.dir, "gateway.pem"), os.path.join(stage.dir, "gateway.key"), "gateway-2")
    stage.daemon.proc.send_signal(1)
    wait_until(lambda: stage.ctl_json("status")["certificate"]["fingerprint"] != before, 10,
               "SIGHUP did not reload the certificate")
    after = stage.ctl_json("status")["certificate"]["fingerprint"]
    say("  SIGHUP: certificate reloaded, a=fingerprint %s... -> %s..." % (before[:20], after[:20]))
    # A broken certificate file: the reload fails, the certificate in use stays.
    with open(os.path.join(stage.dir, "gateway.pem"), "w") as f:
        f.write("not a certificate\n")
    bad = subprocess.run([stage.ctl, "--socket", sock, "reload"], capture_output=True, text=True, timeout=20)
    if bad.returncode == 0 or "gateway.pem" not in bad.stderr:
        raise Failed("a reload of a broken certificate did not fail clearly: %r" % bad.stderr)
    if stage.ctl_json("status")["certificate"]["fingerprint"] != after:
        raise Failed("a failed reload changed the certificate in use")
    say("  reload of a broken file refused (%s); the certificate in use stays" % bad.stderr.strip()[:70])
    # Bad requests on the control socket get an error and leave the daemon serving.
    with socket.socket(socket.AF_UNIX) as c:
        c.connect(sock)
        c.sendall(b"this is not json\n{\"command\": \"no-such\"}\n")
        lines = c.makefile()
        answers = [lines.readline(), lines.readline()]
    if not all("error" in a for a in answers):
        raise Failed("bad control requests: %r" % (answers,))
    with socket.socket(socket.AF_UNIX) as c:  # longer than any request: answered (or cut off), then closed
        c.connect(sock)
        try:
            c.sendall(b"x" * 70000 + b"\n")
            c.makefile().readline()
        except OSError:
            pass
    if stage.ctl_json("status")["h248"]["state"] != "registered":
        raise Failed("the daemon stopped serving after bad control requests")
    say("  bad control requests answered with errors; the daemon still serves")


def process_cpu_seconds(pid):
    fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@scenario("descriptors")
def out_of_descriptors(stage):
    """Out of file descriptors: mediasecd pauses accepting instead of spinning, refuses an Add with 510, recovers."""
    mgc = stage.mgc
    sock = os.path.join(stage.dir, "control.sock")
    status = stage.ctl_json("status")
    limit, open_now = status["descriptors"]["limit"], status["descriptors"]["open"]
    if limit != stage.descriptor_limit or not open_now:
        raise Failed("mediasecctl status: descriptors %s (started with a limit of %d)" % (status["descriptors"],
                                                                                          stage.descriptor_limit))
    stage.daemon_lines(r"file descriptors: up to %d " % limit)
    say("  mediasecd started with a limit of %d descriptors, %d open" % (limit, open_now))
    # Control connections held open until the daemon has no descriptor for the next: the last few
    # wait in the socket's backlog.
    held = []
    deadline = time.monotonic() + 10
    while len(held) < limit - open_now + 4:
        c = socket.socket(socket.AF_UNIX)
        c.settimeout(5)
        try:
            c.connect(sock)
            held.append(c)
        except BlockingIOError:  # the backlog is full until the daemon has accepted more
            c.close()
            if time.monotonic() > deadline:
                raise Failed("mediasecd took only %d control connections" % len(held))
            time.sleep(0.01)
    stage.daemon_lines(r"control socket: cannot accept a connection \(Too many open files\)")
    pid = stage.daemon.proc.pid
    before = process_cpu_seconds(pid)
    time.sleep(1.0)
    cpu = process_cpu_seconds(pid) - before
    if cpu > 0.3:
        raise Failed("mediasecd used %.2f s of CPU in 1 s while out of descriptors: it spins" % cpu)
    say("  %d control connections held: mediasecd logs that it cannot accept, and uses %.2f s of CPU in 1 s"
        % (len(held), cpu))
    add = ("C=${A=tcp/${M{O{MO=SR},L{v=0\nc=IN IP4 $\nm=message $ TCP/MSRP *\n},"
           "R{v=0\nc=IN IP4 127.0.0.1\nm=message 9 TCP/MSRP *\na=setup:active\n}}}}")
    refused = mgc.call(add, refused=True)
    error = re.search(r"(ER|Error)\s*=\s*510\s*\{[^}]*\}", refused)
    if not error:
        raise Failed("an Add with no descriptor for its port was not refused with 510:\n" + refused)
    say("  MGC: Add of a TCP termination refused: " + " ".join(error.group(0).split()))
    for c in held:
        c.close()
    wait_until(lambda: stage.ctl_json("status")["descriptors"]["open"] < limit - 4, 10,
               "mediasecd did not take the waiting connections and let them go")
    metrics_port = stage.metrics_port()
    body = http_get(metrics_port, "/metrics")
    pauses = re.search(r'^mediasec_accept_pauses_total\{listener="control"\} (\d+)', body, re.M)
    if "process_max_fds %d" % limit not in body or not re.search(r"^process_open_fds \d+", body, re.M) \
            or not pauses or int(pauses.group(1)) < 1:
        raise Failed("/metrics does not show the shortage:\n" + body)
    reply = mgc.call(add)
    mgc.call("C=%s{S=*}" % reply_context(reply))
    say("  connections closed: mediasecctl answers, /metrics shows process_max_fds %d and %s accept pauses, "
        "an Add goes through" % (limit, pauses.group(1)))


out_of_descriptors.descriptor_limit = 64


def http_get(port, path, status_only=False):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as c:
        c.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % path).encode())
        data = b""
        while True:
            part = c.recv(65536)
            if not part:
                break
            data += part
    text = data.decode()
    return text.split("\r\n", 1)[0] if status_only else text.split("\r\n\r\n", 1)[1]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(here, "../../build/release"))
    parser.add_argument("--backend", default="sw")
    parser.add_argument("--beams", help="directory of the compiled mgc_script.beam (default: BUILD/tests/peers)")
    parser.add_argument("--keep", action="store_true", help="keep the run's directory (configuration, logs)")
    parser.add_argument("scenarios", nargs="*", default=["e2ae", "t38"], help=", ".join(SCENARIOS))
    args = parser.parse_args()
    args.build = os.path.abspath(args.build)
    args.beams = args.beams or os.path.join(args.build, "tests/peers")
    for name in args.scenarios:
        if name not in SCENARIOS:
            parser.error("unknown scenario '%s' (%s)" % (name, ", ".join(SCENARIOS)))
    failed = 0
    for name in args.scenarios:
        say("== %s on %s: %s" % (name, args.backend, SCENARIOS[name].__doc__))
        stage = Stage(args)
        stage.descriptor_limit = getattr(SCENARIOS[name], "descriptor_limit", None)
        stage.mgc_transport = getattr(SCENARIOS[name], "mgc_transport", "udp")
        log = []
        started = time.monotonic()
        try:
            stage.start()
            SCENARIOS[name](stage)
            log = stage.close(args.keep)
            say("   passed in %.1f s" % (time.monotonic() - started))
        except Exception as e:  # Failed, or a peer socket that timed out
            failed += 1
            try:
                log = stage.close(True)
            except Failed as again:
                say("   (%s)" % again)
            say("   FAILED: %s" % (e if isinstance(e, Failed) else "%s: %s" % (type(e).__name__, e)))
            say("   mediasecd's log:\n     " + "\n     ".join(log[-30:]))
            say("   files kept in " + stage.dir)
        if args.keep:
            say("   files kept in " + stage.dir)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
