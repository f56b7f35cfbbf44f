"""``python -m slo_harness`` runs the same CLI as the console script."""

from slo_harness.cli import main

main()
