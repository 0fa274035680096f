// Importing this module attaches display methods to Tensor and History.
export { DISPLAY, type MimeBundle, type Displayable, isDisplayable, displayable, escapeHtml, htmlTable, textTable } from "./protocol.js";
export { type Figure, type Trace, PLOTLY_MIME, figureBundle, lineFigure, titleOf } from "./figure.js";
export { renderSvg, niceTicks } from "./svg.js";
export { tensorBundle } from "./tensor.js";
export { historyBundle, historyFigure } from "./history.js";
export { architecture, diagramBundle, diagramSvg, type Architecture } from "./module_diagram.js";
