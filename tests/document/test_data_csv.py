"""Tests for reading and writing the data table as CSV (bpstudio.document.data_csv): exact
round trips, and bad files answered by line, column and problem. Headless."""

from __future__ import annotations

import numpy as np
import pytest
from edit_cases import generated_221, network_231

from bpstudio.document.data_csv import CsvError, column_names, read_csv, write_csv
from bpstudio.document.edits import SetData
from bpstudio.document.session import DocumentModel


def write(tmp_path, text: str, name: str = "data.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_export_then_import_gives_identical_arrays(tmp_path):
    """Awkward floats (tiny, huge, negative zero, 0.1) survive export and import bit for bit."""
    doc = network_231()
    doc.data.inputs = np.array([[0.1, -0.0], [1e-300, 1.7976931348623157e308], [1 / 3, -2.5]])
    doc.data.targets = np.array([[5e-324], [-1e20], [2 / 3]])
    path = tmp_path / "out.csv"
    write_csv(path, doc)
    inputs, targets = read_csv(path).split([-1])
    assert inputs.tobytes() == doc.data.inputs.tobytes()
    assert targets.tobytes() == doc.data.targets.tobytes()


def test_export_writes_labels_or_x_and_y_names(tmp_path):
    """The header holds the input labels (else x1..xn) and y1..yk; generated data is written
    as generated."""
    path = tmp_path / "out.csv"
    write_csv(path, network_231())
    assert path.read_text().splitlines()[:2] == ["a,b,y1", "0.0,0.0,0.0"]
    doc = generated_221()
    write_csv(path, doc)
    table = read_csv(path)
    assert table.names == ["x1", "x2", "y1"] == [*column_names(doc)[0], *column_names(doc)[1]]
    x, y = doc.dataset()
    assert np.array_equal(table.values, np.hstack([x, y]))


def test_export_failure_is_a_csv_error_and_leaves_no_file(tmp_path):
    """Writing into a folder that does not exist raises CsvError naming the file."""
    path = tmp_path / "missing" / "out.csv"
    with pytest.raises(CsvError, match=r"out.csv: cannot write the file"):
        write_csv(path, network_231())
    assert not path.parent.exists()


def test_targets_are_chosen_by_name_or_index_and_the_rest_are_inputs(tmp_path):
    """split() takes target columns by name or index (negative from the end), in the order
    given; the other columns are the inputs, in file order."""
    table = read_csv(write(tmp_path, "y,x1,x2,z\n1,2,3,4\n5,6,7,8\n"))
    inputs, targets = table.split(["z", 0])
    assert inputs.tolist() == [[2, 3], [6, 7]] and targets.tolist() == [[4, 1], [8, 5]]
    inputs, targets = table.split([-1])
    assert inputs.tolist() == [[1, 2, 3], [5, 6, 7]] and targets.tolist() == [[4], [8]]


def test_bom_quotes_spaces_and_blank_lines_are_accepted(tmp_path):
    """A spreadsheet's byte order mark, quoted cells, spaces around numbers and blank lines
    are fine."""
    table = read_csv(write(tmp_path, '\ufeff"x, one",y\n\n 1.5 ,"2"\n\n-3e2,4\n'))
    assert table.names == ["x, one", "y"]
    assert table.values.tolist() == [[1.5, 2.0], [-300.0, 4.0]]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "id,x1,x2,y\n" + "1,2,3,4\n" * 5 + "1,2,abc,4\n",
            r"""data.csv: line 7, column 3 \("x2"\): 'abc' is not a number$""",
        ),
        ("x,y\n1,\n", r'data.csv: line 2, column 2 \("y"\): is empty; expected a number$'),
        ("x,y\n1,nan\n", r"""line 2, column 2 \("y"\): 'nan' is not a finite number"""),
        ("x,y\n1,-inf\n", r"""line 2, column 2 \("y"\): '-inf' is not a finite number"""),
        ("x,y\n1,1e999\n", r"""'1e999' is not a finite number"""),
        ("x,y\n1,1_000\n", r"""'1_000' is not a number"""),
        ("x,y\n1,2\n3\n", r"data.csv: line 3 has 1 columns, expected 2 as in the header$"),
        ("x,y\n1,2,3\n", r"line 2 has 3 columns, expected 2"),
        ("", r"data.csv: is empty: expected a header row"),
        ("\n\n  \n", r"data.csv: is empty"),
        ("x,y\n", r"data.csv: has a header row but no rows of data$"),
        ("1,2\n3,4\n", r"data.csv: line 1 must be a header row of column names, but it holds"),
        ('x,y\n1,"2\n', r"data.csv: line \d+: unexpected end of data"),
    ],
)
def test_bad_files_are_refused_naming_line_column_and_problem(tmp_path, text, message):
    """Every problem names the file, the line, the column (number and header name)."""
    with pytest.raises(CsvError, match=message):
        read_csv(write(tmp_path, text))


def test_every_bad_cell_is_reported_up_to_a_limit(tmp_path):
    """All problems are collected in `problems`; the message lists ten and counts the rest."""
    path = write(tmp_path, "x,y\n" + "a,b\n" * 8)
    with pytest.raises(CsvError) as caught:
        read_csv(path)
    assert len(caught.value.problems) == 16
    lines = str(caught.value).splitlines()
    assert len(lines) == 11 and lines[-1] == f"{path}: ... and 6 more problems"
    assert lines[1] == f"""{path}: line 2, column 2 ("y"): 'b' is not a number"""


def test_more_than_100000_rows_are_refused(tmp_path):
    """The spec's limit on samples applies to imported tables."""
    path = write(tmp_path, "x,y\n" + "1,2\n" * 100_001)
    with pytest.raises(CsvError, match=r"has more than 100,000 rows of data"):
        read_csv(path)


def test_missing_and_non_utf8_files_are_refused(tmp_path):
    """A missing file and a file that is not UTF-8 are CsvErrors naming the file."""
    with pytest.raises(CsvError, match=r"nope.csv: cannot read the file"):
        read_csv(tmp_path / "nope.csv")
    path = tmp_path / "latin.csv"
    path.write_bytes(b"x,y\n1,\xe9\n")
    with pytest.raises(CsvError, match=r"latin.csv: is not UTF-8 text \(byte 0xe9\)"):
        read_csv(path)


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        (["w"], r'data.csv: has no column named "w"; its columns are "x", "y", "y"'),
        (["y"], r'has 2 columns named "y"; choose it by number'),
        ([3], r"has no column 3: it has 3 \(0 to 2\)"),
        ([0, -3], r'column "x" is chosen as a target twice'),
        ([], "choose at least one target column"),
        ([0, 1, 2], "every column is a target"),
    ],
)
def test_bad_target_choices_are_refused(tmp_path, targets, message):
    """Unknown, ambiguous, out-of-range or repeated target columns are CsvErrors."""
    table = read_csv(write(tmp_path, "x,y,y\n1,2,3\n"))
    with pytest.raises(CsvError, match=message):
        table.split(targets)


def test_an_imported_table_can_resize_the_network(tmp_path):
    """CSV import as one undo step: 3 inputs and 1 target into a 2-3-1 network with
    fit_network makes it 3-3-1 and holds the imported numbers."""
    table = read_csv(write(tmp_path, "a,b,c,t\n1,2,3,0\n4,5,6,1\n"))
    model = DocumentModel(network_231())
    edit = SetData.table(*table.split(["t"]), fit_network=True, text="Import data.csv")
    model.apply(edit)
    assert model.document.sizes == (3, 3, 1)
    assert model.document.data.inputs.tolist() == [[1, 2, 3], [4, 5, 6]]
    assert model.describe(edit) == "Import data.csv"
