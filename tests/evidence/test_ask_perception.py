"""Questions about what is seen or heard, not said, are answered from the experts with cited times."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def asker(experts_recap):
    from vidrecap.qa import Asker

    return Asker.build(experts_recap.directory)


def _cites(answer, span) -> bool:
    lo, hi = span
    return any(c.start < hi and c.end > lo for c in answer.citations)


def test_heard_applause_is_answered_with_its_time(asker, experts_video):
    answer = asker.ask("When does the audience applaud?")
    assert answer.found, answer
    assert _cites(answer, experts_video[1][4]), answer.citations
    assert "Heard at" in answer.answer


def test_seen_close_up_is_answered_with_its_time(asker, experts_video):
    answer = asker.ask("Is there a close-up of someone's face?")
    assert answer.found, answer
    assert _cites(answer, experts_video[1][2]), answer.citations
    assert "Seen at" in answer.answer


def test_unrelated_questions_stay_not_found(asker):
    for question in ("What is the capital of Australia?", "How much flour goes into the bread dough?"):
        assert not asker.ask(question).found, question
