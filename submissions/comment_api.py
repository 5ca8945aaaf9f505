"""Comments in the API under /api/c/<slug>/: the threads (a comment with its replies), a new comment
on a section or a passage, a reply, resolve and reopen. The same services and rules as the page:
members comment and reply, observers read (403 on a write), the author, the section's editors and
admins resolve and reopen; another coalition's comment is 404, its ids in a body are unknown (400).

A page of threads costs the same queries whatever the number of comments, replies and mentions
(selectors.comments.threads, and one read of the authors' organisations).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from coalitions.api import CoalitionScopedMixin
from coalitions.models import Coalition, Membership, Role
from upr.inputs import parse_id

from . import services
from .comment_serializers import CommentCreateSerializer, CommentSerializer
from .models import Comment, Section
from .selectors.comments import author_organisations, threads, truthy

__all__ = ["CommentViewSet", "FILTERS", "comment_data", "comment_write", "filtered"]

FILTERS = [
    OpenApiParameter("document", int, description="Only this document's comments (id)."),
    OpenApiParameter("section", int, description="Only this section's comments (id)."),
    OpenApiParameter("resolved", bool, description="true: only resolved threads; false: only open ones."),
]


def filtered(comments: QuerySet[Comment], params: Any) -> QuerySet[Comment]:
    """The threads the query string asks for (a malformed id matches nothing)."""
    comments = comments.filter(parent__isnull=True)
    for name, lookup in (("document", "section__document_id"), ("section", "section_id")):
        if params.get(name) is not None:
            pk = parse_id(params.get(name))
            comments = comments.filter(**{lookup: pk}) if pk is not None else comments.none()
    resolved = truthy(params.get("resolved"))
    if resolved is not None:
        comments = comments.filter(resolved_at__isnull=not resolved)
    return comments


def comment_data(comments: Comment | Iterable[Comment], *, membership: Membership, many: bool = False) -> Any:
    """Comments as the API gives them to this reader (the context read once for all of them)."""
    # `many` says which the caller gives: an iterable of comments, or one comment.
    items = list(cast(Iterable[Comment], comments)) if many else [cast(Comment, comments)]
    my_groups: set[int] = set()
    if membership.can_edit and not membership.is_admin:  # only an editor's rights depend on their groups
        my_groups = set(membership.working_groups.values_list("pk", flat=True))
    context = {
        "membership": membership,
        "my_groups": my_groups,
        "organisations": author_organisations(membership.coalition_id, items),
    }
    return CommentSerializer(items if many else items[0], many=many, context=context).data


def comment_write(view: Any, data: dict[str, Any], section: Section | None) -> Comment:
    """A new comment on `section`, or with `parent` a reply to that thread; read back with its thread."""
    if data.get("parent") is not None:
        parent = Comment.objects.for_coalition(view.coalition).filter(pk=data["parent"]).first()
        if parent is None:
            raise serializers.ValidationError({"parent": [_("Unknown id.")]})
        if section is not None and parent.section_id != section.pk:
            raise serializers.ValidationError({"parent": [_("That comment is on another section.")]})
        made = view.call_service(services.comment_reply, parent=parent, membership=view.membership, text=data["text"])
    elif section is None:
        raise serializers.ValidationError({"section": [_("Give the section commented on (or `parent`, for a reply).")]})
    else:
        made = view.call_service(
            services.comment_add,
            section=section,
            membership=view.membership,
            text=data["text"],
            anchor=data.get("anchor"),
            quote=data.get("quote", ""),
        )
    return threads(Comment.objects.filter(pk=made.pk)).get()


class CommentViewSet(CoalitionScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Comments: threads, with their replies nested. Filter by document, section, resolved or not."""

    model = Comment
    write_role = Role.MEMBER
    serializer_class = CommentSerializer

    def queryset_for(self, coalition: Coalition) -> QuerySet:
        comments = threads(Comment.objects.for_coalition(coalition))
        return filtered(comments, self.request.query_params) if self.action == "list" else comments

    def _data(self, comments: Any, many: bool = False) -> Any:
        return comment_data(comments, membership=self.membership, many=many)  # type: ignore[arg-type]  # set by CoalitionScopedMixin.initial before any action runs

    @extend_schema(parameters=FILTERS)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self._data(page, many=True))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self._data(self.get_object()))

    @extend_schema(request=CommentCreateSerializer, responses={201: CommentSerializer})
    def create(self, request: Request, **kwargs: Any) -> Response:
        """A comment on a section or a passage of it, or (with `parent`) a reply. Members and above."""
        body = CommentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        section = self.scoped(Section, body.validated_data.get("section"))
        return Response(self._data(comment_write(self, dict(body.validated_data), section)), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=CommentSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, **kwargs: Any) -> Response:
        """The author, the section's editors and admins resolve a thread (a reply: 400)."""
        comment = self.call_service(services.comment_resolve, comment=self.get_object(), membership=self.membership)
        return Response(self._data(self.get_queryset().get(pk=comment.pk)))

    @extend_schema(request=None, responses=CommentSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, **kwargs: Any) -> Response:
        """The same people reopen a resolved thread."""
        comment = self.call_service(services.comment_reopen, comment=self.get_object(), membership=self.membership)
        return Response(self._data(self.get_queryset().get(pk=comment.pk)))
