"""users: who may use povmon, with a role and an area or cadre scope

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 01:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'app_user',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=63), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('area_id', sa.Integer(), nullable=True),
        sa.Column('cadre_id', sa.Integer(), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by', sa.String(length=100), nullable=True),
        sa.Column('disabled_at', sa.DateTime(), nullable=True),
        sa.Column('disabled_by', sa.String(length=100), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.CheckConstraint("role IN ('county_admin', 'clerk', 'cadre', 'auditor')", name=op.f('ck_app_user_role')),
        sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_app_user_area_id_area')),
        sa.ForeignKeyConstraint(['cadre_id'], ['cadre.id'], name=op.f('fk_app_user_cadre_id_cadre')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_app_user')),
        sa.UniqueConstraint('name', name=op.f('uq_app_user_name')),
    )


def downgrade() -> None:
    op.drop_table('app_user')
