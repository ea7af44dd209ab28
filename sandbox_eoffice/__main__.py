"""python -m sandbox_eoffice upgrade|provision|evidence ..."""

from sandbox_eoffice.cli import main

main(prog_name="python -m sandbox_eoffice")
