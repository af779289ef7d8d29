"""How records look in a terminal, piece by piece."""

from __future__ import annotations

from deescalate.records import store


def test_history_view_shows_open_follow_ups(known, today) -> None:
    from rich.console import Console

    from deescalate.records.views import history_lines, history_view

    found = store.history(known.folder, ref="T-1001")
    assert history_lines(found, today) == [
        "2026-11-05  upset-customer  follow-up  follow-up due 2026-11-10 (overdue)  "
        "Call back about the refund.",
        "2026-10-01  customer-is-wrong  follow-up  Promised a call back.",
    ]
    console = Console(width=100, record=True, color_system=None)
    console.print(history_view(found, today, asked={"ref": "T-1001"}))
    text = console.export_text()
    assert text.splitlines()[0].rstrip() == "Earlier calls (ref T-1001)"
    assert "2026-11-05  upset-customer     follow-up  due 2026-11-10 (overdue)" in text
    console.print(history_view([], today))
    assert "Earlier calls: none" in console.export_text()
