"""How a case ended: a short fixed list, so the yearly evaluation can count outcomes without
reading anyone's free text. Standard library only."""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    TREATMENT_STARTED = "treatment-started"
    HOUSING_SECURED = "housing-secured"
    SUPPORT_ACCEPTED = "support-accepted"
    ORDINARY_SERVICES = "ordinary-services"
    MOVED_AWAY = "moved-away"
    NOT_TARGET_GROUP = "not-target-group"
    TRANSFERRED = "transferred"
    OTHER = "other"


# The Danish code of each outcome, as users type it after `--udfald`.
OUTCOME_DANISH: dict[Outcome, str] = {
    Outcome.TREATMENT_STARTED: "behandling-startet",
    Outcome.HOUSING_SECURED: "bolig-sikret",
    Outcome.SUPPORT_ACCEPTED: "støtte-modtaget",
    Outcome.ORDINARY_SERVICES: "almindelige-tilbud",
    Outcome.MOVED_AWAY: "fraflyttet",
    Outcome.NOT_TARGET_GROUP: "ikke-målgruppe",
    Outcome.TRANSFERRED: "overført",
    Outcome.OTHER: "andet",
}

OUTCOME_ALIASES: dict[str, Outcome] = (
    {o.value: o for o in Outcome}
    | {danish: o for o, danish in OUTCOME_DANISH.items()}
    | {
        "stoette-modtaget": Outcome.SUPPORT_ACCEPTED,
        "ikke-maalgruppe": Outcome.NOT_TARGET_GROUP,
        "overfoert": Outcome.TRANSFERRED,
    }
)


def outcome_code(outcome: Outcome, locale: str) -> str:
    """The code a user of this language types."""
    return OUTCOME_DANISH[outcome] if locale == "da" else outcome.value


def outcome_choices() -> str:
    """Every outcome as `english (dansk)`, for refusals and help."""
    return ", ".join(f"{o.value} ({OUTCOME_DANISH[o]})" for o in Outcome)
