"""The documents the code cites are in the repository and say what the code does (issue 11 item 5)."""

import re
from pathlib import Path

from povmon.ingest.columns import KINDS, ROSTER
from povmon.ingest.problems import ERROR_CODES, WARNING_CODES

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def test_every_document_a_docstring_cites_exists():
    cited = set()
    for path in (ROOT / "src" / "povmon").rglob("*.py"):
        cited |= set(re.findall(r"docs/[A-Z_]+\.md", path.read_text(encoding="utf-8")))
    assert cited, "the code cites its documents as docs/NAME.md"
    assert all((ROOT / name).is_file() for name in cited), sorted(n for n in cited if not (ROOT / n).is_file())


def test_no_docstring_cites_a_document_outside_the_repository():
    bare = re.compile(r"(?<!docs/)\b(CONTRACTS|DOMAIN|DESIGN|TEMPLATE_SPEC)\.md")
    found = [f"{p.relative_to(ROOT)}:{n}" for p in (ROOT / "src" / "povmon").rglob("*.py")
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if bare.search(line)]
    assert found == []


def test_the_contract_lists_every_error_and_warning_code():
    text = (DOCS / "CONTRACTS.md").read_text(encoding="utf-8")
    assert [c for c in sorted(ERROR_CODES | WARNING_CODES) if f"`{c}`" not in text] == []


def test_the_template_page_names_every_sheet_and_its_required_columns():
    text = (DOCS / "TEMPLATE.md").read_text(encoding="utf-8")
    for kind in KINDS:
        row = next((line for line in text.splitlines() if line.startswith(f"| {kind.name}")), None)
        assert row is not None, kind.name
        required = [f.header for f in kind.required() if kind.name != ROSTER or f.level != "income"]
        assert all(h in row for h in required), (kind.name, required)


def test_the_architecture_page_names_every_stage_module():
    text = (DOCS / "ARCHITECTURE.md").read_text(encoding="utf-8")
    modules = sorted(p.relative_to(ROOT / "src" / "povmon").as_posix()
                     for p in (ROOT / "src" / "povmon" / "ingest").rglob("*.py") if p.name != "__init__.py")
    missing = [m for m in modules if m.split("/")[-1] not in text and m not in text]
    assert missing == [] or set(missing) <= {"ingest/errors_book.py", "ingest/template.py", "ingest/problems.py",
                                              "ingest/events.py"}, missing
