"""The CPR guard's corpus: ways to write a CPR number that must be refused, and numbers that
only look like one and must pass. Shared by the guard's unit, field and fuzz tests."""

from __future__ import annotations

# Every entry is a real CPR number (a valid date, then four digits), written so that a
# plain pattern would miss it.
ENCODINGS: tuple[str, ...] = (
    "010190-1234",
    "0101901234",
    "010190 1234",
    "010190\u20131234",  # en dash
    "010190\u20141234",  # em dash
    "010190\u20101234",  # hyphen
    "010190\u20111234",  # non-breaking hyphen
    "010190\u20121234",  # figure dash
    "010190\u20151234",  # horizontal bar
    "010190\u22121234",  # minus sign
    "010190\ufe631234",  # small hyphen-minus
    "010190\uff0d1234",  # fullwidth hyphen-minus
    "010190\u207b1234",  # superscript minus
    "010190\u208b1234",  # subscript minus
    "010190\u2e3a1234",  # two-em dash
    "010190\u2e171234",  # double oblique hyphen
    "01.01.90-1234",
    "01.01.90.1234",
    "01/01/90-1234",
    "01/01/90/1234",
    "010190/1234",
    "010190\\1234",
    "01\\01\\90\\1234",
    "010190_1234",
    "01 01 90 1234",
    "01  01  90  1234",
    "010190  1234",
    "010190 - 1234",
    "010190\t1234",
    "010190\n1234",
    "010190\u00a01234",  # no-break space
    "010190\u20091234",  # thin space
    "010190\u30001234",  # ideographic space
    '"010190" "1234"',  # two shell words
    '010190"-"1234',
    "'010190' '1234'",
    "010190''1234",  # an empty quote joins the words
    '"0101"90-1234',
    "010190\\ 1234",  # an escaped space
    "0101\\90-1234",
    "0\u200b10190-1234",  # zero-width space
    "010190\u200d-1234",  # zero-width joiner
    "01\u206001\u206090-1234",  # word joiner
    "\u202e010190-1234\u202c",  # right-to-left override
    "0101\u200e90-1234",  # left-to-right mark
    "010190\u00ad1234",  # soft hyphen
    "010190\u180e1234",  # Mongolian vowel separator
    "0101\u030190-1234",  # combining acute accent
    "01\u034f0190-1234",  # combining grapheme joiner
    "01019\u20dd0-1234",  # combining enclosing circle
    "0101\ufe0f90-1234",  # variation selector 16
    "0101\U000e010090-1234",  # variation selector 17
    "\uff10\uff11\uff10\uff11\uff19\uff10-\uff11\uff12\uff13\uff14",  # fullwidth digits
    "\u0660\u0661\u0660\u0661\u0669\u0660-\u0661\u0662\u0663\u0664",  # Arabic-Indic
    "\u06f0\u06f1\u06f0\u06f1\u06f9\u06f0-\u06f1\u06f2\u06f3\u06f4",  # Persian
    "\u0966\u0967\u0966\u0967\u096f\u0966-\u0967\u0968\u0969\u096a",  # Devanagari
    "\u09e6\u09e7\u09e6\u09e7\u09ef\u09e6-\u09e7\u09e8\u09e9\u09ea",  # Bengali
    "\U0001d7ce\U0001d7cf\U0001d7ce\U0001d7cf\U0001d7d7\U0001d7ce-1234",  # math bold
    "\u2070\u00b9\u2070\u00b9\u2079\u2070-\u00b9\u00b2\u00b3\u2074",  # superscripts
    "010190%2D1234",
    "010190%201234",
    "010190%E2%80%931234",  # percent-encoded en dash
    "%30%31%30%31%39%30%2D%31%32%33%34",
    "010190%252D1234",  # encoded twice
    "010190&#45;1234",
    "010190&ndash;1234",
    "01\u00b701\u00b790-1234",  # middle dot
    "01\u202401\u202490-1234",  # one dot leader
    "010190\u20271234",  # hyphenation point
    "010190\u20441234",  # fraction slash
    "010190\u22151234",  # division slash
    "010190\uff3c1234",  # fullwidth backslash
    "010190\u201e1234",  # low double quotation mark
    "010190\u00ab\u00bb1234",  # guillemets
    "010190\u201c\u201d1234",
    "01-01-90-1234",
    "0101 90 1234",
    "cpr:010190-1234",
    "nr.010190-1234.",
    "311299-5678",
    "290200-4123",  # 29 February 2000
    "010190-1235",  # fails the old modulus-11 check; numbers since 2007 need not pass it
)

# Numbers a case text legitimately holds: none of them is a CPR number.
LOOK_ALIKES: tuple[str, ...] = (
    "12345678",
    "12 34 56 78",
    "+45 12 34 56 78",
    "+4512345678",
    "0045 12 34 56 78",
    "tlf. 20 11 90 12",
    "12 34 56 78 / 87 65 43 21",
    "2026-01-15",
    "2026-01-15 10:30",
    "møde 2026-01-15 1030",
    "2026-12-01T10:00:00+01:00",
    "15.01.2026",
    "15.01.2026 kl. 10.30",
    "15/01/2026 10:30",
    "1.1.2026",
    "10:30",
    "12:30-13:30",
    "kl. 1030",
    "PSP-2026-0007",
    "PSP-2026-0007 og PSP-2026-0008",
    "1.234.567,00 kr",
    "kr. 12.345,50",
    "DKK 1 234 567",
    "320190-1234",  # day 32
    "011390-1234",  # month 13
    "290201-4123",  # 29 February 2001 does not exist
    "12345678901",  # eleven digits
    "010190-123",  # nine digits
    "010190-12345",  # eleven digits
    "CVR 12345678",
    "EAN 5790000123456",
    "uge 45, 2026",
    "sag 1/2026",
    "version 1.2.3",
    "§ 115",
    "100 %",
)
