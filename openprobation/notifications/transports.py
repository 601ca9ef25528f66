"""Transports: how a message of the outbox leaves the service.

A transport has one method, ``send(message) -> provider_id``, and raises ``TransportError`` with
``retryable`` saying whether trying again later may succeed (a full mailbox, a gateway down) or
never will (an address the provider refuses). ``idempotent`` says whether sending the same message
twice reaches the person only once — the sender relies on it to decide what to do with a message
left "sending" by a crash (see ``services.outbox_send_due``).

Transports are chosen per channel by settings (``NOTIFY_SMS_TRANSPORT``, ``NOTIFY_EMAIL_TRANSPORT``);
``settings.py`` refuses an unknown name at start-up. Error texts never carry the address or the text
of the message: they are kept on the message row and shown to staff."""

from __future__ import annotations

import json
import logging
import smtplib
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.message import make_msgid
from django.utils import timezone

if TYPE_CHECKING:
    from openprobation.notifications.models import Message

log = logging.getLogger("openprobation.notifications")

SMS_TRANSPORTS = ("console", "file", "http")
EMAIL_TRANSPORTS = ("console", "file", "smtp")


class TransportError(Exception):
    """Sending failed. ``retryable``: may a later attempt succeed? The text is technical and
    free of personal data (no address, no message text)."""

    def __init__(self, text: str, *, retryable: bool) -> None:
        super().__init__(text)
        self.retryable = retryable


class Transport(Protocol):
    name: ClassVar[str]

    @property
    def idempotent(self) -> bool:
        """Does sending the same message twice reach the person only once?"""
        ...

    def send(self, message: Message) -> str: ...


def provider_reference(message: Message) -> str:
    """The reference this service gives a message at its providers (stable across attempts)."""
    return f"op-{message.pk}"


def _record(message: Message) -> dict[str, object]:
    return {
        "id": provider_reference(message),
        "at": timezone.now().isoformat(),
        "channel": message.channel,
        "to": message.to,
        "subject": message.subject,
        "body": message.body,
        "language": message.language,
        "purpose": message.purpose,
    }


class ConsoleTransport:
    """Writes each message as one JSON line to standard output (development)."""

    name: ClassVar[str] = "console"
    # Nothing reaches a person: printing twice is harmless, the line carries the message's id.
    idempotent: bool = True

    def send(self, message: Message) -> str:
        sys.stdout.write(json.dumps(_record(message), ensure_ascii=False) + "\n")
        sys.stdout.flush()
        return provider_reference(message)


_file_lock = threading.Lock()


class FileTransport:
    """Appends each message as one JSON line to ``NOTIFY_FILE_PATH`` (the embedded default: a
    file under ``var/`` that a developer or a test reads instead of a phone)."""

    name: ClassVar[str] = "file"
    idempotent: bool = True

    def send(self, message: Message) -> str:
        path = Path(settings.NOTIFY_FILE_PATH)
        line = json.dumps(_record(message), ensure_ascii=False) + "\n"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with _file_lock, path.open("a", encoding="utf-8") as out:
                out.write(line)
        except OSError as exc:
            raise TransportError(f"cannot write the outbox file: {exc.strerror}", retryable=True) from exc
        return provider_reference(message)


class SmtpTransport:
    """E-mail through Django's SMTP backend (``EMAIL_HOST``, ``EMAIL_PORT``, ``EMAIL_HOST_USER``,
    ``EMAIL_HOST_PASSWORD``, ``EMAIL_USE_TLS``/``EMAIL_USE_SSL``, ``DEFAULT_FROM_EMAIL``).

    SMTP has no idempotency key: a message sent again is a second e-mail."""

    name: ClassVar[str] = "smtp"
    idempotent: bool = False
    backend = "django.core.mail.backends.smtp.EmailBackend"

    def send(self, message: Message) -> str:
        message_id = make_msgid(idstring=provider_reference(message), domain=settings.NOTIFY_EMAIL_DOMAIN)
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.to],
            headers={"Message-ID": message_id, "Content-Language": message.language},
            connection=get_connection(self.backend, fail_silently=False, timeout=settings.NOTIFY_TIMEOUT_SECONDS),
        )
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as exc:
            codes = sorted({code for code, _text in exc.recipients.values()})
            raise TransportError(
                f"SMTP recipient refused ({', '.join(map(str, codes))})", retryable=all(400 <= c < 500 for c in codes)
            ) from exc
        except smtplib.SMTPResponseException as exc:
            # Sender refused, data refused, authentication failed …: 4xx is temporary, 5xx permanent,
            # except a failed authentication, which is the operator's to fix (the message may still go).
            retryable = 400 <= exc.smtp_code < 500 or isinstance(exc, smtplib.SMTPAuthenticationError)
            raise TransportError(f"SMTP {type(exc).__name__} {exc.smtp_code}", retryable=retryable) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransportError(f"SMTP connection failed: {type(exc).__name__}", retryable=True) from exc
        return message_id


class HttpSmsTransport:
    """SMS through an HTTP gateway: ``POST NOTIFY_SMS_URL`` with a JSON body
    ``{"id", "to", "text", "language", "sender"}`` and ``Authorization: Bearer NOTIFY_SMS_TOKEN``;
    the same ``id`` goes in the ``Idempotency-Key`` header. 2xx = accepted (the gateway's ``id``
    or ``message_id`` in a JSON answer is kept); 408, 429, 5xx, timeouts and connection errors are
    retried; any other 4xx is not. ``NOTIFY_SMS_IDEMPOTENT=true`` declares that the gateway
    ignores a second request with the same key."""

    name: ClassVar[str] = "http"

    @property
    def idempotent(self) -> bool:
        return bool(settings.NOTIFY_SMS_IDEMPOTENT)

    def send(self, message: Message) -> str:
        reference = provider_reference(message)
        payload = {
            "id": reference,
            "to": message.to,
            "text": message.body,
            "language": message.language,
            "sender": settings.NOTIFY_SMS_SENDER,
        }
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked at start-up (http/https)
            settings.NOTIFY_SMS_URL,
            data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
                "Idempotency-Key": reference,
                **({"Authorization": f"Bearer {settings.NOTIFY_SMS_TOKEN}"} if settings.NOTIFY_SMS_TOKEN else {}),
            },
        )
        try:
            with _OPENER.open(request, timeout=settings.NOTIFY_TIMEOUT_SECONDS) as response:
                raw = response.read(64 * 1024)
        except urllib.error.HTTPError as exc:
            status = exc.code
            exc.close()
            if 300 <= status < 400:
                # A redirect would turn the POST into a GET without the message (or resend it
                # elsewhere): NOTIFY_SMS_URL must be the gateway's final address.
                raise TransportError(f"SMS gateway redirected (HTTP {status})", retryable=False) from exc
            retryable = status >= 500 or status in (408, 425, 429)
            raise TransportError(f"SMS gateway answered HTTP {status}", retryable=retryable) from exc
        except TimeoutError as exc:
            raise TransportError("SMS gateway timed out", retryable=True) from exc
        except urllib.error.URLError as exc:
            reason = type(exc.reason).__name__ if not isinstance(exc.reason, str) else "URLError"
            raise TransportError(f"SMS gateway unreachable: {reason}", retryable=True) from exc
        except OSError as exc:
            raise TransportError(f"SMS gateway connection failed: {type(exc).__name__}", retryable=True) from exc
        return _gateway_id(raw) or reference


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx answer is raised as an HTTPError


_OPENER = urllib.request.build_opener(_NoRedirects)


def _gateway_id(raw: bytes) -> str:
    try:
        answer = json.loads(raw.decode("utf-8")) if raw else None
    except (UnicodeDecodeError, ValueError):
        return ""
    if isinstance(answer, dict):
        for key in ("id", "message_id"):
            value = answer.get(key)
            if isinstance(value, str | int) and not isinstance(value, bool):
                return str(value)[:200]
    return ""


_BY_NAME: dict[str, dict[str, type]] = {
    "sms": {"console": ConsoleTransport, "file": FileTransport, "http": HttpSmsTransport},
    "email": {"console": ConsoleTransport, "file": FileTransport, "smtp": SmtpTransport},
}


def transport_for(channel: str) -> Transport:
    """The transport configured for ``channel`` ("sms" or "email")."""
    name = settings.NOTIFY_SMS_TRANSPORT if channel == "sms" else settings.NOTIFY_EMAIL_TRANSPORT
    try:
        cls = _BY_NAME[channel][name]
    except KeyError as exc:  # settings.py refuses these at start-up; a test may override settings
        raise LookupError(f"No transport {name!r} for channel {channel!r}.") from exc
    transport: Transport = cls()
    return transport
