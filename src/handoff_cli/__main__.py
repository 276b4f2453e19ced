"""`python -m handoff_cli`: the same as the `handoff` console script."""

from handoff_cli.cli import main

main()
