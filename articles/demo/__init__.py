"""The demo magazine `manage.py load_demo` builds: its text and records (`content`), the
Pillow scenes for its photos (`drawing`) and the code that saves them (`loader`)."""
