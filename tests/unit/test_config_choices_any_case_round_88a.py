"""Tester round 88a, 10: ``LMSYNC_IMPORT_DATE_ORDER=DMY`` was refused ("Input should be 'auto', 'dmy' or 'mdy'"):
a choice is now read in any letter case, from the file and from the environment, in every section; a word that
is no choice is still refused, naming the choices."""

from __future__ import annotations

import pytest

from lmsync.config import load_config
from lmsync.errors import ConfigError


def _write(tmp_path, text=""):
    path = tmp_path / "lmsync.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_choice_from_the_environment_is_read_in_any_case(tmp_path):
    config = load_config(_write(tmp_path), environ={"LMSYNC_IMPORT_DATE_ORDER": "DMY",
                                                    "LMSYNC_MATCHING_DUAL_ROLE": "Mentor"})
    assert (config.import_.date_order, config.matching.dual_role) == ("dmy", "mentor")


def test_a_choice_in_the_file_is_read_in_any_case_in_every_section(tmp_path):
    config = load_config(_write(tmp_path, '[import]\ndate_order = "Mdy"\n[meetings]\nperson_key = "IDNumber"\n'
                                          '[health]\nqueue_assign = "By_Mentor"\n'))
    assert (config.import_.date_order, config.meetings.person_key, config.health.queue_assign) == \
        ("mdy", "idnumber", "by_mentor")


def test_a_word_that_is_no_choice_is_still_refused_naming_the_choices(tmp_path):
    with pytest.raises(ConfigError) as error:
        load_config(_write(tmp_path, '[import]\ndate_order = "YMD"\n'))
    assert "import.date_order" in str(error.value) and "'dmy'" in str(error.value) and "line 2" in str(error.value)
