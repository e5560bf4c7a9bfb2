"""Recording, correcting and voiding agreements; session rules; name resolution."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from factories import make_agreement, make_investor, make_project, make_session, make_user

from matchmaker.accounts.models import Role
from matchmaker.audit import AuditEvent
from matchmaker.catalogue.models import ProjectStatus
from matchmaker.errors import Conflict, DomainError, NotFound
from matchmaker.extensions import db
from matchmaker.investors.models import Investor
from matchmaker.investors.resolution import (
    InvestorUnresolved,
    find_or_create_investor,
    resolve_investor,
)
from matchmaker.signing import operations
from matchmaker.signing.models import Agreement, AgreementKind, SessionState
from matchmaker.signing.operations import AgreementInput, parse_kind, parse_signed_amount
from matchmaker.signing.totals import signed_totals


@pytest.mark.parametrize(
    ("typed", "yuan", "unit"),
    [
        ("5", "500000000.00", "亿元"),
        ("5亿", "500000000.00", "亿元"),
        ("5000万元", "50000000.00", "万元"),
        ("3.25亿元", "325000000.00", "亿元"),
        ("0.1", "10000000.00", "亿元"),
        ("１２亿元", "1200000000.00", "亿元"),
        ("1,200万", "12000000.00", "万元"),
        ("10000亿元", "1000000000000.00", "亿元"),
    ],
)
def test_amounts_as_typed(typed, yuan, unit):
    parsed = parse_signed_amount(typed)
    assert (f"{parsed.yuan:f}", parsed.unit) == (yuan, unit)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "Enter the amount, for example 5亿元 or 5000万元."),
        ("0", "The amount must be more than zero."),
        ("-5", "The amount -5 is negative."),
        ("五亿个", "五亿个 is not an amount."),  # (五亿 alone reads as 5亿元)
        ("5-8亿", "5-8亿 is a range; write one amount (for example the lower bound)."),
        ("500万美元", "500万美元 is in USD, but no USD exchange rate is set for this signing session or its "
                     "edition; an organiser sets it (yuan per USD) on the session or the edition page."),
        ("CHF 5m", "CHF 5m is in CHF, a currency the platform does not convert (it takes CNY, USD, EUR, "
                   "HKD, JPY, GBP)."),
        ("约5亿", "A signed amount is exact: remove “about” from 约5亿."),
        ("10000.01亿元", "10000.01亿元 is 10,000.01亿元, more than 10,000亿元: confirm the amount to save it."),
    ],
)
def test_bad_amounts_are_refused_with_a_reason(typed, reason):
    with pytest.raises(DomainError) as caught:
        parse_signed_amount(typed)
    assert str(caught.value) == reason
    assert caught.value.field == "amount"


def test_absurd_amount_passes_when_confirmed():
    assert parse_signed_amount("20000亿元", confirm_large=True).yuan == Decimal("2000000000000.00")


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("investment_contract", AgreementKind.INVESTMENT_CONTRACT),
        ("投资合同", AgreementKind.INVESTMENT_CONTRACT),
        ("框架协议", AgreementKind.FRAMEWORK),
        ("战略合作协议", AgreementKind.STRATEGIC),
        ("意向", AgreementKind.INTENT),
        ("意向书", AgreementKind.INTENT),
        ("Letter of intent", AgreementKind.INTENT),
        (" strategic ", AgreementKind.STRATEGIC),
    ],
)
def test_kinds_accept_chinese_labels(typed, kind):
    assert parse_kind(typed) == kind


def test_unknown_kind_is_refused():
    with pytest.raises(DomainError, match="Unknown kind of agreement “合同书”"):
        parse_kind("合同书")


@pytest.fixture
def organizer(app):
    return make_user(Role.ORGANIZER)


def count_agreements():
    return db.session.scalar(sa.select(sa.func.count(Agreement.id)))


def test_record_links_a_catalogue_project_and_marks_it_signed(organizer):
    session, investor, project = make_session(), make_investor("宁德时代新能源科技股份有限公司"), make_project()
    agreement = operations.record_agreement(
        session, AgreementInput(investor="宁德时代", amount="3.25亿元", kind="投资合同", project_id=project.id,
                                signed_at=datetime(2025, 7, 12, 2, 30, tzinfo=UTC)), user=organizer)
    db.session.commit()
    assert agreement.investor == investor
    assert agreement.amount_yuan == Decimal("325000000.00")
    assert agreement.project_name == project.name
    assert project.status == ProjectStatus.SIGNED
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.entity == "agreement"))
    assert (event.action, event.user_id, event.after["amount_yuan"]) == ("create", organizer.id, "325000000.00")


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"amount": "-1"}, DomainError, "The amount -1 is negative."),
        ({"amount": "abc"}, DomainError, "abc is not an amount."),
        ({"project_id": 999_999}, NotFound, "There is no catalogue project 999999."),
        ({"project_name": ""}, DomainError, "Choose a project, or tick “off-catalogue” and name it."),
        ({"kind": "合同书"}, DomainError, "Unknown kind of agreement “合同书”: use 投资合同, 框架协议, 战略合作协议 or 意向."),
        ({"investor": 999_999}, NotFound, "There is no investor 999999."),
        ({"sector_code": "nope"}, DomainError, "Unknown code “nope”."),
        ({"signed_at": datetime(2025, 7, 12)}, DomainError, "Give the signing time with its time zone."),
    ],
)
def test_bad_input_writes_nothing(organizer, change, error, message):
    session, investor = make_session(), make_investor()
    values = {"investor": investor.id, "amount": "5", "kind": "framework", "project_name": "场外项目"}
    values.update(change)
    with pytest.raises(error) as caught:
        operations.record_agreement(session, AgreementInput(**values), user=organizer)
    db.session.rollback()
    assert str(caught.value) == message
    assert count_agreements() == 0
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 0


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (SessionState.CLOSED, "The session “S” is closed; reopen it (with a reason) to change it."),
        (SessionState.PLANNED, "Open the session “S” before recording agreements."),
    ],
)
def test_only_an_open_session_takes_agreements(organizer, state, message):
    session = make_session(name="S", state=state)
    with pytest.raises(Conflict) as caught:
        operations.record_agreement(session, AgreementInput(investor=make_investor().id, amount="1",
                                                            project_name="x"), user=organizer)
    assert str(caught.value) == message
    assert count_agreements() == 0


def test_a_repeated_idempotency_key_returns_the_first_agreement(organizer):
    session, investor = make_session(), make_investor()
    data = AgreementInput(investor=investor.id, amount="5", project_name="场外项目", idempotency_key="k-1")
    first = operations.record_agreement(session, data, user=organizer)
    db.session.commit()
    again = operations.record_agreement(session, AgreementInput(investor=investor.id, amount="5",
                                                                project_name="场外项目", idempotency_key="k-1"),
                                        user=organizer)
    db.session.commit()
    assert again.id == first.id and again.replayed
    assert again.amount_yuan == Decimal("500000000.00")
    assert count_agreements() == 1


def test_an_idempotency_key_is_bound_to_its_session_and_payload(organizer):
    """Audit finding 9: a key used in one session returned that agreement to another
    session, and the new agreement was silently not recorded."""
    first_session, other_session, investor = make_session(), make_session(), make_investor()
    data = AgreementInput(investor=investor.id, amount="5", project_name="场外项目", idempotency_key="k-1")
    operations.record_agreement(first_session, data, user=organizer)
    db.session.commit()
    with pytest.raises(operations.IdempotencyMismatch):
        operations.record_agreement(other_session, data, user=organizer)
    db.session.rollback()
    changed = AgreementInput(investor=investor.id, amount="6", project_name="场外项目", idempotency_key="k-1")
    with pytest.raises(operations.IdempotencyMismatch) as refused:
        operations.record_agreement(first_session, changed, user=organizer)
    assert refused.value.status == 409
    db.session.rollback()
    assert count_agreements() == 1


def test_name_resolution_prevents_a_duplicate_investor(organizer):
    known = make_investor("珠海格力电器股份有限公司", name_en="Gree Electric Appliances, Inc. of Zhuhai")
    session = make_session()
    for typed in ("格力电器", "珠海格力电器股份有限公司", "*ST 格力电器Ａ"):
        agreement = operations.record_agreement(
            session, AgreementInput(investor=typed, amount="1", project_name="p", create_investor=True),
            user=organizer)
        assert agreement.investor_id == known.id
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Investor.id))) == 1


def test_an_unknown_investor_needs_confirmation_then_is_created_once(organizer):
    make_investor("贵州磷化（集团）有限责任公司")
    session = make_session()
    with pytest.raises(InvestorUnresolved) as caught:
        operations.record_agreement(session, AgreementInput(investor="贵州磷都化工", amount="1", project_name="p"),
                                    user=organizer)
    db.session.rollback()
    assert [c[0].name for c in caught.value.candidates][:1] == ["贵州磷化（集团）有限责任公司"]
    assert caught.value.code == "investor_unresolved" and caught.value.status == 409
    assert count_agreements() == 0
    agreement = operations.record_agreement(
        session, AgreementInput(investor="贵州磷都化工", amount="1", project_name="p", create_investor=True,
                                investor_kind="soe"), user=organizer)
    db.session.commit()
    assert (agreement.investor.name, agreement.investor.kind.value) == ("贵州磷都化工", "soe")
    # Known now: the next mention resolves to it instead of creating a second one.
    assert resolve_investor("贵州磷都化工有限公司").match.id == agreement.investor.id
    again = find_or_create_investor("贵州磷都化工有限公司", create=True, user=organizer)
    assert again.id == agreement.investor.id


def test_resolver_is_rebuilt_when_investors_change(app):
    make_investor("宁德时代新能源科技股份有限公司", name_en="Contemporary Amperex Technology Co., Limited")
    assert resolve_investor("CATL").match.name == "宁德时代新能源科技股份有限公司"
    assert resolve_investor("隆基绿能").match is None
    make_investor("隆基绿能科技股份有限公司")
    assert resolve_investor("隆基绿能").match.name == "隆基绿能科技股份有限公司"


def test_blank_investor_name_is_refused(app):
    with pytest.raises(DomainError, match="Enter a company name."):
        resolve_investor("  ")


def test_void_needs_a_reason_keeps_the_row_and_leaves_the_totals(organizer):
    project = make_project()
    session = make_session()
    agreement = operations.record_agreement(
        session, AgreementInput(investor=make_investor().id, amount="2", project_id=project.id), user=organizer)
    db.session.commit()
    with pytest.raises(DomainError, match="Give the reason for voiding the agreement."):
        operations.void_agreement(agreement, "  ", user=organizer)
    operations.void_agreement(agreement, "重复录入", user=organizer)
    db.session.commit()
    assert (agreement.voided, agreement.void_reason) == (True, "重复录入")
    assert agreement.voided_at is not None
    assert project.status == ProjectStatus.OPEN  # no live agreement left
    assert signed_totals().count == 0 and signed_totals().voided_count == 1
    with pytest.raises(Conflict, match="This agreement is already voided."):
        operations.void_agreement(agreement, "again", user=organizer)
    history = operations.agreement_history(agreement)
    assert [e.action for e in history] == ["create", "void"]
    assert (history[1].before["voided"], history[1].after["voided"], history[1].after["void_reason"]) == (
        False, True, "重复录入")


def test_amend_keeps_before_and_after_in_the_audit_trail(organizer):
    agreement = make_agreement(make_session(), amount_yuan=Decimal("100000000.00"))
    data = AgreementInput(investor=agreement.investor_id, amount="1.5亿元", kind="framework",
                          project_name=agreement.project_name, signed_at=agreement.signed_at)
    with pytest.raises(DomainError, match="Give the reason for the correction."):
        operations.amend_agreement(agreement, data, "", user=organizer)
    operations.amend_agreement(agreement, data, "金额录错", user=organizer)
    db.session.commit()
    assert (agreement.amount_yuan, agreement.kind) == (Decimal("150000000.00"), AgreementKind.FRAMEWORK)
    event = operations.agreement_history(agreement)[-1]
    assert event.action == "amend" and event.user_id == organizer.id
    assert (event.before["amount_yuan"], event.after["amount_yuan"]) == ("100000000.00", "150000000.00")
    assert (event.before["kind"], event.after["kind"], event.after["reason"]) == (
        "investment_contract", "framework", "金额录错")
    assert signed_totals().total_yuan == Decimal("150000000.00")


def test_a_refused_amendment_changes_nothing(organizer):
    agreement = make_agreement(make_session())
    with pytest.raises(DomainError):
        operations.amend_agreement(agreement, AgreementInput(investor=agreement.investor_id, amount="0",
                                                             project_name="x"), "r", user=organizer)
    db.session.rollback()
    db.session.refresh(agreement)
    assert agreement.amount_yuan == Decimal("100000000.00") and agreement.project_name == "场外项目"


def test_close_freezes_and_reopen_needs_a_reason(organizer):
    session = make_session(state=SessionState.PLANNED)
    operations.open_session(session, user=organizer)
    agreement = operations.record_agreement(session, AgreementInput(investor=make_investor().id, amount="1",
                                                                    project_name="p"), user=organizer)
    operations.close_session(session, user=organizer)
    db.session.commit()
    with pytest.raises(Conflict, match="is closed; reopen it"):
        operations.void_agreement(agreement, "r", user=organizer)
    with pytest.raises(Conflict, match="is closed; reopen it"):
        operations.amend_agreement(agreement, AgreementInput(investor=agreement.investor_id, amount="2",
                                                             project_name="p"), "r", user=organizer)
    with pytest.raises(Conflict, match="The session is closed; reopening it needs a reason."):
        operations.open_session(session, user=organizer)
    with pytest.raises(DomainError, match="Give the reason for reopening the session."):
        operations.reopen_session(session, " ", user=organizer)
    operations.reopen_session(session, "漏录一项", user=organizer)
    db.session.commit()
    assert session.state == SessionState.OPEN
    actions = [(e.action, (e.after or {}).get("reason")) for e in operations.session_history(session)]
    assert actions == [("open", None), ("close", None), ("reopen", "漏录一项")]
    with pytest.raises(Conflict, match="Only a closed session can be reopened."):
        operations.reopen_session(session, "again", user=organizer)


def test_session_target_is_read_in_yi(organizer):
    session = operations.create_session(operations.SessionInput(edition=2025, name="签约", target="160"),
                                        user=organizer)
    assert session.target_yuan == Decimal("16000000000.00") and session.state == SessionState.PLANNED
    with pytest.raises(DomainError, match="Name the signing session."):
        operations.create_session(operations.SessionInput(edition=2025, name=" "), user=organizer)
