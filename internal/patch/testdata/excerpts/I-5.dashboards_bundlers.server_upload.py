# jupyter_dashboards_bundlers 0.9.1 (PyPI sdist), dashboards_bundlers/server_upload.py lines 1-25
# Copyright (c) Jupyter Development Team.
# Distributed under the terms of the Modified BSD License.

import os
import nbformat
import requests
import shutil
import tempfile
from jupyter_core.paths import jupyter_path
from notebook.utils import url_path_join
from os.path import join as pjoin
from tornado import escape, web
from tornado.log import access_log, app_log

UPLOAD_ENDPOINT = '/_api/notebooks/'
VIEW_ENDPOINT = '/dashboards/'


def skip_ssl_verification():
    return os.getenv('DASHBOARD_SERVER_NO_SSL_VERIFY', '').lower() in ['yes', 'true']


# Log a warning if SSL verification is off at the outset
if skip_ssl_verification():
    app_log.warn('Dashboard server SSL verification disabled')
