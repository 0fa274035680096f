// Calls the lab's REST API from the page. The token cookie set at login authenticates them.

/** An API error with the server's message and, when it sent one, the reason (such as kernel stderr). */
export class ApiError extends Error {
  override name = "ApiError";

  constructor(
    readonly status: number,
    message: string,
    readonly reason: string | null,
  ) {
    super(message);
  }
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`/api/${path}`, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch (error) {
    throw new ApiError(0, `the lab server is unreachable (${(error as Error).message}); is paramlab lab still running?`, null);
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const value = text === "" ? undefined : (JSON.parse(text) as unknown);
  if (!response.ok) {
    const detail = value as { message?: string; reason?: string | null } | undefined;
    throw new ApiError(response.status, detail?.message ?? `${method} ${path} failed with HTTP ${response.status}`, detail?.reason ?? null);
  }
  return value as T;
}

/** Encodes an API path segment by segment, keeping the slashes. */
export function encodePath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

export interface ContentsEntry {
  name: string;
  path: string;
  type: "notebook" | "file" | "directory";
  last_modified: string;
  content: unknown;
  trusted?: boolean;
}
