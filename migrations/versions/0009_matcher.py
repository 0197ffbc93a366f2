"""matcher: the name and version of the matcher on audit records, jobs, watchlist screenings

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 15:00:00.000000

Rows written before this revision keep both null: which matcher scored them was not recorded.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ('audit_records', 'jobs', 'watchlist_screenings')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('matcher_name', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True))
            batch_op.add_column(sa.Column('matcher_version', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('matcher_version')
            batch_op.drop_column('matcher_name')
