// JSON Schemas of Jupyter messaging protocol 5.4 messages, used to validate everything the kernel sends.
import { Ajv, type ValidateFunction } from "ajv";
import type { Message } from "../../kernel/wire/types.js";

const header = {
  type: "object",
  required: ["msg_id", "session", "username", "date", "msg_type", "version"],
  properties: {
    msg_id: { type: "string", minLength: 1 },
    session: { type: "string", minLength: 1 },
    username: { type: "string" },
    date: { type: "string", format: "date-time" },
    msg_type: { type: "string" },
    version: { const: "5.4" },
  },
};

const mimeBundle = { type: "object", additionalProperties: true };
const errorFields = {
  ename: { type: "string" },
  evalue: { type: "string" },
  traceback: { type: "array", items: { type: "string" } },
};
const status = (extra: Record<string, unknown> = {}, required: string[] = []) => ({
  type: "object",
  required: ["status", ...required],
  oneOf: [
    { properties: { status: { const: "ok" }, ...extra } },
    { required: ["ename", "evalue", "traceback"], properties: { status: { const: "error" }, ...errorFields } },
    { properties: { status: { const: "aborted" } } },
  ],
});

const contents: Record<string, object> = {
  kernel_info_reply: {
    type: "object",
    required: ["status", "protocol_version", "implementation", "implementation_version", "language_info", "banner"],
    properties: {
      status: { const: "ok" },
      protocol_version: { const: "5.4" },
      language_info: {
        type: "object",
        required: ["name", "version", "mimetype", "file_extension"],
        properties: { name: { const: "typescript" }, file_extension: { const: ".ts" } },
      },
      help_links: { type: "array", items: { type: "object", required: ["text", "url"] } },
      supported_features: { type: "array", items: { type: "string" } },
    },
  },
  execute_reply: {
    allOf: [
      status({ user_expressions: { type: "object" }, payload: { type: "array" } }),
      { required: ["execution_count"], properties: { execution_count: { type: "integer", minimum: 0 } } },
    ],
  },
  inspect_reply: status({ found: { type: "boolean" }, data: mimeBundle, metadata: { type: "object" } }),
  complete_reply: {
    allOf: [
      status({
        matches: { type: "array", items: { type: "string" } },
        cursor_start: { type: "integer", minimum: 0 },
        cursor_end: { type: "integer", minimum: 0 },
        metadata: { type: "object" },
      }),
    ],
  },
  is_complete_reply: {
    type: "object",
    required: ["status"],
    properties: { status: { enum: ["complete", "incomplete", "invalid", "unknown"] }, indent: { type: "string" } },
  },
  history_reply: status({ history: { type: "array", items: { type: "array", minItems: 3, maxItems: 3 } } }),
  comm_info_reply: status({ comms: { type: "object", additionalProperties: { type: "object", required: ["target_name"] } } }),
  shutdown_reply: status({ restart: { type: "boolean" } }),
  interrupt_reply: status(),
  status: { type: "object", required: ["execution_state"], properties: { execution_state: { enum: ["busy", "idle", "starting"] } } },
  execute_input: { type: "object", required: ["code", "execution_count"], properties: { code: { type: "string" }, execution_count: { type: "integer" } } },
  execute_result: {
    type: "object",
    required: ["execution_count", "data", "metadata"],
    properties: { execution_count: { type: "integer" }, data: { ...mimeBundle, required: ["text/plain"] }, metadata: { type: "object" } },
  },
  stream: { type: "object", required: ["name", "text"], properties: { name: { enum: ["stdout", "stderr"] }, text: { type: "string" } } },
  display_data: {
    type: "object",
    required: ["data", "metadata"],
    properties: { data: mimeBundle, metadata: { type: "object" }, transient: { type: "object", properties: { display_id: { type: "string" } } } },
  },
  update_display_data: {
    type: "object",
    required: ["data", "metadata", "transient"],
    properties: { transient: { type: "object", required: ["display_id"], properties: { display_id: { type: "string" } } } },
  },
  clear_output: { type: "object", required: ["wait"], properties: { wait: { type: "boolean" } } },
  error: { type: "object", required: ["ename", "evalue", "traceback"], properties: errorFields },
  input_request: { type: "object", required: ["prompt", "password"], properties: { prompt: { type: "string" }, password: { type: "boolean" } } },
  comm_open: { type: "object", required: ["comm_id", "target_name", "data"] },
  comm_msg: { type: "object", required: ["comm_id", "data"] },
  comm_close: { type: "object", required: ["comm_id", "data"] },
};

const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addFormat("date-time", (value: string) => !Number.isNaN(Date.parse(value)));
const validateHeader = ajv.compile(header);
const validators = new Map<string, ValidateFunction>(Object.entries(contents).map(([type, schema]) => [type, ajv.compile(schema)]));

/** Replies to request types the kernel does not support carry only a status and the error fields. */
const genericReply = ajv.compile(status());

/** Message types this schema covers; a kernel message of another type fails validation. */
export const KNOWN_TYPES = [...validators.keys()];

/** Returns the schema violations of a message the kernel sent; an empty list means valid. */
export function validateMessage(message: Message): string[] {
  const problems: string[] = [];
  if (!validateHeader(message.header)) problems.push(`header: ${ajv.errorsText(validateHeader.errors)}`);
  const type = message.header.msg_type;
  const validate = validators.get(type) ?? (type.endsWith("_reply") ? genericReply : undefined);
  if (validate === undefined) {
    problems.push(`msg_type ${type} has no schema`);
  } else if (!validate(message.content)) {
    problems.push(`${type} content: ${ajv.errorsText(validate.errors)}`);
  }
  if (type !== "status" && type.endsWith("_reply") && typeof message.parent_header.msg_id !== "string") {
    problems.push(`${type} has no parent_header.msg_id`);
  }
  return problems;
}
