"""Company-name resolution against the investors in the database.

The pure `NameResolver` (names.py) is built once per process over every public, unmerged
investor's name, English name and aliases, and kept by the shared generation cache
(`matchmaker.cache`): any write that changes names bumps the `investor_names` generation
in its own transaction, so every worker rebuilds on its next request. An import builds its
own resolver once per file (`build_resolver`) and updates it row by row.

`find_or_create_investor` is how signing turns a typed name into an investor: a confident
match is used, so a company already known never gets a second row; otherwise it raises
`InvestorUnresolved` (a `Conflict`) with the candidates, unless the caller confirmed that
none of them is the same company (`create=True`).
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from matchmaker import audit, cache, signals
from matchmaker.accounts.models import Role
from matchmaker.db import savepoint
from matchmaker.errors import Conflict, DomainError
from matchmaker.extensions import db
from matchmaker.i18n import N_, translate
from matchmaker.investors.models import Investor, InvestorKind
from matchmaker.investors.names import (
    MAX_NAME_CHARS,
    InvestorName,
    NameInputError,
    NameResolver,
    Resolution,
    check_name,
    is_only_legal_form,
)
from matchmaker.text import compact

log = logging.getLogger(__name__)

MAX_CANDIDATES = 5


class InvestorUnresolved(Conflict):
    """No confident match for a typed investor name; `resolution.candidates` lists the
    closest known investors (API: 409 `investor_unresolved` with `candidates`)."""

    code = "investor_unresolved"

    def __init__(self, resolution: Resolution, *, field: str | None = "investor") -> None:
        super().__init__(resolution.message, field=field)
        self.resolution = resolution

    @property
    def candidates(self):
        return list(self.resolution.candidates)

    def candidates_json(self) -> list[dict[str, Any]]:
        return candidates_json(self.resolution)


def candidates_json(resolution: Resolution) -> list[dict[str, Any]]:
    """`[{"id", "name", "name_en", "score", "why": {"kind", "matched", "source", "text"}}]`,
    best first (at most 5), also when there is no confident match."""
    return [
        {
            "id": c.record.id,
            "name": c.record.name,
            "name_en": c.record.name_en,
            "score": c.score,
            "why": {"kind": c.kind, "source": c.source, "matched": c.matched,
                    "text": translate(c.why)},
        }
        for c in resolution.candidates[:MAX_CANDIDATES]
    ]


def resolvable() -> sa.ColumnElement[bool]:
    """Investors names may resolve to: public and not merged into another."""
    return sa.and_(Investor.private.is_(False), Investor.merged_into_id.is_(None))


def investor_record(investor: Investor) -> InvestorName:
    return InvestorName(investor.id, investor.name, investor.name_en, tuple(investor.aliases or ()),
                        tuple(investor.known_as or ()))


def build_resolver() -> NameResolver:
    """A resolver over every resolvable investor, read in one query."""
    rows = db.session.execute(
        sa.select(Investor.id, Investor.name, Investor.name_en, Investor.aliases, Investor.known_as)
        .where(resolvable())
        .order_by(Investor.id)
    ).all()
    return NameResolver(
        InvestorName(row.id, row.name, row.name_en, tuple(row.aliases or ()), tuple(row.known_as or ()))
        for row in rows
    )


_resolvers: cache.GenerationCache[NameResolver] = cache.GenerationCache(
    cache.INVESTOR_NAMES, build_resolver
)


def investor_resolver() -> NameResolver:
    """The resolver over all investors of the current database (see module doc)."""
    return _resolvers.get()


def invalidate() -> None:
    """Mark the names stale for every process (writes through the ORM do this by themselves;
    call it after changing names with Core statements)."""
    cache.bump(cache.INVESTOR_NAMES)


def resolve_investor(name: str, resolver: NameResolver | None = None) -> Resolution:
    """Best known investor for `name` (`match` is None unless confident).

    Raises `DomainError` (field "investor") for a blank name or one with nothing to match."""
    try:
        return (resolver or investor_resolver()).resolve(name, limit=MAX_CANDIDATES)
    except NameInputError as error:
        raise DomainError(error.message, field="investor") from error


def check_new_name(name: str, *, field: str = "investor") -> str:
    """A name fit for a new investor, or DomainError: blank, too long, nothing to match."""

    name = " ".join((name or "").split())
    if len(name) > MAX_NAME_CHARS:
        raise DomainError(
            N_("The name is too long (%(max)d characters at most)."), field=field, max=MAX_NAME_CHARS
        )
    try:
        key = check_name(name)
    except NameInputError as error:
        raise DomainError(error.message, field=field) from error
    if is_only_legal_form(name) or (len(key.key) < 2 and not key.latin):
        raise DomainError(
            N_("“%(name)s” is only a legal form; write the company's name."), field=field,
            name=name[:50],
        )
    return name


def find_or_create_investor(
    name: str,
    *,
    create: bool,
    kind: InvestorKind | str = InvestorKind.ENTERPRISE,
    user=None,
    via: str = "signing",
) -> Investor:
    """The investor `name` means: its confident match; else, with `create=True`, a new
    investor of that name and kind (audited, flagged for staff review); else
    `InvestorUnresolved` with candidates.

    An exact registered name always wins, even when the resolver is not confident (two
    investors sharing a key). Concurrent creation of the same name is safe: the loser of
    the unique-name race gets the winner's row."""
    name = " ".join((name or "").split())
    resolution = resolve_investor(name)
    if resolution.match is not None:
        investor = db.session.get(Investor, resolution.match.id)
        if investor is not None:
            return investor
    same_name = db.session.scalar(sa.select(Investor).where(Investor.name == name, resolvable()))
    if same_name is not None:
        return same_name
    if not create:
        raise InvestorUnresolved(resolution)
    name = check_new_name(name)
    investor = Investor(
        name=name, kind=InvestorKind(kind), created_via=via, needs_review=True, private=False
    )
    try:
        with savepoint(db.session):
            db.session.add(investor)
            db.session.flush()
    except IntegrityError:
        existing = db.session.scalar(sa.select(Investor).where(Investor.name == name, resolvable()))
        if existing is None:  # pragma: no cover - the constraint that failed was not the name
            raise
        return existing
    audit.record(
        "create",
        "investor",
        investor.id,
        user=user,
        after={"name": investor.name, "kind": investor.kind, "via": via, "needs_review": True,
               "candidates": [c["name"] for c in candidates_json(resolution)]},
    )
    signals.send(signals.investors_written, [investor.id])
    log.info("investor created (needs review): %s (%s) via %s", investor.name, investor.kind, via)
    return investor


def learn_name(investor: Investor, text: str, *, user, via: str = "signing") -> str | None:
    """Remember that an organiser chose `investor` for the typed `text` (a short or press
    name that resolved to no investor with confidence): from then on `text`, written
    exactly, resolves to it - and it is never used as part of any other name, so no other
    answer changes. Returns the text learned, or None when nothing is learned:
    - the text resolves with confidence already (to this investor, or to another one the
      organiser overrode - two answers for one text would be a guess);
    - the investor was not among the text's candidates (an id sent with unrelated text);
    - the text is another investor's name (its company key, a leading place aside);
    - the text is blank, too long, only a legal form, or one of the investor's names;
    - the investor is private or merged, or the user is not an organiser or staff.
    Audited ("learn_name", with the candidates the organiser saw); staff see every learned
    name under /investors/learned and can forget one (`operations.forget_name`)."""
    if user is None or not user.has_role(Role.ORGANIZER, Role.STAFF):
        return None
    text = " ".join((text or "").split())
    if not text or len(text) > MAX_NAME_CHARS or investor.private or investor.merged_into_id:
        return None
    try:
        resolution = resolve_investor(text)
    except DomainError:
        return None
    if resolution.match is not None or is_only_legal_form(text):
        return None
    chosen = next((c for c in resolution.candidates if c.record.id == investor.id), None)
    if chosen is None:
        return None
    if any(c.kind == "same" and c.record.id != investor.id for c in resolution.candidates):
        return None
    own = {compact(t) for t in (investor.name, investor.name_en, *(investor.aliases or ()),
                                *(investor.known_as or ())) if t}
    if compact(text) in own:
        return None
    investor.known_as = [*(investor.known_as or []), text]
    db.session.flush()
    audit.record("learn_name", "investor", investor.id, user=user,
                 after={"text": text, "via": via, "score": chosen.score, "kind": chosen.kind,
                        "candidates": [{"id": c["id"], "name": c["name"], "score": c["score"]}
                                       for c in candidates_json(resolution)]})
    log.info("learned name %r for investor %s via %s", text, investor.id, via)
    return text


def resolution_json(resolution: Resolution) -> dict[str, Any]:
    """The shared name-resolution shape (API, CLI --json): {query, match, score, runner_up,
    candidates}; `match` is null unless confident, `candidates` lists up to 5 either way."""

    def record(item) -> dict[str, Any] | None:
        return None if item is None else {"id": item.id, "name": item.name, "name_en": item.name_en}

    return {"query": resolution.query, "match": record(resolution.match),
            "score": resolution.score, "runner_up": record(resolution.runner_up),
            "candidates": candidates_json(resolution)}
