"""`records report`: one self-contained HTML page for team leads and trainers.

`figures` counts (SQL over the records index), `charts` draws (Matplotlib, as inline
SVG; the `report` extra), `page` sets it out with a table beside every chart.
"""
