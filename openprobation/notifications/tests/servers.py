"""Real local endpoints for the transport tests: an HTTP SMS gateway and a small SMTP server,
each on a thread listening on 127.0.0.1 (an ephemeral port)."""

from __future__ import annotations

import json
import socketserver
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Gateway:
    """What the SMS gateway answers next (``status``, ``body``, ``delay`` seconds) and what it got."""

    url: str = ""
    status: int = 200
    body: Any = field(default_factory=lambda: {"id": "gw-1"})
    delay: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)


@contextmanager
def sms_gateway() -> Iterator[Gateway]:
    gateway = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            gateway.requests.append(
                {"path": self.path, "headers": dict(self.headers.items()), "json": json.loads(raw.decode("utf-8"))}
            )
            if gateway.delay:
                time.sleep(gateway.delay)
            answer = json.dumps(gateway.body).encode() if not isinstance(gateway.body, bytes) else gateway.body
            try:
                self.send_response(gateway.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
            except (BrokenPipeError, ConnectionResetError):  # the client timed out and left
                pass

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}/send"
    try:
        yield gateway
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Mailbox:
    """What the SMTP server answers to RCPT TO (``rcpt_reply``) and the mails it accepted."""

    port: int = 0
    rcpt_reply: str = "250 OK"
    mails: list[dict[str, Any]] = field(default_factory=list)


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    """A minimal SMTP server (RFC 5321 commands the smtplib client uses, no extensions)."""
    mailbox = Mailbox()

    class Handler(socketserver.StreamRequestHandler):
        def reply(self, line: str) -> None:
            self.wfile.write((line + "\r\n").encode())
            self.wfile.flush()

        def handle(self) -> None:
            self.reply("220 localhost test SMTP")
            sender, recipients = "", []
            while True:
                raw = self.rfile.readline()
                if not raw:
                    return
                command = raw.decode("utf-8", "replace").rstrip("\r\n")
                verb = command[:4].upper()
                if verb in ("EHLO", "HELO"):
                    self.reply("250 localhost")
                elif verb == "MAIL":
                    sender = command.partition(":")[2].strip()
                    self.reply("250 OK")
                elif verb == "RCPT":
                    if mailbox.rcpt_reply.startswith("250"):
                        recipients.append(command.partition(":")[2].strip())
                    self.reply(mailbox.rcpt_reply)
                elif verb == "DATA":
                    self.reply("354 End data with <CR><LF>.<CR><LF>")
                    lines = []
                    while True:
                        line = self.rfile.readline()
                        if line in (b".\r\n", b".\n", b""):
                            break
                        lines.append(line)
                    mailbox.mails.append({"from": sender, "to": recipients, "data": b"".join(lines)})
                    self.reply("250 OK queued")
                elif verb == "RSET":
                    sender, recipients = "", []
                    self.reply("250 OK")
                elif verb == "QUIT":
                    self.reply("221 Bye")
                    return
                else:
                    self.reply("502 Command not implemented")

    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    mailbox.port = server.server_address[1]
    try:
        yield mailbox
    finally:
        server.shutdown()
        server.server_close()
