"""The container's HEALTHCHECK: healthy when /healthz (the process answers) and /readyz (the
index is loaded and the database reachable) both say 200. Standard library only, no curl in
the slim image.

    python deploy/healthcheck.py [BASE_URL]      # exit 0 healthy, 1 not
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request


def healthy(base: str) -> bool:
    for path in ("/healthz", "/readyz"):
        try:
            with urllib.request.urlopen(base.rstrip("/") + path, timeout=4) as response:
                if response.status != 200:
                    return False
        except (urllib.error.URLError, OSError):
            return False
    return True


if __name__ == "__main__":
    sys.exit(0 if healthy(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000") else 1)
