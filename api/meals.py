"""Saved meals (one tap) and recipes (servings of a dish)."""

from django.utils import timezone
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.base import validating_for
from api.entries import EntriesResultSerializer, entries_response
from api.fields import CatalogueRelatedField, DateTimeField, TextField, UUIDField, amount_field
from api.schema import CONFLICT
from foods.models import Food, Portion
from tracker import limits, services
from tracker.models import Meal, MealKind, SavedMeal


class SavedMealItemSerializer(serializers.Serializer):
    food = CatalogueRelatedField(queryset=Food.objects.all())
    portion = CatalogueRelatedField(queryset=Portion.objects.all(), required=False, allow_null=True)
    quantity = amount_field(
        minimum="0.001", maximum=limits.MAX_QUANTITY, places=3, required=False, allow_null=True
    )
    grams = amount_field(minimum="0.01", maximum=limits.MAX_GRAMS, required=False, allow_null=True)
    food_name = serializers.CharField(source="food.name", read_only=True)
    portion_label = serializers.CharField(
        source="portion.label", read_only=True, allow_null=True, default=None
    )
    magnesium_mg = serializers.SerializerMethodField()

    def get_magnesium_mg(self, item) -> float:
        from tracker.services.meals import _item_mg

        return float(_item_mg(item))


class SavedMealSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = TextField(max_length=200)
    kind = serializers.ChoiceField(
        choices=MealKind.choices,
        required=False,
        default=MealKind.MEAL,
        help_text="meal: logs one entry per food; recipe: logs servings of one food made of them.",
    )
    servings = amount_field(
        minimum="0.01", maximum=100, required=False, help_text="A recipe's servings, 0.01 to 100 (a meal: 1)."
    )
    items = SavedMealItemSerializer(many=True, required=False, min_length=1, max_length=50)
    from_entries = serializers.ListField(
        child=UUIDField(),
        required=False,
        write_only=True,
        max_length=50,
        help_text="Instead of items: the ids of logged food entries to save as this meal.",
    )
    magnesium_mg = serializers.SerializerMethodField(help_text="The whole meal (a recipe: every serving).")
    magnesium_mg_per_serving = serializers.SerializerMethodField()
    food = serializers.IntegerField(
        source="food_id", read_only=True, allow_null=True, help_text="A recipe's own food, to log or search."
    )
    created_at = DateTimeField(read_only=True)

    def get_magnesium_mg(self, meal) -> float:
        from tracker.services import saved_meal_magnesium

        return float(saved_meal_magnesium(meal))

    def get_magnesium_mg_per_serving(self, meal) -> float:
        from tracker.services.meals import recipe_serving_mg

        return float(recipe_serving_mg(meal))


class SavedMealLogSerializer(serializers.Serializer):
    id = UUIDField(required=False, help_text="Client id of this logging: a replay stores nothing.")
    consumed_at = DateTimeField(required=False, help_text="Default now.")
    meal = serializers.ChoiceField(choices=Meal.choices, required=False, help_text="Default from the time.")
    servings = amount_field(
        minimum="0.001",
        maximum=limits.MAX_QUANTITY,
        places=3,
        required=False,
        help_text=f"A recipe: servings eaten, 0.001 to {limits.MAX_QUANTITY}.",
    )


@extend_schema_view(
    create=extend_schema(request=SavedMealSerializer, responses={201: SavedMealSerializer}),
    update=extend_schema(request=SavedMealSerializer, responses=SavedMealSerializer),
    partial_update=extend_schema(request=SavedMealSerializer, responses=SavedMealSerializer),
)
class SavedMealViewSet(viewsets.ModelViewSet):
    """Saved meals ("my breakfast", logged in one tap) and recipes (servings of a dish you cook)."""

    serializer_class = SavedMealSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SavedMeal.objects.none()
        return (
            SavedMeal.objects.filter(user=self.request.user)
            .prefetch_related("items__food", "items__portion")
            .order_by("name", "id")
        )

    def _saved(self, meal, code=status.HTTP_200_OK):
        return Response(SavedMealSerializer(self.get_queryset().get(pk=meal.pk)).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        with validating_for(request.user):
            serializer.is_valid(raise_exception=True)
        meal = services.saved_meal_create(user=request.user, **serializer.validated_data)
        return self._saved(meal, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        meal = self.get_object()
        serializer = self.get_serializer(meal, data=request.data, partial=kwargs.get("partial", False))
        with validating_for(request.user):
            serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if data.pop("kind", meal.kind) != meal.kind:
            raise ValidationError({"kind": ["A saved meal cannot become a recipe, nor a recipe a meal."]})
        data.pop("from_entries", None)
        meal = services.saved_meal_update(meal=meal, **data)
        return self._saved(meal)

    def destroy(self, request, *args, **kwargs):
        services.saved_meal_delete(meal=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=SavedMealLogSerializer,
        responses={201: EntriesResultSerializer, 200: EntriesResultSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def log(self, request, pk=None):
        """Log the meal (one entry per food) or servings of the recipe (one entry), in one request.
        Send an `id` to make a retry store nothing new."""
        meal = self.get_object()
        with timezone.override(services.profile_get(user=request.user).zone):
            query = SavedMealLogSerializer(data=request.data)
            query.is_valid(raise_exception=True)
        data = query.validated_data
        entries, created = services.saved_meal_log(
            meal=meal,
            id=data.get("id"),
            consumed_at=data.get("consumed_at"),
            slot=data.get("meal"),
            servings=data.get("servings"),
        )
        return entries_response(request.user, entries, created)
