"""Foods of the user's own, from a nutrition label."""

from decimal import Decimal

from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from api.fields import BARCODE_PATTERN, DecimalField, TextField, amount_field
from api.foods import FoodSerializer
from foods.models import Food
from foods.nutrition import round_mg
from tracker import limits, services


class OwnFoodSerializer(FoodSerializer):
    """A food of the user's own, from a nutrition label: a serving and the magnesium in it."""

    name = TextField(max_length=200)
    brand = TextField(max_length=200, required=False, allow_blank=True)
    serving_label = TextField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text='The household measure: "1 bar", "2 tbsp".',
    )
    serving_grams = amount_field(
        minimum="0.1",
        maximum=limits.MAX_GRAMS,
        help_text=f"What a serving weighs, 0.1 to {limits.MAX_GRAMS} g.",
    )
    magnesium_mg = DecimalField(
        max_digits=6,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=limits.MAX_ELEMENTAL_MG,
        required=False,
        allow_null=True,
        help_text=f"Magnesium in a serving, 0 to {limits.MAX_ELEMENTAL_MG} mg (or give magnesium_percent_dv, "
        "not both); at most 10,000 mg per 100 g.",
    )
    magnesium_percent_dv = DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(476),
        required=False,
        allow_null=True,
        write_only=True,
        help_text="Magnesium in a serving as % Daily Value, 0 to 476 (100 % = 420 mg on current US labels).",
    )
    barcode = serializers.RegexField(
        BARCODE_PATTERN,
        max_length=14,
        required=False,
        allow_blank=True,
        write_only=True,
        help_text="EAN-8, UPC-A, EAN-13 or GTIN-14 digits, with a right check digit.",
    )

    class Meta(FoodSerializer.Meta):
        fields = [
            *FoodSerializer.Meta.fields,
            "serving_label",
            "serving_grams",
            "magnesium_mg",
            "magnesium_percent_dv",
            "barcode",
            "retired",
        ]
        read_only_fields = [name for name in FoodSerializer.Meta.fields if name not in ("name", "brand")] + [
            "retired"
        ]

    def to_representation(self, food):
        data = dict(FoodSerializer(food, context=self.context).data)
        data["retired"] = food.retired
        serving = food.portions.all()[0] if food.portions.all() else None
        data["serving_label"] = serving.label if serving else None
        data["serving_grams"] = serving.grams if serving else None
        data["magnesium_mg"] = round_mg(food.magnesium_mg_in(serving.grams)) if serving else None
        return data


@extend_schema_view(
    create=extend_schema(request=OwnFoodSerializer, responses={201: OwnFoodSerializer}),
    update=extend_schema(request=OwnFoodSerializer, responses=OwnFoodSerializer),
    partial_update=extend_schema(request=OwnFoodSerializer, responses=OwnFoodSerializer),
)
class OwnFoodViewSet(viewsets.ModelViewSet):
    """Your own foods from nutrition labels (and your recipes' foods). Private: another user gets 404.
    Editing one never rewrites past entries; deleting one that entries use hides it instead."""

    serializer_class = OwnFoodSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Food.objects.none()
        foods = (
            Food.objects.filter(owner=self.request.user).prefetch_related("portions").order_by("name", "id")
        )
        return foods if self.action != "list" else foods.filter(retired=False)

    def _fields(self, data: dict) -> dict:
        fields = dict(data)
        if "magnesium_percent_dv" in fields:
            fields["percent_dv"] = fields.pop("magnesium_percent_dv")
        return fields

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        food = services.own_food_create(user=request.user, **self._fields(serializer.validated_data))
        food = self.get_queryset().get(pk=food.pk)
        return Response(OwnFoodSerializer(food).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        food = self.get_object()
        serializer = self.get_serializer(food, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        services.own_food_update(food=food, **self._fields(serializer.validated_data))
        return Response(OwnFoodSerializer(self.get_queryset().get(pk=food.pk)).data)

    def destroy(self, request, *args, **kwargs):
        services.own_food_delete(food=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
