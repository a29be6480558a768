from django.urls import path

from conditions import views

urlpatterns = [
    path("conditions/", views.condition_list, name="condition_list"),
    path("conditions/<slug:condition_slug>/", views.condition_detail, name="condition_detail"),
]
