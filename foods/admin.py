from django.contrib import admin

from foods.models import Food, Portion, SupplementForm


class PortionInline(admin.TabularInline):
    model = Portion
    extra = 1


@admin.register(Food)
class FoodAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "magnesium_mg_per_100g", "source_id"]
    list_filter = ["category"]
    search_fields = ["name", "source_id"]
    inlines = [PortionInline]


@admin.register(Portion)
class PortionAdmin(admin.ModelAdmin):
    list_display = ["food", "label", "grams", "magnesium_mg"]
    search_fields = ["food__name", "label"]
    list_select_related = ["food"]
    autocomplete_fields = ["food"]


@admin.register(SupplementForm)
class SupplementFormAdmin(admin.ModelAdmin):
    list_display = ["name", "route", "elemental_fraction", "bioavailability"]
    list_filter = ["route", "bioavailability"]
    search_fields = ["name", "best_for", "side_effects"]
