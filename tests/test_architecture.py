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


@pytest.mark.parametrize("path", modules("bot"), ids=lambda p: str(p.relative_to(ROOT)))
def test_core_imports_no_chat_sdk_and_no_database_library(path: Path) -> None:
    # The composition root may import anything, but only inside its functions.
    found = imports(path, top_level_only=path.name in ("cli.py", "cli_admin.py"))
    bad = {
        name for name in found if starts(name, CHAT_SDKS + DATABASE_LIBS + ("storage", "adapters"))
    }
    if path.name in ("cli.py", "cli_admin.py"):
        bad -= {n for n in bad if not starts(n, CHAT_SDKS + DATABASE_LIBS)}
    assert not bad


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
