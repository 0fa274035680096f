// The lab's web app: a file browser beside the notebook named in the URL (/lab/tree/PATH).
import "katex/dist/katex.min.css";
import "./style.css";
import { Banner } from "./banner.js";
import { FileBrowser } from "./files.js";
import { NotebookView } from "./notebook.js";

declare global {
  interface Window {
    /** The open notebook, for debugging from the console and for browser tests. */
    paramlab?: { notebook?: NotebookView };
  }
}

function notebookPath(): string | undefined {
  const match = /^\/lab\/tree\/(.+)$/.exec(location.pathname);
  return match === null ? undefined : match[1].split("/").map(decodeURIComponent).join("/");
}

async function start(): Promise<void> {
  const app = document.getElementById("app")!;
  const path = notebookPath();
  const banner = new Banner();
  const folder = path?.includes("/") ? path.split("/").slice(0, -1).join("/") : "";
  const browser = new FileBrowser(folder, (message) => banner.show("error", message));
  const main = document.createElement("main");
  app.append(browser.element, main);
  main.append(banner.element);
  window.paramlab = {};
  void browser.show();

  if (path === undefined) {
    const hint = document.createElement("p");
    hint.className = "hint";
    hint.textContent = "Open a notebook from the list, or create a new one.";
    main.append(hint);
    return;
  }

  const notebook = new NotebookView(path);
  window.paramlab.notebook = notebook;
  main.append(notebook.element);

  // Ctrl+S saves from anywhere on the page; the cell list and the editors handle it first.
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.key !== "s" || !(event.ctrlKey || event.metaKey)) return;
    event.preventDefault();
    void notebook.save();
  });
  window.addEventListener("beforeunload", (event) => {
    if (notebook.element.classList.contains("dirty")) event.preventDefault();
  });
  await notebook.open();
}

void start();
