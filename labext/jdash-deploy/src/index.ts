// "Deploy as dashboard" for JupyterLab 4 and Notebook 7: saves the open notebook, asks the
// server's jdash_deploy endpoint (POST /jdash/deploy, installed by `jdash setup`) to publish
// it to the stack's dashboards service, and opens the link in a new tab. The upload token
// stays on the server; the browser gets only the link.
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, showErrorMessage, ToolbarButton } from '@jupyterlab/apputils';
import { URLExt } from '@jupyterlab/coreutils';
import { IMainMenu } from '@jupyterlab/mainmenu';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { ServerConnection } from '@jupyterlab/services';

const COMMAND = 'jdash:deploy-dashboard';
const LABEL = 'Deploy as Dashboard';

interface IDeployed {
  name: string;
  link: string;
  kernels_in?: string;
}

// deploy publishes the notebook and returns the dashboard's link, or throws the server's
// own explanation (no stack, no dashboards service, a refused name).
async function deploy(panel: NotebookPanel): Promise<IDeployed> {
  if (panel.context.model.dirty) {
    await panel.context.save(); // what is published is what the user sees
  }
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, 'jdash', 'deploy');
  const resp = await ServerConnection.makeRequest(
    url,
    { method: 'POST', body: JSON.stringify({ path: panel.context.path }) },
    settings
  );
  let body: any = {};
  try {
    body = await resp.json();
  } catch {
    // not JSON: the status says enough
  }
  if (resp.status === 404) {
    throw new Error(
      'This server has no jdash Deploy endpoint: run `jdash setup --profile modern` on its env, then restart it with `jdash up`.'
    );
  }
  if (!resp.ok) {
    throw new Error(body.message || `${resp.status} ${resp.statusText}`);
  }
  return body as IDeployed;
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'jdash-deploy:plugin',
  description: 'Deploy the open notebook to the dashboards service of the jdash stack',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ICommandPalette, IMainMenu],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    palette: ICommandPalette | null,
    mainMenu: IMainMenu | null
  ) => {
    const run = async (panel: NotebookPanel) => {
      // Opened now, while the click is still the user's: a tab opened after the request
      // would be blocked as a pop-up.
      const tab = window.open('', '_blank');
      try {
        const done = await deploy(panel);
        if (tab) {
          tab.opener = null;
          tab.location.href = done.link;
        } else {
          window.open(done.link, '_blank', 'noopener');
        }
      } catch (err) {
        tab?.close();
        await showErrorMessage('Deploy as dashboard', (err as Error).message);
      }
    };
    app.commands.addCommand(COMMAND, {
      label: LABEL,
      caption: 'Publish this notebook to the stack’s dashboards service and open it in a new tab',
      isEnabled: () => tracker.currentWidget !== null,
      execute: () => (tracker.currentWidget ? run(tracker.currentWidget) : undefined)
    });
    palette?.addItem({ command: COMMAND, category: 'Notebook Operations' });
    mainMenu?.fileMenu.addGroup([{ command: COMMAND }], 40);
    app.docRegistry.addWidgetExtension('Notebook', {
      createNew: (panel: NotebookPanel) => {
        const button = new ToolbarButton({
          className: 'jdash-deploy-button',
          label: 'Deploy',
          tooltip: LABEL,
          onClick: () => void run(panel)
        });
        if (!panel.toolbar.insertAfter('cellType', 'jdashDeploy', button)) {
          panel.toolbar.addItem('jdashDeploy', button);
        }
        return button;
      }
    });
  }
};

export default plugin;
