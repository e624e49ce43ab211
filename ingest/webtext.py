"""Articles saved from the web: navigation boilerplate dropped, title, date, author and origin inferred.

Applies to .html files and to text files without front matter (an article copied from a page such as
学习时报's). A boilerplate line is short and matches a known pattern as a whole ("回顶部", "字号：大 中 小",
"分享到：微信 微博"); a longer line is content even if it contains those words.
"""
from __future__ import annotations

import re

from ingest.structure import Block, Loaded

MAX_BOILERPLATE = 40  # characters: navigation and share bars are short; a sentence mentioning 返回 is not
HEAD_LINES = 20  # where a page prints its date, author and origin; further down, a date is an event's
_NAV_WORDS = (
    "立即下载|下载客户端|点击查看全文|查看全文|阅读全文|展开全文|回首页|返回首页|返回|回顶部|返回顶部|返回列表|"
    "打印|打印本页|打印此页|关闭|关闭窗口|收藏|收藏本页|纠错|我要纠错|分享|分享到|扫一扫|扫码|二维码|"
    "上一篇|下一篇|上一页|下一页|首页|尾页|相关阅读|相关新闻|相关链接|相关文章|推荐阅读|热点推荐|"
    "微信|微博|QQ空间|QQ|朋友圈|复制链接|手机看|手机版|字号|字体|大|中|小|默认|登录|注册|评论|点赞|"
    "Top|TOP|Home|Print|Share|Close|Back"
)
_BOILERPLATE = (
    re.compile(rf"^(?:[【\[（(<《]?\s*(?:{_NAV_WORDS})\s*[】\]）)>》]?\s*[:：|｜/·•、,，>»]?\s*)+$"),
    re.compile(r"^(?:【?\s*)?字[号体]\s*[:：]?.{0,12}$"),
    re.compile(r"^(?:分享到|分享至|扫一扫|扫码|当前位置|您的位置|你的位置|位置)\s*[:：].{0,36}$"),
    re.compile(r"^(?:责任编辑|编辑|责编|审核|校对|浏览次数|阅读量|阅读次数|点击数|浏览量)\s*[:：].{0,30}$"),
    re.compile(r"^(?:首页|网站首页)\s*[>＞›»/].{0,36}$"),  # breadcrumbs
    re.compile(r"^.{0,30}(?:版权所有|Copyright|©|ICP备|ICP证|公网安备).{0,40}$", re.I),
    re.compile(r"^(?:上一篇|下一篇)\s*[:：].{0,38}$"),
)
_DATE = re.compile(r"(?<!\d)(20\d{2}|19\d{2})\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|[-/.](\d{1,2})[-/.](\d{1,2})(?!\d))")
# a value ends at a space, a separator, the next label or a date: cleaning drops the full-width space
# between "学习时报　作者", so the labels themselves must end it
_STOP = r"(?=\s|$|[|｜，,。;；:：]|作者|来源|稿源|发布|时间|日期|编辑|责任编辑|(?:19|20)\d{2})"
_AUTHOR = re.compile(rf"(?:作者\s*[:：]|文\s*[/／]|撰稿人?\s*[:：])\s*([^\s:：|｜，,。;；]{{2,20}}?){_STOP}")
_ORIGIN = re.compile(rf"(?:来源|稿源|出处)\s*[:：]\s*([^\s|｜，,。;；:：]{{2,30}}?){_STOP}")
_META_LINE = re.compile(r"^(?:(?:来源|稿源|作者|发布时间|发布日期|时间|日期|编辑|责任编辑)\s*[:：]\s*\S{1,30}\s*|"
                        r"(?:20|19)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?\s*)+$")


def is_boilerplate(line: str) -> bool:
    """A short navigation, share, print or copyright line."""
    line = line.strip()
    return bool(line) and len(line) <= MAX_BOILERPLATE and any(p.match(line) for p in _BOILERPLATE)


def infer_meta(lines: list[str], *, title: str | None = None) -> dict:
    """Title (the given heading, else the first line that is not a sentence), date, author and origin from
    the head of the text (the date also from its last lines, where a 公文 is dated); only fields found."""
    found: dict = {}
    title = title or next((line for line in lines[:HEAD_LINES]
                           if 2 <= len(line) <= 60 and line[-1] not in "。！？；，" and not _META_LINE.match(line)
                           and not _AUTHOR.match(line) and not _ORIGIN.match(line)), None)
    if title:
        found["title"] = title
    head = lines[:HEAD_LINES]
    for line in head + lines[-5:]:
        match = _DATE.search(line)
        if match:
            year, m1, d1, m2, d2 = match.groups()
            month, day = int(m1 or m2), int(d1 or d2)
            if 1 <= month <= 12 and 1 <= day <= 31:
                found["date"] = f"{year}-{month:02d}-{day:02d}"
                break
    for key, pattern in (("author", _AUTHOR), ("origin", _ORIGIN)):
        for line in head:
            match = pattern.search(line)
            if match:
                found[key] = match.group(1)
                break
    return found


def is_meta_line(line: str) -> bool:
    """A line that only carries the date, origin or author ("来源：学习时报 2024-05-20"): metadata, not content."""
    return len(line) <= 80 and bool(_META_LINE.match(line.strip()))


def drop_meta_lines(blocks: list[Block]) -> list[Block]:
    """Blocks without the date/origin/author lines at the head of an article (read into metadata instead)."""
    return [b for i, b in enumerate(blocks) if i >= HEAD_LINES or b.level or not is_meta_line(b.text)]


def web_text(loaded: Loaded) -> Loaded:
    """A text file without front matter, taken as a copied web article: boilerplate out, metadata guessed."""
    blocks = [b for b in loaded.blocks if b.level or not is_boilerplate(b.text)]
    first = next((b.text for b in blocks[:HEAD_LINES] if b.level == 1), None)
    # a numbered heading ("一、总体") or a Markdown subheading is no title
    loaded.inferred = infer_meta([b.text for b in blocks if b.level in (0, 1)], title=first)
    blocks = drop_meta_lines(blocks)
    title = loaded.inferred.get("title")
    if title and first is None and blocks and blocks[0].text == title:
        blocks[0] = Block(title, level=1)  # the guessed title heads the document, not its first section
    loaded.blocks = blocks
    return loaded
