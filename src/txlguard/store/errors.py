"""Store errors: each carries a Chinese message that can be shown to the user as is."""

from __future__ import annotations


class StoreError(Exception):
    """Something the user asked the store cannot do; ``str(error)`` is Chinese."""


class CaseNotFound(StoreError):
    """No case has this id."""

    def __init__(self, case_id: str) -> None:
        super().__init__(f"找不到案件 {case_id}；用 txlguard case list 查看已有案件")
        self.case_id = case_id


class BlobError(StoreError):
    """An original file is missing from the blob store or no longer matches its hash."""
