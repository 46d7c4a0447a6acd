"""Audit action names as the access log shows them: `action.<recorded action>` ->
(Danish, English). An action without an entry is shown as recorded."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    # --- cases -----------------------------------------------------------------------
    "action.case.flag": ("markeret", "flagged"),
    "action.case.ack": ("kvitteret", "acknowledged"),
    "action.case.propose": ("foreslået tildelt", "proposed for responsibility"),
    "action.case.assign": ("tildelt", "assigned"),
    "action.case.accept": ("ansvar accepteret", "responsibility accepted"),
    "action.case.decline": ("forslag afvist", "proposal declined"),
    "action.case.take": ("ansvar overtaget", "responsibility taken"),
    "action.case.close": ("lukket", "closed"),
    "action.case.reopen": ("genåbnet", "reopened"),
    "action.case.read": ("læst", "read"),
    "action.case.list": ("sager listet", "cases listed"),
    "action.case.export": ("eksporteret", "exported"),
    "action.case.escalate": ("rykket (mangler kvittering)", "escalated (not acknowledged)"),
    "action.case.transfer_request": ("overdragelse anmodet", "transfer requested"),
    "action.case.transfer_in": ("overdraget hertil", "transferred in"),
    "action.case.transfer_out": ("overdraget herfra", "transferred out"),
    "action.case.purge": ("slettet (opbevaringsfrist)", "deleted (retention period)"),
    "action.decision.add": ("beslutning registreret", "decision recorded"),
    "action.decision.done": ("beslutning udført", "decision done"),
    "action.decision.followup": ("opfølgning på beslutninger sendt", "decision follow-up sent"),
    "action.note.add": ("notat tilføjet", "note added"),
    "action.escalation.add": (
        "problem sendt til styregruppen",
        "problem sent to the steering group",
    ),
    "action.escalation.handled": ("eskalering håndteret", "escalation handled"),
    "action.escalation.answer": ("eskalering besvaret", "escalation answered"),
    # --- members and groups ----------------------------------------------------------
    "action.member.add": ("medlem tilføjet", "member added"),
    "action.member.remove": ("medlem fjernet", "member removed"),
    "action.member.list": ("medlemmer vist", "members listed"),
    "action.guest.add": ("gæst tilføjet", "guest added"),
    "action.guest.remove": ("gæst fjernet", "guest removed"),
    "action.guest.list": ("gæster vist", "guests listed"),
    "action.group.create": ("gruppe oprettet", "group created"),
    "action.group.bind": ("rum bundet til gruppen", "room bound to the group"),
    "action.group.authorities": (
        "myndigheder med handleansvar sat",
        "agencies that can hold responsibility set",
    ),
    "action.steering.create": ("styregruppe oprettet", "steering group created"),
    "action.steering.link": ("knyttet til styregruppe", "linked to a steering group"),
    "action.steering.unlink": ("løsnet fra styregruppe", "unlinked from a steering group"),
    "action.report.make": ("rapport lavet", "report made"),
    "action.report.yearly": ("årsrapport sendt", "yearly report sent"),
    "action.audit.read": ("revisionsspor læst", "audit trail read"),
    "action.audit.member": ("medlems revisionsspor læst", "member's audit trail read"),
    # --- meetings --------------------------------------------------------------------
    "action.meeting.schedule": ("møde planlagt", "meeting scheduled"),
    "action.meeting.agenda": ("dagsorden vist", "agenda shown"),
    "action.meeting.cancel": ("møde aflyst", "meeting cancelled"),
    "action.meeting.export": ("kalenderfil hentet", "calendar file exported"),
    "action.meeting.remind": ("mødepåmindelse sendt", "meeting reminder sent"),
    # --- data protection (command line and scheduler) --------------------------------
    "action.retention.stale": (
        "meldt uændret længe (opbevaringsfrist)",
        "reported unchanged for long (retention period)",
    ),
    "action.retention.dry_run": ("prøvekørsel af sletning", "retention dry run"),
    "action.keys.rotate": ("nøgler roteret", "keys rotated"),
}
