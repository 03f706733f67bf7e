"""index household_event.cancels_event_id

The monthly summary finds the events in effect on a day by anti-joining the cancellations dated on or
before it; without an index on cancels_event_id PostgreSQL misjudges how few cancellations there are and
compares every event with every cancellation (seconds on a county of a million people).

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-29 02:40:37.017277
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0004'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('household_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_event_cancels_event_id'), ['cancels_event_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('household_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_event_cancels_event_id'))
