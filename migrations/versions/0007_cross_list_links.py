"""cross-list links: official identifiers of entries, bridged links, version provenance

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 15:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('list_entry_identifiers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('identifier', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['list_entries.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['list_versions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('list_entry_identifiers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_list_entry_identifiers_entry_id'), ['entry_id'],
                              unique=False)
        batch_op.create_index('ix_list_entry_identifiers_value', ['identifier', 'version_id'],
                              unique=False)

    # Existing versions get their identifiers the first time the registry is checked
    # against them (identifiers_indexed stays false until then).
    with op.batch_alter_table('list_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('part_dates', sa.JSON(), nullable=False,
                                      server_default='{}'))
        batch_op.add_column(sa.Column('identifiers_indexed', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('registry_checked_at',
                                      sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))

    with op.batch_alter_table('entity_links', schema=None) as batch_op:
        batch_op.add_column(sa.Column('via_list_id',
                                      sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True))
        batch_op.add_column(sa.Column('via_list_key',
                                      sqlmodel.sql.sqltypes.AutoString(length=100),
                                      nullable=True))
        batch_op.add_column(sa.Column('via_identifier',
                                      sqlmodel.sql.sqltypes.AutoString(length=200),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('entity_links', schema=None) as batch_op:
        batch_op.drop_column('via_identifier')
        batch_op.drop_column('via_list_key')
        batch_op.drop_column('via_list_id')

    with op.batch_alter_table('list_versions', schema=None) as batch_op:
        batch_op.drop_column('registry_checked_at')
        batch_op.drop_column('identifiers_indexed')
        batch_op.drop_column('part_dates')

    with op.batch_alter_table('list_entry_identifiers', schema=None) as batch_op:
        batch_op.drop_index('ix_list_entry_identifiers_value')
        batch_op.drop_index(batch_op.f('ix_list_entry_identifiers_entry_id'))

    op.drop_table('list_entry_identifiers')
