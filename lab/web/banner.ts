// Messages above the notebook: errors with their detail (such as a kernel's stderr) and actions.

export type BannerKind = "error" | "warning" | "conflict" | "info";

export class Banner {
  readonly element = document.createElement("div");
  private flashTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    this.element.className = "banners";
  }

  /** Shows a message of `kind`, replacing an earlier one of the same kind. */
  show(kind: BannerKind, message: string, detail?: string, actions: Array<[string, () => void]> = []): void {
    this.clear(kind);
    const box = document.createElement("div");
    box.className = `banner banner-${kind}`;
    box.dataset.kind = kind;
    box.setAttribute("role", kind === "info" ? "status" : "alert");
    const text = document.createElement("div");
    text.className = "banner-message";
    text.textContent = message;
    box.append(text);
    if (detail !== undefined && detail !== "") {
      const pre = document.createElement("pre");
      pre.className = "banner-detail";
      pre.textContent = detail;
      box.append(pre);
    }
    for (const [label, action] of actions) {
      const button = document.createElement("button");
      button.textContent = label;
      button.addEventListener("click", action);
      box.append(button);
    }
    const close = document.createElement("button");
    close.className = "banner-close";
    close.textContent = "×";
    close.title = "Dismiss";
    close.addEventListener("click", () => box.remove());
    box.append(close);
    this.element.append(box);
  }

  /** Shows a short info message that removes itself. */
  flash(message: string): void {
    this.show("info", message);
    clearTimeout(this.flashTimer);
    this.flashTimer = setTimeout(() => this.clear("info"), 2500);
  }

  clear(kind: BannerKind): void {
    for (const box of Array.from(this.element.querySelectorAll(`[data-kind="${kind}"]`))) box.remove();
  }
}
