"""Pages say only what is true of a council: a link to its home page is not shown as a link to a service."""

from __future__ import annotations

from pathlib import Path

import pytest

from localgov.build import build
from localgov.cli import main
from tests.conftest import MakeSite


def with_home_page_link(make_site: MakeSite) -> Path:
    root = make_site()
    path = root / "councils/maidstone/council.yaml"
    text = path.read_text("utf-8").replace('{url: "https://www.maidstone.gov.uk/bins", text: Check your bin day}',
                                           '{url: "https://www.maidstone.gov.uk/", text: Check your bin day}')
    path.write_text(text, "utf-8")
    return root


def test_a_link_to_the_home_page_is_not_shown_as_the_services_link(make_site: MakeSite, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(with_home_page_link(make_site), out, finalise=False)
    html = (out / "bin-collections/maidstone/index.html").read_text("utf-8")
    assert "Check your bin day" not in html
    assert ('Report a missed bin on the <a class="govuk-link" href="https://www.maidstone.gov.uk/">Maidstone Borough '
            'Council website</a>') in html


def test_check_warns_about_a_link_to_the_home_page(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    main(["--root", str(with_home_page_link(make_site)), "check", "--verbose"])
    out = capsys.readouterr()
    assert ("councils/maidstone/council.yaml:11: warning: 'links.bin-collections': the link leads to the council's "
            "home page, not to the service") in out.out + out.err, out.out + out.err
