"""A copy's identity: ``normalised_sha256`` of a normalised text is always ``text_sha256`` of it."""

import random
import unicodedata

from copytrace.text import normalise, normalised_sha256, text_sha256

# Letters, combining marks, characters the quote table maps or removes, and every kind of blank space.
ALPHABET = "ae<=xZ\u0301\u0308\u0316\u0338\u2019\u201c\u2032\u00a0\u2009\u200b\ufeff\u3000\u2028 \t\f\v\r\n.é"


def test_a_normalised_text_hashes_as_if_normalised_again() -> None:
    rng = random.Random(0)
    slow = 0
    for _ in range(20_000):
        clean = normalise("".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 24))))
        slow += not unicodedata.is_normalized("NFC", clean)
        assert normalised_sha256(clean) == text_sha256(clean), repr(clean)
    assert slow > 0  # the alphabet reaches the case a second pass changes


def test_a_zero_width_space_between_a_letter_and_its_mark_takes_the_second_pass() -> None:
    clean = normalise("caf e\u200b\u0301")
    assert clean == "caf e\u0301" and normalise(clean) == "caf é"
    assert normalised_sha256(clean) == text_sha256(clean) == text_sha256("caf é")
