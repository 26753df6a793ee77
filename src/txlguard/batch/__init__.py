"""Audits of large record sets: one pure per-chunk function, a local engine, a second pass for log rules.

>>> from txlguard.batch import RECORD_FIELDS
>>> RECORD_FIELDS[:3]
('id', 'borrower_id', 'counterparty')
"""

from txlguard.batch.chunk import OUTPUT_COLUMNS, RESULT_COLUMNS, map_partitions, process_chunk, split_output
from txlguard.batch.local import AuditOutcome, run_audit
from txlguard.batch.schema import INPUT_COLUMNS, RECORD_FIELDS, BatchInputError, parse_column_map

__all__ = [
    "INPUT_COLUMNS",
    "OUTPUT_COLUMNS",
    "RECORD_FIELDS",
    "RESULT_COLUMNS",
    "AuditOutcome",
    "BatchInputError",
    "map_partitions",
    "parse_column_map",
    "process_chunk",
    "run_audit",
    "split_output",
]
