"""Business actions of signing: sessions (create, open, close, reopen) and agreements
(record, amend, void). Never commit; the user is passed in; every change is audited."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from rapidfuzz import fuzz
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from matchmaker import audit, signals
from matchmaker.amounts import (
    CNY,
    FOREIGN_CURRENCIES,
    AmountError,
    ParsedAmount,
    is_bare_number,
    parse_amount,
)
from matchmaker.catalogue.models import Project, ProjectStatus
from matchmaker.db import savepoint
from matchmaker.editions.models import Edition
from matchmaker.editions.operations import clean_rates, ensure_edition, parse_target, parse_year
from matchmaker.editions.rates import Rate, effective_rates
from matchmaker.errors import Conflict, DomainError, NotFound
from matchmaker.extensions import db
from matchmaker.i18n import N_, translate
from matchmaker.investors.models import Investor, InvestorKind
from matchmaker.investors.resolution import (
    InvestorUnresolved,
    check_new_name,
    find_or_create_investor,
    learn_name,
    resolve_investor,
)
from matchmaker.money import MAX_YUAN, YI, format_yi, to_yuan
from matchmaker.reference.labels import parse_label
from matchmaker.reference.models import Region, Sector
from matchmaker.signing.models import (
    Agreement,
    AgreementKind,
    AgreementLink,
    SessionKind,
    SessionState,
    SigningSession,
)
from matchmaker.text import normalize

log = logging.getLogger(__name__)

# Above this an amount needs an explicit confirmation (10,000亿元 = 1 trillion yuan).
ABSURD_YUAN = Decimal(10_000) * YI
AMOUNT_UNIT = "亿元"  # what a bare number in the amount field means

# What organisers and desk apps also write for a kind, besides its value and its labels.
_KIND_ALIASES: dict[str, AgreementKind] = {
    "投资合同": AgreementKind.INVESTMENT_CONTRACT,
    "投资协议": AgreementKind.INVESTMENT_CONTRACT,
    "合同": AgreementKind.INVESTMENT_CONTRACT,
    "框架协议": AgreementKind.FRAMEWORK,
    "框架": AgreementKind.FRAMEWORK,
    "战略合作协议": AgreementKind.STRATEGIC,
    "战略合作": AgreementKind.STRATEGIC,
    "战略协议": AgreementKind.STRATEGIC,
    "意向": AgreementKind.INTENT,
    "意向协议": AgreementKind.INTENT,
    "意向书": AgreementKind.INTENT,
    "投资意向书": AgreementKind.INTENT,
    "letter of intent": AgreementKind.INTENT,
    "loi": AgreementKind.INTENT,
}
SESSION_FIELDS = ["edition_id", "name", "name_en", "kind", "held_on", "venue", "target_yuan", "rates",
                  "state"]
AGREEMENT_FIELDS = [
    "session_id",
    "investor_id",
    "project_id",
    "project_name",
    "sector_id",
    "region_id",
    "amount_yuan",
    "currency",
    "amount_original",
    "exchange_rate",
    "kind",
    "signed_at",
    "voided",
    "void_reason",
]


# --- parsing what people type --------------------------------------------------------------


def parse_kind(value: object) -> AgreementKind:
    """'investment_contract', '投资合同', 'Framework agreement', '意向书' -> AgreementKind."""
    text = str(value or "").strip()
    folded = text.casefold()
    if folded in _KIND_ALIASES:
        return _KIND_ALIASES[folded]
    kind = parse_label(AgreementKind, text)
    if kind is not None:
        return kind
    raise DomainError(
        N_("Unknown kind of agreement “%(value)s”: use 投资合同, 框架协议, 战略合作协议 or 意向."),
        field="kind",
        value=text[:50],
    )


def parse_signed_amount(
    value: object, *, confirm_large: bool = False, rates: dict[str, Rate] | None = None
) -> ParsedAmount:
    """An agreement amount as typed: '5' (亿元), '5亿', '5000万元', '3.25亿元', and in a
    foreign currency '6.7亿美元', 'USD 670 million', '$670m', 'EUR 120m', 'HK$5亿',
    converted at the rate in `rates` (a session's `session_rates`).

    Refused: blank, zero, negative, not a number, a range, a currency the platform does
    not know, a foreign amount whose rate is not set (the message names it),
    approximations (a signed amount is exact), and more than 10,000亿元 unless
    `confirm_large`."""
    if isinstance(value, float):
        raise DomainError(N_("Write the amount as text, for example 5亿元."), field="amount")
    # The field's unit (亿元) is for a bare number only: '$1,740' is 1,740 dollars here.
    unit = AMOUNT_UNIT if is_bare_number(value) else None
    try:
        # Placeholder rates let foreign amounts parse, so that a missing rate is refused
        # below naming the session's rate rather than with the catalogue's message.
        parsed = parse_amount(value, header_unit=unit,
                              rates=dict.fromkeys(FOREIGN_CURRENCIES, Decimal(1)))
        if parsed is not None and parsed.currency != CNY:
            rate = (rates or {}).get(parsed.currency)
            if rate is None:
                raise DomainError(
                    N_("%(value)s is in %(currency)s, but no %(currency)s exchange rate is set for "
                       "this signing session or its edition; an organiser sets it (yuan per "
                       "%(currency)s) on the session or the edition page."),
                    field="amount", value=parsed.original, currency=parsed.currency,
                )
            parsed = parse_amount(value, header_unit=unit, rates={parsed.currency: rate.yuan_per_unit})
    except AmountError as error:
        raise DomainError(error.message, field="amount") from error
    if parsed is None:
        raise DomainError(N_("Enter the amount, for example 5亿元 or 5000万元."), field="amount")
    if parsed.approximate:
        raise DomainError(
            N_("A signed amount is exact: remove “about” from %(value)s."),
            field="amount",
            value=parsed.original,
        )
    if parsed.yuan <= 0:
        raise DomainError(N_("The amount must be more than zero."), field="amount")
    if parsed.yuan > ABSURD_YUAN and not confirm_large:
        raise AmountNeedsConfirmation(parsed)
    return parsed


def session_rates(session: SigningSession, agreement: Agreement | None = None) -> dict[str, Rate]:
    """The rates that convert this session's agreements: the session's own, else its
    edition's; an amended agreement keeps the rate it was signed at for its currency."""
    rates = effective_rates(session)
    if agreement is not None and agreement.foreign and agreement.exchange_rate is not None:
        rates[agreement.currency] = Rate(agreement.currency, Decimal(agreement.exchange_rate),
                                         "agreement", agreement.id)
    return rates


class AmountNeedsConfirmation(DomainError):
    code = "amount_unconfirmed"
    status = 422

    def __init__(self, parsed: ParsedAmount) -> None:
        super().__init__(
            N_("%(value)s is %(yi)s亿元, more than 10,000亿元: confirm the amount to save it."),
            field="amount",
            value=parsed.original,
            yi=format_yi(parsed.yuan),
        )
        self.parsed = parsed


def find_projects(text: str, *, limit: int = 12) -> list[Project]:
    """Catalogue projects for the desk's type-ahead: every word typed ("修文 光伏") must
    appear in the name, English name, location or region; '#12' or a code finds that one."""

    text = normalize(text)
    if not text:
        return []
    words = [w for w in text.split(" ") if w][:6]
    conditions = [
        sa.or_(  # case-insensitive on both databases ("6GWh" typed as "6gwh")
            Project.name.icontains(word, autoescape=True),
            Project.name_en.icontains(word, autoescape=True),
            Project.location.icontains(word, autoescape=True),
            Region.name.icontains(word, autoescape=True),
        )
        for word in words
    ]
    condition = sa.and_(*conditions)
    if text.lstrip("#").isdigit():
        condition = sa.or_(condition, Project.id == int(text.lstrip("#")), Project.code == text)
    else:
        condition = sa.or_(condition, Project.code == text)
    return list(db.session.scalars(
        sa.select(Project).outerjoin(Region, Region.id == Project.region_id)
        .where(condition).order_by(Project.id).limit(limit)
    ))


def find_project(text: str) -> Project:
    """A catalogue project from what the recording form holds: '#12 name' (as the
    type-ahead fills it), a project id, a catalogue code, or a unique (part of a) name."""
    text = (text or "").strip()
    if not text:
        raise DomainError(
            N_("Choose a project, or tick “off-catalogue” and name it."), field="project"
        )
    match = re.match(r"^#?(\d+)(?:\s|$)", text)
    if match and text.startswith("#"):
        project = db.session.get(Project, int(match.group(1)))
        if project is None:
            raise NotFound(
                N_("There is no catalogue project %(id)s."), field="project", id=match.group(1)
            )
        return project
    exact = db.session.scalars(
        sa.select(Project).where(sa.or_(Project.name == text, Project.code == text)).limit(2)
    ).all()
    if len(exact) == 1:
        return exact[0]
    found = find_projects(text, limit=6)
    if len(found) == 1:
        return found[0]
    if not found and not exact:
        raise DomainError(
            N_(
                "No catalogue project matches “%(text)s”; tick “off-catalogue” to record it by name."
            ),
            field="project",
            text=text[:80],
        )
    names = "; ".join(f"#{p.id} {p.name}" for p in (exact or found)[:5])
    raise DomainError(
        N_("Several projects match “%(text)s”: %(names)s. Pick one."),
        field="project",
        text=text[:80],
        names=names,
    )


# --- what the organiser confirms before saving -----------------------------------------------


@dataclass
class AgreementPreview:
    """The agreement as it would be saved: the amount read back with its unit, the investor
    the typed name resolves to - or, when it resolves to none with confidence, the
    candidates and the choice of a new investor, side by side - the project and the kind."""

    amount_yuan: Decimal
    unit_note: str
    kind: AgreementKind
    investor: Investor | None
    new_investor: bool
    investor_text: str
    resolution: Any
    project: Project | None
    project_name: str
    currency: str = CNY
    amount_original: Decimal | None = None
    rate: Rate | None = None  # the rate converting a foreign amount, with where it comes from

    @property
    def needs_choice(self) -> bool:
        """No investor chosen yet: the organiser picks a candidate or a new investor."""
        return self.investor is None and not self.new_investor

    @property
    def candidates(self) -> list:
        return list(self.resolution.candidates) if self.resolution is not None else []


def preview_agreement(data: AgreementInput, rates: dict[str, Rate] | None = None) -> AgreementPreview:
    """Read back what saving `data` would store (foreign amounts converted at `rates`, a
    session's `session_rates`); raises the DomainErrors saving would, except for an
    investor name without a confident match (the preview asks instead)."""

    parsed = _amount(data.amount, confirm_large=data.confirm_large, rates=rates)
    amount = parsed.yuan
    if isinstance(data.amount, str):
        unit_note = (parsed.unit if parsed.unit_source == "cell"
                     else translate(N_("亿元 (a bare number is read in 亿元)")))
    else:
        unit_note = "元"
    kind = parse_kind(data.kind)
    investor, resolution, text = None, None, ""
    if isinstance(data.investor, Investor):
        investor = data.investor
    elif isinstance(data.investor, int) and not isinstance(data.investor, bool):
        investor = db.session.get(Investor, data.investor)
        if investor is None or not investor.active:
            raise NotFound(N_("There is no investor %(id)s."), field="investor", id=data.investor)
    else:
        text = " ".join(str(data.investor or "").split())
        resolution = resolve_investor(text)
        if resolution.match is not None:
            investor = db.session.get(Investor, resolution.match.id)
        elif data.create_investor:
            check_new_name(text)
    project = db.session.get(Project, data.project_id) if data.project_id else None
    return AgreementPreview(
        amount_yuan=amount, unit_note=unit_note, kind=kind, investor=investor,
        new_investor=investor is None and bool(data.create_investor), investor_text=text,
        resolution=resolution, project=project, project_name=data.project_name,
        currency=parsed.currency, amount_original=parsed.amount_original,
        rate=(rates or {}).get(parsed.currency) if parsed.currency != CNY else None,
    )


def record_or_preview(
    session: SigningSession, data: AgreementInput, *, amount_seen: bool, user
) -> Agreement | AgreementPreview:
    """The desk's two steps: until the organiser has seen the amount read back with its unit
    (`amount_seen`), the preview of what saving would store; then the recorded agreement.

    A typed investor name without a confident match is refused (`InvestorUnresolved`) with
    the preview of everything else attached (`error.preview`; None when the preview itself
    is refused), so the desk shows the candidates beside what would be saved."""
    rates = session_rates(session)
    if not amount_seen:
        return preview_agreement(data, rates)
    try:
        return record_agreement(session, data, user=user)
    except InvestorUnresolved as error:
        try:
            error.preview = preview_agreement(data, rates)
        except DomainError:
            error.preview = None
        raise


# --- sessions ------------------------------------------------------------------------------


@dataclass
class SessionInput:
    edition: Edition | int | str  # the Edition, or its year
    name: str
    kind: SessionKind | str = SessionKind.GREEN_INDUSTRY
    name_en: str = ""
    held_on: date | None = None
    venue: str = ""
    target: object = "0"  # '160', '160亿元', Decimal yuan
    rates: dict[str, object] | str | None = None  # 'USD=7.1' (None: keep; '' clears)


_target_yuan = parse_target  # one reading of targets for editions and sessions


def _session_edition(value: Edition | int | str, *, user) -> Edition:
    """The session's edition: an Edition, or a year (its edition is created with the forum's
    default names when the platform has none yet; audited)."""
    if isinstance(value, Edition):
        return value
    year = parse_year(value)
    if year is None:
        raise DomainError(N_("The forum edition is a year, like 2025."), field="edition")
    return ensure_edition(year, user=user)


def create_session(data: SessionInput, *, user) -> SigningSession:
    name = (data.name or "").strip()
    if not name:
        raise DomainError(N_("Name the signing session."), field="name")
    edition = _session_edition(data.edition, user=user)
    session = SigningSession(
        edition=edition,
        name=name,
        name_en=(data.name_en or "").strip(),
        kind=SessionKind(data.kind),
        held_on=data.held_on,
        venue=(data.venue or "").strip(),
        target_yuan=_target_yuan(data.target),
        rates=_session_rates_input(data.rates) if data.rates is not None else {},
        state=SessionState.PLANNED,
    )
    db.session.add(session)
    db.session.flush()
    audit.record(
        "create",
        "signing_session",
        session.id,
        user=user,
        after=audit.snapshot(session, SESSION_FIELDS),
    )
    return session


def update_session(session: SigningSession, data: SessionInput, *, user) -> SigningSession:
    """Change a session's details (not its state); a closed session is frozen."""
    _require_not_closed(session)
    before = audit.snapshot(session, SESSION_FIELDS)
    name = (data.name or "").strip()
    if not name:
        raise DomainError(N_("Name the signing session."), field="name")
    session.edition = _session_edition(data.edition, user=user)
    session.name = name
    session.name_en = (data.name_en or "").strip()
    session.kind = SessionKind(data.kind)
    session.held_on = data.held_on
    session.venue = (data.venue or "").strip()
    session.target_yuan = _target_yuan(data.target)
    if data.rates is not None:
        session.rates = _session_rates_input(data.rates)
    db.session.flush()
    audit.record(
        "update",
        "signing_session",
        session.id,
        user=user,
        before=before,
        after=audit.snapshot(session, SESSION_FIELDS),
    )
    return session


def _session_rates_input(value: dict[str, object] | str) -> dict[str, str]:
    """A session's own rates, checked as the edition's are (an agreement already signed
    keeps the rate it was converted at)."""
    return clean_rates(value)


def _lock_session(session: SigningSession) -> SessionState:
    """The session's current state, read under a row lock (PostgreSQL): recording takes a
    shared lock, closing an exclusive one, so no agreement slips into a closed session."""
    state = db.session.execute(
        sa.select(SigningSession.state)
        .where(SigningSession.id == session.id)
        .with_for_update(read=True)
    ).scalar_one()
    return SessionState(state)


def _set_state(
    session: SigningSession, state: SessionState, *, user, reason: str = ""
) -> SigningSession:
    db.session.refresh(session, with_for_update=True)
    before = {"state": session.state.value}
    action = {SessionState.OPEN: "open", SessionState.CLOSED: "close"}[state]
    if session.state == SessionState.CLOSED and state == SessionState.OPEN:
        action = "reopen"
    session.state = state
    db.session.flush()
    after: dict[str, Any] = {"state": state.value}
    if reason:
        after["reason"] = reason
    audit.record(action, "signing_session", session.id, user=user, before=before, after=after)
    log.info("signing session %s: %s", session.id, action)
    return session


def open_session(session: SigningSession, *, user) -> SigningSession:
    """Planned -> open. A closed session is reopened with `reopen_session` (with a reason)."""
    if session.state == SessionState.OPEN:
        raise Conflict(N_("The session is already open."))
    if session.state == SessionState.CLOSED:
        raise Conflict(N_("The session is closed; reopening it needs a reason."))
    return _set_state(session, SessionState.OPEN, user=user)


def close_session(session: SigningSession, *, user) -> SigningSession:
    """Open (or planned) -> closed: its agreements are frozen."""
    if session.state == SessionState.CLOSED:
        raise Conflict(N_("The session is already closed."))
    return _set_state(session, SessionState.CLOSED, user=user)


def reopen_session(session: SigningSession, reason: str, *, user) -> SigningSession:
    """Closed -> open, an audited act that needs a reason."""
    reason = (reason or "").strip()
    if session.state != SessionState.CLOSED:
        raise Conflict(N_("Only a closed session can be reopened."))
    if not reason:
        raise DomainError(N_("Give the reason for reopening the session."), field="reason")
    return _set_state(session, SessionState.OPEN, user=user, reason=reason)


def _require_not_closed(session: SigningSession) -> None:
    if session.state == SessionState.CLOSED:
        raise Conflict(
            N_("The session “%(name)s” is closed; reopen it (with a reason) to change it."),
            name=session.name,
        )


# --- agreements ----------------------------------------------------------------------------


@dataclass
class AgreementInput:
    """One agreement as the form, the API or the demo loader describes it."""

    investor: Investor | int | str
    amount: object  # '5', '5亿元', '5000万元', or a Decimal in yuan
    kind: AgreementKind | str = AgreementKind.INVESTMENT_CONTRACT
    project_id: int | None = None
    project_name: str = ""
    sector_code: str | None = None
    region_code: str | None = None
    signed_at: datetime | None = None
    idempotency_key: str | None = None
    create_investor: bool = False
    investor_kind: InvestorKind | str = InvestorKind.ENTERPRISE
    # The name the organiser typed when `investor` is the id of the candidate they chose
    # for it: the investor learns it (resolution.learn_name), so the next agreement typed
    # with the same name needs no choice.
    investor_text: str = ""
    confirm_large: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    # When an agreement of another session or edition looks like this one (same investor and
    # project, or a close project name in the same prefecture), the desk asks: the same
    # agreement (`same_as`: its id; linked, not counted again) or a new one (`new_agreement`).
    same_as: int | None = None
    new_agreement: bool = False


def _amount(value: object, *, confirm_large: bool, rates: dict[str, Rate] | None = None) -> ParsedAmount:
    """A Decimal is yuan; text is read by `parse_signed_amount` (foreign at `rates`)."""
    if isinstance(value, Decimal):
        if not value.is_finite() or value > MAX_YUAN:
            raise DomainError(
                N_("%(value)s is more than %(max)s亿元, the largest amount accepted."),
                field="amount", value=f"{value:f}"[:40], max=format_yi(MAX_YUAN),
            )
        amount = to_yuan(value)
        if amount <= 0:
            raise DomainError(N_("The amount must be more than zero."), field="amount")
        if amount > ABSURD_YUAN and not confirm_large:
            raise AmountNeedsConfirmation(
                ParsedAmount(
                    yuan=amount,
                    unit="元",
                    unit_source="cell",
                    approximate=False,
                    original=f"{amount:f}",
                )
            )
        return ParsedAmount(yuan=amount, unit="元", unit_source="cell", approximate=False,
                            original=f"{amount:f}")
    return parse_signed_amount(value, confirm_large=confirm_large, rates=rates)


def _investor(value: Investor | int | str, data: AgreementInput, *, user) -> Investor:
    if isinstance(value, Investor):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        investor = db.session.get(Investor, value)
        if investor is None:
            raise NotFound(N_("There is no investor %(id)s."), field="investor", id=value)
        return investor
    return find_or_create_investor(
        str(value or ""), create=data.create_investor, kind=data.investor_kind, user=user
    )


def _reference(model: type[Sector] | type[Region], code: str | None, field_name: str) -> Any:
    if not code:
        return None
    row = db.session.scalar(sa.select(model).where(model.code == code))
    if row is None:
        raise DomainError(N_("Unknown code “%(code)s”."), field=field_name, code=code[:50])
    return row


def _signed_at(value: datetime | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    if value.tzinfo is None:
        raise DomainError(N_("Give the signing time with its time zone."), field="signed_at")
    return value


def _apply_fields(agreement: Agreement, data: AgreementInput, rates: dict[str, Rate], *, user) -> None:
    """Validate everything first, then write: a refused input changes nothing."""
    amount = _amount(data.amount, confirm_large=data.confirm_large, rates=rates)
    kind = parse_kind(data.kind)
    signed_at = _signed_at(data.signed_at)
    project = None
    if data.project_id is not None:
        project = db.session.get(Project, data.project_id)
        if project is None:
            raise NotFound(
                N_("There is no catalogue project %(id)s."), field="project", id=data.project_id
            )
    project_name = (data.project_name or "").strip()
    if project is None and not project_name:
        raise DomainError(
            N_("Choose a project, or tick “off-catalogue” and name it."), field="project"
        )
    if len(project_name) > 300:
        raise DomainError(
            N_("The project name is too long (300 characters at most)."), field="project_name"
        )
    sector = _reference(Sector, data.sector_code, "sector") if project is None else None
    region = _reference(Region, data.region_code, "region") if project is None else None
    investor = _investor(data.investor, data, user=user)

    agreement.investor = investor
    agreement.project = project
    agreement.project_name = project.name if project is not None else project_name
    agreement.sector = sector
    agreement.region = region
    agreement.amount_yuan = amount.yuan
    agreement.currency = amount.currency
    agreement.amount_original = amount.amount_original
    agreement.exchange_rate = amount.rate
    agreement.kind = kind
    agreement.signed_at = signed_at
    # an investor chosen by id for a typed name learns that name (shown after saving)
    agreement.learned_name = (
        learn_name(investor, data.investor_text, user=user)
        if data.investor_text and not isinstance(data.investor, str) else None)


def _mark_project(project: Project | None) -> None:
    """A catalogue project with a counted agreement is signed; one that has only letters of
    intent is negotiating; with no live agreement left it opens again."""
    if project is None or project.status == ProjectStatus.WITHDRAWN:
        return
    kinds = set(
        db.session.scalars(
            sa.select(Agreement.kind).where(
                Agreement.project_id == project.id, Agreement.voided.is_(False)
            )
        )
    )
    if kinds - {AgreementKind.INTENT}:
        project.status = ProjectStatus.SIGNED
    elif kinds:
        project.status = ProjectStatus.NEGOTIATING
    elif project.status == ProjectStatus.SIGNED:
        project.status = ProjectStatus.OPEN


def _by_key(key: str) -> Agreement | None:
    return db.session.scalar(sa.select(Agreement).where(Agreement.idempotency_key == key))


def _fingerprint(session: SigningSession, data: AgreementInput) -> str:
    """What an idempotency key promises: this session, this investor, project, amount, kind."""
    investor = data.investor.id if isinstance(data.investor, Investor) else data.investor
    payload = {
        "session": session.id,
        "investor": investor if isinstance(investor, int) else str(investor or "").strip(),
        "project": data.project_id,
        "project_name": (data.project_name or "").strip(),
        "amount": f"{data.amount:f}" if isinstance(data.amount, Decimal) else str(data.amount).strip(),
        "kind": getattr(data.kind, "value", str(data.kind or "")),
        "sector": data.sector_code or None,
        "region": data.region_code or None,
        "signed_at": data.signed_at.isoformat() if data.signed_at else None,
    }
    encoded = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()


def _replay(existing: Agreement, fingerprint: str | None) -> Agreement:
    """The first agreement of a repeated key, if the repeat is the same submission."""
    if existing.idempotency_fingerprint not in (None, fingerprint):
        raise IdempotencyMismatch()
    existing.replayed = True
    return existing


class IdempotencyMismatch(Conflict):
    code = "idempotency_mismatch"

    def __init__(self) -> None:
        super().__init__(
            N_("This idempotency key was already used for a different agreement (another "
               "session, investor, project, amount or kind); nothing was recorded. Send a new "
               "key for a new agreement."),
        )


def record_agreement(session: SigningSession, data: AgreementInput, *, user) -> Agreement:
    """Record one signed agreement in an open session.

    Idempotent: a repeated `idempotency_key` returns the first agreement (also when two
    submissions race: the unique key decides, the loser gets the winner's row). The
    returned agreement has `replayed = True` in that case."""
    key = (data.idempotency_key or "").strip() or None
    if key is not None and len(key) > 100:
        raise DomainError(
            N_("The idempotency key is too long (100 characters at most)."), field="idempotency_key"
        )
    fingerprint = _fingerprint(session, data) if key is not None else None
    if key is not None:
        existing = _by_key(key)
        if existing is not None:
            return _replay(existing, fingerprint)
    state = _lock_session(session)
    if state == SessionState.CLOSED:
        raise Conflict(
            N_("The session “%(name)s” is closed; reopen it (with a reason) to change it."),
            name=session.name,
        )
    if state != SessionState.OPEN:
        raise Conflict(
            N_("Open the session “%(name)s” before recording agreements."), name=session.name
        )

    # Kept out of the database session until every field is valid (no partial autoflush).
    agreement = Agreement(
        idempotency_key=key, idempotency_fingerprint=fingerprint,
        created_by_id=getattr(user, "id", None),
    )
    try:
        with savepoint(db.session):
            _apply_fields(agreement, data, session_rates(session), user=user)
            original = _same_agreement_decision(agreement, session, data)
            agreement.session = session
            db.session.add(agreement)
            db.session.flush()
            if original is not None:
                link_agreement(agreement, original, user=user)
    except IntegrityError:
        if key is None:
            raise
        winner = _by_key(key)
        if winner is None:  # pragma: no cover - another constraint failed
            raise
        return _replay(winner, fingerprint)
    except DomainError:
        if agreement in db.session:
            db.session.expunge(agreement)
        raise
    _mark_project(agreement.project)
    audit.record(
        "create",
        "agreement",
        agreement.id,
        user=user,
        after=audit.snapshot(agreement, AGREEMENT_FIELDS),
    )
    db.session.flush()
    agreement.replayed = False
    log.info("agreement %s recorded: %s yuan", agreement.id, agreement.amount_yuan)
    return agreement


# --- the same agreement announced twice: link it, count it once ------------------------------

SAME_NAME_SCORE = 85  # rapidfuzz ratio of the normalised project names (0-100)


class SameAgreementFound(Conflict):
    """An agreement of another session or edition looks like this one: the desk asks."""

    code = "same_agreement"

    def __init__(self, candidates: list[Agreement]) -> None:
        super().__init__(N_("This looks like an agreement already recorded at another session "
                            "or edition: is it the same agreement (linked, not counted again) "
                            "or a new one?"), field="same_as")
        self.candidates = candidates

    def candidates_json(self) -> list[dict[str, Any]]:
        return [{"id": a.id, "session_id": a.session_id, "edition": a.session.edition.year,
                 "session": a.session.name, "investor": a.investor.name,
                 "project": a.project.name if a.project is not None else a.project_name,
                 "amount_yuan": f"{a.amount_yuan:f}"} for a in self.candidates]


def _project_text(agreement: Agreement) -> str:
    name = agreement.project.name if agreement.project is not None else agreement.project_name
    return normalize(name or "")


def _prefecture_id(agreement: Agreement) -> int | None:
    region = agreement.project.region if agreement.project is not None else agreement.region
    if region is None:
        return None
    return region.parent_id if region.level.value == "county" and region.parent_id else region.id


def original_of(agreement: Agreement) -> Agreement:
    """The agreement a linked duplicate repeats (itself when it is not linked)."""
    link = db.session.get(AgreementLink, agreement.id)
    return db.session.get(Agreement, link.original_id) if link is not None else agreement


def same_agreement_candidates(agreement: Agreement, session: SigningSession, *,
                              limit: int = 5) -> list[Agreement]:
    """Agreements of other sessions (any edition), not voided, not themselves links, with the
    same investor and either the same catalogue project or a close project name in the same
    prefecture - best first."""
    if agreement.investor is None and agreement.investor_id is None:
        return []
    investor_id = agreement.investor.id if agreement.investor is not None else agreement.investor_id
    linked = sa.select(AgreementLink.duplicate_id)
    others = db.session.scalars(
        sa.select(Agreement)
        .where(Agreement.investor_id == investor_id, Agreement.session_id != session.id,
               Agreement.voided.is_(False), Agreement.id.notin_(linked))
        .order_by(Agreement.signed_at, Agreement.id).limit(500)
    ).all()
    if not others:
        return []
    name, place = _project_text(agreement), _prefecture_id(agreement)
    project_id = agreement.project.id if agreement.project is not None else None
    scored: list[tuple[float, Agreement]] = []
    for other in others:
        if project_id is not None and other.project_id == project_id:
            scored.append((101.0, other))  # the same catalogue project: identity
            continue
        if place is None or _prefecture_id(other) != place or not name:
            continue
        score = fuzz.ratio(name, _project_text(other))
        if score >= SAME_NAME_SCORE:
            scored.append((score, other))
    scored.sort(key=lambda pair: (-pair[0], pair[1].id))
    return [other for _score, other in scored[:limit]]


def _same_agreement_decision(agreement: Agreement, session: SigningSession,
                             data: AgreementInput) -> Agreement | None:
    """The agreement to link the new one to (None: count it). Refuses until the desk chose."""
    if data.same_as is not None:
        original = db.session.get(Agreement, data.same_as)
        if original is None or original.voided or original.session_id == session.id:
            raise DomainError(N_("Choose an agreement of another session (not voided) as the "
                                 "same agreement."), field="same_as")
        return original_of(original)
    if data.new_agreement:
        return None
    candidates = same_agreement_candidates(agreement, session)
    if candidates:
        raise SameAgreementFound(candidates)
    return None


def link_agreement(duplicate: Agreement, original: Agreement, *, user) -> AgreementLink:
    """Mark `duplicate` as the same agreement as `original`: it stays recorded and is
    counted once in any total that spans both (audited)."""
    original = original_of(original)
    if original.id == duplicate.id:
        raise DomainError(N_("An agreement cannot be the same as itself."), field="same_as")
    if db.session.get(AgreementLink, duplicate.id) is not None:
        raise Conflict(N_("This agreement is already linked to another."))
    link = AgreementLink(duplicate_id=duplicate.id, original_id=original.id,
                         linked_by_id=getattr(user, "id", None))
    db.session.add(link)
    audit.record("link", "agreement", duplicate.id, user=user,
                 after={"same_as": original.id, "session_id": original.session_id})
    db.session.flush()
    return link


def unlink_agreement(duplicate: Agreement, reason: str, *, user) -> None:
    """It was a new agreement after all: counted again (audited, with the reason)."""
    reason = (reason or "").strip()
    link = db.session.get(AgreementLink, duplicate.id)
    if link is None:
        raise Conflict(N_("This agreement is not linked to another."))
    if not reason:
        raise DomainError(N_("Give the reason."), field="reason")
    db.session.delete(link)
    audit.record("unlink", "agreement", duplicate.id, user=user,
                 before={"same_as": link.original_id}, after={"reason": reason})
    db.session.flush()


def links_count(session_ids: list[int] | None = None) -> int:
    """How many agreements are linked as the same as another (of these sessions)."""
    query = sa.select(sa.func.count()).select_from(AgreementLink)
    if session_ids is not None:
        query = query.join(Agreement, Agreement.id == AgreementLink.duplicate_id).where(
            Agreement.session_id.in_(session_ids or [-1]))
    return db.session.scalar(query) or 0


def amend_agreement(agreement: Agreement, data: AgreementInput, reason: str, *, user) -> Agreement:
    """Correct an agreement (never delete): the audit trail keeps before and after."""
    reason = (reason or "").strip()
    if agreement.voided:
        raise Conflict(N_("A voided agreement cannot be amended."))
    _require_not_closed(agreement.session)
    if not reason:
        raise DomainError(N_("Give the reason for the correction."), field="reason")
    before = audit.snapshot(agreement, AGREEMENT_FIELDS)
    old_project = agreement.project
    with db.session.no_autoflush:
        try:
            with savepoint(db.session):
                _apply_fields(agreement, data, session_rates(agreement.session, agreement), user=user)
                db.session.flush()
        except DomainError:
            db.session.refresh(agreement)  # nothing half-applied stays on the object
            raise
    after = audit.snapshot(agreement, AGREEMENT_FIELDS)
    if after == before:
        raise DomainError(N_("Nothing changed."))
    _mark_project(agreement.project)
    if old_project is not None and old_project is not agreement.project:
        _mark_project(old_project)
    after["reason"] = reason
    audit.record("amend", "agreement", agreement.id, user=user, before=before, after=after)
    db.session.flush()
    return agreement


def void_agreement(agreement: Agreement, reason: str, *, user) -> Agreement:
    """Void an agreement with a reason: it stays, shown struck out, and leaves the totals."""
    reason = (reason or "").strip()
    if agreement.voided:
        raise Conflict(N_("This agreement is already voided."))
    _require_not_closed(agreement.session)
    if not reason:
        raise DomainError(N_("Give the reason for voiding the agreement."), field="reason")
    before = audit.snapshot(agreement, AGREEMENT_FIELDS)
    # Two organisers voiding at once: only one update finds it not yet voided.
    updated = db.session.execute(
        sa.update(Agreement)
        .where(Agreement.id == agreement.id, Agreement.voided.is_(False))
        .values(voided=True, void_reason=reason, voided_at=datetime.now(UTC))
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(agreement)
    if updated != 1:
        raise Conflict(N_("This agreement is already voided."))
    _mark_project(agreement.project)
    audit.record(
        "void",
        "agreement",
        agreement.id,
        user=user,
        before=before,
        after=audit.snapshot(agreement, AGREEMENT_FIELDS),
    )
    db.session.flush()
    return agreement


def session_agreements(session: SigningSession, *, limit: int = 200) -> list[Agreement]:
    """A session's agreements, the latest signed first, with what their page and the API
    show of each loaded in a fixed number of queries, however many there are."""
    project = selectinload(Agreement.project)
    return list(db.session.scalars(
        sa.select(Agreement)
        .where(Agreement.session_id == session.id)
        .order_by(Agreement.signed_at.desc(), Agreement.id.desc())
        .limit(limit)
        .options(selectinload(Agreement.investor), selectinload(Agreement.sector),
                 selectinload(Agreement.region), project.selectinload(Project.sectors),
                 project.selectinload(Project.region))
    ))


def agreement_history(agreement: Agreement) -> list[audit.AuditEvent]:
    """The agreement's audit trail, oldest first."""
    return list(
        db.session.scalars(
            sa.select(audit.AuditEvent)
            .where(
                audit.AuditEvent.entity == "agreement", audit.AuditEvent.entity_id == agreement.id
            )
            .order_by(audit.AuditEvent.at, audit.AuditEvent.id)
        )
    )


def session_history(session: SigningSession) -> list[audit.AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(audit.AuditEvent)
            .where(
                audit.AuditEvent.entity == "signing_session",
                audit.AuditEvent.entity_id == session.id,
            )
            .order_by(audit.AuditEvent.at, audit.AuditEvent.id)
        )
    )


# --- merges of investors (sent by matchmaker.investors.operations) ---------------------------


@signals.investor_merged.connect
def _merge_agreements(other: Investor, *, into: Investor, user=None, **_extra):
    """Agreements of the merged investor count for the survivor (their ids are kept for undo)."""
    ids = list(db.session.scalars(sa.select(Agreement.id).where(Agreement.investor_id == other.id)))
    if ids:
        db.session.execute(sa.update(Agreement).where(Agreement.id.in_(ids))
                           .values(investor_id=into.id).execution_options(synchronize_session=False))
        db.session.expire_all()
    return ("agreements", ids)


@signals.investor_merge_undone.connect
def _unmerge_agreements(other: Investor, *, into: Investor, moved, user=None, **_extra):
    ids = moved.get("agreements")
    if ids:
        db.session.execute(sa.update(Agreement).where(Agreement.id.in_(ids),
                                                      Agreement.investor_id == into.id)
                           .values(investor_id=other.id).execution_options(synchronize_session=False))
        db.session.expire_all()
    return None
