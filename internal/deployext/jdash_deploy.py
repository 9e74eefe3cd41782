"""Deploy a notebook to the stack's dashboards service, from the notebook UIs of this env.

Installed and enabled at the env's level by `jdash setup` (jdash's internal/deployext). It is
a jupyter_server extension with two routes:

- /bundle/<path>?bundler=ID: nbclassic's bundler route. nbclassic ships the handler
  (nbclassic/bundler/handlers.py) and the File > Deploy as menu, but never registers the
  route, so Deploy as answers 404 on notebook 7. This registers it, with two changes: the
  contents manager of jupyter_server 2 is async (upstream's handler passes its coroutine to
  the bundler as the model), and the bundlers are read from nbconfig/notebook.json, where
  `jupyter bundlerextension enable` writes them and the menu reads them (upstream's handler
  asks jupyter_server's ConfigManager, which reads serverconfig/). The bundler itself
  (dashboards_bundlers) runs unchanged.
- POST /jdash/deploy {"path": ...}: the "Deploy as dashboard" command of JupyterLab 4 and
  Notebook 7 (jdash's labextension). The notebook is uploaded as the bundlers upload it, with
  the token the server got from `jdash up` (DASHBOARD_SERVER_AUTH_TOKEN); the browser only
  gets the link.

Both need a server started by `jdash up` in a stack with a dashboards service: it sets
DASHBOARD_SERVER_URL and DASHBOARD_SERVER_AUTH_TOKEN in the server's environment.
"""

import json
import os
import posixpath
import uuid

from jupyter_server.base.handlers import APIHandler, JupyterHandler
from jupyter_server.utils import ensure_async, url2path, url_path_join
from tornado import escape, web
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

NO_SERVICE = (
    "This server has no dashboards service to deploy to: it was not started by jdash up, "
    "or its stack has none. Add one to the stack's jdash.yaml "
    "(dashboards: {kind: dashboards, port: 3000, render: <its voila service>}), then jdash up."
)


def _jupyter_server_extension_points():
    return [{"module": "jdash_deploy"}]


def _load_jupyter_server_extension(serverapp):
    web_app = serverapp.web_app
    base = web_app.settings["base_url"]
    handlers = [(url_path_join(base, "jdash/deploy"), DeployHandler)]
    bundler = _bundle_handler()
    if bundler is not None:
        handlers.append((url_path_join(base, "bundle/(.*)"), bundler))
    web_app.add_handlers(".*$", handlers)
    serverapp.log.info(
        "jdash_deploy: Deploy to %s%s",
        os.environ.get("DASHBOARD_SERVER_URL") or "(no dashboards service)",
        " (and nbclassic's Deploy as)" if bundler is not None else "",
    )


def _refuse_cross_site(handler):
    # A GET that publishes: the browser says where a request comes from, and a page of another
    # site must not deploy with the user's cookie.
    if handler.request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        raise web.HTTPError(403, "Deploy is refused from another site")


def _bundle_handler():
    try:
        from nbclassic.bundler.handlers import BundlerHandler, maybe_future
    except ImportError:
        return None
    from traitlets.utils.importstring import import_item

    class AsyncBundlerHandler(BundlerHandler):
        def get_bundler(self, bundler_id):
            from jupyter_core.paths import jupyter_config_path
            from jupyter_server.services.config import ConfigManager

            cm = ConfigManager(read_config_path=[os.path.join(p, "nbconfig") for p in jupyter_config_path()])
            return cm.get("notebook").get("bundlerextensions", {})[bundler_id]

        @web.authenticated
        async def get(self, path):
            _refuse_cross_site(self)
            bundler_id = self.get_query_argument("bundler")
            model = await ensure_async(self.contents_manager.get(path=url2path(path)))
            try:
                bundler = self.get_bundler(bundler_id)
            except KeyError as e:
                raise web.HTTPError(400, "Bundler %s not enabled" % bundler_id) from e
            try:
                mod = import_item(str(bundler["module_name"]))
            except ImportError as e:
                raise web.HTTPError(500, "Could not import bundler %s " % bundler_id) from e
            await maybe_future(mod.bundle(self, model))

    return AsyncBundlerHandler


def _multipart(filename, data):
    boundary = uuid.uuid4().hex
    head = (
        "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
        "Content-Type: application/octet-stream\r\n\r\n" % (boundary, filename.replace('"', ""))
    ).encode()
    return head + data + ("\r\n--%s--\r\n" % boundary).encode(), "multipart/form-data; boundary=" + boundary


class DeployHandler(APIHandler):
    @web.authenticated
    async def post(self):
        body = self.get_json_body() or {}
        path = body.get("path")
        if not isinstance(path, str) or not path.endswith(".ipynb"):
            raise web.HTTPError(400, "give the notebook's path: {\"path\": \"dir/name.ipynb\"}")
        server = os.environ.get("DASHBOARD_SERVER_URL")
        token = os.environ.get("DASHBOARD_SERVER_AUTH_TOKEN")
        if not server or not token:
            raise web.HTTPError(503, NO_SERVICE)
        model = await ensure_async(self.contents_manager.get(path, content=True, type="notebook"))
        import nbformat

        data = nbformat.writes(model["content"]).encode()
        name = posixpath.splitext(posixpath.basename(path))[0]
        payload, ctype = _multipart(posixpath.basename(path), data)
        url = url_path_join(server, "_api/notebooks", escape.url_escape(name, plus=False))
        req = HTTPRequest(url, method="POST", body=payload, request_timeout=60,
                          headers={"Authorization": "token " + token, "Content-Type": ctype})
        try:
            resp = await AsyncHTTPClient().fetch(req)
        except HTTPClientError as e:
            msg = e.response.body.decode(errors="replace").strip() if e.response is not None else str(e)
            raise web.HTTPError(502, "the dashboards service refused %s: %s" % (name, msg)) from e
        except OSError as e:
            raise web.HTTPError(502, "the dashboards service at %s does not answer (%s): jdash ps shows the stack" % (server, e)) from e
        answer = json.loads(resp.body)
        self.finish(json.dumps({"name": name, "link": answer.get("link"), "kernels_in": answer.get("kernels_in")}))
