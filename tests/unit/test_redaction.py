"""Every form of a secret is masked, and text is redacted before it is cut short."""

from __future__ import annotations

import json
import shlex
import sys
from urllib.parse import quote, quote_plus

import pytest

from chaosml import redaction
from chaosml.errors import ChaosMLError, InfrastructureError, Problem, ValidationError
from chaosml.io import http_client
from chaosml.io.ports import free_port
from chaosml.redaction import MASK, Redactor

SECRET = "S3CR3T-Zq9x7 with space&x=1/'q\"\\z"
PREFIX = "S3CR3T"

SPELLINGS = {
    "raw": SECRET,
    "url-encoded": quote(SECRET, safe=""),
    "requests' URL": quote(SECRET, safe="!#$%&'()*+,/:;=?@[]~"),
    "form-encoded": quote_plus(SECRET),
    "json-escaped": json.dumps(SECRET)[1:-1],
    "json-escaped (unicode)": json.dumps(SECRET + "é", ensure_ascii=True)[1:-1],
    "repr": repr(SECRET)[1:-1],
    "shell-quoted": shlex.quote(SECRET),
}


@pytest.mark.parametrize("form", sorted(SPELLINGS))
def test_every_spelling_of_a_secret_is_masked(form: str) -> None:
    redact = Redactor([SECRET, SECRET + "é"])
    text = redact.text(f"before {SPELLINGS[form]} after")
    assert PREFIX not in text
    assert text.startswith("before ") and text.endswith(" after")


def test_requests_form_of_a_url_secret_is_masked() -> None:
    redact = Redactor(["with space&x=1"])
    assert redact.text("GET /p?t=with%20space&x=1 failed") == f"GET /p?t={MASK} failed"
    assert redact.text("t=with+space%26x%3D1") == f"t={MASK}"


def test_numeric_secrets_are_masked_as_numbers_too() -> None:
    redact = Redactor([4242])
    got = redact({"int": 4242, "float": 4242.0, "other": 4243, "flag": True, "text": "pin 4242"})
    assert got == {"int": MASK, "float": MASK, "other": 4243, "flag": True, "text": f"pin {MASK}"}


def test_text_is_redacted_before_it_is_cut_short() -> None:
    text = "x" * 190 + SECRET + " tail"
    clipped = Redactor([SECRET]).clip(text, 200)
    assert PREFIX not in clipped and "S3" not in clipped
    assert clipped.endswith(MASK + " tail") or len(clipped) == 200


def test_a_driver_error_cut_at_200_characters_leaves_no_partial_secret() -> None:
    redaction.remember([SECRET])
    url = f"http://127.0.0.1:{free_port()}/{'p' * 100}?t={quote(SECRET, safe='')}"
    with pytest.raises(InfrastructureError) as caught:
        http_client.request("GET", url, timeout=1)
    assert caught.value.message.startswith("cannot reach http://127.0.0.1:")
    assert PREFIX not in caught.value.message and SECRET[:8] not in caught.value.message


def test_errors_and_validation_problems_quote_no_loaded_secret() -> None:
    redaction.remember([SECRET])
    error = ChaosMLError(f"bad token {SECRET}", hint=f"try {quote(SECRET, safe='')}")
    assert PREFIX not in error.message + error.hint + str(error)
    invalid = ValidationError([Problem("http.timeout", f"expected a duration, got {SECRET!r}")])
    assert PREFIX not in invalid.message
    assert PREFIX not in invalid.problems[0].message


def test_guarded_streams_mask_every_loaded_secret(capsys: pytest.CaptureFixture[str]) -> None:
    redaction.remember([SECRET])
    with redaction.guard_streams():
        print(f"stdout {SECRET}")
        print(f"stderr {json.dumps(SECRET)}", file=sys.stderr)
    print(f"outside {PREFIX}")
    out, err = capsys.readouterr()
    assert out == f"stdout {MASK}\noutside {PREFIX}\n"
    assert err == f'stderr "{MASK}"\n'


def test_forget_all_empties_the_process_wide_set() -> None:
    redaction.remember([SECRET])
    redaction.forget_all()
    assert redaction.scrub(SECRET) == SECRET
