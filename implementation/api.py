"""The implementation matrix through the API, under /api/c/<slug>/ (CoalitionScopedMixin: outsiders
get 404). The same services and rules as the pages: working groups edit their clusters' rows, a
stale row save gets 409 with the current row, observers read only shared assessments."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from coalitions.api import CoalitionScopedMixin, as_drf_error, form_refused
from coalitions.models import Coalition, Engagement, Membership, Role, WorkingGroup
from coalitions.selectors import engagement_list
from coalitions.serializers import CoalitionScopedFieldsMixin
from upr.inputs import JSONObjectParser, parse_id
from upr.rules import DOCUMENT_LANGUAGES

from . import access, selectors, services
from .forms import AssessmentForm, EvidenceForm
from .models import Assessment, Cluster, ClusterScheme, Evidence, Light, Matrix, MatrixRow


class MatrixSerializer(CoalitionScopedFieldsMixin, serializers.ModelSerializer):
    scoped_fields = {"engagement": Engagement}

    class Meta:
        model = Matrix
        fields = ["id", "engagement", "scheme", "created_at"]
        read_only_fields = ["id", "created_at"]


class ClusterSerializer(CoalitionScopedFieldsMixin, serializers.ModelSerializer):
    scoped_fields = {"working_group": WorkingGroup}

    class Meta:
        model = Cluster
        fields = ["id", "matrix", "name", "position", "working_group"]
        read_only_fields = ["id", "matrix", "position"]


class EvidenceSerializer(serializers.ModelSerializer):
    has_file = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "assessment", "title", "url", "source", "dated", "filename", "content_type", "size", "has_file"]
        read_only_fields = fields

    def get_has_file(self, item: Evidence) -> bool:
        return bool(item.file)


class AssessmentSerializer(serializers.ModelSerializer):
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "row",
            "assessed_on",
            "law",
            "policy",
            "practice",
            "light",
            "narrative",
            "shared",
            "created_at",
            "evidence",
        ]
        read_only_fields = ["id", "created_at", "evidence"]
        extra_kwargs = {"light": {"required": False}}


class RowSerializer(CoalitionScopedFieldsMixin, serializers.ModelSerializer):
    scoped_fields = {"cluster": Cluster}
    paragraph = serializers.CharField(source="recommendation.paragraph", read_only=True)
    text = serializers.CharField(source="recommendation.text", read_only=True)
    response = serializers.CharField(source="recommendation.response", read_only=True)
    latest = serializers.SerializerMethodField()
    base_version = serializers.IntegerField(write_only=True, required=True)
    previous_light = serializers.ChoiceField(
        choices=[("", ""), *Light.choices],
        read_only=True,
        help_text='The light before the latest assessment ("" before a second one).',
    )

    class Meta:
        model = MatrixRow
        fields = [
            "id",
            "matrix",
            "recommendation",
            "paragraph",
            "text",
            "response",
            "cluster",
            "lead_body",
            "supporting_bodies",
            "actions_expected",
            "due_on",
            "national_plan",
            "related_mechanisms",
            "version",
            "base_version",
            "latest",
            "previous_light",
        ]
        read_only_fields = ["id", "matrix", "recommendation", "version", "previous_light"]

    def get_latest(self, row: MatrixRow) -> dict[str, Any] | None:
        seen = selectors.latest_seen(row, self.context["membership"]) if "membership" in self.context else None
        return {"id": seen.pk, "assessed_on": seen.assessed_on, "light": seen.light} if seen else None


class MatrixViewSet(
    CoalitionScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """The coalition's implementation matrices, one per engagement. POST {engagement, scheme} builds
    one from the review's recommendations (the secretariat)."""

    model = Matrix
    # Set by CoalitionScopedMixin.initial() before any action runs (None only while the schema is made, when none runs).
    coalition: Coalition
    membership: Membership
    serializer_class = MatrixSerializer

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        engagement = engagement_list(coalition=self.coalition).filter(pk=serializer.validated_data["engagement"].pk).first()
        if engagement is None:
            raise serializers.ValidationError({"engagement": [_("Unknown id.")]})
        scheme = serializer.validated_data.get("scheme", ClusterScheme.OHCHR)
        serializer.instance = self.call_service(
            services.matrix_build, engagement=engagement, actor=self.request.user, scheme=scheme
        )

    @extend_schema(responses={200: None})
    @action(detail=True, methods=["get"])
    def dashboard(self, request: Request, **kwargs: Any) -> Response:
        """Implementation rates: overall, by position, cluster, responsible body, and at the end of each month."""
        board = selectors.dashboard(matrix=self.get_object(), membership=self.membership)

        def rate(r: Any) -> dict[str, Any]:
            return {
                "label": r.label,
                "total": r.total,
                "implemented": r.implemented,
                "percent": r.percent,
                "lights": {light: r.lights[light] for light in Light.values},
            }

        return Response(
            {
                "overall": rate(board.overall),
                "by_response": [rate(r) for r in board.by_response],
                "by_cluster": [rate(r) for r in board.by_cluster],
                "by_body": [rate(r) for r in board.by_body],
                "over_time": [{"date": day, **rate(r)} for day, r in board.over_time],
            }
        )

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"], url_path=r"export/(?P<fmt>csv|xlsx|docx|pdf)", url_name="export")
    def export(self, request: Request, fmt: str, **kwargs: Any) -> HttpResponse:
        """The matrix as CSV, XLSX, OHCHR's four-column matrix (.docx) or the PDF scorecard."""
        from .views import export_response

        return export_response(self.get_object(), self.membership, fmt)

    @extend_schema(
        request=inline_serializer(
            "MidtermAsked",
            {
                "language": serializers.ChoiceField(
                    choices=DOCUMENT_LANGUAGES, required=False, help_text="The report's language (default: the request's)."
                ),
            },
        ),
        responses={
            201: inline_serializer("MidtermMade", {"document": serializers.IntegerField(), "url": serializers.CharField()}),
            409: inline_serializer(
                "MidtermExists",
                {"detail": serializers.CharField(), "document": serializers.IntegerField(), "url": serializers.CharField()},
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def midterm(self, request: Request, **kwargs: Any) -> Response:
        """Generate the mid-term report (a document of the drafting engine); editors and the secretariat.
        One per engagement: when it exists, 409 with the existing report's id and page."""
        from django.urls import reverse

        from .midterm import MidtermReportExists, midterm_create, report_language

        if not self.membership.can_edit:
            raise PermissionDenied
        language = request.data.get("language") if hasattr(request.data, "get") else None
        if language is not None and report_language(language) != language:
            raise serializers.ValidationError({"language": _("Choose the report's language among English, French and Spanish.")})
        try:
            document = midterm_create(
                matrix=self.get_object(),
                membership=self.membership,
                language=report_language(language),
            )
        except MidtermReportExists as exists:
            page = reverse("documents:detail", args=[self.coalition.slug, exists.document.pk])
            return Response({"detail": str(exists), "document": exists.document.pk, "url": page}, status=status.HTTP_409_CONFLICT)
        page = reverse("documents:detail", args=[self.coalition.slug, document.pk])
        return Response({"document": document.pk, "url": page}, status=status.HTTP_201_CREATED)


class ClusterViewSet(CoalitionScopedMixin, mixins.ListModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Clusters; the secretariat renames them and gives them to working groups (`?matrix=<id>`)."""

    model = Cluster
    serializer_class = ClusterSerializer

    def queryset_for(self, coalition: Coalition) -> Any:
        found = Cluster.objects.for_coalition(coalition)
        matrix = parse_id(self.request.query_params.get("matrix"))
        return found.filter(matrix=matrix) if matrix is not None else found

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        cluster = serializer.instance
        assert cluster is not None  # an update has its instance (the next line would fail without)
        group = serializer.validated_data.get("working_group", cluster.working_group)
        if group is not None:
            self.scoped(group.__class__, group.pk)
        serializer.instance = self.call_service(
            services.cluster_save,
            matrix=cluster.matrix,
            actor=self.request.user,
            cluster=cluster,
            name=serializer.validated_data.get("name", cluster.name),
            working_group=group,
        )


class RowViewSet(
    CoalitionScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """Matrix rows (`?matrix=`, `?cluster=`, `?light=`). A PATCH names `base_version`, the version it
    started from: 409 with the current row when someone saved since."""

    model = MatrixRow
    # Set by CoalitionScopedMixin.initial() before any action runs (None only while the schema is made, when none runs).
    membership: Membership
    serializer_class = RowSerializer
    write_role = Role.MEMBER

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "membership": self.membership}

    def queryset_for(self, coalition: Coalition) -> Any:
        params = self.request.query_params
        found = MatrixRow.objects.for_coalition(coalition).select_related("recommendation", "cluster", "latest")
        for name in ("matrix", "cluster"):
            if (pk := parse_id(params.get(name))) is not None:
                found = found.filter(**{name: pk})
        if params.get("light") in Light.values:
            found = found.filter(latest__light=params["light"])
        return found.order_by("cluster__position", "recommendation__paragraph_major", "recommendation__paragraph_minor", "id")

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        row = self.get_object()
        body = RowSerializer(row, data=request.data, partial=True, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        base = data.pop("base_version", None)
        if base is None:  # partial, so the serializer does not require it; without it a save could overwrite
            raise serializers.ValidationError(
                {
                    "base_version": [
                        _("This field is required: the version of the row your change starts from (409 if someone saved since).")
                    ]
                }
            )
        cluster = data.get("cluster")
        if cluster is not None and cluster.matrix_id != row.matrix_id:
            raise serializers.ValidationError({"cluster": [_("Unknown id.")]})
        try:
            saved = services.row_save(row=row, membership=self.membership, base_version=base, data=data)
        except services.Conflict as clash:
            return Response(
                {
                    "detail": _("Someone saved this row since your version."),
                    "current": RowSerializer(clash.current, context=self.get_serializer_context()).data,
                },
                status=status.HTTP_409_CONFLICT,
            )
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from None
        return Response(RowSerializer(saved, context=self.get_serializer_context()).data)


class AssessmentViewSet(
    CoalitionScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Assessments, newest first (`?row=<id>`); never changed once made. POST {row, assessed_on, law,
    policy, practice, light?, narrative, shared}: light defaults to what the three levels suggest."""

    model = Assessment
    # Set by CoalitionScopedMixin.initial() before any action runs (None only while the schema is made, when none runs).
    membership: Membership
    serializer_class = AssessmentSerializer
    write_role = Role.MEMBER
    parser_classes = [JSONObjectParser, MultiPartParser, FormParser]

    def queryset_for(self, coalition: Coalition) -> Any:
        found = Assessment.objects.for_coalition(coalition).prefetch_related("evidence")
        if not self.membership.has_role(Role.MEMBER):
            found = found.filter(shared=True)
        row = parse_id(self.request.query_params.get("row"))
        return found.filter(row=row) if row is not None else found

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        row_id = request.data.get("row")
        row = self.scoped(MatrixRow, parse_id(row_id) or -1)
        data = {key: request.data.get(key) for key in ("assessed_on", "law", "policy", "practice", "light", "narrative")}
        data["shared"] = str(request.data.get("shared", "true")).lower() in ("true", "1", "on", "yes")
        form = AssessmentForm({k: v for k, v in data.items() if v is not None})
        if not form.is_valid():
            raise form_refused(form)
        try:
            made = services.assessment_add(row=row, membership=self.membership, data=form.assessment_data())
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from None
        return Response(AssessmentSerializer(made).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: EvidenceSerializer})
    @action(detail=True, methods=["post"])
    def evidence(self, request: Request, **kwargs: Any) -> Response:
        """Add a piece of evidence: multipart `evidence_file` or `evidence_url`, with `evidence_title`,
        `evidence_source` and `evidence_dated`."""
        assessment = self.get_object()
        if not access.can_edit_cluster(self.membership, assessment.row.cluster, access.my_groups(self.membership)):
            raise PermissionDenied
        form = EvidenceForm(request.data, request.FILES)
        if not form.is_valid():
            raise form_refused(form)
        piece = form.evidence()
        assert piece is not None  # a valid EvidenceForm has a file or a link (its clean()); ** would fail on None
        try:
            item = services.evidence_add(assessment=assessment, actor=self.actor, **piece)
        except DjangoValidationError as error:
            raise as_drf_error(error) from None
        return Response(EvidenceSerializer(item).data, status=status.HTTP_201_CREATED)


class EvidenceViewSet(CoalitionScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Evidence items (`?assessment=<id>`); `download` streams a file to members (observers: of a shared assessment)."""

    model = Evidence
    # Set by CoalitionScopedMixin.initial() before any action runs (None only while the schema is made, when none runs).
    membership: Membership
    serializer_class = EvidenceSerializer

    def queryset_for(self, coalition: Coalition) -> Any:
        found = Evidence.objects.for_coalition(coalition).select_related("assessment")
        if not self.membership.has_role(Role.MEMBER):
            found = found.filter(assessment__shared=True)
        assessment = parse_id(self.request.query_params.get("assessment"))
        return found.filter(assessment=assessment) if assessment is not None else found

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"])
    def download(self, request: Request, **kwargs: Any) -> FileResponse:
        item = self.get_object()
        if not item.file:
            raise Http404
        response = FileResponse(
            item.file.open("rb"),
            as_attachment=True,
            filename=item.filename,
            content_type=item.content_type or "application/octet-stream",
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


class CarryForwardSerializer(serializers.Serializer):
    rows = serializers.ListField(child=serializers.IntegerField(), help_text="Rows of the previous review's matrix.")


class CarryForwardViewSet(CoalitionScopedMixin, viewsets.GenericViewSet):
    """On the next review's engagement: the previous matrix's rows not implemented (GET), made into
    draft recommendations "as previously recommended" (POST {rows}; editors and the secretariat)."""

    model = Matrix
    serializer_class = CarryForwardSerializer
    write_role = Role.EDITOR

    def queryset_for(self, coalition: Coalition) -> Any:
        return engagement_list(coalition=coalition)

    @extend_schema(request=CarryForwardSerializer, responses={200: RowSerializer(many=True), 201: None})
    @action(detail=True, methods=["get", "post"], url_path="carry-forward", url_name="forward", pagination_class=None)
    def carry_forward(self, request: Request, **kwargs: Any) -> Response:
        from . import midterm

        engagement = self.get_object()
        if request.method == "POST":
            body = CarryForwardSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            drafts = midterm.carry_forward(engagement=engagement, actor=self.actor, row_ids=body.validated_data["rows"])
            return Response({"drafts": [d.pk for d in drafts]}, status=status.HTTP_201_CREATED)
        _earlier, rows = midterm.carry_forward_candidates(engagement=engagement)
        return Response(RowSerializer(rows, many=True, context={"membership": self.membership}).data)
