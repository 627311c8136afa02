#!/usr/bin/env python3
"""Fails when the modules of a crate import each other in a cycle.

Usage:
    module-cycles.py [--allow-within MODULE]... CRATE_DIR
        exit 1 and print each cycle found, else 0
    module-cycles.py --map CRATE_DIR
        print which top-level module uses which (Markdown table rows)
    module-cycles.py --check-map DOC CRATE_DIR
        exit 1 when the rows between `<!-- module-map CRATE_DIR -->` and `<!-- /module-map -->`
        in DOC differ from --map's (docs/ARCHITECTURE.md keeps the map this way)

The rule (what counts as "module A uses module B"):
- A module is a source file: `src/lib.rs` is the crate root, `src/a.rs` and `src/a/mod.rs` are `a`,
  `src/a/b.rs` is `a::b`. Inline modules (`mod tests { .. }`) belong to the file they are in.
- A uses B when A's code names a path into B: in a `use` item (grouped trees included) or inline
  (`crate::b::f()`), spelled from `crate::`, `super::` or `self::`. The path goes to the deepest
  module it names: `use crate::ws::limits::IpSlot` is a use of `ws::limits`, not of `ws`.
- A module's use of its own descendants does not count: a parent declares its children and wires
  them (`ws/mod.rs` spawning `session::run`), which is what a parent is for. Everything else
  counts, a child's use of its parent's own items included, and siblings through `super::`.
  So a cycle needs two modules that use each other's items without one owning the other, or a
  child whose parent's items need the child back through a sibling.
- Comments and doc comments are not code: an intra-doc link names a module without using it.
- `--allow-within MODULE` lets the modules below MODULE use each other freely. It exists for
  sea-orm's `entities`, where a relation is declared on both of its ends by design
  (`api_key` has many `api_key_secret`, which belongs to `api_key`); name nothing else with it.

Stdlib only, so CI needs nothing but python3.
"""

import re
import sys
from pathlib import Path

PATH_RE = re.compile(r"\b(crate|super|self)((?:\s*::\s*(?:[A-Za-z_][A-Za-z0-9_]*|\{|\*))+)")
MOD_BLOCK_RE = re.compile(r"^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+([A-Za-z_][A-Za-z0-9_]*)\s*\{")


def module_of(src: Path, file: Path) -> tuple:
    """The module path a source file is, as a tuple of names (the crate root is `()`)."""
    parts = list(file.relative_to(src).with_suffix("").parts)
    if parts in (["lib"], ["main"]):
        return ()
    if parts[-1] == "mod":
        parts.pop()
    return tuple(parts)


def strip_comments(text: str) -> str:
    """The source without `//` and `/* */` comments, keeping string literals and line breaks."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i : j + 1])
            i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif c == "'" and i + 2 < n and (text[i + 2] == "'" or text[i + 1] == "\\"):
            # A char literal ('"' or '\''), not a lifetime.
            j = text.find("'", i + 2 if text[i + 1] == "\\" else i + 1)
            out.append("' '")
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def expand_tree(tree: str) -> list:
    """The full paths a `use` tree names: `a::{b, c::{d, e}}` gives a::b, a::c::d, a::c::e."""
    tree = re.sub(r"\s+", "", tree)
    if "{" not in tree:
        return [tree]
    head, rest = tree.split("{", 1)
    inner = rest[: rest.rfind("}")]
    parts, depth, start = [], 0, 0
    for i, c in enumerate(inner):
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(inner[start:i])
            start = i + 1
    parts.append(inner[start:])
    paths = []
    for part in filter(None, parts):
        for sub in expand_tree(part):
            paths.append(head.rstrip(":") if sub == "self" else head + sub)
    return paths


def absolute(path: list, here: tuple):
    """A `crate::`/`super::`/`self::` path made absolute from module `here`; None if outside."""
    if path[0] == "crate":
        return tuple(path[1:])
    base = list(here)
    while path and path[0] in ("super", "self"):
        if path[0] == "super":
            if not base:
                return None
            base.pop()
        path = path[1:]
    return tuple(base + path)


def paths_in(code: str):
    """Every crate-relative path spelled in `code`: (first word, path as a list, inline-module line)."""
    uses = []
    for m in re.finditer(r"\buse\s+((?:crate|super|self)\b[^;]*);", code):
        line = code.count("\n", 0, m.start())
        for path in expand_tree(m.group(1)):
            uses.append((line, path.split("::")))
    spans = [(m.start(), m.end()) for m in re.finditer(r"\buse\s+[^;]*;", code)]
    inside_use = lambda pos: any(a <= pos < b for a, b in spans)
    for m in PATH_RE.finditer(code):
        if inside_use(m.start()):
            continue
        words = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", m.group(2))
        uses.append((code.count("\n", 0, m.start()), [m.group(1)] + words))
    return uses


def inline_modules(code: str) -> list:
    """For each line, the inline modules (`mod name {`) it sits in."""
    stack, depth, result = [], 0, []
    for line in code.split("\n"):
        result.append(tuple(name for name, _ in stack))
        opened = MOD_BLOCK_RE.match(line)
        for c in line:
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                while stack and stack[-1][1] > depth:
                    stack.pop()
        if opened:
            # The block opened on this line; it closes when depth falls back below it.
            stack.append((opened.group(1), depth))
            while stack and stack[-1][1] > depth:
                stack.pop()
    return result


def graph(src: Path, allowed_within=()) -> dict:
    files = {module_of(src, f): f for f in sorted(src.rglob("*.rs"))}
    modules = set(files)
    edges = {m: set() for m in modules}
    for here, file in files.items():
        code = strip_comments(file.read_text())
        nesting = inline_modules(code)
        for line, path in paths_in(code):
            inline = nesting[line] if line < len(nesting) else ()
            target = absolute(path, here + inline)
            if target is None:
                continue
            while target not in modules:
                target = target[:-1]
            if target[: len(here)] == here:
                # Itself, or one of its own descendants: not counted (see the rule above).
                continue
            if any(here[: len(a)] == a == target[: len(a)] for a in allowed_within):
                continue
            edges[here].add(target)
    return edges


def name(module: tuple) -> str:
    return "::".join(module) or "crate"


def cycles(edges: dict) -> list:
    """One cycle per strongly connected component with more than one module (Tarjan)."""
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], [0]

    def connect(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(shortest_cycle(edges, component))

    sys.setrecursionlimit(10_000)
    for v in sorted(edges):
        if v not in index:
            connect(v)
    return found


def shortest_cycle(edges: dict, component: set) -> list:
    """A shortest cycle through the component's first module (breadth first)."""
    start = min(component)
    paths = {start: [start]}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(edges[v] & component):
            if w == start:
                return paths[v] + [start]
            if w not in paths:
                paths[w] = paths[v] + [w]
                queue.append(w)
    return [start]


def top_level_map(edges: dict) -> str:
    """Which top-level module uses which, as Markdown lines. Where two top-level modules use each
    other (through different files, so no cycle), the uses are named a level deeper (`ws::limits`)
    to show which files they are."""
    top = {}
    for v, targets in edges.items():
        if v:
            top.setdefault(v[0], set()).update(t for t in targets if t and t[0] != v[0])
    tops = {m: {t[0] for t in targets} for m, targets in top.items()}
    lines = []
    for module in sorted(top):
        named = set()
        for t in top[module]:
            mutual = module in tops.get(t[0], set())
            named.add("::".join(t[:2]) if mutual else t[0])
        used = ", ".join(f"`{u}`" for u in sorted(named)) or "—"
        lines.append(f"| `{module}` | {used} |")
    return "\n".join(lines)


def check_map(doc: Path, crate: str, rows: str) -> int:
    text = doc.read_text()
    start, end = f"<!-- module-map {crate} -->", "<!-- /module-map -->"
    if start not in text:
        print(f"module-cycles: {doc} has no {start}", file=sys.stderr)
        return 1
    written = text.split(start, 1)[1].split(end, 1)[0]
    written = [line for line in written.strip().splitlines() if line.startswith("| `")]
    if written != rows.splitlines():
        print(
            f"module-cycles: the module map of {crate} in {doc} is out of date; write in:\n{rows}",
            file=sys.stderr,
        )
        return 1
    return 0


def main(argv: list) -> int:
    show_map = "--map" in argv
    args, allowed, doc = [], [], None
    rest = iter(a for a in argv if a != "--map")
    for arg in rest:
        if arg == "--allow-within":
            allowed.append(tuple(next(rest, "").split("::")))
        elif arg == "--check-map":
            doc = Path(next(rest, ""))
        else:
            args.append(arg)
    if len(args) != 1:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    src = Path(args[0]) / "src"
    if not src.is_dir():
        print(f"module-cycles: no {src}", file=sys.stderr)
        return 2
    edges = graph(src, allowed)
    if show_map:
        print(top_level_map(edges))
        return 0
    if doc is not None:
        return check_map(doc, args[0], top_level_map(edges))
    found = cycles(edges)
    for cycle in found:
        print(f"module cycle in {args[0]}: " + " -> ".join(name(m) for m in cycle), file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
