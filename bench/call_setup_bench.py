#!/usr/bin/env python3
"""Call setups per second through mediasecd (sw backend) driven by megaco as the MGC.

A call setup is what an IMS-ALG does for an MSRP session with e2ae security: Add a TLS/MSRP access
termination (with the terminal's a=fingerprint) and a TCP/MSRP core termination in a new context,
Modify the access termination's Events, Subtract both (tests/peers/mgc_peer.erl, mode bench_tls;
each termination gets a listening port, our a=fingerprint and a=path). The anchor, in the same
run against the same daemon: megaco's plain H.248 cycles (Add, Modify, Subtract of one
termination without SDP). Also the daemon's CPU time per call setup, which says whether mediasecd
or megaco is the ceiling.

  call_setup_bench.py --build build/release [--seconds S] [--callers N] [--json FILE]
"""

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time


def cpu_seconds(pid):
    fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_udp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run(build, mode, seconds, callers, workers):
    """Returns (cycles per second, daemon CPU seconds per cycle)."""
    work = tempfile.mkdtemp(prefix="mediasec-callbench-")
    port = free_udp_port()
    mgc = subprocess.Popen(["erl", "-noshell", "-pa", os.path.join(build, "tests/peers"), "-run", "mgc_peer", "main",
                            str(port), "compact", "0", "udp", mode, str(seconds), str(callers)],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = mgc.stdout.readline()
    if not line.startswith("LISTENING"):
        sys.exit("call_setup_bench: megaco did not start: " + line)
    config = os.path.join(work, "mediasecd.toml")
    with open(config, "w") as f:
        f.write('[h248]\nlisten = "127.0.0.1:0"\nmgcs = ["127.0.0.1:%d"]\n[control]\nsocket = "control.sock"\n'
                '[media]\nworkers = %d\n[log]\nlevel = "warn"\n' % (port, workers))
    daemon = subprocess.Popen([os.path.join(build, "host/app/mediasecd"), "--config", config],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    cpu_start = None
    result = None
    try:
        for line in mgc.stdout:
            if line.startswith("REGISTERED"):
                cpu_start = cpu_seconds(daemon.pid)
            m = re.match(r"CYCLES (\d+) SECONDS ([\d.]+)", line)
            if m:
                cpu = cpu_seconds(daemon.pid) - (cpu_start or 0)
                cycles, elapsed = int(m.group(1)), float(m.group(2))
                result = (cycles / elapsed, cpu / max(cycles, 1))
            if line.startswith("FAIL"):
                sys.exit("call_setup_bench: megaco: " + line.strip())
            if line.startswith("DONE"):
                break
    finally:
        daemon.terminate()
        daemon.wait(15)
        mgc.wait(15)
    if result is None:
        sys.exit("call_setup_bench: no result from megaco (mode %s)" % mode)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "../build/release"))
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--callers", type=int, default=8)
    parser.add_argument("--workers", type=int, default=0, help="mediasecd's media workers (0: one per core)")
    parser.add_argument("--json")
    args = parser.parse_args()
    build = os.path.abspath(args.build)
    plain_rate, plain_cpu = run(build, "bench", args.seconds, args.callers, args.workers)
    tls_rate, tls_cpu = run(build, "bench_tls", args.seconds, args.callers, args.workers)
    entries = [
        {"name": "call setups/s, Add TLS/MSRP + Add TCP/MSRP + Modify + Subtract (mediasecd on sw, megaco MGC, %d callers)"
                 % args.callers,
         "value": round(tls_rate, 1), "unit": "calls/s",
         "anchor": "megaco plain H.248 cycles/s (Add+Modify+Subtract, no SDP) against the same daemon",
         "anchor_value": round(plain_rate, 1), "ratio": round(tls_rate / plain_rate, 3)},
        {"name": "mediasecd CPU per call setup (TLS/MSRP + TCP/MSRP, 4 transactions)",
         "value": round(tls_cpu * 1e6, 1), "unit": "us",
         "anchor": "mediasecd CPU per plain H.248 cycle (3 transactions)",
         "anchor_value": round(plain_cpu * 1e6, 1), "ratio": round(tls_cpu / plain_cpu, 3)},
    ]
    for e in entries:
        print("%-100s %10.1f %-8s (anchor %.1f, ratio %.3f)" % (e["name"], e["value"], e["unit"], e["anchor_value"], e["ratio"]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(entries, f, indent=1)


if __name__ == "__main__":
    main()
