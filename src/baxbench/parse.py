"""Turning a model's answer into files: find the code, name it, and keep it inside the sample dir.

Models answer in many shapes (CODE tags, fences with or without a language, chatty preambles,
reasoning sections, headings naming files), so the parser is lenient about *where* the code is
and strict about *where it goes*: a path that could leave the sample's directory fails the
answer, and `write_files` re-checks every path and never follows a symlink.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol

from baxbench import safefs

MAX_PATH_CHARS = 1024
MAX_NAME_CHARS = 255
MAX_MARKER_LINE = 300  # a line longer than this does not announce a file name


class ParseError(ValueError):
    """The answer holds no usable code, or names a path that is not allowed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Layout(Protocol):
    """What the parser needs of an env (an `Env` satisfies it)."""

    @property
    def language(self) -> str: ...
    @property
    def code_files(self) -> tuple[str, ...]: ...
    @property
    def multi_file(self) -> bool: ...


# --- paths ----------------------------------------------------------------------------------


def safe_relpath(path: str) -> str:
    """`path` as a clean relative posix path, or ParseError saying why it may not be written."""
    raw = path
    if not path or not path.strip():
        raise ParseError(f"file path {raw!r} is empty")
    path = path.strip()
    if "\x00" in path:
        raise ParseError(f"file path {raw!r} contains a NUL byte")
    if any(
        unicodedata.category(ch)[0] == "C" or unicodedata.category(ch) in ("Zl", "Zp")
        for ch in path
    ):
        raise ParseError(f"file path {raw!r} contains a control or invisible character")
    if len(path) > MAX_PATH_CHARS:
        raise ParseError(f"file path {raw[:60]!r}... is longer than {MAX_PATH_CHARS} characters")
    if re.match(r"^[A-Za-z]:", path):
        raise ParseError(f"file path {raw!r} starts with a drive letter; use a relative path")
    path = path.replace("\\", "/")
    if path.startswith("/"):
        raise ParseError(f"file path {raw!r} is absolute; paths must be relative to the project")
    if bad := sorted(set(path) & set('<>:"|?*')):
        raise ParseError(f"file path {raw!r} contains {''.join(bad)!r}, not allowed in file names")
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise ParseError(f"file path {raw!r} climbs out of the project with '..'")
    if not parts:
        raise ParseError(f"file path {raw!r} names the project directory itself, not a file")
    if parts[0].startswith("~"):
        raise ParseError(f"file path {raw!r} starts with '~'; paths must be relative")
    if any(p != p.strip() for p in parts):
        raise ParseError(f"file path {raw!r} has a name that starts or ends with a space")
    if any(len(p) > MAX_NAME_CHARS for p in parts):
        raise ParseError(f"file path {raw!r} has a component longer than {MAX_NAME_CHARS}")
    return "/".join(parts)


def _check_layout(files: Mapping[str, str]) -> None:
    """Reject a path that is both a file and a parent directory of another file."""
    dirs = {str(parent) for p in files for parent in PurePosixPath(p).parents}
    clash = sorted(set(files) & dirs)
    if clash:
        raise ParseError(f"file path {clash[0]!r} is used both as a file and as a directory")


def write_files(files: Mapping[str, str], dest_dir: Path) -> list[Path]:
    """Write `files` under `dest_dir` (created), re-validating every path and never following a
    symlink; returns the written paths. Raises ParseError for a bad path and
    `safefs.UnsafePathError` when something in `dest_dir` would redirect a write outside it."""
    clean = {safe_relpath(p): c for p, c in files.items()}
    if len(clean) != len(files):
        raise ParseError("two file paths name the same file after normalisation")
    _check_layout(clean)
    dest_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for rel, content in clean.items():
        safefs.write_file(dest_dir, rel, _encode(content))
        written.append(dest_dir / rel)
    return written


def _encode(content: str) -> bytes:
    try:
        return content.encode("utf-8", errors="surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate from a JSON answer: keep the file writable
        return content.encode("utf-8", errors="replace")


# --- blocks ---------------------------------------------------------------------------------


@dataclass
class _Block:
    content: str
    lang: str  # lower-cased first word of a fence's info string; "" if none
    pos: int
    tagged: bool  # from <CODE> tags
    path: str | None = None  # the file this block was announced as
    strong: bool = False  # path announced explicitly (tag, heading, info string)


_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_THINK_OPEN = re.compile(r"<(think|thinking|reasoning)>", re.I)
_THINK_CLOSE = re.compile(r"</(?:think|thinking|reasoning)>", re.I)
_THINK_LEADING = re.compile(r"^\s*<(?:think|thinking|reasoning)>", re.I)
_FILEPATH_OPEN = re.compile(r"<FILEPATH>", re.I)
_FILEPATH_CLOSE = re.compile(r"</FILEPATH>", re.I)


def _drop_closed_reasoning(text: str) -> str:
    """Remove <think>...</think> sections. A linear scan: a lazy regex over an answer full of
    unclosed tags takes quadratic time, and answers are untrusted input."""
    out, pos = [], 0
    while m := _THINK_OPEN.search(text, pos):
        close = re.compile(f"</{m[1]}>", re.I).search(text, m.end())
        if close is None:
            break
        out.append(text[pos : m.start()])
        pos = close.end()
    out.append(text[pos:])
    return "".join(out)


def _filepath_tags(text: str) -> list[tuple[int, str]]:
    """(position, content) of each <FILEPATH>...</FILEPATH>, scanned linearly."""
    found, pos = [], 0
    while m := _FILEPATH_OPEN.search(text, pos):
        close = _FILEPATH_CLOSE.search(text, m.end())
        if close is None:
            break
        found.append((m.start(), text[m.end() : close.start()]))
        pos = close.end()
    return found


def _clean(text: str) -> str:
    """Normalise newlines, drop reasoning sections and stray bold markers around the answer."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _drop_closed_reasoning(text)
    closes = list(_THINK_CLOSE.finditer(text))
    if closes:  # reasoning whose opening tag the provider already removed
        text = text[closes[-1].end() :]
    text = _THINK_LEADING.sub("", text, count=1).strip()
    if text.startswith("**") and text[2:3] in ("", "\n", " ", "<", "`", "~"):
        text = text[2:].lstrip()
    if text.endswith("**") and text[-3:-2] in ("", "\n", " ", ">", "`", "~"):
        text = text[:-2].rstrip()
    return text


def _tidy(content: str) -> str:
    lines = content.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    body = "\n".join(lines[first:]).rstrip()
    return body + "\n" if body else ""


def _closes(line: str, fence: str) -> bool:
    stripped = line.strip()
    return len(stripped) >= len(fence) and set(stripped) == {fence[0]}


def _opening(line: str) -> re.Match[str] | None:
    m = _FENCE_OPEN.match(line)
    if m and m["fence"][0] == "`" and "`" in m["info"]:
        return None  # inline code such as ```x```, not a fence
    return m


def _dedent(line: str, indent: str) -> str:
    return line[len(indent) :] if line.startswith(indent) else line.lstrip(" \t")


def _scan_fences(text: str, base: int, nested: bool = False) -> list[tuple[str, int] | _Block]:
    """Prose lines (text, pos) and fenced blocks of `text`, in order. A fence tagged as
    markdown may hold nested fences (models wrap whole answers that way); they are re-scanned."""
    out: list[tuple[str, int] | _Block] = []
    lines = text.split("\n")
    offsets = []
    pos = 0
    for line in lines:
        offsets.append(pos)
        pos += len(line) + 1
    i = 0
    while i < len(lines):
        m = _opening(lines[i])
        if not m:
            out.append((lines[i], base + offsets[i]))
            i += 1
            continue
        fence, indent, info = m["fence"], m["indent"], m["info"].strip()
        lang = info.split()[0].lower() if info else ""
        markdown = lang in ("markdown", "md") and not nested  # one level: input is untrusted
        depth, j, body = 0, i + 1, []
        while j < len(lines):
            line = lines[j]
            if markdown and (inner := _opening(line)) and inner["info"].strip():
                depth += 1
            elif _closes(line, fence):
                if depth == 0:
                    break
                depth -= 1
            body.append(_dedent(line, indent))
            j += 1
        content = "\n".join(body)
        start = base + offsets[i]
        if markdown and _opening_anywhere(content):
            inner_start = base + offsets[i + 1] if i + 1 < len(lines) else start
            out.extend(_scan_fences(content, inner_start, nested=True))
        else:
            block = _Block(content, lang, start, tagged=False)
            _path_from_info(block, info)
            out.append(block)
        i = j + 1
    return out


def _opening_anywhere(text: str) -> bool:
    return any(_opening(line) for line in text.split("\n"))


def _unwrap(content: str) -> tuple[str, str]:
    """A CODE block's content without a markdown fence the model put inside it."""
    stripped = content.strip("\n")
    first = stripped.split("\n", 1)[0]
    if not _opening(first):
        return content, ""
    for item in _scan_fences(stripped, 0):
        if isinstance(item, _Block):
            return item.content, item.lang
    return content, ""


# --- file names announced around blocks ---------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_CODE_EXTS = _words(
    "py js mjs cjs ts tsx jsx go rs php rb erb json yaml yml toml env html htm css sql mod sum "
    "lock txt md xml ini cfg conf sh blade example local ru rake gemspec"
)
_TOKEN = re.compile(r"[\w.\-/\\~:]+")
_LABEL = re.compile(r"^(?:file(?:name)?|path)\s*[:\-]?\s*", re.I)
_LIST = re.compile(r"^(?:\d+[.)]|[-*+])\s+")
_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*)$")
_BOLD_LINE = re.compile(r"^\s*(?:\d+[.)]\s+|[-*+]\s+)?(\*\*|__)(.+?)\1\s*:?\s*$")
_LABEL_LINE = re.compile(
    r"^\s*(?:\d+[.)]\s+|[-*+]\s+)?(?:(?:file(?:name)?|path)\s*[:\-]?\s*)?(`[^`]+`)\s*:?\s*$"
    r"|^\s*(?:file(?:name)?|path)\s*:\s*(\S+)\s*$",
    re.I,
)
_COMMENT_PATH = re.compile(
    r"^\s*(?://|#|--|;|/\*|<!--)\s*(?:file(?:name)?|path)?\s*:?\s*`?(?P<p>[\w.\-/]+)`?"
    r"\s*(?:\*/|-->)?\s*$",
    re.I,
)


def _pathlike(token: str, known: tuple[str, ...]) -> bool:
    if token in known:
        return True
    if not _TOKEN.fullmatch(token) or "://" in token or not re.search(r"[A-Za-z]", token):
        return False
    if "/" in token.strip("/") or "\\" in token:
        return True
    m = re.search(r"\.([A-Za-z0-9]+)$", token)
    return bool(m and m[1].lower() in _CODE_EXTS) or token.startswith(".env")


def _marker_line(line: str) -> str | None:
    """The text of a line that can announce a file (a heading, a bold line, a lone path)."""
    if len(line) > MAX_MARKER_LINE:
        return None  # also keeps the regexes below from backtracking over huge lines
    if m := _HEADING.match(line):
        return m[1].rstrip().rstrip("#").rstrip()
    if m := _BOLD_LINE.match(line):
        return m[2]
    if m := _LABEL_LINE.match(line):
        return m[1] or m[2]
    return None


def _heading_path(inner: str, known: tuple[str, ...]) -> str | None:
    """The path a marker line names: `### src/main.ts`, `**File: app.py**`, `` `a/b.rb`: ``."""
    inner = _LIST.sub("", inner.replace("**", "").strip()).rstrip(":").strip()
    inner = _LABEL.sub("", inner)
    ticked = re.findall(r"`([^`]+)`", inner)
    if ticked:
        paths = {t.strip() for t in ticked if _pathlike(t.strip(), known)}
        return paths.pop() if len(paths) == 1 else None
    # a bare path, optionally followed by a parenthetical or a dash and a description
    m = re.match(r"^(\S+)(?:\s+(?:\(.*\)|[-\u2013\u2014:].*))?$", inner)
    if m and _pathlike(m[1].rstrip(":"), known):
        return m[1].rstrip(":")
    # a description naming one path with a directory: "Controller - src/app.controller.ts"
    tokens = {t.strip(",;:()[]") for t in inner.split()}
    paths = {t for t in tokens if _pathlike(t, known) and (t in known or "/" in t)}
    return paths.pop() if len(paths) == 1 else None


def _prose_path(line: str, known: tuple[str, ...]) -> str | None:
    """A path named in the sentence that introduces a block: "Here is `app.py`:"."""
    if len(line) > MAX_MARKER_LINE or not line.rstrip().endswith(":"):
        return None
    tokens = re.findall(r"`([^`\s]+)`|\*\*([^*\s]+)\*\*", line)
    paths = {a or b for a, b in tokens if _pathlike(a or b, known)}
    return paths.pop() if len(paths) == 1 else None


def _path_from_info(block: _Block, info: str) -> None:
    """Paths in a fence's info string: ```python:app.py, ```ts title="src/main.ts", ```app.py."""
    if not info or len(info) > MAX_MARKER_LINE:
        return
    m = re.search(r"""\b(?:title|file(?:name)?|path)\s*=\s*["']?([^"'\s]+)""", info)
    first = info.split()[0]
    candidate = None
    if m:
        candidate = m[1]
    elif ":" in first and not first.endswith(":"):
        block.lang, candidate = first.split(":", 1)[0].lower(), first.split(":", 1)[1]
    elif len(info.split()) > 1 and _pathlike(info.split()[1], ()):
        candidate = info.split()[1]
    elif _pathlike(first, ()) and ("." in first or "/" in first):
        candidate, block.lang = first, first.rsplit(".", 1)[-1].lower()
    if candidate and _TOKEN.fullmatch(candidate):
        block.path, block.strong = candidate, True


def _comment_path(block: _Block, known: tuple[str, ...]) -> str | None:
    first = block.content.lstrip("\n").split("\n", 1)[0]
    if len(first) > MAX_MARKER_LINE:
        return None
    m = _COMMENT_PATH.match(first)
    if m and _pathlike(m["p"], known) and (m["p"] in known or "/" in m["p"] or "." in m["p"]):
        return m["p"]
    return None


# --- collecting blocks in order -----------------------------------------------------------


def _code_spans(text: str) -> list[tuple[int, int, int, int]]:
    """(start, end, inner_start, inner_end) of <CODE> sections; an unclosed last one runs to the
    end of the answer (a model that forgot the closing tag)."""
    spans = []
    pos = 0
    while (start := text.find("<CODE>", pos)) != -1:
        inner = start + len("<CODE>")
        end = text.find("</CODE>", inner)
        if end == -1:
            spans.append((start, len(text), inner, len(text)))
            break
        spans.append((start, end + len("</CODE>"), inner, end))
        pos = end + len("</CODE>")
    return spans


def _unwrap_whole(text: str) -> str:
    """An answer wrapped entirely in one fence that holds CODE/FILEPATH tags: drop the fence."""
    lines = text.split("\n")
    m = _opening(lines[0])
    if m and len(lines) >= 3 and _closes(lines[-1], m["fence"]):
        inner = "\n".join(lines[1:-1])
        if "<CODE>" in inner:
            return inner
    return text


def _blocks(text: str, known: tuple[str, ...], strict: bool) -> list[_Block]:
    """Every code block of the answer in order, each with the path it was announced as.
    With `strict`, an explicitly announced path that is not allowed fails the answer."""
    # (position, order at equal positions, item); a str item is a <FILEPATH> tag's content
    events: list[tuple[int, int, _Block | tuple[str, int] | str]] = []
    pos = 0
    for start, end, inner_start, inner_end in [*_code_spans(text), (len(text), len(text), 0, 0)]:
        segment = text[pos:start]
        for at, tagged_path in _filepath_tags(segment):
            events.append((pos + at, 0, tagged_path.strip()))
        for scanned in _scan_fences(segment, pos):
            if isinstance(scanned, _Block):
                events.append((scanned.pos, 2, scanned))
            else:
                events.append((scanned[1], 1, scanned))
        if start < len(text):
            content, lang = _unwrap(text[inner_start:inner_end])
            events.append((start, 2, _Block(content, lang, start, tagged=True)))
        pos = end
    events.sort(key=lambda e: (e[0], e[1]))

    blocks: list[_Block] = []
    pending: str | None = None
    from_tag = False  # a <FILEPATH> tag outranks headings until its block comes
    last_prose = ""
    for _, _, item in events:
        if isinstance(item, str):
            pending, from_tag = item, True
        elif isinstance(item, tuple):
            line = item[0]
            marker = _marker_line(line)
            if marker is not None and not from_tag:
                # a heading naming no file starts a section that belongs to no file
                pending = _heading_path(marker, known)
            if line.strip():
                last_prose = line
        else:
            if item.path is None and pending is not None:
                item.path, item.strong = pending, True
            elif item.path is None:
                item.path = _prose_path(last_prose, known) or _comment_path(item, known)
            if item.path is not None:
                item.path = _normalise(item.path, item.strong and strict)
            pending, from_tag, last_prose = None, False, ""
            item.content = _tidy(item.content)
            blocks.append(item)
    return blocks


def _normalise(path: str, strict: bool) -> str | None:
    path = path.strip().strip("`\"'*").strip()
    try:
        return safe_relpath(path)
    except ParseError:
        if strict:
            raise
        return None


# --- choosing the code ---------------------------------------------------------------------

_LANGS: dict[str, set[str]] = {
    "py": {"python", "py", "python3", "py3"},
    "js": {"javascript", "js", "node", "nodejs", "jsx", "mjs", "cjs"},
    "ts": {"typescript", "ts", "tsx"},
    "go": {"go", "golang"},
    "rs": {"rust", "rs"},
    "php": {"php"},
    "rb": {"ruby", "rb"},
}
_LANGUAGE_EXT = {
    "python": "py",
    "javascript": "js",
    "typescript": "ts",
    "go": "go",
    "rust": "rs",
    "php": "php",
    "ruby": "rb",
}
_NOT_CODE = _words(
    "bash sh shell zsh console shell-session shellsession powershell ps1 cmd bat text txt "
    "plaintext plain output log json jsonc yaml yml toml ini env dotenv http sql diff markdown md "
    "dockerfile docker curl requirements pip"
)
_LOOKS = {
    # [ \t] rather than \s: \s crosses newlines, and backtracks quadratically over blank runs
    "py": re.compile(r"^[ \t]*(?:from[ \t]+[\w.]+[ \t]+import[ \t]|import[ \t]+\w)", re.M),
    "js": re.compile(
        r"require\(|^[ \t]*import[ \t].*[ \t]from[ \t]|^[ \t]*(?:const|let|var)[ \t]", re.M
    ),
    "ts": re.compile(
        r"^[ \t]*(?:import[ \t].*[ \t]from|const|let|var|export)[ \t]|require\(", re.M
    ),
    "go": re.compile(r"^[ \t]*package[ \t]+\w+", re.M),
    "rs": re.compile(r"^[ \t]*(?:use[ \t]+[\w:]+|fn[ \t]+main|#\[)", re.M),
    "php": re.compile(r"<\?php"),
    "rb": re.compile(r"^[ \t]*(?:require|class|module|def)[ \t]", re.M),
}
_STARTS = {
    "py": re.compile(r"^(?:import\s|from\s+[\w.]+\s+import\s|#!|\"\"\"|''')"),
    "js": re.compile(r"^(?:const\s|let\s|var\s|import\s|require\(|['\"]use strict['\"]|//|/\*)"),
    "go": re.compile(r"^(?:package\s|//)"),
    "rs": re.compile(r"^(?:use\s|//|#!?\[|fn\s|mod\s|extern\s+crate)"),
    "php": re.compile(r"^<\?php"),
    "rb": re.compile(r"^(?:require|class\s|module\s)"),
}
_STARTS["ts"] = _STARTS["js"]


def _ext(layout: Layout, name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return ext if ext in _LANGS else _LANGUAGE_EXT.get(layout.language.lower(), "")


def _rank(block: _Block, ext: str, name: str) -> tuple[bool, bool, bool, bool, int]:
    wanted = _LANGS.get(ext, set())
    foreign = (
        bool(block.lang)
        and block.lang not in wanted
        and any(block.lang in langs for langs in _LANGS.values())
    )
    looks = bool(ext) and bool(_LOOKS[ext].search(block.content))
    return (
        block.path in (None, name),  # not announced as some other file
        block.lang not in _NOT_CODE,
        not foreign,
        block.lang in wanted or looks,
        len(block.content),
    )


def _single(text: str, layout: Layout) -> dict[str, str]:
    name = layout.code_files[0]
    blocks = [b for b in _blocks(text, layout.code_files, strict=False) if b.content]
    named = [b for b in blocks if b.path == name]
    if named:
        return {name: named[-1].content}
    tagged = [b for b in blocks if b.tagged]
    candidates = tagged or blocks
    ext = _ext(layout, name)
    if candidates:
        best = max(candidates, key=lambda b: _rank(b, ext, name))
        return {name: best.content}
    bare = _tidy(text)
    if ext and bare and _STARTS[ext].match(bare) and _LOOKS[ext].search(bare):
        return {name: bare}  # the model obeyed "nothing else" but forgot the tags
    raise ParseError(
        f"no code found in the answer: expected the file {name} inside <CODE></CODE> tags or a "
        f"fenced code block; the answer starts {_excerpt(text)}"
    )


def _multi(text: str, layout: Layout) -> dict[str, str]:
    blocks = _blocks(text, layout.code_files, strict=True)
    files: dict[str, str] = {}
    for b in blocks:
        if b.path is not None:
            files[b.path] = b.content  # a file given twice: the later version wins
    if not files:
        found = f"{len(blocks)} code block(s) but no file paths" if blocks else "no code"
        raise ParseError(
            f"found {found} in the answer: expected <FILEPATH>path</FILEPATH> followed by "
            f"<CODE>...</CODE> for each file ({', '.join(layout.code_files)}); "
            f"the answer starts {_excerpt(text)}"
        )
    _check_layout(files)
    return files


def _excerpt(text: str, n: int = 80) -> str:
    flat = " ".join(text.split())
    return repr(flat[:n] + ("..." if len(flat) > n else "")) if flat else "empty"


def parse_response(text: str, env: Layout) -> dict[str, str]:
    """The files of an answer: relative posix path -> content. Raises ParseError, whose message
    says what was expected, when no code can be found or a path is not allowed."""
    if not text or not text.strip():
        raise ParseError("the answer is empty")
    cleaned = _unwrap_whole(_clean(text))
    if not cleaned:
        raise ParseError("the answer holds only a reasoning section and no code")
    return _multi(cleaned, env) if env.multi_file else _single(cleaned, env)
