"""One OpenAPI document for the whole product: the gateway's own routes and every service's, under /api/<service>."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

SECURITY_SCHEME = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A JWT from the region's identity provider (in development: `styr token`). "
        "Roles in the `roles` claim: `UNIT:reader|editor|registrar`, `auditor`, `finance`, `admin`.",
    }
}
_PUBLIC_PATHS = {"/healthz", "/readyz", "/openapi.json"}


def _rename_refs(node: Any, renames: Mapping[str, str]) -> Any:
    if not renames:
        return node
    text = json.dumps(node)
    for old, new in renames.items():
        text = text.replace(f'"#/components/schemas/{old}"', f'"#/components/schemas/{new}"')
    return json.loads(text)


def combine(gateway_doc: dict[str, Any], service_docs: Mapping[str, dict[str, Any] | None]) -> dict[str, Any]:
    """Merge the documents; a schema name two services use differently is prefixed with the service name."""
    doc = copy.deepcopy(gateway_doc)
    paths: dict[str, Any] = dict(doc.get("paths", {}))
    for path, item in paths.items():
        if path.startswith("/api/"):  # the gateway's own operations, the reports
            for operation in item.values():
                operation["security"] = [{"bearerAuth": []}]
    schemas: dict[str, Any] = dict(doc.get("components", {}).get("schemas", {}))
    missing = []
    for service, service_doc in service_docs.items():
        if service_doc is None:
            missing.append(service)
            continue
        own_schemas = service_doc.get("components", {}).get("schemas", {})
        renames = {
            name: f"{service.capitalize()}{name}"
            for name, schema in own_schemas.items()
            if name in schemas and schemas[name] != schema
        }
        for name, schema in _rename_refs(own_schemas, renames).items():
            if name in renames and isinstance(schema, dict):
                # Generators name classes by the title: keep it in step with the new name.
                schema = {**schema, "title": renames[name]}
            schemas[renames.get(name, name)] = schema
        for path, item in _rename_refs(service_doc.get("paths", {}), renames).items():
            if path in _PUBLIC_PATHS:
                continue
            for operation in item.values():
                if isinstance(operation, dict):
                    operation.setdefault("tags", [service])
                    operation["security"] = [{"bearerAuth": []}]
            paths[f"/api/{service}{path}"] = item
    doc["paths"] = paths
    doc.setdefault("components", {})["schemas"] = schemas
    doc["components"]["securitySchemes"] = SECURITY_SCHEME
    if missing:
        doc["info"]["description"] = (
            doc["info"].get("description", "")
            + f"\n\n**Incomplete:** the {', '.join(missing)} service(s) did not answer; their operations are missing."
        )
    return doc
