"""`python -m mqtt_api_kit.openapi`: parse every document and keep its parse beside it
(`parse_cache.py`), as `python -m compileall` writes bytecode: even where the environment
says not to write it at run time. The Makefile's install step runs it."""

from __future__ import annotations

import sys

from . import _parsed, document_names


def main() -> int:
    for name in document_names():
        _parsed(name, keep=True)
    print(f"kept the parse of {len(document_names())} documents", file=sys.stderr)
    return 0


sys.exit(main())
