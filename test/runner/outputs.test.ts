import { describe, expect, it } from "vitest";
import type { Message } from "../../kernel/client/index.js";
import type { Output } from "../../lab/runner/notebook.js";
import { OutputCollector } from "../../lab/runner/outputs.js";

function message(msgType: string, content: Record<string, unknown>): Message {
  return {
    identities: [],
    header: { msg_id: "m", msg_type: msgType, session: "s", username: "u", date: "2026-01-01T00:00:00.000Z", version: "5.4" },
    parent_header: {},
    metadata: {},
    content,
    buffers: [],
  } as unknown as Message;
}

describe("OutputCollector", () => {
  it("merges consecutive stream text of one stream", () => {
    const outputs: Output[] = [];
    const collector = new OutputCollector();
    collector.startCell(outputs);
    collector.add(message("stream", { name: "stdout", text: "a" }));
    collector.add(message("stream", { name: "stdout", text: "b\nc\n" }));
    collector.add(message("stream", { name: "stderr", text: "e\n" }));
    collector.add(message("stream", { name: "stdout", text: "d\n" }));
    expect(outputs).toEqual([
      { output_type: "stream", name: "stdout", text: ["ab\n", "c\n"] },
      { output_type: "stream", name: "stderr", text: ["e\n"] },
      { output_type: "stream", name: "stdout", text: ["d\n"] },
    ]);
  });

  it("clears at once, or at the next output with wait", () => {
    const outputs: Output[] = [];
    const collector = new OutputCollector();
    collector.startCell(outputs);
    collector.add(message("stream", { name: "stdout", text: "old\n" }));
    collector.add(message("clear_output", { wait: true }));
    expect(outputs).toHaveLength(1);
    collector.add(message("stream", { name: "stdout", text: "new\n" }));
    expect(outputs).toEqual([{ output_type: "stream", name: "stdout", text: ["new\n"] }]);
    collector.add(message("clear_output", { wait: false }));
    expect(outputs).toEqual([]);
  });

  it("updates a display in an earlier cell by its id", () => {
    const first: Output[] = [];
    const second: Output[] = [];
    const collector = new OutputCollector();
    collector.startCell(first);
    collector.add(message("display_data", { data: { "text/plain": "0%" }, metadata: {}, transient: { display_id: "bar" } }));
    collector.startCell(second);
    collector.add(message("update_display_data", { data: { "text/plain": "100%" }, metadata: {}, transient: { display_id: "bar" } }));
    expect(first).toEqual([{ output_type: "display_data", data: { "text/plain": "100%" }, metadata: {} }]);
    expect(second).toEqual([]);
  });

  it("splits text MIME data into lines and keeps JSON data", () => {
    const outputs: Output[] = [];
    const collector = new OutputCollector();
    collector.startCell(outputs);
    const figure = { data: [], layout: {} };
    collector.add(message("execute_result", { execution_count: 3, data: { "text/plain": "a\nb", "application/vnd.plotly.v1+json": figure }, metadata: {} }));
    expect(outputs).toEqual([
      { output_type: "execute_result", execution_count: 3, data: { "text/plain": ["a\n", "b"], "application/vnd.plotly.v1+json": figure }, metadata: {} },
    ]);
  });
});
