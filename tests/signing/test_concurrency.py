"""Several organisers recording at once on PostgreSQL: nothing lost, nothing applied twice."""

import threading
from decimal import Decimal

import pytest
import sqlalchemy as sa
from factories import make_investor, make_session, make_user

from matchmaker.accounts.models import Role, User
from matchmaker.extensions import db
from matchmaker.investors.models import Investor
from matchmaker.signing import operations
from matchmaker.signing.models import Agreement, SigningSession
from matchmaker.signing.operations import AgreementInput
from matchmaker.signing.totals import signed_totals

pytestmark = pytest.mark.postgres


def run_threads(app, jobs):
    """Run each job(index) in its own thread with its own app context and session,
    all released at once; return the results (or exceptions) in order."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def worker(index, job):
        with app.app_context():
            try:
                barrier.wait()
                results[index] = job(index)
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported to the test
                db.session.rollback()
                results[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_concurrent_recording_loses_nothing_and_never_double_applies(app):
    session_id, investor_id = make_session().id, make_investor().id
    user_ids = [make_user(Role.ORGANIZER).id for _ in range(4)]
    db.session.remove()

    def submit(key: str, amount: str):
        def job(index):
            session = db.session.get(SigningSession, session_id)
            user = db.session.get(User, user_ids[index % 4])
            agreement = operations.record_agreement(
                session, AgreementInput(investor=investor_id, amount=amount, project_name="场外项目",
                                        idempotency_key=key), user=user)
            return agreement.id

        return job

    # 8 distinct submissions, each sent twice by two organisers at the same moment.
    jobs = [submit(f"k{n}", f"0.{n + 1}亿") for n in range(8) for _ in range(2)]
    results = run_threads(app, jobs)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert [results[2 * n] == results[2 * n + 1] for n in range(8)] == [True] * 8
    assert db.session.scalar(sa.select(sa.func.count(Agreement.id))) == 8
    assert signed_totals().total_yuan == Decimal("360000000.00")  # 0.1 + ... + 0.8 亿


def test_concurrent_creation_of_the_same_new_investor_makes_one(app):
    session_id = make_session().id
    user_id = make_user(Role.ORGANIZER).id
    db.session.remove()

    def job(index):
        session = db.session.get(SigningSession, session_id)
        return operations.record_agreement(
            session, AgreementInput(investor="黔源新能源科技有限公司", amount="1", project_name=f"p{index}",
                                    create_investor=True), user=db.session.get(User, user_id)).investor_id

    results = run_threads(app, [job] * 4)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(set(results)) == 1
    assert db.session.scalar(sa.select(sa.func.count(Investor.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(Agreement.id))) == 4


def test_concurrent_voids_apply_once(app):
    session = make_session()
    agreement = operations.record_agreement(
        session, AgreementInput(investor=make_investor().id, amount="1", project_name="p"), user=None)
    db.session.commit()
    agreement_id = agreement.id
    db.session.remove()

    def job(index):
        return operations.void_agreement(db.session.get(Agreement, agreement_id), f"r{index}", user=None).id

    results = run_threads(app, [job] * 3)
    assert sum(1 for r in results if isinstance(r, int)) == 1
    assert sum(1 for r in results if type(r).__name__ == "Conflict") == 2
