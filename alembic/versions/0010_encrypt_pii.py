"""ID numbers and phones encrypted at rest, with the ID numbers' keyed hashes for look-ups (issue 17)

Every ID number becomes AES-256-GCM ciphertext (povmon.crypto.seal) with its HMAC beside it (``id_hash``), which
takes over the ID's indexes and unique constraints; phones become ciphertext. The audit log's old and new values
of those fields are sealed too, and a department row's content key (a plain SHA-256 of content that includes the
ID number, which guessing would reverse) becomes an HMAC of it. The county key is needed only when there are rows
to encrypt: an empty database upgrades without one. Its fingerprint is stored (``county_key``).

Revision ID: 0010_encrypt_pii
Revises: 0009
Create Date: 2026-12-04 01:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from povmon import crypto

revision: str = '0010_encrypt_pii'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table: (has an ID number, has a phone)
PII = {
    'household': (False, True),
    'member': (True, True),
    'cadre': (True, True),
    'dept_row': (True, False),
    'political_status': (True, False),
}
CHUNK = 5000


def upgrade() -> None:
    op.create_table('county_key',
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('fingerprint', name=op.f('pk_county_key'))
    )
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index('uq_member_present_id_number', sqlite_where=sa.text('left_on IS NULL'),
                            postgresql_where=sa.text('left_on IS NULL'))
        batch_op.drop_index(batch_op.f('ix_member_id_number'))
    with op.batch_alter_table('cadre', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_cadre_id_number'), type_='unique')
    with op.batch_alter_table('dept_row', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dept_row_id_number'))
    with op.batch_alter_table('political_status', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_political_status_id_number_since'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_political_status_id_number'))
    for table, (has_id, has_phone) in PII.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            if has_id:
                batch_op.add_column(sa.Column('id_hash', sa.String(length=64), nullable=True))
                batch_op.alter_column('id_number', existing_type=sa.String(length=18), type_=sa.Text(),
                                      existing_nullable=False)
            if has_phone:
                batch_op.alter_column('phone', existing_type=sa.String(length=30), type_=sa.Text(),
                                      existing_nullable=True)

    _encrypt(op.get_bind())

    for table, (has_id, _phone) in PII.items():
        if has_id:
            with op.batch_alter_table(table, schema=None) as batch_op:
                batch_op.alter_column('id_hash', existing_type=sa.String(length=64), nullable=False)
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_id_hash'), ['id_hash'], unique=False)
        batch_op.create_index('uq_member_present_id_hash', ['id_hash'], unique=True,
                              sqlite_where=sa.text('left_on IS NULL'), postgresql_where=sa.text('left_on IS NULL'))
    with op.batch_alter_table('cadre', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_cadre_id_hash'), ['id_hash'])
    with op.batch_alter_table('dept_row', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dept_row_id_hash'), ['id_hash'], unique=False)
    with op.batch_alter_table('political_status', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_political_status_id_hash'), ['id_hash'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_political_status_id_hash_since'), ['id_hash', 'since'])


def _encrypt(conn) -> None:
    """Seal what is in clear (the county key is asked for only when there is something to seal)."""
    counts = {t: conn.execute(sa.text(f'SELECT COUNT(*) FROM {t}')).scalar_one() for t in PII}
    audit = sa.table('audit_log', sa.column('id', sa.Integer), sa.column('table_name', sa.String),
                     sa.column('field', sa.String), sa.column('old_value', sa.Text), sa.column('new_value', sa.Text))
    audit_rows = conn.execute(sa.select(audit.c.id, audit.c.field, audit.c.old_value, audit.c.new_value).where(
        audit.c.table_name.in_(list(PII)), audit.c.field.in_(['id_number', 'phone']))).all()
    if not any(counts.values()) and not audit_rows:
        return
    crypto.keys()  # one sentence when the key is missing, before anything is changed
    _fingerprint(conn)
    for table, (has_id, has_phone) in PII.items():
        if not counts[table]:
            continue
        names = ['id_number'] * has_id + ['phone'] * has_phone + ['key'] * (table == 'dept_row')
        t = sa.table(table, sa.column('id', sa.Integer), *(sa.column(n, sa.Text) for n in [*names, 'id_hash']))
        rows = conn.execute(sa.select(t.c.id, *(t.c[n] for n in names)).order_by(t.c.id)).all()
        params = []
        for row in rows:
            values = {'_id': row.id}
            if has_id:
                number = row.id_number
                values['id_number'] = _sealed(number, 'id_number')
                values['id_hash'] = crypto.id_hash(crypto.unseal(number, 'id_number'))
            if has_phone:
                values['phone'] = _sealed(row.phone, 'phone')
            if table == 'dept_row':
                values['key'] = crypto.digest(row.key)
            params.append(values)
        stmt = t.update().where(t.c.id == sa.bindparam('_id')).values(
            {n: sa.bindparam(n) for n in params[0] if n != '_id'})
        for i in range(0, len(params), CHUNK):
            conn.execute(stmt, params[i:i + CHUNK])
    if audit_rows:
        stmt = audit.update().where(audit.c.id == sa.bindparam('_id')).values(
            old_value=sa.bindparam('old'), new_value=sa.bindparam('new'))
        conn.execute(stmt, [{'_id': r.id, 'old': _sealed(r.old_value, r.field), 'new': _sealed(r.new_value, r.field)}
                            for r in audit_rows])


def _sealed(value, column):
    """Sealed once: a value already sealed stays as it is."""
    if value is None or value.startswith(crypto.PREFIX):
        return value
    return crypto.seal(value, column)


def _fingerprint(conn) -> None:
    table = sa.table('county_key', sa.column('fingerprint', sa.String), sa.column('created_at', sa.DateTime))
    stored = conn.execute(sa.select(table.c.fingerprint)).scalars().all()
    mine = crypto.fingerprint()
    if not stored:
        from povmon.models.base import utcnow

        conn.execute(table.insert().values(fingerprint=mine, created_at=utcnow()))
    elif mine not in stored:
        raise crypto.WrongKey(crypto.WRONG_KEY)


def downgrade() -> None:
    from povmon.errors import PovmonError

    raise PovmonError('0010_encrypt_pii 不能降级：降级会把身份证号和电话解密成明文存回数据库；'
                      '请从升级前做的备份恢复（povmon db restore）。')
