"""Decode text files written by any tool a school uses: UTF-8 (with or without BOM), UTF-16, GB18030."""
from __future__ import annotations

from kb.errors import IngestError

_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def decode_text(data: bytes, *, name: str) -> tuple[str, str]:
    """Return (text, encoding) or raise IngestError naming the file and the fix."""
    if not data.strip():
        raise IngestError(name, "文件为空 (empty file): 请检查文件内容后重新上传")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace"), encoding
    if b"\x00" in data[:8192]:
        raise IngestError(name, "不是文本文件，含二进制数据 (binary data in a text file): 请另存为 UTF-8 文本")
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return text, encoding
    raise IngestError(
        name, "无法识别的文本编码 (not UTF-8 or GB18030): 请用编辑器另存为 UTF-8 后重新导入"
    )


def _looks_like_text(text: str) -> bool:
    # GB18030 decodes almost any byte string; garbage shows up as control characters
    # and unassigned/rare code points, so demand that nearly everything is printable.
    sample = text[:20000]
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\n\r\t\f") or 0xE000 <= ord(ch) <= 0xF8FF)
    return bad <= max(2, len(sample) // 200)
