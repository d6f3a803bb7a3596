"""core_webservice: the site info a token sees (its service's functions in registry order)."""

from __future__ import annotations

from typing import Any

from lmsync.moodle.emulator.functions.registry import OTHER_MOODLE_FUNCTIONS, PIX, REGISTRY, Call, ws
from lmsync.moodle.emulator.params import Multi, Raw


@ws("core_webservice_get_site_info", {"serviceshortnames": Multi(item=Raw(), default=list)})
def get_site_info(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    site = call.site
    user = site.users.get(call.userid)
    order = list(REGISTRY) + sorted(OTHER_MOODLE_FUNCTIONS)
    functions = [{"name": n, "version": site.version} for n in order if n in call.token.service_functions]
    features = ["usecomments", "usetags", "enablenotes", "messaging", "enableblogs", "enablecompletion",
                "enablebadges", "messagingallusers", "enablecustomreports", "enableglobalsearch",
                "mnet_dispatcher_mode", "enablecompetencies"]
    off = {"messagingallusers", "enableglobalsearch", "mnet_dispatcher_mode"}
    return {
        "sitename": site.sitename,
        "username": user.username if user else "",
        "firstname": user.firstname if user else "",
        "lastname": user.lastname if user else "",
        "fullname": user.fullname if user else "",
        "lang": "en",
        "userid": call.userid,
        "siteurl": site.siteurl,
        "userpictureurl": f"{site.siteurl}{PIX}f1",
        "functions": functions,
        "downloadfiles": 0,
        "uploadfiles": 0,
        "release": site.release,
        "version": site.version,
        "mobilecssurl": "",
        "advancedfeatures": [{"name": f, "value": 0 if f in off else 1} for f in features],
        "usercanmanageownfiles": True,
        "userquota": 104857600,
        "usermaxuploadfilesize": 2097152,
        "userhomepage": 1,
        "userprivateaccesskey": "0" * 32,
        "siteid": 1,
        "sitecalendartype": "gregorian",
        "usercalendartype": "gregorian",
        "userissiteadmin": False,
        "theme": "boost",
        "limitconcurrentlogins": 0,
        "policyagreed": 0,
    }
