"""`python -m searcher` runs the command line."""

from searcher.cli import main

main(prog_name="searcher")
