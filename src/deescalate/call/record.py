"""A call, once finished, as the plain record the records room writes."""

from __future__ import annotations

from deescalate.call.model import Call
from deescalate.records.finished import FinishedCall, Marks, Rating, Visit


def finished(call: Call) -> FinishedCall:
    """What the call's record says, as `deescalate.records.writer` takes it."""
    book = call.book(call.playbook)
    on_the_way = {(playbook, step) for playbook, step in call.trail}
    marks = {}
    for key, marked in call.marks.items():
        playbook, step = key.split("/", 1)  # mark_key: neither id has a '/'
        marks[playbook, step] = Marks(tuple(marked.ticked),
                                      tuple((note.at, note.text) for note in marked.notes),
                                      marked.skipped, marked.skip_reason, marked.answer,
                                      taken_back=(playbook, step) not in on_the_way)
    for visit in call.visits:  # a step reached and gone back from, with nothing marked
        where = (visit.playbook or call.playbook, visit.step)
        if where not in on_the_way and where not in marks:
            marks[where] = Marks(taken_back=True)
    return FinishedCall(
        playbook=call.playbook, playbook_version=book.version, playbook_sha256=book.sha256,
        agent=call.agent, customer=call.customer, reference=call.reference,
        started=call.started, ended=call.ended, outcome=call.outcome,
        escalated=call.escalated, root_cause=call.root_cause, summary=call.summary,
        follow_up=call.follow_up,
        visits=tuple(Visit(visit.playbook or call.playbook, visit.step, visit.at, visit.seconds)
                     for visit in call.visits),
        marks=marks,
        mood=tuple(Rating(mood.step, mood.at, mood.value) for mood in call.mood),
        captures=dict(call.captures),
        handover=tuple(call.handover) if call.handover is not None else None,
        record_suffix=call.record_suffix,
    )
