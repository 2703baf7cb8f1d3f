from django.test import SimpleTestCase


class WsgiTests(SimpleTestCase):
    def test_the_wsgi_application_loads(self):
        from publication.wsgi import application

        self.assertTrue(callable(application))
