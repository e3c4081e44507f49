"""The API layer every app's API stands on, one module each:

- `permissions`: `RolePermission` (who may call an endpoint, by role) and `ScopedQuerysetMixin`;
- `errors`: the JSON error answers (`exception_handler`, the 404/400 handlers) and
  `service_errors`, which turns a service's refusal into one;
- `fields` and `filters`: the serializer fields and filters the apps share (one month rule);
- `schema`: the schema class that documents the error answers, and the month parameter;
- `pagination` and `token`: the page size rules and the token exchange.

This module imports nothing: DRF imports `pagination` and `errors` by their dotted paths in the
settings while it is itself being imported.
"""
