"""Spreadsheet plumbing every import and export uses: the hardened formats (size, rows, zip
bombs, formulas, encodings), the cell widgets with Chinese messages, and the base resource (one
transaction, model validation, saves through a service, row-numbered errors).

Column headers are fixed Chinese strings, not translated: they are the file format, and a file
filled in by one clerk must import whatever language another clerk's browser is set to.
"""

from .formats import (
    FIRST_DATA_ROW,
    FORMULA_PREFIXES,
    SPREADSHEET_FORMATS,
    SpreadsheetCSV,
    SpreadsheetFileError,
    SpreadsheetXLSX,
    cell_text,
    check_import_size,
    escape_formulae,
)
from .resources import SpreadsheetResource
from .widgets import (
    ChoiceWidget,
    CreditCodeWidget,
    DateWidget,
    DecimalWidget,
    ResidentIdWidget,
    TextWidget,
    YesNoWidget,
    error_text,
)

__all__ = [
    "FIRST_DATA_ROW",
    "FORMULA_PREFIXES",
    "SPREADSHEET_FORMATS",
    "ChoiceWidget",
    "CreditCodeWidget",
    "DateWidget",
    "DecimalWidget",
    "ResidentIdWidget",
    "SpreadsheetCSV",
    "SpreadsheetFileError",
    "SpreadsheetResource",
    "SpreadsheetXLSX",
    "TextWidget",
    "YesNoWidget",
    "cell_text",
    "check_import_size",
    "error_text",
    "escape_formulae",
]
