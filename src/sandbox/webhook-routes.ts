/**
 * The sandbox's webhook routes (issue 13): `GET /webhooks` (the form behind the page's "Send a webhook…"
 * button) and `POST /__admin/webhooks` (JSON for programs and tests, or the form): sends signed HrFlow
 * webhooks to a URL (src/sandbox/webhooks.ts).
 */
import { renderWebhookPage } from './page';
import { SANDBOX_PROFILE_ALIASES, type ProfileStore } from './profiles';
import type { RequestContext, SandboxServer } from './server';
import { checkOrder, DEFAULT_WEBHOOK_URL, FORM_EVENTS, formOrder, orderEvents, SANDBOX_WEBHOOK_SECRET, sendWebhooks, type WebhookOrder } from './webhooks';

export function addWebhookRoutes(core: SandboxServer, profiles: ProfileStore): void {
  const page = (result?: string) =>
    renderWebhookPage({ url: core.url, defaults: { url: DEFAULT_WEBHOOK_URL, secret: SANDBOX_WEBHOOK_SECRET }, events: FORM_EVENTS, profiles: Object.keys(SANDBOX_PROFILE_ALIASES), result });
  const html = (ctx: RequestContext, status: number, text: string) => ctx.send(status, text, 'text/html; charset=utf-8', { headers: { 'Cache-Control': 'no-store' } });
  const json = (ctx: RequestContext, status: number, v: unknown) => ctx.send(status, JSON.stringify(v, null, 2), 'application/json; charset=utf-8');

  core.routes.set('GET /webhooks', async (ctx) => html(ctx, 200, page()));
  core.routes.set('POST /__admin/webhooks', async (ctx) => {
    const form = /^application\/x-www-form-urlencoded\b/i.test(ctx.header('content-type') ?? '');
    let order: unknown;
    if (form) order = formOrder(new URLSearchParams((await ctx.body()).toString('utf8')));
    else {
      const parsed = await ctx.json();
      if (!parsed.ok) return json(ctx, 400, { error: `Invalid JSON: ${parsed.error}` });
      order = parsed.value;
    }
    const bad = checkOrder(order);
    if (bad) return form ? html(ctx, 400, page(`Not sent: ${bad}`)) : json(ctx, 400, { error: bad });
    try {
      orderEvents(profiles, order as WebhookOrder);
    } catch (err) {
      return form ? html(ctx, 400, page(`Not sent: ${(err as Error).message}`)) : json(ctx, 400, { error: (err as Error).message });
    }
    let deliveries;
    try {
      deliveries = await sendWebhooks(profiles, order as WebhookOrder);
    } catch (err) {
      const text = `${(err as Error)?.message ?? err}${(err as { cause?: Error }).cause ? ` (${(err as { cause: Error }).cause.message})` : ''}`;
      return form ? html(ctx, 502, page(`Not delivered: ${text}`)) : json(ctx, 502, { error: text });
    }
    const answer = { ok: deliveries.every((d) => d.status >= 200 && d.status < 300), deliveries };
    return form ? html(ctx, 200, page(JSON.stringify(answer, null, 2))) : json(ctx, 200, answer);
  });
}
