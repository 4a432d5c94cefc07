from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class FoodsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "foods"
    verbose_name = "Food catalogue"

    def ready(self):
        from foods.catalogue_cache import bump_catalogue_version
        from foods.models import Food, Portion, SupplementForm

        for model in (Food, Portion, SupplementForm):
            post_save.connect(
                bump_catalogue_version, sender=model, dispatch_uid=f"catalogue-save-{model.__name__}"
            )
            post_delete.connect(
                bump_catalogue_version, sender=model, dispatch_uid=f"catalogue-del-{model.__name__}"
            )
