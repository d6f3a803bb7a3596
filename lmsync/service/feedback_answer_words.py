"""How the Feedback read names an instrument's answer it cannot use: which question, what it takes.

An answer that is not a whole number on the instrument's scale is left out and said on ``lmsync run``'s feedback
line (and by ``lmsync grades push``) as ``item hours is not usable``: no Feedback question, nothing of what was wrong
nor what was expected, so the admin could not find it in Moodle (tester round 112b, 8). The answer itself stays out:
it is the respondent's own (a mentee's rating of their mentor is withheld from every view), the line goes to the
daemon's journal as well as the console, and README's rule is "Logs carry counts and ids, not names or answers"
(tester round 57, 2). So the line names the response (its attempt, beside it), the Feedback question by its label,
the instrument's item, what kind of value the answer was not, and what the item takes.
"""

from __future__ import annotations

from collections.abc import Mapping

from lmsync.domain.instruments import FeedbackAnswerProblem, Instrument


def answer_problem(problem: FeedbackAnswerProblem, instrument: Instrument, labels: Mapping[str, str]) -> str:
    """The words for ``problem`` of one response to ``instrument``'s Feedback activity: ``labels`` maps an
    instrument item to its Feedback question's label (``[instruments.<name>] feedback_items``; an item not listed
    is its own label). A problem of the whole response (``item`` empty: the respondent's side) says its message.

    ``question labelled comments (item hours): the answer (not shown) is not a number; the item takes a whole number
    from 1 to 5, a declared N/A value (na) or no answer; that answer is left out, the response's other answers are
    stored``: only that answer (tester round 122a, 3: the line said the response was not stored)."""
    if not problem.item:
        return problem.message
    label = labels.get(problem.item, problem.item)
    # the kind from ``Instrument.parse_value``'s message, never its quoted value (an answer)
    kind = ("is outside the scale" if "outside the scale" in problem.message
            else "is not a whole number" if "whole number" in problem.message
            else "is not a number" if "not a number" in problem.message else "cannot be read")
    na = f", a declared N/A value ({', '.join(sorted(instrument.na_values))})" if instrument.na_values else ""
    return (f"question labelled {label} (item {problem.item}): the answer (not shown) {kind}; the item takes a whole "
            f"number from {instrument.scale_min} to {instrument.scale_max}{na} or no answer; that answer is left out, "
            "the response's other answers are stored")
