"""enrichments

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 19:22:55.118026
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('enrichments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('query', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('requested_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('http_status', sa.Integer(), nullable=True),
    sa.Column('hits', sa.JSON(), nullable=False),
    sa.Column('body_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['entity_id'], ['entities.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('enrichments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrichments_entity_id'), ['entity_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('enrichments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrichments_entity_id'))

    op.drop_table('enrichments')
