/**
 * The pages' stylesheet and their one script, served as files from the same origin so the Content Security
 * Policy can forbid inline styles and scripts altogether.
 */

/** Path of the stylesheet. */
export const STYLESHEET_PATH = '/assets/site.css';
/** Path of the script that pre-fills the time zone. */
export const TIME_ZONE_SCRIPT_PATH = '/assets/time-zone.js';

/**
 * Readable on a phone and a desktop: one column up to 36rem, system fonts, text and controls with at least
 * 4.5:1 contrast, and a thick focus ring on everything focusable.
 */
export const STYLESHEET = `
*,*::before,*::after{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5;color:#1a1a1a;background:#fff;-webkit-text-size-adjust:100%}
body{margin:0}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem 1rem}
.skip:focus{left:.5rem}
header,main,footer{max-width:36rem;margin:0 auto;padding:1rem}
header{border-bottom:1px solid #d0d0d0}
header a{color:#1a1a1a;font-weight:700;text-decoration:none;font-size:1.25rem}
footer{color:#4a4a4a;font-size:.875rem;border-top:1px solid #d0d0d0;margin-top:2rem}
h1{font-size:1.5rem;line-height:1.25}
a{color:#0b57d0}
label,legend{display:block;font-weight:600;margin-top:1rem}
.hint{display:block;color:#4a4a4a;font-size:.875rem}
.error{display:block;color:#b3261e;font-weight:600}
input[type=email],input[type=text],select,textarea{display:block;width:100%;font:inherit;padding:.5rem;border:2px solid #5f5f5f;border-radius:4px;background:#fff;color:#1a1a1a}
[aria-invalid=true]{border-color:#b3261e}
fieldset{border:0;padding:0;margin:0}
.choice{display:flex;gap:.5rem;align-items:center;font-weight:400;margin-top:.25rem}
.choice input{width:1.25rem;height:1.25rem}
button,.button{display:inline-block;font:inherit;font-weight:600;margin-top:1.5rem;padding:.75rem 1.25rem;border:0;border-radius:4px;background:#0b57d0;color:#fff;text-decoration:none;cursor:pointer}
button.secondary{background:#fff;color:#0b57d0;border:2px solid #0b57d0}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,.button:focus-visible,[tabindex]:focus-visible{outline:3px solid #1a1a1a;outline-offset:2px;box-shadow:0 0 0 5px #ffd54f}
.summary{border:3px solid #b3261e;padding:1rem;margin-top:1rem}
.summary:focus{outline:3px solid #1a1a1a}
.notice{border-left:4px solid #0b57d0;background:#eef3fd;padding:.75rem 1rem}
main.wide{max-width:48rem}
.periods ul{display:flex;gap:.5rem;list-style:none;padding:0;margin:0 0 1rem}
.periods a{display:inline-block;padding:.5rem .75rem;border:2px solid #0b57d0;border-radius:4px;text-decoration:none}
.periods a[aria-current=page]{background:#0b57d0;color:#fff}
.history-chart{margin:0 0 1.5rem}
.history-chart figcaption{font-size:.875rem;color:#4a4a4a}
svg.chart{display:block;width:100%;max-width:40rem;height:auto;overflow:visible}
svg.chart .axis{font-size:11px;fill:#4a4a4a}
svg.chart .grid{stroke:#e5e7eb;stroke-width:1}
svg.chart .axis-line{stroke:#9ca3af;stroke-width:1}
svg.chart .gap{fill:#f3f4f6;stroke:#d1d5db;stroke-dasharray:3 2}
svg.chart .line{fill:none;stroke-width:2;stroke-linejoin:round}
svg.chart .line.likes{stroke:#0b57d0}
svg.chart .line.views{stroke:#6d28d9}
svg.chart .marker circle{stroke:#fff;stroke-width:1.5}
svg.chart .marker circle.target{fill:transparent;stroke:none}
svg.chart .marker.loss circle:not(.target){fill:#b91c1c}
svg.chart .marker.slowdown circle:not(.target){fill:#b45309}
svg.chart .marker.unknown circle:not(.target){fill:#475569}
svg.chart .marker.none circle:not(.target){fill:#15803d}
svg.chart .marker:focus-visible circle:not(.target){stroke:#1a1a1a;stroke-width:3}
.table-wrap{overflow-x:auto;max-width:100%}
.numbers table{border-collapse:collapse;font-size:.875rem;width:100%}
.numbers th,.numbers td{text-align:right;padding:.25rem .5rem;border-bottom:1px solid #e5e7eb;white-space:nowrap}
.numbers th[scope=row],.numbers td:last-child{text-align:left}
.numbers caption{text-align:left;font-weight:600}
.nights,.videos{padding-left:1.25rem}
.night{margin-bottom:1rem;overflow-wrap:anywhere}
.night h3{font-size:1rem;margin:.25rem 0}
.night.loss h3{color:#b91c1c}
.night:target{background:#fff8e1;outline:2px solid #b45309;outline-offset:4px}
.evidence{color:#374151;font-size:.9375rem}
.muted{color:#4a4a4a;font-size:.875rem}
.videos li{overflow-wrap:anywhere;margin-bottom:.5rem}
`.trim();

/**
 * Progressive enhancement: fills the time zone field with the browser's zone when the person has not chosen
 * one. Without JavaScript the field keeps its server-side default and works the same.
 */
export const TIME_ZONE_SCRIPT = `
(function () {
  var field = document.querySelector('select[data-detect-time-zone]');
  if (!field || field.getAttribute('data-chosen') === 'true') return;
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  for (var i = 0; i < field.options.length; i++) {
    if (field.options[i].value === zone) { field.value = zone; return; }
  }
})();
`.trim();
