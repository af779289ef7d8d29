"""Playbooks: the format (`schema`, the one statement of it, and `format`, the typed
model), reading and checking a file (`loader`), finding playbooks (`catalog`), writing
a new one (`authoring`) and showing them (`views`).

Nothing here knows about calls or records. Submodules are imported where they are
used, never from here, so that importing one room costs nothing for the others.
"""
