"""
The README's advice on datetimes in a URL: ``Z``, or the offset's ``+`` written ``%2B`` -- a bare ``+`` is a space.
"""
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

README = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
CHECK = "/api/cc/v1/ownership/check/?user=bradenmacdonald&repository=edx/edx-platform&"


@pytest.fixture
def as_user(api_client, plain_user, enabled):
    api_client.force_authenticate(plain_user)
    return api_client


def test_the_readmes_url_datetimes_are_accepted_and_a_bare_plus_is_not(as_user, pilot):
    advised = re.findall(r"`(at=[^`]+)`", README)
    assert any(a.endswith("Z") for a in advised) and any("%2B" in a for a in advised)
    for query in advised:
        answer = as_user.get(CHECK + query)
        assert answer.status_code == 200, (query, answer.content)
        assert answer.json()["allowed"] is True
    bare = next(a for a in advised if "%2B" in a).replace("%2B", "+")
    answer = as_user.get(CHECK + bare)
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "at"
