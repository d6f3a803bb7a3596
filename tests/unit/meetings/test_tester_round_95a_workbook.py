"""Tester round 95a, 11: a spreadsheet workbook given for a CSV was refused as "not UTF-8 text (byte 11 of the
line, ...)", which did not say the file was a workbook nor how to get the CSV."""

from __future__ import annotations

import io
import zipfile

import pytest

from lmsync.errors import InputError
from lmsync.service.csv_tables import decode_csv


def workbook() -> bytes:
    """The first bytes an .xlsx (a zip archive) starts with, as a spreadsheet program saves it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", "<Types>" + "x" * 500 + "</Types>")
        book.writestr("xl/workbook.xml", "<workbook/>" * 100)
    return buffer.getvalue()


def test_an_xlsx_given_for_a_csv_is_named_a_workbook_with_the_way_to_csv():
    with pytest.raises(InputError) as caught:
        decode_csv(workbook(), "meetings.xlsx")
    assert "meetings.xlsx:1: a spreadsheet workbook (.xlsx, .ods or .xls), not CSV text" in str(caught.value)
    assert "CSV UTF-8" in (caught.value.hint or "")
    assert list(caught.value.problems) == [{"file": "meetings.xlsx", "line": 1, "field": "",
                                      "reason": "a spreadsheet workbook, not CSV text"}]


def test_an_old_xls_is_named_a_workbook_too():
    with pytest.raises(InputError, match=r"a spreadsheet workbook"):
        decode_csv(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00\xff" * 300, "people.xls")


def test_latin1_text_is_still_said_by_its_byte():
    with pytest.raises(InputError, match=r":2: not UTF-8 text \(byte 10 of the line, 0xe9\)"):
        decode_csv("id,name\ns0001,caf\u00e9\n".encode("latin-1"), "people.csv")
