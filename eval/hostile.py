"""Builders of hostile files, small on disk: used by the hostile-input tests and by `kb loadtest --hostile`."""
from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Default Extension="bin" ContentType="application/octet-stream"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '</Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)
DOC_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
DOC_TAIL = "</w:body></w:document>"


def paragraph(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def write_docx(path: Path, body: str | Iterable[str], *, extra: dict[str, Iterable[bytes]] | None = None,
               level: int = 6) -> Path:
    """A minimal .docx whose document.xml body is `body` (streamed when an iterable of pieces).

    `extra` adds members written chunk by chunk, so a 1 GB member never sits in memory.
    """
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        with zf.open("word/document.xml", "w", force_zip64=True) as out:
            out.write(DOC_HEAD.encode())
            for piece in [body] if isinstance(body, str) else body:
                out.write(piece.encode())
            out.write(DOC_TAIL.encode())
        for name, chunks in (extra or {}).items():
            with zf.open(name, "w", force_zip64=True) as out:
                for chunk in chunks:
                    out.write(chunk)
    return path


def zeros(total: int, chunk: int = 1 << 20) -> Iterable[bytes]:
    block = bytes(chunk)
    for start in range(0, total, chunk):
        yield block[: min(chunk, total - start)]


def zip_bomb_docx(path: Path, *, member_mb: int = 1024) -> Path:
    """A valid .docx of about 1 MB with one zero-filled member of member_mb MB (1 GB), CRC included.

    Deflating 1 GB takes zlib ~6 s, so the member's stream is one deflated, sync-flushed megabyte of
    zeros repeated: each copy decodes on its own (it starts with a literal), so the stream is valid.
    """
    mb = bytes(1 << 20)
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = deflater.compress(mb) + deflater.flush(zlib.Z_SYNC_FLUSH)
    stream = block * member_mb + deflater.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(member_mb):
        crc = zlib.crc32(mb, crc)
    members = [(name, _deflate(text.encode()), zlib.crc32(text.encode()), len(text.encode()))
               for name, text in (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _RELS),
                                  ("word/document.xml", DOC_HEAD + paragraph("正文。") + DOC_TAIL))]
    members.append(("word/media/image1.bin", stream, crc, member_mb << 20))
    path.write_bytes(_raw_zip(members))
    return path


def _deflate(data: bytes) -> bytes:
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    return deflater.compress(data) + deflater.flush()


def _raw_zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of already-deflated members (name, deflated bytes, crc32, size); sizes below 4 GB."""
    out, central = bytearray(), bytearray()
    for name, data, crc, size in members:
        raw = name.encode()
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(data), size,
                               len(raw), 0, 0, 0, 0, 0, len(out)) + raw
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(data), size, len(raw), 0) + raw + data
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(out), 0)
    return bytes(out + central + end)


def million_paragraph_docx(path: Path, count: int = 1_000_000) -> Path:
    """The probe's case: about 10 KB holding a million empty paragraphs."""
    return write_docx(path, ("<w:p/>" * 10_000 for _ in range(count // 10_000)), level=9)


def pdf_with_content(content: bytes, *, deflate: bool = True) -> bytes:
    """A one-page PDF whose content stream is `content` (deflated unless told), with a correct xref."""
    data = zlib.compress(content, 9) if deflate else content
    flate = b"/Filter /FlateDecode " if deflate else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(data)).encode() + b" " + flate + b">>\nstream\n" + data + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def peak_rss_growth_mb(fn) -> tuple[float, object]:
    """(peak resident memory added while fn runs, in MB; fn's result or the exception it raised).

    Linux: writing 5 to /proc/self/clear_refs resets the high-water mark VmHWM to the current RSS.
    """
    status = Path("/proc/self/status")

    def read(field: str) -> int:
        line = next(line for line in status.read_text().splitlines() if line.startswith(field))
        return int(line.split()[1])

    before = read("VmRSS:")
    Path("/proc/self/clear_refs").write_text("5")
    try:
        result = fn()
    except Exception as exc:  # noqa: BLE001 - the caller checks what was raised
        result = exc
    return (read("VmHWM:") - before) / 1024, result


# like the probe's 445-byte bomb: each level repeats the one before nine times (9^8 ≈ 43 million
# strings once printed; the probe's 72 MB error message was one level less)
ALIAS_BOMB = "".join([
    "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    *(f"{b}: &{b} [{', '.join(['*' + a] * 9)}]\n" for a, b in zip("abcdefg", "bcdefgh")),
    "type: *h\n",
])


def alias_bomb_md() -> bytes:
    """Markdown whose front matter is the alias bomb."""
    return f"---\n{ALIAS_BOMB}---\n# 标题\n正文内容。\n".encode()


def bracket_lines_md(chars: int = 64_000) -> bytes:
    """Markdown lines full of "[": the probe's quadratic link-regex case (64k characters took 23.6 s)."""
    return ("# 标题\n" + "[" * chars + "\n正文内容。\n").encode()
