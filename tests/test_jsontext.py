"""jsontext writes the changes' JSON without importing `json` (issue 13): it must write
exactly what `json.dumps(value, ensure_ascii=False)` writes, for any value."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from handoff_cli import jsontext

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(), inner, max_size=4)
        | st.dictionaries(st.integers(), inner, max_size=2)
    ),  # left to json itself
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(values)
def test_the_same_text_as_json(value: object) -> None:
    compact = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for dumps in (jsontext.dumps, jsontext.without_json):  # (json is loaded here: both ways)
        assert dumps(value) == json.dumps(value, ensure_ascii=False)
        assert dumps(value, compact=True) == compact


def test_control_characters_quotes_and_surrogates() -> None:
    text = 'a"b\\c\n\t\x00\x7f\u2028 報告 \ud800'
    assert jsontext.without_json({"t": [text, True, None, -3]}) == json.dumps(
        {"t": [text, True, None, -3]}, ensure_ascii=False
    )
