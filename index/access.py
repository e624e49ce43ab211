"""Who may see a record: the one visibility rule every route, index view and count goes through.

A trainee (and an anonymous caller) sees public records only; a teacher sees everything. Whatever a
trainee is told — passages, documents, counts, facets, the known values of a filter, and the term
statistics behind a score — is computed from the records `can_see` lets through.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from enum import Enum

from index.filters import Filters

PUBLIC = "public"


class Role(str, Enum):
    TRAINEE = "trainee"
    TEACHER = "teacher"

    def can_see(self, meta: Mapping) -> bool:
        """A record's (or a document's flat) metadata is visible to this role."""
        return self is Role.TEACHER or meta.get("access") == PUBLIC

    @property
    def audience(self) -> str:
        """The name of the view this role reads ("all" or "public"): one keyword index per audience."""
        return "all" if self is Role.TEACHER else PUBLIC

    def scope(self, filters: Filters | None = None) -> Filters:
        """The caller's filters narrowed to what the role may see, whatever access filter was sent."""
        filters = filters or Filters()
        if self is Role.TEACHER:
            return filters
        return replace(filters, access=(PUBLIC,))
