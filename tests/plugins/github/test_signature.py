"""
The signature of GitHub's deliveries: X-Hub-Signature-256, HMAC-SHA256 of the raw body with
OPENEDX_CC_GITHUB_WEBHOOK_SECRET, compared in constant time.
"""
import pytest

from openedx_cc.plugins.github.signature import GitHubSignatureError, verify_github_signature
from tests.plugins.github.builders import signature

# GitHub's documented test vector ("Validating webhook deliveries").
VECTOR_SECRET = "It's a Secret to Everybody"
VECTOR_BODY = b"Hello, World!"
VECTOR_SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def test_githubs_test_vector_verifies(settings):
    settings.OPENEDX_CC_GITHUB_WEBHOOK_SECRET = VECTOR_SECRET
    verify_github_signature(VECTOR_BODY, VECTOR_SIGNATURE)
    assert signature(VECTOR_BODY, VECTOR_SECRET) == VECTOR_SIGNATURE


@pytest.mark.parametrize("header, message", [
    (None, "header is missing"),
    ("", "header is missing"),
    ("sha1=757107ea0eb2509fc211221cce984b8a37570b6d", "must be 'sha256=<hex digest>'"),
    ("sha256=xyz", "64 hexadecimal digits"),
    ("sha256=" + "0" * 64, "does not match the body"),
    (VECTOR_SIGNATURE.replace("e17", "e18"), "does not match the body"),
    ("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e1\u0661", "64 hexadecimal digits"),
])
def test_wrong_or_missing_signatures_are_refused(settings, header, message):
    settings.OPENEDX_CC_GITHUB_WEBHOOK_SECRET = VECTOR_SECRET
    with pytest.raises(GitHubSignatureError, match=message) as refused:
        verify_github_signature(VECTOR_BODY, header)
    assert refused.value.configured


def test_another_body_does_not_verify(settings):
    settings.OPENEDX_CC_GITHUB_WEBHOOK_SECRET = VECTOR_SECRET
    with pytest.raises(GitHubSignatureError, match="does not match"):
        verify_github_signature(b"Hello, World?", VECTOR_SIGNATURE)


def test_the_scheme_is_case_insensitive_and_spaces_are_forgiven(settings):
    settings.OPENEDX_CC_GITHUB_WEBHOOK_SECRET = VECTOR_SECRET
    verify_github_signature(VECTOR_BODY, " SHA256=" + VECTOR_SIGNATURE.split("=")[1].upper() + " ")


@pytest.mark.parametrize("secret", [None, "", "   ", 12345])
def test_no_secret_is_not_configured(settings, secret):
    settings.OPENEDX_CC_GITHUB_WEBHOOK_SECRET = secret
    with pytest.raises(GitHubSignatureError, match="OPENEDX_CC_GITHUB_WEBHOOK_SECRET is not set") as refused:
        verify_github_signature(VECTOR_BODY, VECTOR_SIGNATURE)
    assert not refused.value.configured


def test_the_deployment_reports_secret_does_not_sign_deliveries(settings):
    settings.OPENEDX_CC_GITHUB_WEBHOOK_SECRET = "github-secret"
    with pytest.raises(GitHubSignatureError):
        verify_github_signature(VECTOR_BODY, signature(VECTOR_BODY, settings.OPENEDX_CC_WEBHOOK_SECRET))
