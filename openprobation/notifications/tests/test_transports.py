"""Each transport against a real local endpoint: a file, standard output, an HTTP SMS gateway
(a ``http.server`` thread answering 200, 400, 503 or too late) and an SMTP server on a socket."""

from __future__ import annotations

import email
import json
import socket
from email import policy
from typing import Any

import pytest

from openprobation.notifications.models import Message
from openprobation.notifications.tests.servers import sms_gateway, smtp_server
from openprobation.notifications.transports import (
    ConsoleTransport,
    FileTransport,
    HttpSmsTransport,
    SmtpTransport,
    TransportError,
    transport_for,
)

pytestmark = pytest.mark.django_db


def a_message(**over: Any) -> Message:
    fields: dict[str, Any] = {
        "channel": "sms",
        "to": "+77011234567",
        "body": "Ертең сағат 10:00-де пробация қызметіне келуіңізді еске саламыз.",
        "language": "kk",
        "purpose": "appointment_reminder",
        "dedupe_key": f"t:{over.get('dedupe_key', 'one')}",
        "next_attempt_at": "2026-12-01T10:00:00Z",
    }
    fields.update(over)
    return Message.objects.create(**fields)


def test_file_transport_appends_one_json_line_per_message(settings, tmp_path) -> None:
    settings.NOTIFY_FILE_PATH = tmp_path / "sub" / "outbox.jsonl"
    first, second = a_message(), a_message(dedupe_key="two", channel="email", to="a@example.kz", subject="Еске салу")
    assert FileTransport().send(first) == f"op-{first.pk}"
    FileTransport().send(second)
    lines = [json.loads(line) for line in settings.NOTIFY_FILE_PATH.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == [f"op-{first.pk}", f"op-{second.pk}"]
    assert lines[0]["body"] == first.body and lines[0]["to"] == first.to and lines[0]["language"] == "kk"
    assert lines[1]["subject"] == "Еске салу"


def test_file_transport_that_cannot_write_is_a_retryable_error(settings, tmp_path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    settings.NOTIFY_FILE_PATH = blocker / "outbox.jsonl"
    with pytest.raises(TransportError) as err:
        FileTransport().send(a_message())
    assert err.value.retryable


def test_console_transport_prints_one_json_line(capsys) -> None:
    message = a_message()
    assert ConsoleTransport().send(message) == f"op-{message.pk}"
    line = json.loads(capsys.readouterr().out)
    assert line["body"] == message.body


# --- HTTP SMS gateway --------------------------------------------------------------------------------


@pytest.fixture
def gateway(settings):
    with sms_gateway() as gw:
        settings.NOTIFY_SMS_URL = gw.url
        settings.NOTIFY_SMS_TOKEN = "gateway-token-123"
        settings.NOTIFY_SMS_SENDER = "PROBATION"
        settings.NOTIFY_TIMEOUT_SECONDS = 2
        yield gw


def test_http_sms_posts_json_with_the_bearer_token_and_keeps_the_gateway_id(gateway) -> None:
    gateway.body = {"id": "gw-777", "status": "queued"}
    message = a_message()
    assert HttpSmsTransport().send(message) == "gw-777"
    (request,) = gateway.requests
    assert request["headers"]["Authorization"] == "Bearer gateway-token-123"
    assert request["headers"]["Idempotency-Key"] == f"op-{message.pk}"
    assert request["headers"]["Content-Type"].startswith("application/json")
    assert request["json"] == {
        "id": f"op-{message.pk}",
        "to": "+77011234567",
        "text": message.body,
        "language": "kk",
        "sender": "PROBATION",
    }


@pytest.mark.parametrize("body", [b"", b"not json", {"status": "ok"}, {"id": True}, ["gw-1"]])
def test_http_sms_without_a_gateway_id_keeps_our_reference(gateway, body) -> None:
    gateway.body = body
    message = a_message()
    assert HttpSmsTransport().send(message) == f"op-{message.pk}"


@pytest.mark.parametrize(
    ("status", "retryable"),
    [(400, False), (401, False), (404, False), (422, False), (429, True), (500, True), (503, True)],
)
def test_http_sms_errors_retry_on_5xx_and_429_only(gateway, status, retryable) -> None:
    gateway.status, gateway.body = status, {"error": "refused +77011234567"}
    with pytest.raises(TransportError) as err:
        HttpSmsTransport().send(a_message())
    assert err.value.retryable is retryable
    assert str(err.value) == f"SMS gateway answered HTTP {status}"
    assert "7701" not in str(err.value)  # no personal data in the error kept on the row


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_http_sms_redirect_is_not_followed(gateway, status) -> None:
    gateway.status, gateway.body = status, {}
    with pytest.raises(TransportError) as err:
        HttpSmsTransport().send(a_message())
    assert not err.value.retryable
    assert len(gateway.requests) == 1


def test_http_sms_timeout_is_retryable(gateway, settings) -> None:
    settings.NOTIFY_TIMEOUT_SECONDS = 1
    gateway.delay = 2.5
    with pytest.raises(TransportError) as err:
        HttpSmsTransport().send(a_message())
    assert err.value.retryable
    assert "timed out" in str(err.value)


def test_http_sms_unreachable_gateway_is_retryable(settings) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nobody listens there
    settings.NOTIFY_SMS_URL = f"http://127.0.0.1:{port}/send"
    with pytest.raises(TransportError) as err:
        HttpSmsTransport().send(a_message())
    assert err.value.retryable


def test_http_sms_is_idempotent_only_when_declared(settings) -> None:
    settings.NOTIFY_SMS_IDEMPOTENT = False
    assert HttpSmsTransport().idempotent is False
    settings.NOTIFY_SMS_IDEMPOTENT = True
    assert HttpSmsTransport().idempotent is True


# --- SMTP --------------------------------------------------------------------------------------------


@pytest.fixture
def mailbox(settings):
    with smtp_server() as box:
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", box.port
        settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "", ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.DEFAULT_FROM_EMAIL = "probation@example.kz"
        settings.NOTIFY_EMAIL_DOMAIN = "example.kz"
        settings.NOTIFY_TIMEOUT_SECONDS = 3
        yield box


def test_smtp_sends_through_a_real_smtp_conversation(mailbox) -> None:
    message = a_message(channel="email", to="aigerim@example.kz", subject="Кездесу туралы еске салу")
    provider_id = SmtpTransport().send(message)
    (mail,) = mailbox.mails
    assert mail["to"] == ["<aigerim@example.kz>"]
    parsed = email.message_from_bytes(mail["data"], policy=policy.default)
    assert str(parsed["Subject"]).strip() == "Кездесу туралы еске салу"
    assert parsed["Message-ID"] == provider_id
    assert f"op-{message.pk}" in provider_id and provider_id.endswith("@example.kz>")
    assert parsed["Content-Language"] == "kk"
    assert parsed.get_content().strip() == message.body


@pytest.mark.parametrize(("reply", "retryable"), [("550 No such user", False), ("451 Try again later", True)])
def test_smtp_refused_recipient(mailbox, reply, retryable) -> None:
    mailbox.rcpt_reply = reply
    with pytest.raises(TransportError) as err:
        SmtpTransport().send(a_message(channel="email", to="nobody@example.kz"))
    assert err.value.retryable is retryable
    assert "nobody" not in str(err.value)
    assert not mailbox.mails


def test_smtp_server_down_is_retryable(settings) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sock.getsockname()[1]
    with pytest.raises(TransportError) as err:
        SmtpTransport().send(a_message(channel="email", to="a@example.kz"))
    assert err.value.retryable


# --- Choice by settings ------------------------------------------------------------------------------


def test_transport_for_follows_the_settings_per_channel(settings) -> None:
    settings.NOTIFY_SMS_TRANSPORT, settings.NOTIFY_EMAIL_TRANSPORT = "http", "smtp"
    assert isinstance(transport_for("sms"), HttpSmsTransport)
    assert isinstance(transport_for("email"), SmtpTransport)
    settings.NOTIFY_SMS_TRANSPORT, settings.NOTIFY_EMAIL_TRANSPORT = "file", "console"
    assert isinstance(transport_for("sms"), FileTransport)
    assert isinstance(transport_for("email"), ConsoleTransport)
    settings.NOTIFY_EMAIL_TRANSPORT = "http"  # no HTTP e-mail transport
    with pytest.raises(LookupError):
        transport_for("email")
