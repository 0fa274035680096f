// The file browser: the folders and files under the lab's root, and a button for a new notebook.
import { api, encodePath, type ContentsEntry } from "./api.js";

export class FileBrowser {
  readonly element = document.createElement("nav");
  private readonly list = document.createElement("ul");
  private readonly heading = document.createElement("div");

  constructor(
    private folder: string,
    private readonly onError: (message: string) => void,
  ) {
    this.element.className = "file-browser";
    this.heading.className = "folder";
    const create = document.createElement("button");
    create.textContent = "New notebook";
    create.addEventListener("click", () => void this.newNotebook());
    this.element.append(create, this.heading, this.list);
  }

  async show(folder = this.folder): Promise<void> {
    this.folder = folder;
    let listing: ContentsEntry;
    try {
      listing = await api<ContentsEntry>("GET", `contents/${encodePath(folder)}?type=directory`);
    } catch (error) {
      this.onError(`Cannot list ${folder || "the root folder"}: ${(error as Error).message}`);
      return;
    }
    this.heading.textContent = `/${folder}`;
    const items: HTMLLIElement[] = [];
    if (folder !== "") items.push(this.item("..", "directory", () => void this.show(folder.split("/").slice(0, -1).join("/"))));
    for (const entry of listing.content as ContentsEntry[]) {
      const open = entry.type === "directory" ? () => void this.show(entry.path) : () => openPath(entry);
      items.push(this.item(entry.name, entry.type, open));
    }
    this.list.replaceChildren(...items);
  }

  private item(name: string, type: string, open: () => void): HTMLLIElement {
    const li = document.createElement("li");
    li.className = `entry entry-${type}`;
    const link = document.createElement("a");
    link.href = "#";
    link.textContent = type === "directory" ? `${name}/` : name;
    link.addEventListener("click", (event) => {
      event.preventDefault();
      open();
    });
    li.append(link);
    return li;
  }

  private async newNotebook(): Promise<void> {
    try {
      const model = await api<ContentsEntry>("POST", `contents/${encodePath(this.folder)}`, { type: "notebook" });
      location.href = `/lab/tree/${encodePath(model.path)}`;
    } catch (error) {
      this.onError(`Cannot create a notebook: ${(error as Error).message}`);
    }
  }
}

function openPath(entry: ContentsEntry): void {
  if (entry.type === "notebook") location.href = `/lab/tree/${encodePath(entry.path)}`;
  else window.open(`/api/contents/${encodePath(entry.path)}`, "_blank", "noopener");
}
