"""Fuzzing the loader and validate with hypothesis: whatever a pull request
holds, the answer is diagnostics, never a traceback, a hang or unbounded memory.

The inputs are structured, not only random bytes: YAML documents built from
the fields the kinds really have, with anchors, aliases and merge keys in
any arrangement; nesting far past the bound; the fixture tree's files with
odd bytes spliced in; and whole trees with odd file names and symbolic links
inside, outside and nowhere.

Reproducible in CI: ``derandomize`` draws the same examples on every run and
no example database is kept. The deadline is a guard against a hang (an
example that takes seconds where the bounds promise milliseconds), not a
performance assertion; memory is measured with ``tracemalloc`` per example
and bounded. Run with ``-s`` to see the worst time and memory seen.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from superset_iac.diagnostics import Diagnostics
from superset_iac.load.tree import load_tree
from superset_iac.load.yaml_source import parse_yaml
from superset_iac.validate import validate_tree

ROOT = Path(__file__).resolve().parents[3]
BASE = ROOT / "tests" / "fixtures" / "validate" / "base"
BASE_FILES = sorted(p.relative_to(BASE).as_posix() for p in BASE.rglob("*.yaml"))
KIND_DIRS = sorted({f.split("/")[0] for f in BASE_FILES}) + ["views", "widgets"]
MAX_EXAMPLE_BYTES = 64 * 1024 * 1024  # far above any example; a bomb would cross it

FUZZ = settings(max_examples=int(os.environ.get("SUPERSET_IAC_FUZZ_EXAMPLES", "40")),
                deadline=timedelta(seconds=20), derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
                print_blob=True)

WORST: dict[str, tuple[float, int]] = {}


@pytest.fixture(scope="module", autouse=True)
def _report_worst() -> Iterator[None]:
    _validate(BASE)  # warm up first (imports, parser caches): the worst is then the input's
    yield
    for name, (seconds, peak) in sorted(WORST.items()):
        print(f"\nfuzz {name}: worst {seconds * 1000:.0f} ms, {peak / 1024 / 1024:.1f} MiB")


def measured(name: str, run: Callable[[], Diagnostics]) -> Diagnostics:
    """Run one example under tracemalloc; keep the worst; bound its memory."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        diags = run()
    finally:
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    worst = WORST.get(name, (0.0, 0))
    WORST[name] = (max(worst[0], seconds), max(worst[1], peak))
    assert peak < MAX_EXAMPLE_BYTES, f"{name}: {peak} bytes for one example"
    return diags


def well_formed(diags: Diagnostics) -> None:
    """One line per diagnostic, each positioned; JSON that parses and encodes."""
    text = diags.render_text()
    assert len(text.splitlines()) == len(diags) or not len(diags)
    for diag in diags:
        assert diag.pos.line >= 1 and diag.pos.col >= 1 and diag.code
    data = json.loads(diags.render_json().encode("utf-8"))
    assert len(data) == len(diags)


# -- YAML documents with anchors, aliases and merge keys ---------------------------

FIELDS = ["name", "dataset", "viz_type", "params", "metrics", "columns", "sql", "uri",
          "database", "schema", "layout", "row", "chart", "width", "roles", "clause",
          "datasets", "title", "slug", "mask", "expression", "<<", "extends"]
SCALARS = st.one_of(
    st.sampled_from(["table", "trades", "x", "", "null", "~", "yes", "0x1F", "1e9",
                     "${VAR}", "2024-01-01", "'q'", '"d"', "|", ">", "-", "?", "*", "&",
                     "!!str s", "!!binary AAAA", "!!python/name:os.system", "[]", "{}"]),
    st.integers(-10**20, 10**20).map(str),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=12).map(json.dumps),
)


@st.composite
def yaml_text(draw: st.DrawFn, depth: int = 0, anchors: list[str] | None = None) -> str:
    """Flow-style YAML whose nodes may carry anchors, be aliases, or merge."""
    anchors = [] if anchors is None else anchors
    prefix = ""
    if draw(st.integers(0, 4)) == 0:
        name = f"a{len(anchors)}"
        prefix = f"&{name} "
        anchors.append(name)
    choice = draw(st.integers(0, 5 if depth < 6 else 1))
    if choice == 0 and len(anchors) > 1:
        return f"*{draw(st.sampled_from(anchors[:-1]))}"
    if choice <= 1:
        return prefix + draw(SCALARS)
    if choice <= 3:
        items = draw(st.lists(yaml_text(depth + 1, anchors), max_size=6))
        return prefix + "[" + ", ".join(items) + "]"
    pairs = []
    for _ in range(draw(st.integers(0, 6))):
        key = draw(st.sampled_from(FIELDS))
        if key == "<<" and anchors and draw(st.booleans()):
            refs = draw(st.lists(st.sampled_from(anchors), min_size=1, max_size=4))
            pairs.append("<<: [" + ", ".join(f"*{r}" for r in refs) + "]")
        else:
            pairs.append(f"{key}: {draw(yaml_text(depth + 1, anchors))}")
    return prefix + "{" + ", ".join(pairs) + "}"


@st.composite
def alias_bomb(draw: st.DrawFn) -> str:
    """Levels of anchors, each aliasing the last several times (a billion laughs
    of random width, depth and style), with merge-key variants."""
    width, levels = draw(st.integers(2, 12)), draw(st.integers(2, 12))
    merge = draw(st.booleans())
    lines = [f"l0: &l0 {draw(SCALARS)}" if not merge else "l0: &l0 {k: v}"]
    for n in range(1, levels):
        refs = ", ".join([f"*l{n - 1}"] * width)
        lines.append(f"l{n}: &l{n} {{<<: [{refs}], k{n}: 1}}" if merge
                     else f"l{n}: &l{n} [{refs}]")
    return "\n".join(lines) + "\n"


@st.composite
def deep(draw: st.DrawFn) -> str:
    n = draw(st.integers(50, 3000))
    style = draw(st.sampled_from(["flow-seq", "flow-map", "block-seq", "block-map", "chain"]))
    if style == "flow-seq":
        return "name: x\nparams: " + "[" * n + "]" * n + "\n"
    if style == "flow-map":
        return "name: x\nparams: " + "{a: " * n + "1" + "}" * n + "\n"
    if style == "block-seq":
        return "".join("  " * i + "-\n" for i in range(min(n, 400))) + "  " * min(n, 400) + "x\n"
    if style == "block-map":
        return "".join(" " * i + f"k{i}:\n" for i in range(min(n, 400))) + "x: 1\n"
    return "a0: &a0 [1]\n" + "".join(f"a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, n // 10))


ODD = st.sampled_from([b"\x00", b"\x01", b"\x1b[2J", b"\x7f", b"\x85", b"\xc2\x85", b"\xff",
                       b"\xfe\xff", b"\xef\xbb\xbf", b"\xed\xa0\x80", b"\r", b"\r\n", b"\t",
                       b"\xe2\x80\xa8", b"&a ", b"*a ", b"<<: ", b"! ", b"%YAML 1.1\n",
                       b"---\n", b"...\n", b"\n- ", b": ", b"'", b'"', b"{", b"]"])


@st.composite
def spliced(draw: st.DrawFn) -> tuple[str, bytes]:
    """A file of the valid fixture tree with odd bytes put in at random places."""
    rel = draw(st.sampled_from(BASE_FILES))
    data = (BASE / rel).read_bytes()
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(ODD) + data[at:]
    return rel, data


def _tree_with(files: dict[str, bytes]) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "assets"
        shutil.copytree(BASE, root)
        for rel, data in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        yield root


def _validate(root: Path) -> Diagnostics:
    return validate_tree(load_tree(root))


def _parse(text: str) -> Diagnostics:
    diags = Diagnostics()
    parse_yaml(text, "f.yaml", diags)
    return diags


# -- the properties -----------------------------------------------------------------

@FUZZ
@given(st.binary(max_size=2048))
def test_random_bytes_as_a_chart_file(data: bytes) -> None:
    for root in _tree_with({"charts/fuzz.yaml": data}):
        well_formed(measured("random bytes", lambda: _validate(root)))


@FUZZ
@given(yaml_text(), st.sampled_from(KIND_DIRS))
def test_random_documents_with_anchors_aliases_and_merges(text: str, kind: str) -> None:
    well_formed(measured("anchored documents (parse)", lambda: _parse(text)))
    for root in _tree_with({f"{kind}/fuzz.yaml": text.encode()}):
        well_formed(measured("anchored documents (validate)", lambda: _validate(root)))


@FUZZ
@given(alias_bomb())
def test_alias_bombs_are_refused_cheaply(text: str) -> None:
    diags = measured("alias bombs", lambda: _parse(text))
    well_formed(diags)
    assert set(diags.codes()) <= {"L004", "L005", "Y001", "Y002"}


@FUZZ
@given(deep())
def test_deep_nesting_is_positioned(text: str) -> None:
    diags = measured("deep nesting", lambda: _parse(text))
    well_formed(diags)
    assert all(d.pos.line > 1 or d.pos.col > 1 for d in diags)


@FUZZ
@given(spliced())
def test_odd_bytes_in_valid_files(case: tuple[str, bytes]) -> None:
    rel, data = case
    for root in _tree_with({rel: data}):
        well_formed(measured("odd bytes", lambda: _validate(root)))


NAME_CHARS = st.sampled_from(["a", "b", "-", "_", ".", " ", "\n", "\t", "\x1b", "é", ":",
                              "\u2028", "\x7f"])


@st.composite
def odd_tree(draw: st.DrawFn) -> list[tuple[str, str, bytes | str]]:
    """Entries of a tree: ("file", path, bytes) or ("link", path, target)."""
    entries: list[tuple[str, str, bytes | str]] = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(KIND_DIRS))
        name = "".join(draw(st.lists(NAME_CHARS, min_size=1, max_size=8))).strip("/") or "x"
        if name in (".", ".."):
            name = "x"
        rel = f"{kind}/{name}.yaml"
        what = draw(st.integers(0, 3))
        if what == 0:
            entries.append(("file", rel, (BASE / draw(st.sampled_from(BASE_FILES))).read_bytes()))
        elif what == 1:
            entries.append(("file", rel, draw(yaml_text()).encode()))
        else:
            target = draw(st.sampled_from(["../../outside.yaml", "missing.yaml", "..",
                                           "../charts", "/", "../../outside", "self.yaml",
                                           f"../{BASE_FILES[0]}"]))
            entries.append(("link", rel if draw(st.booleans()) else f"{kind}/{name}", target))
    return entries


@FUZZ
@given(odd_tree(), st.booleans())
def test_random_trees_with_odd_names_and_links(entries: list, latin1_name: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "outside.yaml").write_text("name: Outside\n")
        (Path(tmp) / "outside").mkdir()
        root = Path(tmp) / "assets"
        shutil.copytree(BASE, root)
        if latin1_name:
            with open(os.fsencode(root / "charts") + b"/caf\xe9.yaml", "wb") as fh:
                fh.write(b"name: [\n")
        for what, rel, payload in entries:
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if os.path.lexists(path):
                continue
            if what == "file":
                path.write_bytes(payload)
            else:
                path.symlink_to(payload)
        diags = measured("random trees", lambda: _validate(root))
        well_formed(diags)
        # Nothing outside the tree is ever loaded.
        assert not any(d.code == "S005" and "Outside" in d.message for d in diags)
