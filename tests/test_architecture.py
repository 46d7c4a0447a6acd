"""The layering rule of DESIGN.md §5, and the schema: migrations and models never drift."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.models import Base

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


def test_the_composition_root_is_not_a_cycle() -> None:
    """`psp-bot` (cli.py) uses the admin commands and the wiring; none of them uses it."""
    for path in modules("bot"):
        if path.name != "cli.py":
            assert "bot.cli" not in imports(path), path


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


@pytest.mark.parametrize("path", modules("adapters"), ids=lambda p: str(p.relative_to(ROOT)))
def test_adapters_never_import_storage(path: Path) -> None:
    assert not {n for n in imports(path) if starts(n, ("storage",))}


@pytest.mark.parametrize("path", modules("storage"), ids=lambda p: str(p.relative_to(ROOT)))
def test_storage_imports_only_domain_and_ports_of_the_core(path: Path) -> None:
    core = {n for n in imports(path) if starts(n, ("bot", "adapters"))}
    assert all(starts(n, ("bot.domain", "bot.ports")) for n in core), core


async def test_migrations_create_exactly_the_models(engine: AsyncEngine) -> None:
    def diff(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as conn:
        assert await conn.run_sync(diff) == []
