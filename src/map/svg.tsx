/**
 * Maps drawn on the server as inline SVG: they need no JavaScript (Tor Browser at its safest level
 * sees them), no tile server and no other host, and the CSP's `style-src 'self'` is kept (no style
 * attributes: geometry only, colours from client/map.css).
 *
 * PlaceMap — a small map of one place, for a record's page:
 *   lat, lon   the place's coordinates in degrees (WGS 84), as its record holds them
 *   label      what the map shows, for its accessible name (e.g. "Kashgar city prison on the map")
 *   zoom       optional, 0–16, default 6 (a few hundred kilometres across)
 *   width, height  optional, its size in pixels, default 320 × 200; it scales down with its container
 *   Include `<link rel="stylesheet" href="/static/map.css">` on the page for its colours.
 *
 * ClusterMap — the map page's map: the basemap of a view and its clusters, each a link.
 */
import type { FC } from "hono/jsx";
import { project } from "../../client/map.core.js";
import { basemapPaths, worldScale, type View } from "./basemap.ts";

/** The view of a given size centred on a point at a zoom; near the poles it stops at the world's edge. */
export function viewAround(lon: number, lat: number, zoom: number, width: number, height: number): View {
  const [cx, cy] = project(lon, lat);
  const scale = worldScale(zoom);
  const halfW = width / 2 / scale;
  const halfH = height / 2 / scale;
  // The world is 1 × 1: a view taller than it is centred on it.
  const y = height / scale >= 1 ? 0.5 - halfH : Math.max(0, Math.min(1 - 2 * halfH, cy - halfH));
  return { x: cx - halfW, y, zoom, width, height };
}

/** A view's point in pixels. */
export function toPixels(view: View, x: number, y: number): [number, number] {
  const scale = worldScale(view.zoom);
  return [(x - view.x) * scale, (y - view.y) * scale];
}

export const Basemap: FC<{ view: View }> = ({ view }) => {
  const paths = basemapPaths(view);
  return (
    <g aria-hidden="true">
      <rect class="map-sea" x="0" y="0" width={view.width} height={view.height} />
      {paths.land ? <path class="map-land" d={paths.land} /> : null}
      {paths.inner ? <path class="map-inner" d={paths.inner} /> : null}
    </g>
  );
};

export interface PlaceMapProps {
  lat: number;
  lon: number;
  label: string;
  zoom?: number;
  width?: number;
  height?: number;
}

export const PlaceMap: FC<PlaceMapProps> = ({ lat, lon, label, zoom = 6, width = 320, height = 200 }) => {
  const view = viewAround(lon, lat, Math.max(0, Math.min(16, zoom)), width, height);
  const [x, y] = toPixels(view, ...project(lon, lat));
  return (
    <svg class="place-map" viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label={label}>
      <Basemap view={view} />
      <circle class="map-marker" cx={x.toFixed(1)} cy={y.toFixed(1)} r="6" />
    </svg>
  );
};

export interface DrawnCluster {
  x: number;
  y: number;
  /** Incidents (or places) it stands for, shown on it. */
  weight: number;
  /** Places it gathers: one is drawn as a point, more as a cluster. */
  places: number;
  href: string;
  label: string;
}

/** A circle's radius for its weight: grows with the logarithm, so a thousand is not a hundred times one. */
export function radiusOf(weight: number): number {
  return Math.round(9 + 5 * Math.log10(Math.max(1, weight)));
}

export const ClusterMap: FC<{ view: View; clusters: DrawnCluster[]; title: string }> = ({ view, clusters, title }) => (
  <svg class="cluster-map" viewBox={`0 0 ${view.width} ${view.height}`} role="group" aria-label={title}>
    <Basemap view={view} />
    {clusters.map((c) => (
      <a href={c.href} aria-label={c.label}>
        <circle class={c.places > 1 ? "map-cluster" : "map-point"} cx={c.x.toFixed(1)} cy={c.y.toFixed(1)} r={radiusOf(c.weight)} />
        <text class="map-count" x={c.x.toFixed(1)} y={c.y.toFixed(1)} text-anchor="middle" dominant-baseline="central">
          {c.weight > 9999 ? `${Math.round(c.weight / 1000)}k` : String(c.weight)}
        </text>
      </a>
    ))}
  </svg>
);

