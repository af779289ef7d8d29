"""`python -m deescalate`."""

from deescalate.cli import main

main()
