"""Every catalogue key the code can ask for, found by reading the code (AST) of `bot/` and
`adapters/`: string constants that look like keys, and f-strings with a known prefix
(`f"agency.{a.value}"` can produce every `agency.*` key the Agency enum has)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

KEY = re.compile(r"^[a-z][a-z_]*(\.[a-z0-9_\-]+)+$")
PREFIX = re.compile(r"^[a-z][a-z_]*\.$")
# Audit action names (`case.flag`) share the dotted style but are not user-facing texts: what
# is passed as one of these parameters is not a key.
AUDIT_PARAMETERS = ("action", "audit_action")


@dataclass
class CodeKeys:
    constants: dict[str, set[str]] = field(default_factory=dict)  # key -> files using it
    prefixed: dict[str, set[str]] = field(default_factory=dict)  # "agency." -> files
    # parameter name -> file -> the string constants passed to (or assigned to) it there
    values_by_parameter: dict[str, dict[Path, set[str]]] = field(default_factory=dict)

    def values_of(self, *names: str, under: Path | None = None) -> set[str]:
        """Every string constant passed to (or assigned to) a parameter of these names, in
        the code under `under` (everywhere if None)."""
        found: set[str] = set()
        for name in names:
            for path, values in self.values_by_parameter.get(name, {}).items():
                if under is None or path.is_relative_to(under):
                    found |= values
        return found


def _strings(node: ast.AST) -> Iterator[str]:
    for child in ast.walk(node):
        if isinstance(child, ast.Constant) and isinstance(child.value, str):
            yield child.value


def _signatures(trees: Iterable[ast.Module]) -> dict[str, list[list[str]]]:
    """Positional parameter names of every function, method and dataclass, by name."""
    found: dict[str, list[list[str]]] = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                names = [a.arg for a in node.args.posonlyargs + node.args.args]
                if names and names[0] in ("self", "cls"):
                    names = names[1:]
                found.setdefault(node.name, []).append(names)
            elif isinstance(node, ast.ClassDef):
                fields = [
                    s.target.id
                    for s in node.body
                    if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
                ]
                found.setdefault(node.name, []).append(fields)
    return found


def _callee(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def scan(roots: Iterable[Path], *, skip: str = "catalogue") -> CodeKeys:
    paths = [p for root in roots for p in sorted(root.rglob("*.py")) if skip not in p.parts]
    trees = {p: ast.parse(p.read_text(encoding="utf-8")) for p in paths}
    signatures = _signatures(trees.values())
    keys = CodeKeys()

    audit: set[int] = set()  # the nodes that build an audit action name

    def bind(name: str, value: ast.AST, where: Path) -> None:
        by_file = keys.values_by_parameter.setdefault(name, {})
        by_file.setdefault(where, set()).update(_strings(value))
        if name in AUDIT_PARAMETERS:
            audit.update(id(node) for node in ast.walk(value))

    for path, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg:
                        bind(keyword.arg, keyword.value, path)
                for params in signatures.get(_callee(node) or "", []):
                    for name, arg in zip(params, node.args, strict=False):
                        bind(name, arg, path)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        bind(target.id, node.value, path)
    for path, tree in trees.items():
        where = str(path)
        for node in ast.walk(tree):
            if id(node) in audit:
                continue
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if KEY.match(node.value):
                    keys.constants.setdefault(node.value, set()).add(where)
            elif isinstance(node, ast.JoinedStr) and node.values:
                head = node.values[0]
                if isinstance(head, ast.Constant) and PREFIX.match(str(head.value)):
                    keys.prefixed.setdefault(str(head.value), set()).add(where)
            elif (
                isinstance(node, ast.BinOp)
                and isinstance(node.op, ast.Add)
                and isinstance(node.left, ast.Constant)
                and PREFIX.match(str(node.left.value))
            ):
                keys.prefixed.setdefault(str(node.left.value), set()).add(where)
    return keys
