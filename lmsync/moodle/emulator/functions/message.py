"""core_message: instant messages (a mixed batch sends, then fails: trap 29)."""

from __future__ import annotations

import html
import re
from typing import Any

from lmsync.moodle.emulator.exceptions import CommitThenFail
from lmsync.moodle.emulator.functions.registry import Call, ws
from lmsync.moodle.emulator.params import AlnumExt, Int, Multi, Raw, Struct


@ws(
    "core_message_send_instant_messages",
    {"messages": Multi(item=Struct(fields={"touserid": Int(), "text": Raw(), "textformat": Int(default=1),
                                           "clientmsgid": AlnumExt(optional=True)}))},
    touches=("messages",),
)
def send_instant_messages(call: Call, p: dict[str, Any]) -> list[dict[str, Any]]:
    site = call.site
    call.require("moodle/site:sendmessage")
    now = site.now()
    results: list[dict[str, Any]] = []
    for message in p["messages"]:
        result: dict[str, Any] = {"msgid": -1}
        if "clientmsgid" in message:
            result["clientmsgid"] = message["clientmsgid"]
        to = message["touserid"]
        if to not in site.users:
            result["errormessage"] = f"You cannot send a message to a user ID ({to}) that doesn't exist."
        elif not call.has("moodle/site:messageanyuser") and not any(
            call.userid in c.enrolments and to in c.enrolments for c in site.courses.values()
        ):
            result["errormessage"] = "You can't message this user due to their message preferences. Try adding them as a contact."
        else:
            text = message["text"] if message["textformat"] == 1 else f"<p>{plain_to_html(message['text'])}</p>"
            msgid = site.next_id("messages")
            site.messages.append({"id": msgid, "useridfrom": call.userid, "useridto": to, "text": text,
                                  "format": message["textformat"], "clientmsgid": message.get("clientmsgid"),
                                  "timecreated": now})
            result.update({"msgid": msgid, "text": text, "timecreated": now, "conversationid": msgid,
                           "useridfrom": call.userid})
        result["candeletemessagesforallusers"] = False
        results.append(result)
    if any(r["msgid"] == -1 for r in results) and any(r["msgid"] != -1 for r in results):
        # trap 29: the deliverable messages were sent, then the response building fails
        raise CommitThenFail("core\\exception\\moodle_exception", "formatnotsupported", "webservice/formatnotsupported")
    return results


def plain_to_html(text: str) -> str:
    """What Moodle's ``format_text`` makes of a ``FORMAT_PLAIN`` text (lib/weblib.php: ``s()``, two
    spaces as ``&nbsp; ``, ``nl2br``): a name's ``<b>`` is shown, never run (tester round 45, 2: the
    emulator stored it as markup, so a nudge looked as if it injected HTML)."""
    escaped = html.escape(text, quote=True).replace("&#x27;", "&#039;").replace("  ", "&nbsp; ")
    return re.sub(r"(\r\n|\n\r|\n|\r)", r"<br />\1", escaped)  # PHP's nl2br
