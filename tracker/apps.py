from importlib import import_module

from django.apps import AppConfig


class TrackerConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tracker"
    verbose_name = "Magnesium tracking"

    def import_models(self):
        super().import_models()
        import_module("tracker.reminders.models")  # the reminders' models belong to this app too
        import_module("tracker.imports.models")  # and the imports' too

    def ready(self):
        from tracker.reminders.services import reminders_reschedule
        from tracker.services.profile import time_zone_changed

        def reschedule(sender, user, **kwargs):
            reminders_reschedule(user=user)

        time_zone_changed.connect(reschedule, weak=False, dispatch_uid="reminders-follow-the-time-zone")
