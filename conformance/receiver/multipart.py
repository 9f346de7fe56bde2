"""Strict multipart/form-data parsing: a body cut short is an error, not a shorter form."""

from __future__ import annotations

from dataclasses import dataclass, field

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

MAX_PARTS = 1000


class MultipartError(ValueError):
    """A multipart body that cannot be read as a complete form."""


@dataclass
class RawPart:
    """One part: its name, filename (files only), content type and raw bytes."""

    name: str = ""
    filename: str | None = None
    content_type: str | None = None
    data: bytearray = field(default_factory=bytearray)


def boundary_of(content_type: str) -> bytes:
    """The boundary parameter of a multipart Content-Type header."""
    _, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if not boundary:
        raise MultipartError("multipart Content-Type without a boundary")
    return boundary


class _Collector:
    def __init__(self) -> None:
        self.parts: list[RawPart] = []
        self.ended = False
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._headers: dict[bytes, bytes] = {}

    def on_part_begin(self) -> None:
        if len(self.parts) >= MAX_PARTS:
            raise MultipartError(f"more than {MAX_PARTS} parts")
        self.parts.append(RawPart())
        self._headers = {}

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        self.parts[-1].data += data[start:end]

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[bytes(self._header_name).lower()] = bytes(self._header_value)
        self._header_name.clear()
        self._header_value.clear()

    def on_headers_finished(self) -> None:
        part = self.parts[-1]
        kind, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        if kind != b"form-data" or b"name" not in options:
            raise MultipartError("a part without 'Content-Disposition: form-data; name=…'")
        try:
            part.name = options[b"name"].decode("utf-8")
            filename = options.get(b"filename")
            part.filename = None if filename is None else filename.decode("utf-8")
        except UnicodeDecodeError:
            raise MultipartError("a part name or filename is not UTF-8") from None
        content_type = self._headers.get(b"content-type")
        part.content_type = None if content_type is None else content_type.decode("latin-1")

    def on_end(self) -> None:
        self.ended = True


def parse_multipart(body: bytes, content_type: str) -> list[RawPart]:
    """All parts of a complete multipart body; a missing final boundary raises MultipartError."""
    collector = _Collector()
    callbacks = {
        name: getattr(collector, name)
        for name in (
            "on_part_begin",
            "on_part_data",
            "on_header_field",
            "on_header_value",
            "on_header_end",
            "on_headers_finished",
            "on_end",
        )
    }
    parser = MultipartParser(boundary_of(content_type), callbacks)  # type: ignore[arg-type]
    try:
        parser.write(body)
        parser.finalize()
    except MultipartParseError as exc:
        raise MultipartError(f"malformed multipart body: {exc}") from None
    if not collector.ended:
        raise MultipartError("multipart body ends before its closing boundary (truncated)")
    return collector.parts
