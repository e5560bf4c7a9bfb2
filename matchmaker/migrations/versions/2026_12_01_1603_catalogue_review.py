"""catalogue review: draft -> submitted -> approved / returned (with a comment) before
publishing; the content at the last approval. Catalogues already published count as approved.

Revision ID: 1603_catalogue_review
Revises: 1702_cache_changes
Create Date: 2026-12-01 14:08:01

"""
import sqlalchemy as sa
from alembic import op

import matchmaker.db

revision = "1603_catalogue_review"
down_revision = "1702_cache_changes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('catalogues', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_state', sa.Enum('draft', 'submitted', 'approved', 'returned', name='review_state', native_enum=False, create_constraint=True, length=32), server_default='draft', nullable=False))
        batch_op.add_column(sa.Column('review_comment', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('reviewed_at', matchmaker.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('approved_snapshot', sa.JSON(), nullable=True))
    op.execute("UPDATE catalogues SET review_state = 'approved' WHERE status = 'published'")


def downgrade():
    with op.batch_alter_table('catalogues', schema=None) as batch_op:
        batch_op.drop_column('approved_snapshot')
        batch_op.drop_column('reviewed_at')
        batch_op.drop_column('review_comment')
        batch_op.drop_constraint(batch_op.f("ck_catalogues_review_state"), type_="check")
        batch_op.drop_column('review_state')

