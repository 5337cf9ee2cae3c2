"""core/pdf.py: WeasyPrint fetches the app's own static files and nothing else."""

import gc
import io
import threading

import pytest
from django.test import RequestFactory
from pypdf import PdfReader

from core.collector import paused as collector_paused
from core.pdf import (
    StaticOnlyURLFetcher,
    pdf_stylesheet,
    render_pdf,
    static_file_bytes,
)


def test_it_serves_the_apps_static_files():
    content, media_type = static_file_bytes("https://genhusning.invalid/static/css/pdf.css")
    assert b"@page" in content
    assert media_type == "text/css"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file:///work/main/static/css/pdf.css",
        "http://example.org/x.css",
        "https://example.org/static/css/pdf.css",
        "https://genhusning.invalid/media/private/consent/x.pdf",
        "https://genhusning.invalid/static/../genhusning/settings.py",
        "https://genhusning.invalid/static/%2e%2e/genhusning/settings.py",
        "https://genhusning.invalid/static/css/missing.css",
        "data:text/css,body{color:red}",
        "ftp://genhusning.invalid/static/css/pdf.css",
    ],
)
def test_it_refuses_everything_else(url):
    assert static_file_bytes(url) is None
    with pytest.raises(ValueError):
        StaticOnlyURLFetcher().fetch(url)


def test_a_typed_url_in_a_template_is_not_fetched(tmp_path, settings, db):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-ON-DISK")
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]],
        }
    ]
    (tmp_path / "evil.html").write_text(
        f'<html><body><p>Hello</p><img src="file://{secret}"><object data="file://{secret}"></object>'
        f'<link rel="attachment" href="file://{secret}"></body></html>'
    )
    request = RequestFactory().get("/")
    pdf = render_pdf("evil.html", {}, request=request)
    reader = PdfReader(io.BytesIO(pdf))
    assert "Hello" in reader.pages[0].extract_text()
    assert b"SECRET-ON-DISK" not in pdf
    assert not reader.attachments


def test_it_pauses_the_collector_while_rendering_and_turns_it_back_on():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # a nested render
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_it_turns_the_collector_on_after_the_last_of_two_threads():
    inside, leave = threading.Event(), threading.Event()

    def other_render():
        with collector_paused():
            inside.set()
            leave.wait(5)

    thread = threading.Thread(target=other_render)
    with collector_paused():
        thread.start()
        inside.wait(5)
    assert not gc.isenabled()  # the other render still runs
    leave.set()
    thread.join(5)
    assert gc.isenabled()


def test_it_leaves_the_collector_off_if_it_was_off():
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_it_turns_the_collector_back_on_after_an_error():
    with pytest.raises(ZeroDivisionError), collector_paused():
        1 / 0  # noqa: B018
    assert gc.isenabled()


def test_it_parses_the_stylesheet_once_and_gives_it_to_every_pdf(tmp_path, settings, db):
    assert pdf_stylesheet() is pdf_stylesheet()
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    (tmp_path / "plain.html").write_text("<html><body><p>Hello</p></body></html>")
    pdf = render_pdf("plain.html", {}, request=RequestFactory().get("/"))
    fonts = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"]
    names = [str(font.get_object()["/BaseFont"]) for font in fonts.values()]
    assert names and all(name.endswith("+DejaVu-Sans") for name in names)  # pdf.css's font
