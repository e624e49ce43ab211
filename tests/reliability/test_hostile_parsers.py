"""Hypothesis feeds the upload parsers hostile input under time and memory bounds (issue 10, "Done when").

Bombs, deep nesting, pathological lines, bad encodings, random bytes behind every suffix: each file
either loads (text without control characters) or raises the project's IngestError naming the file
with a short reason. Never another exception, never more than SECONDS or RSS_MB for one file.
"""
import io
import tempfile
import time
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.documents import build_document
from ingest.loaders import SUPPORTED, load_file
from ingest.structure import assemble
from kb.errors import IngestError
from eval import hostile

SECONDS = 8.0  # per file, on a shared 2-core machine; these inputs are small, the budget is for slow parsers
RSS_MB = 300  # peak resident growth per file (a bomb that inflated would take gigabytes)
FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_FOLDER = Path(tempfile.mkdtemp(prefix="kb-hostile-"))


def _write(name: str, data: bytes) -> Path:
    path = _FOLDER / name
    path.write_bytes(data)
    return path


def _check(path: Path, *, document: bool = False):
    """Load path under the bounds; the outcome is a clean text or an IngestError for this file."""
    started = time.perf_counter()
    if document:
        run = lambda: build_document(path, doc_id="0" * 16, source=path.name, count_tokens=len,  # noqa: E731
                                     max_tokens=200, overlap=1)
    else:
        run = lambda: load_file(path)  # noqa: E731
    growth, result = hostile.peak_rss_growth_mb(run)
    elapsed = time.perf_counter() - started
    assert elapsed < SECONDS, f"{path.name}: {elapsed:.1f} s"
    assert growth < RSS_MB, f"{path.name}: +{growth:.0f} MB"
    if isinstance(result, IngestError):
        assert result.file == path.name and result.reason.strip() and len(str(result)) < 1400, str(result)[:300]
        return result
    if isinstance(result, BaseException):
        raise AssertionError(f"{type(result).__name__} escaped the loader: {str(result)[:300]}") from result
    text = result.text if document else assemble(result.blocks).text
    assert text.strip() and "\x00" not in text and "\x07" not in text
    return result


SUFFIXES = st.sampled_from(sorted(SUPPORTED))
MAGIC = st.sampled_from([b"", b"%PDF-1.4\n", b"PK\x03\x04", b"PK\x05\x06", b"\xef\xbb\xbf", b"\xff\xfe",
                         b"\xfe\xff", b"---\n", b"\x1f\x8b", b"<?xml version='1.0'?>"])


@FAST
@given(suffix=SUFFIXES, magic=MAGIC, data=st.binary(max_size=3000))
def test_random_bytes_behind_any_suffix(suffix, magic, data):
    _check(_write(f"random{suffix}", magic + data))


# --- zip archives and Word XML ---

MEMBER_NAMES = st.sampled_from(["[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml",
                                "docProps/core.xml", "word/_rels/document.xml.rels", "word/media/x.bin", "../evil"])


@FAST
@given(members=st.lists(st.tuples(MEMBER_NAMES, st.binary(max_size=2000), st.booleans()), max_size=6),
       real_head=st.booleans())
def test_random_zip_archives_as_docx(members, real_head):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        if real_head:
            zf.writestr("[Content_Types].xml", hostile._CONTENT_TYPES)
            zf.writestr("_rels/.rels", hostile._RELS)
        for name, data, deflate in members:
            zf.writestr(zipfile.ZipInfo(name), data, zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED)
    _check(_write("archive.docx", buffer.getvalue()))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(member_mb=st.integers(1, 1024))
def test_zip_bombs_of_any_size(member_mb):
    _check(hostile.zip_bomb_docx(_FOLDER / "bomb.docx", member_mb=member_mb))


XML_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="<&"), max_size=60)
PIECE = st.one_of(
    XML_TEXT.map(hostile.paragraph),
    st.integers(1, 3000).map(lambda n: "<w:p>" + "<w:r>" * n + "<w:t>深</w:t>" + "</w:r>" * n + "</w:p>"),
    st.integers(1, 20000).map(lambda n: "<w:p/>" * n),
    st.integers(1, 5000).map(lambda n: "<w:p><w:r>" + "<w:t>字</w:t><w:br/><w:tab/>" * n + "</w:r></w:p>"),
    st.just("<w:p><w:hyperlink><w:r><w:t>链接</w:t></w:r></w:hyperlink></w:p>"),
    st.just("<w:p><w:r><w:t>\x01\x02控制字符</w:t></w:r></w:p>"),  # not allowed in XML at all
    st.just("<w:p><w:pPr><w:pStyle w:val='不存在'/></w:pPr><w:r><w:t>无此样式</w:t></w:r></w:p>"),
    st.integers(1, 200_000).map(lambda n: f"<w:p w:rsidR='{'A' * n}'><w:r><w:t>长属性</w:t></w:r></w:p>"),
    st.just("<w:tbl><w:tr><w:tc><w:p><w:r><w:t>表格</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"),
    st.just("<w:p><w:r><w:t>未闭合"),
)
ENTITY_BOMB = ('<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "笑笑笑笑笑笑笑笑笑笑">'
               + "".join(f'<!ENTITY {b} "{("&" + a + ";") * 10}">' for a, b in zip("abcdefgh", "bcdefghi"))
               + ']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
               '<w:body><w:p><w:r><w:t>&i;</w:t></w:r></w:p></w:body></w:document>')


@FAST
@given(pieces=st.lists(PIECE, min_size=1, max_size=8))
def test_hostile_word_xml(pieces):
    _check(hostile.write_docx(_FOLDER / "hostile.docx", pieces))


def test_entity_bomb_in_word_xml():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", hostile._CONTENT_TYPES)
        zf.writestr("_rels/.rels", hostile._RELS)
        zf.writestr("word/document.xml", ENTITY_BOMB)
    outcome = _check(_write("entities.docx", buffer.getvalue()))
    if not isinstance(outcome, IngestError):  # entities are not expanded: the text stays small
        assert sum(len(b.text) for b in outcome.blocks) < 10_000


# --- PDF ---

CONTENT = st.one_of(
    st.binary(max_size=500),
    st.just(b"BT /F1 12 Tf 72 720 Td (\xe4\xb8\xad\xe6\x96\x87) Tj ET"),
    st.integers(1, 100_000).map(lambda n: b"[" * n),
    st.integers(1, 100_000).map(lambda n: b"(" * n),
    st.integers(1, 50_000).map(lambda n: b"BT " * n),
    st.integers(1, 200_000).map(lambda n: b"(a) Tj " * n),
    st.integers(1, 1000).map(lambda n: b"9" * (n * 100) + b" Tz"),
    st.integers(1, 64).map(lambda n: bytes(n << 20)),  # up to 64 MB of zeros, deflated to ~64 KB
)


@FAST
@given(pieces=st.lists(CONTENT, min_size=1, max_size=3), deflate=st.booleans(),
       cut=st.none() | st.integers(0, 4000), flip=st.none() | st.integers(0, 4000))
def test_hostile_pdfs(pieces, deflate, cut, flip):
    content = b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET\n" + b"\n".join(pieces)
    if not deflate:
        content = content[:200_000]  # undeflated, the file itself stays small
    data = bytearray(hostile.pdf_with_content(content, deflate=deflate))
    if flip is not None and flip < len(data):
        data[flip] ^= 0xFF
    if cut is not None:
        data = data[: max(cut, 1)]
    _check(_write("hostile.pdf", bytes(data)))


# --- Markdown and text: pathological lines, hostile front matter, bad encodings ---

UNITS = st.sampled_from(["[", "![", "[a](", "](", "**a", "__", "`", "# a ", " ", "\u3000", "中 ", "#", "*", "- ",
                         "> ", "\t", "\ufeff", "\u200b", "\x00", "\r", "---\n", "\n", "。", "“"])


@FAST
@given(lines=st.lists(st.tuples(UNITS, st.integers(1, 60_000)), min_size=1, max_size=4),
       suffix=st.sampled_from([".md", ".txt"]))
def test_pathological_lines(lines, suffix):
    text = "".join(unit * min(count, 100_000 // len(unit)) for unit, count in lines) + "\n正文。"
    _check(_write(f"lines{suffix}", text.encode("utf-8")), document=True)


YAML_PIECES = st.sampled_from([
    "title: 专题\n", "type: report\n", "date: 2024-05-20\n", "topics: [乡村振兴]\n",
    "a: &a [x, y]\n", "b: *a\n", "<<: *a\n", "c: &c {k: v}\n", "d: [*c, *c]\n",
    "type: !!python/object/apply:os.system [ls]\n", "title: !!binary aGVsbG8=\n", "x: !!set {a, b}\n",
    "date: 2024-13-45\n", "date: 9999-99-99 99:99:99\n", "cohort: 1" + "0" * 5000 + "\n", "n: .inf\n",
    "topics: " + "[" * 3000 + "]" * 3000 + "\n", "title: " + "长" * 3000 + "\n", "? [a, b]\n: c\n",
    "title: 'unclosed\n", "\t- tab\n", "%YAML 1.1\n", "--- !tag\n", "pishi: [1, 2]\n", "type: {a: b}\n",
])


@FAST
@given(pieces=st.lists(YAML_PIECES, min_size=1, max_size=6), sidecar=st.booleans())
def test_hostile_front_matter_and_sidecars(pieces, sidecar):
    yaml_text = "".join(pieces)
    if sidecar:
        path = _write("side.md", "# 标题\n正文内容。\n".encode())
        (_FOLDER / "side.md.meta.yaml").write_text(yaml_text, encoding="utf-8")
    else:
        (_FOLDER / "front.md.meta.yaml").unlink(missing_ok=True)
        path = _write("front.md", f"---\n{yaml_text}---\n# 标题\n正文内容。\n".encode())
    try:
        _check(path, document=True)
    finally:
        (_FOLDER / "side.md.meta.yaml").unlink(missing_ok=True)


CHUNKS = st.one_of(
    st.text(max_size=40).map(lambda t: t.encode("utf-8", "surrogatepass")),  # lone surrogates included
    st.text(alphabet="党校学员调研报告金点子", max_size=40).map(lambda t: t.encode("gb18030")),
    st.text(max_size=40).map(lambda t: t.encode("utf-16-le", "surrogatepass")),
    st.binary(max_size=40),
    st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xc0\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80"]),
)


@FAST
@given(chunks=st.lists(CHUNKS, min_size=1, max_size=12), suffix=st.sampled_from([".md", ".txt", ".markdown"]))
def test_bad_encodings(chunks, suffix):
    _check(_write(f"encoding{suffix}", b"".join(chunks)))


# --- saved web pages and slides ---

HTML_PIECES = st.sampled_from([
    "<div>", "</div>", "<table>", "</table>", "<tr>", "<td>", "</td>", "<th>", "<h1>", "</h1>", "<h7>", "<p>",
    "<br/>", "<br>", "<script>", "</script>", "<style>", "<!--", "-->", "<![CDATA[", "&amp;", "&#0;", "&#xD800;",
    "&nosuch;", "<meta name='author' content='甲'>", "<meta name=publishdate content=2024-13-99>", "<title>",
    "</title>", "正文。", "回顶部", "来源：学习时报", "2024年5月20日", "<nav>", "</nav>", "<", ">", "\x00", "\r",
])


@FAST
@given(pieces=st.lists(st.tuples(HTML_PIECES, st.integers(1, 2000)), min_size=1, max_size=8))
def test_hostile_html(pieces):
    page = "".join(piece * count for piece, count in pieces) + "<p>正文。</p>"
    _check(_write("page.html", page.encode("utf-8", "surrogatepass")), document=True)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(members=st.lists(st.tuples(st.sampled_from(["ppt/presentation.xml", "ppt/slides/slide1.xml",
                                                  "ppt/_rels/presentation.xml.rels", "[Content_Types].xml",
                                                  "ppt/notesSlides/notesSlide1.xml"]),
                                  st.binary(max_size=800)), max_size=5))
def test_random_zip_archives_as_pptx(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in members:
            zf.writestr(zipfile.ZipInfo(name), data)
    _check(_write("deck.pptx", buffer.getvalue()))


_SLIDE_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><p:sld xmlns:a="http://schemas.openxmlformats.org/'
               'drawingml/2006/main" xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"><p:cSld><p:spTree>')
_SLIDE_TAIL = "</p:spTree></p:cSld></p:sld>"
_TEXT_SHAPE = ('<p:sp><p:nvSpPr><p:cNvPr id="{n}" name="t"/><p:cNvSpPr txBox="1"/><p:nvPr/></p:nvSpPr><p:spPr/>'
               '<p:txBody><a:bodyPr/><a:p><a:r><a:t>字</a:t></a:r></a:p></p:txBody></p:sp>')
_GROUP = '<p:grpSp><p:nvGrpSpPr><p:cNvPr id="9" name="g"/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>'
SLIDE_PIECES = st.one_of(
    st.integers(1, 3000).map(lambda n: _GROUP * n + _TEXT_SHAPE.format(n=5) + "</p:grpSp>" * n),
    st.integers(1, 20000).map(lambda n: "".join(_TEXT_SHAPE.format(n=i + 10) for i in range(n))),  # > MAX_SHAPES
    st.just("<p:sp><p:txBody><a:p><a:r><a:t>未闭合"),
    st.integers(1, 5000).map(lambda n: _TEXT_SHAPE.format(n=3).replace("<a:t>字</a:t>", "<a:t>字</a:t><a:br/>" * n)),
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pieces=st.lists(SLIDE_PIECES, min_size=1, max_size=3))
def test_hostile_slide_xml(pieces):
    from tests.ingest.test_slides import _deck

    deck = _deck(_FOLDER / "base.pptx")
    with zipfile.ZipFile(deck) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    members["ppt/slides/slide2.xml"] = (_SLIDE_HEAD + "".join(pieces) + _SLIDE_TAIL).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    _check(_write("hostile.pptx", buffer.getvalue()))
