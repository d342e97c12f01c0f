// Where each record of an ownership graph is drawn: the centre in the middle, the records one link
// away on a ring around it, two links away on the next ring, each ring's records in the order given
// (sorted by name by the graph). Pure, so the server draws the SVG and a script could redraw it.
import type { GraphNode } from "./ownership.ts";

export interface PlacedNode {
  id: string;
  x: number;
  y: number;
}

export interface GraphLayout {
  width: number;
  height: number;
  nodes: Map<string, PlacedNode>;
}

const RING = 170;
const MARGIN = 120;

export function layoutGraph(nodes: readonly GraphNode[]): GraphLayout {
  const rings = new Map<number, GraphNode[]>();
  for (const n of nodes) (rings.get(n.distance) ?? rings.set(n.distance, []).get(n.distance)!).push(n);
  const deepest = Math.max(0, ...rings.keys());
  // A crowded ring is pushed outwards so that neighbours stay at least ~90 units apart.
  const radii = new Map<number, number>();
  let radius = 0;
  for (let d = 1; d <= deepest; d++) {
    const count = rings.get(d)?.length ?? 0;
    radius = Math.max(radius + RING, (count * 90) / (2 * Math.PI));
    radii.set(d, radius);
  }
  const half = Math.ceil(radius + MARGIN);
  const placed = new Map<string, PlacedNode>();
  for (const [d, ring] of rings) {
    const r = radii.get(d) ?? 0;
    ring.forEach((n, i) => {
      // Start at the top and go clockwise; offset alternate rings so links do not overlap radially.
      const angle = -Math.PI / 2 + (2 * Math.PI * i) / ring.length + (d % 2 === 0 ? Math.PI / Math.max(ring.length, 1) : 0);
      placed.set(n.id, { id: n.id, x: Math.round(half + r * Math.cos(angle)), y: Math.round(half + r * Math.sin(angle)) });
    });
  }
  return { width: 2 * half, height: 2 * half, nodes: placed };
}
