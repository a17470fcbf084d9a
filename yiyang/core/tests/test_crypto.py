from hypothesis import given
from hypothesis import strategies as st

from yiyang.core import crypto


@given(st.text(min_size=0, max_size=40))
def test_encrypt_round_trips_and_never_shows_the_plain_text(plain):
    token = crypto.encrypt(plain)
    assert crypto.decrypt(token) == plain
    if len(plain) >= 4:
        assert plain not in token


def test_same_number_encrypts_differently_but_hashes_the_same():
    number = "530103195003010018"
    assert crypto.encrypt(number) != crypto.encrypt(number)
    assert crypto.search_hash(number) == crypto.search_hash(number)
    assert crypto.search_hash(number) != crypto.search_hash("530103195003010026")


def test_tampered_cipher_text_is_refused():
    token = crypto.encrypt("530103195003010018")
    raw = token[:-4] + ("AAAA" if token[-4:] != "AAAA" else "BBBB")
    try:
        crypto.decrypt(raw)
    except Exception as exc:
        assert exc is not None
    else:
        raise AssertionError("tampered token decrypted")
