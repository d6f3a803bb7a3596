"""Tester round 19: ``[health] not_a_good_fit_item`` naming an item no instrument has was accepted,
matched no answer, and no pair was ever re-matched, without a word. It is a configuration error now."""

from datetime import date

import pytest

from lmsync.config import Config
from lmsync.errors import ConfigError
from lmsync.service.health_queue import not_a_good_fit_answers
from lmsync.store.db import Store


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("relationship_satisfaction_mentee.nogoodfit", "instrument 'relationship_satisfaction_mentee' has no item 'nogoodfit'"),
        ("checkin.good_fit", "no instrument 'checkin'"),
        ("nogoodfit", "any configured instrument has no item 'nogoodfit'"),
    ],
)
def test_round_19_a_not_a_good_fit_item_no_instrument_has_is_a_config_error(item, message):
    config = Config.model_validate({"programme": {"name": "p"}, "health": {"not_a_good_fit_item": item}})
    with pytest.raises(ConfigError, match=message):
        not_a_good_fit_answers(config, Store.memory(), [(1, 2)], as_of=date(2026, 11, 1))


def test_round_19_an_item_of_a_configured_instrument_is_read():
    config = Config.model_validate({"programme": {"name": "p"}, "health": {"not_a_good_fit_item": "rs4"}})
    assert not_a_good_fit_answers(config, Store.memory(), [(1, 2)], as_of=date(2026, 11, 1)) == []
