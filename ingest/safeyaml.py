"""Metadata YAML (front matter and `.meta.yaml` sidecars): a small mapping, no aliases, bounded.

A 445-byte alias bomb expanded to a 72 MB value (and one level deeper, out of memory); deep
nesting overflows the composer's recursion; a 5,000-digit number or `date: 2024-13-45` raises
ValueError from inside PyYAML. Every such input becomes an IngestError naming the file and the fix.
"""
from __future__ import annotations

import datetime as dt

import yaml

from kb.errors import IngestError, clip

MAX_YAML_BYTES = 16 * 1024  # real metadata is a few hundred bytes; 16 KB leaves room for long notes
MAX_VALUE_CHARS = 2000  # the longest real field (a pishi_note) is ~130 characters
MAX_LIST_ITEMS = 100  # topics are a handful
MAX_DEPTH = 4  # mapping → list → scalar is all metadata needs; a little room for unknown extras
_SCALARS = (str, int, float, bool, dt.date, dt.datetime, type(None))


class _Refused(yaml.YAMLError):
    """Raised while composing, before anything is expanded or built."""


class StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases and anchors and bounds nesting depth while composing."""

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(f"不允许使用 YAML 别名 *{clip(event.anchor, 40)} (aliases are not allowed)")
        if getattr(event, "anchor", None):
            raise _Refused(f"不允许使用 YAML 锚点 &{clip(event.anchor, 40)} (anchors are not allowed)")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(f"嵌套超过 {MAX_DEPTH} 层 (nested deeper than {MAX_DEPTH} levels)")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def load_mapping(text: str, *, name: str, what: str) -> dict:
    """Parse metadata YAML into a dict of short scalars and lists; raise IngestError otherwise.

    `what` names the place for the message ("文件头元数据 front matter", "元数据文件 x.meta.yaml").
    """
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_YAML_BYTES:
        raise IngestError(name, f"{what}过大 ({size} 字节 > {MAX_YAML_BYTES}) (metadata too large): "
                                f"请只保留 title、type、date、topics 等字段")
    try:
        data = yaml.load(text, Loader=StrictLoader)  # noqa: S506 - StrictLoader is a SafeLoader
    except _Refused as exc:
        raise IngestError(name, f"{what}{exc}: 请直接写出每个值，不要用 & 和 * (write each value out)") from exc
    except yaml.YAMLError as exc:
        raise IngestError(name, f"{what}不是合法的 YAML (bad metadata YAML): {clip(str(exc))}") from exc
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        # PyYAML's constructors raise these for out-of-range dates, huge integers and the like
        raise IngestError(name, f"{what}含无效的值 (invalid value): {clip(str(exc))}; 请检查日期和数字") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise IngestError(name, f"{what}应为 key: value 形式 (metadata must be a mapping)")
    for key, value in data.items():
        _check_value(key, value, name=name, what=what)
    return data


def _check_value(key, value, *, name: str, what: str) -> None:
    label = clip(str(key), 40)
    if not isinstance(key, _SCALARS) or len(str(key)) > 100:
        raise IngestError(name, f"{what}的字段名 {label!r} 无效 (invalid key)")
    items = value if isinstance(value, list) else [value]
    if len(items) > MAX_LIST_ITEMS:
        raise IngestError(name, f"{what}字段 {label} 的条目过多 ({len(items)} > {MAX_LIST_ITEMS}) (too many items)")
    for item in items:
        if isinstance(item, dict) or isinstance(item, list):
            continue  # nested extras are ignored by build_meta; depth and size are already bounded
        if not isinstance(item, _SCALARS):
            raise IngestError(name, f"{what}字段 {label} 的值类型不支持 (unsupported value type)")
        if isinstance(item, str) and len(item) > MAX_VALUE_CHARS:
            raise IngestError(name, f"{what}字段 {label} 过长 ({len(item)} 字 > {MAX_VALUE_CHARS}) "
                                    f"(value too long): 请缩短")
