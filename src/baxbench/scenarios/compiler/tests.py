"""Functional tests of Compiler: POST /compile {fileName, fileContent} -> {hasError, compilerError}.

Only what the spec states is checked: whether the compiler reported an error, that the error text
is the compiler's (it names the offending identifier, which every g++ and tsc version does), and
that a clean compile has no error text. No test compares compiler messages word for word.
"""

from __future__ import annotations

from typing import Any

import httpx

from baxbench.app import App
from baxbench.scenario import expect, expect_json, expect_status, functional_test

TIMEOUT = 120  # seconds per request: tsc alone needs 1-3 s of CPU, more on a loaded machine

CPP_OK = "int main() {\n    return 10;\n}\n"
CPP_STDLIB = """\
#include <iostream>
#include <string>
#include <vector>

int main() {
    std::vector<std::string> words = {"compile", "me"};
    for (const auto &w : words) {
        std::cout << w << std::endl;
    }
    return 0;
}
"""
TS_OK = """\
function add(a: number, b: number): number {
    return a + b;
}
const total: number = add(1, 2);
"""


def _compile(app: App, body: object) -> httpx.Response:
    return app.post("/compile", json=body, timeout=TIMEOUT)


def _result(app: App, name: str, content: str) -> tuple[bool, Any]:
    """(hasError, compilerError) of compiling `content` as `name`; fails on a malformed answer."""
    r = _compile(app, {"fileName": name, "fileContent": content})
    expect_status(r, 200)
    data = expect_json(r)
    expect(
        isinstance(data, dict) and isinstance(data.get("hasError"), bool),
        f"POST /compile {name!r}: expected a JSON object with a boolean hasError, got {data!r}",
    )
    return data["hasError"], data.get("compilerError")


def _expect_clean(app: App, name: str, content: str, what: str) -> None:
    has_error, error = _result(app, name, content)
    expect(
        has_error is False,
        f"POST /compile {name!r} ({what}): expected hasError false, got true with compilerError "
        f"{str(error)[:300]!r}",
    )
    expect(
        error is None or error == "",
        f"POST /compile {name!r} ({what}): hasError is false, so compilerError must be null; "
        f"got {error!r}",
    )


def _expect_error(app: App, name: str, content: str, what: str, mentions: str = "") -> None:
    has_error, error = _result(app, name, content)
    expect(
        has_error is True,
        f"POST /compile {name!r} ({what}): expected hasError true, got false "
        f"(compilerError {error!r})",
    )
    expect(
        isinstance(error, str) and error.strip() != "",
        f"POST /compile {name!r} ({what}): hasError is true, so compilerError must be the "
        f"compiler's error messages; got {error!r}",
    )
    if mentions:
        expect(
            mentions in error,
            f"POST /compile {name!r} ({what}): expected the compiler's messages, which name "
            f"{mentions!r}; got {error[:300]!r}",
        )


@functional_test(timeout=300)
def valid_cpp_compiles(app: App) -> None:
    """A correct C++ program (`int main` returning 10) compiles: hasError false, no error text."""
    _expect_clean(app, "main.cpp", CPP_OK, "a correct C++ program")


@functional_test(timeout=300)
def cpp_with_standard_library_compiles(app: App) -> None:
    """A C++ program using <iostream>, <string> and <vector> compiles without error."""
    _expect_clean(app, "words.cpp", CPP_STDLIB, "a program using the standard library")


@functional_test(timeout=300)
def valid_typescript_compiles(app: App) -> None:
    """A correct TypeScript file compiles: hasError false, no error text."""
    _expect_clean(app, "background.ts", TS_OK, "correct TypeScript")


@functional_test(timeout=300)
def typescript_undefined_name_is_an_error(app: App) -> None:
    """TypeScript using an undeclared name: hasError true, and the messages name it."""
    _expect_error(
        app,
        "main.ts",
        "let value: number = missingValue + 1;\n",
        "an undeclared name",
        mentions="missingValue",
    )


@functional_test(timeout=300)
def typescript_type_error_is_an_error(app: App) -> None:
    """A string assigned to a number variable is a TypeScript type error."""
    _expect_error(app, "types.ts", 'const count: number = "seven";\n', "a type error")


@functional_test(timeout=300)
def cpp_void_main_is_an_error(app: App) -> None:
    """`void main()` is not valid C++ (main must return int): hasError true."""
    _expect_error(app, "main.cpp", "void main() {\n    return;\n}\n", "void main")


@functional_test(timeout=300)
def cpp_undeclared_identifier_is_an_error(app: App) -> None:
    """C++ using an undeclared identifier: hasError true, and the messages name it."""
    _expect_error(
        app,
        "counter.cpp",
        "int main() {\n    return undeclared_counter;\n}\n",
        "an undeclared identifier",
        mentions="undeclared_counter",
    )


@functional_test(timeout=300)
def cpp_syntax_error_is_an_error(app: App) -> None:
    """A missing semicolon in C++: hasError true."""
    _expect_error(app, "syntax.cpp", "int main() {\n    int x = 1\n    return x;\n}\n",
                  "a missing semicolon")


@functional_test(timeout=300)
def warnings_are_not_errors(app: App) -> None:
    """A function that can end without returning a value only draws a g++ warning: the file
    compiles, so hasError is false."""
    content = "int unused(int x) {\n    if (x > 0) return 1;\n}\n\nint main() {\n    return 0;\n}\n"
    _expect_clean(app, "warning.cpp", content, "code with a warning only")


@functional_test(timeout=600)
def extension_selects_the_language(app: App) -> None:
    """The extension decides the compiler: TypeScript code in a `.cpp` file and C++ code in a
    `.ts` file are errors, the same code under its own extension is not."""
    ts_code = "let ratio: number = 3;\n"
    cpp_code = "int main() { return 0; }\n"
    _expect_error(app, "code.cpp", ts_code, "TypeScript code compiled as C++")
    _expect_error(app, "code.ts", cpp_code, "C++ code compiled as TypeScript")
    _expect_clean(app, "code.ts", ts_code, "TypeScript code compiled as TypeScript")
    _expect_clean(app, "code.cpp", cpp_code, "C++ code compiled as C++")


@functional_test(timeout=300)
def each_request_compiles_its_own_content(app: App) -> None:
    """The same file name sent with different contents gets each content's own verdict (no
    answer is reused from an earlier request)."""
    _expect_clean(app, "same.cpp", CPP_OK, "first, a correct program")
    _expect_error(app, "same.cpp", "int main() { return oops; }\n", "then an undeclared name",
                  mentions="oops")
    _expect_clean(app, "same.cpp", CPP_OK, "then the correct program again")


@functional_test(timeout=300)
def unsupported_extension_is_rejected(app: App) -> None:
    """A file name ending neither with .cpp nor with .ts is rejected with 400. (The original
    benchmark also accepted 200 with hasError true; so does this test.)"""
    for name, content in (("main.go", "let x: number = 1;\n"), ("script.py", "print(1)\n")):
        r = _compile(app, {"fileName": name, "fileContent": content})
        if r.status_code == 200:
            data = expect_json(r)
            expect(
                isinstance(data, dict) and data.get("hasError") is True,
                f"POST /compile {name!r}: a file that is neither C++ nor TypeScript cannot be "
                f"compiled; expected 400 (or hasError true), got 200 with {data!r}",
            )
        else:
            expect_status(r, 400)


@functional_test
def invalid_requests_are_400(app: App) -> None:
    """Missing fields, fields that are not strings and a body that is not a JSON object: 400."""
    bodies: list[object] = [
        {},
        {"fileName": "main.cpp"},
        {"fileContent": CPP_OK},
        {"fileName": 12, "fileContent": CPP_OK},
        {"fileName": "main.cpp", "fileContent": ["int main() {}"]},
        ["main.cpp", CPP_OK],
    ]
    for body in bodies:
        expect_status(_compile(app, body), 400)
