"""claim verdicts: each claim's judgements, kept as list versions change

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 15:30:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('claim_verdicts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('versions', sa.JSON(), nullable=False),
    sa.Column('judged_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['document_claims.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('claim_verdicts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_verdicts_claim_id'), ['claim_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('claim_verdicts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_verdicts_claim_id'))
    op.drop_table('claim_verdicts')
