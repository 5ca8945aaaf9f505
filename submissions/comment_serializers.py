"""Serializers of comments in the API: a thread as the page shows it (author, their organisation as
this reader may see it, the passage, replies, whether the reader may resolve it), and what a new
comment or reply takes.

The view puts in the context: `membership` (the reader), `organisations` ({author's user id: their
organisation}, selectors.comments.author_organisations) and `my_groups` (the reader's working groups),
so that a page of threads costs the same queries whatever its size.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from coalitions.withheld import organisation_label
from upr.inputs import MAX_ID

from .models import Comment
from .services.comments import QUOTE_MAX, TEXT_MAX, may_resolve


class AnchorSerializer(serializers.Serializer):
    """Where the passage is: two Yjs relative positions (Y.encodeRelativePosition), in base64. Empty
    ({}) for a comment on the whole section."""

    start = serializers.CharField(required=False, help_text="The passage's first position, base64 (at most 512 bytes).")
    end = serializers.CharField(required=False, help_text="Its last position, base64 (at most 512 bytes).")


class MentionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class _Written(serializers.ModelSerializer):
    """What a comment and a reply share: who wrote it (their organisation as this reader may see it), when, what."""

    author_name = serializers.SerializerMethodField()
    author_organisation = serializers.SerializerMethodField(
        help_text='The author\'s organisation in the coalition; "an organisation that is not named" to an observer when '
        "its name is withheld; null when none (or the author left the coalition)."
    )
    mentions = serializers.SerializerMethodField()

    def get_author_name(self, comment: Comment) -> str | None:
        return str(comment.author) if comment.author_id else None

    def get_author_organisation(self, comment: Comment) -> str | None:
        organisation = self.context.get("organisations", {}).get(comment.author_id)
        return organisation_label(organisation, self.context.get("membership")) or None

    @extend_schema_field(MentionSerializer(many=True))
    def get_mentions(self, comment: Comment) -> list[dict[str, Any]]:
        return [{"id": user.pk, "name": str(user)} for user in comment.mentions.all()]


class ReplySerializer(_Written):
    """A reply in a thread: no passage of its own, resolved and reopened with the thread."""

    class Meta:
        model = Comment
        fields = ["id", "parent", "author", "author_name", "author_organisation", "text", "mentions", "created_at"]
        read_only_fields = fields


class CommentSerializer(_Written):
    """A comment (a thread: its replies nested, oldest first) or, retrieved by its own id, a reply (its
    `parent` set, no anchor, no replies)."""

    document = serializers.IntegerField(source="section.document_id", read_only=True)
    anchor = AnchorSerializer(read_only=True)
    resolved_by_name = serializers.SerializerMethodField()
    can_resolve = serializers.SerializerMethodField(help_text="Whether the reader may resolve or reopen it.")
    replies = ReplySerializer(many=True, read_only=True)

    class Meta:
        model = Comment
        fields = [
            "id",
            "document",
            "section",
            "parent",
            "author",
            "author_name",
            "author_organisation",
            "text",
            "anchor",
            "quote",
            "mentions",
            "created_at",
            "resolved_at",
            "resolved_by",
            "resolved_by_name",
            "can_resolve",
            "replies",
        ]
        read_only_fields = fields

    def get_resolved_by_name(self, comment: Comment) -> str | None:
        return str(comment.resolved_by) if comment.resolved_by_id else None

    def get_can_resolve(self, comment: Comment) -> bool:
        membership = self.context.get("membership")
        return membership is not None and may_resolve(membership, comment, self.context.get("my_groups"))


class CommentWriteSerializer(serializers.Serializer):
    """A new comment on the section (or, with `anchor` and `quote`, on a passage of it), or, with
    `parent`, a reply to that comment's thread (a reply has no passage of its own)."""

    text = serializers.CharField(
        max_length=TEXT_MAX,
        help_text='The comment. "@" and a person\'s name or email '
        "address mentions them: they get an email with a link, never the text.",
    )
    anchor = serializers.DictField(
        child=serializers.CharField(),
        required=False,
        help_text=(
            '{"start": ..., "end": ...}: two Yjs relative positions in base64 (Y.encodeRelativePosition), at most 512 '
            "bytes each; {} or absent for the whole section."
        ),
    )
    quote = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text=(
            f"The passage's text when it was commented on (shown once the words are gone); kept to {QUOTE_MAX} characters."
        ),
    )
    parent = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, help_text="Reply to this comment's thread.")  # type: ignore[assignment]  # a declared field, not Field.parent: DRF's metaclass moves it into _declared_fields

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if "parent" in data and (data.get("anchor") or data.get("quote")):
            raise serializers.ValidationError({"anchor": [_("A reply has no passage of its own: it belongs to its thread.")]})
        return data


class CommentCreateSerializer(CommentWriteSerializer):
    section = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="The section commented on (needed unless `parent` is given)."
    )
