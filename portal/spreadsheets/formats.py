"""Spreadsheet formats hardened against hostile files: size, rows, zip bombs, formulas and
encodings are checked before a row is read; exports escape formula-like text."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import tablib
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from import_export.formats import base_formats

# The spreadsheet row of the first data row: row 1 holds the headers.
FIRST_DATA_ROW = 2


# --- Formats --------------------------------------------------------------------------------------


class SpreadsheetFileError(ValueError):
    """A file refused before any row is read; the message is for the clerk who uploaded it."""


# Characters that make a spreadsheet treat a cell as a formula (and tab and carriage return, which
# some programs strip before looking at the next character).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def check_import_size(size: int) -> None:
    """Refuse a file over IMPORT_MAX_BYTES, before anything reads it."""
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        raise SpreadsheetFileError(
            _("文件太大（%(size)s），导入文件不能超过 %(limit)s。请拆分成几个文件分别导入。")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )


def _check_row_count(count: int) -> None:
    limit = settings.IMPORT_MAX_ROWS
    if count > limit:
        raise SpreadsheetFileError(
            _("文件超过 %(limit)s 行数据，请拆分成几个文件分别导入。") % {"limit": limit}
        )


def escape_formulae(dataset: tablib.Dataset) -> None:
    """Prefix an apostrophe to text a spreadsheet would run as a formula (=HYPERLINK(...) typed into
    an institution's name), so that whoever opens an export sees it as text. Plain numbers ("-1.5")
    are left alone. `cell_text` takes the apostrophe off again when the file is imported back."""
    for index, row in enumerate(dataset):
        if any(_needs_escape(value) for value in row):
            dataset[index] = tuple("'" + value if _needs_escape(value) else value for value in row)


def _needs_escape(value) -> bool:
    return (
        isinstance(value, str)
        and value.startswith(FORMULA_PREFIXES)
        and not _PLAIN_NUMBER.fullmatch(value)
    )


def _rows_to_dataset(rows) -> tablib.Dataset:
    """The first row as headers, the others cut or padded to as many cells, at most
    IMPORT_MAX_ROWS of them (counted while reading, so a huge file stops early).

    Empty rows are kept only when a data row follows, so that row numbers match the sheet's
    while the formatted but empty rows at the end of many sheets neither count nor show.
    """
    rows = iter(rows)
    headers = list(next(rows, []))
    while headers and cell_text(headers[-1]) == "":
        headers.pop()
    width = len(headers)
    dataset = tablib.Dataset(headers=headers or None)
    blank_rows = 0
    for row in rows:
        values = (list(row) + [None] * width)[:width]
        if all(cell_text(value) == "" for value in values):
            blank_rows += 1
            continue
        for _blank in range(blank_rows):
            dataset.append([None] * width)
        blank_rows = 0
        dataset.append(values)
        _check_row_count(len(dataset))
    return dataset


class SpreadsheetCSV(base_formats.CSV):
    """CSV as office software in China writes it.

    Excel saves "CSV" in GB18030 (GBK) on Chinese Windows and in UTF-8 with a BOM elsewhere, so an
    import accepts both (and UTF-16, Excel's "Unicode text"); an export carries a BOM so that Excel
    opens it with the Chinese intact. Read as bytes (is_binary) so that the decoding is ours, not
    the temp file's.
    """

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes):
            check_import_size(len(in_stream))
            in_stream = self._decode(in_stream)
        try:
            return _rows_to_dataset(csv.reader(io.StringIO(in_stream, newline="")))
        except csv.Error:
            raise SpreadsheetFileError(
                _("文件无法按 CSV 读取，请用 Excel 另存为“CSV UTF-8”或“CSV（逗号分隔）”后再导入。")
            ) from None

    @staticmethod
    def _decode(data: bytes) -> str:
        if data.startswith(b"PK\x03\x04"):
            raise SpreadsheetFileError(
                _("这是一个 Excel（xlsx）文件，不是 CSV 文件：请将格式选为 xlsx 后再导入。")
            )
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            encodings = ("utf-16",)
        elif b"\x00" in data:
            encodings = ()  # binary data, not text
        else:
            encodings = ("utf-8-sig", "gb18030")
        for encoding in encodings:
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise SpreadsheetFileError(
            _(
                "文件无法按文本读取：不是 CSV 文件，或编码无法识别。"
                "请用 Excel 另存为“CSV UTF-8”或“CSV（逗号分隔）”后再导入。"
            )
        )

    def export_data(self, dataset, **kwargs):
        escape_formulae(dataset)
        return "\ufeff" + super().export_data(dataset, **kwargs)


class SpreadsheetXLSX(base_formats.XLSX):
    """xlsx, read with limits: size, rows, how far the zip unpacks, and no formulas.

    A formula cell is refused rather than read: the value saved with it may be stale or missing
    (files written by programs other than Excel carry none), and it is never computed here.
    """

    def create_dataset(self, in_stream):
        check_import_size(len(in_stream))
        not_xlsx = SpreadsheetFileError(
            _(
                "文件不是有效的 Excel（xlsx）文件。请用 Excel 打开后另存为“Excel 工作簿（*.xlsx）”再导入。"
            )
        )
        if not in_stream.startswith(b"PK\x03\x04"):
            raise not_xlsx
        try:
            with zipfile.ZipFile(io.BytesIO(in_stream)) as archive:
                unpacked = sum(info.file_size for info in archive.infolist())
        except zipfile.BadZipFile:
            raise not_xlsx from None
        if unpacked > settings.IMPORT_MAX_UNZIP_RATIO * len(in_stream):
            raise SpreadsheetFileError(
                _("文件解压后异常庞大（%(size)s），无法导入。请把数据复制到新的工作簿后再导入。")
                % {"size": filesizeformat(unpacked)}
            )
        import openpyxl

        try:
            workbook = openpyxl.load_workbook(
                io.BytesIO(in_stream), read_only=True, data_only=False
            )
            return self._read(workbook.active)
        except SpreadsheetFileError:
            raise
        except Exception:  # noqa: BLE001 - any fault of a malformed workbook is the same answer
            raise not_xlsx from None

    @staticmethod
    def _read(sheet) -> tablib.Dataset:
        from openpyxl.utils import get_column_letter

        formulas = []

        def values(rows):
            for line, row in enumerate(rows, start=1):
                for index, cell in enumerate(row):
                    if cell.data_type == "f":
                        formulas.append(f"{get_column_letter(index + 1)}{line}")
                yield [cell.value for cell in row]

        dataset = _rows_to_dataset(values(sheet.iter_rows()))
        if formulas:
            shown = "、".join(formulas[:10]) + ("等" if len(formulas) > 10 else "")
            raise SpreadsheetFileError(
                _(
                    "以下单元格是公式：%(cells)s。导入不计算公式，请复制这些单元格，"
                    "“选择性粘贴—数值”后再导入。"
                )
                % {"cells": shown}
            )
        return dataset

    def export_data(self, dataset, **kwargs):
        escape_formulae(dataset)
        return super().export_data(dataset, **kwargs)


SPREADSHEET_FORMATS = [SpreadsheetXLSX, SpreadsheetCSV]


def cell_text(value) -> str:
    """A cell as text. Spreadsheets hand back all-digit cells as numbers (1.0 for "1").

    The apostrophe an export puts before formula-like text (`escape_formulae`) is taken off, so an
    exported file imports back unchanged.
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text
