from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from api import guidance, views

router = DefaultRouter()
router.register("foods", views.FoodViewSet, basename="food")
router.register("my-foods", views.OwnFoodViewSet, basename="own-food")
router.register("saved-meals", views.SavedMealViewSet, basename="saved-meal")
router.register("supplement-forms", views.SupplementFormViewSet, basename="supplement-form")
router.register("intakes", views.IntakeViewSet, basename="intake")
router.register("supplement-doses", views.SupplementDoseViewSet, basename="supplement-dose")
router.register("reminders/deliveries", views.DeliveryViewSet, basename="reminder-delivery")
router.register("reminders", views.ReminderViewSet, basename="reminder")
router.register("symptoms", guidance.SymptomViewSet, basename="symptom")
router.register("labs", guidance.LabResultViewSet, basename="lab-result")

urlpatterns = [
    path("auth/register/", views.RegisterView.as_view(), name="register"),
    path("auth/login/", views.LoginView.as_view(), name="login"),
    path("auth/logout/", views.LogoutView.as_view(), name="logout"),
    path("auth/session/", views.SessionView.as_view(), name="session"),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("entries/batch/", views.EntryBatchView.as_view(), name="entry-batch"),
    path("summary/daily/", views.DailySummaryView.as_view(), name="summary-daily"),
    path("summary/weekly/", views.WeeklySummaryView.as_view(), name="summary-weekly"),
    path("summary/period/", views.PeriodSummaryView.as_view(), name="summary-period"),
    path("red-flags/", guidance.RedFlagsView.as_view(), name="red-flags"),
    path("red-flags/dismiss/", guidance.RedFlagDismissView.as_view(), name="red-flag-dismiss"),
    path("context/", guidance.DailyContextListView.as_view(), name="daily-context-list"),
    path("context/<str:day>/", guidance.DailyContextView.as_view(), name="daily-context"),
    path("insights/", guidance.InsightsView.as_view(), name="insights"),
    path("guidance/", guidance.GuidanceView.as_view(), name="guidance"),
    path("export/", views.ExportView.as_view(), name="export"),
    path("account/", views.AccountView.as_view(), name="account"),
    path("push/public-key/", views.PushPublicKeyView.as_view(), name="push-public-key"),
    path("push/subscriptions/", views.PushSubscriptionView.as_view(), name="push-subscriptions"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view loads its start-up script as a file, so the page keeps the strict CSP but for
    # Swagger UI's small inline <style> (and the inline styles its widgets set).
    path(
        "docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(views.DocsView.as_view(url_name="schema")),
        name="docs",
    ),
    path("", include(router.urls)),
]
