"""The table reader as a package: its public names, which reader a ragged file goes through, and
modules that import one another one way only."""

from __future__ import annotations

import ast
import io
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

from openprobation.assessments import tabular
from openprobation.assessments.tabular import reading

PACKAGE = "openprobation.assessments.tabular"


def test_the_public_names_are_those_of_the_former_module():
    assert sorted(tabular.__all__) == [
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
    for name in tabular.__all__:
        assert getattr(tabular, name).__module__.startswith(f"{PACKAGE}.") or name == "ItemKind"


def test_a_ragged_file_without_quotes_is_not_read_by_the_csv_module(monkeypatch):
    calls: list[str] = []
    slowly = reading._parse_slowly

    def counted(text: str, delimiter: str) -> reading._Parsed:
        calls.append(text)
        return slowly(text, delimiter)

    monkeypatch.setattr(reading, "_parse_slowly", counted)
    plain = tabular.read_table(io.BytesIO(b"id;n\n1;2\n3\n4;5;6\n7;8\n"))
    assert calls == []
    quoted = tabular.read_table(io.BytesIO(b'id;n\n"1";2\n3\n4;5;6\n7;8\n'))
    assert len(calls) == 1
    for table in (plain, quoted):
        assert table.frame["n"].tolist() == ["2", "", "5;6", "8"]
        assert table.bad_rows == {2: "the row has 3 cells but the header has 2"}


def _imports_within_package() -> dict[str, set[str]]:
    """Each module of the package and the modules of the package it imports (anywhere in it)."""
    paths = {
        (PACKAGE if path.stem == "__init__" else f"{PACKAGE}.{path.stem}"): path
        for path in sorted(Path(tabular.__file__).parent.glob("*.py"))
    }
    graph: dict[str, set[str]] = {}
    for module, path in paths.items():
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                pytest.fail(f"{module} imports relatively; the code base imports by full name")
            if isinstance(node, ast.ImportFrom):
                names |= {node.module or "", *(f"{node.module}.{alias.name}" for alias in node.names)}
            elif isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
        graph[module] = names & set(paths)
    return graph


def test_the_modules_import_one_another_without_a_cycle():
    graph = _imports_within_package()
    assert f"{PACKAGE}.base" in graph
    assert graph[f"{PACKAGE}.base"] == set()  # the bottom layer
    assert all(PACKAGE not in targets for targets in graph.values())  # nothing imports the package itself
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        pytest.fail(f"import cycle inside the package: {exc.args[1]}")
    assert order[0] == f"{PACKAGE}.base"
    assert order[-1] == PACKAGE
