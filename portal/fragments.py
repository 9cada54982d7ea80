"""Keys for `{% cache %}` fragments that are a pure function of the rows they show.

A table of a thousand rows costs the template engine tens of milliseconds. The page passes the
fragment's rows (plain tuples) through `content_key`: the same rows give the same key and so the
same HTML, changed rows a new key, so a cached fragment is never stale and nothing has to
invalidate it. The template adds whatever else the fragment shows (the language) to the key.
"""

import hashlib

FRAGMENT_SECONDS = 600


def content_key(rows) -> str:
    """A digest of the rows' values (plain tuples of strings, numbers and lists of those)."""
    return hashlib.blake2b(repr(rows).encode(), digest_size=16).hexdigest()
