// Detainee monitoring.

// Urgent actions: addressees, templates, generation from a detention, PDF and email draft, tracking.
export {
  generateUrgentAction, regenerateUrgentAction, getUrgentAction, listUrgentActions, trackUrgentAction, prepareUrgentAction, exportUrgentAction,
  UrgentGenerateSchema, UrgentRegenerateSchema, UrgentEventSchema, UrgentListSchema, URGENT_STATUSES, URGENT_CHANNELS,
  type UrgentActionView, type UrgentActionSummary, type UrgentEventView, type VersionView, type VersionSummary, type UrgentStatus,
} from "./urgent-actions.ts";
export {
  listAddressees, getAddressee, createAddressee, updateAddressee, archiveAddressee, AddresseeSchema, AddresseeArchiveSchema, AddresseeListSchema,
  type AddresseeView,
} from "./urgent-addressees.ts";
export { listTemplates, getTemplate, templateHistory, saveTemplate, TemplateSaveSchema, type TemplateView, type TemplateVersionSummary } from "./urgent-template-store.ts";
export { URGENT_LANGUAGES, PLACEHOLDERS, FACT_PLACEHOLDERS, LANGUAGE_TAG, LANGUAGE_DIRECTION, isUrgentLanguage, type UrgentLanguage, type FactName } from "./urgent-templates.ts";
export { documentFragment, documentHtml, documentText, type UrgentDocument, type AddresseeSnapshot } from "./urgent-document.ts";
export { renderPdf, PdfUnavailable } from "./urgent-pdf.ts";
export { buildEmailDraft, mailtoLink, emailRecipients } from "./urgent-email.ts";
export type { FactNote } from "./urgent-facts.ts";
