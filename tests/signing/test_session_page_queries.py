"""The busy desk pages run the same few statements for 5 agreements or 50: the session page
(the organisers' list while recording) and its API twin."""

from decimal import Decimal

from factories import make_agreement, make_investor, make_project, make_session, make_user
from queries import count_queries

from matchmaker.accounts.models import Role
from matchmaker.extensions import db
from matchmaker.matching.models import Lead, LeadStatus


def add_agreements(session, start: int, stop: int) -> None:
    for number in range(start, stop):
        off_catalogue = number % 3 == 0
        project = None if off_catalogue else make_project(name=f"光伏项目{number}")
        make_agreement(session, make_investor(f"贵州测试投资有限公司{number}"),
                       project=project, project_name=f"表外项目{number}" if off_catalogue else "",
                       amount_yuan=Decimal(100_000_000 + number))


def statements_for(client, url: str, **kwargs) -> tuple[int, str]:
    # The first request after a write brings the per-process caches forward (the listed
    # projects' counts): count the steady state, as every later request runs it.
    client.get(url, **kwargs)
    db.session.expire_all()  # what a new request sees: nothing loaded yet
    with count_queries() as counted:
        response = client.get(url, **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)[-500:]
    return counted, response.get_data(as_text=True)


def test_the_session_page_runs_a_constant_number_of_statements(app, client, login):
    login(make_user(Role.ORGANIZER))
    session = make_session()
    add_agreements(session, 0, 5)
    few, html = statements_for(client, f"/signing/sessions/{session.id}?lang=en")
    assert "贵州测试投资有限公司4" in html and "表外项目3" in html
    add_agreements(session, 5, 50)
    many, html = statements_for(client, f"/signing/sessions/{session.id}?lang=en")
    assert "贵州测试投资有限公司49" in html and "光伏项目49" in html
    assert many.count == few.count, (str(few), str(many))


def test_the_session_agreements_api_runs_a_constant_number_of_statements(app, client,
                                                                         api_headers):
    # a new token each time: a token's first use records when it was used (one UPDATE)
    session = make_session()
    add_agreements(session, 0, 5)
    url = f"/api/v1/signing/sessions/{session.id}/agreements"
    few, _body = statements_for(client, url, headers=api_headers(Role.ORGANIZER))
    add_agreements(session, 5, 50)
    many, body = statements_for(client, url, headers=api_headers(Role.ORGANIZER))
    assert body.count('"session_id"') == 50
    assert many.count == few.count, (str(few), str(many))


def test_the_leads_api_runs_a_constant_number_of_statements(app, client, api_headers):
    def add(start: int, stop: int) -> None:
        for number in range(start, stop):
            db.session.add(Lead(investor=make_investor(f"贵州线索投资有限公司{number}"),
                                project=make_project(), status=LeadStatus.NEW))
        db.session.commit()

    add(0, 5)
    few, _body = statements_for(client, "/api/v1/leads", headers=api_headers(Role.STAFF))
    add(5, 50)
    many, body = statements_for(client, "/api/v1/leads", headers=api_headers(Role.STAFF))
    assert body.count('"allowed_moves"') == 50
    assert many.count == few.count, (str(few), str(many))
