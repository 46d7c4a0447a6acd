"""A count of one reads as one in both languages: "1 handling", "… og 1 mere", "1 linje mere
er udeladt". On the in-memory fakes (unit tier)."""

from __future__ import annotations

import pytest

from bot.bounds import MAX_REPLY_CHARS, fit_message
from bot.clock import FakeClock
from bot.demo import ensure_demo_group
from bot.i18n import plural
from tests.conftest import Harness, build_harness
from tests.fakes import FakeUnitOfWorkFactory

pytestmark = pytest.mark.unit


@pytest.fixture
async def demo() -> Harness:
    h = build_harness(None, FakeClock(), uow_factory=FakeUnitOfWorkFactory())
    await ensure_demo_group(h.uow_factory, h.clock)
    return h


@pytest.mark.parametrize(
    ("locale", "key", "count", "expected"),
    [
        ("da", "count.actions", 1, "1 handling"),
        ("da", "count.actions", 2, "2 handlinger"),
        ("en", "count.actions", 1, "1 action"),
        ("da", "count.more", 1, "1 mere"),
        ("da", "count.more", 3, "3 flere"),
        ("en", "count.more", 1, "1 more"),
        ("da", "count.more_lines", 1, "1 linje mere er udeladt"),
        ("en", "count.more_lines", 4, "4 more lines left out"),
        ("da", "count.requeued", 1, "1 opgivet besked sendes igen"),
        ("da", "count.requeued", 2, "2 opgivne beskeder sendes igen"),
        ("en", "count.requeued", 1, "1 dropped message will be sent again"),
        ("en", "count.requeued", 3, "3 dropped messages will be sent again"),
    ],
)
def test_singular_for_one_plural_otherwise(
    locale: str, key: str, count: int, expected: str
) -> None:
    assert plural(locale, key, count) == expected


def test_a_number_written_otherwise_takes_the_plural() -> None:
    assert plural("da", "count.more", 600, shown="over 500") == "over 500 flere"
    assert plural("en", "count.decisions", 1, shown="more than 500") == ("more than 500 decisions")


async def test_audit_of_a_member_with_one_action(demo: Harness) -> None:
    demo.locale = "da"
    await demo.text("anna", "flag normal Borger i krise")
    trail = await demo.text("erik", "revision medlem @anna")
    assert trail.splitlines()[0] == "Revisionsspor for anna (politi) i Demo: 1 handling:"
    demo.locale = "en"
    trail = await demo.text("erik", "audit member @anna")
    assert trail.splitlines()[0] == "Audit trail of anna (police) in Demo: 1 action:"


async def test_a_list_with_one_case_past_the_page(demo: Harness) -> None:
    demo.locale = "da"
    for number in range(26):
        await demo.text("anna", f"flag normal Borger nr {number}")
    listed = (await demo.text("bo", "liste")).splitlines()
    assert listed[-1].startswith("… og 1 mere: `")
    for number in range(26, 28):
        await demo.text("anna", f"flag normal Borger nr {number}")
    listed = (await demo.text("bo", "liste")).splitlines()
    assert listed[-1].startswith("… og 3 flere: `")


def test_a_reply_cut_by_one_line() -> None:
    # Whole lines up to the cut 200 characters before the limit, then one long line.
    lines = ["x" * 99] * ((MAX_REPLY_CHARS - 200) // 100)
    text = "\n".join([*lines, "y" * 400])
    cut = fit_message(text, "da")
    assert cut.splitlines()[-1].startswith("… 1 linje mere er udeladt:")
    assert len(cut) <= MAX_REPLY_CHARS
