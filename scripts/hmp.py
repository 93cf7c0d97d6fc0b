#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Send commands, in order, to a QEMU HMP monitor on a unix socket over one
connection and print what the monitor answers to each, after a line
"(qemu) COMMAND". Exits 1 when the monitor cannot be reached or does not
answer within 30 seconds, or when an answer looks like an error.

usage: hmp.py SOCKET COMMAND...
"""
import socket
import sys
import time

PROMPT = b"(qemu) "
ERRORS = ("unknown command", "invalid", "error", "could not")


def read_prompt(sock, deadline):
    data = b""
    while not data.endswith(PROMPT):
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        chunk = sock.recv(65536)
        if not chunk:
            raise OSError("monitor closed the connection")
        data += chunk
    return data[: -len(PROMPT)]


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path, commands = sys.argv[1], sys.argv[2:]
    deadline = time.monotonic() + 30
    bad = 0
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.connect(path)
            read_prompt(sock, deadline)  # the banner
            for command in commands:
                sock.sendall(command.encode() + b"\n")
                reply = read_prompt(sock, deadline).decode(errors="replace")
                # The monitor echoes the command line (with terminal
                # escapes) first; keep what follows.
                lines = reply.replace("\r", "").split("\n")[1:]
                out = "\n".join(l.rstrip() for l in lines if l.strip())
                print(f"(qemu) {command}")
                if out:
                    print(out)
                bad += any(e in out.lower() for e in ERRORS)
    except OSError as err:
        print(f"hmp: {path}: {err}", file=sys.stderr)
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
