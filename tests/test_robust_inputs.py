"""bot.inputs, the edge every line-reading command shares: bytes in, valid text out, memory bounded."""

from __future__ import annotations

import io

from bot.inputs import LINE_BYTES, MESSAGE_LIMIT, clean, cut, read_lines


def test_lines_are_decoded_with_replacement_and_keep_their_count():
    stream = io.BytesIO(b"ok\r\n\xff\xfe\xe4\xb8\xad\n\xe4\xb8\n\nlast without a newline")
    assert list(read_lines(stream)) == ["ok", "\ufffd\ufffd中", "\ufffd", "", "last without a newline"]


def test_a_line_over_the_byte_cap_is_read_up_to_it_and_its_rest_skipped():
    stream = io.BytesIO(b"x" * (3 * LINE_BYTES + 5) + b"\nnext\n")
    first, second = read_lines(stream)
    assert len(first) == LINE_BYTES and second == "next"
    assert cut(first, MESSAGE_LIMIT) == ("x" * MESSAGE_LIMIT, True)  # and so it is over the message cap, and said so


def test_a_line_of_four_byte_characters_cut_at_the_byte_cap_is_still_over_the_message_cap():
    (line,) = read_lines(io.BytesIO("𠀋".encode() * (MESSAGE_LIMIT + 10) + b"\n"))
    assert cut(line, MESSAGE_LIMIT)[1]


def test_lone_surrogates_become_the_replacement_character():
    assert clean("a\ud800b\udcff") == "a\ufffdb\ufffd"
    clean("中\ud83d\ude00").encode("utf-8")  # a surrogate pair left as two code points is no character either
