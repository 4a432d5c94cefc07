from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save, pre_save


class FoodsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "foods"
    verbose_name = "Food catalogue"

    def ready(self):
        from foods.catalogue_cache import bump_catalogue_version
        from foods.models import Food, Portion, SupplementForm

        pre_save.connect(_prepare_food, sender=Food, dispatch_uid="food-search-columns")
        post_migrate.connect(_search_index, sender=self, dispatch_uid="food-search-index")
        for model in (Food, Portion, SupplementForm):
            post_save.connect(
                bump_catalogue_version, sender=model, dispatch_uid=f"catalogue-save-{model.__name__}"
            )
            post_delete.connect(
                bump_catalogue_version, sender=model, dispatch_uid=f"catalogue-del-{model.__name__}"
            )


def _prepare_food(sender, instance, **kwargs):
    instance.prepare_for_search()


def _search_index(sender, using="default", **kwargs):
    """SQLite drops triggers when a migration rebuilds a table: make sure the FTS5 index and its
    triggers exist after every migrate (a no-op when they do, and on PostgreSQL)."""
    from django.db import connections

    from foods.search import ensure_sqlite_fts

    ensure_sqlite_fts(connections[using])
