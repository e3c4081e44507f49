"""The shared base every app stands on: roles and scoping, validators, personal data, dates,
spreadsheets, the API layer, page helpers, long jobs and locks. It imports no app of the portal:
where it needs one of their models it names it in a setting (e.g. `PORTAL_INSTITUTION_MODEL`)."""
