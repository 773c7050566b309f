"""The one input rule for API keys: what is accepted, what is refused, and the words."""

import pytest

from lsdesk.core.api_key import MAX_INPUT_LENGTH, ApiKeyInputError, key_ending, parse_api_key

KEY = "0f8e6a52-5d1c-4c8e-9b7a-3a1f2d4c6e80"


@pytest.mark.parametrize(
    "raw",
    [
        KEY,
        f"  {KEY}\n",
        f"\t{KEY}\r\n",
        f"Organisation {KEY}",
        f"organisation   {KEY}  ",
        KEY.upper(),
    ],
)
def test_accepts_a_uuid_shaped_key_with_surrounding_noise(raw):
    assert parse_api_key(raw).lower() == KEY


def test_keeps_the_case_the_user_pasted():
    assert parse_api_key(KEY.upper()) == KEY.upper()


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("", "Paste your API key first."),
        ("   \n", "Paste your API key first."),
        ("Organisation ", "Paste your API key first."),
        (KEY[:18] + " " + KEY[19:], "spaces or line breaks"),
        (KEY[:18] + "\n" + KEY[19:], "spaces or line breaks"),
        (KEY[:10] + "\x00" + KEY[10:], "hidden characters"),
        (KEY[:10] + "\u200b" + KEY[10:], "hidden characters"),
        (KEY[:10] + "\x1b[31m" + KEY[10:], "hidden characters"),
        ("Bearer " + KEY, "spaces or line breaks"),
        ("not-a-key", "doesn't look like a Lessonspace API key"),
        (KEY[:-1], "doesn't look like a Lessonspace API key"),
        (KEY + "0", "doesn't look like a Lessonspace API key"),
        (KEY.replace("-", ""), "doesn't look like a Lessonspace API key"),
        ("g" + KEY[1:], "doesn't look like a Lessonspace API key"),
        ("\u0430" + KEY[1:], "doesn't look like a Lessonspace API key"),  # Cyrillic a
        ("x" * (MAX_INPUT_LENGTH + 1), "far too long"),
    ],
)
def test_refuses_input_that_is_not_a_key_with_a_plain_sentence(raw, words):
    with pytest.raises(ApiKeyInputError) as refused:
        parse_api_key(raw)
    message = str(refused.value)
    assert words in message
    assert message.endswith(".")


def test_refusal_never_repeats_the_input():
    almost = KEY + "zz"
    with pytest.raises(ApiKeyInputError) as refused:
        parse_api_key(almost)
    assert KEY not in str(refused.value)


def test_key_ending_is_the_last_four_characters_only():
    assert key_ending(KEY) == "6e80"
    assert key_ending(None) is None
    assert key_ending("") is None
