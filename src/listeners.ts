// Every records-changed listener this version of Vigil runs: derived tables kept in step with the
// records inside the transaction that changes them (src/records/changes.ts). Registered once at
// start by boot(); tests that build their services by hand call it too.
import { onRecordsChanged } from "./records/index.ts";
import { refreshDetentionsAfterChange } from "./monitor/index.ts";

export function registerRecordListeners(): void {
  onRecordsChanged("monitor.detentions", refreshDetentionsAfterChange);
}
