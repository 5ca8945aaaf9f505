from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import views as account_views
from coalitions import views as coalition_views
from coalitions.views import joining
from upr import views
from upr.health import health
from workplan.views import mine

urlpatterns = [
    path("", joining.home, name="home"),
    path("health/", health, name="health"),
    path("accounts/", include("allauth.urls")),
    path("account/profile/", account_views.profile, name="profile"),
    path("account/api-token/", account_views.api_token, name="api_token"),
    path("account/calendar-feed/", mine.personal_calendar_feed, name="calendar_feed_manage"),
    path("account/reminders/", mine.reminder_preferences, name="reminder_preferences"),
    path("reminders/<str:signed>/", mine.reminder_preferences_link, name="reminder_preferences_link"),
    path("feeds/<str:token>.ics", mine.calendar_feed, name="calendar_feed"),
    path("invitations/<str:token>/", joining.invitation_accept_view, name="invitation_accept"),
    path("coalitions/new/", coalition_views.coalition_create, name="coalition_create"),
    path("deadlines/", mine.my_deadlines, name="my_deadlines"),
    path("c/<slug:coalition_slug>/", include("coalitions.urls")),
    path("c/<slug:coalition_slug>/", include("workplan.urls")),
    path("c/<slug:coalition_slug>/recommendations/", include("recommendations.urls")),
    path("c/<slug:coalition_slug>/engagements/<int:engagement_id>/asks/", include("submissions.urls")),
    path("c/<slug:coalition_slug>/", include("submissions.document_urls")),
    path("c/<slug:coalition_slug>/", include("implementation.urls")),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/sessions/<int:number>/", views.session_detail, name="session"),
    path("calendar/states/", views.state_list, name="states"),
    path("calendar/states/<str:iso3>/", views.state_detail, name="state"),
    path("api/", include("hub.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api_docs"),
    path("i18n/language/", account_views.language_choose, name="language_choose"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
