"""The reasons the report's tables give in a cell, moved below the table as numbered notes (tester round 121a, 10).

A withheld figure's cell said why in a sentence ("5, means before and after withheld: beside the per-wave means or
another comparison they would give fewer than 5 people's answers away by difference"); in a number cell, which does
not wrap, it pushed the evaluation table's figures off a 1280-pixel page. The cell keeps its short head ("5, means
before and after withheld") and a note mark; the sentence follows the table as a wrapping note. The CSV files keep the
whole sentence in the cell.
"""

from __future__ import annotations

from html import escape

#: a cell longer than this, with a reason after ": " or in closing brackets, gives the reason as a note
SHORT = 24


def split_reason(text: str) -> tuple[str, str | None]:
    """``text`` as (the cell's head, the reason) when it is long and gives a reason after ``": "`` ("5, mean withheld:
    beside ...") or in closing brackets ("withheld (who answered changed after an erasure)"); else (``text``, None)."""
    if len(text) <= SHORT:
        return text, None
    if ": " in text:
        head, reason = text.split(": ", 1)
        return head, reason
    if text.endswith(")") and " (" in text:
        head, reason = text[:-1].split(" (", 1)
        return head, reason
    return text, None


class CellNotes:
    """The notes of one table named ``table``: ``cell`` gives a cell's HTML (a long reason replaced by a note mark),
    ``html`` the notes below the table (one per distinct sentence, numbered in order of first use)."""

    def __init__(self, table: str) -> None:
        self._table = escape(table)
        self._notes: list[str] = []

    def cell(self, text: str) -> str:
        """``text``'s escaped head, and a note mark when its reason goes below the table (``split_reason``)."""
        head, reason = split_reason(text)
        if reason is None:
            return escape(text)
        sentence = f"{head}: {reason}"
        if sentence not in self._notes:
            self._notes.append(sentence)
        k = self._notes.index(sentence) + 1
        return f'{escape(head)}<sup class="note-mark"><a href="#{self._table}-note-{k}">{k}</a></sup>'

    def html(self) -> str:
        """The notes as a list below the table (empty without any)."""
        if not self._notes:
            return ""
        items = "".join(f'<li id="{self._table}-note-{k}">{escape(n)}</li>' for k, n in enumerate(self._notes, 1))
        return f'<ol class="cell-notes">{items}</ol>'
