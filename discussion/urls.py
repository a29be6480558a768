from django.urls import path

from discussion import views
from discussion.feeds import DiscussionFeed

urlpatterns = [
    path(
        "discussions/<str:target_label>/<int:target_id>/",
        views.discussion_thread,
        name="discussion_thread",
    ),
    path(
        "discussions/<str:target_label>/<int:target_id>/feed/",
        DiscussionFeed(),
        name="discussion_feed",
    ),
    path(
        "discussions/<str:target_label>/<int:target_id>/comments/",
        views.comment_create,
        name="comment_create",
    ),
    path("comments/<int:comment_id>/", views.comment_detail, name="comment_detail"),
    path("comments/<int:comment_id>/reply/", views.comment_reply_form, name="comment_reply"),
    path("comments/<int:comment_id>/edit/", views.comment_edit, name="comment_edit"),
    path("comments/<int:comment_id>/delete/", views.comment_delete, name="comment_delete"),
    path("comments/<int:comment_id>/vote/", views.comment_vote, name="comment_vote"),
    path("comments/<int:comment_id>/flag/", views.comment_flag, name="comment_flag"),
    path("moderation/", views.moderation_log, name="moderation_log"),
]
