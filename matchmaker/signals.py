"""Blinker signals between features: the writer sends, the reacting feature subscribes in
its own module (connected when the app is created), and no import runs back up the layers.

Receivers of `investor_merged` return a JSON-able record of what they moved; the merge
keeps those records in its audit event, and `investor_merge_undone` hands each receiver its
own record back so it can move the rows back.
"""

from __future__ import annotations

from blinker import Namespace

signals = Namespace()

# sender: the investor merged away; kwargs: into (the survivor), user.
# Each receiver returns (name, record) - name keys its record in the audit event.
investor_merged = signals.signal("investor-merged")
# sender: the investor restored; kwargs: into, moved (the receiver's own record), user.
investor_merge_undone = signals.signal("investor-merge-undone")
