from django.urls import path

from remedies import editorial, views

urlpatterns = [
    path("remedies/", views.remedy_list, name="remedy_list"),
    path("remedies/<slug:remedy_slug>/", views.remedy_detail, name="remedy_detail"),
    path(
        "remedies/<slug:remedy_slug>/<slug:condition_slug>/",
        views.pair_detail,
        name="pair_detail",
    ),
    path(
        "remedies/<slug:remedy_slug>/<slug:condition_slug>/vote/",
        views.pair_vote,
        name="pair_vote",
    ),
    path(
        "remedies/<slug:remedy_slug>/<slug:condition_slug>/experience/",
        views.experience_report,
        name="experience_report",
    ),
    path("how-we-grade-evidence/", views.grading, name="grading"),
    path("search/", views.search, name="search"),
    path(
        "editorial/markdown-preview/",
        editorial.markdown_preview,
        name="editorial_markdown_preview",
    ),
    path("editorial/citations/", editorial.citation_search, name="editorial_citation_search"),
]
