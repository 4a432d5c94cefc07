"""The catalogue: search, one food, a barcode (local first, then Open Food Facts), supplement forms."""

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.fields import BARCODE_PATTERN, DecimalField
from api.throttles import BarcodeThrottle
from foods import open_food_facts
from foods.barcode import barcode_lookup
from foods.catalogue_cache import catalogue_json, one_catalogue_version
from foods.importers.records import DATA_TYPE_LABELS
from foods.models import Food, FoodCategory, Portion, SupplementForm
from foods.nutrition import magnesium_in_grams, whole_mg
from foods.search import search_foods
from tracker import services


class PortionSerializer(serializers.ModelSerializer):
    grams = DecimalField(max_digits=8, decimal_places=2, coerce_to_string=False)
    magnesium_mg = serializers.SerializerMethodField(help_text="Whole mg in one portion, as shown to users.")

    class Meta:
        model = Portion
        fields = ["id", "label", "grams", "magnesium_mg"]

    def get_magnesium_mg(self, portion) -> int:
        return whole_mg(portion.food.magnesium_mg_in(portion.grams))


class FoodSerializer(serializers.ModelSerializer):
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    magnesium_mg_per_100g = DecimalField(
        max_digits=9, decimal_places=4, coerce_to_string=False, read_only=True
    )
    origin_label = serializers.CharField(
        source="get_origin_display", read_only=True, help_text="Where the food comes from."
    )
    data_type_label = serializers.SerializerMethodField(help_text="The USDA data type, in words.")
    own = serializers.SerializerMethodField(help_text="The user's own food (or recipe): only they see it.")
    portions = serializers.SerializerMethodField()
    other_sources = serializers.SerializerMethodField(
        help_text="In a search: the same food (same name and brand) from other sources, each with its "
        "own value and portions; the result itself is the best ranked of them."
    )

    class Meta:
        model = Food
        fields = [
            "id",
            "name",
            "common_name",
            "brand",
            "category",
            "category_label",
            "magnesium_mg_per_100g",
            "origin",
            "origin_label",
            "data_type",
            "data_type_label",
            "source",
            "source_id",
            "source_key",
            "release",
            "source_category",
            "gtin",
            "own",
            "portions",
            "other_sources",
        ]
        extra_kwargs = {
            "common_name": {
                "read_only": True,
                "help_text": "What people call it, for an everyday food (search finds it by it).",
            }
        }

    def get_other_sources(self, food) -> list[dict]:
        return []

    def get_data_type_label(self, food) -> str:
        return DATA_TYPE_LABELS.get(food.data_type, food.data_type)

    def get_own(self, food) -> bool:
        return food.owner_id is not None

    def get_portions(self, food) -> PortionSerializer(many=True):
        for portion in food.portions.all():
            portion.food = food  # no query per portion
        return PortionSerializer(food.portions.all(), many=True).data


def food_json(food) -> dict:
    """FoodSerializer's shape, built directly: a page of search results is the hottest read of the
    catalogue, and building serializer fields per food and per portion cost more than the search
    (tests/test_food_search.py checks that both give the same JSON)."""
    per_100g = food.magnesium_mg_per_100g
    return {
        "id": food.id,
        "name": food.name,
        "common_name": food.common_name,
        "brand": food.brand,
        "category": food.category,
        "category_label": food.get_category_display(),
        "magnesium_mg_per_100g": float(per_100g),
        "origin": food.origin,
        "origin_label": food.get_origin_display(),
        "data_type": food.data_type,
        "data_type_label": DATA_TYPE_LABELS.get(food.data_type, food.data_type),
        "source": food.source,
        "source_id": food.source_id,
        "source_key": food.source_key,
        "release": food.release,
        "source_category": food.source_category,
        "gtin": food.gtin,
        "own": food.owner_id is not None,
        "portions": [
            {
                "id": portion.id,
                "label": portion.label,
                "grams": float(portion.grams),
                "magnesium_mg": whole_mg(magnesium_in_grams(per_100g, portion.grams)),
            }
            for portion in food.portions.all()
        ],
        "other_sources": [],
    }


class BarcodeResultSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="The code as asked.")
    gtin = serializers.CharField(help_text="The same code as a 14-digit GTIN.")
    status = serializers.ChoiceField(choices=["found", "no_magnesium_data", "not_found"])
    source = serializers.ChoiceField(choices=["local", "open_food_facts"], allow_null=True)
    food = FoodSerializer(allow_null=True)
    product = serializers.DictField(
        allow_null=True, help_text="Name and brand of a product without magnesium data."
    )
    detail = serializers.CharField()


class SupplementFormSerializer(serializers.ModelSerializer):
    elemental_fraction = DecimalField(max_digits=5, decimal_places=4, coerce_to_string=False)

    class Meta:
        model = SupplementForm
        fields = [
            "id",
            "name",
            "route",
            "elemental_fraction",
            "bioavailability",
            "best_for",
            "side_effects",
            "source",
        ]


class FoodQuerySerializer(serializers.Serializer):
    search = serializers.CharField(required=False, allow_blank=True, max_length=200)
    category = serializers.ChoiceField(choices=FoodCategory.choices, required=False)


class SearchResults:
    """A search's results as the paginator slices them: each slice is one ranked search
    (foods.search), then the JSON of the foods of that page. A shared food's JSON is cached per
    catalogue version; a user's own food is always read afresh."""

    def __init__(self, *, query: str, user, category: str | None):
        self.query, self.user, self.category = query, user, category

    def __getitem__(self, window: slice):
        with one_catalogue_version():  # the ranking and the foods: one version, one read of it
            return self._page(window)

    def _page(self, window: slice):
        user_id = self.user.pk if self.user.is_authenticated else None
        groups = search_foods(
            query=self.query,
            user_id=user_id,
            recent_sql=services.RECENT_FOODS_SQL,
            category=self.category,
            limit=window.stop - window.start,
            offset=window.start,
        )
        ids = [pk for pk, others in groups for pk in (pk, *others)]
        foods = {food["id"]: food for food in catalogue_json(ids, food_json)}
        return [
            {**foods[pk], "other_sources": [foods[other] for other in others if other in foods]}
            for pk, others in groups
            if pk in foods
        ]


@extend_schema_view(
    list=extend_schema(
        parameters=[FoodQuerySerializer],
        summary="Search the catalogue and your own foods, best first (see the README for the ranking)",
    )
)
class FoodViewSet(viewsets.ReadOnlyModelViewSet):
    """The food catalogue and the user's own foods, each with household portions and the whole mg in
    each. Another user's own food is a 404."""

    serializer_class = FoodSerializer

    def get_queryset(self):
        foods = Food.objects.visible_to(self.request.user).prefetch_related("portions")
        if self.action != "list":
            return foods.order_by("name")
        query = FoodQuerySerializer(data=self.request.query_params.dict())
        query.is_valid(raise_exception=True)
        category = query.validated_data.get("category")
        text = query.validated_data.get("search", "").strip()
        if text:
            return SearchResults(query=text, user=self.request.user, category=category)
        foods = foods.filter(retired=False)
        if category:
            foods = foods.filter(category=category)
        return foods.order_by("search_tier", "name", "id")

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([row if isinstance(row, dict) else food_json(row) for row in page])

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "code", {"type": "string", "pattern": BARCODE_PATTERN}, OpenApiParameter.PATH, required=True
            )
        ],
        responses={
            200: BarcodeResultSerializer,
            400: OpenApiResponse(description="Not a GTIN (8, 12, 13 or 14 digits with a right check digit)"),
            404: BarcodeResultSerializer,
            502: OpenApiResponse(description="Open Food Facts answered with an error"),
            504: OpenApiResponse(description="Open Food Facts did not answer in time"),
        },
    )
    @action(
        detail=False,
        methods=["get"],
        url_path=r"barcode/(?P<code>[^/]+)",
        throttle_classes=[BarcodeThrottle],
    )
    def barcode(self, request, code=None):
        """A product by its barcode: your own foods and the local catalogue first, then Open Food Facts.
        200 with the food, 200 with status no_magnesium_data (add the label's value as your own food),
        or 404 with status not_found."""
        try:
            result = barcode_lookup(code=code, user=request.user)
        except open_food_facts.TimedOut:
            return Response(
                {
                    "detail": "Open Food Facts did not answer in time. Try again, or add the food from its label."
                },
                status=status.HTTP_504_GATEWAY_TIMEOUT,
            )
        except open_food_facts.Unavailable:
            return Response(
                {
                    "detail": "Open Food Facts could not be asked just now. Try again, or add the food from its label."
                },
                status=status.HTTP_502_BAD_GATEWAY,
            )
        body = {
            "code": code,
            "gtin": result.gtin,
            "status": result.status,
            "source": result.source,
            "food": food_json(result.food) if result.food else None,
            "product": {"name": result.name, "brand": result.brand}
            if result.status == "no_magnesium_data"
            else None,
            "detail": result.detail,
        }
        return Response(body, status=status.HTTP_404_NOT_FOUND if result.status == "not_found" else 200)


class SupplementFormViewSet(viewsets.ReadOnlyModelViewSet):
    """Supplement forms a person can log, with their elemental fraction, bioavailability and side
    effects. Intravenous forms are hospital treatments: not listed (earlier doses still show theirs)."""

    serializer_class = SupplementFormSerializer
    pagination_class = None

    def get_queryset(self):
        forms = SupplementForm.objects.order_by("name")
        return forms.exclude(route="intravenous") if self.action == "list" else forms
