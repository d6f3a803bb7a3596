"""``lmsync person export|erase``: one person's data held by lmsync, for data-subject requests."""

from __future__ import annotations

import json
from pathlib import Path

import click

from lmsync.cli import FORCE_OUT, OutPath, examples
from lmsync.cli.output import say
from lmsync.errors import InputError
from lmsync.service import privacy
from lmsync.service.clock_reads import refuse_erase_behind
from lmsync.service.out_files import check_out
from lmsync.service.private_files import write_private
from lmsync.service.stores import refuse_if_absent

#: What Moodle holds about a person that lmsync wrote or read and an erasure here leaves (tester round 68, 5).
MOODLE_KEEPS = ("their grades and the assignment's attendance grade and comment in the gradebook, their Feedback "
                "responses, their forum posts and circle membership, and the messages lmsync sent through Moodle "
                "(nudges to them and to their partners, coordinators' digests naming them): delete them in Moodle "
                "(its privacy tool, Site administration > Users > Privacy and policies > Data requests, does it)")


@click.group("person", epilog=examples("lmsync person export s0006 --out s0006.json"))
def command() -> None:
    """Export or erase everything lmsync stores about one person."""


@command.command(
    "export",
    epilog=examples("lmsync person export s0006 --out s0006.json", "lmsync person export s0006@example.org"),
)
@click.argument("who")
@click.option("--out", type=OutPath(dir_okay=False, path_type=Path), help="Write the JSON here (mode 600).")
@FORCE_OUT
@click.pass_context
def export_command(ctx: click.Context, who: str, out: Path | None, force: bool) -> None:
    """Everything about WHO (Moodle id, username, idnumber or email; or id:N, idnumber:X, ...) as JSON."""
    config = ctx.obj.config()
    # a store that is not there answers no request: "holds nothing" read as the reply (tester round 77b, 2)
    refuse_if_absent(config, "person export", holds="nothing to export, and says nothing of what the programme's store holds")
    if out is not None:
        check_out(out, force=force, config=config)
    data, label = privacy.export_labelled(config, who)
    if privacy.holds_nothing(data) and data.get("username") is None:  # as erase says it (tester round 68, 9)
        raise InputError(f"nothing to export: neither this store nor Moodle knows {label}",
                         hint="check the Moodle id, or give the username, idnumber or email")
    if privacy.holds_nothing(data):  # an empty export read as an answer about someone (tester round 8, 6)
        # named as every view names people, not by a bare id (tester round 35, 4), the id once (round 68, 9)
        ids = "" if "Moodle id" in label else f"Moodle id {data['person_id']}; "
        say(f"nothing to export: this store holds nothing about {label} ({ids}no rows, "
                   "no journal entries) and they are in no circle" + ("; nothing written" if out else ""))
        return
    text = json.dumps(data, indent=2, default=str)
    if out is None:
        say(text)
    else:
        write_private(out, text)  # owner-only from its first byte (tester round 77b, 6)
        say(f"written to {out}")
    if data.get("erased_on"):  # empty lists read as all there is, not as an erasure (tester round 79, 11)
        _note(ctx, f"note: {{}} was erased from this store on {data['erased_on']} (`erased_on`): nothing about them "
              "dated up to that day is kept, so the export holds only what was stored since (and the circles Moodle "
              "shows)", label, f"Moodle id {data['person_id']}")


@command.command("erase", epilog=examples("lmsync person erase s0006 --yes"))
@click.argument("who")
@click.option("--yes", is_flag=True, help="Do it without asking.")
@click.option(
    "--while-enrolled",
    is_flag=True,
    help="Erase someone still enrolled in the programme course or in a circle (the next sync pairs them again).",
)
@click.pass_context
def erase_command(ctx: click.Context, who: str, yes: bool, while_enrolled: bool) -> None:
    """Delete WHO's meetings, survey answers and scores, assignment comments, health snapshots, queue items,
    nudges, pairing history and the store's record of grades published, and their id from the write journal.
    Refused while WHO is enrolled in the programme course or in a circle: unenrol them in Moodle first (or
    --while-enrolled). Moodle's own copies (gradebook, Feedback responses, forum posts, the messages lmsync sent)
    stay: delete them in Moodle."""
    config = ctx.obj.config()
    # never made by an erasure: one in a store that is not the programme's erased nothing (tester round 77b, 2)
    refuse_if_absent(config, "person erase", holds="nothing to erase, and the programme's store would keep it all")
    privacy.check_store(config)  # a store it cannot erase in is refused before anything is asked (tester round 78, 7)
    refuse_erase_behind(config)  # a clock behind the store's records, exit 2 before anything is asked (round 111b, 1)
    person = privacy.identify(config, who)  # the prompt names the person, not what was typed
    refusal = privacy.still_here(person, who)
    if refusal is not None and not while_enrolled:  # tester round 4, 6
        raise refusal
    if person.enrolled and (person.paired_role or person.partners):  # a coordinator as a manager: never paired (130a, 1)
        again = ("once their enrolment is active again, the next sync reads them again"  # round 51b, 9
                 if person.suspended else "the next sync reads them again")
        paired = bool(person.partners or person.held_partners or person.circles or person.past_partners)  # a coordinator's? (round 85b, 10)
        _note(ctx, "note: {} is still enrolled in the programme course: " + again + " and "
              + ("" if paired else "(if they hold a mentee or mentor role) ") + "pairs them as if new; their pairs' meeting grades count again from tomorrow (the gradebook keeps "
              "their values until then; the other side's count of meetings held loses the erased ones), and their "
              "assignment attendance grade, whose record this store then no longer holds, is left as it is: "
              "`lmsync grades plan` names it whenever the grade lmsync works out differs from it (keep it, or give "
              "their grade by hand in Moodle's grading page: a grade cleared there stays the clearer's)",  # rounds 26, 3, 48, 3 and 79, 2 (no exit 2 for it)
              person.label, f"Moodle id {person.user_id}")
    # someone not in the course is labelled by the id already (tester round 6, 13)
    label = f"{person.label} (Moodle id {person.user_id})" if person.enrolled else person.label
    from lmsync.service.erase_backups import backup_notes, backups_said
    from lmsync.service.erase_circle import kept_circle, kept_note
    from lmsync.service.erase_marks import forbids_entry, marked_pairs
    from lmsync.service.erase_sides import (
        answers_lost,
        coordinator_said,
        figures_withheld,
        grades_said,
        hold_ended,
        notes_said,
        others_said,
        own_grades_note,
        sides_of,
    )

    # earlier pairs lose the same: the store's meetings and history of them (tester round 68, 4); a held circle's
    # members are pairs now, not earlier ones (tester round 100b, 6)
    others = others_said(person.partners, person.held_partners, person.past_partners)
    marks = marked_pairs(config, person.user_id)
    sides = sides_of(config, person.user_id, person.circles)  # a mentor's erasure differs (tester round 77b, 2-4)
    source = config.source or "the configuration"
    kept_apart = (f" Their {len(marks)} \"not a good fit\" mark(s) go too, so the match may pair them with that person "
                  "again: at the next sync while they are enrolled (a re-match not yet synced is undone), or when they "
                  f"come back. To keep the pair(s) apart, add {forbids_entry(marks)} to the [matching] forbids list in "
                  f"{source}.") if marks else ""  # tester rounds 48, 1 and 49, 2
    try:
        agreed = yes or click.confirm(
            f"Erase everything lmsync stores about {label}? {others} the pair's meetings, "
            "health history, coordinator queue items with their decisions, the record of nudges sent "
            f"(so may be nudged again as if new){answers_lost(sides)}. {notes_said(sides)}"  # round 112b, 9a
            f"{grades_said(sides)}"  # the partners' meeting grades, said before it is done (tester round 115b, 4)
            f"{hold_ended(config, sides)}{figures_withheld(sides)}{kept_apart}"
            f"{coordinator_said(privacy.still_coordinator(config, person), source)}"
            f"{backups_said(config)} This cannot be undone"  # the migration's backups (tester round 119, 1)
        )
    except click.Abort:  # no answer: end of input, no terminal (tester round 3, 18: "Aborted!", exit 1)
        raise InputError(f"nothing erased: no answer to confirm erasing {label}",
                         hint=f"answer at a terminal, or add --yes: lmsync person erase {who} --yes"
                         + (" --while-enrolled" if while_enrolled else "")) from None  # tester round 5, 13
    if not agreed:
        say("nothing erased")
        return  # "no" asked for nothing to happen: exit 0 (no README exit code means "stopped")
    # worked out before anything goes, and said whatever the erasure finds to delete (tester round 78, 4)
    kept = kept_circle(config, person.user_id, person.own_circle)
    erased_before = person.user_id in privacy.store_people_of(config)  # the store knows them (tester round 130a, 2)
    counts = privacy.erase(config, f"id:{person.user_id}", while_enrolled=while_enrolled)
    if not any(counts.values()) and person.username is None and not erased_before:  # tester round 20, 6
        # bad input, exit 3, as `person export` says it of the same key (tester round 77b, 13: exit 0 here)
        raise InputError(f"nothing erased and nothing recorded: neither this store nor Moodle knows {label}",
                         hint="check the Moodle id, or give the username, idnumber or email")
    if not any(counts.values()):  # "erased: ... 0" read as if something was (tester round 5, 14)
        held = "nothing more to erase about" if kept is not None and kept.in_store else "nothing about"
        say(f"nothing erased: this store holds {held} {label}; the erasure is recorded, so their "
                   "Moodle answers and meetings dated up to today are never stored")
    else:
        say("erased: " + ", ".join(f"{table} {n}" for table, n in counts.items()))
        say("note: a mentor's received rating already published with their answers in it stays as published, "
            "frozen, in Moodle's gradebook and in this store's record of that mentor's grade (published_grades above "
            "counts this person's own); copies outside the store (reports, exports, saved plans, backups) are yours "
            "to delete")  # tester round 25, 5 and 6; round 68, 5
        say(f"note: Moodle keeps its own copies, which lmsync does not delete: {MOODLE_KEEPS}")  # tester round 68, 5
        if counts.get("meetings"):  # their partners' meeting grades change at the next push (tester round 114a, 4)
            from lmsync.domain.grades_unbacked import ERASED_MEETINGS_NOTE
            say(ERASED_MEETINGS_NOTE)
        if shared := counts.get("meeting_notes_shared"):  # other people's records changed: said (tester round 111b, 6)
            say(f"note: meeting_notes_shared {shared}: a mentor's note on a circle meeting logged in Moodle's Feedback "
                "meeting log was taken off that many meetings of the other mentees who were there, as it may name "
                "this person; their meetings, ratings and own notes stay")
        if own := own_grades_note(sides):  # their mentor's own survey grades are held, not changed (round 122b, 3)
            say(own)
    for line in backup_notes(config):  # a rollback to one brings them back (tester round 119, 1)
        say(line)
    if kept is not None:  # lmsync's proof it made the group (pass 70, 3), erased or not (tester round 78, 4)
        say(kept_note(kept))
    if marks and any(counts.values()):  # said again where --yes asked nothing
        _note(ctx, "note: {}'s \"not a good fit\" mark(s) are erased: to keep the pair(s) apart, add "
              f"{forbids_entry(marks)} to the [matching] forbids list in {source}", person.username or "",
              f"Moodle id {person.user_id}")
    for key in privacy.still_in_matching(config, person):  # the next match acts on them (tester round 77b, 11)
        _note(ctx, f"warning: {{}} is still named in {key} of {config.source or 'the configuration'}: lmsync does "
              "not edit it; remove them there unless the entry should stay", person.username or "",
              f"Moodle id {person.user_id}")
    for key in privacy.still_coordinator(config, person):  # the next sync would give them items again
        _note(ctx, f"warning: {{}} is still listed in {key} of {config.source or 'the configuration'}: remove them "
              "there; while listed they get no digest and no queue item, and every run warns",  # tester round 77b, 4
              person.username or "", f"Moodle id {person.user_id}")


def _note(ctx: click.Context, text: str, name: str, ids: str) -> None:
    """A note on stderr naming ``name`` for a person at a terminal; under ``--log-format json`` one
    JSON line naming ``ids`` instead: stderr is the log there (tester round 25, 7)."""
    if ctx.obj.log_format == "json":
        say(json.dumps({"event": "person.note", "level": "warning", "message": text.format(ids)}), err=True)
    else:
        say(text.format(name), err=True)
