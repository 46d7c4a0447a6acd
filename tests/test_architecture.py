"""The layering rule of DESIGN.md §5, and the schema: migrations and models never drift."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.schema import metadata

ROOT = Path(__file__).resolve().parents[1]
CHAT_SDKS = ("nio", "slack_bolt", "slack_sdk", "aiohttp")
DATABASE_LIBS = ("sqlalchemy", "alembic", "aiosqlite", "asyncpg")


def imports(path: Path, *, top_level_only: bool = False) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def starts(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def is_composition_root(path: Path) -> bool:
    """`bot/cli*.py`: the `psp-bot` command and the modules that wire concrete storage and
    adapters to the core (cli_setup, cli_encryption, cli_admin)."""
    return path.parent == ROOT / "bot" and path.name.startswith("cli")


@pytest.mark.unit
@pytest.mark.parametrize("path", modules("bot"), ids=lambda p: str(p.relative_to(ROOT)))
def test_core_imports_no_chat_sdk_and_no_database_library(path: Path) -> None:
    # The composition root may import storage and adapters, but only inside its functions.
    root = is_composition_root(path)
    bad = {
        name
        for name in imports(path, top_level_only=root)
        if starts(name, CHAT_SDKS + DATABASE_LIBS + ("storage", "adapters"))
    }
    assert not bad


@pytest.mark.unit
def test_the_composition_root_is_not_a_cycle() -> None:
    """`psp-bot` (cli.py) uses the admin commands and the wiring; none of them uses it."""
    for path in modules("bot"):
        if path.name != "cli.py":
            assert "bot.cli" not in imports(path), path


@pytest.mark.unit
@pytest.mark.parametrize("path", modules("adapters"), ids=lambda p: str(p.relative_to(ROOT)))
def test_adapter_packages_only_re_export(path: Path) -> None:
    """An adapter's `__init__.py` holds no code of its own, so that importing one module of
    the package never runs (or cycles through) another's logic."""
    if path.name != "__init__.py":
        return
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        exports = isinstance(node, ast.Assign) and all(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        )
        assert isinstance(node, (ast.Import, ast.ImportFrom)) or docstring or exports, (
            f"{path.relative_to(ROOT)}:{node.lineno} is not an import"
        )


@pytest.mark.unit
@pytest.mark.parametrize("path", modules("adapters"), ids=lambda p: str(p.relative_to(ROOT)))
def test_adapters_never_import_storage(path: Path) -> None:
    assert not {n for n in imports(path) if starts(n, ("storage",))}


@pytest.mark.unit
@pytest.mark.parametrize("path", modules("storage"), ids=lambda p: str(p.relative_to(ROOT)))
def test_storage_imports_only_domain_and_ports_of_the_core(path: Path) -> None:
    core = {n for n in imports(path) if starts(n, ("bot", "adapters"))}
    assert all(starts(n, ("bot.domain", "bot.ports")) for n in core), core


async def test_migrations_create_exactly_the_models(engine: AsyncEngine) -> None:
    def diff(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        return list(compare_metadata(context, metadata))

    async with engine.connect() as conn:
        assert await conn.run_sync(diff) == []


# --- import cycles --------------------------------------------------------------------------

PRODUCT_PACKAGES = ("bot", "adapters", "storage")


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported_modules(path: Path, known: set[str], root: Path = ROOT) -> set[str]:
    """The product modules one module imports, at any depth (inside functions too), except
    under `if TYPE_CHECKING:`, which never runs."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit_one(other)
                continue
            visit_one(child)

    def visit_one(node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:
                # `from pkg import submodule` imports the submodule, not only the package.
                found.add(f"{module}.{alias.name}" if f"{module}.{alias.name}" in known else module)
        visit(node)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    resolved: set[str] = set()
    for target in found:
        while target and target not in known:
            target = target.rpartition(".")[0]
        if target and target != name:
            resolved.add(target)
    return resolved


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    paths = [p for package in PRODUCT_PACKAGES for p in sorted((root / package).rglob("*.py"))]
    known = {module_name(p, root) for p in paths}
    return {module_name(p, root): imported_modules(p, known, root) for p in paths}


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component: set[str] = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


@pytest.mark.unit
def test_the_cycle_finder_sees_a_cycle_through_a_function_level_import(tmp_path: Path) -> None:
    package = tmp_path / "bot"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from bot import b\n")
    (package / "b.py").write_text("def late() -> None:\n    from bot.c import x\n")
    (package / "c.py").write_text("from .a import y\n")
    (package / "d.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from bot import a\n"
    )
    (package / "e.py").write_text("import bot.d\n")
    graph = import_graph(tmp_path)
    assert graph["bot.e"] == {"bot.d"}
    assert graph["bot.d"] == set()
    assert cycles(graph) == [{"bot.a", "bot.b", "bot.c"}]


@pytest.mark.unit
def test_no_import_cycles_in_the_product() -> None:
    assert cycles(import_graph()) == []


@pytest.mark.unit
def test_migrations_import_no_application_code() -> None:
    # A migration runs against old databases for ever: a later change to the application must
    # not change what it does, so it copies what it needs instead of importing it.
    versions = sorted((ROOT / "storage" / "migrations" / "versions").glob("*.py"))
    assert versions
    for path in versions:
        own = {n for n in imports(path) if starts(n, PRODUCT_PACKAGES)}
        assert not own, f"{path.name} imports {sorted(own)}"


def readme_architecture_paths() -> list[str]:
    """Every module or package path the README's Architecture section names in backticks; a
    bare name (`rules.py`, `matrix/`) belongs to the package its bullet is about."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Architecture\n", 1)[1].split("\n## ", 1)[0]
    rooted = ("bot/", "storage/", "adapters/", "tests/", "benchmarks/")
    found = []
    for bullet in section.split("\n- "):
        names = [n for n in re.findall(r"`([\w./]+)`", bullet) if n.endswith((".py", "/"))]
        package = next((n for n in names if n.startswith(rooted) and n.endswith("/")), "")
        found += [name if name.startswith(rooted) else package + name for name in names]
    return found


@pytest.mark.unit
def test_every_module_the_readme_architecture_names_exists() -> None:
    paths = readme_architecture_paths()
    assert len(paths) > 20
    assert [path for path in paths if not (ROOT / path).exists()] == []


MAX_MODULE_LINES = 400


@pytest.mark.unit
def test_no_product_module_grows_past_400_lines() -> None:
    """A module past 400 lines holds more than one idea: split it where the ideas part."""
    too_long = {
        str(path.relative_to(ROOT)): lines
        for package in ("bot", "adapters", "storage")
        for path in modules(package)
        if "migrations" not in path.parts
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert too_long == {}
