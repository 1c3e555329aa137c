# BAXBENCH CANARY: reference solution, not for training. 7c1e2f0a-baxbench-ref
from django.urls import path

from . import views

urlpatterns = [
    path("calculator", views.calculator, name="calculator"),
]
