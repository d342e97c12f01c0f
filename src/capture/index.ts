// Web capture: "Capture this page" drives a headless Chromium through a guarding proxy and keeps
// the page as WARC, screenshot, HTML and text in the evidence vault, linked to a Source record.
export { captureWebPage, captureRolesOf, getCapture, prepareCaptureForm, CaptureInputSchema, type ArtifactRole, type CaptureArtifact, type CaptureResult, type CaptureView, type CaptureOptions } from "./capture.ts";
export { getCaptureSettings, requireCaptureConfiguration, setCaptureSettings, CaptureSettingsSchema, type CaptureSettings } from "./settings.ts";
export { CaptureFailed, CaptureTimeout, CaptureTooLarge } from "./errors.ts";
export { CaptureRefused, Unreachable, unlockable, type RefusalReason } from "./target.ts";
export type { AddressClass } from "./address.ts";
