"""Range header parsing (RFC 9110 byte ranges)."""

from __future__ import annotations

import pytest

from vidrecap.serve.ranges import ByteRange, RangeNotSatisfiable, parse_range, read_chunks


@pytest.mark.parametrize(("header", "expected"), [
    ("bytes=0-99", (0, 99)),
    ("bytes=100-", (100, 999)),
    ("bytes=-100", (900, 999)),
    ("bytes=-5000", (0, 999)),          # suffix longer than the file: all of it
    ("bytes=990-5000", (990, 999)),     # end clamped
    ("bytes=999-999", (999, 999)),
    ("BYTES = 5 - 9", (5, 9)),
])
def test_satisfiable_ranges(header, expected):
    r = parse_range(header, 1000)
    assert (r.start, r.end) == expected
    assert r.content_range() == f"bytes {expected[0]}-{expected[1]}/1000"
    assert r.length == expected[1] - expected[0] + 1


@pytest.mark.parametrize("header", [
    "bytes=1000-", "bytes=5000-6000", "bytes=-0", "bytes=9-5", "bytes=abc", "bytes=-", "bytes=", "bytes=1-2-3",
    "bytes=0x10-20",
])
def test_invalid_or_unsatisfiable_ranges(header):
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, 1000)


def test_empty_file_has_no_satisfiable_range():
    with pytest.raises(RangeNotSatisfiable):
        parse_range("bytes=-10", 0)
    with pytest.raises(RangeNotSatisfiable):
        parse_range("bytes=0-", 0)


@pytest.mark.parametrize("header", [None, "items=0-5", "bytes=0-1,5-6", "garbage"])
def test_ignored_headers_mean_the_whole_file(header):
    assert parse_range(header, 1000) is None


def test_read_chunks_reads_exactly_the_range(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(bytes(range(256)) * 40)
    r = ByteRange(300, 9000, 10240)
    data = b"".join(read_chunks(path, r.start, r.length, chunk=1000))
    assert data == path.read_bytes()[300:9001]
