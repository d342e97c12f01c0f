// Types of client/map.core.js, for the server code that shares it (src/map).

export declare const MAX_LATITUDE: number;
export declare const TILE_SIZE: number;
export declare const MAX_CLUSTER_ZOOM: number;

export declare function project(lon: number, lat: number): [number, number];
export declare function unproject(x: number, y: number): [number, number];
export declare function decodeArc(arc: readonly number[], precision: number): Float64Array;
/** `arcs` decoded by decodeArc. */
export declare function ringOf(refs: readonly number[], arcs: readonly Float64Array[]): Float64Array;

export interface ClusterLevel {
  x: Float64Array;
  y: Float64Array;
  weight: Float64Array;
  count: Uint32Array;
  minX: Float64Array;
  minY: Float64Array;
  maxX: Float64Array;
  maxY: Float64Array;
}

export interface ClusterIndex {
  radius: number;
  maxZoom: number;
  levels: ClusterLevel[];
}

export declare function buildClusterIndex(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  weights: ArrayLike<number>,
  options?: { radius?: number; maxZoom?: number; minZoom?: number },
): ClusterIndex;
export declare function levelFor(index: ClusterIndex, zoom: number): ClusterLevel;
export declare function clustersIn(level: ClusterLevel, minX: number, minY: number, maxX: number, maxY: number): number[];
export declare function isOneSpot(level: ClusterLevel, i: number): boolean;
export declare function zoomToFit(minX: number, minY: number, maxX: number, maxY: number, width: number, height: number, maxZoom: number): number;
