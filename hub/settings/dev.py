"""`make run`: the embedded defaults (SQLite, tasks in-process, email to the console), DEBUG off.

Why DEBUG is off unless DEBUG=1 is set: Django's debug page lists every setting and the whole process
environment (DATABASE_URL, EMAIL_URL and any secret exported in the shell) to whoever makes a request
fail, and any web page a person has open can make one: a request with another Host header (DNS
rebinding) is refused with that very page while DEBUG is on. With DEBUG off a failure shows the app's
own pages (templates/404.html, templates/500.html) and the details go to the console log. Set DEBUG=1
only on a machine and a browser nobody else uses.

The hosts are base.py's: localhost, 127.0.0.1 and [::1], what `make run` serves (127.0.0.1:8000).
"""

from .base import *  # noqa: F403
from .base import env

# The demo coalition (`manage.py load_demo`, run by `make run`): development only. production.py does
# not install it, so no production image can create its accounts and their published password.
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]  # noqa: F405

DEBUG = env.bool("DEBUG", default=False)

# runserver serves static files only with DEBUG on; WhiteNoise (already in MIDDLEWARE) serves them in
# every case, straight from the apps' folders (no collectstatic on a first run), and picks up an edited
# stylesheet without a restart.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
