"""Unmasked exports: every time ID numbers and phones leave povmon in full (``--show-ids``), the audit log says so.

One audit row (action ``export``) per household whose ID numbers were printed or shown in full, with who, when
and what for (docs/CONTRACTS.md, "masking"). The caller writes these rows in the transaction that decides to
export; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from povmon.services import access, audit


def may_show_ids(session: Session) -> None:
    """Refuse ``--show-ids`` (one sentence, audited) to a role that may not see ID numbers in full (rules.access)."""
    access.require(session, "show_ids")


def record_unmasked_export(session: Session, household_ids: Sequence[int], codes: Sequence[str], *, user: str,
                           note: str) -> int:
    """One audit row per household whose ID numbers and phones were printed in full; returns how many."""
    may_show_ids(session)
    for household_id, code in zip(household_ids, codes, strict=True):
        audit.log(session, user=user, action="export", table="household", row_id=household_id, field="id_number",
                  note=f"{note}（户编号 {code}）")
    return len(household_ids)


def record_household_shown(session: Session, code: str, *, user: str) -> None:
    """The audit row of ``household show --show-ids``: one household's ID numbers shown on a screen."""
    may_show_ids(session)
    audit.log(session, user=user, action="export", table="household", row_id=None,
              note=f"household show --show-ids {code}")


def record_codes_shown(session: Session, codes: Sequence[str], *, user: str, command: str) -> None:
    """One audit row per household (by 户编号) whose ID numbers a listing or a workbook showed in full."""
    may_show_ids(session)
    for code in codes:
        audit.log(session, user=user, action="export", table="household", row_id=None, note=f"{command} {code}")
