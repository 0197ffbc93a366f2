"""documents cross-reference: mentions and claims

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 19:40:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('document_mentions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('entity_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('list_id', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
    sa.Column('list_key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('matched_name', sa.Text(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entity_id'], ['entities.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('document_mentions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_mentions_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_mentions_entity_id'), ['entity_id'], unique=False)
        batch_op.create_index('ix_document_mentions_entry', ['list_id', 'list_key'], unique=False)

    op.create_table('document_claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('mention_start', sa.Integer(), nullable=False),
    sa.Column('mention_end', sa.Integer(), nullable=False),
    sa.Column('cue', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('entity_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('list_id', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
    sa.Column('list_key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('claim', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('programs', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entity_id'], ['entities.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('document_claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_claims_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_claims_entity_id'), ['entity_id'], unique=False)
        batch_op.create_index('ix_document_claims_entry', ['list_id', 'list_key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('document_claims', schema=None) as batch_op:
        batch_op.drop_index('ix_document_claims_entry')
        batch_op.drop_index(batch_op.f('ix_document_claims_entity_id'))
        batch_op.drop_index(batch_op.f('ix_document_claims_document_id'))
    op.drop_table('document_claims')

    with op.batch_alter_table('document_mentions', schema=None) as batch_op:
        batch_op.drop_index('ix_document_mentions_entry')
        batch_op.drop_index(batch_op.f('ix_document_mentions_entity_id'))
        batch_op.drop_index(batch_op.f('ix_document_mentions_document_id'))
    op.drop_table('document_mentions')
