// The ownership graph drawn as SVG on the server: it works with scripts off. Each record is a link
// that recentres the graph on it; owners point at what they own (solid), directors at what they
// direct (dashed). Colours come with a second cue (a mark, a dash), and the text list beside the
// drawing says everything the drawing does.
import { layoutGraph, type OwnershipGraph } from "../../accountability/index.ts";
import type { PageContext } from "../pages/layout.tsx";

const R = 24;
const INK = "#1f2a37";
const NODE = "#e8eef7";
const CENTRE = "#1f3b63";
const COMPLICIT = "#8b1a1a";

function shorten(text: string, max = 26): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function OwnershipSvg({ page, graph }: { page: PageContext; graph: OwnershipGraph }) {
  const { t } = page;
  const layout = layoutGraph(graph.nodes);
  const at = (id: string) => layout.nodes.get(id)!;
  return (
    <figure class="graph">
      <svg xmlns="http://www.w3.org/2000/svg" viewBox={`0 0 ${layout.width} ${layout.height}`} width="100%" role="group" aria-labelledby="graph-caption" class="ownership-graph" direction="ltr">
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" fill={INK} />
          </marker>
        </defs>
        {graph.links.map((l) => {
          const a = at(l.from);
          const b = at(l.to);
          const dx = b.x - a.x;
          const dy = b.y - a.y;
          const length = Math.max(Math.hypot(dx, dy), 1);
          const [ux, uy] = [dx / length, dy / length];
          const label = l.kind === "ownership" ? (l.percentage ? `${l.percentage}%` : "") : (l.role ?? "");
          return (
            <g>
              <line x1={a.x + ux * R} y1={a.y + uy * R} x2={b.x - ux * (R + 2)} y2={b.y - uy * (R + 2)} stroke={INK} stroke-width="1.5" stroke-dasharray={l.kind === "directorship" ? "6 4" : undefined} marker-end="url(#arrow)" />
              {label ? (
                <text x={(a.x + b.x) / 2} y={(a.y + b.y) / 2 - 4} font-size="12" text-anchor="middle" fill={INK} paint-order="stroke" stroke="#ffffff" stroke-width="3">{shorten(label, 20)}</text>
              ) : null}
            </g>
          );
        })}
        {graph.nodes.map((n) => {
          const p = at(n.id);
          const name = n.caption ?? n.id;
          return (
            <a href={`/complicity/graph/${n.id}?depth=${graph.depth}`}>
              {/* The link's accessible name: the whole name, and whether it is in the registry. */}
              <title>{n.complicit ? `${name} (${t("complicity.graph.complicit")})` : name}</title>
              <circle cx={p.x} cy={p.y} r={R} fill={n.complicit ? COMPLICIT : NODE} stroke={n.id === graph.centre ? CENTRE : INK} stroke-width={n.id === graph.centre ? 5 : 1.5} />
              {n.complicit ? <text x={p.x} y={p.y + 7} font-size="22" font-weight="bold" text-anchor="middle" fill="#ffffff" aria-hidden="true">!</text> : null}
              <text x={p.x} y={p.y + R + 16} font-size="13" text-anchor="middle" fill={INK} paint-order="stroke" stroke="#ffffff" stroke-width="3">{shorten(name)}</text>
            </a>
          );
        })}
      </svg>
      <figcaption id="graph-caption">
        {t("complicity.graph.caption", { n: String(graph.nodes.length), links: String(graph.links.length), depth: String(graph.depth) })}
        <ul class="legend">
          <li>
            <svg width="40" height="16" aria-hidden="true"><line x1="2" y1="8" x2="36" y2="8" stroke={INK} stroke-width="1.5" marker-end="url(#arrow)" /></svg> {t("complicity.graph.legendOwnership")}
          </li>
          <li>
            <svg width="40" height="16" aria-hidden="true"><line x1="2" y1="8" x2="36" y2="8" stroke={INK} stroke-width="1.5" stroke-dasharray="6 4" marker-end="url(#arrow)" /></svg> {t("complicity.graph.legendDirectorship")}
          </li>
          <li>
            <svg width="20" height="20" aria-hidden="true"><circle cx="10" cy="10" r="8" fill={COMPLICIT} /><text x="10" y="15" font-size="13" font-weight="bold" text-anchor="middle" fill="#ffffff">!</text></svg> {t("complicity.graph.legendComplicit")}
          </li>
          <li>
            <svg width="20" height="20" aria-hidden="true"><circle cx="10" cy="10" r="7" fill={NODE} stroke={CENTRE} stroke-width="4" /></svg> {t("complicity.graph.legendCentre")}
          </li>
        </ul>
      </figcaption>
    </figure>
  );
}
