"""Statements run straight on the driver (storage/direct.py) give what SQLAlchemy gives: the
same rows with the same types, the same row counts, the same errors, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Integer, String, bindparam, insert, select, text, update
from sqlalchemy.exc import IntegrityError, InvalidRequestError, NoResultFound
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.ports import ConcurrentUpdateError
from storage import case_statements as st
from storage import direct
from storage.repositories import ACKS, CASES, GROUPS
from storage.uow import SqlAlchemyUnitOfWorkFactory

AT = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)

_GROUP = insert(GROUPS).returning(GROUPS.c.id)
# `tags` and `version` are left out: their column defaults ("" and 1) must still be written.
_CASE = insert(CASES).returning(CASES.c.id, CASES.c.tags, CASES.c.version)
_ACKS_OF = select(ACKS.c.case_id, ACKS.c.agency, ACKS.c.at).where(
    ACKS.c.case_id.in_(bindparam("ids", expanding=True))
)
_RENAME = update(CASES).where(CASES.c.ref == bindparam("old")).values(ref=bindparam("new"))
_TEXT = text("SELECT :a AS first, :b AS second").bindparams(
    bindparam("a", type_=Integer), bindparam("b", type_=String)
)


def _case(group_id: int, ref: str) -> dict[str, object]:
    return {
        "group_id": group_id,
        "ref": ref,
        "urgency": "acute",
        "urgency_rank": 0,
        "summary": "sealed",
        "status": "open",
        "flagged_by": None,
        "flagging_agency": "police",
        "created_at": AT,
        "updated_at": AT + timedelta(hours=1),
    }


async def test_rows_counts_and_defaults_match_sqlalchemy(engine: AsyncEngine) -> None:
    async with engine.connect() as conn, conn.begin():
        group = {"name": "G", "kind": "psp", "prefix": "PSP", "created_at": AT}
        group_id = (await direct.execute(conn, _GROUP, group)).scalar_one()
        made = (await direct.execute(conn, _CASE, _case(group_id, "PSP-2026-0001"))).one()
        assert (made.tags, made.version) == ("", 1)  # scalar defaults written
        await conn.execute(_CASE, _case(group_id, "PSP-2026-0002"))

        params = {"group_id": group_id, "ref": "PSP-2026-0001"}
        mine = (await direct.execute(conn, st.BY_REF_WITH_ACKNOWLEDGEMENTS, params)).one()
        theirs = (await conn.execute(st.BY_REF_WITH_ACKNOWLEDGEMENTS, params)).one()
        assert tuple(mine) == tuple(theirs)
        assert mine.created_at == AT and mine.created_at.tzinfo is UTC
        assert mine.updated_at == AT + timedelta(hours=1)
        assert mine._mapping["ref"] == theirs._mapping["ref"] == "PSP-2026-0001"
        assert mine.closed_at is None and mine.purged_at is None
        assert mine.has_grants is False and mine.ack_id is None  # a boolean, an outer join

        none = await direct.execute(
            conn, st.BY_REF_WITH_ACKNOWLEDGEMENTS, {"group_id": group_id, "ref": "nope"}
        )
        assert none.first() is None and none.all() == [] and none.scalar_one_or_none() is None
        with pytest.raises(NoResultFound):
            none.one()

        renamed = await direct.execute(conn, _RENAME, {"old": "PSP-2026-0002", "new": "X-1"})
        assert renamed.rowcount == 1
        missed = await direct.execute(conn, _RENAME, {"old": "PSP-2026-0002", "new": "X-2"})
        assert missed.rowcount == 0

        plain = (await direct.execute(conn, _TEXT, {"a": 7, "b": "ø"})).one()
        assert (plain.first, plain.second) == (7, "ø")
        with pytest.raises(InvalidRequestError, match="'b'"):  # not a silent NULL
            await direct.execute(conn, _TEXT, {"a": 7})


async def test_what_cannot_be_compiled_once_runs_through_sqlalchemy(engine: AsyncEngine) -> None:
    async with engine.connect() as conn, conn.begin():
        group = {"name": "G", "kind": "psp", "prefix": "PSP", "created_at": AT}
        group_id = (await direct.execute(conn, _GROUP, group)).scalar_one()
        case_id = (await direct.execute(conn, _CASE, _case(group_id, "R-1"))).scalar_one()
        acks = [
            {"case_id": case_id, "agency": agency, "member_id": None, "at": AT}
            for agency in ("police", "social")
        ]
        await direct.execute(conn, st.INSERT_ACK, acks)  # several rows of parameters
        found = await direct.execute(conn, _ACKS_OF, {"ids": [case_id, case_id + 1]})
        assert sorted((r.agency, r.at) for r in found) == [("police", AT), ("social", AT)]


async def test_errors_are_sqlalchemys_and_the_unit_of_work_translates_them(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as conn, conn.begin():
        group = {"name": "G", "kind": "psp", "prefix": "PSP", "created_at": AT}
        group_id = (await direct.execute(conn, _GROUP, group)).scalar_one()
        await direct.execute(conn, _CASE, _case(group_id, "R-1"))
        with pytest.raises(IntegrityError) as caught:
            await direct.execute(conn, _CASE, _case(group_id, "R-1"))
        assert "sealed" not in str(caught.value)  # parameters are never quoted
    factory = SqlAlchemyUnitOfWorkFactory(engine)
    async with factory() as uow:
        await direct.execute(uow.connection, _GROUP, {**group, "name": "H"})
        await uow.commit()
    with pytest.raises(ConcurrentUpdateError):
        async with factory() as uow:
            await direct.execute(uow.connection, _GROUP, {**group, "name": "H"})


async def test_a_statement_is_planned_by_identity_not_by_its_text(engine: AsyncEngine) -> None:
    """Two statements with equal SQL but different literals keep their own values."""
    one = select(GROUPS.c.id).where(GROUPS.c.name == "a")
    other = select(GROUPS.c.id).where(GROUPS.c.name == "b")
    async with engine.connect() as conn, conn.begin():
        for name in ("a", "b"):
            row = {"name": name, "kind": "psp", "prefix": "PSP", "created_at": AT}
            await direct.execute(conn, _GROUP, row)
        first = (await direct.execute(conn, one)).scalar_one()
        second = (await direct.execute(conn, other)).scalar_one()
        assert first != second


async def test_a_schema_change_under_a_prepared_statement_fails_one_statement_only(
    pg_database: str,
) -> None:
    """Another process migrates a table the bot reads: PostgreSQL refuses the statement the
    bot had prepared before the change, once; the next one is prepared again, as with
    SQLAlchemy's own execution."""
    from sqlalchemy import Column, MetaData, Table
    from sqlalchemy.exc import DBAPIError

    from storage.engine import make_engine

    probe = Table("direct_probe", MetaData(), Column("id", Integer), Column("v", String(10)))
    read = select(probe.c.id, probe.c.v).where(probe.c.id == bindparam("id"))
    engine = make_engine(pg_database)
    try:
        async with engine.connect() as conn:
            await conn.exec_driver_sql("CREATE TABLE direct_probe (id int, v varchar(10))")
            await conn.exec_driver_sql("INSERT INTO direct_probe VALUES (1, 'a')")
            await conn.commit()
            assert tuple((await direct.execute(conn, read, {"id": 1})).one()) == (1, "a")
            assert conn.in_transaction()  # begun as SQLAlchemy would, so its COMMIT ends it
            await conn.commit()
            async with engine.connect() as other:  # the other process's migration
                await other.exec_driver_sql("ALTER TABLE direct_probe ALTER COLUMN v TYPE text")
                await other.commit()
            with pytest.raises(DBAPIError):
                await direct.execute(conn, read, {"id": 1})
            await conn.rollback()
            assert tuple((await direct.execute(conn, read, {"id": 1})).one()) == (1, "a")
            await conn.rollback()
            await conn.exec_driver_sql("DROP TABLE direct_probe")
            await conn.commit()
    finally:
        await engine.dispose()
