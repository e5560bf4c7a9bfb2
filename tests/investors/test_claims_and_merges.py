"""Who speaks for a company (claims), and staff merging and un-merging investors."""

import pytest
import sqlalchemy as sa
from conftest import csrf_token
from factories import make_agreement, make_investor, make_project, make_session, make_user

from matchmaker import audit
from matchmaker.accounts.models import Role, User
from matchmaker.extensions import db
from matchmaker.investors import operations
from matchmaker.investors.models import ClaimStatus, Investor, InvestorClaim
from matchmaker.investors.resolution import resolve_investor
from matchmaker.matching.models import InvestorProfile, Lead
from matchmaker.matching.operations import ProfileInput, save_profile
from matchmaker.signing.models import Agreement

YI = 10**8


@pytest.fixture
def catl(app):
    investor = make_investor("宁德时代新能源科技股份有限公司", name_en="Contemporary Amperex Technology Co., Limited",
                             aliases=["宁德时代"])
    staff = make_user(Role.STAFF)
    save_profile(investor, ProfileInput(sectors=("nev",), keywords="动力电池", max_yuan=50 * YI), user=staff)
    db.session.commit()
    return investor


def profile_post(client, **fields):
    data = {"csrf_token": csrf_token(client), "sectors": ["nev"], "min_amount": "1",
            "max_amount": "2", "unit": "亿元", "keywords": "储能"}
    data.update(fields)
    return client.post("/matches/profile?lang=en", data=data)


def test_naming_a_known_company_cannot_take_it_over(app, client, login, catl):
    """Issue 13's takeover: a new account typing "CATL" used to be attached to CATL, see its
    interest notices and overwrite its profile. Now it is a pending claim."""
    project = make_project()
    make_user(Role.STAFF)
    lead = Lead(investor=catl, project=project, message="CATL's own interest")
    db.session.add(lead)
    db.session.commit()
    intruder = login(make_user(Role.INVESTOR, email="someone@example.org"))
    response = profile_post(client, organisation="CATL")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.expire_all()
    catl_profile = db.session.scalar(sa.select(InvestorProfile).where(InvestorProfile.investor_id == catl.id))
    assert catl_profile.keywords == "动力电池" and catl_profile.max_yuan == 50 * YI  # untouched
    user = db.session.get(User, intruder.id)
    assert user.investor_id != catl.id
    draft = db.session.get(Investor, user.investor_id)
    assert draft.private and draft.profile.keywords == "储能"
    claim = db.session.scalar(sa.select(InvestorClaim).where(InvestorClaim.user_id == user.id))
    assert (claim.investor_id, claim.status) == (catl.id, ClaimStatus.PENDING)
    matches = client.get("/matches?lang=en").get_data(as_text=True)
    assert "CATL's own interest" not in matches
    # The private draft never resolves: nobody else is matched to it.
    assert resolve_investor("CATL").match.id == catl.id
    # Nor can the user write to CATL's profile through the operation itself.
    from matchmaker.errors import Forbidden

    with pytest.raises(Forbidden):
        save_profile(catl, ProfileInput(keywords="hijack"), user=user)


def test_staff_approve_then_a_member_approves_the_next(app, client, login, catl):
    staff = make_user(Role.STAFF)
    first = make_user(Role.INVESTOR)
    second = make_user(Role.INVESTOR)
    operations.link_user_to_investor(first, "宁德时代", create=False)
    db.session.commit()
    # the first user's own interest, made while pending, follows them into the company
    project = make_project()
    from matchmaker.matching.operations import register_interest

    register_interest(db.session.get(Investor, first.investor_id), project, "", user=first)
    db.session.commit()
    [claim] = operations.pending_claims(staff)
    assert operations.pending_claims(second) == []  # not a member: sees no claims to decide
    operations.decide_claim(claim, True, user=staff)
    db.session.commit()
    assert first.investor_id == catl.id
    assert db.session.scalar(sa.select(Lead).where(Lead.project_id == project.id)).investor_id == catl.id
    assert catl.profile.keywords == "动力电池"  # the company's profile wins over the draft's
    operations.link_user_to_investor(second, "Contemporary Amperex Technology", create=False)
    db.session.commit()
    [pending] = operations.pending_claims(first)  # a confirmed member sees the new claim
    login(first)
    response = client.post(f"/investors/claims/{pending.id}/decide",
                           data={"csrf_token": csrf_token(client), "decision": "approve"})
    assert response.status_code == 302
    db.session.expire_all()
    members = db.session.scalars(sa.select(User).where(User.investor_id == catl.id)).all()
    assert {u.id for u in members} == {first.id, second.id}


def test_staff_see_pending_claims_in_one_list(app, client, login, catl):
    other = make_investor("珠海格力电器股份有限公司")
    for name in ("宁德时代", "格力电器"):
        operations.link_user_to_investor(make_user(Role.INVESTOR), name, create=False)
    db.session.commit()
    login(make_user(Role.STAFF))
    html = client.get("/investors/claims?lang=en").get_data(as_text=True)
    assert "宁德时代新能源科技股份有限公司" in html and other.name in html
    assert html.count('value="approve"') == 2


def test_an_unknown_company_gets_a_profile_matches_and_interest(app, client, login):
    from factories import make_catalogue

    project = make_project(make_catalogue(), sectors=("nev",), name="遵义锂电池项目")
    user = login(make_user(Role.INVESTOR))
    unsure = profile_post(client, organisation="黔山锂电新材料有限公司", sectors=["nev"])
    assert unsure.status_code == 409
    assert "register yours as a new company" in unsure.get_data(as_text=True)
    response = profile_post(client, organisation="黔山锂电新材料有限公司", sectors=["nev"],
                            create_investor="y")
    assert response.status_code == 302
    db.session.expire_all()
    company = db.session.get(User, user.id).investor
    assert (company.name, company.private, company.needs_review) == ("黔山锂电新材料有限公司", True, True)
    assert "遵义锂电池项目" in client.get("/matches").get_data(as_text=True)
    interest = client.post(f"/projects/{project.id}/interest",
                           data={"csrf_token": csrf_token(client), "message": "想了解"})
    assert interest.status_code == 302
    assert db.session.scalar(sa.select(Lead.investor_id)) == company.id
    # staff confirm it: it becomes a public company and the user its member
    staff = make_user(Role.STAFF)
    operations.review_investor(company, user=staff)
    db.session.commit()
    assert resolve_investor("黔山锂电新材料").match.id == company.id
    assert operations.approved_member(db.session.get(User, user.id), company)


def test_merge_moves_everything_keeps_the_alias_and_undoes(app, client, login):
    survivor = make_investor("中国石油化工集团有限公司", name_en="China Petrochemical Corporation")
    other = make_investor("中国石油化工集团公司", aliases=["Sinopec"], needs_review=True)
    staff = make_user(Role.STAFF)
    member = make_user(Role.INVESTOR, investor_id=other.id)
    db.session.add(InvestorClaim(user_id=member.id, investor_id=other.id, status=ClaimStatus.APPROVED))
    save_profile(other, ProfileInput(keywords="炼化"), user=staff)
    lead = Lead(investor=other, project=make_project())
    db.session.add(lead)
    agreement = make_agreement(make_session(), other)
    db.session.commit()
    login(staff)
    pairs = operations.possible_duplicates()
    assert any({p.investor.id, p.other.id} == {survivor.id, other.id} for p in pairs)
    response = client.post("/investors/merge", data={"csrf_token": csrf_token(client),
                                                     "survivor": survivor.id, "other": other.id})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Investor, other.id).merged_into_id == survivor.id
    assert set(db.session.get(Investor, survivor.id).aliases) >= {"中国石油化工集团公司", "Sinopec"}
    assert db.session.get(Agreement, agreement.id).investor_id == survivor.id
    assert db.session.get(Lead, lead.id).investor_id == survivor.id
    assert db.session.get(InvestorProfile, survivor.profile.id).keywords == "炼化"
    assert db.session.get(User, member.id).investor_id == survivor.id
    assert resolve_investor("Sinopec").match.id == survivor.id
    event = db.session.scalar(sa.select(audit.AuditEvent).where(audit.AuditEvent.action == "merge"))
    assert client.get("/investors/merges").status_code == 200
    response = client.post(f"/investors/merges/{event.id}/undo",
                           data={"csrf_token": csrf_token(client), "decision": "undo"})
    assert response.status_code == 302
    db.session.expire_all()
    restored = db.session.get(Investor, other.id)
    assert restored.merged_into_id is None
    assert db.session.get(Agreement, agreement.id).investor_id == other.id
    assert db.session.get(Lead, lead.id).investor_id == other.id
    assert restored.profile.keywords == "炼化" and db.session.get(Investor, survivor.id).profile is None
    assert db.session.get(User, member.id).investor_id == other.id
    assert db.session.get(Investor, survivor.id).aliases == []
    assert resolve_investor("Sinopec").match.id == other.id
    again = client.post(f"/investors/merges/{event.id}/undo",
                        data={"csrf_token": csrf_token(client), "decision": "undo"}, follow_redirects=True)
    assert "already undone" in again.get_data(as_text=True) or "撤销" in again.get_data(as_text=True)


def test_merge_cli(app, runner):
    survivor = make_investor("宁德时代新能源科技股份有限公司")
    other = make_investor("宁德时代新能源科技有限公司")
    make_user(Role.STAFF, email="staff@example.org")
    listed = runner.invoke(args=["investors", "duplicates", "--json"])
    assert listed.exit_code == 0, listed.output
    import json

    pairs = json.loads(listed.stdout)["items"]
    assert pairs[0]["score"] >= 80 and {pairs[0]["a"]["id"], pairs[0]["b"]["id"]} == {survivor.id, other.id}
    merged = runner.invoke(args=["investors", "merge", str(survivor.id), str(other.id),
                                 "--as", "staff@example.org", "--json"])
    assert merged.exit_code == 0, merged.output
    event_id = json.loads(merged.stdout)["event_id"]
    db.session.expire_all()
    assert db.session.get(Investor, other.id).merged_into_id == survivor.id
    undone = runner.invoke(args=["investors", "unmerge", str(event_id), "--as", "staff@example.org"])
    assert undone.exit_code == 0, undone.output
    db.session.expire_all()
    assert db.session.get(Investor, other.id).merged_into_id is None


STRONG = "Kq7!vRt9#xLm2p-Guiyang"


def _sign_up(client, email, organisation):
    response = client.post("/signup?lang=en", data={
        "csrf_token": csrf_token(client), "display_name": "Li", "email": email,
        "organisation": organisation, "password": STRONG, "confirm": STRONG})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_signing_up_with_a_known_company_files_a_pending_claim(app, client, login, catl):
    user = _sign_up(client, "li@example.org", "CATL")
    claim = db.session.scalar(sa.select(InvestorClaim).where(InvestorClaim.user_id == user.id))
    assert (claim.investor_id, claim.status) == (catl.id, ClaimStatus.PENDING)
    assert user.investor_id != catl.id and user.investor.private
    login(user, password=STRONG)
    page = client.get("/matches/profile?lang=en").get_data(as_text=True)
    assert "Your request to speak for Contemporary Amperex Technology Co., Limited is waiting" in page


def test_signing_up_with_an_unknown_company_registers_it_for_review(app, client, login, catl):
    user = _sign_up(client, "wang@example.org", "宁德新能源科技有限公司")
    assert (user.investor.name, user.investor.private, user.investor.needs_review) == (
        "宁德新能源科技有限公司", True, True)
    assert db.session.scalar(sa.select(sa.func.count(InvestorClaim.id))) == 0
    login(user, password=STRONG)
    page = client.get("/matches/profile?lang=en").get_data(as_text=True)
    assert "“宁德新能源科技有限公司” is registered as a new company for staff to review." in page


def test_signing_up_again_with_a_known_email_files_no_claim(app, client, catl):
    existing = make_user(Role.INVESTOR, email="taken@example.org")
    _sign_up(client, "taken@example.org", "CATL")
    assert db.session.scalar(sa.select(sa.func.count(InvestorClaim.id))) == 0
    assert db.session.get(User, existing.id).investor_id is None


def test_investor_list_runs_a_constant_number_of_queries(app, client, login):
    login(make_user(Role.STAFF))

    def statements_for_list() -> int:
        seen: list[str] = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            html = client.get("/investors?lang=en").get_data(as_text=True)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        assert "Investors" in html
        return len(seen)

    make_investor("宁德时代新能源科技股份有限公司")
    few = statements_for_list()
    for index in range(30):
        investor = make_investor(f"测试投资{index}号有限公司")
        if index % 2:
            save_profile(investor, ProfileInput(keywords="光伏"), user=None)
    db.session.commit()
    assert statements_for_list() == few
