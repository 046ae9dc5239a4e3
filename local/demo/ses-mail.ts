/** One message as aws-ses-v2-local's `GET /store` lists it. */
export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  /** Epoch seconds. */
  at: number;
}

export async function storedEmails(sesEndpoint: string): Promise<StoredEmail[]> {
  const response = await fetch(new URL('/store', sesEndpoint));
  if (!response.ok) throw new Error(`GET /store answered ${response.status}`);
  return ((await response.json()) as { emails: StoredEmail[] }).emails;
}

/** The download link of a "recording is ready" email: the line after "Download it here:", else the button. */
export function downloadLink(email: StoredEmail): string | undefined {
  const fromText = /Download it here:\s*\n\s*(\S+)/.exec(email.body.text ?? '')?.[1];
  if (fromText) return fromText;
  const fromHtml = /<a[^>]*id="download"[^>]*href="([^"]+)"/.exec(email.body.html ?? '')?.[1];
  return fromHtml?.replaceAll('&amp;', '&');
}
