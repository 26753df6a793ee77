"""Reports: judgements and audits rendered for people (Markdown, terminal text; more formats later)."""

from txlguard.report.assessment import render_markdown

__all__ = ["render_markdown"]
