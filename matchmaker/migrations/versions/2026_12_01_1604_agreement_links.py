"""agreement links: "same agreement, do not count again" - a duplicate points at the agreement
it repeats (a table of its own: the agreements table keeps its tally triggers untouched)

Revision ID: 1604_agreement_links
Revises: 1402_english_summary
Create Date: 2026-12-01 14:40:51

"""
import sqlalchemy as sa
from alembic import op

import matchmaker.db

revision = "1604_agreement_links"
down_revision = "1402_english_summary"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('agreement_links',
    sa.Column('duplicate_id', sa.Integer(), nullable=False),
    sa.Column('original_id', sa.Integer(), nullable=False),
    sa.Column('linked_by_id', sa.Integer(), nullable=True),
    sa.Column('linked_at', matchmaker.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('duplicate_id <> original_id', name=op.f('ck_agreement_links_not_itself')),
    sa.ForeignKeyConstraint(['duplicate_id'], ['agreements.id'], name=op.f('fk_agreement_links_duplicate_id_agreements')),
    sa.ForeignKeyConstraint(['linked_by_id'], ['users.id'], name=op.f('fk_agreement_links_linked_by_id_users')),
    sa.ForeignKeyConstraint(['original_id'], ['agreements.id'], name=op.f('fk_agreement_links_original_id_agreements')),
    sa.PrimaryKeyConstraint('duplicate_id', name=op.f('pk_agreement_links'))
    )
    with op.batch_alter_table('agreement_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_links_original_id'), ['original_id'], unique=False)



def downgrade():
    with op.batch_alter_table('agreement_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_links_original_id'))

    op.drop_table('agreement_links')
