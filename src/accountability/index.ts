// Accountability: the complicity registry, ownership and control, supply-chain screening.
export {
  complicityOf, findingsAbout, listComplicity, recordComplicity, requireComplicityView, ComplicityCreateSchema, ComplicityQuerySchema, COMPLICITY_PAGE,
  type ComplicityFinding, type ComplicityQuery, type ComplicityRegistry, type SourceRef,
} from "./complicity.ts";
export { ownershipGraph, ownersUpTo, GraphQuerySchema, MAX_GRAPH_DEPTH, MAX_GRAPH_NODES, type GraphLink, type GraphNode, type LinkKind, type OwnershipGraph, type OwnerPath } from "./ownership.ts";
export { countryCode, decodeSupplierFile, parseSupplierFile, MAX_SUPPLIER_ROWS, type SupplierColumns, type SupplierFile, type SupplierRow } from "./suppliers-csv.ts";
export {
  registerListMatcher, requireSupplierScreening, screenSuppliers, unregisterListMatcher, SupplierScreenSchema, DEFAULT_HOPS, MAX_HOPS,
  type FindingReason, type ListEntryMatch, type ListMatcher, type ListQuery, type PathStep, type SupplierFinding, type SupplierReport, type SupplierScreenOptions,
} from "./suppliers.ts";
export { supplierReportCsv } from "./suppliers-report.ts";
export { layoutGraph, type GraphLayout, type PlacedNode } from "./ownership-layout.ts";
