"""Signing pages: roles on every write route, the recording flow without JavaScript,
corrections, dashboard, venue screen, exports, CLI."""

import json
from decimal import Decimal
from io import BytesIO

import pytest
import sqlalchemy as sa
from conftest import csrf_token
from factories import make_agreement, make_investor, make_project, make_session, make_user
from openpyxl import load_workbook

from matchmaker.accounts.models import Role
from matchmaker.extensions import db
from matchmaker.sheets import safe_cell
from matchmaker.signing.models import Agreement, SessionState


def test_every_write_route_requires_the_organizer_role(app):
    public = {"dashboard", "venue", "export_totals", "all_editions",
              "lookup_investors", "lookup_projects", "lookup_amount"}  # redirects to the API
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("signing."):
            continue
        name = rule.endpoint.split(".", 1)[1]
        view = app.view_functions[rule.endpoint]
        if name in public:
            assert "POST" not in rule.methods
        else:
            assert view.required_roles == (Role.ORGANIZER,), rule.rule


@pytest.mark.parametrize("role", [Role.INVESTOR, Role.STAFF])
def test_other_roles_get_403_and_anonymous_users_the_sign_in_page(client, login, role):
    session = make_session()
    url = f"/signing/sessions/{session.id}/record"
    assert client.post(url, data={"csrf_token": csrf_token(client)}).status_code == 302
    assert client.get("/signing/").status_code == 302
    login(make_user(role))
    assert client.post(url, data={"csrf_token": csrf_token(client)}).status_code == 403
    assert client.get("/signing/").status_code == 403


@pytest.fixture
def organizer(client, login):
    return login(make_user(Role.ORGANIZER))


def record(client, session, **fields):
    data = {"investor": "", "project": "", "amount": "", "kind": "investment_contract",
            "idempotency_key": "key-1", "investor_kind": "enterprise", "csrf_token": csrf_token(client)}
    data.update(fields)
    return client.post(f"/signing/sessions/{session.id}/record", data=data)


def test_recording_shows_the_amount_back_then_saves_once(client, organizer):
    session, project = make_session(), make_project(name="遵义市汇川区锂电池正极材料项目")
    make_investor("宁德时代新能源科技股份有限公司")
    first = record(client, session, investor="宁德时代", project="锂电池正极", amount="3.25")
    html = first.get_data(as_text=True)
    assert first.status_code == 200
    assert '<strong class="preview-amount">3.25亿元</strong>' in html
    assert "325000000.00" in html and "宁德时代新能源科技股份有限公司" in html
    assert db.session.scalar(sa.select(sa.func.count(Agreement.id))) == 0
    fields = {"investor": "宁德时代", "project": "锂电池正极", "amount": "3.25", "shown_amount": "3.25"}
    saved = record(client, session, **fields)
    assert saved.status_code == 302
    again = record(client, session, **fields)  # a double click sends the same key
    assert again.status_code == 302
    agreements = db.session.scalars(sa.select(Agreement)).all()
    assert [(a.project_id, a.amount_yuan) for a in agreements] == [(project.id, Decimal("325000000.00"))]
    page = client.get(f"/signing/sessions/{session.id}").get_data(as_text=True)
    assert 'id="session-total">3.25<' in page


def test_unknown_investor_shows_candidates_and_needs_the_checkbox(client, organizer):
    session = make_session()
    make_investor("贵州磷化（集团）有限责任公司")
    response = record(client, session, investor="贵州磷都化工", project="场外项目", off_catalogue="y",
                      amount="1", shown_amount="1")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert 'name="pick_investor"' in html and "贵州磷化（集团）有限责任公司" in html
    assert 'name="create_investor"' in html


def test_absurd_amount_asks_for_confirmation(client, organizer):
    session = make_session()
    investor = make_investor()
    response = record(client, session, investor=f"#{investor.id} {investor.name}", project="场外",
                      off_catalogue="y", amount="20000亿", shown_amount="20000亿")
    assert response.status_code == 422
    assert 'name="confirm_large"' in response.get_data(as_text=True)
    confirmed = record(client, session, investor=f"#{investor.id} {investor.name}", project="场外",
                       off_catalogue="y", amount="20000亿", shown_amount="20000亿", confirm_large="y")
    assert confirmed.status_code == 302


def test_closed_session_page_has_no_recording_form(client, organizer):
    session = make_session(state=SessionState.CLOSED)
    html = client.get(f"/signing/sessions/{session.id}").get_data(as_text=True)
    assert "record-form" not in html and 'name="reason"' in html


def test_void_from_the_page_needs_a_reason_and_shows_the_history(client, organizer):
    agreement = make_agreement()
    url = f"/signing/agreements/{agreement.id}/void"
    assert client.post(url, data={"reason": "", "csrf_token": csrf_token(client)}).status_code == 400
    assert client.post(url, data={"reason": "签错对象", "csrf_token": csrf_token(client)}).status_code == 302
    html = client.get(f"/signing/agreements/{agreement.id}").get_data(as_text=True)
    assert "签错对象" in html and "voided" in html.lower() or "作废" in html


def test_state_buttons(client, organizer):
    session = make_session(state=SessionState.PLANNED)
    client.post(f"/signing/sessions/{session.id}/open", data={"csrf_token": csrf_token(client)})
    assert session.state == SessionState.OPEN
    client.post(f"/signing/sessions/{session.id}/close", data={"csrf_token": csrf_token(client)})
    db.session.refresh(session)
    assert session.state == SessionState.CLOSED
    refused = client.post(f"/signing/sessions/{session.id}/reopen",
                          data={"reason": "", "csrf_token": csrf_token(client)},
                          follow_redirects=True)
    assert "请填写重新开启签约仪式的原因。" in refused.get_data(as_text=True)
    db.session.refresh(session)
    assert session.state == SessionState.CLOSED
    client.post(f"/signing/sessions/{session.id}/reopen", data={"reason": "补录", "csrf_token": csrf_token(client)})
    db.session.refresh(session)
    assert session.state == SessionState.OPEN


def test_dashboard_and_venue_are_public_with_svg_and_press_lines(client):
    session = make_session(target_yuan=Decimal("1000000000"))
    make_agreement(session, amount_yuan=Decimal("250000000"))
    make_agreement(session, amount_yuan=Decimal("100000000"), kind="intent")
    html = client.get("/signing/dashboard").get_data(as_text=True)
    assert "2023年生态文明贵阳国际论坛共签约项目1个，签约金额2.50亿元" in html
    assert "1 project was signed at the Eco Forum Global Guiyang 2023, for a total of RMB 250 million (RMB 250,000,000)." in html
    # Charts are server-side SVG; the only script is the copy buttons' own file.
    assert html.count("<svg") >= 6 and html.count("<script") == html.count('<script src="/static/')
    counted = client.get("/signing/dashboard?intent=1").get_data(as_text=True)
    assert "2023年生态文明贵阳国际论坛共签约项目2个，签约金额3.50亿元" in counted
    venue = client.get("/signing/venue").get_data(as_text=True)
    assert 'http-equiv="refresh"' in venue and "2.50" in venue


def test_exports_are_formula_safe(client, organizer):
    investor = make_investor("=HYPERLINK(\"http://evil\")")
    make_agreement(investor=investor, project_name="+cmd|' /C calc'!A0")
    response = client.get("/signing/export/agreements.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.data))["Agreements"]
    row = [c.value for c in sheet[2]]
    assert row[2] == "'=HYPERLINK(\"http://evil\")" and row[5] == "'+cmd|' /C calc'!A0"
    assert row[6] == 100000000
    totals = load_workbook(BytesIO(client.get("/signing/export/totals.xlsx").data))
    assert {"Totals", "by_session", "by_sector", "by_region", "by_kind", "by_investor_kind"} <= set(totals.sheetnames)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"),
     ("宁德时代", "宁德时代"), (5, 5), (None, None)],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_cli_totals_json(runner):
    make_agreement(amount_yuan=Decimal("10000000"))
    result = runner.invoke(args=["signing", "totals", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert (data["count"], data["total_yuan"]) == (1, "10000000.00")
    text = runner.invoke(args=["signing", "totals"]).output
    assert text.splitlines()[0] == "2023年生态文明贵阳国际论坛共签约项目1个，签约金额0.10亿元"


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("新能源", "新能源"),
        ("贵州省重大绿色发展项目及战略合作协议签约", "贵州省重大绿色发展项目及…"),
        ("Qiandongnan Miao and Dong Autonomous Prefecture", "Qiandongnan Miao and D…"),
    ],
)
def test_chart_labels_fit_their_column(label, expected):
    from matchmaker.signing.charts import fit_label

    assert fit_label(label, 180 / 13) == expected
