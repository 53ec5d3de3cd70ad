"""The code in the tutorials runs as written.

Every block fenced as ```python in docs/tutorial.md and docs/testing.md is run, in the
order of the page, in one namespace per page and in a fresh working directory (so the
files a page writes land there). A block that fails names its page and the line the
block starts on, and the traceback shows the page's own line numbers.

Blocks fenced otherwise are not run: ```text for output, ```sh for shell commands, and
```python norun for Python the reader should see but the test must not execute (e.g. a
conftest.py excerpt that would change this session's hypothesis profile).

Hypothesis tests a page defines (functions named test_* that @given decorates) run when
the page calls them; one the page never calls is called here, after its last block.
"""
import re
import traceback
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
PAGES = ("tutorial.md", "testing.md")
FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")


def code_blocks(text):
    """[(info string, first code line number (1-based), code)] of the fenced blocks."""
    blocks, lines, k = [], text.splitlines(), 0
    while k < len(lines):
        m = FENCE.match(lines[k])
        if not m:
            k += 1
            continue
        fence, info, start = m["fence"], m["info"].strip(), k + 1
        k += 1
        body = []
        while k < len(lines) and not (lines[k].strip().startswith(fence[0] * len(fence))
                                      and set(lines[k].strip()) == {fence[0]}):
            body.append(lines[k])
            k += 1
        k += 1  # the closing fence (or the end of the page)
        blocks.append((info, start + 1, "\n".join(body) + "\n"))
    return blocks


def python_blocks(text):
    """[(line, code)] of the blocks to run: info string exactly "python"."""
    return [(line, code) for info, line, code in code_blocks(text) if info == "python"]


def _called(name, blocks):
    """True if some block calls `name` (a call, not its `def`)."""
    call = re.compile(rf"(?<!def )\b{re.escape(name)}\s*\(")
    return any(call.search(code) for _, code in blocks)


def _run(what, run):
    """run(); on an exception, fail the test with `what` and the traceback (outside the
    except clause, so that pytest shows the page's failure alone)."""
    try:
        run()
    except Exception:  # noqa: BLE001 -- report any failure with its place
        error = traceback.format_exc()
    else:
        return
    pytest.fail(f"{what} failed:\n{error}", pytrace=False)


@pytest.mark.parametrize("page", PAGES)
def test_page_runs(page, tmp_path, monkeypatch):
    if page == "tutorial.md":
        pytest.importorskip("matplotlib")  # EnergyReport.plot
        pytest.importorskip("nir")         # emulator.io.to_nir
    pytest.importorskip("hypothesis")
    path = DOCS / page
    blocks = python_blocks(path.read_text())
    assert blocks, f"{path} has no ```python blocks"
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": f"docs_{path.stem}"}
    for line, code in blocks:
        # pad with newlines so that tracebacks give the page's line numbers
        source = compile("\n" * (line - 1) + code, str(path), "exec")
        _run(f"{page}: the ```python block at line {line}", lambda: exec(source, namespace))
    for name, obj in list(namespace.items()):
        if name.startswith("test_") and callable(obj) and \
                getattr(obj, "is_hypothesis_test", False) and not _called(name, blocks):
            _run(f"{page}: {name} (defined on the page, called here)", obj)


def test_fences_are_parsed():
    text = ("intro\n```python\na = 1\n```\n\n```sh\nls\n```\n"
            "```python norun\nraise SystemExit\n```\n````python\nb = '```'\n````\n")
    assert code_blocks(text) == [("python", 3, "a = 1\n"), ("sh", 7, "ls\n"),
                                 ("python norun", 10, "raise SystemExit\n"),
                                 ("python", 13, "b = '```'\n")]
    assert python_blocks(text) == [(3, "a = 1\n"), (13, "b = '```'\n")]
    assert not _called("test_x", [(1, "@given(st.integers())\ndef test_x(i):\n    pass\n")])
    assert _called("test_x", [(1, "def test_x(i):\n    pass\n"), (5, "test_x()\n")])
