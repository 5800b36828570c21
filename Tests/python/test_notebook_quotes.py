"""The lecture notebooks stand alone: they point to no file outside the repository, and they quote
the lines of the note they reproduce. When the notes themselves are at hand (the course's shared
folder beside the clone, or NABLA_NOTES_DIR), every Korean quotation is checked against its note."""
import json
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The lecture notebooks, one per note (07-lessons gathers interactive versions of their examples).
NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").glob("*.ipynb") if p.stem != "07-lessons")
QUOTED = re.compile(r"“([^”]+)”")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
# Notebooks that quote a note other than the one at their position: 06 (training with Keras)
# reproduces the Keras cells of the first note.
NOTE_OF = {"06-training": 0}


def notes_dir():
    candidates = [os.environ.get("NABLA_NOTES_DIR")] + [
        str(p / "shared" / "seeds") for p in (ROOT.parent, ROOT.parent.parent)]
    for c in candidates:
        if c and len(sorted(Path(c).glob("*.txt"))) == len(NOTEBOOKS) - len(NOTE_OF):
            return Path(c)
    return None


def cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def quotations(path):
    """The “…” spans of a notebook's markdown cells that contain Korean."""
    spans = []
    for c in cells(path):
        if c["cell_type"] == "markdown":
            text = "".join(c["source"])
            spans += [s for s in QUOTED.findall(text) if HANGUL.search(s)]
    return spans


def squeeze(text):
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_points_to_no_file_outside_the_repository(path):
    text = path.read_text(encoding="utf-8")
    assert "shared/seeds" not in text and "seeds/" not in text
    assert not re.search(r"\d{3}_[0-9a-f]{16}\.txt", text), "a notebook names a note file"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_quotes_its_note_next_to_the_code(path):
    cs = cells(path)
    blocks = [i for i, c in enumerate(cs) if c["cell_type"] == "markdown"
              and "> **From the note:**" in "".join(c["source"])]
    assert len(blocks) >= 6, f"{path.name}: only {len(blocks)} cells quote the note"
    # Each quotation sits right before code that reproduces it (possibly after more markdown).
    for i in blocks:
        following = [c["cell_type"] for c in cs[i + 1:]]
        assert "code" in following, f"{path.name}: the quotation in cell {i} has no code after it"
    assert len(quotations(path)) >= 3
    # Every Korean quotation has an English gloss on its line: italic text after a dash.
    for c in cs:
        if c["cell_type"] != "markdown":
            continue
        for line in "".join(c["source"]).splitlines():
            if line.startswith(">") and QUOTED.search(line) and HANGUL.search(line):
                assert re.search(r"” — \*\S", line), f"{path.name}: a quotation without a gloss: {line}"


def test_quotations_are_the_notes_own_words():
    d = notes_dir()
    if d is None:
        pytest.skip("the lecture notes are not beside the clone (set NABLA_NOTES_DIR)")
    notes = sorted(d.glob("*.txt"))
    missing = []
    for i, nb in enumerate(NOTEBOOKS):
        text = squeeze(notes[NOTE_OF.get(nb.stem, i)].read_text(encoding="utf-8"))
        for q in quotations(nb):
            if squeeze(q).strip() not in text:
                missing.append((nb.name, q))
    assert missing == []
