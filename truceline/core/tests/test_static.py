"""Static files as the served product sends them: hashed names, compressed, cached for long."""

# ruff: noqa: S310 - the URLs are the test's own server on 127.0.0.1

from __future__ import annotations

import re
import urllib.request

import pytest

from truceline.core.harness import Deployment


@pytest.mark.processes
def test_served_pages_link_hashed_compressed_immutable_files() -> None:
    with Deployment(workers=1) as deployment:
        deployment.start()
        base = f"http://127.0.0.1:{deployment.port}"
        with urllib.request.urlopen(f"{base}/", timeout=10) as r:
            html = r.read().decode()
        css = re.search(r'href="(/static/truceline/site\.[0-9a-f]{12}\.css)"', html)
        assert css, "the page links the plain name"
        for encoding in ("br", "gzip"):
            request = urllib.request.Request(base + css[1], headers={"Accept-Encoding": encoding})
            with urllib.request.urlopen(request, timeout=10) as r:
                assert r.headers["Content-Encoding"] == encoding
                assert "immutable" in r.headers["Cache-Control"]
                assert "max-age=315360000" in r.headers["Cache-Control"]
        assert "<script" not in html  # the home page uses no script, and loads none
