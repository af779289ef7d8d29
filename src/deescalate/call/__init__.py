"""The live call: a call as plain data (`model`), the engine that decides what each key
does (`engine`, no screen and no disk), the terminal that shows it (`screen`), calls
in progress (`saved`), and a call from start to record (`live`).

Submodules are imported where they are used, never from here: the screen's libraries
load only when a call starts.
"""
