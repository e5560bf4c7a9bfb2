"""`matchmaker notifications deliver [--watch N]` and `matchmaker notifications status`."""

from __future__ import annotations

import json
import time

import click
from flask.cli import with_appcontext

from matchmaker.notifications import delivery, operations
from matchmaker.notifications.schemas import DeliveryOut, DeliveryStatus


@click.group("notifications")
def notifications_group() -> None:
    """Notifications: the e-mail outbox."""


@notifications_group.command("deliver")
@click.option("--watch", type=click.IntRange(min=1), default=None,
              help="Keep delivering every N seconds (retries come due); Ctrl+C stops.")
@with_appcontext
def deliver_command(watch: int | None) -> None:
    """Send the e-mails that are due (needs MATCHMAKER_MAIL_SERVER)."""
    if not operations.mail_enabled():
        click.echo("E-mail is off (set MATCHMAKER_MAIL_SERVER); in-app notices need no delivery.")
        return
    while True:
        counts = delivery.deliver_due()
        click.echo(f"sent {counts['sent']}, retrying {counts['retrying']}, "
                   f"failed {counts['failed']}")
        if watch is None:
            return
        time.sleep(watch)


@notifications_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@with_appcontext
def status_command(as_json: bool) -> None:
    """The outbox: counts by state and the latest deliveries."""
    status = DeliveryStatus(mail_enabled=operations.mail_enabled(),
                            counts=operations.delivery_counts(),
                            items=[DeliveryOut.of(d) for d in operations.deliveries(limit=50)])
    if as_json:
        click.echo(json.dumps(status.dump(), ensure_ascii=False, indent=2))
        return
    click.echo(f"e-mail {'on' if status.mail_enabled else 'off'}: "
               + ", ".join(f"{state} {n}" for state, n in status.counts.items()))
    for item in status.items:
        click.echo(f"#{item.id} {item.state:<8} {item.attempts}x {item.address} {item.kind}"
                   + (f"  {item.last_error}" if item.last_error else ""))


commands = [notifications_group]
