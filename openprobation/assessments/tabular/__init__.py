"""Reading real, messy tables of historical records for batch scoring, and writing the scored table.

Everything between a CSV file and the item arrays an instrument scores:

* :func:`read_table` reads the file whatever it looks like (a BOM, UTF-8 or Windows-1251, ``,``
  ``;`` tab or ``|`` between cells, an Excel ``sep=`` line, repeated or empty headers, stray
  whitespace, blank lines, rows with too few or too many cells) into text columns;
* :func:`parse_mapping` reads one ``--map`` spec (``item=column``, a recode, a derived age, a
  constant);
* :func:`map_items` turns the columns into one array per item and reports every cell it cannot use
  (row number as in the file, 1 = the first data row) with the reason;
* :func:`write_table` writes the table back with the scores beside it.

Nothing here loops over rows in Python: the file is parsed by pyarrow, every column is encoded as
its distinct values once, each distinct value is read once (as a number, a date, a code) and the
result is spread back to the rows with an index. A row with too few or too many cells stops the
parallel reader: pyarrow then reads the file again on one thread and says on which line each such
row is (when the file has no quotes, so that a line is a row), or else Python's csv module reads it,
which is several times slower; either way every row stays where it was.
"""

from openprobation.assessments.tabular.base import ItemKind, MappingError, Table, TableError
from openprobation.assessments.tabular.cells import parse_dates, parse_numbers
from openprobation.assessments.tabular.items import map_items
from openprobation.assessments.tabular.mapping import Mapping, parse_mapping
from openprobation.assessments.tabular.problems import Mapped, RowProblem, RowProblems
from openprobation.assessments.tabular.reading import read_table
from openprobation.assessments.tabular.writing import write_table

__all__ = [
    "ItemKind",
    "Mapped",
    "Mapping",
    "MappingError",
    "RowProblem",
    "RowProblems",
    "Table",
    "TableError",
    "map_items",
    "parse_dates",
    "parse_mapping",
    "parse_numbers",
    "read_table",
    "write_table",
]
