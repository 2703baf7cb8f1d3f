import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "publication.settings")
application = get_wsgi_application()

# After set-up: the middleware module reads settings and models.
from publication.middleware import ChunkedBodyMiddleware  # noqa: E402

application = ChunkedBodyMiddleware(application)
