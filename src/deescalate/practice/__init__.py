"""Practice: rehearsing a playbook against a scripted customer before a real call.

The scenario format (`schema`, the one statement of it, and `format`, the typed
model), reading and checking a scenario against its playbook (`loader`), finding
scenarios in the `scenarios/` folder of each playbook folder (`catalog`), the
practice itself (`engine`: a scripted customer over the call engine, no screen, no
disk), judging the trainee's own words (`judge`), the score card (`score`), the
`--answers` script (`answers`), walks with no trainee for `validate` (`walk`), a
plain line-by-line screen (`lines`), the practice on the live-call screen (`screen`), the
transcript in the `practice/` folder (`transcript`) and how scenarios and cards look
(`views`).

This room reads playbooks and drives the call engine; it never touches records, and
nothing below the command line imports it. Submodules are imported where they are
used, never from here.
"""
