"""The made-up demo content: the same prefix whatever the count."""

from judging.demo import content as demo


def test_the_demo_content_is_the_same_whatever_the_count():
    small = demo.demo_entries(10, organisations=demo.demo_organisations(demo.organisations_needed(10)))
    large = demo.demo_entries(100, organisations=demo.demo_organisations(demo.organisations_needed(100)))
    assert small == large[:10]
    pairs = [(entry.organisation_index, entry.category_position) for entry in large]
    assert len(pairs) == len(set(pairs))  # never twice in one category: the limit is one entry per organisation
