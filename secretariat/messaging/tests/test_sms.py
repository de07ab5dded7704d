"""SMS backends: numbers in E.164, the demo file, the console, and the HTTP gateway (tested
against a real local HTTP server)."""

import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from secretariat.messaging.sms import (
    ConsoleSmsBackend,
    FileSmsBackend,
    HttpSmsBackend,
    SmsError,
    get_sms_backend,
    to_e164,
)


@pytest.mark.parametrize(("typed", "e164"), [
    ("0612345678", "+33612345678"),
    ("06 12 34 56 78", "+33612345678"),
    ("06.12.34.56.78", "+33612345678"),
    ("+33 6 12 34 56 78", "+33612345678"),
    ("+33 (0)6 12 34 56 78", "+33612345678"),
    ("0033 6 12 34 56 78", "+33612345678"),
    ("07 98 76 54 32", "+33798765432"),
    ("0690 12 34 56", "+590690123456"),  # Guadeloupe
    ("0694 12 34 56", "+594694123456"),  # Guyane
    ("0696 12 34 56", "+596696123456"),  # Martinique
    ("0692 12 34 56", "+262692123456"),  # La Réunion
    ("0639 12 34 56", "+262639123456"),  # Mayotte
    ("+41 79 123 45 67", "+41791234567"),
    ("0041 79 123 45 67", "+41791234567"),
])
def test_numbers_are_sent_in_e164(typed, e164):
    assert to_e164(typed) == e164


@pytest.mark.parametrize("typed", ["", "12345", "06 12 34", "+0612345678", "06123456789", "abc"])
def test_what_is_not_a_number_is_a_permanent_error(typed):
    with pytest.raises(SmsError) as raised:
        to_e164(typed)
    assert raised.value.permanent is True


def test_file_backend_appends_one_json_line_per_sms(tmp_path, settings):
    settings.SECRETARIAT_SMS_SENDER = "MSPTilleul"
    path = tmp_path / "sub" / "sms.jsonl"
    backend = FileSmsBackend(path)
    backend.send(to="+33612345678", text="Rappel : rendez-vous demain à 09:00")
    backend.send(to="+33798765432", text="Deuxième")
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(line["to"], line["from"], line["text"]) for line in lines] == [
        ("+33612345678", "MSPTilleul", "Rappel : rendez-vous demain à 09:00"),
        ("+33798765432", "MSPTilleul", "Deuxième"),
    ]


def test_file_backend_that_cannot_write_raises_a_transient_error(tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    with pytest.raises(SmsError) as raised:
        FileSmsBackend(blocker / "sms.jsonl").send(to="+33612345678", text="x")
    assert raised.value.permanent is False


def test_console_backend_writes_the_sms():
    stream = io.StringIO()
    ConsoleSmsBackend(stream).send(to="+33612345678", text="Bonjour")
    assert "+33612345678" in stream.getvalue()
    assert "Bonjour" in stream.getvalue()


def test_the_setting_chooses_the_backend(settings):
    settings.SECRETARIAT_SMS_BACKEND = "console"
    assert isinstance(get_sms_backend(), ConsoleSmsBackend)
    settings.SECRETARIAT_SMS_BACKEND = "file"
    assert isinstance(get_sms_backend(), FileSmsBackend)
    settings.SECRETARIAT_SMS_BACKEND = "http"
    settings.SECRETARIAT_SMS_HTTP_URL = "https://sms.example.org/send"
    assert isinstance(get_sms_backend(), HttpSmsBackend)


class Gateway:
    """A local HTTP server standing for the SMS provider; answers what the test tells it to."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answer = (201, {"id": "msg-42"})
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                length = int(self.headers["Content-Length"])
                gateway.requests.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                                         "json": json.loads(self.rfile.read(length))})
                status, body = gateway.answer
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway():
    server = Gateway()
    yield server
    server.close()


def backend_for(gateway, **kwargs):
    return HttpSmsBackend(url=gateway.url, api_key="secret-key", header="X-API-Key", sender="MSPTilleul",
                          timeout=5, **kwargs)


def test_http_backend_posts_json_with_the_api_key_and_keeps_the_reference(gateway):
    sent = backend_for(gateway).send(to="+33612345678", text="Rappel : RDV mardi à 09:00")

    assert sent.reference == "msg-42"
    [request] = gateway.requests
    assert request["path"] == "/v1/sms"
    assert request["headers"]["x-api-key"] == "secret-key"  # header names are case-insensitive
    assert request["headers"]["content-type"] == "application/json"
    assert request["json"] == {"to": "+33612345678", "from": "MSPTilleul", "text": "Rappel : RDV mardi à 09:00"}


@pytest.mark.parametrize(("status", "permanent"), [(400, True), (401, True), (422, True), (429, False),
                                                   (500, False), (503, False)])
def test_http_backend_refusals_say_whether_trying_again_may_help(gateway, status, permanent):
    gateway.answer = (status, {"error": "no"})
    with pytest.raises(SmsError) as raised:
        backend_for(gateway).send(to="+33612345678", text="x")
    assert str(status) in str(raised.value)
    assert raised.value.permanent is permanent


def test_http_backend_unreachable_gateway_is_transient(gateway):
    url = gateway.url
    gateway.close()
    with pytest.raises(SmsError) as raised:
        HttpSmsBackend(url=url, api_key="k", timeout=2).send(to="+33612345678", text="x")
    assert raised.value.permanent is False


def test_http_backend_refuses_other_schemes():
    with pytest.raises(SmsError):
        HttpSmsBackend(url="file:///etc/passwd", api_key="k")
