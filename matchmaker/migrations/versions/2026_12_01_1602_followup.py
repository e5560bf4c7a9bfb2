"""followup: the follow-through of agreements (stages, funds in place, state) and the
prefectures or counties a staff account covers

Revision ID: 1602_followup
Revises: 1401_foreign_currency
Create Date: 2026-12-01 13:50:03

"""
import sqlalchemy as sa
from alembic import op

import matchmaker.db

revision = "1602_followup"
down_revision = "1401_foreign_currency"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_regions',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_user_regions_region_id_regions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_regions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'region_id', name=op.f('pk_user_regions'))
    )
    op.create_table('followups',
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('registered_on', sa.Date(), nullable=True),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('in_production_on', sa.Date(), nullable=True),
    sa.Column('funds_yuan', matchmaker.db.Money(precision=20, scale=2), nullable=False),
    sa.Column('payments', sa.Integer(), nullable=False),
    sa.Column('first_funds_on', sa.Date(), nullable=True),
    sa.Column('state', sa.Enum('on_track', 'stalled', 'terminated', name='followup_state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('state_reason', sa.Text(), nullable=False),
    sa.Column('last_progress_at', matchmaker.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('funds_yuan >= 0', name=op.f('ck_followups_funds_non_negative')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_followups_agreement_id_agreements')),
    sa.PrimaryKeyConstraint('agreement_id', name=op.f('pk_followups'))
    )
    with op.batch_alter_table('followups', schema=None) as batch_op:
        batch_op.create_index('ix_followups_last_progress_at', ['last_progress_at'], unique=False)

    op.create_table('progress_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('stage', 'funds', 'state', name='entry_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('stage', sa.Enum('signed', 'registered', 'started', 'in_production', name='followup_stage', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('state', sa.Enum('on_track', 'stalled', 'terminated', name='followup_state', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('amount_yuan', matchmaker.db.Money(precision=20, scale=2), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', matchmaker.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind <> 'funds' OR amount_yuan > 0", name=op.f('ck_progress_entries_funds_positive')),
    sa.CheckConstraint("kind <> 'stage' OR stage IS NOT NULL", name=op.f('ck_progress_entries_stage_named')),
    sa.CheckConstraint("kind <> 'state' OR (state IS NOT NULL AND reason <> '')", name=op.f('ck_progress_entries_state_with_reason')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_progress_entries_agreement_id_agreements')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_progress_entries_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_progress_entries'))
    )
    with op.batch_alter_table('progress_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_progress_entries_agreement_id'), ['agreement_id'], unique=False)



def downgrade():
    with op.batch_alter_table('progress_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_progress_entries_agreement_id'))

    op.drop_table('progress_entries')
    with op.batch_alter_table('followups', schema=None) as batch_op:
        batch_op.drop_index('ix_followups_last_progress_at')

    op.drop_table('followups')
    op.drop_table('user_regions')
