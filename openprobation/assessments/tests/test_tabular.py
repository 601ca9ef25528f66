"""Reading messy tables of historical records, mapping their columns to instrument items, writing
the scored table back: every kind of mess a real export has, and the row numbers it is reported at."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from openprobation.assessments.tabular import (
    ItemKind,
    Mapped,
    Mapping,
    MappingError,
    RowProblem,
    RowProblems,
    Table,
    TableError,
    map_items,
    parse_dates,
    parse_mapping,
    parse_numbers,
    read_table,
    write_table,
)
from openprobation.core.timeutil import age_on

TODAY = dt.date(2025, 3, 1)


def read(content: str | bytes, **kwargs) -> Table:
    data = content.encode("utf-8") if isinstance(content, str) else content
    return read_table(io.BytesIO(data), **kwargs)


def cells(table: Table) -> list[list[str]]:
    return table.frame.astype(object).values.tolist()


def maps(*specs: str) -> list[Mapping]:
    return [parse_mapping(s) for s in specs]


def dates(*texts: str) -> list[str]:
    return [str(d) for d in parse_dates(np.array(texts, dtype=object), today=TODAY)]


# --- reading --------------------------------------------------------------------------------------


def test_repeated_headers_get_unique_names_and_a_warning():
    table = read("id,age,age,score,age\n1,30,31,2,32\n")
    assert table.header == ["id", "age", "age", "score", "age"]
    assert table.columns == ["id", "age", "age (2)", "score", "age (3)"]
    assert list(table.frame.columns) == table.columns
    assert table.frame["age (3)"].tolist() == ["32"]
    assert table.warnings == ["Column header “age” appears 3 times; the others are “age (2)”, “age (3)”."]


def test_a_repeat_does_not_take_the_name_of_a_real_column():
    table = read("age,age (2),age\n1,2,3\n")
    assert table.columns == ["age", "age (2)", "age (3)"]
    assert table.warnings == ["Column header “age” appears 2 times; the second is “age (3)”."]


def test_an_empty_header_is_named_by_its_position():
    table = read("id,,score\n1,x,2\n")
    assert table.header == ["id", "", "score"]
    assert table.columns == ["id", "column 2", "score"]
    assert table.warnings == ["Column 2 has no header; it is called “column 2”."]


def test_empty_cells_are_empty_text_and_whitespace_is_trimmed():
    table = read(" id \t, name ,score\n 1 ,\u00a0Ann\u00a0,\n2,,  \n")
    assert table.header == ["id", "name", "score"]
    assert cells(table) == [["1", "Ann", ""], ["2", "", ""]]
    assert table.rows == 2
    assert not table.frame.isna().any().any()
    assert all(isinstance(v, str) for v in table.frame["score"])


def test_unicode_spaces_are_trimmed_and_cyrillic_is_not_touched():
    table = read("город,имя\n\u00a0Алматы\u00a0,Ер\n Астана\u3000,\u2009Ана\u202f\nШымкент,ПР\n")
    assert cells(table) == [["Алматы", "Ер"], ["Астана", "Ана"], ["Шымкент", "ПР"]]


def test_a_single_column_keeps_commas_in_its_values():
    table = read("name\nSmith, John\nDoe; Jane\nPlain\n")
    assert table.columns == ["name"]
    assert [c[0] for c in cells(table)] == ["Smith, John", "Doe; Jane", "Plain"]
    assert table.bad_rows == {}


def test_a_bom_is_dropped_from_the_first_header():
    table = read(b"\xef\xbb\xbfid;name\n1;\xd0\x90\xd0\xbd\xd0\xb0\n")
    assert table.header == ["id", "name"]
    assert table.encoding == "utf-8"
    assert cells(table) == [["1", "Ана"]]


def test_windows_1251_is_recognised():
    content = "id;фамилия;город\n1;Иванов;Алматы\n2;Сейткали;Шымкент\n".encode("cp1251")
    table = read(content)
    assert table.encoding == "cp1251"
    assert table.header == ["id", "фамилия", "город"]
    assert cells(table) == [["1", "Иванов", "Алматы"], ["2", "Сейткали", "Шымкент"]]


def test_windows_1251_is_recognised_when_the_first_part_of_the_file_is_plain_ascii():
    ascii_rows = "".join(f"{i};Ivanov;Almaty\n" for i in range(8000))
    content = ("id;name;city\n" + ascii_rows).encode("ascii") + "8000;Иванов;Алматы\n".encode("cp1251")
    assert len(content) > 70_000
    table = read(content)
    assert table.encoding == "cp1251"
    assert table.rows == 8001
    assert cells(table)[-1] == ["8000", "Иванов", "Алматы"]


def test_a_file_with_a_utf8_bom_that_is_not_utf8_is_refused():
    with pytest.raises(TableError, match="not valid utf-8 text"):
        read(b"\xef\xbb\xbfid,name\n1," + "Иванов".encode("cp1251") + b"\n")


def test_an_encoding_can_be_given_and_a_wrong_one_is_refused():
    content = "id,name\n1,Иванов\n".encode("cp1251")
    assert cells(read(content, encoding="windows-1251")) == [["1", "Иванов"]]
    with pytest.raises(TableError, match="not valid utf-8 text"):
        read(content, encoding="utf-8")
    with pytest.raises(TableError, match="“klingon” is not a known text encoding"):
        read(content, encoding="klingon")


def test_utf16_with_a_bom_is_read():
    table = read("id\tname\n1\tАна\n".encode("utf-16"))
    assert table.encoding == "utf-16"
    assert table.delimiter == "\t"
    assert cells(table) == [["1", "Ана"]]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_the_delimiter_is_detected(delimiter):
    lines = [["id", "score", "note"], ["1", "12", "a"], ["2", "13", "b"]]
    table = read("\n".join(delimiter.join(line) for line in lines) + "\n")
    assert table.delimiter == delimiter
    assert table.header == ["id", "score", "note"]
    assert cells(table) == lines[1:]


def test_semicolons_win_over_decimal_commas():
    table = read("id;score;weight\n1;12,5;70,25\n2;3,0;81\n")
    assert table.delimiter == ";"
    assert cells(table) == [["1", "12,5", "70,25"], ["2", "3,0", "81"]]
    assert parse_numbers(table.frame["score"]).tolist() == [12.5, 3.0]


def test_an_excel_sep_line_names_the_delimiter():
    table = read("sep=|\nid|a,b\n1|2,3\n")
    assert table.delimiter == "|"
    assert table.header == ["id", "a,b"]
    assert cells(table) == [["1", "2,3"]]


def test_quoted_cells_keep_delimiters_quotes_and_line_ends():
    table = read('id,note\n1,"a, b"\n2,"say ""hi"""\n3,"two\nlines"\n4,plain\n')
    assert [c[1] for c in cells(table)] == ["a, b", 'say "hi"', "two\nlines", "plain"]


def test_windows_line_ends_and_blank_lines_at_the_ends_are_not_rows():
    table = read("\r\n\r\nid,x\r\n1,a\r\n2,b\r\n\r\n\r\n")
    assert table.rows == 2
    assert cells(table) == [["1", "a"], ["2", "b"]]
    assert table.bad_rows == {}


def test_a_header_without_rows_is_an_empty_table():
    table = read("id,score\n")
    assert table.rows == 0
    assert table.columns == ["id", "score"]
    assert len(table.frame) == 0


def test_rows_with_too_few_cells_are_padded_and_reported():
    table = read("id,a,b\n1,x,y\n2,x\n3,x,y\n")
    assert cells(table) == [["1", "x", "y"], ["2", "x", ""], ["3", "x", "y"]]
    assert table.warnings == [
        "1 row has fewer cells than the header (row 2); the missing cells are read as empty.",
    ]
    assert table.bad_rows == {}


def test_a_row_with_too_many_cells_is_kept_but_unusable():
    table = read("id,score\n1,5\n2,12,5\n3,7\n")
    assert table.rows == 3
    assert cells(table)[1] == ["2", "12,5"]  # every cell kept, so the written file loses nothing
    assert table.bad_rows == {1: "the row has 3 cells but the header has 2"}
    mapped = map_items(table, maps("score=score"), kinds={"score": "number"})
    assert mapped.values["score"].tolist()[0::2] == [5.0, 7.0]
    assert np.isnan(mapped.values["score"][1])
    assert mapped.usable.tolist() == [True, False, True]
    assert list(mapped.problems) == [
        RowProblem(row=2, item="score", column="score", value="", reason="the row has 3 cells but the header has 2")
    ]


def test_odd_rows_far_into_a_file_stay_on_their_lines_with_or_without_quotes(monkeypatch):
    from openprobation.assessments.tabular import reading

    rng = np.random.default_rng(3)
    lines = [f"{i};{i % 7};x{i}" for i in range(30_000)]
    odd = sorted(rng.choice(np.arange(1, 30_000), 40, replace=False).tolist())
    for k, i in enumerate(odd):
        lines[i] = [f"{i};{i % 7}", f"{i};{i % 7};x{i};", f"{i};{i % 7};x{i};extra", ""][k % 4]
    plain = "id;n;note\n" + "\n".join(lines) + "\n"
    quoted = plain.replace("\n0;0;x0\n", '\n"0";0;"x0"\n')  # a quote sends it through the csv module
    assert quoted != plain
    slow = read(quoted)
    with monkeypatch.context() as patched:  # without quotes, pyarrow puts the odd rows back itself
        patched.setattr(reading, "_parse_slowly", None)
        fast = read(plain)
    for table in (fast, slow):
        assert table.rows == 30_000
        assert table.frame["id"].tolist()[:3] == ["0", "1", "2"]
        assert table.bad_rows == {
            **{i: "the row has 4 cells but the header has 3" for k, i in enumerate(odd) if k % 4 == 2},
            **{i: "the row is empty" for k, i in enumerate(odd) if k % 4 == 3},
        }
        assert [table.frame["note"][i] for k, i in enumerate(odd) if k % 4 < 3] == [
            ["", f"x{i}", f"x{i};extra"][k % 4] for k, i in enumerate(odd) if k % 4 < 3
        ]
        after = [i + 1 for i in odd if i + 1 < 30_000 and i + 1 not in odd]
        assert [table.frame["note"][i] for i in after] == [f"x{i}" for i in after]  # rows after them are in place
    pd.testing.assert_frame_equal(fast.frame, slow.frame)
    assert fast.warnings == slow.warnings
    assert fast.warnings[0].startswith("10 rows have fewer cells than the header (rows ")


def test_empty_cells_past_the_last_column_are_ignored_with_a_warning():
    table = read("id;score\n1;5;;\n2;6\n")
    assert cells(table) == [["1", "5"], ["2", "6"]]
    assert table.warnings == ["1 row has empty cells after the last column (row 1); they are ignored."]


def test_a_blank_line_inside_the_file_is_an_empty_row_in_its_place():
    table = read("id,score\n1,5\n\n3,7\n,\n")
    assert table.rows == 4
    assert cells(table)[2] == ["3", "7"]
    assert table.bad_rows == {1: "the row is empty", 3: "the row is empty"}
    mapped = map_items(table, maps("score=score"), kinds={"score": "number"})
    assert [p.row for p in mapped.problems] == [2, 4]
    assert mapped.usable.tolist() == [True, False, True, False]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty"),
        (b"\r\n\n", "The file is empty"),
        (b"PK\x03\x04rest of a zip", "This is an Excel workbook"),
        (b"id,\x00name\n", "not a text file"),
        (b"id,name\n1,\x98\xd0\n", "not valid cp1251 text (byte 0x98 at position 10)"),
    ],
)
def test_files_that_are_not_tables_are_refused_with_a_reason(content, message):
    with pytest.raises(TableError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read(content)


def test_a_missing_file_is_refused(tmp_path: Path):
    with pytest.raises(TableError, match="does not exist"):
        read_table(tmp_path / "nope.csv")
    with pytest.raises(TableError, match="is a folder"):
        read_table(tmp_path)


def test_a_path_and_a_text_stream_are_read_too(tmp_path: Path):
    path = tmp_path / "in.csv"
    path.write_bytes(b"id,x\n1,a\n")
    assert cells(read_table(path)) == [["1", "a"]]
    assert cells(read_table(str(path))) == [["1", "a"]]
    assert cells(read_table(io.StringIO("id,x\n1,Ана\n"))) == [["1", "Ана"]]  # type: ignore[arg-type]


# --- dates and numbers ----------------------------------------------------------------------------


def test_every_date_format_is_read_day_first():
    assert dates(
        "2024-05-31", "31.05.2024", "31/05/2024", "31-05-2024", "2024/05/31", "2024.05.31", "31.05.24", " 1.5.2024 "
    ) == ["2024-05-31"] * 7 + ["2024-05-01"]
    assert dates("04.05.2024", "04/05/2024") == ["2024-05-04", "2024-05-04"]  # 4 May, not 5 April


def test_a_time_of_day_is_dropped():
    assert (
        dates("2024-05-31T23:59:59", "2024-05-31 10:00", "2024-05-31T10:00:00.123+05:00", "31.05.2024 10:00:00")
        == ["2024-05-31"] * 4
    )


def test_two_digit_years_up_to_this_year_are_2000s():
    assert dates("01.01.00", "01.01.25", "01.01.26", "01.01.99") == [
        "2000-01-01",
        "2025-01-01",
        "1926-01-01",
        "1999-01-01",
    ]


def test_impossible_and_ambiguous_dates_are_not_dates():
    texts = ("31.02.2024", "29.02.2023", "00.01.2024", "01.13.2024", "45000", "2024-05", "31.05-2024", "", "soon")
    assert dates(*texts) == ["NaT"] * len(texts)
    assert dates("29.02.2024") == ["2024-02-29"]


def test_dates_with_digits_of_other_scripts():
    assert dates("٣١.٠٥.٢٠٢٤", "３１.０５.２０２４") == ["2024-05-31", "2024-05-31"]


def test_dates_are_read_from_a_series_and_repeated_values_agree():
    series = pd.Series(["31.05.2024", None, "31.05.2024", "x"] * 3)
    result = parse_dates(series, today=TODAY)
    assert result.dtype == np.dtype("datetime64[D]")
    assert [str(d) for d in result[:4]] == ["2024-05-31", "NaT", "2024-05-31", "NaT"]


def test_numbers_as_people_write_them():
    values = [" 12 ", "12,5", "12.5", "1 234", "1\u00a0234,5", "1\u202f000", "-3", "+4", "−5", "1e3", ".5", "7,"]
    assert parse_numbers(values).tolist() == [12, 12.5, 12.5, 1234, 1234.5, 1000, -3, 4, -5, 1000, 0.5, 7]


def test_numbers_in_other_scripts():
    assert parse_numbers(["٣٤", "١٢٫٥", "１２", "１２，５", "۱۲"]).tolist() == [34, 12.5, 12, 12.5, 12]


def test_what_is_not_a_number():
    values = ["", "abc", "12%", "1 23", "1,234.5", "1.2.3", "nan", "inf", "-", ".", "12 abc", "²"]
    assert np.isnan(parse_numbers(values)).all()


# --- mapping specs --------------------------------------------------------------------------------


def test_a_column_as_it_is():
    mapping = parse_mapping(" prior = prior_convictions ")
    assert mapping == Mapping(
        item="prior", kind="column", columns=("prior_convictions",), recode={}, spec=" prior = prior_convictions "
    )


def test_quoted_column_names():
    assert parse_mapping('a="first, last"').columns == ("first, last",)
    assert parse_mapping('a="x=y"').columns == ("x=y",)
    assert parse_mapping('a="date: of birth":yes->1').columns == ("date: of birth",)
    assert parse_mapping('a="say ""hi"""').columns == ('say "hi"',)
    assert parse_mapping("a=date of birth").columns == ("date of birth",)
    assert parse_mapping('a=age("date of birth", "assessed, on")').columns == ("date of birth", "assessed, on")


def test_quoted_column_names_find_their_columns():
    table = read('"name, full";date of birth;on=date\nAnn;01.02.2000;01.02.2024\n')
    assert table.columns == ["name, full", "date of birth", "on=date"]
    mapped = map_items(
        table,
        maps('who="name, full"', 'age=age("date of birth", "on=date")'),
        kinds={"who": "choice", "age": "number"},
    )
    assert mapped.values["who"].tolist() == ["Ann"]
    assert mapped.values["age"].tolist() == [24.0]


def test_a_recode():
    mapping = parse_mapping('sex=sex:Male->M, Female -> F,"not known"->U,""->U')
    assert mapping.kind == "recode"
    assert mapping.columns == ("sex",)
    assert mapping.recode == {"Male": "M", "Female": "F", "not known": "U", "": "U"}


def test_derived_years_and_a_constant():
    age = parse_mapping("age=age(birth_date, assessed_on)")
    assert (age.kind, age.columns) == ("age", ("birth_date", "assessed_on"))
    years = parse_mapping("years_since_first=YEARS(first_conviction_date,assessed_on)")
    assert (years.kind, years.columns) == ("years", ("first_conviction_date", "assessed_on"))
    const = parse_mapping('offence=const:"theft, petty"')
    assert (const.kind, const.value, const.columns) == ("constant", "theft, petty", ())


def test_a_renamed_repeated_column_is_a_column_not_a_function():
    assert parse_mapping("a=age (2)") == Mapping(
        item="a", kind="column", columns=("age (2)",), recode={}, spec="a=age (2)"
    )


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("prior", "The mapping “prior” has no “=”: write item=column"),
        ("=prior", "The mapping “=prior” does not name an item before “=”."),
        ("my item=x", "has “my item” as the item code"),
        ("prior=", "The mapping “prior=” names no column after “=”."),
        ("offence=const:", "The mapping “offence=const:” gives no value after “const:”"),
        ("age=age(birth_date)", "The mapping “age=age(birth_date)”: age() takes two date columns"),
        ("age=age(a,b,c)", "The mapping “age=age(a,b,c)”: age() takes two date columns"),
        ("age=years(a, )", "The mapping “age=years(a, )”: years() is missing a column name."),
        ("sex=sex:Male=M", "“Male=M” is not of the form value->code"),
        ("sex=sex:Male->", "“Male->” gives no code after “->”."),
        ("sex=sex:Male->M,male->F", "recodes “male” twice, to “M” and to “F”."),
        ("sex=sex:", "has nothing to recode after “:”"),
        ('sex="sex', "has a double quote that is not closed."),
        ('sex="sex"x', '“"sex"x” has text outside its double quotes.'),
        ('sex=se"x', "has a double quote that is not closed."),
        ('sex=se"x"', '“se"x"” has a double quote inside'),
        ("sex=:M->1", "names no column before “:”."),
    ],
)
def test_bad_specs_say_what_is_wrong_and_show_the_spec(spec, message):
    with pytest.raises(MappingError) as raised:
        parse_mapping(spec)
    assert message in str(raised.value)
    assert f"“{spec}”" in str(raised.value)


# --- mapping the table ----------------------------------------------------------------------------

RECORDS = """id;sex;birth_date;assessed_on;prior;score;offence
1;Male;31.05.1990;2024-05-31;2;12,5;theft
2; female ;2030-01-01;31.05.2024;;abc;THEFT
3;X;31.02.1990;01/06/24;x;99;arson
4;;15.03.1980;2024-03-15;1;;robbery
"""

KINDS: dict[str, ItemKind] = {
    "sex": "choice",
    "age": "number",
    "prior": "number",
    "score": "number",
    "offence": "choice",
    "c": "choice",
}


def test_items_from_columns_recodes_dates_and_constants():
    table = read(RECORDS)
    mapped = map_items(
        table,
        maps(
            "sex=sex:male->M,FEMALE->F",
            "age=age(birth_date,assessed_on)",
            "prior=prior",
            "score=score",
            "offence=offence",
            "c=const:x",
        ),
        kinds=KINDS,
        choices={"offence": {"theft", "robbery"}, "c": {"X", "Y"}},
        number_range={"score": (0, 50)},
        required={"sex", "age", "prior"},
    )
    assert mapped.values["sex"].tolist() == ["M", "F", "", ""]
    assert mapped.values["age"].tolist()[0::3] == [34.0, 44.0]
    assert np.isnan(mapped.values["age"][1:3]).all()
    assert mapped.values["prior"].tolist()[0::3] == [2.0, 1.0]
    assert mapped.values["score"].dtype == np.float64
    assert mapped.values["score"][0] == 12.5
    assert mapped.values["offence"].tolist() == ["theft", "theft", "", "robbery"]  # case as the instrument has it
    assert mapped.values["c"].tolist() == ["X"] * 4  # the constant's case too
    assert mapped.usable.tolist() == [True, False, False, False]
    assert [(p.row, p.item, p.column, p.value, p.reason) for p in mapped.problems] == [
        (2, "age", "birth_date", "2030-01-01", "the date is after the reference date in “assessed_on”"),
        (2, "prior", "prior", "", "empty cell"),
        (2, "score", "score", "abc", "not a number"),
        (3, "sex", "sex", "X", "not listed in the recode of the mapping"),
        (3, "age", "birth_date", "31.02.1990", "not a date"),
        (3, "prior", "prior", "x", "not a number"),
        (3, "score", "score", "99", "outside the allowed range 0 to 50"),
        (3, "offence", "offence", "arson", "not among the allowed codes: robbery, theft"),
        (4, "sex", "sex", "", "empty cell"),
        (4, "score", "score", "", "empty cell"),
    ]


def test_a_recode_can_give_empty_cells_a_code_and_numbers_to_a_number_item():
    table = read("id,employed\n1,yes\n2,\n3,No\n4,maybe\n")
    mapped = map_items(
        table,
        maps('employed=employed:yes->1,no->0,""->0'),
        kinds={"employed": "number"},
        choices={"employed": {"0", "1"}},
    )
    assert mapped.values["employed"].tolist()[:3] == [1.0, 0.0, 0.0]
    assert [(p.row, p.value, p.reason) for p in mapped.problems] == [
        (4, "maybe", "not listed in the recode of the mapping")
    ]


def test_age_is_full_years_like_the_rest_of_the_service():
    rng = np.random.default_rng(7)
    births = np.datetime64("1950-01-01") + rng.integers(0, 25_000, 3_000)
    references = births + rng.integers(0, 30_000, 3_000)
    edge_births = ["2000-02-29", "2000-02-29", "2000-02-29", "1990-06-15", "1990-06-15", "1990-06-15"]
    edge_references = ["2023-02-28", "2023-03-01", "2024-02-29", "2024-06-14", "2024-06-15", "1990-06-15"]
    birth_text = [str(d) for d in births] + edge_births
    reference_text = [dt.date.fromisoformat(str(d)).strftime("%d.%m.%Y") for d in references] + [
        dt.date.fromisoformat(d).strftime("%d.%m.%Y") for d in edge_references
    ]
    frame = "birth,on\n" + "".join(f"{b},{r}\n" for b, r in zip(birth_text, reference_text, strict=True))
    mapped = map_items(read(frame), maps("age=age(birth,on)"), kinds={"age": "number"})
    expected = [
        age_on(dt.date.fromisoformat(b), dt.datetime.strptime(r, "%d.%m.%Y").date())  # noqa: DTZ007
        for b, r in zip(birth_text, reference_text, strict=True)
    ]
    assert mapped.values["age"].tolist() == expected
    assert expected[-6:] == [22, 23, 24, 33, 34, 0]
    assert mapped.problems == []


def test_years_between_dates_report_each_column():
    table = read("first,on\n2010-01-01,2024-01-01\n,2024-01-01\n2010-01-01,\n2010-01-01,soon\n2025-01-01,2024-01-01\n")
    mapped = map_items(table, maps("yrs=years(first,on)"), kinds={"yrs": "number"}, number_range={"yrs": (0, 10)})
    assert [(p.row, p.column, p.value, p.reason) for p in mapped.problems] == [
        (1, "first", "2010-01-01", "outside the allowed range 0 to 10"),
        (2, "first", "", "empty cell"),
        (3, "on", "", "empty cell"),
        (4, "on", "soon", "not a date"),
        (5, "first", "2025-01-01", "the date is after the reference date in “on”"),
    ]
    assert not mapped.usable.any()


def test_a_number_constant_and_allowed_number_values():
    table = read("id,level\n1,2\n2,5\n")
    mapped = map_items(
        table,
        maps("level=level", "n=const:1,5"),
        kinds={"level": "number", "n": "number"},
        choices={"level": {"1", "2"}},
    )
    assert mapped.values["n"].tolist() == [1.5, 1.5]
    assert [(p.row, p.reason) for p in mapped.problems] == [(2, "not among the allowed values: 1, 2")]


def test_items_not_required_do_not_make_a_row_unusable():
    table = read("a,b\n1,\n,2\n")
    mapped = map_items(table, maps("a=a", "b=b"), kinds={"a": "number", "b": "number"}, required={"a"})
    assert mapped.usable.tolist() == [True, False]
    assert [(p.row, p.item) for p in mapped.problems] == [(1, "b"), (2, "a")]


@pytest.mark.parametrize(
    ("specs", "options", "message"),
    [
        (["sex=gender"], {}, "reads the column “gender”, which is not in the file. The file's columns: “id”, “sex”"),
        (["sex=SEX"], {}, "Did you mean “sex”?"),
        (["sex=sexx"], {}, "Did you mean “sex”?"),
        (["height=sex"], {}, "is for “height”, which is not an item of this instrument. Its items: sex, age, n"),
        (["sex=sex", "sex=id"], {}, "The item “sex” is mapped twice: “sex=sex” and “sex=id”."),
        (["sex=sex"], {"required": {"sex", "age"}}, "No mapping for the required item “age”"),
        (["n=id"], {"required": {"sex", "age"}}, "No mapping for the required items “age”, “sex”"),
        (["sex=age(id,id)"], {}, "gives a number of years, but “sex” takes a code."),
        (
            ["sex=sex:Male->Q"],
            {"choices": {"sex": {"M", "F"}}},
            "gives “Q” to “sex”, which is not one of its codes: F, M.",
        ),
        (["n=sex:Male->one"], {}, "recodes to “one”, but “n” takes a number."),
        (["n=const:many"], {}, "gives “many” to the number item “n”; that is not a number."),
        (["n=const:7"], {"number_range": {"n": (0, 5)}}, "gives “7” to “n”: outside the allowed range 0 to 5."),
        (["sex=const:Q"], {"choices": {"sex": {"M", "F"}}}, "which is not one of its codes: F, M."),
    ],
)
def test_mappings_that_do_not_fit_are_refused(specs, options, message):
    table = read("id,sex\n1,Male\n")
    with pytest.raises(MappingError) as raised:
        map_items(table, maps(*specs), kinds={"sex": "choice", "age": "number", "n": "number"}, **options)
    assert message in str(raised.value)


def test_the_summary_counts_reasons_and_shows_the_first_rows():
    rows = ["1;M;5", "2;;x", "3;M;", "4;F;y", ";;", "6;Q;7", "7;;z"]
    table = read("id;sex;score\n" + "\n".join(rows) + "\n")
    mapped = map_items(
        table, maps("sex=sex", "score=score"), kinds={"sex": "choice", "score": "number"}, choices={"sex": {"M", "F"}}
    )
    assert mapped.problem_summary() == [
        "6 of 7 rows cannot be scored: a required item has no usable value.",
        "score, column “score”: not a number — 3 rows, e.g. row 2 “x”, row 4 “y”, row 7 “z”.",
        "sex, column “sex”: empty cell — 2 rows, e.g. row 2, row 7.",
        "score, column “score”: empty cell — 1 row, e.g. row 3.",
        "Whole row: the row is empty — 1 row, e.g. row 5.",
        "sex, column “sex”: not among the allowed codes: F, M — 1 row, e.g. row 6 “Q”.",
    ]
    assert mapped.problem_summary(limit=2)[1:] == [
        "score, column “score”: not a number — 3 rows, e.g. row 2 “x”, row 4 “y”, row 7 “z”.",
        "sex, column “sex”: empty cell — 2 rows, e.g. row 2, row 7.",
        "… and 3 more kinds of problem.",
    ]
    # The same summary from a plain list of problems (a Mapped made elsewhere).
    plain = Mapped(
        values=mapped.values, usable=mapped.usable, problems=list(mapped.problems), row_reasons=mapped.row_reasons
    )
    assert plain.problem_summary() == mapped.problem_summary()


def test_problems_behave_as_a_read_only_list_in_row_order():
    table = read("a,b\nx,1\n2,y\n,\n4,4\n")
    mapped = map_items(table, maps("a=a", "b=b"), kinds={"a": "number", "b": "number"})
    problems = mapped.problems
    assert isinstance(problems, RowProblems)
    assert len(problems) == 4
    assert [(p.row, p.item) for p in problems] == [(1, "a"), (2, "b"), (3, "a"), (3, "b")]
    assert problems[-1] == RowProblem(row=3, item="b", column="b", value="", reason="the row is empty")
    assert problems[1:3] == [problems[1], problems[2]]
    assert problems == list(problems)
    with pytest.raises(IndexError):
        problems[4]
    no_problems = map_items(table, maps("c=const:1"), kinds={"c": "number"})
    assert [(p.row, p.reason) for p in no_problems.problems] == [(3, "the row is empty")]
    assert not map_items(read("a\n1\n"), maps("a=a"), kinds={"a": "number"}).problems


def test_many_rows_are_mapped_without_a_problem_object_each():
    n = 200_000
    frame = pd.DataFrame({"a": np.where(np.arange(n) % 2 == 0, "1,5", "")})
    table = Table(header=["a"], columns=["a"], frame=frame, warnings=[], rows=n)
    mapped = map_items(table, maps("a=a"), kinds={"a": "number"}, required=set())
    assert len(mapped.problems) == n // 2
    assert mapped.problems[0] == RowProblem(row=2, item="a", column="a", value="", reason="empty cell")
    assert mapped.problem_summary() == ["a, column “a”: empty cell — 100000 rows, e.g. row 2, row 4, row 6."]
    assert np.nansum(mapped.values["a"]) == 1.5 * n / 2


# --- writing --------------------------------------------------------------------------------------

MESSY = 'id;name;age;age;note\n1;Ann;30;31;"a;b"\n2;"Bo ""B""";;40;"two\nlines"\n3;Иван;12,5;;plain\n'


def test_round_trip_keeps_the_header_the_cells_and_adds_the_extras():
    table = read(MESSY)
    out = io.BytesIO()
    extra = {
        "score": np.array([1 / 3, np.nan, 2.0]),
        "usable": np.array([True, False, True]),
        "band": np.array(["low", None, "high, very"], dtype=object),
        "n": np.array([1, 2, 3]),
    }
    write_table(table, extra, out, delimiter=";")
    again = read(out.getvalue())
    assert again.header == ["id", "name", "age", "age", "note", "score", "usable", "band", "n"]
    assert again.columns[:5] == table.columns
    pd.testing.assert_frame_equal(again.frame[table.columns], table.frame)
    assert again.frame["score"].tolist() == ["0.333333", "", "2"]
    assert again.frame["usable"].tolist() == ["1", "0", "1"]
    assert again.frame["band"].tolist() == ["low", "", "high, very"]
    assert again.frame["n"].tolist() == ["1", "2", "3"]


def test_written_file_is_rfc_4180_utf8_without_a_bom():
    table = read(MESSY)
    out = io.BytesIO()
    write_table(table, {}, out)
    text = out.getvalue()
    assert not text.startswith(b"\xef\xbb\xbf")
    assert text.decode("utf-8").split("\r\n") == [
        "id,name,age,age,note",
        "1,Ann,30,31,a;b",
        '2,"Bo ""B""",,40,"two\nlines"',
        '3,Иван,"12,5",,plain',
        "",
    ]


def test_floats_have_at_most_six_decimals_and_no_negative_zero():
    table = read("id\n1\n2\n3\n4\n5\n")
    out = io.BytesIO()
    write_table(table, {"x": np.array([0.1 + 0.2, -1e-9, 123456.1234567, np.inf, -2.5])}, out)
    assert out.getvalue().decode().split("\r\n")[1:-1] == ["1,0.3", "2,0", "3,123456.123457", "4,inf", "5,-2.5"]


def test_a_single_column_with_empty_cells_survives_a_round_trip(tmp_path: Path):
    table = read("note\na\n\nb\n")
    assert table.rows == 3
    path = tmp_path / "out.csv"
    write_table(table, {}, path)
    again = read_table(path)
    assert cells(again) == [["a"], [""], ["b"]]


def test_a_frame_built_elsewhere_with_missing_values_and_numbers_is_read_as_text():
    frame = pd.DataFrame(
        {"n": pd.Series([1, None, "2,5"], dtype=object), "s": pd.Series(["M", np.nan, "f"], dtype=object)}
    )
    table = Table(header=["n", "s"], columns=["n", "s"], frame=frame, warnings=[], rows=3)
    mapped = map_items(
        table, maps("n=n", "s=s"), kinds={"n": "number", "s": "choice"}, choices={"s": {"M", "F"}}, required={"n"}
    )
    assert mapped.values["n"][[0, 2]].tolist() == [1.0, 2.5]
    assert mapped.values["s"].tolist() == ["M", "", "F"]
    assert [(p.row, p.item, p.reason) for p in mapped.problems] == [(2, "n", "empty cell"), (2, "s", "empty cell")]
    out = io.BytesIO()
    write_table(table, {}, out)
    assert out.getvalue() == b'n,s\r\n1,M\r\n,\r\n"2,5",f\r\n'


def test_write_refuses_extras_of_the_wrong_length_and_an_unwritable_target(tmp_path: Path):
    table = read("id\n1\n2\n")
    with pytest.raises(ValueError, match="the table has 2 headers for 1 columns"):
        write_table(Table(["a", "b"], ["a"], table.frame, [], 2), {}, io.BytesIO())
    with pytest.raises(ValueError, match="has 1 values for 2 rows"):
        write_table(table, {"x": np.array([1.0])}, io.BytesIO())
    with pytest.raises(TableError, match="cannot be written"):
        write_table(table, {}, tmp_path / "missing" / "out.csv")


def test_a_large_table_round_trips_through_the_fast_paths(tmp_path: Path):
    n = 50_000
    ids = np.arange(n).astype(str)
    notes = np.where(np.arange(n) % 1000 == 0, 'has "quote", and comma', "plain")
    frame = pd.DataFrame({"id": ids, "note": notes})
    table = Table(header=["id", "note"], columns=["id", "note"], frame=frame, warnings=[], rows=n)
    path = tmp_path / "big.csv"
    write_table(table, {"score": np.arange(n) / 7}, path)
    again = read_table(path)
    assert again.rows == n
    assert again.frame["note"].tolist() == notes.tolist()
    assert parse_numbers(again.frame["score"]) == pytest.approx(np.round(np.arange(n) / 7, 6))
