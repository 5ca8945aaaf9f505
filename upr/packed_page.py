"""A cached page kept compressed: sent as it is to a browser that accepts gzip, with a place for the
request's messages.

Why. GZipMiddleware compresses a page on every response: for the document page of a maximum-length
submission (240 KB of HTML) that is 4 ms of CPU on every view, more than the rest of a cached view.
Compressed once when the page is rendered, a view costs a cache read of 31 KB and no compression.

BREACH (guessing a secret in a compressed page from its length, by injecting guesses into the same
page) is met as GZipMiddleware meets it: every response gets a gzip header with a random file name of
1 to 100 bytes (Django's "Heal the Breach" padding); and a page is packed only with a CSRF token masked
afresh for that rendering, so every change to what the page shows (the only way to inject anything
into a cached page) also changes the token's bytes.
"""

from __future__ import annotations

import gzip
import random
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import re_accepts_gzip
from django.utils.cache import patch_vary_headers
from django.utils.crypto import get_random_string

PADDING_BYTES = 100  # as GZipMiddleware.max_random_bytes


@dataclass(frozen=True)
class PackedPage:
    compressed: bytes  # gzip of the page's UTF-8, with no file name (mtime 0: the same page, the same bytes)
    slot: int  # where the request's messages go, in characters

    @classmethod
    def pack(cls, html: str, *, slot_marker: str) -> PackedPage:
        """`html` holds `slot_marker` once, where the messages go; it is taken out."""
        slot = html.index(slot_marker)
        html = html[:slot] + html[slot + len(slot_marker) :]
        return cls(gzip.compress(html.encode(), compresslevel=6, mtime=0), slot)

    def html(self, messages: str = "") -> str:
        text = gzip.decompress(self.compressed).decode()
        return text[: self.slot] + messages + text[self.slot :]

    def gzip_padded(self) -> bytes:
        """The compressed page with a random file name in its header (what compress_string gives)."""
        header = bytearray(self.compressed[:10])
        header[3] = gzip.FNAME
        name = get_random_string(random.randint(1, PADDING_BYTES)).encode() + b"\x00"
        return bytes(header) + name + self.compressed[10:]

    def response(self, request: HttpRequest, messages: str) -> HttpResponse:
        """Sent compressed when the browser accepts gzip and there are no messages (nearly every view);
        otherwise the HTML with the messages in it, which GZipMiddleware compresses as any page."""
        if messages or not re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            return HttpResponse(self.html(messages))
        response = HttpResponse(self.gzip_padded())
        response.headers["Content-Encoding"] = "gzip"  # GZipMiddleware leaves it as it is
        patch_vary_headers(response, ("Accept-Encoding",))
        return response
