"""PDFs from templates with WeasyPrint, fetching nothing but the app's own static files.

A template may hold text someone typed (an address, a note). WeasyPrint would follow any URL
in it: file:// would read the server's disk, http(s):// would call out, data: could smuggle in
content. The fetcher below serves the files under STATIC_URL and refuses everything else.
"""

import functools
import logging
import mimetypes
import posixpath
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from core import collector

logger = logging.getLogger(__name__)

# Relative URLs in the template resolve against this origin; it is never contacted.
PDF_BASE_URL = "https://genhusning.invalid/"

# Every PDF's stylesheet, given by render_pdf (the templates do not link it).
PDF_STYLESHEET = "css/pdf.css"


def static_file_bytes(url: str) -> tuple[bytes, str] | None:
    """The content and media type of an app static file named by `url`, or None."""
    parts = urlsplit(url)
    base = urlsplit(PDF_BASE_URL)
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
        return None
    path = unquote(parts.path)
    static_url = urlsplit(settings.STATIC_URL).path
    if not path.startswith(static_url):
        return None
    name = posixpath.normpath(path[len(static_url) :])
    if name.startswith(("..", "/")) or name in (".", ""):
        return None
    if staticfiles_storage.exists(name):  # collected (hashed names in production)
        with staticfiles_storage.open(name) as file:
            content = file.read()
    else:
        found = finders.find(name)  # development: the app's static folders
        if not found or isinstance(found, list):
            return None
        with open(found, "rb") as file:
            content = file.read()
    return content, mimetypes.guess_type(name)[0] or "application/octet-stream"


class StaticOnlyURLFetcher(URLFetcher):
    """Serves the app's static files; refuses file://, http(s):// elsewhere, data: and the rest."""

    def fetch(self, url, headers=None):
        found = static_file_bytes(url)
        if found is None:
            logger.warning("PDF: refused to fetch %s", url[:200])
            raise ValueError(f"Refused: {url[:200]}")
        content, media_type = found
        return URLFetcherResponse(url, content, {"Content-Type": media_type})


@functools.lru_cache(maxsize=4)
def _parsed_stylesheet(content: bytes) -> CSS:
    return CSS(string=content.decode(), base_url=PDF_BASE_URL, url_fetcher=StaticOnlyURLFetcher())


def pdf_stylesheet() -> CSS:
    """pdf.css, parsed once for as long as its content stays the same (a changed file, in
    development, is parsed again). Parsing it was ~4 % of a 300-household report's Python calls.

    Given to WeasyPrint as the user's stylesheet rather than linked as the author's: the
    templates' own <style> only sets the page boxes' words, so no rule competes with it.
    """
    found = static_file_bytes(urljoin(PDF_BASE_URL, static(PDF_STYLESHEET)))
    if found is None:
        raise FileNotFoundError(PDF_STYLESHEET)
    return _parsed_stylesheet(found[0])


def render_pdf(template_name: str, context: dict, *, request: HttpRequest | None) -> bytes:
    """The template rendered (with the request's language and context processors) as a PDF.

    Without a request (a worker), the active language is used and no context processor runs.
    """
    html = render_to_string(template_name, context, request=request)
    with collector.paused():
        document = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=StaticOnlyURLFetcher())
        return document.write_pdf(stylesheets=[pdf_stylesheet()])


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    """The PDF as a download (core/middleware.py keeps it, like every response, out of caches)."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
