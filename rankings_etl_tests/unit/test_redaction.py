"""The one redaction every server-sent text goes through (pure)."""

from rankings_etl.redaction import contains_secret, printable, redact, server_text

KEY = "sk-or-v1-unit-0123456789abcdef"


def test_the_key_is_replaced_and_every_other_character_kept():
    text = f"a\x00b {KEY} é {KEY}"
    assert redact(text, KEY) == "a\x00b [redacted key] é [redacted key]"
    assert redact(text, f"  {KEY}\n") == redact(text, KEY)  # as the client sends it: stripped
    assert redact("abc", "ab") == "abc"  # too short to be a key
    assert redact("abc", None) == "abc"


def test_control_and_format_characters_are_escaped_visibly():
    assert printable("ok é 模型") == "ok é 模型"
    assert printable("\x00\x1b[2J\r\n\x7f\x85\u202e\ud800\U000e0001") == (
        "\\x00\\x1b[2J\\x0d\\x0a\\x7f\\x85\\u202e\\ud800\\U000e0001"
    )


def test_server_text_is_one_short_safe_line():
    shown = server_text(f"{KEY}\n" + "x" * 1000, KEY, limit=50)
    assert shown.startswith("[redacted key]\\x0a") and shown.endswith("(1018 chars)")
    assert server_text("   ", KEY) == "(empty)"


def test_the_key_is_found_in_any_decoded_string_however_deep():
    value = {"a": [1, {"b": [f"x{KEY}y"]}]}
    for _ in range(50_000):  # deeper than any recursion limit
        value = [value]
    assert contains_secret(value, KEY)
    assert contains_secret({f"key {KEY}": 1}, KEY)
    assert not contains_secret({"a": ["b", 1, None]}, KEY)
