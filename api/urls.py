"""The API's table of contents: each resource and the module that serves it (views and serializers
side by side; what they share is in api/base.py and api/fields.py)."""

from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from api import (
    account,
    auth,
    docs,
    entries,
    foods,
    guidance,
    imports,
    labs,
    meals,
    own_foods,
    profile,
    reminders,
    report,
    summaries,
    symptoms,
)

router = DefaultRouter()
# The catalogue, and the user's own foods, saved meals and recipes
router.register("foods", foods.FoodViewSet, basename="food")
router.register("supplement-forms", foods.SupplementFormViewSet, basename="supplement-form")
router.register("my-foods", own_foods.OwnFoodViewSet, basename="own-food")
router.register("saved-meals", meals.SavedMealViewSet, basename="saved-meal")
# The log
router.register("intakes", entries.IntakeViewSet, basename="intake")
router.register("supplement-doses", entries.SupplementDoseViewSet, basename="supplement-dose")
# Symptoms and lab results
router.register("symptoms", symptoms.SymptomViewSet, basename="symptom")
router.register("labs", labs.LabResultViewSet, basename="lab-result")
# A history brought from another tracker
router.register("imports", imports.ImportViewSet, basename="import")
# The report shared with a clinician
router.register("share-links", report.ShareLinkViewSet, basename="share-link")
# Reminders
router.register("reminders/deliveries", reminders.DeliveryViewSet, basename="reminder-delivery")
router.register("reminders", reminders.ReminderViewSet, basename="reminder")

urlpatterns = [
    # Accounts and the profile
    path("auth/register/", auth.RegisterView.as_view(), name="register"),
    path("auth/login/", auth.LoginView.as_view(), name="login"),
    path("auth/logout/", auth.LogoutView.as_view(), name="logout"),
    path("auth/session/", auth.SessionView.as_view(), name="session"),
    path("profile/", profile.ProfileView.as_view(), name="profile"),
    # The log and its summaries
    path("entries/batch/", entries.EntryBatchView.as_view(), name="entry-batch"),
    path("summary/daily/", summaries.DailySummaryView.as_view(), name="summary-daily"),
    path("summary/weekly/", summaries.WeeklySummaryView.as_view(), name="summary-weekly"),
    path("summary/period/", summaries.PeriodSummaryView.as_view(), name="summary-period"),
    # Guidance
    path("red-flags/", symptoms.RedFlagsView.as_view(), name="red-flags"),
    path("red-flags/dismiss/", symptoms.RedFlagDismissView.as_view(), name="red-flag-dismiss"),
    path("context/", guidance.DailyContextListView.as_view(), name="daily-context-list"),
    path("context/<str:day>/", guidance.DailyContextView.as_view(), name="daily-context"),
    path("days/<str:day>/complete/", guidance.DayCompleteView.as_view(), name="day-complete"),
    path("insights/", guidance.InsightsView.as_view(), name="insights"),
    path("report/", report.ReportView.as_view(), name="report"),
    path("guidance/", guidance.GuidanceView.as_view(), name="guidance"),
    # The user's data
    path("export/", account.ExportView.as_view(), name="export"),
    path("account/", account.AccountView.as_view(), name="account"),
    # Web Push
    path("push/public-key/", reminders.PushPublicKeyView.as_view(), name="push-public-key"),
    path("push/subscriptions/", reminders.PushSubscriptionView.as_view(), name="push-subscriptions"),
    # The schema and its documentation page
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view loads its start-up script as a file, so the page keeps the strict CSP but for
    # Swagger UI's small inline <style> (and the inline styles its widgets set).
    path(
        "docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(docs.DocsView.as_view(url_name="schema")),
        name="docs",
    ),
    path("", include(router.urls)),
]
