"""The safe placeholder formatter: names from a dict only, escaped braces, unknown names refused."""

import pytest

from judging.algorithms.placeholders import UnknownPlaceholders, fill, placeholders_in, unknown_placeholders


def test_placeholders_are_filled_from_the_dict_and_braces_can_be_escaped():
    assert fill("Dear {name}, {{not a placeholder}} of { edition }.", {"name": "Ana", "edition": "Prize"}) == \
        "Dear Ana, {not a placeholder} of Prize."


def test_a_value_is_inserted_as_it_is_never_read_as_a_placeholder_again():
    assert fill("{name} / {link}", {"name": "{link}", "link": "x"}) == "{link} / x"


def test_unknown_names_are_refused_all_of_them_in_order_of_appearance():
    with pytest.raises(UnknownPlaceholders) as refused:
        fill("{nmae} {name} {organisation} {nmae}", {"name": "Ana"})
    assert refused.value.names == ["nmae", "organisation"]
    assert str(refused.value) == "{nmae}, {organisation}"


def test_no_attribute_index_or_format_spec_reaches_behind_a_value():
    values = {"name": "Ana"}
    for text in ("{name.__class__}", "{name[0]}", "{name!r}", "{name:>10}", "{__import__}"):
        assert unknown_placeholders(text, values) == [text[1:-1]]
        with pytest.raises(UnknownPlaceholders):
            fill(text, values)


def test_a_lone_brace_is_plain_text_and_names_are_listed_once():
    assert fill("a { b } c", {"b": "B"}) == "a B c"
    assert fill("price {", {}) == "price {"
    assert placeholders_in("{a}{b}{a}") == ["a", "b"]
