"""watchlist item details: a saved name's identifying details (birth dates, nationalities,
countries, identifiers, gender), as the query values they are read back from

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 16:00:00.000000

Items saved before this revision keep it null: they were screened by name alone.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('watchlist_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('details', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('watchlist_items', schema=None) as batch_op:
        batch_op.drop_column('details')
