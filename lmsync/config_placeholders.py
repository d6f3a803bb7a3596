"""Checking a configured text template's ``{placeholders}`` when the configuration is read (tester round 127, 3).

lmsync fills its Moodle-bound templates ([programme] group_name_template, [sync.welcome] subject and message)
with ``str.format``: a placeholder it does not fill (``{mentor_name}``), an unclosed ``{`` or a positional ``{}``
raised only when the first new circle was planned, a traceback that stopped every sync; format specs,
conversions and attribute or index access (``{x!r}``, ``{x.__class__}``, ``{x[0]}``, ``{x:>10}``) passed and
posted Python's text (``<class 'str'>``, a docstring) to the forum. Only plain named placeholders are taken;
``{{`` and ``}}`` stay literal braces.
"""

from __future__ import annotations

import string

_FORMATTER = string.Formatter()


def placeholder_problem(template: str, placeholders: tuple[str, ...]) -> str | None:
    """Why ``template.format(**{p: text for p in placeholders})`` would fail or fill anything but plain text, or
    None. The reason names the bad placeholder as written and the allowed ones ("placeholders: {group_name},
    {mentor_fullname}", or "none"). With None, that call cannot raise and puts each value in as it is."""
    allowed = ", ".join("{" + p + "}" for p in placeholders) or "none"
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion in _FORMATTER.parse(template)
                  if name is not None]
    except ValueError as exc:  # "a { b": expected '}' before end of string; a lone "}"
        return f"malformed placeholder: {exc} (write a literal brace as {{{{ or }}}}; placeholders: {allowed})"
    for name, spec, conversion in fields:
        written = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
        if not name or name.isdigit():
            return f"positional placeholder {written}: name one (placeholders: {allowed})"
        base = name.split(".", 1)[0].split("[", 1)[0]
        if base not in placeholders:
            return f"unknown or malformed placeholder {base!r} (placeholders: {allowed})"
        if base != name or spec or conversion:
            return (f"placeholder {written} has a format spec, conversion or attribute/index access: "
                    f"write {{{base}}} as it is (placeholders: {allowed})")
    return None
