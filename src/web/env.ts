import type { Principal } from "../accounts/index.ts";
import type { Origin, Services } from "../context.ts";
import type { Locale, Translate } from "./i18n.ts";

export type FormData = Record<string, string | string[]>;

/** What every request carries through the middleware chain. */
export interface AppEnv {
  Variables: {
    services: Services;
    origin: Origin;
    requestId: string;
    locale: Locale;
    t: Translate;
    principal: Principal | null;
    /** The form token to embed in this response's forms. */
    csrfToken: string;
    /** The urlencoded form of this request, once read (the CSRF check reads it first). */
    form: FormData | undefined;
    /** Unread alerts in the signed-in person's inbox, for the header (pages only). */
    alertsUnread: number | undefined;
  };
}
