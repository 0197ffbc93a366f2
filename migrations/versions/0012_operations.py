"""operations: indexes for listing and pruning jobs, room for encrypted webhook secrets

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 16:00:00.000000

`GET /v1/jobs` pages a key's jobs newest first (actor, created_at) or everyone's
(created_at); `xref jobs prune` finds stopped jobs by finished_at. A webhook secret of 200
characters is a Fernet token of 356 (plus its "fernet:" prefix): the column grows to 500.
Secrets stored in plain text before are encrypted by `xref secrets rotate`.
"""
from collections.abc import Sequence

import sqlmodel.sql.sqltypes
from alembic import op


revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_jobs_actor_created_at', 'jobs', ['actor', 'created_at'])
    op.create_index('ix_jobs_created_at', 'jobs', ['created_at'])
    op.create_index('ix_jobs_finished_at', 'jobs', ['finished_at'])
    with op.batch_alter_table('watchlists', schema=None) as batch_op:
        batch_op.alter_column('webhook_secret', existing_type=sqlmodel.sql.sqltypes.AutoString(length=200),
                              type_=sqlmodel.sql.sqltypes.AutoString(length=500), existing_nullable=True)


def downgrade() -> None:
    with op.batch_alter_table('watchlists', schema=None) as batch_op:
        batch_op.alter_column('webhook_secret', existing_type=sqlmodel.sql.sqltypes.AutoString(length=500),
                              type_=sqlmodel.sql.sqltypes.AutoString(length=200), existing_nullable=True)
    op.drop_index('ix_jobs_finished_at', table_name='jobs')
    op.drop_index('ix_jobs_created_at', table_name='jobs')
    op.drop_index('ix_jobs_actor_created_at', table_name='jobs')
