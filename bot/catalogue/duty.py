"""Reaching the right person: absence, duty contacts, who is on call, the pager: key ->
(Danish, English)."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "what.date": ("dato (ÅÅÅÅ-MM-DD)", "date (YYYY-MM-DD)"),
    "role.duty": ("vagt", "duty contact"),
    "usage.away": (
        "fraværende indtil <ÅÅÅÅ-MM-DD> [--stedfortræder @bruger]",
        "away until <YYYY-MM-DD> [--deputy @user]",
    ),
    "usage.back": ("tilbage", "back"),
    "usage.duty": ("vagt", "duty"),
    "usage.page": ("tilkald test [myndighed]", "page test [agency]"),
    "help.away": (
        "Melder dig fraværende til og med en dato (højst et år frem): alarmer, rykkere og "
        "påmindelser nævner straks din stedfortræder (eller din myndigheds stedfortrædere) i "
        "stedet. Fraværet slutter af sig selv.",
        "Marks you away through a day (at most a year ahead): alerts, escalations and reminders "
        "mention your deputy (or your agency's deputies) at once instead. Absence ends by "
        "itself.",
    ),
    "help.back": ("Afslutter dit fravær nu.", "Ends your absence now."),
    "help.duty": (
        "Viser for hver myndighed, hvem en akut sag ville nå lige nu (fravær og arbejdstid "
        "medregnet).",
        "Shows, per agency, who an acute case would reach right now (absence and working "
        "hours applied).",
    ),
    "help.page": (
        "Sender en prøve-personsøgning gennem den konfigurerede gateway til tovholderen eller "
        "en myndigheds vagt (tovholder).",
        "Sends a test page through the configured gateway to the lead or an agency's duty "
        "contact (lead).",
    ),
    # --- absence ---------------------------------------------------------------------
    "away.set": (
        "{who} er fraværende til og med {until}; {deputies} nævnes i stedet.",
        "{who} is away through {until}; {deputies} will be mentioned instead.",
    ),
    "away.set_nobody": (
        "{who} er fraværende til og med {until}; {agency} har ingen stedfortræder til stede, så "
        "alarmer nævner stadig {who}. Tilføj en med `--stedfortræder @bruger`.",
        "{who} is away through {until}; {agency} has no deputy present, so alerts still "
        "mention {who}. Name one with `--deputy @user`.",
    ),
    "away.back": (
        "Velkommen tilbage, {who}: alarmer nævner dig igen.",
        "Welcome back, {who}: alerts mention you again.",
    ),
    "away.not_away": (
        "{who} er ikke meldt fraværende; intet ændret.",
        "{who} is not marked away; nothing changed.",
    ),
    "error.away_past": (
        "{date} er allerede gået; skriv en dato fra i dag ({today}) og frem.",
        "{date} has passed; give a day from today ({today}) on.",
    ),
    "error.away_too_far": (
        "{date} er mere end et år frem; højst {last}.",
        "{date} is more than a year ahead; {last} at the latest.",
    ),
    "error.deputy_not_member": (
        "{user} er ikke medlem af gruppen og kan ikke stå i stedet.",
        "{user} is not a member of the group and cannot stand in.",
    ),
    "error.deputy_other_agency": (
        "{who} er fra {agency}; stedfortræderen skal være fra {own}.",
        "{who} is from {agency}; the deputy must be from {own}.",
    ),
    "error.deputy_self": (
        "Du kan ikke stå i stedet for dig selv; nævn en kollega.",
        "You cannot stand in for yourself; name a colleague.",
    ),
    "error.deputy_away": (
        "{who} er selv fraværende til og med {until}; nævn en anden.",
        "{who} is away too, through {until}; name someone else.",
    ),
    "error.duty_agency_not_in_group": (
        "Gruppen har ingen fra {agency}; tilføj myndighedens repræsentanter før dens vagt.",
        "The group has nobody from {agency}; add its representatives before its duty contact.",
    ),
    "member.away": (" · fraværende til og med {until}", " · away through {until}"),
    "member.away_deputy": (" ({deputy} står i stedet)", " ({deputy} stands in)"),
    "agenda.away": ("Fraværende:", "Away:"),
    "agenda.away_row": (
        "- {who} ({agency}) til og med {until}",
        "- {who} ({agency}) through {until}",
    ),
    # --- who is on call --------------------------------------------------------------
    "duty.head_inside": (
        "Akut sag nu ({when}, inden for arbejdstid) når:",
        "An acute case now ({when}, inside working hours) reaches:",
    ),
    "duty.head_outside": (
        "Akut sag nu ({when}, uden for arbejdstid) når:",
        "An acute case now ({when}, outside working hours) reaches:",
    ),
    "duty.row": ("  {agency}: {who}", "  {agency}: {who}"),
    "duty.duty_mark": ("{who} (vagt)", "{who} (duty)"),
    "duty.nobody": ("ingen til stede", "nobody present"),
    "duty.stand_in": (
        "    {absent} fraværende til og med {until} → {by}",
        "    {absent} away through {until} → {by}",
    ),
    "duty.no_duty": (
        "    ingen vagt registreret (`medlem tilføj <@bruger> {agency} vagt`)",
        "    no duty contact registered (`member add <@user> {agency} duty`)",
    ),
    "duty.pager": (
        "Kvitterer en myndighed ikke efter sidste rykker, personsøges dens vagt og tovholderen.",
        "An agency that has not acknowledged after the last escalation step has its duty "
        "contact and the lead paged.",
    ),
    # --- the alert and escalation say who was reached and why ------------------------
    "alert.out_of_hours": (
        "Uden for arbejdstid: vagthavende adviseret ({agencies}).",
        "Outside working hours: duty contacts notified ({agencies}).",
    ),
    "alert.no_duty": (
        "Uden for arbejdstid: ingen vagt registreret for {agencies}.",
        "Outside working hours: no duty contact registered for {agencies}.",
    ),
    "alert.stand_in": (
        "{absent} er fraværende: {by} adviseret i stedet.",
        "{absent} is away: {by} notified instead.",
    ),
    # --- the pager -------------------------------------------------------------------
    "page.text": (
        "PSP {group}: {ref} ({urgency}) afventer kvittering fra {agency}. Kvitter i rummet: {link}",
        "PSP {group}: {ref} ({urgency}) awaits acknowledgement from {agency}. Acknowledge in the "
        "room: {link}",
    ),
    "page.test_text": (
        "PSP {group}: prøve-personsøgning. Intet at gøre.",
        "PSP {group}: test page. Nothing to do.",
    ),
    "page.queued": (
        "Prøve-personsøgning til {target} lagt i udbakken; den sendes straks og forsøges igen, "
        "hvis gatewayen ikke svarer (`psp-bot outbox` viser den).",
        "Test page to {target} queued; it goes out at once and is retried if the gateway does "
        "not answer (`psp-bot outbox` shows it).",
    ),
    "page.told": (
        "📟 {ref}: {agency} har ikke kvitteret efter {elapsed}; vagten hos {agency} og "
        "tovholderen er personsøgt.",
        "📟 {ref}: {agency} has not acknowledged after {elapsed}; its duty contact and the lead "
        "have been paged.",
    ),
    "delivery.stuck_pager": (
        "⚠️ Personsøgningen af {target} er ikke kommet igennem gatewayen i {minutes}; "
        "ring direkte. `psp-bot outbox` viser den.",
        "⚠️ The page to {target} has not got through the gateway for {minutes}; "
        "phone them. `psp-bot outbox` lists it.",
    ),
    "page.target_lead": ("tovholderen", "the lead"),
    "page.target_duty": ("vagten hos {agency}", "the duty contact of {agency}"),
    "page.no_link": ("(intet rumlink)", "(no room link)"),
    "error.no_pager": (
        "Der er ingen personsøger sat op (afsnittet [pager] i konfigurationen).",
        "No pager is configured (the [pager] section of the config).",
    ),
    # --- the access log --------------------------------------------------------------
    "action.member.away": ("meldt fraværende", "marked away"),
    "action.member.back": ("meldt tilbage", "marked back"),
    "action.duty.read": ("vagtoversigt vist", "on-call list shown"),
    "action.case.page": ("personsøgt (mangler kvittering)", "paged (not acknowledged)"),
    "action.page.test": ("prøve-personsøgning sendt", "test page sent"),
}
