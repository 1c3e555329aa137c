"""Response parsing on realistic model answers, path safety, and safe writing."""

from __future__ import annotations

import contextlib
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from baxbench.parse import ParseError, parse_response, safe_relpath, write_files
from baxbench.safefs import UnsafePathError


@dataclass(frozen=True)
class Layout:
    language: str
    code_files: tuple[str, ...]
    multi_file: bool = False


FLASK = Layout("Python", ("app.py",))
EXPRESS = Layout("JavaScript", ("app.js",))
GO = Layout("Go", ("main.go",))
NEST = Layout("JavaScript", ("src/main.ts", "src/app.module.ts", "src/app.controller.ts"), True)
LUMEN = Layout("PHP", ("routes/web.php", "bootstrap/app.php", ".env"), True)

FLASK_APP = """from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/ping")
def ping():
    return jsonify(ok=True)


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
"""


def only(files: dict[str, str]) -> str:
    assert len(files) == 1, files
    return next(iter(files.values()))


# --- single file ---------------------------------------------------------------------------


def test_code_tags_exactly_as_asked() -> None:
    assert parse_response(f"<CODE>\n{FLASK_APP}</CODE>", FLASK) == {"app.py": FLASK_APP}


def test_chatty_preamble_and_epilogue_around_code_tags() -> None:
    text = (
        "Certainly! Below is a Flask implementation that satisfies the specification.\n\n"
        f"<CODE>\n{FLASK_APP}\n</CODE>\n\nThis app stores data securely. Let me know!"
    )
    assert parse_response(text, FLASK)["app.py"] == FLASK_APP


def test_markdown_fence_inside_code_tags_is_unwrapped() -> None:
    text = f"<CODE>\n```python\n{FLASK_APP}```\n</CODE>"
    assert parse_response(text, FLASK)["app.py"] == FLASK_APP


def test_fence_without_language_tag() -> None:
    text = f"Here you go:\n\n```\n{FLASK_APP}```\n"
    assert parse_response(text, FLASK)["app.py"] == FLASK_APP


def test_tilde_fence() -> None:
    assert parse_response(f"~~~python\n{FLASK_APP}~~~", FLASK)["app.py"] == FLASK_APP


def test_leading_json_and_trailing_shell_blocks_are_skipped() -> None:
    text = (
        'A request looks like this:\n```json\n{"note": "hi"}\n```\n'
        f"The server:\n```python\n{FLASK_APP}```\n"
        "Run it:\n```bash\npip install flask\npython app.py\n```\n"
    )
    assert parse_response(text, FLASK)["app.py"] == FLASK_APP


def test_untagged_code_wins_over_shell_block() -> None:
    text = f"```bash\npython3 app.py\n```\n\n```\n{FLASK_APP}```"
    assert parse_response(text, FLASK)["app.py"] == FLASK_APP


def test_block_in_the_envs_language_wins_over_a_longer_foreign_one() -> None:
    js = "const express = require('express');\n" + "// filler\n" * 40
    text = (
        f"In Node it would be:\n```javascript\n{js}```\n"
        f"But you asked for Flask:\n```python\n{FLASK_APP}```"
    )
    assert parse_response(text, FLASK)["app.py"] == FLASK_APP


def test_full_app_wins_over_a_short_usage_snippet() -> None:
    snippet = "import requests\nprint(requests.get('http://localhost:5000/ping').json())\n"
    text = f"```python\n{snippet}```\n\n```python\n{FLASK_APP}```"
    assert parse_response(text, FLASK)["app.py"] == FLASK_APP


def test_block_announced_as_the_code_file_wins() -> None:
    text = (
        "**requirements.txt**\n```\nflask\n```\n\n"
        f"**app.py**\n```python\n{FLASK_APP}```\n\n"
        "**test_app.py**\n```python\nimport pytest\n" + "# more\n" * 30 + "```"
    )
    assert parse_response(text, FLASK)["app.py"] == FLASK_APP


def test_think_sections_are_dropped() -> None:
    draft = "import wrong\n" + "x = 1\n" * 50
    text = (
        f"<think>The user wants Flask. A draft:\n<CODE>\n{draft}</CODE>\n"
        "No, better with jsonify.</think>\n\n"
        f"```python\n{FLASK_APP}```"
    )
    assert parse_response(text, FLASK)["app.py"] == FLASK_APP


def test_only_reasoning_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="reasoning"):
        parse_response("<think>\n```python\nimport os\n```\n</think>\n", FLASK)


def test_reasoning_whose_opening_tag_was_stripped_by_the_provider() -> None:
    text = "Let me plan: <CODE>draft</CODE> hmm.\n</think>\n<CODE>\n" + FLASK_APP + "</CODE>"
    assert parse_response(text, FLASK)["app.py"] == FLASK_APP


def test_bold_markers_around_the_whole_answer() -> None:
    text = f"**\n<CODE>\n{FLASK_APP}</CODE>\n**"
    assert parse_response(text, FLASK)["app.py"] == FLASK_APP


def test_crlf_line_endings_become_lf() -> None:
    text = f"Sure:\r\n```python\r\n{FLASK_APP.replace(chr(10), chr(13) + chr(10))}```\r\n"
    out = parse_response(text, FLASK)["app.py"]
    assert "\r" not in out and out == FLASK_APP


def test_bare_code_without_any_wrapper() -> None:
    assert parse_response(FLASK_APP, FLASK) == {"app.py": FLASK_APP}


def test_go_answer_in_code_tags_after_prose() -> None:
    go = (
        'package main\n\nimport "net/http"\n\n'
        'func main() {\n\thttp.ListenAndServe("0.0.0.0:5000", nil)\n}\n'
    )
    text = f"I'll use net/http.\n<CODE>\n```go\n{go}```\n</CODE>"
    assert parse_response(text, GO) == {"main.go": go}


def test_indented_fence_in_a_list_is_dedented() -> None:
    text = (
        "1. Save this as app.js:\n\n"
        "   ```js\n   const x = require('express');\n     nested();\n   ```\n"
    )
    assert parse_response(text, EXPRESS)["app.js"] == "const x = require('express');\n  nested();\n"


def test_answer_wrapped_in_a_markdown_fence_with_nested_fences() -> None:
    text = (
        f"````markdown\nHere is the app:\n\n```python\n{FLASK_APP}```\n\nRun `python app.py`.\n````"
    )
    assert parse_response(text, FLASK)["app.py"] == FLASK_APP


def test_outer_longer_fence_keeps_an_inner_fence_in_the_code() -> None:
    code = 'DOC = """\n```\nexample\n```\n"""\nimport os\n'
    assert parse_response(f"````python\n{code}````", FLASK)["app.py"] == code


def test_truncated_answer_with_unclosed_fence_still_yields_the_code() -> None:
    text = f"```python\n{FLASK_APP}"
    assert parse_response(text, FLASK)["app.py"] == FLASK_APP


@pytest.mark.parametrize(
    "text",
    [
        "I'm sorry, but I can't help with building that.",
        "The app should use Flask. First, define the routes, then the database.",
        "",
        "   \n\t",
        "<think>I will write it later.</think>",
        "<CODE>\n\n</CODE>",
    ],
)
def test_answers_without_code_fail_clearly(text: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_response(text, FLASK)
    message = info.value.message
    assert message == str(info.value)
    assert any(word in message for word in ("app.py", "empty", "reasoning")), message


def test_prose_error_message_quotes_the_start_of_the_answer() -> None:
    with pytest.raises(ParseError, match="I'm sorry"):
        parse_response("I'm sorry, I can't.", FLASK)


# --- multi file ----------------------------------------------------------------------------

MAIN_TS = "import { NestFactory } from '@nestjs/core';\nbootstrap();\n"
MODULE_TS = "import { Module } from '@nestjs/common';\n@Module({})\nexport class AppModule {}\n"


def test_filepath_code_pairs() -> None:
    text = (
        "Here is the project.\n\n"
        f"<FILEPATH>src/main.ts</FILEPATH>\n<CODE>\n{MAIN_TS}</CODE>\n\n"
        f"<FILEPATH>src/app.module.ts</FILEPATH>\n<CODE>\n```typescript\n{MODULE_TS}```\n</CODE>\n"
    )
    assert parse_response(text, NEST) == {"src/main.ts": MAIN_TS, "src/app.module.ts": MODULE_TS}


def test_filepath_followed_by_a_fence_instead_of_code_tags() -> None:
    text = f"<FILEPATH>./src/main.ts</FILEPATH>\n```ts\n{MAIN_TS}```"
    assert parse_response(text, NEST) == {"src/main.ts": MAIN_TS}


def test_headings_bold_lines_and_labels_name_the_files() -> None:
    text = (
        "## Project\n\nSome intro.\n\n"
        f"### src/main.ts\n```typescript\n{MAIN_TS}```\n\n"
        f"**`src/app.module.ts`**\n\nThe root module.\n\n```ts\n{MODULE_TS}```\n\n"
        "File: src/app.controller.ts\n```ts\nexport class C {}\n```\n\n"
        "### Running\n```bash\nnpm run start\n```\n"
    )
    assert parse_response(text, NEST) == {
        "src/main.ts": MAIN_TS,
        "src/app.module.ts": MODULE_TS,
        "src/app.controller.ts": "export class C {}\n",
    }


def test_sentence_naming_the_file_and_comment_on_first_line() -> None:
    text = (
        f"Update `src/main.ts` as follows:\n```ts\n{MAIN_TS}```\n"
        "And the module:\n```ts\n// src/app.module.ts\nexport class AppModule {}\n```"
    )
    files = parse_response(text, NEST)
    assert files["src/main.ts"] == MAIN_TS
    assert files["src/app.module.ts"].startswith("// src/app.module.ts")


def test_path_in_fence_info_string() -> None:
    text = (
        f'```ts title="src/main.ts"\n{MAIN_TS}```\n```typescript:src/app.module.ts\n{MODULE_TS}```'
    )
    assert parse_response(text, NEST) == {"src/main.ts": MAIN_TS, "src/app.module.ts": MODULE_TS}


def test_empty_file_is_kept_in_multi_file_answers() -> None:
    text = (
        "<FILEPATH>myapp/__init__.py</FILEPATH>\n<CODE>\n</CODE>\n"
        "<FILEPATH>a.py</FILEPATH><CODE>x = 1</CODE>"
    )
    layout = Layout("Python", ("myapp/__init__.py", "a.py"), True)
    assert parse_response(text, layout) == {"myapp/__init__.py": "", "a.py": "x = 1\n"}


def test_later_copy_of_a_file_wins() -> None:
    text = (
        "<FILEPATH>src/main.ts</FILEPATH><CODE>old</CODE>\n"
        "Oops, fixed version:\n<FILEPATH>src/main.ts</FILEPATH><CODE>new</CODE>"
    )
    assert parse_response(text, NEST) == {"src/main.ts": "new\n"}


def test_dotfiles_and_php_in_lumen_layout() -> None:
    text = (
        "<FILEPATH>.env</FILEPATH>\n<CODE>\nDB_CONNECTION=sqlite\n</CODE>\n"
        "<FILEPATH>routes/web.php</FILEPATH>\n"
        "<CODE>\n<?php\n$router->get('/', fn() => 'ok');\n</CODE>"
    )
    files = parse_response(text, LUMEN)
    assert files == {
        ".env": "DB_CONNECTION=sqlite\n",
        "routes/web.php": "<?php\n$router->get('/', fn() => 'ok');\n",
    }


def test_answer_wrapped_in_one_fence_with_tags_inside() -> None:
    text = f"```xml\n<FILEPATH>src/main.ts</FILEPATH>\n<CODE>\n{MAIN_TS}</CODE>\n```"
    assert parse_response(text, NEST) == {"src/main.ts": MAIN_TS}


def test_multi_file_blocks_without_names_fail() -> None:
    text = f"```ts\n{MAIN_TS}```\n```ts\n{MODULE_TS}```"
    with pytest.raises(ParseError, match="2 code block.*no file paths"):
        parse_response(text, NEST)


def test_multi_file_prose_only_fails() -> None:
    with pytest.raises(ParseError, match="FILEPATH"):
        parse_response("You should create a NestJS project with a controller.", NEST)


def test_file_used_as_directory_fails() -> None:
    text = "<FILEPATH>src</FILEPATH><CODE>a</CODE><FILEPATH>src/main.ts</FILEPATH><CODE>b</CODE>"
    with pytest.raises(ParseError, match="both as a file and as a directory"):
        parse_response(text, NEST)


# --- path safety ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("/etc/passwd", "absolute"),
        ("/app/src/main.ts", "absolute"),
        ("../outside.py", "climbs"),
        ("src/../../outside.py", "climbs"),
        ("..\\..\\windows\\evil.py", "climbs"),
        ("src\\..\\..\\x", "climbs"),
        ("C:\\temp\\x.py", "drive letter"),
        ("c:/x.py", "drive letter"),
        ("a\x00b.py", "NUL"),
        ("", "empty"),
        ("   ", "empty"),
        (".", "directory itself"),
        ("./", "directory itself"),
        ("~/x.py", "~"),
        ("a\nb.py", "control"),
        ("./C:", "not allowed"),
        ("src/a:b.ts", "not allowed"),
        ("src/<x>.ts", "not allowed"),
        ("src/ main.ts", "space"),
        ("./~/x", "~"),
        ("src/main\u200b.ts", "invisible"),
        ("a\u2028b.py", "invisible"),
    ],
)
def test_unsafe_paths_are_rejected_with_the_reason(path: str, why: str) -> None:
    with pytest.raises(ParseError, match=why):
        safe_relpath(path)


@pytest.mark.parametrize(
    ("path", "clean"),
    [
        ("./a.py", "a.py"),
        ("src//main.ts", "src/main.ts"),
        ("src\\main.ts", "src/main.ts"),
        ("a/./b/c.rb", "a/b/c.rb"),
        ("..foo/x", "..foo/x"),
        (" app.py ", "app.py"),
    ],
)
def test_paths_are_normalised(path: str, clean: str) -> None:
    assert safe_relpath(path) == clean


@pytest.mark.parametrize(
    "tag",
    ["/etc/cron.d/evil", "../../.bashrc", "src/../../../tmp/x", "C:\\x.ts", "src/\x00.ts", ""],
)
def test_unsafe_filepath_tag_fails_the_whole_answer(tag: str) -> None:
    text = (
        f"<FILEPATH>src/main.ts</FILEPATH><CODE>{MAIN_TS}</CODE>\n"
        f"<FILEPATH>{tag}</FILEPATH>\n<CODE>\nrm -rf /\n</CODE>"
    )
    with pytest.raises(ParseError, match="file path"):
        parse_response(text, NEST)


def test_unsafe_heading_path_fails_the_multi_file_answer() -> None:
    with pytest.raises(ParseError, match="absolute"):
        parse_response("### /etc/passwd\n```\nroot::0:0::/:/bin/sh\n```", NEST)


def test_single_file_answer_ignores_bogus_names_around_blocks() -> None:
    text = f"<FILEPATH>../../app.py</FILEPATH>\n<CODE>\n{FLASK_APP}</CODE>"
    assert parse_response(text, FLASK) == {"app.py": FLASK_APP}


# --- writing -------------------------------------------------------------------------------


def test_write_files_creates_directories(tmp_path: Path) -> None:
    dest = tmp_path / "sample" / "code"
    written = write_files({"src/main.ts": MAIN_TS, "./a.txt": "x"}, dest)
    assert (dest / "src" / "main.ts").read_text() == MAIN_TS
    assert (dest / "a.txt").read_text() == "x"
    assert sorted(p.relative_to(dest).as_posix() for p in written) == ["a.txt", "src/main.ts"]


@pytest.mark.parametrize("path", ["../escape.txt", "/tmp/escape.txt", "a/../../escape.txt"])
def test_write_files_revalidates_paths(tmp_path: Path, path: str) -> None:
    dest = tmp_path / "code"
    with pytest.raises(ParseError):
        write_files({path: "x"}, dest)
    assert not (tmp_path / "escape.txt").exists()


def test_write_files_does_not_follow_a_symlinked_directory(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    dest = tmp_path / "code"
    dest.mkdir()
    os.symlink(outside, dest / "src")
    with pytest.raises(UnsafePathError):
        write_files({"src/main.ts": "x"}, dest)
    assert list(outside.iterdir()) == []


def test_write_files_replaces_a_symlinked_file_instead_of_writing_through_it(
    tmp_path: Path,
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    dest = tmp_path / "code"
    dest.mkdir()
    os.symlink(victim, dest / "app.py")
    write_files({"app.py": "new"}, dest)
    assert victim.read_text() == "precious"
    assert not (dest / "app.py").is_symlink() and (dest / "app.py").read_text() == "new"


def test_write_files_refuses_a_symlinked_destination(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    os.symlink(real, link)
    with pytest.raises(OSError):
        write_files({"app.py": "x"}, link)
    assert list(real.iterdir()) == []


def test_write_files_rejects_paths_that_collide_after_normalisation(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="same file"):
        write_files({"a.py": "1", "./a.py": "2"}, tmp_path / "code")


def test_bold_path_at_the_very_start_is_not_mangled() -> None:
    text = f"**src/main.ts**\n```ts\n{MAIN_TS}```"
    assert parse_response(text, NEST) == {"src/main.ts": MAIN_TS}


_FRAGMENTS = [
    "<CODE>",
    "</CODE>",
    "<FILEPATH>",
    "</FILEPATH>",
    "```",
    "```python",
    "~~~",
    "### ",
    "**",
    "../",
    "/",
    "app.py",
    "src/main.ts",
    "\n",
    "\n",
    "import os",
    "<think>",
    "</think>",
    "`",
    ":",
    " ",
    "C:",
    "\\",
    "\x00",
    "..",
    "~",
    "./",
    "File: ",
    "// ",
    "# ",
]


def test_random_answers_only_ever_give_safe_paths_or_parse_errors() -> None:
    rng = random.Random(1234)
    outcomes = {"files": 0, "errors": 0}
    for _ in range(3000):
        text = "".join(rng.choice(_FRAGMENTS) for _ in range(rng.randint(1, 40)))
        for layout in (FLASK, NEST):
            try:
                files = parse_response(text, layout)
            except ParseError:
                outcomes["errors"] += 1
                continue
            outcomes["files"] += 1
            assert files
            for path in files:
                assert safe_relpath(path) == path
                assert ".." not in path.split("/") and "\x00" not in path
            if not layout.multi_file:
                assert list(files) == ["app.py"]
    assert outcomes["files"] > 100 and outcomes["errors"] > 100


@pytest.mark.parametrize(
    "text",
    [
        "<think>" * 50_000 + "```\nx\n```",
        "<FILEPATH>" * 50_000 + "```\nx\n```",
        "```md\n" * 20_000,
        "# a" + " " * 200_000 + "b\n```\nx\n```",
        "**a**" + " " * 100_000 + "x\n```\nx\n```",
        "```\n" + "\n" * 200_000 + "import os\n```",
    ],
    ids=["think", "filepath", "md-nesting", "heading", "bold", "blank-lines"],
)
def test_hostile_answers_are_parsed_in_linear_time(text: str) -> None:
    """Each of these took minutes (or overflowed the stack) with a backtracking regex or
    unbounded recursion; answers are untrusted input."""
    start = time.monotonic()
    for layout in (FLASK, NEST):
        with contextlib.suppress(ParseError):
            parse_response(text, layout)
    assert time.monotonic() - start < 5.0


def test_write_files_survives_a_lone_surrogate(tmp_path: Path) -> None:
    write_files({"app.py": "x = '\ud800'\n"}, tmp_path / "code")
    assert (tmp_path / "code" / "app.py").read_bytes() == b"x = '?'\n"
