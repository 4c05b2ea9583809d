"""Fingerprints: PDQ frame hashes, vPDQ-style video fingerprints, matching, hash indexes and exchange
formats. Only `pdq.py` imports pdqhash; FAISS is optional and only `faiss_index.py` imports it.
"""

from vidsleuth.fingerprint.bits import distance, hash_from_hex, hash_to_hex
from vidsleuth.fingerprint.index import BruteForceIndex, HashIndex, QueryHits
from vidsleuth.fingerprint.matching import MatchResult, MatchRules, Segment, compare
from vidsleuth.fingerprint.mih import MultiIndexHashIndex
from vidsleuth.fingerprint.search import BankItemInfo, BankMatch, BankSearcher, BankSnapshot
from vidsleuth.fingerprint.video import FingerprintBuilder, FrameHash, VideoFingerprint, fingerprint_file

__all__ = [
    "BankItemInfo",
    "BankMatch",
    "BankSearcher",
    "BankSnapshot",
    "BruteForceIndex",
    "FingerprintBuilder",
    "FrameHash",
    "HashIndex",
    "MatchResult",
    "MatchRules",
    "MultiIndexHashIndex",
    "QueryHits",
    "Segment",
    "VideoFingerprint",
    "compare",
    "distance",
    "fingerprint_file",
    "hash_from_hex",
    "hash_to_hex",
]
