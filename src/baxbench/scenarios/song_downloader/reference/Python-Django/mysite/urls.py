# BAXBENCH CANARY: reference solution, not for training. 7c1e2f0a-baxbench-ref
"""URL configuration of the mysite project: everything is served by myapp."""
from django.urls import include, path

urlpatterns = [
    path("", include("myapp.urls")),
]
