"""The example roster of /work/shared/examples (copied to tests/data) imports exactly as its README says."""

import datetime as dt
from pathlib import Path

from sqlalchemy import func, select

from povmon.ingest import ImportOptions, import_files
from povmon.models import Area, AuditLog, Household, HouseholdEvent, ImportBatch, Member

EXAMPLE = Path(__file__).parent / "data" / "roster-example.xlsx"
AS_OF = dt.date(2019, 1, 31)


def run(session, **kw):
    return import_files(session, [EXAMPLE], ImportOptions(user="clerk", as_of=AS_OF, create_areas=True, **kw))


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_example_roster_counts_errors_and_areas(session):
    result = run(session)
    data = result.as_json()
    assert set(data) == {"batch", "dry_run", "files", "counts", "errors", "warnings"}
    assert data["files"] == ["roster-example.xlsx"] and data["dry_run"] is False and data["batch"] is not None
    assert data["counts"]["households"] == {"created": 42, "updated": 0, "unchanged": 0, "rejected": 3}
    assert data["counts"]["members"] == {"created": 147, "updated": 0, "unchanged": 0, "rejected": 11}
    assert data["counts"]["incomes"]["created"] == 42
    assert data["counts"]["areas"]["created"] == 3
    errors = {(e["row"], e["code"]): e for e in data["errors"]}
    assert len(data["errors"]) == 11
    assert errors[(11, "id_checksum")]["column"] == "证件号码"
    assert errors[(34, "bad_value")]["column"] == "与户主关系" and errors[(34, "bad_value")]["value"] == "邻居"
    assert {r for r, c in errors if c == "multiple_heads"} == {55, 56}
    rejected = {r for r, c in errors if c == "household_rejected"}
    assert rejected == {12, 13, 14, 32, 33, 57, 58}
    assert all(e["sheet"] == "Sheet1" and e["file"] == "roster-example.xlsx" for e in data["errors"])

    assert count(session, Household) == 42 and count(session, Member) == 147
    county = session.scalar(select(Area).where(Area.level == "county"))
    assert (county.name, county.code) == ("交城县", "141122")
    village = session.scalar(select(Area).where(Area.level == "village"))
    assert (village.name, village.code, village.parent.code) == ("岔口村", "141122104001", "141122104")
    assert session.scalar(select(Household).where(Household.code == "1411221040010004")) is None


def test_example_roster_status_events_and_provenance(session):
    run(session)
    hh = session.scalar(select(Household).where(Household.code == "1411221040010012"))
    kinds = [(e.kind, e.event_date, e.year_only) for e in hh.events]
    assert kinds == [("identified", dt.date(2016, 12, 31), True), ("exited", dt.date(2017, 12, 31), True),
                     ("returned", AS_OF, False)]
    assert hh.attribute == "general_poor" and hh.declared_size == 5
    assert (hh.source_file, hh.source_sheet, hh.source_row) == ("roster-example.xlsx", "Sheet1", 39)
    ordinary = session.scalar(select(Household).where(Household.code == "1411221040010001"))
    assert ordinary.events == [] and ordinary.attribute is None
    member = session.scalar(select(Member).where(Member.id_number == "14232319760713938X"))
    assert (member.name, member.relation, member.sex, member.source_row) == ("蓝琴", "spouse", "F", 19)
    batch = session.get(ImportBatch, member.batch_id)
    assert batch.user == "clerk" and batch.files[0]["name"] == "roster-example.xlsx"
    assert len(batch.files[0]["sha256"]) == 64 and batch.counts["members"]["created"] == 147


def test_example_roster_second_import_changes_nothing(session):
    run(session)
    events, audits, batches = count(session, HouseholdEvent), count(session, AuditLog), count(session, ImportBatch)
    again = run(session).as_json()
    assert again["batch"] is None
    for kind, c in again["counts"].items():
        assert c["created"] == 0 and c["updated"] == 0, kind
    assert again["counts"]["households"] == {"created": 0, "updated": 0, "unchanged": 42, "rejected": 3}
    assert again["counts"]["members"] == {"created": 0, "updated": 0, "unchanged": 147, "rejected": 11}
    assert (count(session, HouseholdEvent), count(session, AuditLog), count(session, ImportBatch)) == (
        events, audits, batches)


def test_example_without_create_areas_names_the_place(session):
    result = import_files(session, [EXAMPLE], ImportOptions(user="clerk", as_of=AS_OF))
    unknown = [e for e in result.errors if e.code == "unknown_area"]
    assert len(unknown) == 45  # one per household, on its first row
    assert "交城县" in unknown[0].message and "--create-areas" in unknown[0].message
    assert result.counts["households"]["created"] == 0 and count(session, Household) == 0
