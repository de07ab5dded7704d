"""JSON Patch (RFC 6902) on a resource held as a dict: add, remove, replace and test.

FHIR's PATCH interaction takes a JSON Patch document (http://hl7.org/fhir/R4/http.html#patch);
the server applies it to the current resource and treats the result as an update. ``move`` and
``copy`` are refused (nothing a client needs to cancel an appointment).
"""

import copy

from django.utils.translation import gettext as _

from secretariat.interop.fhir.errors import invalid

OPERATIONS = ("add", "remove", "replace", "test")


def apply_patch(document: dict, operations) -> dict:
    """A patched copy of ``document``; 400 for a malformed patch or a failed test."""
    if not isinstance(operations, list):
        raise invalid(_("A JSON Patch is a JSON array of operations."))
    result = copy.deepcopy(document)
    for index, operation in enumerate(operations):
        where = f"[{index}]"
        if not isinstance(operation, dict) or operation.get("op") not in OPERATIONS \
                or not isinstance(operation.get("path"), str):
            raise invalid(_("Patch operation %(index)s: give op (add, remove, replace or test) and path.")
                          % {"index": where})
        op, path = operation["op"], operation["path"]
        if op != "remove" and "value" not in operation:
            raise invalid(_("Patch operation %(index)s: give a value.") % {"index": where})
        parent, key = _locate(result, path, where)
        if op == "test":
            if _get(parent, key, where) != operation["value"]:
                raise invalid(_("Patch operation %(index)s: the test on %(path)s failed.")
                              % {"index": where, "path": path})
        elif op == "remove":
            _get(parent, key, where)
            del parent[key]
        elif op == "replace":
            _get(parent, key, where)
            parent[key] = copy.deepcopy(operation["value"])
        elif isinstance(parent, list):  # add
            if key == len(parent):
                parent.append(copy.deepcopy(operation["value"]))
            else:
                parent.insert(key, copy.deepcopy(operation["value"]))
        else:
            parent[key] = copy.deepcopy(operation["value"])
    return result


def _locate(document, path: str, where: str):
    if not path.startswith("/"):
        raise invalid(_("Patch operation %(index)s: the path must start with “/”.") % {"index": where})
    parts = [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]
    parent = document
    for part in parts[:-1]:
        parent = _get(parent, _key(parent, part, where, adding=False), where)
    return parent, _key(parent, parts[-1], where, adding=True)


def _key(container, part: str, where: str, *, adding: bool):
    if isinstance(container, list):
        if part == "-" and adding:
            return len(container)
        if not part.isdigit() or int(part) > len(container):
            raise invalid(_("Patch operation %(index)s: no element %(part)s.") % {"index": where, "part": part})
        return int(part)
    if isinstance(container, dict):
        return part
    raise invalid(_("Patch operation %(index)s: no element %(part)s.") % {"index": where, "part": part})


def _get(container, key, where: str):
    try:
        return container[key]
    except (KeyError, IndexError, TypeError):
        raise invalid(_("Patch operation %(index)s: no element %(part)s.")
                      % {"index": where, "part": key}) from None
