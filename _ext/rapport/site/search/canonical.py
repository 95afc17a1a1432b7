"""A byte-identical index for identical input: Pagefind's filter chunks in sorted order.

Runs after each Pagefind run (:mod:`rapport.site.search.indexer`). Pagefind 1.5 writes the
fragments and word index identically for identical input, but the filter chunks and the
list of filters in ``pagefind.*.pf_meta`` come out in hash-map order, which differs from
run to run (upstream Pagefind issue #638); the file names are content hashes, so they
differ too. The builds must be comparable (serial, ``-j`` and incremental builds give
the same output, and a rebuild of the same site the same files, so a sync uploads only
what changed), so the filter chunks and the meta file are rewritten in sorted order
under new content-hash names.

The files are gzip-compressed CBOR after a ``pagefind_dcd`` signature, read and written
with ``cbor2``. A file that ``cbor2`` would not write back byte for byte as Pagefind
wrote it (a construct of a newer Pagefind) leaves the bundle as Pagefind wrote it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

import cbor2

SIGNATURE = b"pagefind_dcd"


class Unsupported(ValueError):
    """A bundle file this module does not rewrite."""


def read_chunk(path: Path, exact: bool = False) -> Any:
    """The CBOR value of a meta, filter or index file; with ``exact``, only if it would be
    written back byte for byte."""
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise Unsupported(f"{path.name}: no Pagefind signature")
    try:
        value = cbor2.loads(data[len(SIGNATURE) :])
    except cbor2.CBORDecodeError as exc:
        raise Unsupported(f"{path.name}: {exc}") from exc
    if exact and SIGNATURE + cbor2.dumps(value) != data:
        raise Unsupported(f"{path.name}: not written back as read")
    return value


def _write_chunk(folder: Path, prefix: str, suffix: str, digits: int, value: Any) -> str:
    data = SIGNATURE + cbor2.dumps(value)
    name = f"{prefix}_{hashlib.sha256(data).hexdigest()[:digits]}"
    (folder / f"{name}{suffix}").write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    return name


def _sort_key(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def canonicalise_bundle(bundle: Path) -> str:
    """Rewrite the filter chunks and the meta file in sorted order; ``""`` when done, else
    why the bundle was left as Pagefind wrote it."""
    entry_path = bundle / "pagefind-entry.json"
    try:
        entry = json.loads(entry_path.read_text(encoding="utf-8"))
        plans = []
        for language, info in entry["languages"].items():
            meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
            meta = read_chunk(meta_path, exact=True)
            # [version, pages, index chunks, filters [[name, hash]...], sorts, meta fields]
            filters = meta[3]
            if not all(isinstance(f, list) and len(f) == 2 and all(isinstance(x, str) for x in f) for f in filters):
                raise Unsupported("unexpected filter list")
            chunks = {}
            for _name, chunk_hash in filters:
                value = read_chunk(bundle / "filter" / f"{chunk_hash}.pf_filter", exact=True)
                # [filter name, [[value, [page numbers...]], ...]]
                for item in value[1]:
                    item[1] = sorted(item[1])
                value[1] = sorted(value[1], key=_sort_key)
                chunks[chunk_hash] = value
            plans.append((language, info, meta_path, meta, chunks))
    except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        return str(exc) or type(exc).__name__
    for language, info, meta_path, meta, chunks in plans:
        prefix = info["hash"].split("_", 1)[0]
        renamed = {}
        for old, value in chunks.items():
            new = _write_chunk(bundle / "filter", prefix, ".pf_filter", 7, value)
            if new != old:
                (bundle / "filter" / f"{old}.pf_filter").unlink()
            renamed[old] = new
        meta[3] = sorted(([name, renamed[h]] for name, h in meta[3]), key=_sort_key)
        new_meta = _write_chunk(bundle, f"pagefind.{prefix}", ".pf_meta", 10, meta).removeprefix("pagefind.")
        if new_meta != info["hash"]:
            meta_path.unlink()
        entry["languages"][language]["hash"] = new_meta
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return ""
