"""The verbs of the command language and every word (English, Danish, ASCII spellings) that
names each of them."""

from __future__ import annotations

# Canonical verb -> every word that names it.
VERB_WORDS: dict[str, tuple[str, ...]] = {
    "help": ("help", "hjælp", "hjaelp", "?"),
    "flag": ("flag", "akut", "haster", "normal"),
    "ack": ("ack", "kvitter"),
    "assign": ("assign", "tildel"),
    "accept": ("accept", "accepter"),
    "decline": ("decline", "afvis"),
    "take": ("take", "overtag"),
    "decide": ("decide", "beslut"),
    "done": ("done", "udført", "udfoert"),
    "note": ("note", "notat"),
    "show": ("show", "vis"),
    "list": ("list", "liste"),
    "close": ("close", "luk"),
    "reopen": ("reopen", "genåbn", "genaabn"),
    "member": ("member", "medlem"),
    "group": ("group", "gruppe"),
    "escalate": ("escalate", "eskaler"),
    "audit": ("audit", "revision"),
    "guest": ("guest", "gæst", "gaest"),
    "meeting": ("meeting", "møde"),
    # Running a meeting: `til stede` and `spring over` are two words (bot/parsing/parser.py).
    "present": ("present", "tilstede", "til"),
    "next": ("next", "næste", "naeste"),
    "discussed": ("discussed", "drøftet", "droeftet"),
    "skip": ("skip", "udsæt", "spring", "udsaet", "udsat"),
    "report": ("report", "rapport"),
    "steering": ("steering", "styregruppe"),
    "transfer": ("transfer", "overfør", "overfoer"),
    "away": ("away", "fraværende", "fravaerende"),
    "back": ("back", "tilbage"),
    "duty": ("duty", "vagt"),
    "page": ("page", "tilkald"),
}
WORD_TO_VERB: dict[str, str] = {w: verb for verb, words in VERB_WORDS.items() for w in words}
