"""The notebook frontend's config, written at the env's level (installed by jdash).

Jupyter's ConfigManager reads the frontend config (nbconfig) from every config dir but
writes what the UI saves (the Nbextensions tab, any PATCH /api/config/<section>) into the
user's ~/.jupyter/nbconfig, which every env on the machine reads. These subclasses keep
the reads and write into this env's own etc/jupyter/nbconfig instead.

To write elsewhere, set ConfigManager.write_config_dir in any config file or on the
command line (--ConfigManager.write_config_dir=DIR); to drop this, run
`jdash setup --undo`, or remove config_manager_class from the env's config.
"""
import os

from traitlets import Unicode, default

__version__ = "1"


def _env_nbconfig():
    from jupyter_core.paths import ENV_CONFIG_PATH

    return os.path.join(ENV_CONFIG_PATH[0], "nbconfig")


def _subclass(name, base):
    def _default_write_config_dir(self):
        return _env_nbconfig()

    return type(name, (base,), {
        "__module__": __name__,
        "__doc__": "ConfigManager that writes the frontend config at the env's level.",
        "write_config_dir": Unicode(config=True, help="Where the frontend config the UI saves is written (default: the env's etc/jupyter/nbconfig)."),
        "_default_write_config_dir": default("write_config_dir")(_default_write_config_dir),
    })


def __getattr__(name):
    if name == "NotebookConfigManager":
        from notebook.services.config.manager import ConfigManager
    elif name == "ServerConfigManager":
        from jupyter_server.services.config.manager import ConfigManager
    else:
        raise AttributeError(name)
    cls = _subclass(name, ConfigManager)
    globals()[name] = cls
    return cls
