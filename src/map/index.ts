// The incident map and the timeline: points of the records a caller may see, clustered; the
// basemap Vigil ships; incidents in order of their dates. The one door to src/map.
export { collectPoints, listIncidents, listIncidentsAt, mapPoints, requireMapReading, timeline, type IncidentItem, type IncidentPage, type TimelinePage, type Caption } from "./service.ts";
export { filterOf, filterParams, MapFilterSchema, MapListSchema, MapPageSchema, TimelineSchema, MAP_KINDS, type Box, type MapFilter, type MapKind, type MapPageQuery } from "./filter.ts";
export { basemapAttribution, basemapPaths, clientBasemap, findRegion, regionAt, worldScale, type BasemapPaths, type Region, type View } from "./basemap.ts";
export type { PlaceRow } from "./query.ts";
export { Basemap, ClusterMap, PlaceMap, toPixels, viewAround, type DrawnCluster, type PlaceMapProps } from "./svg.tsx";
