import pytest
from hypothesis import given
from hypothesis import strategies as st

from yiyang.institutions.creditcode import (
    CreditCodeError,
    credit_code_validate,
    credit_code_with_check,
)

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z
bodies = st.tuples(
    st.sampled_from("159ANY"),
    st.sampled_from("123"),
    st.sampled_from(["530103", "530102", "110101", "500112"]),
    st.text(alphabet=ALPHABET, min_size=9, max_size=9),
).map("".join)


@given(bodies)
def test_a_code_with_its_check_character_validates(body):
    code = credit_code_with_check(body)
    assert credit_code_validate(code.lower()) == code


@given(bodies, st.integers(min_value=0, max_value=17), st.sampled_from(ALPHABET))
def test_any_single_character_typo_is_caught(body, position, replacement):
    code = credit_code_with_check(body)
    if code[position] == replacement:
        return
    typo = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(CreditCodeError):
        credit_code_validate(typo)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("5253010", "length"),
        ("52530103MJ0000001I", "format"),
        ("Z2530103MJ00000010", "format"),
        ("52ABCDEFMJ00000010", "format"),
    ],
)
def test_bad_codes_name_their_reason(raw, reason):
    with pytest.raises(CreditCodeError) as exc:
        credit_code_validate(raw)
    assert exc.value.reason == reason


def test_a_wrong_check_character_is_a_checksum_error():
    code = credit_code_with_check("52530103MJ0000001")
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    with pytest.raises(CreditCodeError) as exc:
        credit_code_validate(wrong)
    assert exc.value.reason == "checksum"
