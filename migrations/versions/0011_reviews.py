"""reviews: analysts' decisions on screened pairs; audit records and alerts that mention them

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 15:15:00.000000

Alerts raised before this revision were never about a reviewed pair: false by default.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'reviews',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column('name_key', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column('list_id', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column('list_key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('decision', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=True),
        sa.Column('entry_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('withdrawn_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('withdrawn_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_reviews_pair', 'reviews', ['name_key', 'list_id', 'list_key'])
    with op.batch_alter_table('audit_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review', sa.JSON(), nullable=True))
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('changed_since_review', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_column('changed_since_review')
    with op.batch_alter_table('audit_records', schema=None) as batch_op:
        batch_op.drop_column('review')
    op.drop_index('ix_reviews_pair', table_name='reviews')
    op.drop_table('reviews')
