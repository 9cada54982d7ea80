"""Request bodies are capped before they are read: a declared length over the cap gets the 413 page unread, a
chunked body is read only up to the cap, and the limits of every upload fit under the cap."""

import io
import socket
import time

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

from portal.request_limits import ChunkedBodyLimit, max_body_bytes
from portal.services import role_invitations_csv
from submissions import attachments
from submissions.services import public_image
from tests.factories import MembershipFactory
from tests.factories.submissions import ApplicationFactory

pytestmark = pytest.mark.django_db

TWO_HUNDRED_MIB = 200 * 1024 * 1024


class CountingInput(io.BytesIO):
    """wsgi.input that records how many bytes anything read from it."""

    def __init__(self, data: bytes = b""):
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk

    def readline(self, size=-1):
        line = super().readline(size)
        self.bytes_read += len(line)
        return line


@pytest.fixture
def draft():
    membership = MembershipFactory()
    application = ApplicationFactory(organisation=membership.organisation, created_by=membership.user)
    application.owner = membership.user
    return application


def test_every_upload_limit_fits_under_the_request_cap():
    largest_file = max(attachments.MAX_ATTACHMENT_BYTES, public_image.MAX_PUBLIC_IMAGE_BYTES,
                       role_invitations_csv.MAX_BYTES)
    assert settings.PORTAL_UPLOAD_MAX_BYTES == largest_file == 20 * 1024 * 1024
    assert max_body_bytes("multipart/form-data; boundary=x") == 24 * 1024 * 1024
    assert max_body_bytes("application/x-www-form-urlencoded") == settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    # The CSV preview comes back whole in a hidden field: it must fit in the fields' budget.
    assert role_invitations_csv.MAX_BYTES * 2 < settings.DATA_UPLOAD_MAX_MEMORY_SIZE


@pytest.mark.parametrize(("language", "heading"), [("en", "What you sent is too large"),
                                                    ("ko", "보내신 내용이 너무 큽니다")])
def test_a_200_mib_upload_is_refused_with_413_before_a_byte_is_read(client, draft, language, heading):
    client.force_login(draft.owner)
    body = CountingInput(b"--x\r\n" + b"\x00" * 1024)
    response = client.post(
        f"/applications/{draft.pk}/attachments/", data=b"", content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(TWO_HUNDRED_MIB), HTTP_ACCEPT_LANGUAGE=language, **{"wsgi.input": body},
    )
    assert response.status_code == 413
    assert body.bytes_read == 0
    page = response.content.decode()
    assert heading in page
    assert 'class="site-header"' in page  # the portal's layout, with its navigation


def test_a_form_post_over_the_fields_budget_is_refused_unread(client, draft):
    client.force_login(draft.owner)
    body = CountingInput(b"title=x")
    response = client.post(f"/applications/{draft.pk}/edit/", data=b"",
                           content_type="application/x-www-form-urlencoded",
                           CONTENT_LENGTH=str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1), **{"wsgi.input": body})
    assert (response.status_code, body.bytes_read) == (413, 0)


def test_a_body_within_the_cap_is_read_as_usual(client, draft):
    client.force_login(draft.owner)
    response = client.post(f"/applications/{draft.pk}/edit/", {"title": "Within the cap"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Within the cap"


def test_fields_over_djangos_budget_inside_a_multipart_body_get_the_413_page(client, draft):
    # Under the multipart cap (24 MiB), over DATA_UPLOAD_MAX_MEMORY_SIZE in plain fields: Django's own limit.
    client.force_login(draft.owner)
    response = client.post(f"/applications/{draft.pk}/edit/",
                           {"title": "x", "links": "y" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)})
    assert response.status_code == 413
    assert "What you sent is too large" in response.content.decode()


def test_too_many_fields_get_a_400_page_in_the_layout(client, draft):
    client.force_login(draft.owner)
    response = client.post(f"/applications/{draft.pk}/edit/",
                           "&".join(f"f{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    page = response.content.decode()
    assert "The portal could not read this request" in page and 'class="site-header"' in page


def _wsgi_call(application, environ):
    status = {}

    def start_response(line, headers, exc_info=None):
        status["line"], status["headers"] = line, dict(headers)

    body = b"".join(application(environ, start_response))
    return status["line"], body


def _environ(path: str, body: CountingInput, content_type: str, **extra) -> dict:
    return {
        "REQUEST_METHOD": "POST", "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1", "CONTENT_TYPE": content_type, "HTTP_TRANSFER_ENCODING": "chunked",
        "wsgi.input": body, "wsgi.url_scheme": "http", "wsgi.errors": io.StringIO(), "wsgi.version": (1, 0),
        "wsgi.multithread": False, "wsgi.multiprocess": False, "wsgi.run_once": False, **extra,
    }


def test_a_chunked_body_over_the_cap_is_read_only_up_to_the_cap_then_refused():
    application = ChunkedBodyLimit(WSGIHandler())
    limit = max_body_bytes("multipart/form-data; boundary=x")
    body = CountingInput(b"\x00" * (limit + 5 * 1024 * 1024))
    line, page = _wsgi_call(application, _environ("/accounts/login/", body, "multipart/form-data; boundary=x"))
    assert line.startswith("413")
    assert body.bytes_read == limit + 1
    assert "What you sent is too large".encode() in page


def test_a_chunked_body_within_the_cap_reaches_the_view_whole():
    # Django alone reads a body without Content-Length as empty: this one changes the language, so it was read.
    application = ChunkedBodyLimit(WSGIHandler())
    token = "a" * 32
    sent = f"csrfmiddlewaretoken={token}&language=ko&next=/".encode()
    body = CountingInput(sent)
    environ = _environ("/i18n/setlang/", body, "application/x-www-form-urlencoded", HTTP_COOKIE=f"csrftoken={token}")
    line, _page = _wsgi_call(application, environ)
    assert line.startswith("302")
    assert body.bytes_read == len(sent)


@pytest.mark.django_db(transaction=True)
def test_over_a_real_socket_the_413_arrives_while_the_client_has_sent_almost_nothing(live_server):
    """The refusal comes back after the headers and a few kilobytes, not after 200 MiB."""
    host, port = live_server.url.removeprefix("http://").split(":")
    started = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(
            b"POST /accounts/login/ HTTP/1.1\r\nHost: %s\r\nContent-Type: multipart/form-data; boundary=x\r\n"
            b"Content-Length: %d\r\n\r\n" % (host.encode(), TWO_HUNDRED_MIB) + b"\x00" * 16384)
        connection.shutdown(socket.SHUT_WR)
        reply = b""
        while chunk := connection.recv(65536):
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    assert time.monotonic() - started < 10


def test_upload_inputs_carry_their_limit_for_the_browser_check(client, draft):
    client.force_login(draft.owner)
    page = client.get(f"/applications/{draft.pk}/edit/").content.decode()
    assert f'data-max-bytes="{attachments.MAX_ATTACHMENT_BYTES}"' in page
    assert "is larger than 20.0\xa0MB and was not added" in page
    assert "portal/js/site.js" in page  # which holds the check
