// An urgent action as an email draft: an RFC 5322 message (.eml) that a mail program opens as an
// unsent draft, and a mailto: link when the text is short enough for one.
import MailComposer from "nodemailer/lib/mail-composer/index.js";
import { documentHtml, documentText, type UrgentDocument } from "./urgent-document.ts";

// Browsers and mail programs cut mailto: links long before the standard would; past this, the
// link would lose the end of the letter, so only the .eml is offered.
const MAILTO_LIMIT = 2000;

export function emailRecipients(doc: UrgentDocument): string[] {
  return doc.addressees.map((a) => a.email).filter((e) => e !== "");
}

export async function buildEmailDraft(doc: UrgentDocument, date: Date): Promise<Buffer> {
  const recipients = emailRecipients(doc);
  const composer = new MailComposer({
    to: recipients.length > 0 ? recipients : undefined,
    subject: doc.subject,
    date,
    text: documentText(doc),
    html: documentHtml(doc, { inline: true }),
    // Outlook and Thunderbird open a message with this header as a draft to edit and send.
    headers: { "X-Unsent": "1" },
  });
  return composer.compile().build();
}

export function mailtoLink(doc: UrgentDocument): string | null {
  const query = `subject=${encodeURIComponent(doc.subject)}&body=${encodeURIComponent(documentText(doc))}`;
  const link = `mailto:${emailRecipients(doc).map(encodeURIComponent).join(",")}?${query}`;
  return link.length <= MAILTO_LIMIT ? link : null;
}
