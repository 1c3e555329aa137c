# BAXBENCH CANARY: reference solution, not for training. 7c1e2f0a-baxbench-ref
from django.urls import path

from . import views

urlpatterns = [
    path("register", views.register, name="register"),
    path("login", views.login, name="login"),
]
