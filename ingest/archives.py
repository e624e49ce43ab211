"""Zip-based formats (.docx, .pptx): sizes checked from the directory before anything is inflated.

A 1 MB .docx can declare a 1 GB zero-filled part; python-docx reads every part into memory, so
the server grew from 638 MB to 2.5 GB (issue 10, #1). The declared sizes are enough to decide:
Python's zipfile never returns more than a member's declared size (and a lie fails its CRC).
"""
from __future__ import annotations

import io
import zipfile

from kb.errors import IngestError, clip

MAX_MEMBERS = 2000  # a Word file has tens of parts; thousands means a crafted archive
MAX_MEMBER_BYTES = 32 << 20  # document.xml of a 2-million-character document is ~20 MB; images are stored ≤ upload size
MAX_TOTAL_BYTES = 96 << 20  # everything python-docx holds in memory at once for one file
MAX_RATIO = 100  # real XML deflates 5–20×; zeros or repeated empty paragraphs 1000×
RATIO_FLOOR = 1 << 20  # below 1 MB inflated, any ratio is cheap (small XML parts compress well)


def check_zip(data: bytes, name: str, *, kind: str, app: str = "Word") -> None:
    """Raise IngestError (naming the file and the fix) when the archive would inflate beyond the limits.

    `kind` names the format in messages ("DOCX"), `app` the program that re-saves it ("Word").
    """
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise IngestError(name, f"{kind} 文件损坏或格式不对 (corrupt {kind}: not a valid zip): {clip(exc)}; "
                                f"请用 {app} 重新另存后上传") from exc
    if len(members) > MAX_MEMBERS:
        raise IngestError(name, f"压缩包内文件过多 ({len(members)} > {MAX_MEMBERS}) (too many parts): 请另存为普通 {app} 文件后重新上传")
    fix = f"请用 {app} 打开并另存为新文件（删除过大的嵌入对象和大量空段落）后重新上传 (re-save it without them)"
    total = 0
    for member in members:
        size = member.file_size
        total += size
        if size > MAX_MEMBER_BYTES:
            raise IngestError(name, f"内部文件 {member.filename[:80]} 解压后 {size >> 20} MB，超过 "
                                    f"{MAX_MEMBER_BYTES >> 20} MB (part too large when inflated); {fix}")
        if size > RATIO_FLOOR and size > MAX_RATIO * max(member.compress_size, 1):
            raise IngestError(name, f"内部文件 {member.filename[:80]} 压缩比异常 ({size // max(member.compress_size, 1)}:1 > "
                                    f"{MAX_RATIO}:1)，疑似压缩炸弹 (zip bomb suspected); {fix}")
    if total > MAX_TOTAL_BYTES:
        raise IngestError(name, f"解压后共 {total >> 20} MB，超过 {MAX_TOTAL_BYTES >> 20} MB "
                                f"(archive too large when inflated); {fix}")
