"""Password rules: length over complexity (NIST SP 800-63B), a common-password check, no
composition rules."""

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError


@pytest.mark.parametrize(
    "password",
    [
        "kaffe og rugbrød på trappen",  # a passphrase, spaces and all
        "en meget lang sætning om genhusning, " * 5,  # 190 characters: no upper limit
        "alllowercaseletters",  # no rule asks for capitals, digits or symbols
        "84736291058374",  # nor forbids only digits
    ],
)
def test_it_accepts_long_passwords_of_any_kind(password):
    validate_password(password, user=User(username="maja"))


@pytest.mark.parametrize(
    "password, message",
    [
        ("Kort-1!abcd", "mindst 12 tegn"),  # 11 characters, however "complex"
        ("1qaz2wsx3edc", "for almindelig"),  # on the list of common passwords
        ("maja.holmgaard", "minder for meget"),  # close to her own name
    ],
)
def test_it_refuses_short_common_and_personal_passwords(password, message):
    user = User(username="maja.holmgaard", first_name="Maja", last_name="Holmgaard")
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user=user)
    assert message in " ".join(refused.value.messages)
