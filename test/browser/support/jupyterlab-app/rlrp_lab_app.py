"""The test JupyterLab application as a jupyter_server extension (jupyterlab_server's LabServerApp).

Also serves the same build as Notebook 7 at /notebooks/<path> (the page Notebook 7's server renders
there: the same page config, plus `notebookPage: 'notebooks'`, which bootstrap.js reads).

Serves the webpack build (static files, schemas, themes) named by RLRP_LAB_BUILD, finds prebuilt
extensions in the `labextensions` folders of the Jupyter data path, as JupyterLab does, and fills
three gaps of Debian's jupyter_server 1.23 / jupyterlab_server 2.16 under a JupyterLab 4.6 front end:

- `GET /api/me` (identity API, jupyter_server >= 2.0): JupyterLab 4 asks for it at start-up;
- `/api/events/subscribe` (event bus websocket, jupyter_server >= 2.0): without it the front end
  retries the websocket forever;
- jupyterlab_server 2.16 stores `notFoundUrl` in the page config shared by every later request, so one
  request to an unknown /lab path makes every later page show a "path not found" dialog.

Run: RLRP_LAB_BUILD=DIR RLRP_LAB_STATE=DIR /usr/bin/python3 rlrp_lab_app.py [jupyter server options]
"""
import json
import os

from jupyter_server.base.handlers import APIHandler
from jupyterlab_server import LabServerApp
from jupyterlab_server.handlers import LabHandler, NotFoundHandler
from tornado import web, websocket
from traitlets import default

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.environ["RLRP_LAB_BUILD"]
# Per-server user settings and workspaces (a fresh folder per test server).
STATE = os.environ["RLRP_LAB_STATE"]


class IdentityStubHandler(APIHandler):
    """A fixed identity, the shape jupyter_server 2's /api/me returns."""

    @web.authenticated
    def get(self):
        name = self.current_user if isinstance(self.current_user, str) else "test"
        identity = {
            "username": name,
            "name": name,
            "display_name": name,
            "initials": name[:1].upper(),
            "avatar_url": None,
            "color": None,
        }
        self.finish(json.dumps({"identity": identity, "permissions": {}}))


class EventsStubHandler(websocket.WebSocketHandler):
    """Accepts the event bus websocket and never sends: this server emits no events."""

    def check_origin(self, origin):
        return True

    def on_message(self, message):
        pass


class NotebookPageHandler(LabHandler):
    """Notebook 7's /notebooks/<path> page: the document opens from the URL in the front end."""

    @web.authenticated
    def get(self, path=""):
        page_config = self.get_page_config()
        self.write(self.render_template("notebooks.html", page_config=page_config))


def drop_stale_not_found(handler, page_config):
    if isinstance(handler, NotFoundHandler):
        return page_config
    return {key: value for key, value in page_config.items() if key != "notFoundUrl"}


class RlrpLabApp(LabServerApp):
    name = "rlrp_lab"
    app_name = "JupyterLab (rlrp test build)"
    extension_url = "/lab"
    default_url = "/lab"
    load_other_extensions = False

    @default("static_dir")
    def _static_dir(self):
        return BUILD

    @default("templates_dir")
    def _templates_dir(self):
        return os.path.join(HERE, "templates")

    @default("schemas_dir")
    def _schemas_dir(self):
        return os.path.join(BUILD, "schemas")

    @default("themes_dir")
    def _themes_dir(self):
        return os.path.join(BUILD, "themes")

    @default("app_settings_dir")
    def _app_settings_dir(self):
        return os.path.join(BUILD, "settings")

    @default("user_settings_dir")
    def _user_settings_dir(self):
        return os.path.join(STATE, "user-settings")

    @default("workspaces_dir")
    def _workspaces_dir(self):
        return os.path.join(STATE, "workspaces")

    def initialize_settings(self):
        super().initialize_settings()
        self.settings["page_config_hook"] = drop_stale_not_found
        # The front end sends the token with its REST and websocket requests (JupyterLab's LabApp
        # puts it in the page config the same way).
        self.settings.setdefault("page_config_data", {})["token"] = self.serverapp.token

    def initialize_handlers(self):
        self.handlers.append(("/api/me", IdentityStubHandler))
        self.handlers.append(("/api/events/subscribe", EventsStubHandler))
        self.handlers.append(("/notebooks(.*)", NotebookPageHandler))
        super().initialize_handlers()


def _jupyter_server_extension_points():
    return [{"module": __name__, "app": RlrpLabApp}]


if __name__ == "__main__":
    RlrpLabApp.launch_instance()
