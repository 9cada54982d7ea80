"""/api/v1/docs: the results API described on a portal page, in the reader's language, from the OpenAPI schema.

Ninja's own Swagger page is switched off (judging/api/endpoints.py): it is an unstyled page in English only,
outside the portal's layout and failing its contrast checks. This page reads the same schema that
/api/v1/openapi.json serves, so the two never disagree; the operations' summaries are in the catalogue
(marked in endpoints.py) and shown translated, field names stay as the JSON spells them.
"""

from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from ..api.endpoints import api
from ..selectors import public as public_selectors

API_PREFIX = "/api/v1/"


def _type(schema: dict) -> tuple[str, str | None]:
    """A field's type as a reader says it, and the schema it names (for a link), if any."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return name, name
    if "anyOf" in schema:
        kinds = [_type(option) for option in schema["anyOf"] if option.get("type") != "null"]
        label, ref = kinds[0] if kinds else ("null", None)
        return gettext("%(type)s or null") % {"type": label}, ref
    if schema.get("type") == "array":
        label, ref = _type(schema.get("items", {}))
        return gettext("list of %(type)s") % {"type": label}, ref
    return schema.get("format") or schema.get("type", "object"), None


def _responses(operation: dict) -> list[dict]:
    rows = []
    for code, response in operation.get("responses", {}).items():
        content = response.get("content", {}).get("application/json", {}).get("schema", {})
        label, ref = _type(content) if content else ("", None)
        rows.append({"code": code, "type": label, "ref": ref})
    return rows


@require_GET
def api_docs(request):
    schema = api.get_openapi_schema(path_prefix=API_PREFIX)
    example = public_selectors.published_editions().order_by("-published_at").values_list("slug", flat=True).first()
    operations = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            example_url = path.replace("{slug}", example) if example else (None if "{" in path else path)
            operations.append({
                "id": operation.get("operationId", path), "method": method.upper(), "path": path,
                "summary": gettext(operation.get("summary", "")), "example_url": example_url,
                "parameters": [{"name": p["name"], "where": p.get("in"), "required": p.get("required", False)}
                               for p in operation.get("parameters", [])],
                "responses": _responses(operation),
            })
    schemas = []
    for name, component in schema["components"]["schemas"].items():
        required = set(component.get("required", []))
        fields = []
        for field, spec in component.get("properties", {}).items():
            label, ref = _type(spec)
            fields.append({"name": field, "type": label, "ref": ref, "required": field in required})
        schemas.append({"name": name, "fields": fields})
    return render(request, "judging/api_docs.html", {
        "operations": operations, "schemas": schemas, "version": schema["info"]["version"],
        "openapi_url": f"{API_PREFIX}openapi.json",
    })
