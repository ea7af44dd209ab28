"""`python -m academy`: the same as the `academy` command."""

from academy.cli import main

main()
