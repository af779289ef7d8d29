"""The records folder: record format v1 (`format`, its one owner), writing a record
(`writer`), reading one (`fastreader`, then `reader` as the safe fallback, both into a
`summary.Summary`), the folder and its cache (`store`), and the commands' work:
`filters`, `stats`, `report`, `views`, `export`, `check`, `followups`, `git`.

Submodules are imported where they are used, never from here, so `records.format`
stays as light as the fast paths that import it need.
"""
