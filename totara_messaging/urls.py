from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from alerts import api as alerts_api
from alerts import views as alerts_views
from alerts import why as alerts_why
from instant import api as instant_api
from notifications import api as notifications_api
from notifications import mute_views
from notifications import views as notifications_views
from totara_messaging import views
from webpush import api as webpush_api
from webpush import views as webpush_views

api = [
    path("counts/", notifications_api.CountsView.as_view(), name="api-counts"),
    path("alerts/", alerts_api.AlertList.as_view(), name="api-alerts"),
    path("alerts/read-all", alerts_api.AlertReadAll.as_view(), name="api-alerts-read-all"),
    path("alerts/<int:alert_id>/read", alerts_api.AlertRead.as_view(), name="api-alert-read"),
    path("tasks/", alerts_api.TaskList.as_view(), name="api-tasks"),
    path(
        "inbox/<int:item_id>/<slug:change>", alerts_api.ItemState.as_view(), name="api-inbox-state"
    ),
    path("tasks/<int:task_id>/<slug:action>", alerts_api.TaskAct.as_view(), name="api-task-act"),
    path("preferences/", notifications_api.PreferencesView.as_view(), name="api-preferences"),
    path(
        "preferences/quiet-hours/",
        notifications_api.QuietHoursView.as_view(),
        name="api-quiet-hours",
    ),
    path("mutes/", notifications_api.MuteList.as_view(), name="api-mutes"),
    path("mutes/<int:mute_id>/", notifications_api.MuteDetail.as_view(), name="api-mute"),
    path(
        "preferences/cadence/",
        notifications_api.CadenceView.as_view(),
        name="api-cadence",
    ),
    path(
        "preferences/language/",
        notifications_api.LanguageView.as_view(),
        name="api-preferences-language",
    ),
    path("conversations/", instant_api.ConversationList.as_view(), name="api-conversations"),
    path(
        "conversations/<int:conversation_id>/messages/",
        instant_api.MessageList.as_view(),
        name="api-messages",
    ),
    path(
        "conversations/<int:conversation_id>/read",
        instant_api.ConversationRead.as_view(),
        name="api-conversation-read",
    ),
    path("push/key/", webpush_api.KeyView.as_view(), name="api-push-key"),
    path(
        "push/subscriptions/",
        webpush_api.SubscriptionList.as_view(),
        name="api-push-subscriptions",
    ),
    path(
        "push/subscriptions/renew/",
        webpush_api.SubscriptionRenewal.as_view(),
        name="api-push-renew",
    ),
    path(
        "push/subscriptions/<int:subscription_id>/",
        webpush_api.SubscriptionDetail.as_view(),
        name="api-push-subscription",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
]

# Each feature app serves its pages under its own prefix (features/<app>/urls.py).
FEATURE_APPS = [
    "courses",
    "programs",
    "certifications",
    "appraisals",
    "feedback360",
    "plans",
    "seminars",
    "hr_import",
    "audiences",
    "assignments",
    "quizzes",
    "forums",
    "badges",
    "feedback",
    "site_admin",
    "job_assignments",
]

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("health/", views.health, name="health"),
    path("sw.js", webpush_views.service_worker, name="service-worker"),
    path("alerts/", alerts_views.alert_list, name="alerts"),
    path("alerts/read", alerts_views.mark_read, name="alerts-read"),
    path("alerts/block/", alerts_views.alerts_block_view, name="alerts-block"),
    path("tasks/", alerts_views.task_list, name="tasks"),
    path("tasks/block/", alerts_views.tasks_block_view, name="tasks-block"),
    path("tasks/<int:task_id>/act", alerts_views.act_on_task, name="task-act"),
    path("inbox/state", alerts_views.change_state, name="inbox-state"),
    path("why/<int:event_id>/", alerts_why.why, name="why"),
    path("preferences/messaging/", notifications_views.preferences, name="messaging-preferences"),
    path(
        "preferences/messaging/quiet-hours/",
        notifications_views.quiet_hours,
        name="messaging-quiet-hours",
    ),
    path("preferences/mute/", mute_views.mute, name="mute"),
    path("preferences/mute/<int:mute_id>/delete", mute_views.unmute, name="unmute"),
    path(
        "preferences/messaging/cadence/",
        notifications_views.cadence,
        name="messaging-cadence",
    ),
    path(
        "preferences/messaging/language/",
        notifications_views.language,
        name="messaging-language",
    ),
    path(
        "preferences/messaging/switch/",
        notifications_views.switch_preferences,
        name="messaging-preferences-switch",
    ),
    path(
        "notifications/unsubscribe/<str:token>/",
        notifications_views.unsubscribe,
        name="unsubscribe",
    ),
    path("", include("instant.urls")),
    path(
        "notifications/inbound/confirm/<str:token>/",
        notifications_views.confirm_inbound,
        name="inbound-confirm",
    ),
    path("anymail/", include("anymail.urls")),
    path("api/", include(api)),
    path("admin/", admin.site.urls),
    *[path(f"{app}/", include(f"features.{app}.urls")) for app in FEATURE_APPS],
]
