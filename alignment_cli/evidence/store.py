"""The evidence file: one JSON per import in the engagement's evidence/ folder, and reading the
latest one back. Only aggregates and the source files' fingerprints are ever in it."""

from __future__ import annotations

import hashlib
import json
from typing import Any

# Reading them back is in the files layer, where scoring reads them too.
from alignment_cli.files.evidence_file import FOLDER, FORMAT, Evidence, folder_of, latest, read

__all__ = ["FOLDER", "FORMAT", "Evidence", "dump", "file_name", "folder_of", "latest", "read"]


def file_name(document: dict[str, Any]) -> str:
    """Named by the sources' digests: the same exports imported again give the same file."""
    digest = hashlib.sha256()
    for source in sorted(s["sha256"] for s in document["sources"]):
        digest.update(source.encode())
    return f"crm-{digest.hexdigest()[:12]}.json"


def dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
