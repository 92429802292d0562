"""MinHash signatures of texts and LSH band keys, in plain Python.

A text becomes the set of its word shingles (k consecutive words, after
Unicode NFC and lower-casing, so "Nghị quyết" and "NGHỊ QUYẾT" agree). Its
MinHash is, for each of `num_perm` seeded hash functions, the smallest hash
of any shingle; the share of positions where two signatures agree estimates
the Jaccard similarity of the two shingle sets (standard error about
1/sqrt(num_perm), ±0.09 at 128).

The `num_perm` hash functions are the consecutive 32-bit words of one
SHAKE-256 output per shingle, with a fixed seed in front of the shingle: one
extendable-output call yields every hash value at once (four times faster
than computing 128 universal hashes in Python), and the signatures are stable
across processes, machines and releases, which they must be since they are
stored. Changing `SEED`, `NUM_PERM` or the tokenizer invalidates every stored
signature (rebuild with `hoso archive dedup --rebuild`).

For candidate lookup the signature is cut into `BANDS` bands of `ROWS` rows
(32 × 4): two texts share at least one band key with probability
1 − (1 − s⁴)³², i.e. 99.99 % at s = 0.8, so candidates are found on an index
and only they are compared in full.
"""

from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
from collections.abc import Sequence

NUM_PERM = 128
BANDS = 32
ROWS = 4
SHINGLE_WORDS = 5
SEED = 1
# Shingles hashed per step: bounds the rows held in memory at once.
_CHUNK = 2048
_WORD_RE = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """The text's words, NFC-normalized and lower-cased."""
    return _WORD_RE.findall(unicodedata.normalize("NFC", text or "").lower())


def shingles(text: str, k: int = SHINGLE_WORDS) -> set[str]:
    """The set of k-word shingles of a text; a text shorter than k words but
    not empty is one shingle (so short texts still compare exactly)."""
    tokens = words(text)
    if not tokens:
        return set()
    if len(tokens) <= k:
        return {" ".join(tokens)}
    return {" ".join(tokens[i : i + k]) for i in range(len(tokens) - k + 1)}


def minhash_of_shingles(
    items: set[str], num_perm: int = NUM_PERM, seed: int = SEED
) -> list[int]:
    """The MinHash signature of a shingle set ([] for an empty set).

    Shingles are hashed in chunks so that memory stays bounded for very long
    texts: the running minimum is folded in chunk by chunk.
    """
    if not items:
        return []
    prefix = f"hoso-minhash:{seed}:".encode()
    layout = struct.Struct(f"<{num_perm}I")
    pending = list(items)
    result: list[int] | None = None
    for start in range(0, len(pending), _CHUNK):
        rows = [
            layout.unpack(hashlib.shake_256(prefix + item.encode()).digest(layout.size))
            for item in pending[start : start + _CHUNK]
        ]
        # zip(*rows) turns the rows into columns: one minimum per function.
        minimums = list(map(min, zip(*rows, strict=True)))
        result = minimums if result is None else list(map(min, result, minimums))
    assert result is not None
    return result


def minhash(
    text: str, num_perm: int = NUM_PERM, *, k: int = SHINGLE_WORDS, seed: int = SEED
) -> list[int]:
    """The MinHash signature of a text's k-word shingles ([] for no words)."""
    return minhash_of_shingles(shingles(text, k), num_perm, seed)


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated Jaccard similarity of the texts behind two signatures
    (0.0 when either is empty or they differ in length)."""
    if not a or not b or len(a) != len(b):
        return 0.0
    return sum(1 for x, y in zip(a, b, strict=True) if x == y) / len(a)


def jaccard(a: set, b: set) -> float:
    """The exact Jaccard similarity of two sets (for checks and tests)."""
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


def band_keys(signature: Sequence[int], bands: int = BANDS) -> list[str]:
    """One short key per band of the signature ([] for an empty one)."""
    if not signature:
        return []
    rows = len(signature) // bands
    keys = []
    for band in range(bands):
        chunk = signature[band * rows : (band + 1) * rows]
        packed = struct.pack(f"<{len(chunk)}I", *chunk)
        keys.append(hashlib.blake2b(packed, digest_size=8).hexdigest())
    return keys


def pack(signature: Sequence[int]) -> bytes:
    """The signature as bytes for storage (4 bytes per value)."""
    return struct.pack(f"<{len(signature)}I", *signature)


def unpack(data: bytes | memoryview | None) -> list[int]:
    """A stored signature back as integers."""
    if not data:
        return []
    raw = bytes(data)
    return list(struct.unpack(f"<{len(raw) // 4}I", raw))
