export { recordAudit, type AuditEntry } from "./record.ts";
export { listAuditEvents, requirePermission, AuditFilterSchema, type AuditFilter, type AuditPage } from "./query.ts";
