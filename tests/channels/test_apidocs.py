"""``/docs`` and ``/redoc`` work offline: every asset they load is served by the app itself."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlparse

import pytest

ATTRS = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
ANY_URL = re.compile(r"""(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_reference_no_external_url(client, page):
    response = client.get(page)
    assert response.status_code == 200 and "text/html" in response.headers["content-type"]
    html = response.text
    assert not ANY_URL.findall(html), f"{page} names an outside address"
    assets = [a for a in ATTRS.findall(html) if not a.startswith("data:")]
    scripts = [a for a in assets if a.endswith(".js")]
    assert scripts, f"{page} loads no script"
    for asset in assets:
        url = urljoin("http://testserver" + page, asset)
        assert urlparse(url).netloc == "testserver", asset
        loaded = client.get(url)
        assert loaded.status_code == 200 and len(loaded.content) > 1000, asset
    spec = client.get("/openapi.json")
    assert spec.status_code == 200 and "/api/v1/ask" in spec.json()["paths"]


def test_swagger_ui_does_not_call_the_public_validator(client):
    assert '"validatorUrl": null' in client.get("/docs").text
