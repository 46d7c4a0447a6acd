"""Help texts and usage lines: key -> (Danish, English)."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    # --- help ------------------------------------------------------------------------
    "help.head": ("Kommandoer:", "Commands:"),
    "help.tail": (
        "`hjælp <kommando>` forklarer en kommando; de engelske kommandoord og tilvalg (`ack`, "
        "`assign`, `--owner`, …) virker også. Skriv aldrig navne eller CPR-numre.",
        "`help <command>` explains one command. Never write names or CPR numbers.",
    ),
    "help.words": ("Kan også skrives: {words}", "Also written: {words}"),
    "usage.help": ("hjælp [kommando]", "help [command]"),
    "usage.flag": (
        "akut|haster|normal <resumé…> [#karakteristik…]",
        "flag <acute|urgent|normal> <summary…> [#tag…]",
    ),
    "usage.ack": ("kvitter <sag>", "ack <case>"),
    "usage.assign": ("tildel <sag> <myndighed> [@medlem]", "assign <case> <agency> [@member]"),
    "usage.accept": ("accepter <sag>", "accept <case>"),
    "usage.decline": ("afvis <sag> <begrundelse…>", "decline <case> <reason…>"),
    "usage.take": ("overtag <sag>", "take <case>"),
    "usage.decide": (
        "beslut <sag> <tekst…> [--ejer M] [--frist ÅÅÅÅ-MM-DD] [--plan TEKST] [--plan-ejer M]",
        "decide <case> <text…> [--owner A] [--due YYYY-MM-DD] [--fallback TEXT] "
        "[--fallback-owner A]",
    ),
    "usage.done": ("udført <sag> <beslutningsnr>", "done <case> <decision-no>"),
    "usage.note": ("notat <sag> <tekst…>", "note <case> <text…>"),
    "usage.show": ("vis <sag>", "show <case>"),
    "usage.list": (
        "liste [åbne|mine|lukkede|alle] [--myndighed M] [--side N]",
        "list [open|mine|closed|all] [--agency A] [--page N]",
    ),
    "usage.close": (
        "luk <sag> <løsning…> --udfald KODE",
        "close <case> <resolution…> --outcome CODE",
    ),
    "usage.reopen": ("genåbn <sag> <begrundelse…>", "reopen <case> <reason…>"),
    "usage.member": (
        "medlem tilføj <@bruger> <myndighed> [repræsentant|stedfortræder|tovholder|vagt] | "
        "medlem fjern <@bruger> | medlem liste",
        "member add <@user> <agency> [rep|deputy|lead|duty] | member remove <@user> | member list",
    ),
    "usage.group": (
        "gruppe opret <navn> [--type psp|ssp|sspplus|ksp] [--præfiks PSP] "
        "[--detaljer fuld|minimal] [--rum operativ|styregruppe] | "
        "gruppe myndigheder [<myndighed…>|standard]",
        "group setup <name> [--kind psp|ssp|sspplus|ksp] [--prefix PSP] [--detail full|minimal] "
        "[--room operative|steering] | group authorities [<agency…>|default]",
    ),
    "usage.escalate": (
        "eskaler <tekst…> | eskaler håndteret <nr>",
        "escalate <text…> | escalate handled <no>",
    ),
    "usage.audit": (
        "revision <sag> | revision medlem <@bruger> [--siden ÅÅÅÅ-MM-DD]",
        "audit <case> | audit member <@user> [--since YYYY-MM-DD]",
    ),
    "help.help": ("Viser kommandoerne.", "Shows the commands."),
    "help.flag": (
        "Melder en hastesag mellem møderne; de andre myndigheders repræsentanter får besked "
        "og skal kvittere.",
        "Flags an urgent case between meetings; the other agencies' representatives are "
        "notified and asked to acknowledge.",
    ),
    "help.ack": (
        "Kvitterer for din myndighed: I har set sagen.",
        "Acknowledges for your agency: you have seen the case.",
    ),
    "help.assign": (
        "Foreslår en myndighed ansvaret; den svarer med accepter/afvis. Tovholderens tildeling "
        "gælder straks.",
        "Proposes an agency for responsibility; it answers with accept/decline. The lead's "
        "assignment takes effect at once.",
    ),
    "help.accept": ("Din myndighed accepterer ansvaret.", "Your agency accepts responsibility."),
    "help.decline": (
        "Din myndighed afviser forslaget, med begrundelse.",
        "Your agency declines the proposal, with a reason.",
    ),
    "help.take": (
        "Din myndighed overtager ansvaret straks.",
        "Your agency takes responsibility now.",
    ),
    "help.decide": (
        "Registrerer en beslutning med ejer, frist og plan for hvis borgeren ikke samarbejder.",
        "Records a decision with owner, due date and a plan for when the citizen does not "
        "cooperate.",
    ),
    "help.done": ("Melder en beslutning udført.", "Marks a decision done."),
    "help.note": ("Tilføjer et notat til sagen.", "Adds a note to the case."),
    "help.show": ("Viser sagen.", "Shows the case."),
    "help.list": ("Lister sager.", "Lists cases."),
    "help.close": (
        "Lukker sagen med den fundne løsning og dens udfald; kræver en ansvarlig myndighed. "
        "Udfald: behandling-startet, bolig-sikret, støtte-modtaget, almindelige-tilbud, "
        "fraflyttet, ikke-målgruppe, overført, andet.",
        "Closes the case with the solution found and its outcome; needs a responsible "
        "agency. Outcomes: treatment-started, housing-secured, support-accepted, "
        "ordinary-services, moved-away, not-target-group, transferred, other.",
    ),
    "help.reopen": ("Genåbner en lukket sag (tovholder).", "Reopens a closed case (lead)."),
    "help.people.matrix": (
        "Når du nævner en person: vælg vedkommende med @ (autoudfyldningen), skriv det fulde id "
        "(@dave:example.org) eller et visningsnavn som kun én i rummet har (i anførselstegn hvis "
        'det har mellemrum: "Dave Hansen").',
        "Naming a person: pick them with @ (the autocomplete), write their full id "
        "(@dave:example.org) or a display name only one person in the room has (in quotes if it "
        'has spaces: "Dave Hansen").',
    ),
    "help.people.slack": (
        "Når du nævner en person: vælg vedkommende med @ (Slack gør det til deres id).",
        "Naming a person: pick them with @ (Slack turns it into their id).",
    ),
    "help.people.console": (
        "Når du nævner en person: skriv deres brugernavn.",
        "Naming a person: write their user name.",
    ),
    "help.member": (
        "Styrer gruppens medlemmer (tovholder).",
        "Manages the group's members (lead).",
    ),
    "help.group": (
        "Opretter en gruppe eller binder dette rum til den (administrator). `gruppe myndigheder` "
        "viser hvilke myndigheder der kan have handleansvaret; tovholderen kan vælge andre.",
        "Creates a group or binds this room to it (admin). `group authorities` shows which "
        "agencies can hold action responsibility; the lead can choose others.",
    ),
    "help.escalate": (
        "Sender et systemisk problem til styregruppen.",
        "Sends a systemic problem to the steering group.",
    ),
    "help.audit": (
        "Viser hvem der har læst eller ændret sagen, eller alt hvad et medlem (også et fjernet) "
        "har læst eller ændret, hvornår og hvor (tovholder).",
        "Shows who read or changed the case, or everything one member (also a removed one) "
        "read or changed, when and where (lead).",
    ),
}
