"""`python -m txlguard` runs the CLI."""

from txlguard.cli import main

main()
