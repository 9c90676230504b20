"""The compact encodings of stored confidence data: a batch's raw scores, a day's histogram.

A batch is archived as one row whose payload is, little-endian: the magic ``OPSC1``, the
record count n (uint32), the length of the tag list (uint32) and the tag list (JSON, UTF-8),
then n tag indexes (uint16), n times (int64 microseconds since 1970-01-01 UTC) and n scores
(float64), in the order received. Times keep microseconds but not the sender's UTC offset.
A day's histogram is its 1,000 counts, bucket 0 first, as uint32 (4,000 bytes) while every
count fits, else as int64 (8,000 bytes).
"""

from __future__ import annotations

import json
import struct
import sys
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from opsbot.telemetry.histogram import CONFIDENCE_BUCKETS

MAGIC = b"OPSC1"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_HEADER = struct.Struct("<II")
_SWAP = sys.byteorder != "little"  # arrays are native-endian; the encodings are little-endian
_UINT32_MAX = 2**32 - 1
_WIDTHS = {CONFIDENCE_BUCKETS * 4: "I", CONFIDENCE_BUCKETS * 8: "q"}
assert array("I").itemsize == 4 and array("q").itemsize == 8, "needs 32- and 64-bit arrays"


@dataclass(frozen=True)
class ArchivedScore:
    """One confidence score as archived: its tag, its time (aware UTC) and its exact value."""

    tag: str
    at: datetime
    score: float


def pack_scores(
    tags: Sequence[str], tag_ids: Sequence[int], micros: Sequence[int], scores: Sequence[float]
) -> bytes:
    """A batch's payload from its distinct tags and, per record, tag index, time and score."""
    if not len(tag_ids) == len(micros) == len(scores):
        raise ValueError("Every record needs a tag index, a time and a score.")
    names = json.dumps(list(tags), ensure_ascii=False).encode()
    columns: list[array[Any]] = [array("H", tag_ids), array("q", micros), array("d", scores)]
    if _SWAP:
        for column in columns:
            column.byteswap()
    return b"".join(
        [MAGIC, _HEADER.pack(len(scores), len(names)), names, *(c.tobytes() for c in columns)]
    )


def unpack_scores(payload: bytes) -> list[ArchivedScore]:
    """The records of a batch's payload, in the order they were received."""
    view = memoryview(payload)
    if bytes(view[: len(MAGIC)]) != MAGIC:
        raise ValueError("Not an archived confidence batch (unknown magic).")
    offset = len(MAGIC)
    n, names_size = _HEADER.unpack_from(view, offset)
    offset += _HEADER.size
    tags = json.loads(bytes(view[offset : offset + names_size]))
    offset += names_size
    columns = []
    for code in ("H", "q", "d"):
        column = array(code)
        end = offset + n * column.itemsize
        column.frombytes(view[offset:end])
        if _SWAP:
            column.byteswap()
        columns.append(column)
        offset = end
    if offset != len(view):
        raise ValueError("An archived confidence batch has trailing or missing bytes.")
    tag_ids, micros, scores = columns
    return [
        ArchivedScore(tags[t], EPOCH + timedelta(microseconds=us), s)
        for t, us, s in zip(tag_ids, micros, scores, strict=True)
    ]


def pack_counts(counts: Sequence[int]) -> bytes:
    """A day's histogram: uint32 counts while they fit (the usual case), else int64."""
    if len(counts) != CONFIDENCE_BUCKETS:
        raise ValueError(f"A histogram has {CONFIDENCE_BUCKETS} buckets, not {len(counts)}.")
    packed = array("I" if max(counts) <= _UINT32_MAX else "q", counts)
    if _SWAP:
        packed.byteswap()
    return packed.tobytes()


def unpack_counts(payload: bytes) -> array:
    """The 1,000 counts of a packed histogram (its length says how wide they are)."""
    counts = array(_WIDTHS.get(len(payload), "q"))
    counts.frombytes(payload)
    if _SWAP:
        counts.byteswap()
    if len(counts) != CONFIDENCE_BUCKETS:
        raise ValueError(f"A packed histogram has {len(counts)} buckets, not {CONFIDENCE_BUCKETS}.")
    return counts


EMPTY_COUNTS = pack_counts([0] * CONFIDENCE_BUCKETS)
