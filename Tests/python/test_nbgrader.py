"""nbgrader runs a Nabla course: the example assignment in course/ is generated (solutions
replaced by the configured stub, hidden tests removed), three submissions are autograded (the
solutions, the untouched release, and one with two mistakes), and the exported grades give full
marks, zero, and the points of the cells that still pass. A failing assert names what it
expected. nbgrader runs from .venv (it calls alembic from PATH)."""
import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ASSIGNMENT = "losses"
STUB = "# YOUR CODE HERE\nraise NotImplementedError()"


def nbgrader(course, *args):
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    r = subprocess.run([str(BIN / "nbgrader"), *args], cwd=course, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{r.stdout}\n{r.stderr}"
    assert "| ERROR]" not in r.stderr, r.stderr
    return r


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def solutions(nb):
    """Each solution cell's code without the delimiter lines, as a student would write it."""
    return {grade_id(c): "\n".join(l for l in c.source.splitlines() if "SOLUTION" not in l)
            for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")}


WRONG_MSE = ("mean((tensor(y) - t) ** 2)", "sum((tensor(y) - t) ** 2)")          # forgets the 1/n
WRONG_SOFTMAX = ("exp(tensor(s) - max(s))", "exp(tensor(s))")                    # overflows at 1000


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "course" / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "course" / "source", course / "source")
    nbgrader(course, "generate_assignment", ASSIGNMENT)
    source = nbformat.read(course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    answers = solutions(source)
    assert set(answers) == {"mse_answer", "softmax_answer", "hinge_answer", "backprop_answer"}

    def submit(student, edit):
        nb = nbformat.read(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
        for c in nb.cells:
            if grade_id(c) in answers:
                c.source = edit(grade_id(c), answers[grade_id(c)], c.source)
        (course / "submitted" / student / ASSIGNMENT).mkdir(parents=True)
        nbformat.write(nb, course / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")

    def wrong(gid, answer, stub):
        for old, new in (WRONG_MSE, WRONG_SOFTMAX):
            answer = answer.replace(old, new)
        return answer

    submit("correct", lambda gid, answer, stub: answer)
    submit("untouched", lambda gid, answer, stub: stub)
    submit("wrong", wrong)
    nbgrader(course, "autograde", ASSIGNMENT, "--create")
    nbgrader(course, "export")
    return course, source


def autograded(course, student):
    return nbformat.read(course / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)


def errors(nb):
    return {grade_id(c): (o.ename, o.evalue) for c in nb.cells if c.cell_type == "code"
            for o in c.outputs if o.output_type == "error"}


def points(source, *grade_ids):
    return sum(c.metadata["nbgrader"]["points"] for c in source.cells
               if c.metadata.get("nbgrader", {}).get("grade") and (not grade_ids or grade_id(c) in grade_ids))


def test_the_release_has_stubs_and_no_solutions_or_hidden_tests(course):
    course, source = course
    release = nbformat.read(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    assert [grade_id(c) for c in release.cells] == [grade_id(c) for c in source.cells]
    assert release.metadata["kernelspec"]["name"] == "nabla"
    for src, rel in zip(source.cells, release.cells):
        meta = src.metadata["nbgrader"]
        if meta["solution"]:
            body = src.source.split("### BEGIN SOLUTION\n")[1].split("### END SOLUTION")[0].strip()
            assert STUB.split("\n")[1] in rel.source and STUB.split("\n")[0] in rel.source
            assert body not in rel.source and "BEGIN SOLUTION" not in rel.source
            # the signature and docstring stay
            assert rel.source.splitlines()[:2] == src.source.splitlines()[:2]
        elif "BEGIN HIDDEN TESTS" in src.source:
            hidden = src.source.split("### BEGIN HIDDEN TESTS\n")[1].split("### END HIDDEN TESTS")[0].strip()
            assert hidden and hidden not in rel.source and src.source.split("### BEGIN HIDDEN TESTS")[0].strip() in rel.source
        else:
            assert rel.source == src.source
        if meta["grade"]:
            assert rel.metadata["nbgrader"]["locked"] and "assert " in rel.source


def test_exported_grades(course):
    course, source = course
    rows = {r["student_id"]: r for r in csv.DictReader((course / "grades.csv").open())}
    total = points(source)
    assert total == 10
    assert {s: float(r["max_score"]) for s, r in rows.items()} == {"correct": total, "untouched": total, "wrong": total}
    assert float(rows["correct"]["score"]) == total
    assert float(rows["untouched"]["score"]) == 0
    # the two mistakes cost the MSE tests and (through a hidden test) the softmax tests
    assert float(rows["wrong"]["score"]) == total - points(source, "mse_tests", "softmax_tests")


def test_correct_submission_runs_clean(course):
    course, _ = course
    assert errors(autograded(course, "correct")) == {}


def test_a_failing_assert_names_what_it_expected(course):
    course, _ = course
    errs = errors(autograded(course, "wrong"))
    assert set(errs) == {"mse_tests", "softmax_tests"}
    y, t = [2.5, 0.0, 2.0, 8.0], [3.0, -0.5, 2.0, 7.0]
    squares = [(a - b) ** 2 for a, b in zip(y, t)]
    ename, evalue = errs["mse_tests"]
    assert ename == "AssertionError"
    assert f"should be {sum(squares) / len(squares):g}" in evalue and f"got {sum(squares):g}" in evalue
    ename, evalue = errs["softmax_tests"]
    assert ename == "AssertionError" and "softmax_probs([1000, 1000]) should be [0.5, 0.5]" in evalue
    assert "nan" in evalue  # what the overflowing softmax gave


def test_untouched_submission_fails_everywhere(course):
    course, source = course
    errs = errors(autograded(course, "untouched"))
    graded = {grade_id(c) for c in source.cells if c.metadata.get("nbgrader", {}).get("grade")}
    assert graded <= set(errs)


def test_the_stub_raises_not_implemented_error(course):
    course, source = course
    errs = errors(autograded(course, "untouched"))
    graded = {grade_id(c) for c in source.cells if c.metadata.get("nbgrader", {}).get("grade")}
    # defining a stubbed function is fine; calling it raises NotImplementedError
    assert {g: e[0] for g, e in errs.items()} == {g: "NotImplementedError" for g in graded}
