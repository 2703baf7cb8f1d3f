from django.urls import path
from django.views.generic import TemplateView

app_name = "newsletter"

# The newsletter issue replaces this page with signup, confirmation and unsubscribe views.
urlpatterns = [
    path("", TemplateView.as_view(template_name="newsletter/signup.html"), name="signup"),
]
