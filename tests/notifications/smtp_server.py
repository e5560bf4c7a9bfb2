"""A real SMTP server in the test process (aiosmtpd), collecting what it receives."""

from __future__ import annotations

import email
import email.policy
import socket
from contextlib import contextmanager

import pytest

# A venv made before aiosmtpd joined the test extra skips these tests instead of failing.
Controller = pytest.importorskip(
    "aiosmtpd.controller", reason="pip install -e '.[test]' (aiosmtpd)").Controller


class Collector:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refuse = False

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.refuse:
            return "451 Try again later"
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def smtp_server():
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield collector, controller.port
    finally:
        controller.stop()
