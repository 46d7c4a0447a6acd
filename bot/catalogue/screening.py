"""What the core refuses to read (bot/screening.py) and database outages: key -> (Danish,
English)."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "error.unreadable": (
        "Beskeden indeholder tegn jeg ikke kan læse (styretegn eller ødelagt tegnkodning) og "
        "er afvist; intet blev gemt. Skriv den igen som almindelig tekst.",
        "The message contains characters I cannot read (control characters or broken "
        "encoding) and was refused; nothing was saved. Type it again as plain text.",
    ),
    "error.display_name": (
        "Dit visningsnavn indeholder et CPR-nummer eller tegn jeg ikke kan læse; intet blev "
        "gemt. Ret visningsnavnet, og prøv igen.",
        "Your display name contains a CPR number or characters I cannot read; nothing was "
        "saved. Change your display name, then try again.",
    ),
    "error.database_unavailable": (
        "Databasen kan ikke nås lige nu; prøv igen om lidt — intet blev gemt.",
        "The database is not reachable; try again in a moment — nothing was saved.",
    ),
}
