"""The import's fast path against its rule-by-rule check (property tests).

`imports.clean_row` takes a fast path for rows that pass every rule and
falls back to the checked path otherwise; both must give the same clean
values and the same bookkeeping of the numbers seen, for any row."""

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from hoso.members import imports

TODAY = date(2026, 11, 22)
CHOICES = {
    "cell_code": ["A-1", "B-1", "NOPE", "", " A-1 "],
    "full_name": ["Phạm Văn Hùng", "", "  Lê  Thị\nHoa ", "x" * 151, "Tab\there"],
    "birth_name": ["", "Phạm Văn Hùng", "a\\b"],
    "date_of_birth": [
        "02/09/1985", "1985-09-02", "31/02/1985", "2.9.1985", "", "02-09-1985",
        "01/01/2030", " 02/09/1985", "٠٢/٠٩/١٩٨٥", "ab/cd/efgh",
    ],
    "sex": ["Nam", "Nữ", "nam", "FEMALE", "m", "X", ""],
    "ethnicity": ["Kinh", "", "Ê Đê"],
    "citizen_id": ["001085000111", "001085000999", "00108500011", "", "00108500011a"],
    "admission_date": [
        "19/05/2010", "2010-05-19", "19/05/2099", "01/01/2000", "19/05/2050", "",
        "29/02/2011",
    ],
    "full_membership_date": ["", "19/05/2011", "01/01/2009", "bad"],
    "card_number": ["10000001", "", "1000 0001", "123", "10000002", "１0000001"],
    "biography_number": ["000111HN", "000111 hn", "", "12345", "000222ĐB", "000111H1"],
    "badge_number": ["", "42", "9" * 17],
    "dues_category": ["", "salaried", "Hưu trí", "other", "nope"],
    "insured_salary": ["", "7.200.000", "7,200,000", "abc", "²", "0"],
}  # fmt: skip
OTHER = ["place_of_birth", "religion", "hometown", "residence", "occupation"]


def context(seen_id="001085000999", seen_card="10000002"):
    ctx = imports._Context.__new__(imports._Context)
    ctx.units = {"A-1": (1, "/1/2/3/"), "B-1": None, "NOPE": None}
    ctx.preloaded = True
    ctx.seen_ids, ctx.seen_cards, ctx.seen_bios = {seen_id}, {seen_card}, set()
    ctx.today = TODAY
    ctx.card_digits = 8
    return ctx


rows = st.fixed_dictionaries(
    {name: st.sampled_from(values) for name, values in CHOICES.items()},
    optional={name: st.sampled_from(["", "Xã An", " Xã  An "]) for name in OTHER},
)


@settings(max_examples=400, deadline=None)
@given(rows)
def test_fast_path_agrees_with_the_checked_path(raw):
    fast_ctx, checked_ctx, public_ctx = context(), context(), context()
    fast = imports._clean_row_fast(raw, fast_ctx)
    checked, errors = imports._clean_row_checked(7, raw, checked_ctx)
    if fast is not None:
        assert errors == []
        assert fast == checked
    assert (fast_ctx.seen_ids, fast_ctx.seen_cards, fast_ctx.seen_bios) == (
        (checked_ctx.seen_ids, checked_ctx.seen_cards, checked_ctx.seen_bios)
        if fast is not None
        else (context().seen_ids, context().seen_cards, context().seen_bios)
    )
    assert imports.clean_row(7, raw, public_ctx) == (checked, errors)


def test_a_plain_good_row_takes_the_fast_path():
    raw = {name: values[0] for name, values in CHOICES.items()}
    assert imports._clean_row_fast(raw, context()) is not None


@given(
    st.dictionaries(
        st.sampled_from(["full_name", "residence", "religion", "birth_name"]),
        st.text(alphabet="ab \\\tN\n\r", max_size=8),
    )
)
def test_staged_lines_round_trip(values):
    clean = {"full_name": "x", **values, "insured_salary": None}
    line = imports.staged_line(clean, "2026-11-22T00:00:00+00:00")
    assert line.endswith("\n") and line.count("\n") == 1
    parsed = imports._parse_staged_line(line)
    for name, value in values.items():
        assert parsed[imports.STAGED.index(name)] == value
