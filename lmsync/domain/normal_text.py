"""A hand-typed value's one canonical form (``normalise``): what matching compares departments, interests and
languages by, and ``[matching] aliases`` are keyed on."""

from __future__ import annotations

import functools
import re
import unicodedata

#: A word of a value: letters and digits, with a closing ``+`` or ``#`` kept (``C++``, ``C#``, ``F#``: all read
#: as ``c`` before, one shared interest; tester round 46b, 5). ``AI+ML`` stays two words.
_WORD = re.compile(r"[^\W_]+(?:[+#]+(?![^\W_]))?", re.UNICODE)


@functools.lru_cache(maxsize=1 << 16)  # pure; programmes repeat the same few values (issue 15, speed)
def normalise(text: str) -> str:
    """One canonical token for a hand-typed value: NFKC, casefolded, accents dropped, ``&`` as "and", apostrophes
    joined, other punctuation as spaces (a closing ``+`` or ``#`` kept: ``C++``, ``C#``; tester round 86b, 5).

    ``"  Emergency-Medicine "`` and ``"emergency medicine"`` both become
    ``"emergency medicine"``. Tokens are compared whole, never as substrings.
    """
    folded = unicodedata.normalize("NFKD", _SAME.sub(_same, unicodedata.normalize("NFKC", text))).casefold()
    return " ".join(_WORD.findall(unicodedata.normalize("NFC", _without_latin_accents(folded))))


def _without_latin_accents(text: str) -> str:
    """``text`` (decomposed) without the accents on Latin letters ("é" -> "e"); marks on other scripts stay, where
    they tell words apart (Japanese "が" is not "か", a Devanagari vowel sign is part of its word)."""
    kept: list[str] = []
    for c in text:
        if unicodedata.combining(c) and kept and kept[-1] < "\u0250":
            continue
        kept.append(c)
    return "".join(kept)


#: Spellings of one value (tester round 86b, 5): "Français"/"francais" (accents on Latin letters dropped), "Women's"/
#: "Womens" (an apostrophe joins), "Obstetrics & Gynaecology"/"... and ..." (``&`` reads as "and").
_SAME = re.compile(r"['’&]")


def _same(found: re.Match[str]) -> str:
    return " and " if found.group() == "&" else ""
