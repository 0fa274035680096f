// An allow-list HTML sanitizer for notebook HTML, markdown and outputs, which may come from anyone.
// It re-serializes every tag it keeps, so text it cannot parse comes out escaped, never as markup.

const HTML_TAGS =
  "a abbr b blockquote br caption code col colgroup dd del details div dl dt em figcaption figure h1 h2 h3 h4 h5 h6 hr i img " +
  "ins kbd li ol p pre q s samp small span strong sub summary sup table tbody td tfoot th thead tr u ul var";
const SVG_TAGS =
  "svg g path rect circle ellipse line polyline polygon text tspan defs clipPath linearGradient radialGradient stop marker title desc";
const ALLOWED_TAGS = new Map([...`${HTML_TAGS} ${SVG_TAGS}`.split(" ")].map((tag) => [tag.toLowerCase(), tag]));

/** Elements dropped together with their content. */
const DROPPED_WITH_CONTENT = new Set(["script", "style", "iframe", "object", "embed", "template", "noscript", "textarea", "select", "frameset", "noembed", "xmp", "math"]);
const VOID_TAGS = new Set(["br", "hr", "img", "col"]);

const HTML_ATTRIBUTES =
  "class title style colspan rowspan align valign width height alt href src dir lang start type open scope span border";
const SVG_ATTRIBUTES =
  "xmlns viewbox preserveaspectratio d x y x1 y1 x2 y2 cx cy r rx ry dx dy points fill fill-opacity fill-rule stroke stroke-width " +
  "stroke-opacity stroke-dasharray stroke-linecap stroke-linejoin transform opacity font-size font-family font-weight text-anchor " +
  "dominant-baseline clip-path offset stop-color stop-opacity gradientunits marker-end marker-start markerwidth markerheight refx refy orient id";
const ALLOWED_ATTRIBUTES = new Set(`${HTML_ATTRIBUTES} ${SVG_ATTRIBUTES}`.split(" "));

const TOKEN = /<!--[\s\S]*?(?:-->|$)|<[!?][^>]*>|<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*(\/?)>/g;
const ATTRIBUTE = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

// Keeps character references such as "&amp;" or "&#955;" and escapes every other "&", "<" and ">".
function escapeText(text: string): string {
  return text.replace(/&(?!(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});)/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * Returns `html` with only allow-listed elements and attributes. Scripts, styles, frames, event
 * handlers and URLs other than http(s), mailto, in-page anchors and data: images are removed,
 * and every element left open is closed, so the fragment cannot break the page around it.
 */
export function sanitizeHtml(html: string): string {
  const out: string[] = [];
  const open: string[] = [];
  let position = 0;
  TOKEN.lastIndex = 0;
  for (let match = TOKEN.exec(html); match !== null; match = TOKEN.exec(html)) {
    out.push(escapeText(html.slice(position, match.index)));
    position = TOKEN.lastIndex;
    const [, slash, rawName, attributes, selfClosing] = match;
    if (rawName === undefined) continue;
    const name = rawName.toLowerCase();

    if (DROPPED_WITH_CONTENT.has(name) && slash === "") {
      const end = new RegExp(`</${name}\\s*>`, "ig");
      end.lastIndex = position;
      position = end.exec(html) === null ? html.length : end.lastIndex;
      TOKEN.lastIndex = position;
      continue;
    }
    const tag = ALLOWED_TAGS.get(name);
    if (tag === undefined) continue;
    if (slash === "/") {
      closeTo(tag, open, out);
      continue;
    }
    const isVoid = VOID_TAGS.has(name) || selfClosing === "/";
    out.push(`<${tag}${keepAttributes(tag, attributes)}${isVoid && !VOID_TAGS.has(name) ? " /" : ""}>`);
    if (!isVoid) open.push(tag);
  }
  out.push(escapeText(html.slice(position)));
  while (open.length > 0) out.push(`</${open.pop()}>`);
  return out.join("");
}

function closeTo(tag: string, open: string[], out: string[]): void {
  const index = open.lastIndexOf(tag);
  if (index < 0) return;
  while (open.length > index) out.push(`</${open.pop()}>`);
}

function keepAttributes(tag: string, text: string): string {
  const kept: string[] = [];
  ATTRIBUTE.lastIndex = 0;
  for (let match = ATTRIBUTE.exec(text); match !== null; match = ATTRIBUTE.exec(text)) {
    const name = match[1].toLowerCase();
    const value = match[2] ?? match[3] ?? match[4] ?? "";
    if (!ALLOWED_ATTRIBUTES.has(name)) continue;
    if ((name === "href" || name === "src") && !isSafeUrl(tag, name, value)) continue;
    if (name === "style" && !isSafeStyle(value)) continue;
    kept.push(` ${name === "viewbox" ? "viewBox" : name === "preserveaspectratio" ? "preserveAspectRatio" : name}="${escapeText(value).replace(/"/g, "&quot;")}"`);
  }
  return kept.join("");
}

function isSafeUrl(tag: string, attribute: string, value: string): boolean {
  const url = value.trim();
  if (tag === "img" && attribute === "src") return /^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*$/i.test(url);
  if (tag === "a" && attribute === "href") return /^(https?:\/\/|mailto:|#)/i.test(url);
  return false;
}

// Blocks CSS that loads resources or runs code; backslashes and character references could hide either.
function isSafeStyle(value: string): boolean {
  return !/url\s*\(|expression\s*\(|@import|\\|&|javascript:/i.test(value);
}
