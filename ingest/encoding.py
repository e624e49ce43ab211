"""Decode text files written by any tool a school uses: UTF-8 (with or without BOM), UTF-16, GB18030."""
from __future__ import annotations

from kb.errors import IngestError

_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def decode_text(data: bytes, *, name: str) -> tuple[str, str]:
    """Return (text, encoding) or raise IngestError naming the file and the fix.

    The encoding is "utf-8+replaced" when a mostly-UTF-8 file had a few undecodable bytes
    (mixed encodings): they become U+FFFD and the loader reports a warning.
    """
    if not data.strip():
        raise IngestError(name, "文件为空 (empty file): 请检查文件内容后重新上传")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace"), encoding
    if b"\x00" in data[:8192]:
        raise IngestError(name, "不是文本文件，含二进制数据 (binary data in a text file): 请另存为 UTF-8 文本")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Mostly UTF-8 with a few foreign bytes (a GBK line pasted in): GB18030 would turn the UTF-8
    # Chinese into plausible-looking garbage, so keep UTF-8 and replace the bad bytes.
    lenient = data.decode("utf-8", errors="replace")
    if lenient.count("\ufffd") <= max(8, len(lenient) // 50) and _has_utf8_cjk(data):
        return lenient, "utf-8+replaced"
    try:
        text = data.decode("gb18030")
        if _looks_like_text(text):
            return text, "gb18030"
    except UnicodeDecodeError:
        pass
    raise IngestError(
        name, "无法识别的文本编码 (not UTF-8 or GB18030): 请用编辑器另存为 UTF-8 后重新导入"
    )


def _looks_like_text(text: str) -> bool:
    # GB18030 decodes almost any byte string; garbage shows up as control characters
    # and unassigned/rare code points, so demand that nearly everything is printable.
    sample = text[:20000]
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\n\r\t\f") or 0xE000 <= ord(ch) <= 0xF8FF)
    return bad <= max(2, len(sample) // 200)


def _has_utf8_cjk(data: bytes) -> bool:
    # three-byte UTF-8 sequences of CJK ideographs start with 0xE4–0xE9
    return sum(1 for b in data[:20000] if 0xE4 <= b <= 0xE9) >= 3
