// Detainee monitoring: detentions and their course (status changes, proofs of life, treatment
// reports) as records, the facility registry, and the projection monitor_detentions that alert
// rules and the silence dashboard read.
export {
  recordDetention, addStatusChange, addProofOfLife, addTreatmentReport, getDetention, personDetentions, detentionViews,
  type DetentionView, type TimelineEntry, type TimelineKind,
} from "./detentions.ts";
export { listFacilities, getFacility, isFacility, type FacilitySummary, type FacilityView } from "./facilities.ts";
export { DetentionCreateSchema, StatusCreateSchema, ProofOfLifeCreateSchema, TreatmentReportCreateSchema, FacilityListSchema } from "./input.ts";
export { refreshDetentions, refreshDetentionsAfterChange, rebuildDetentions } from "./projection.ts";
export { summariseDetention, ENDING_STATUSES, RELEASE_STATUSES, FACILITY_PLACE_TYPES, type DetentionSummary } from "./summary.ts";
// Detainee monitoring: alert rules evaluated on the monitor_detentions projection, alerts, and the
// notifications they send (inbox, email, signed webhooks, Atom feeds).
export { ALERT_RULES, DEFAULT_SILENCE_DAYS, MAX_WINDOW_DAYS, RuleUpdateSchema, listRules, updateRules, type AlertRule, type RuleSetting } from "./alerts-rules.ts";
export { evaluateAlerts, evaluateAlertsJob, EVALUATE_JOB, type Evaluation } from "./alerts-evaluate.ts";
export { listAlerts, getAlert, acknowledgeAlert, inbox, unreadCount, type AlertView, type AlertListQuery } from "./alerts.ts";
export {
  SubscriptionInputSchema, WebhookInputSchema, FeedInputSchema, listSubscriptions, subscribe, unsubscribe, listWebhooks, createWebhook, revokeWebhook, webhookDeliveries, listFeeds, createFeed, revokeFeed,
  type SubscriptionView, type WebhookView, type DeliveryLogEntry, type FeedView,
} from "./notify.ts";
export { readFeed } from "./notify-feed.ts";
export { signWebhook, verifyWebhook, webhookJob, SIGNATURE_HEADER, DELIVERY_HEADER } from "./notify-webhook.ts";
export { emailJob } from "./notify-email.ts";
// Detainee monitoring.

// Families: one-time codes, secret links, sealed reports in a triage queue, approved updates.
export { createFamilyCase, issueFamilyCode, revokeFamilyAccess, listFamilyCases, getFamilyCase, type FamilyCaseView, type IssuedFamilyCode } from "./family-cases.ts";
export { redeemFamilyCode, openFamilyPage, submitFamilyReport, CODE_REFUSED, type FamilyPageView, type RedeemedFamilyCode, type SealedFamilyReport } from "./family-public.ts";
export { listFamilyReports, getFamilyReport, acceptFamilyReport, declineFamilyReport, type FamilyReportView, type AcceptedFamilyReport } from "./family-reports.ts";
export { writeFamilyUpdate, approveFamilyUpdate, withdrawFamilyUpdate, listFamilyUpdates, type FamilyUpdateView } from "./family-updates.ts";
export {
  FamilyCaseCreateSchema, FamilyReportSchema, FamilyCodeRedeemSchema, FamilyAcceptSchema, FamilyDeclineSchema, FamilyUpdateSchema, FamilyReportListSchema,
} from "./family-input.ts";
export { familyPagePath, FAMILY_LINK_PATTERN } from "./family-secrets.ts";

// The silence dashboard and its facility map.
export { listSilence, facilitySilence, requireSilenceReading, type SilenceItem, type SilencePage, type FacilitySilence, type FacilitySilenceMap } from "./silence.ts";
export { URGENCIES, urgencyOf, silenceParams, SilenceQuerySchema, FacilitySilenceQuerySchema, MAX_SILENCE_PAGE, type Urgency, type SilenceFilter, type SilenceQuery } from "./silence-input.ts";
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
